//! sftoken: a loopback helper that gets the five Snow Atlas Salesforce connector
//! settings (Client ID, Client secret, Refresh token, Login URL, Company names)
//! in one browser round trip, with PKCE.
//!
//! `main.rs` parses arguments and calls [`run`]; tests build a [`Config`], bind a
//! [`Server`] on port 0 and drive it over TCP.

#![forbid(unsafe_code)]

pub mod advice;
pub mod check;
pub mod config;
pub mod connection;
pub mod login;
pub mod login_url;
pub mod salesforce;
pub mod server;
pub mod settings;

use std::io::Write;
use std::process::ExitCode;

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
}

impl Error {
    /// 2: bad usage or configuration; 3: the port is taken; 1: anything else.
    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(match self {
            Self::Config(_) => 2,
            Self::Bind(BindError::PortTaken(_)) => 3,
            Self::Bind(_) | Self::Serve(_) | Self::Output(_) => 1,
        })
    }
}

/// Serves the page until Ctrl-C (or, with `--json`, the first capture).
pub async fn run(config: Config) -> Result<(), Error> {
    let json = config.json;
    let open_browser = config.open_browser;
    let mut server = Server::bind(config).await?;
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
    let captured = tokio::select! {
        () = shutdown_signal() => None,
        Some(connection) = captures.recv(), if json => Some(connection),
    };
    let printed = match captured {
        Some(connection) => {
            // The JSON carries the checks, so it waits for them (each request has
            // its own timeout); Ctrl-C still stops at once.
            tokio::select! {
                () = connection.checks_finished() => Some(print_json(&connection)),
                () = shutdown_signal() => None,
            }
        }
        None => None,
    };
    let _ = stop_tx.send(());
    let served = serving
        .await
        .unwrap_or_else(|e| Err(std::io::Error::other(e)));
    eprintln!("sftoken stopped; the secrets it held are wiped from memory.");
    if let Some(Err(e)) = printed {
        return Err(Error::Output(e));
    }
    served.map_err(Error::Serve)
}

/// Prints the `--json` object on stdout.
fn print_json(connection: &connection::Connection) -> std::io::Result<()> {
    let snapshot = connection.snapshot();
    let output = snapshot.json_output(&connection.credentials);
    let text = serde_json::to_string(&output).expect("settings serialize");
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{text}")?;
    stdout.flush()
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
