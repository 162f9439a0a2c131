//! The terminal commands, for machines without a browser and for diagnosis:
//! `sftoken check` (settings an admin already has) and `sftoken paste` (the
//! sign-in with Salesforce's success page as the callback). Secrets come from
//! the environment, from standard input, or from a prompt that does not echo;
//! never from arguments.

use std::io::{IsTerminal, Read};

use secrecy::{ExposeSecret, SecretString};

use crate::check as checks;
use crate::connection::{Connection, Details};
use crate::login::{self, Credentials, Pending};
use crate::login_url::LoginUrl;
use crate::salesforce::{self, Http};
use crate::{Config, ConfigError, Error, paste as pasting, print_json, settings};

/// Where the terminal commands read what they are not given.
pub trait Input {
    /// All of standard input, when it is piped rather than a terminal.
    fn piped_text(&mut self) -> Option<String>;
    /// A line typed at a prompt on a terminal, echoed.
    fn prompt_line(&mut self, question: &str) -> Option<String>;
    /// A line typed at a prompt on a terminal, not echoed.
    fn prompt_secret(&mut self, question: &str) -> Option<String>;
}

/// The process's own standard input.
pub struct Stdin;

impl Input for Stdin {
    fn piped_text(&mut self) -> Option<String> {
        let stdin = std::io::stdin();
        if stdin.is_terminal() {
            return None;
        }
        let mut text = String::new();
        // What is pasted is a few hundred bytes; refuse to buffer a flood.
        stdin
            .lock()
            .take(64 * 1024)
            .read_to_string(&mut text)
            .ok()?;
        Some(text)
    }

    fn prompt_line(&mut self, question: &str) -> Option<String> {
        if !std::io::stdin().is_terminal() {
            return None;
        }
        eprint!("{question}");
        let mut line = String::new();
        std::io::stdin().read_line(&mut line).ok()?;
        Some(line)
    }

    fn prompt_secret(&mut self, question: &str) -> Option<String> {
        if !std::io::stdin().is_terminal() {
            return None;
        }
        rpassword::prompt_password(question).ok()
    }
}

/// A value from the config, else from what was pasted, else from a prompt.
fn secret(
    configured: Option<&SecretString>,
    pasted: Option<String>,
    input: &mut impl Input,
    question: &str,
    variable: &str,
    command: &str,
) -> Result<SecretString, Error> {
    configured
        .cloned()
        .or_else(|| pasted.map(SecretString::from))
        .or_else(|| {
            input
                .prompt_secret(question)
                .filter(|s| !s.trim().is_empty())
                .map(|s| SecretString::from(s.trim()))
        })
        .ok_or_else(|| {
            Error::Missing(format!(
                "Set {variable}, or run sftoken {command} in a terminal to be asked for it (secrets are never read from arguments)."
            ))
        })
}

/// `sftoken check`: runs the checks on settings the admin already has.
pub async fn check(config: Config, mut input: impl Input) -> Result<(), Error> {
    let pasted = match (&config.client_secret, &config.refresh_token) {
        (Some(_), Some(_)) => settings::Pasted::default(),
        _ => input
            .piped_text()
            .map(|text| settings::Pasted::parse(&text))
            .unwrap_or_default(),
    };
    let client_id = config.client_id.clone().or(pasted.client_id).ok_or_else(|| {
        Error::Missing(
            "Give the Client ID with --client-id or SFTOKEN_CLIENT_ID, or pipe the page's Copy all text into sftoken check.".to_owned(),
        )
    })?;
    let client_secret = secret(
        config.client_secret.as_ref(),
        pasted.client_secret,
        &mut input,
        "Client secret (not shown): ",
        "SFTOKEN_CLIENT_SECRET",
        "check",
    )?;
    let refresh_token = secret(
        config.refresh_token.as_ref(),
        pasted.refresh_token,
        &mut input,
        "Refresh token (not shown): ",
        "SFTOKEN_REFRESH_TOKEN",
        "check",
    )?;
    let login_url = match pasted.login_url {
        Some(url) if config.login_url_is_default => {
            LoginUrl::parse(&url, config.allow_any_login_url).map_err(ConfigError::from)?
        }
        _ => config.login_url.clone(),
    };
    let credentials = Credentials {
        client_id,
        client_secret,
        login_url,
    };
    eprintln!("Checking the settings against {} …", credentials.login_url);
    let connection = Connection::new(credentials, refresh_token, Details::default());
    // Names chosen by flag, environment or file win over the pasted ones.
    let configured = config.company_names != [settings::ALL_COMPANIES];
    let names = match pasted.company_names {
        Some(names) if !configured => names,
        _ => config.company_names.clone(),
    };
    connection
        .set_company_names(settings::company_names(&names).map_err(ConfigError::CompanyNames)?);
    report(&Http::new(config.http_timeout), &connection, &config, false).await
}

