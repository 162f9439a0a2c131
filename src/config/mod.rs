//! Configuration: command-line flags, then environment variables, then the
//! config file, then defaults. The client secret never comes from a flag, because
//! every local user can read another process's argv.

mod args;
mod file;

use std::path::PathBuf;
use std::time::Duration;

pub use args::{Cli, Command, parse_duration, parse_port};
pub use file::FileConfig;

use crate::company_names::{CompanyNames, CompanyNamesError};
use crate::login_url::{HostPolicy, LoginUrl, LoginUrlError, PRODUCTION, SANDBOX};
use crate::pasted_address::{SuccessPage, SuccessPageError};
use crate::secret::{ClientSecret, RefreshToken};

pub const DEFAULT_PORT: u16 = 8719;
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(30 * 60);
/// How long one request to Salesforce may take; `--http-timeout` changes it.
pub const DEFAULT_HTTP_TIMEOUT: Duration = Duration::from_secs(30);

/// Environment variables read by hand (the rest go through clap's `env`).
#[derive(Default)]
pub struct Env {
    pub login_url: Option<String>,
    pub client_secret: Option<String>,
    pub refresh_token: Option<String>,
}

impl Env {
    pub fn from_process() -> Self {
        let var = |name| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        Self {
            login_url: var("SFTOKEN_LOGIN_URL"),
            client_secret: var("SFTOKEN_CLIENT_SECRET"),
            refresh_token: var("SFTOKEN_REFRESH_TOKEN"),
        }
    }
}

