//! What the terminal commands print: the check report, the settings, and the
//! `--json` object, on standard output or, with `--output`, in a file only the
//! user may read.

use std::io::Write;

use super::Error;
use crate::config::Config;
use crate::salesforce::Http;
use crate::session::{Connection, checks};

/// Runs the checks and prints the result: the settings (when asked), the
/// report, or the `--json` object. Fails with one sentence when they don't work.
pub(super) async fn report(
    http: &Http,
    connection: &Connection,
    config: &Config,
    show_settings: bool,
) -> Result<(), Error> {
    checks::run(http.clone(), connection).await;
    let snapshot = connection.snapshot();
    if config.json {
        print_json(connection, config.output.as_deref()).map_err(Error::Output)?;
    } else {
        if show_settings {
            println!("Your Snow Atlas settings:");
            print!("{}", snapshot.settings(&connection.credentials).copy_all());
            println!();
        }
        print!("{}", snapshot.report.to_text());
        if !show_settings && snapshot.report.token.value().is_some_and(|t| t.rotated) {
            println!(
                "Refresh Token Rotation replaced the refresh token you gave, which no longer works. Give Snow Atlas this one:\nRefresh token: {}",
                snapshot.refresh_token.expose()
            );
        }
    }
    match snapshot.report.verdict() {
        Ok(()) => {
            eprintln!("These settings work.");
            Ok(())
        }
        Err(reason) => Err(Error::Failed(reason)),
    }
}

/// Prints the `--json` object on stdout, or writes it to `output`, which only
/// the user may read (the one way secrets reach the disk, when asked).
pub(super) fn print_json(
    connection: &Connection,
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
                "Wrote the settings to {} ({}).",
                path.display(),
                who_may_read(path)
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

/// Who may read the file just written: the user alone (mode 0600).
#[cfg(unix)]
fn who_may_read(_path: &std::path::Path) -> &'static str {
    "readable only by you"
}

/// Who may read the file just written. Windows has no mode bits: a new file
/// takes its folder's ACLs, which under the user's profile admit only the
/// user, SYSTEM and the administrators.
#[cfg(not(unix))]
fn who_may_read(path: &std::path::Path) -> &'static str {
    let in_profile = std::env::var_os("USERPROFILE")
        .and_then(|profile| std::fs::canonicalize(profile).ok())
        .zip(std::fs::canonicalize(path).ok())
        .is_some_and(|(profile, path)| path.starts_with(profile));
    if in_profile {
        "in your user profile, which only you and administrators may read"
    } else {
        "outside your user profile, so its folder's permissions decide who may read it; keep such files under your profile"
    }
}

/// Creates or truncates `path` with permissions for its owner only (on
/// Windows, with the permissions of its folder).
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
