//! `sftoken`: serves the page until Ctrl-C, "Done", the idle timeout or,
//! with `--json` or `--print`, the first capture. The terminal says what to
//! do at start, who signed in to which org after each sign-in, and why a
//! sign-in failed, as a warning.

use std::sync::Arc;
use std::time::Duration;

use tokio::task::JoinSet;

use super::Error;
use super::output::{print_copy_all, print_json, signed_in, warn_if_stdout_is_a_file};
use super::terminal::{say, show_address};
use crate::config::{Config, describe_duration};
use crate::salesforce::Surface;
use crate::signin::{Connection, Outcome};
use crate::web::{AppState, Server, StopReason};

/// Longest sftoken waits, after printing a sign-in's settings, for that
/// sign-in's page to load and show "Done".
const PAGE_WAIT: Duration = Duration::from_secs(5);

/// Why the helper stopped serving.
enum Stop {
    Signal,
    Done,
    Idle(Duration),
    Captured(Arc<Connection>),
}

/// What happens after a sign-in.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// The settings stay on the page until "Done" or Ctrl-C.
    Page,
    /// `--json`: the JSON object on stdout (or `--output`), then exit.
    Json,
    /// `--print`: the Copy all text on stdout, then exit.
    Print,
}

impl Mode {
    fn of(config: &Config) -> Self {
        match (config.json, config.print) {
            (true, _) => Self::Json,
            (false, true) => Self::Print,
            (false, false) => Self::Page,
        }
    }

    /// Standard output carries the result alone, so the address goes to
    /// standard error.
    fn stdout_is_for_the_result(self) -> bool {
        self != Self::Page
    }
}