/// Everything the program needs, resolved and validated.
#[derive(Debug)]
pub struct Config {
    pub port: u16,
    pub login_url: LoginUrl,
    pub client_id: Option<String>,
    pub client_secret: Option<ClientSecret>,
    /// For `sftoken check`: from SFTOKEN_REFRESH_TOKEN.
    pub refresh_token: Option<RefreshToken>,
    /// No flag, variable or file chose the login URL.
    pub login_url_is_default: bool,
    /// The initial Company names choice.
    pub company_names: CompanyNames,
    /// Paste mode's redirect URI: the app's registered Callback URL.
    pub callback_url: SuccessPage,
    pub open_browser: bool,
    pub json: bool,
    /// `None`: never stop for idleness.
    pub idle_timeout: Option<Duration>,
    /// One request to Salesforce.
    pub http_timeout: Duration,
    /// `--output`: where `--json` writes, owner-only.
    pub output: Option<PathBuf>,
    /// `--print`: the page prints Copy all after the first sign-in and exits.
    pub print: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("Could not read the config file {path}: {reason}. Check the path given to --config.")]
    Read { path: PathBuf, reason: String },
    #[error(
        "The config file {path}, line {line}, column {column}: {reason}. Compare it with config.example.toml."
    )]
    Parse {
        path: PathBuf,
        line: usize,
        column: usize,
        reason: String,
    },
    #[error("{0}")]
    LoginUrl(#[from] LoginUrlError),
    #[error("Company names: {0}")]
    CompanyNames(#[from] CompanyNamesError),
    #[error("{0}")]
    CallbackUrl(#[from] SuccessPageError),
    #[error("--http-timeout must be more than 0, for example 30s or 2m.")]
    HttpTimeout,
}

impl Config {
    /// A config for tests and embedding: defaults, with this login URL.
    pub fn new(login_url: LoginUrl) -> Self {
        Self {
            port: DEFAULT_PORT,
            login_url,
            client_id: None,
            client_secret: None,
            refresh_token: None,
            login_url_is_default: false,
            company_names: CompanyNames::all(),
            callback_url: SuccessPage::default_page(),
            open_browser: true,
            json: false,
            idle_timeout: Some(DEFAULT_IDLE_TIMEOUT),
            http_timeout: DEFAULT_HTTP_TIMEOUT,
            output: None,
            print: false,
        }
    }

    pub fn resolve(cli: &Cli, env: Env) -> Result<Self, ConfigError> {
        let file = match &cli.config {
            Some(path) => file::read(path)?,
            None => FileConfig::default(),
        };
        let mut login_url_is_default = false;
        let login_input = if cli.sandbox {
            SANDBOX.to_owned()
        } else if let Some(url) = cli.login_url.clone().or(env.login_url) {
            url
        } else if let Some(url) = file.login_url {
            url
        } else if file.sandbox == Some(true) {
            SANDBOX.to_owned()
        } else {
            login_url_is_default = true;
            PRODUCTION.to_owned()
        };
        let policy = if cli.allow_any_login_url {
            HostPolicy::Any
        } else {
            HostPolicy::Salesforce
        };
        let login_url = LoginUrl::parse(&login_input, policy)?;
        let client_id = cli
            .client_id
            .clone()
            .or(file.client_id)
            .map(|id| id.trim().to_owned())
            .filter(|id| !id.is_empty());
        let company_names = CompanyNames::parse(
            &cli.company_names
                .clone()
                .or(file.company_names)
                .unwrap_or_default(),
        )?;
        let callback_url = match cli.callback_url.as_deref().or(file.callback_url.as_deref()) {
            Some(url) => SuccessPage::parse(url, policy)?,
            None => SuccessPage::default_page(),
        };
        let idle_timeout = cli
            .idle_timeout
            .or(file.idle_timeout)
            .unwrap_or(DEFAULT_IDLE_TIMEOUT);
        let http_timeout = cli
            .http_timeout
            .or(file.http_timeout)
            .unwrap_or(DEFAULT_HTTP_TIMEOUT);
        if http_timeout.is_zero() {
            return Err(ConfigError::HttpTimeout);
        }
        Ok(Self {
            idle_timeout: (!idle_timeout.is_zero()).then_some(idle_timeout),
            http_timeout,
            // The file's output applies when --json is given.
            output: cli.output.clone().or(file.output).filter(|_| cli.json),
            port: cli.port.or(file.port).unwrap_or(DEFAULT_PORT),
            company_names,
            callback_url,
            login_url,
            client_id,
            client_secret: env.client_secret.map(|s| ClientSecret::new(s.trim())),
            refresh_token: env.refresh_token.map(|s| RefreshToken::new(s.trim())),
            login_url_is_default,
            open_browser: !cli.no_browser && file.open_browser.unwrap_or(true),
            json: cli.json,
            print: cli.print,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file_with(text: &str) -> (tempfile_path::TempPath, PathBuf) {
        let temp = tempfile_path::TempPath::new(text);
        let path = temp.0.clone();
        (temp, path)
    }

    /// A file removed on drop, without a dev-dependency for it.
    mod tempfile_path {
        pub struct TempPath(pub std::path::PathBuf);
        impl TempPath {
            pub fn new(text: &str) -> Self {
                static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
                let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let path = std::env::temp_dir()
                    .join(format!("sftoken-config-{}-{n}.toml", std::process::id()));
                std::fs::write(&path, text).expect("write temp config");
                Self(path)
            }
        }
        impl Drop for TempPath {
            fn drop(&mut self) {
                let _ = std::fs::remove_file(&self.0);
            }
        }
    }

    #[test]
    fn defaults_apply_when_nothing_is_given() {
        let config = Config::resolve(&Cli::default(), Env::default()).expect("config");
        assert_eq!(config.port, DEFAULT_PORT);
        assert_eq!(config.login_url.as_str(), PRODUCTION);
        assert!(config.open_browser);
        assert!(config.client_id.is_none());
    }

    #[test]
    fn flags_beat_environment_which_beats_the_file() {
        let (_keep, path) = file_with(
            "port = 9000\nlogin_url = \"https://file.my.salesforce.com\"\nclient_id = \"from-file\"\nopen_browser = false\n",
        );
        let from_file = Cli {
            config: Some(path.clone()),
            ..Cli::default()
        };
        let config = Config::resolve(&from_file, Env::default()).expect("config");
        assert_eq!(config.port, 9000);
        assert_eq!(config.login_url.as_str(), "https://file.my.salesforce.com");
        assert_eq!(config.client_id.as_deref(), Some("from-file"));
        assert!(!config.open_browser);

        let env = Env {
            login_url: Some("https://env.my.salesforce.com".into()),
            client_secret: Some(" s3cret ".into()),
            refresh_token: None,
        };
        let config = Config::resolve(&from_file, env).expect("config");
        assert_eq!(config.login_url.as_str(), "https://env.my.salesforce.com");
        assert_eq!(
            config.client_secret.as_ref().map(|s| s.expose()),
            Some("s3cret")
        );

        let flags = Cli {
            config: Some(path),
            port: Some(9100),
            sandbox: true,
            client_id: Some("from-flag".into()),
            ..Cli::default()
        };
        let env = Env {
            login_url: Some("https://env.my.salesforce.com".into()),
            client_secret: None,
            refresh_token: None,
        };
        let config = Config::resolve(&flags, env).expect("config");
        assert_eq!(config.port, 9100);
        assert_eq!(config.login_url.as_str(), SANDBOX);
        assert_eq!(config.client_id.as_deref(), Some("from-flag"));
    }

    #[test]
    fn a_bad_file_is_reported_with_its_path() {
        let (_keep, path) = file_with("prot = 9000\n");
        let cli = Cli {
            config: Some(path.clone()),
            ..Cli::default()
        };
        let err = Config::resolve(&cli, Env::default()).expect_err("unknown key");
        let message = err.to_string();
        assert!(message.contains(&path.display().to_string()), "{message}");
        assert!(message.contains("\"prot\" is not a setting"), "{message}");
        assert!(message.contains("line 1, column 1"), "{message}");
    }

    #[test]
    fn durations_read_as_people_write_them() {
        assert_eq!(parse_duration("30m"), Ok(Duration::from_secs(1800)));
        assert_eq!(parse_duration("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("1h"), Ok(Duration::from_secs(3600)));
        assert_eq!(parse_duration("45"), Ok(Duration::from_secs(2700)));
        assert_eq!(parse_duration("0"), Ok(Duration::ZERO));
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("5d").is_err());
        assert!(parse_duration("").is_err());
    }

    #[test]
    fn the_example_config_is_valid() {
        let file: FileConfig =
            toml::from_str(include_str!("../../config.example.toml")).expect("example parses");
        assert_eq!(file.port, Some(DEFAULT_PORT));
        assert_eq!(file.login_url.as_deref(), Some(PRODUCTION));
        assert_eq!(file.http_timeout, Some(DEFAULT_HTTP_TIMEOUT));
        assert_eq!(file.idle_timeout, Some(DEFAULT_IDLE_TIMEOUT));
    }

    #[test]
    fn the_file_sets_http_timeout_and_output_and_flags_still_win() {
        let (_keep, path) = file_with("http_timeout = \"2m\"\noutput = \"from-file.json\"\n");
        let json = Cli {
            config: Some(path.clone()),
            json: true,
            ..Cli::default()
        };
        let config = Config::resolve(&json, Env::default()).expect("config");
        assert_eq!(config.http_timeout, Duration::from_secs(120));
        assert_eq!(config.output, Some(PathBuf::from("from-file.json")));

        let flags = Cli {
            http_timeout: Some(Duration::from_secs(5)),
            output: Some(PathBuf::from("from-flag.json")),
            ..json
        };
        let config = Config::resolve(&flags, Env::default()).expect("config");
        assert_eq!(config.http_timeout, Duration::from_secs(5));
        assert_eq!(config.output, Some(PathBuf::from("from-flag.json")));

        let without_json = Cli {
            config: Some(path),
            ..Cli::default()
        };
        let config = Config::resolve(&without_json, Env::default()).expect("config");
        assert_eq!(config.output, None, "output only goes with --json");
    }

    #[test]
    fn a_missing_file_is_reported() {
        let cli = Cli {
            config: Some(PathBuf::from("/nonexistent/sftoken.toml")),
            ..Cli::default()
        };
        let err = Config::resolve(&cli, Env::default()).expect_err("missing file");
        assert!(matches!(err, ConfigError::Read { .. }));
    }

    #[test]
    fn the_callback_url_comes_from_the_flag_the_environment_or_the_file() {
        let default = Config::resolve(&Cli::default(), Env::default()).expect("config");
        assert_eq!(
            default.callback_url.as_str(),
            "https://login.salesforce.com/services/oauth2/success"
        );
        let (_keep, path) =
            file_with("callback_url = \"https://test.salesforce.com/services/oauth2/success\"\n");
        let from_file = Cli {
            config: Some(path),
            ..Cli::default()
        };
        let config = Config::resolve(&from_file, Env::default()).expect("config");
        assert_eq!(
            config.callback_url.as_str(),
            "https://test.salesforce.com/services/oauth2/success"
        );
        // clap fills the flag from SFTOKEN_CALLBACK_URL.
        let flag = Cli {
            callback_url: Some("https://acme.my.salesforce.com/services/oauth2/success".into()),
            ..from_file
        };
        let config = Config::resolve(&flag, Env::default()).expect("config");
        assert_eq!(
            config.callback_url.as_str(),
            "https://acme.my.salesforce.com/services/oauth2/success"
        );
        let wrong = Cli {
            callback_url: Some("https://evil.example/services/oauth2/success".into()),
            ..Cli::default()
        };
        assert!(matches!(
            Config::resolve(&wrong, Env::default()),
            Err(ConfigError::CallbackUrl(_))
        ));
    }

    #[test]
    fn a_foreign_login_url_is_refused_unless_allowed() {
        let cli = Cli {
            login_url: Some("https://example.com".into()),
            ..Cli::default()
        };
        assert!(matches!(
            Config::resolve(&cli, Env::default()),
            Err(ConfigError::LoginUrl(_))
        ));
        let cli = Cli {
            allow_any_login_url: true,
            ..cli
        };
        assert!(Config::resolve(&cli, Env::default()).is_ok());
    }
}
