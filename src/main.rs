//! Run with `sftoken --help`.

use std::process::ExitCode;

use sftoken::commands::{self, Stdin};
use sftoken::config::{Cli, Command, Config, Env};
use sftoken::plain_text::one_line;

fn main() -> ExitCode {
    let cli = Cli::from_process();
    commands::init_logging(cli.verbose);
    let result = Env::from_process()
        .and_then(|env| Config::resolve(&cli, env))
        .map_err(commands::Error::from)
        .and_then(|config| {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(commands::Error::Serve)?;
            let result = runtime.block_on(async {
                match cli.command {
                    Some(Command::Check) => commands::check(config, Stdin).await,
                    Some(Command::Paste { .. }) => commands::paste(config, Stdin).await,
                    None => commands::serve(config).await,
                }
            });
            // The secrets are wiped by now: a blocking task still under way
            // (a name lookup that hangs) must not hold the exit.
            runtime.shutdown_timeout(std::time::Duration::from_millis(100));
            result
        });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("sftoken: {}", one_line(&e.to_string()));
            e.exit_code()
        }
    }
}
