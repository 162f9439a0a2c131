//! What the terminal commands print: the check report, the settings, and the
//! `--json` object, on standard output or, with `--output`, in a file only the
//! user may read.

use std::io::{IsTerminal, Write};
use std::path::Path;

use super::json::{JsonOutput, to_json};
use super::{Error, progress};
use crate::config::Config;
use crate::plain_text::{one_line, terminal_safe};
use crate::salesforce::{Http, Surface};
use crate::secret::random_id;
use crate::signin::{Connection, Held, checks};

/// Runs the checks and prints the result: the settings (when asked), the
/// report, or the `--json` object. Fails with one sentence when they don't work.
pub(super) async fn report(
    http: &Http,
    connection: &Connection,
    config: &Config,
    show_settings: bool,
) -> Result<(), Error> {
    if config.json && config.output.is_none() {
        warn_if_stdout_is_a_file();
    }
    let checks = checks::run(http.clone(), connection);
    if std::io::stderr().is_terminal() {
        progress::while_checking(checks, connection).await;
    } else {
        checks.await;
    }
    if config.json {
        print_json(connection, config.output.as_deref()).map_err(Error::Output)?;
    } else {
        print!(
            "{}",
            terminal_safe(&connection.read(|held| report_text(held, connection, show_settings)))
        );
    }
    match connection.read(|held| held.report.verdict(Surface::Terminal)) {
        Ok(()) => {
            eprintln!("These settings work.");
            Ok(())
        }
        Err(reason) => Err(Error::Failed(reason)),
    }
}

/// The settings (when asked), the checks, and what to do about unmatched
/// company names or a rotated token, as `sftoken check` and `paste` print them.
fn report_text(held: &Held, connection: &Connection, show_settings: bool) -> String {
    let mut out = String::new();
    if show_settings {
        out.push_str("Your Snow Atlas settings:\n");
        out.push_str(&held.settings(&connection.credentials).copy_all());
        out.push('\n');
    }
    out.push_str(&held.report.to_text());
    for name in held.unmatched_company_names() {
        out.push_str(&format!(
            "warning  Company names: \"{name}\" matches no active user's email domain, so Snow Atlas imports nobody for it. Check the spelling, or choose among the email domains above.\n"
        ));
    }
    if !show_settings && held.report.token().is_some_and(|t| t.rotated) {
        out.push_str(&format!(
            "Refresh Token Rotation replaced the refresh token you gave, which no longer works. Give Snow Atlas this one:\nRefresh token: {}\n",
            held.refresh_token.expose()
        ));
    }
    out
}

/// "Signed in as Ada Admin (admin@acme.com) to Acme Corp (production)", from
/// what the checks found, else from what the sign-in said.
pub(super) fn signed_in(connection: &Connection) -> String {
    connection.read(|held| signed_in_text(held, connection))
}

fn signed_in_text(held: &Held, connection: &Connection) -> String {
    let who = match held.report.user() {
        Some(user) => format!("{} ({})", user.display_name, user.username),
        None => held
            .details
            .username
            .clone()
            .unwrap_or_else(|| "your Salesforce user".to_owned()),
    };
    let org = match held.report.org() {
        Some(org) => format!(
            "{} ({})",
            org.name,
            if org.is_sandbox {
                "a sandbox"
            } else {
                "production"
            }
        ),
        None => held
            .details
            .instance_url
            .clone()
            .unwrap_or_else(|| connection.credentials.login_url.to_string()),
    };
    one_line(&format!("Signed in as {who} to {org}"))
}

/// `--print`: the Copy all text on stdout.
pub(super) fn print_copy_all(connection: &Connection) -> std::io::Result<()> {
    let copy_all = connection.read(|held| held.settings(&connection.credentials).copy_all());
    let mut stdout = std::io::stdout().lock();
    write!(stdout, "{}", terminal_safe(&copy_all))?;
    stdout.flush()
}