/// Serves the page until Ctrl-C, "Done", the idle timeout or (with `--json`
/// or `--print`) the first capture.
pub async fn serve(config: Config) -> Result<(), Error> {
    let mode = Mode::of(&config);
    let open_browser = config.open_browser;
    let idle_timeout = config.idle_timeout;
    let output = config.output.clone();
    if mode == Mode::Json && output.is_none() {
        warn_if_stdout_is_a_file();
    }
    let mut server = Server::bind(config).await?;
    let state = server.state().clone();
    let url = state.launch_url();
    introduce(&state, &url, mode);
    if open_browser {
        open_in_browser(&url);
    }
    let mut launch_urls = state.launch_urls();
    let announcer = tokio::spawn(async move {
        while launch_urls.changed().await.is_ok() {
            let url = launch_urls.borrow_and_update().clone();
            say("The address was used. For another browser, open this one (it works once):");
            show_address(&url, !mode.stdout_is_for_the_result());
        }
    });
    let mut sign_ins = server.take_sign_ins();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let serving = tokio::spawn(server.serve(async {
        let _ = stop_rx.await;
    }));
    // "Signed in as …" waits for the checks, which name the user and the org.
    let mut telling = JoinSet::new();
    // One listener for the whole run, so no Ctrl-C is missed between turns.
    let shutdown = shutdown_signal();
    tokio::pin!(shutdown);
    let stop = loop {
        let idle = async {
            match idle_timeout {
                Some(timeout) => state.idle(timeout).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            () = &mut shutdown => break Stop::Signal,
            () = state.done() => break Stop::Done,
            () = idle => break Stop::Idle(idle_timeout.unwrap_or_default()),
            Some(outcome) = sign_ins.recv() => match outcome {
                Outcome::Captured(connection) if mode != Mode::Page => {
                    break Stop::Captured(connection);
                }
                Outcome::Captured(connection) => {
                    while telling.try_join_next().is_some() {}
                    telling.spawn(async move {
                        connection.checks_finished().await;
                        tell_signed_in(&connection, mode);
                    });
                }
                Outcome::Failed { advice, .. } => {
                    tracing::warn!("The sign-in failed. {}", advice.on(Surface::BesideThePage).one_line());
                }
            },
        }
    };
    telling.abort_all();
    let captured = matches!(stop, Stop::Captured(_));
    let (printed, why) = match stop {
        // The result waits for the checks: the JSON carries them, and the
        // token check may rotate the refresh token. Ctrl-C still stops at once.
        Stop::Captured(connection) => tokio::select! {
            () = connection.checks_finished() => {
                tell_signed_in(&connection, mode);
                let printed = match mode {
                    Mode::Print => print_copy_all(&connection).map_err(Error::Output),
                    _ => print_json(&connection, output.as_deref()).map_err(Error::Output),
                };
                let why = match printed {
                    Ok(()) => StopReason::Printed(output.clone()),
                    Err(_) => StopReason::NotPrinted,
                };
                (printed, why)
            }
            () = &mut shutdown => (Err(Error::Interrupted), StopReason::Signal),
            () = state.done() => (Err(Error::Interrupted), StopReason::Done),
        },
        Stop::Done => {
            eprintln!("Stopped from the page.");
            (Ok(()), StopReason::Done)
        }
        Stop::Idle(timeout) => {
            eprintln!(
                "sftoken stopped after {} without an open page. Start it again when you need it.",
                describe_duration(timeout)
            );
            (Ok(()), StopReason::Idle(timeout))
        }
        Stop::Signal => (Ok(()), StopReason::Signal),
    };
    // The pages still open hear why at once. The page of a sign-in just
    // printed is on its way from the callback: wait until it has shown
    // "Done", so the tab does not end half loaded (briefly; Ctrl-C cuts it
    // short).
    state.stop(why);
    if captured && printed.is_ok() {
        tokio::select! {
            _ = tokio::time::timeout(PAGE_WAIT, state.told_the_captured_page()) => {}
            () = &mut shutdown => {}
        }
    }
    announcer.abort();
    let _ = stop_tx.send(());
    let served = serving
        .await
        .unwrap_or_else(|e| Err(std::io::Error::other(e)));
    eprintln!("sftoken stopped; the secrets it held are wiped from memory.");
    printed?;
    served.map_err(Error::Serve)?;
    if mode != Mode::Page && !captured {
        return Err(Error::NotCaptured);
    }
    Ok(())
}

/// The first lines: the address, and what to do next.
fn introduce(state: &AppState, url: &str, mode: Mode) {
    let port = state.port();
    say(
        "sftoken is running. Open this address in your browser (it works once; sftoken prints a fresh one after each use):",
    );
    show_address(url, !mode.stdout_is_for_the_result());
    let then = match mode {
        Mode::Page => "shows the five settings to copy. Press Ctrl-C here to stop",
        Mode::Json => "prints the settings here as JSON and stops",
        Mode::Print => "prints the five settings here and stops",
    };
    say(&format!(
        "Next: follow the page. It lists what the External Client App needs (its Callback URL is http://localhost:{port}/callback), signs you in with Salesforce, then {then}."
    ));
    // A command to copy: on a line of its own, never wrapped.
    say("From another computer, forward the port first:");
    eprintln!("  ssh -L {port}:localhost:{port} <this-host>");
}

/// After a sign-in and its checks: who signed in to which org, where the
/// settings are, and, as a warning, what the checks found wrong.
fn tell_signed_in(connection: &Connection, mode: Mode) {
    let signed_in = signed_in(connection);
    match mode {
        Mode::Page => eprintln!(
            "{signed_in}; the settings are on the page. Press Done or Ctrl-C when you have copied them."
        ),
        Mode::Json | Mode::Print => eprintln!("{signed_in}."),
    }
    if let Err(reason) = connection.read(|held| held.report.verdict(Surface::BesideThePage)) {
        tracing::warn!("{reason}");
    }
}

/// Opens the default browser without waiting for it. On a machine with no
/// display, says so instead of starting a text-mode browser in this terminal.
fn open_in_browser(url: &str) {
    let headless = cfg!(all(unix, not(target_os = "macos")))
        && std::env::var_os("DISPLAY").is_none()
        && std::env::var_os("WAYLAND_DISPLAY").is_none();
    if headless {
        say(
            "No graphical display was found, so no browser was opened. Open the address above in a browser.",
        );
        return;
    }
    // The error names the address, which carries the launch token: say less.
    if open::that_detached(url).is_err() {
        say("Could not open a browser. Open the address above yourself.");
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
