//! sftoken: a loopback helper that gets the five Snow Atlas Salesforce connector
//! settings (Client ID, Client secret, Refresh token, Login URL, Company names)
//! in one browser round trip, with PKCE.
//!
//! `main.rs` parses arguments and calls [`run`]; tests build a [`Config`], bind a
//! [`Server`] on port 0 and drive it over TCP.

#![forbid(unsafe_code)]

pub mod advice;
pub mod check;
pub mod cli;
pub mod config;
pub mod connection;
pub mod login;
pub mod login_url;
pub mod paste;
pub mod salesforce;
pub mod server;
pub mod settings;

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;

pub use cli::{Input, Stdin, check, paste};
pub use config::{Cli, Config, ConfigError, Env};
pub use server::{AppState, BindError, Server, app};

/// Everything that ends the program with an error, each with its exit code.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    Config(#[from] ConfigError),
    #[error("{0}")]
    Bind(#[from] BindError),
    #[error("The server stopped unexpectedly ({0}). Start sftoken again.")]
    Serve(std::io::Error),
    #[error("Could not write the settings to standard output ({0}). Run again without --json.")]
    Output(std::io::Error),
    #[error("{0}")]
    Missing(String),
    #[error("{0}")]
    Failed(String),
    #[error(
        "sftoken stopped before a sign-in completed, so no settings were printed. Run it again and sign in."
    )]
    NotCaptured,
    #[error(
        "sftoken is already running on port {0}: use that one (its page is http://localhost:{0}/; if it asks for a key, open the address it printed in its own terminal), or stop it with Done or Ctrl-C and run this again."
    )]
    Busy(u16),
    #[error(
        "sftoken was stopped before the checks finished, so no settings were printed. Run it again and sign in."
    )]
    Interrupted,
}

impl Error {
    /// 2: bad usage or configuration; 3: the port is taken; 1: anything else.
    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(match self {
            Self::Config(_) | Self::Missing(_) => 2,
            Self::Bind(BindError::PortTaken(_)) | Self::Busy(_) => 3,
            Self::Bind(_)
            | Self::Serve(_)
            | Self::Output(_)
            | Self::Failed(_)
            | Self::NotCaptured
            | Self::Interrupted => 1,
        })
    }
}

/// Why the helper stopped serving.
enum Stop {
    Signal,
    Done,
    Idle(std::time::Duration),
    Captured(Arc<connection::Connection>),
}

/// Serves the page until Ctrl-C, "Done", the idle timeout or (with `--json`)
/// the first capture.
pub async fn run(config: Config) -> Result<(), Error> {
    let json = config.json;
    let open_browser = config.open_browser;
    let idle_timeout = config.idle_timeout;
    let output = config.output.clone();
    let mut server = match Server::bind(config).await {
        Err(BindError::PortTaken(port)) if another_sftoken_on(port).await => {
            return another_sftoken(port, open_browser, json);
        }
        bound => bound?,
    };
    let state = server.state().clone();
    let url = state.launch_url();
    eprintln!(
        "sftoken is running. Open this address in your browser (it works until sftoken stops):"
    );
    println!("{url}");
    let _ = std::io::stdout().flush();
    eprintln!(
        "From another computer, forward the port first: ssh -L {port}:localhost:{port} <this-host>",
        port = state.port()
    );
    if open_browser {
        open_in_browser(&url);
    }
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

/// Does an sftoken answer `/health` on this port?
async fn another_sftoken_on(port: u16) -> bool {
    let Ok(client) = salesforce::Http::default().client().cloned() else {
        return false;
    };
    let answer = client
        .get(format!("http://127.0.0.1:{port}/health"))
        .header("host", format!("localhost:{port}"))
        .timeout(std::time::Duration::from_secs(2))
        .send()
        .await;
    match answer {
        Ok(response) => response
            .bytes()
            .await
            .ok()
            .and_then(|body| serde_json::from_slice::<serde_json::Value>(&body).ok())
            .is_some_and(|health| health["app"] == "sftoken"),
        Err(_) => false,
    }
}

/// Another sftoken already serves this port: point to it (the port is still
/// taken, so the exit code is 3).
fn another_sftoken(port: u16, open_browser: bool, json: bool) -> Result<(), Error> {
    if open_browser && !json {
        open_in_browser(&format!("http://localhost:{port}/"));
    }
    Err(Error::Busy(port))
}

fn describe(duration: std::time::Duration) -> String {
    let seconds = duration.as_secs();
    let (n, unit) = match seconds {
        s if s > 0 && s % 60 == 0 => (s / 60, "minute"),
        s => (s, "second"),
    };
    format!("{n} {unit}{}", if n == 1 { "" } else { "s" })
}

/// Prints the `--json` object on stdout, or writes it to `output`, which only
/// the user may read (the one way secrets reach the disk, when asked).
pub(crate) fn print_json(
    connection: &connection::Connection,
    output: Option<&std::path::Path>,
) -> std::io::Result<()> {
    let snapshot = connection.snapshot();
    let json = snapshot.json_output(&connection.credentials);
    let text = serde_json::to_string(&json).expect("settings serialize");
    match output {
        Some(path) => {
            let mut file = owner_only_file(path)?;
            writeln!(file, "{text}")?;
            eprintln!(
                "Wrote the settings to {} (readable only by you).",
                path.display()
            );
            Ok(())
        }
        None => {
            let mut stdout = std::io::stdout().lock();
            writeln!(stdout, "{text}")?;
            stdout.flush()
        }
    }
}

/// Creates or truncates `path` with permissions for its owner only.
fn owner_only_file(path: &std::path::Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        options.mode(0o600);
        let file = options.open(path)?;
        // An existing file keeps its mode on open; tighten it.
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
        Ok(file)
    }
    #[cfg(not(unix))]
    options.open(path)
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
    if let Err(e) = open::that_detached(url) {
        eprintln!("Could not open a browser ({e}). Open the address above yourself.");
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