/// With `--json` and no `--output`, a file behind standard output gets the
/// secrets with the user's usual permissions: say that `--output` does better.
pub(super) fn warn_if_stdout_is_a_file() {
    if stdout_is_a_file() {
        tracing::warn!(
            "Standard output is a file, so the settings will be written to it with your usual file permissions. --output FILE writes them where only you may read them."
        );
    }
}

#[cfg(unix)]
fn stdout_is_a_file() -> bool {
    use std::os::fd::AsFd;
    is_a_file(std::io::stdout().as_fd().try_clone_to_owned())
}

#[cfg(not(unix))]
fn stdout_is_a_file() -> bool {
    use std::os::windows::io::AsHandle;
    is_a_file(std::io::stdout().as_handle().try_clone_to_owned())
}

fn is_a_file(handle: std::io::Result<impl Into<std::fs::File>>) -> bool {
    handle
        .and_then(|handle| handle.into().metadata())
        .is_ok_and(|metadata| metadata.is_file())
}

/// Prints the `--json` object on stdout, or writes it to `output`, which only
/// the user may read (the one way secrets reach the disk, when asked).
pub(super) fn print_json(connection: &Connection, output: Option<&Path>) -> std::io::Result<()> {
    let text = connection.read(|held| to_json(&JsonOutput::new(held, &connection.credentials)));
    match output {
        Some(path) => {
            write_owner_only(path, &format!("{text}\n"))?;
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
fn who_may_read(_path: &Path) -> &'static str {
    "readable only by you"
}

/// Who may read the file just written. Windows has no mode bits: a new file
/// takes its folder's ACLs, which under the user's profile admit only the
/// user, SYSTEM and the administrators.
#[cfg(not(unix))]
fn who_may_read(path: &Path) -> &'static str {
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

/// Writes `contents` to `path` without following or truncating anything: a
/// new file, readable only by its owner (mode 0600 on Unix), is written beside
/// `path` and renamed over it, so a symlink at `path` is replaced, not
/// followed. On Windows the new file takes the folder's permissions; in the
/// user's own profile only the user (and administrators) can read it.
fn write_owner_only(path: &Path, contents: &str) -> std::io::Result<()> {
    let name = path.file_name().ok_or_else(|| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "--output needs a file name, not a folder",
        )
    })?;
    let folder = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let temporary = folder.join(format!(".{}.{}.tmp", name.to_string_lossy(), random_id(6)));
    let mut options = std::fs::OpenOptions::new();
    // create_new: fails on anything already there, a symlink included.
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let written = options.open(&temporary).and_then(|mut file| {
        file.write_all(contents.as_bytes())?;
        file.sync_all()?;
        std::fs::rename(&temporary, path)
    });
    if written.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    written
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn output_replaces_a_symlink_instead_of_writing_through_it() {
        use std::os::unix::fs::PermissionsExt;
        let folder = std::env::temp_dir().join(format!("sftoken-output-{}", random_id(6)));
        std::fs::create_dir(&folder).expect("folder");
        let victim = folder.join("victim");
        std::fs::write(&victim, "keep me").expect("victim");
        let link = folder.join("settings.json");
        std::os::unix::fs::symlink(&victim, &link).expect("symlink");

        write_owner_only(&link, "{\"secret\":1}\n").expect("written");

        assert_eq!(std::fs::read_to_string(&victim).expect("victim"), "keep me");
        assert!(!std::fs::symlink_metadata(&link).expect("meta").is_symlink());
        assert_eq!(
            std::fs::read_to_string(&link).expect("new"),
            "{\"secret\":1}\n"
        );
        let mode = std::fs::metadata(&link).expect("meta").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let left: Vec<_> = std::fs::read_dir(&folder).expect("list").collect();
        assert_eq!(left.len(), 2, "no temporary file is left behind");
        std::fs::remove_dir_all(&folder).expect("clean up");
    }
}
