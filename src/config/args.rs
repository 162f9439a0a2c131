//! The command line, as clap reads it. Every flag has a `///` doc, which
//! becomes `--help`.

use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;

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

/// Get the five Snow Atlas Salesforce connector settings (Client ID, Client
/// secret, Refresh token, Login URL, Company names) from one local page.
///
/// sftoken serves a page on http://localhost:PORT, sends your browser to
/// Salesforce's login with PKCE, receives the code itself and shows the settings
/// with copy buttons. The client secret is read from the page, or from the
/// SFTOKEN_CLIENT_SECRET environment variable; never from a flag.
///
/// The flags listed under `sftoken check --help` and `sftoken paste --help`
/// apply there, before or after the command (`sftoken check --login-url URL`).
#[derive(Parser, Debug, Default)]
#[command(name = "sftoken", version = VERSION, about, long_about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    // The page's own flags: not global, so `check` and `paste` refuse them
    // after the command, and their help does not list them.
    /// Port to listen on, on 127.0.0.1 and [::1]. The External Client App's
    /// Callback URL must be http://localhost:PORT/callback. [default: 8719]
    #[arg(long, env = "SFTOKEN_PORT", value_name = "N", value_parser = parse_port)]
    pub port: Option<u16>,

    /// Don't open a browser; only print the address to open.
    #[arg(long)]
    pub no_browser: bool,

    /// After the first successful sign-in, print the Copy all text (the five
    /// settings, one per line) on stdout and exit. For a server reached over
    /// SSH port forwarding: the settings land in its terminal.
    #[arg(long, conflicts_with = "json")]
    pub print: bool,

    /// Stop after this long without a request, wiping the secrets: 30m, 90s,
    /// 1h, or a number of minutes; 0 never stops. [default: 30m]
    #[arg(long, env = "SFTOKEN_IDLE_TIMEOUT", value_name = "DURATION", value_parser = parse_duration)]
    pub idle_timeout: Option<Duration>,

    // Flags for every command.
    /// Salesforce login URL: https://login.salesforce.com (the default),
    /// https://test.salesforce.com, or any address of your org (a Lightning,
    /// Setup or My Domain page's), which becomes its My Domain.
    /// [env: SFTOKEN_LOGIN_URL=]
    #[arg(long, global = true, value_name = "URL", conflicts_with = "sandbox")]
    pub login_url: Option<String>,

    /// Use the sandbox login URL, https://test.salesforce.com.
    #[arg(long, global = true)]
    pub sandbox: bool,

    /// The External Client App's Consumer Key (the Client ID): prefilled on
    /// the page, used by paste, checked by check.
    #[arg(long, global = true, env = "SFTOKEN_CLIENT_ID", value_name = "ID")]
    pub client_id: Option<String>,

    /// Paste mode: the External Client App's Callback URL, a Salesforce
    /// success page, exactly as the app lists it (any Salesforce host, whatever
    /// the login URL). [default: https://login.salesforce.com/services/oauth2/success]
    #[arg(long, global = true, env = "SFTOKEN_CALLBACK_URL", value_name = "URL")]
    pub callback_url: Option<String>,

    /// Read settings from this TOML file (see config.example.toml).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Print the settings and the checks as one JSON object on stdout (the
    /// page: after the first successful sign-in and its checks), and exit.
    #[arg(long, global = true)]
    pub json: bool,

    /// Company names to start with, comma separated (email domains such as
    /// acme.com). Default: * (every domain). The page's picker can change them.
    #[arg(
        long,
        global = true,
        env = "SFTOKEN_COMPANY_NAMES",
        value_name = "NAMES",
        value_delimiter = ','
    )]
    pub company_names: Option<Vec<String>>,

    /// How long one request to Salesforce may take before sftoken gives up
    /// (slow proxies may need more): 30s, 2m. [default: 30s]
    #[arg(long, global = true, env = "SFTOKEN_HTTP_TIMEOUT", value_name = "DURATION", value_parser = parse_duration)]
    pub http_timeout: Option<Duration>,

    /// With --json: write the JSON to FILE instead of standard output. On
    /// Linux and macOS only you may read it (mode 0600); on Windows its
    /// folder's permissions apply, so keep it under your user profile.
    #[arg(long, global = true, value_name = "FILE", requires = "json")]
    pub output: Option<PathBuf>,

    /// Only for testing against a server you control, such as a local mock:
    /// accept a login URL that is not https on a Salesforce host (loopback
    /// and plain http included), and send tokens to whatever instance and
    /// identity URLs that server answers with, with no host check.
    #[arg(long, global = true)]
    pub allow_any_login_url: bool,

    /// Only for testing, with --allow-any-login-url: a login URL
    /// http://127.0.0.1:PORT has http://localhost:PORT as its generic login
    /// host, as a local mock plays login.salesforce.com beside a My Domain,
    /// so the token check also tries it.
    #[arg(long, global = true, hide = true, requires = "allow_any_login_url")]
    pub loopback_generic_host: bool,

    /// Show sftoken's log (-v: debug, -vv: trace), as RUST_LOG does.
    /// Secrets are never logged.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

#[derive(clap::Subcommand, Debug)]
pub enum Command {
    /// Check settings you already have, without signing in: runs the refresh
    /// grant Snow Atlas runs and the same checks as the page. Reads the client
    /// secret and refresh token from SFTOKEN_CLIENT_SECRET and
    /// SFTOKEN_REFRESH_TOKEN, or from standard input: the page's "Copy all"
    /// text piped in, or, in a terminal, pasted or typed at the prompt. Never
    /// from arguments. Exit 0 when they work, 1 with the reason when they don't.
    Check,
    /// Sign in without a browser on this machine: prints the address to open
    /// on any computer, then reads back the address of Salesforce's success
    /// page (the app's Callback URL, given with --callback-url) and prints the
    /// settings. The first non-empty line of standard input is read, from a
    /// terminal or a pipe; a wrong one is asked for again.
    Paste,
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
