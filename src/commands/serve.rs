//! `sftoken`: serves the page until Ctrl-C, "Done", the idle timeout or, with
//! `--json`, the first capture.

use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use super::Error;
use super::output::print_json;
use crate::config::Config;
use crate::session::Connection;
use crate::web::Server;

/// Why the helper stopped serving.
enum Stop {
    Signal,
    Done,
    Idle(Duration),
    Captured(Arc<Connection>),
}

/// Serves the page until Ctrl-C, "Done", the idle timeout or (with `--json`)
/// the first capture.
pub async fn serve(config: Config) -> Result<(), Error> {
    let json = config.json;
    let open_browser = config.open_browser;
    let idle_timeout = config.idle_timeout;
    let output = config.output.clone();
    let mut server = Server::bind(config).await?;
    let state = server.state().clone();
    let url = state.launch_url();
    eprintln!(
        "sftoken is running. Open this address in your browser (it works once; sftoken prints a fresh one after each use):"
    );
    print_address(&url, json);
    eprintln!(
        "From another computer, forward the port first: ssh -L {port}:localhost:{port} <this-host>",
        port = state.port()
    );
    if open_browser {
        open_in_browser(&url);
    }
    let mut launch_urls = state.launch_urls();
    let announcer = tokio::spawn(async move {
        while launch_urls.changed().await.is_ok() {
            let url = launch_urls.borrow_and_update().clone();
            eprintln!("The address was used. For another browser, open this one (it works once):");
            print_address(&url, json);
        }
    });
    let mut captures = server.take_captures();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let serving = tokio::spawn(server.serve(async {
        let _ = stop_rx.await;
    }));
    let idle = async {
        match idle_timeout {
            Some(timeout) => state.idle(timeout).await,
            None => std::future::pending().await,
        }
    };
    let stop = tokio::select! {
        () = shutdown_signal() => Stop::Signal,
        () = state.done() => Stop::Done,
        () = idle => Stop::Idle(idle_timeout.unwrap_or_default()),
        Some(connection) = captures.recv(), if json => Stop::Captured(connection),
    };
    let captured = matches!(stop, Stop::Captured(_));
    let printed = match stop {
        // The JSON carries the checks, so it waits for them (each request has
        // its own timeout); Ctrl-C still stops at once.
        Stop::Captured(connection) => tokio::select! {
            () = connection.checks_finished() => {
                print_json(&connection, output.as_deref()).map_err(Error::Output)
            }
            () = shutdown_signal() => Err(Error::Interrupted),
            () = state.done() => Err(Error::Interrupted),
        },
        Stop::Done => {
            eprintln!("Stopped from the page.");
            Ok(())
        }
        Stop::Idle(timeout) => {
            eprintln!(
                "sftoken stopped after {} without use. Start it again when you need it.",
                describe(timeout)
            );
            Ok(())
        }
        Stop::Signal => Ok(()),
    };
    announcer.abort();
    let _ = stop_tx.send(());
    let served = serving
        .await
        .unwrap_or_else(|e| Err(std::io::Error::other(e)));
    eprintln!("sftoken stopped; the secrets it held are wiped from memory.");
    printed?;
    served.map_err(Error::Serve)?;
    if json && !captured {
        return Err(Error::NotCaptured);
    }
    Ok(())
}

/// The address to open, alone on its line: on standard output, or on
/// standard error with `--json`, whose standard output carries the JSON alone.
fn print_address(url: &str, json: bool) {
    if json {
        eprintln!("{url}");
    } else {
        println!("{url}");
        let _ = std::io::stdout().flush();
    }
}

fn describe(duration: Duration) -> String {
    let seconds = duration.as_secs();
    let (n, unit) = match seconds {
        s if s > 0 && s % 60 == 0 => (s / 60, "minute"),
        s => (s, "second"),
    };
    format!("{n} {unit}{}", if n == 1 { "" } else { "s" })
}

/// Opens the default browser without waiting for it. On a machine with no
/// display, says so instead of starting a text-mode browser in this terminal.
fn open_in_browser(url: &str) {
    let headless = cfg!(all(unix, not(target_os = "macos")))
        && std::env::var_os("DISPLAY").is_none()
        && std::env::var_os("WAYLAND_DISPLAY").is_none();
    if headless {
        eprintln!(
            "No graphical display was found, so no browser was opened. Open the address above in a browser."
        );
        return;
    }
    // The error names the address, which carries the launch token: say less.
    if open::that_detached(url).is_err() {
        eprintln!("Could not open a browser. Open the address above yourself.");
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
