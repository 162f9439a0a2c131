//! The command line, as clap reads it. Every flag has a `///` doc, which
//! becomes `--help`.

use std::ffi::OsString;
use std::path::PathBuf;
use std::time::Duration;

use clap::{CommandFactory, FromArgMatches, Parser};

use super::file::PORT_RULE;

/// `30m`, `90s`, `1h`, or a bare number of minutes.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let (number, unit) = match text.find(|c: char| !c.is_ascii_digit()) {
        Some(at) => text.split_at(at),
        None => (text, "m"),
    };
    let seconds_per_unit = match unit.trim() {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        _ => {
            return Err(format!(
                "\"{text}\" is not a duration; write it like 30m, 90s or 1h"
            ));
        }
    };
    number
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(seconds_per_unit))
        .map(Duration::from_secs)
        .ok_or_else(|| format!("\"{text}\" is not a duration; write it like 30m, 90s or 1h"))
}

/// A duration in words for messages, "15 minutes" or "1 second": whole
/// minutes as minutes, anything else in seconds.
pub fn describe_duration(duration: Duration) -> String {
    let (n, unit) = match duration.as_secs() {
        s if s > 0 && s % 60 == 0 => (s / 60, "minute"),
        s => (s, "second"),
    };
    format!("{n} {unit}{}", if n == 1 { "" } else { "s" })
}

/// A port the Callback URL can name: 1 to 65535. Port 0 would pick a
/// random port, which the External Client App's Callback URL could never match.
pub fn parse_port(text: &str) -> Result<u16, String> {
    match text.trim().parse::<u16>() {
        Ok(0) => Err(format!(
            "the port {PORT_RULE}; 0 would pick a random port, which the External Client App's Callback URL could never match"
        )),
        Ok(port) => Ok(port),
        Err(_) => Err(format!("the port {PORT_RULE}")),
    }
}

/// The version and the target it was built for, so a support request says
/// what runs: `sftoken 0.1.0 (x86_64-unknown-linux-musl)`. `build.rs` sets
/// `TARGET`.
const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), " (", env!("TARGET"), ")");

/// The examples `sftoken -h` and `--help` end with: the runs an admin makes.
const EXAMPLES: &str = "\
Examples:
  sftoken                       Open the page in your browser, and follow it
  sftoken --sandbox             The same, signing in to a sandbox
  sftoken --no-browser --print  Over SSH, with ssh -L 8719:localhost:8719 HOST
  sftoken paste                 Sign in with a browser on another computer
  pbpaste | sftoken check       Check copied settings (Windows: Get-Clipboard)";

/// What `--help` adds before the examples, which `-h` has no room for: the
/// variables that stand for flags, and everything the opt-out turns off.
const IN_FULL: &str = "\
SFTOKEN_LOGIN_URL, SFTOKEN_CLIENT_ID, SFTOKEN_PORT, SFTOKEN_IDLE_TIMEOUT, \
SFTOKEN_CALLBACK_URL, SFTOKEN_COMPANY_NAMES and SFTOKEN_HTTP_TIMEOUT stand for \
their flags. The client secret comes from the page or SFTOKEN_CLIENT_SECRET, \
never from a flag.

--allow-any-login-url, for testing against a server you control, accepts a \
login URL that is not https on a Salesforce host (loopback and plain http \
included) and sends tokens to whatever instance and identity URLs that server \
answers with, with no host check.

";

const CHECK_AFTER_HELP: &str = "\
The Client ID comes from --client-id or SFTOKEN_CLIENT_ID, the client secret \
and refresh token from SFTOKEN_CLIENT_SECRET and SFTOKEN_REFRESH_TOKEN; else \
from standard input: the page's Copy all text piped in, or pasted or typed at \
the prompt. Never from arguments. Exit 0 when the settings work, 1 with the \
reason when they don't.

Examples:
  sftoken check                 Paste the page's Copy all text at the prompt
  pbpaste | sftoken check       The same from the clipboard (macOS)
  Get-Clipboard | sftoken check             (Windows PowerShell)
  wl-paste | sftoken check                  (Linux)";

const PASTE_AFTER_HELP: &str = "\
Prints the address to open on any computer, then reads back the address of \
Salesforce's success page: the first non-empty line of standard input, from a \
terminal or a pipe; a wrong one is asked for again. The Client ID comes from \
--client-id or SFTOKEN_CLIENT_ID, the client secret from SFTOKEN_CLIENT_SECRET, \
else both are asked for. The Callback URL (also SFTOKEN_CALLBACK_URL) is the \
app's, exactly as the app lists it; by default \
https://login.salesforce.com/services/oauth2/success.

