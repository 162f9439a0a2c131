//! Configuration: command-line flags, then environment variables, then the
//! config file, then defaults. The client secret never comes from a flag, because
//! every local user can read another process's argv.

mod args;
mod file;

use std::path::PathBuf;
use std::time::Duration;

pub use args::{Cli, Command, describe_duration, parse_duration, parse_port};
pub use file::FileConfig;

use crate::client_id::{ClientId, ClientIdError};
use crate::company_names::{CompanyNames, CompanyNamesError};
use crate::login_url::{HostPolicy, LoginUrl, LoginUrlError, PRODUCTION, SANDBOX};
use crate::pasted_address::{SuccessPage, SuccessPageError};
use crate::secret::{ClientSecret, ClientSecretError, RefreshToken, RefreshTokenError};

pub const DEFAULT_PORT: u16 = 8719;
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(30 * 60);
/// How long one request to Salesforce may take; `--http-timeout` changes it.
pub const DEFAULT_HTTP_TIMEOUT: Duration = Duration::from_secs(30);

/// Environment variables read by hand (the rest go through clap's `env`).
#[derive(Debug, Default)]
pub struct Env {
    pub login_url: Option<String>,
    pub client_secret: Option<ClientSecret>,
    pub refresh_token: Option<RefreshToken>,
}

impl Env {
    /// Reads the variables; each secret becomes its type as it is read, so
    /// one that breaks its rule stops the program before anything runs. A
    /// blank variable counts as not set.
    pub fn from_process() -> Result<Self, ConfigError> {
        let var = |name| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let client_secret = var(CLIENT_SECRET_VARIABLE)
            .map(|secret| ClientSecret::parse(&secret))
            .transpose()
            .map_err(|error| ConfigError::ClientSecret {
                given: CLIENT_SECRET_VARIABLE,
                error,
            })?;
        let refresh_token = var(REFRESH_TOKEN_VARIABLE)
            .map(|token| RefreshToken::parse(&token))
            .transpose()
            .map_err(|error| ConfigError::RefreshToken {
                given: REFRESH_TOKEN_VARIABLE,
                error,
            })?;
        Ok(Self {
            login_url: var("SFTOKEN_LOGIN_URL"),
            client_secret,
            refresh_token,
        })
    }
}

const CLIENT_SECRET_VARIABLE: &str = "SFTOKEN_CLIENT_SECRET";
const REFRESH_TOKEN_VARIABLE: &str = "SFTOKEN_REFRESH_TOKEN";

/// Everything the program needs, resolved and validated.
#[derive(Debug)]
pub struct Config {
    pub port: u16,
    pub login_url: LoginUrl,
    pub client_id: Option<ClientId>,
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
    /// `given` says where the Consumer Key came from: a flag, the file, a
    /// prompt.
    #[error("{given}: {error}")]
    ClientId { given: String, error: ClientIdError },
    #[error("{given}: {error}")]
    ClientSecret {
        given: &'static str,
        error: ClientSecretError,
    },
    #[error("{given}: {error}")]
    RefreshToken {
        given: &'static str,
        error: RefreshTokenError,
    },
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
        let policy = match (cli.allow_any_login_url, cli.loopback_generic_host) {
            (true, true) => HostPolicy::AnyWithLoopbackGeneric,
            (true, false) => HostPolicy::Any,
            (false, _) => HostPolicy::Salesforce,
        };
        let login_url = LoginUrl::parse(&login_input, policy)?;
        let client_id = client_id(cli, file.client_id.as_deref())?;
        let company_names = CompanyNames::parse(
            &cli.company_names
                .clone()
                .or(file.company_names)
                .unwrap_or_default(),
        )?;
        let callback_url = match cli.given_callback_url().or(file.callback_url.as_deref()) {
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
            client_secret: env.client_secret,
            refresh_token: env.refresh_token,
            login_url_is_default,
            open_browser: !cli.no_browser && file.open_browser.unwrap_or(true),
            json: cli.json,
            print: cli.print,
        })
    }
}

/// The Consumer Key from `--client-id` (or `SFTOKEN_CLIENT_ID`, which clap
/// reads into it), else from the config file. A blank one counts as not
/// given; one that breaks the rule is a configuration error naming where it
/// came from.
fn client_id(cli: &Cli, in_file: Option<&str>) -> Result<Option<ClientId>, ConfigError> {
    let (given, id) = match (&cli.client_id, in_file) {
        (Some(id), _) => ("--client-id or SFTOKEN_CLIENT_ID".to_owned(), id.as_str()),
        (None, Some(id)) => {
            let path = cli.config.clone().unwrap_or_default();
            (format!("client_id in {}", path.display()), id)
        }
        (None, None) => return Ok(None),
    };
    if id.trim().is_empty() {
        return Ok(None);
    }
    ClientId::parse(id)
        .map(Some)
        .map_err(|error| ConfigError::ClientId { given, error })
}

#[cfg(test)]
mod tests;