/// `sftoken paste`: prints the authorize URL to open anywhere, reads back the
/// address of Salesforce's success page, and prints the settings.
pub async fn paste(config: Config, mut input: impl Input) -> Result<(), Error> {
    let client_id = config
        .client_id
        .clone()
        .or_else(|| {
            input
                .prompt_line("Consumer Key: ")
                .map(|s| s.trim().to_owned())
        })
        .filter(|id| !id.is_empty())
        .ok_or_else(|| {
            Error::Missing(
                "Give the Consumer Key with --client-id or SFTOKEN_CLIENT_ID.".to_owned(),
            )
        })?;
    let client_secret = secret(
        config.client_secret.as_ref(),
        None,
        &mut input,
        "Consumer Secret (not shown): ",
        "SFTOKEN_CLIENT_SECRET",
        "paste",
    )?;
    let credentials = Credentials {
        client_id,
        client_secret,
        login_url: config.login_url.clone(),
    };
    let redirect_uri = credentials.login_url.endpoint(pasting::SUCCESS_PATH);
    let verifier = login::random_token();
    let state = login::random_token();
    let authorize_url = salesforce::authorize_url(
        &credentials,
        &redirect_uri,
        state.expose_secret(),
        &login::pkce_challenge(&verifier),
    );
    eprintln!("The External Client App's Callback URL must be {redirect_uri}");
    eprintln!("1. Open this address in a browser on any computer, sign in, and click Allow:");
    println!("{authorize_url}");
    eprintln!(
        "2. Salesforce then shows a page whose address contains code=. Copy that whole address, paste it here and press Enter:"
    );
    let text = input
        .piped_text()
        .or_else(|| input.prompt_line("Address: "))
        .unwrap_or_default();
    let code = match pasting::parse(&text) {
        Ok(pasted) => pasted,
        Err(pasting::PasteError::Salesforce { code, description }) => {
            let advice = crate::advice::for_oauth_error(&code, &description);
            return Err(Error::Failed(format!("{} {}", advice.title, advice.fix)));
        }
        Err(e) => return Err(Error::Failed(e.to_string())),
    };
    if code
        .state
        .as_deref()
        .is_some_and(|s| !login::secrets_match(&state, s))
    {
        return Err(Error::Failed(
            "That address belongs to another sign-in (its state does not match). Open the address printed above and paste the result of that one.".to_owned(),
        ));
    }
    let pending = Pending {
        credentials,
        verifier,
        redirect_uri,
    };
    let http = Http::new(config.http_timeout);
    let fail =
        |advice: crate::advice::Advice| Error::Failed(format!("{} {}", advice.title, advice.fix));
    let tokens = salesforce::exchange_code(&http, &pending, code.code.expose_secret())
        .await
        .map_err(|e| fail(e.advice()))?;
    let refresh_token = tokens
        .refresh_token
        .clone()
        .ok_or_else(|| fail(crate::advice::missing_refresh_token()))?;
    let connection = Connection::new(
        pending.credentials,
        refresh_token,
        Details::from_tokens(&tokens),
    );
    connection.set_company_names(config.company_names.clone());
    report(&http, &connection, &config, true).await
}

/// Runs the checks and prints the result: the settings (when asked), the
/// report, or the `--json` object. Fails with one sentence when they don't work.
async fn report(
    http: &Http,
    connection: &Connection,
    config: &Config,
    show_settings: bool,
) -> Result<(), Error> {
    checks::run(http.clone(), connection, config.allow_any_login_url).await;
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
                snapshot.refresh_token.expose_secret()
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