Examples:
  sftoken paste --client-id 3MVG9...
  sftoken paste --sandbox --callback-url \\
    https://test.salesforce.com/services/oauth2/success";

/// Get the five settings for Snow Atlas's Salesforce connector from one local
/// page. How: `docs/` and the README; the flags' details: the README's table.
#[derive(Parser, Debug, Default)]
#[command(
    name = "sftoken",
    version = VERSION,
    about = "Get the five settings for Snow Atlas's Salesforce connector from one local page.",
    long_about = None,
    after_help = EXAMPLES,
    // One screen: 80 columns at most, fewer on a narrower terminal.
    max_term_width = 80,
    disable_version_flag = true,
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    // Every help text is one line of at most 43 characters: a longer one
    // makes clap put every flag's help on a line of its own. `-h` lists the
    // first six; `--help` all of them (see `Cli::from_process`). What each
    // does in full: the README's table.
    /// Your org's address (any of its pages)
    #[arg(long, global = true, value_name = "URL", conflicts_with = "sandbox")]
    pub login_url: Option<String>,

    /// Sign in at https://test.salesforce.com
    #[arg(long, global = true)]
    pub sandbox: bool,

    /// The app's Client ID (Consumer Key)
    #[arg(
        long,
        global = true,
        env = "SFTOKEN_CLIENT_ID",
        hide_env = true,
        value_name = "ID"
    )]
    pub client_id: Option<String>,

    // The page's own flags: not global, so `check` and `paste` refuse them
    // after the command, and their help does not list them.
    /// Open no browser; print the address only
    #[arg(long)]
    pub no_browser: bool,

    /// Print the settings after a sign-in; exit
    #[arg(long, conflicts_with = "json")]
    pub print: bool,

    /// Port of the Callback URL [default: 8719]
    #[arg(long, env = "SFTOKEN_PORT", hide_env = true, value_name = "N", value_parser = parse_port)]
    pub port: Option<u16>,

    /// Stop after this long unused [default: 30m]
    #[arg(long, env = "SFTOKEN_IDLE_TIMEOUT", hide_env = true, hide_short_help = true, value_name = "DURATION", value_parser = parse_duration)]
    pub idle_timeout: Option<Duration>,

    /// Paste mode's Callback URL (see paste -h)
    #[arg(
        long,
        env = "SFTOKEN_CALLBACK_URL",
        hide_env = true,
        hide_short_help = true,
        value_name = "URL"
    )]
    pub callback_url: Option<String>,

    // Flags for every command, rarely needed: only in `--help`.
    /// Print the result as JSON, and exit
    #[arg(long, global = true, hide_short_help = true)]
    pub json: bool,

    /// With --json: write it to FILE (mode 0600)
    #[arg(
        long,
        global = true,
        hide_short_help = true,
        value_name = "FILE",
        requires = "json"
    )]
    pub output: Option<PathBuf>,

    /// Company names, comma separated [default: *]
    #[arg(
        long,
        global = true,
        hide_short_help = true,
        env = "SFTOKEN_COMPANY_NAMES",
        hide_env = true,
        value_name = "NAMES",
        value_delimiter = ','
    )]
    pub company_names: Option<Vec<String>>,

    /// Read settings from this TOML file
    #[arg(long, global = true, hide_short_help = true, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Salesforce request timeout [default: 30s]
    #[arg(long, global = true, hide_short_help = true, env = "SFTOKEN_HTTP_TIMEOUT", hide_env = true, value_name = "DURATION", value_parser = parse_duration)]
    pub http_timeout: Option<Duration>,

    /// Testing only: allow a non-Salesforce host
    #[arg(long, global = true, hide_short_help = true)]
    pub allow_any_login_url: bool,

    /// Only for testing, with --allow-any-login-url: a login URL
    /// http://127.0.0.1:PORT has http://localhost:PORT as its generic login
    /// host, as a local mock plays login.salesforce.com beside a My Domain,
    /// so the token check also tries it.
    #[arg(long, global = true, hide = true, requires = "allow_any_login_url")]
    pub loopback_generic_host: bool,

    /// Show the log (never secrets); -vv: more
    #[arg(short, long, global = true, hide_short_help = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// Print version
    #[arg(short = 'V', long, hide_short_help = true, action = clap::ArgAction::Version)]
    pub version: Option<bool>,
}

