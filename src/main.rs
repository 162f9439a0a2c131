//! Run with `sftoken --help`.

use std::process::ExitCode;

use clap::Parser;
use sftoken::config::Command;
use sftoken::{Cli, Config, Env};
use tracing_subscriber::EnvFilter;

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("sftoken=info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let result = Config::resolve(&cli, Env::from_process())
        .map_err(sftoken::Error::from)
        .and_then(|config| {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(sftoken::Error::Serve)?
                .block_on(async {
                    match cli.command {
                        Some(Command::Check) => sftoken::check(config, sftoken::Stdin).await,
                        Some(Command::Paste) => sftoken::paste(config, sftoken::Stdin).await,
                        None => sftoken::run(config).await,
                    }
                })
        });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("sftoken: {e}");
            e.exit_code()
        }
    }
}