impl Cli {
    /// Parses the process's arguments. `-h` lists the flags most runs need
    /// and `--help` every flag, both one line a flag so that each fits a
    /// screen. clap itself prints `--help` three lines a flag whenever `-h`
    /// hides one, so when help is asked for in full, nothing is hidden in the
    /// first place. The variables that stand for flags are named once, after
    /// them, since `[env: …]` beside each would not fit a line; so is what
    /// `--allow-any-login-url` turns off.
    pub fn from_process() -> Self {
        let args: Vec<OsString> = std::env::args_os().collect();
        let in_full = args
            .iter()
            .skip(1)
            .take_while(|arg| *arg != "--")
            .any(|arg| arg == "--help" || arg == "help");
        let mut command = Self::command();
        if in_full {
            // The shared flags reach `check` and `paste` from here.
            command = command
                .mut_args(|arg| arg.hide_short_help(false))
                .after_help(format!("{IN_FULL}{EXAMPLES}"));
        }
        let matches = command.get_matches_from(args);
        Self::from_arg_matches(&matches).unwrap_or_else(|error| error.exit())
    }

    /// Paste mode's Callback URL: given before the command, for the page's
    /// paste mode, or after `paste`.
    pub fn given_callback_url(&self) -> Option<&str> {
        match &self.command {
            Some(Command::Paste { callback_url }) => callback_url.as_deref(),
            _ => None,
        }
        .or(self.callback_url.as_deref())
    }
}

#[derive(clap::Subcommand, Debug)]
pub enum Command {
    /// `sftoken check`: runs the refresh grant Snow Atlas runs and the same
    /// checks as the page on settings the admin already has.
    #[command(
        about = "Check settings you already have, without signing in",
        long_about = None,
        after_help = CHECK_AFTER_HELP
    )]
    Check,
    /// `sftoken paste`: the page's sign-in in a terminal, for a machine with
    /// no browser.
    #[command(
        about = "Sign in with a browser on another computer",
        long_about = None,
        after_help = PASTE_AFTER_HELP
    )]
    Paste {
        /// The app's Callback URL (see below)
        #[arg(
            long,
            env = "SFTOKEN_CALLBACK_URL",
            hide_env = true,
            value_name = "URL"
        )]
        callback_url: Option<String>,
    },
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    /// The README's flag table lists every flag any command takes.
    #[test]
    fn the_readme_flag_table_lists_every_flag() {
        let readme = include_str!("../../README.md");
        let rows: Vec<&str> = readme
            .lines()
            .filter(|line| line.starts_with("| `-"))
            .collect();
        let command = Cli::command();
        let flags = command
            .get_arguments()
            .chain(command.get_subcommands().flat_map(|c| c.get_arguments()))
            .filter_map(|arg| arg.get_long())
            .filter(|long| !["help", "version"].contains(long));
        for long in flags {
            let flag = format!("`--{long}");
            assert!(
                rows.iter().any(|row| row.contains(&flag)),
                "README.md's flag table lacks {flag}`"
            );
        }
    }

    /// The opening says what the admin gets; how (PKCE) comes further down.
    #[test]
    fn the_readme_and_the_help_open_with_what_you_get_not_how() {
        let readme = include_str!("../../README.md");
        let first_paragraph = readme.split("\n\n").nth(1).unwrap_or_default();
        let about = Cli::command()
            .get_about()
            .map(ToString::to_string)
            .unwrap_or_default();
        for opening in [first_paragraph, &about] {
            assert!(opening.contains("five settings"), "{opening}");
            assert!(opening.contains("Snow Atlas"), "{opening}");
            assert!(!opening.contains("PKCE"), "{opening}");
        }
        assert!(readme.contains("with PKCE"), "explained further down");
    }

    #[test]
    fn durations_are_described_in_minutes_when_whole_else_in_seconds() {
        assert_eq!(
            describe_duration(Duration::from_secs(15 * 60)),
            "15 minutes"
        );
        assert_eq!(describe_duration(Duration::from_secs(60)), "1 minute");
        assert_eq!(describe_duration(Duration::from_secs(90)), "90 seconds");
        assert_eq!(describe_duration(Duration::from_secs(1)), "1 second");
    }

    #[test]
    fn a_port_is_1_to_65535() {
        assert_eq!(parse_port("1"), Ok(1));
        assert_eq!(parse_port("65535"), Ok(65535));
        assert!(parse_port("0").is_err_and(|e| e.contains("Callback URL")));
        assert!(parse_port("65536").is_err_and(|e| e.contains("from 1 to 65535")));
        assert!(parse_port("http").is_err());
    }
}
