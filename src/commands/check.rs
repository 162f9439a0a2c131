//! `sftoken check`: runs the checks on settings an admin already has, as Snow
//! Atlas would use them. Exit 0 when they work, 1 with the reason when not.
//! What is not given is read from piped Copy all text, or asked for at a
//! terminal, where the pasted Copy all text is read whole.

use std::fmt::Display;

use super::Error;
use super::input::{Given, Input, ask_at_terminal};
use super::output::report;
use super::piped::Piped;
use crate::company_names::CompanyNames;
use crate::config::{Config, ConfigError};
use crate::login_url::LoginUrl;
use crate::salesforce::{Credentials, Http};
use crate::signin::Connection;
use crate::signin::settings::PastedSettings;

/// `sftoken check`: runs the checks on settings the admin already has.
pub async fn check(config: Config, mut input: impl Input) -> Result<(), Error> {
    let piped = match (&config.client_secret, &config.refresh_token) {
        (Some(_), Some(_)) => None,
        _ => input.piped(),
    };
    let mut pasted = piped
        .as_ref()
        .map(|piped| PastedSettings::parse(&piped.text))
        .unwrap_or_default();
    // What could not be read is said: before what is missing, or as a note.
    let unread = piped.as_ref().and_then(Piped::unread);
    let with_unread = |missing: String| {
        Error::Missing(match &unread {
            Some(unread) => format!("{unread} {missing}"),
            None => missing,
        })
    };
    let given = Given {
        client_id: config.client_id.is_some(),
        client_secret: config.client_secret.is_some(),
        refresh_token: config.refresh_token.is_some(),
    };
    ask_at_terminal(&mut pasted, &given, &mut input);
    let client_id = given_or_read(&config.client_id, pasted.client_id)?.ok_or_else(|| {
        with_unread(
            "Give the Client ID with --client-id or SFTOKEN_CLIENT_ID, pipe the page's Copy all text into sftoken check, or run it in a terminal to be asked.".to_owned(),
        )
    })?;
    let missing = |variable: &str| {
        with_unread(format!(
            "Set {variable}, pipe the page's Copy all text into sftoken check, or run it in a terminal to be asked (secrets are never read from arguments)."
        ))
    };
    let client_secret = given_or_read(&config.client_secret, pasted.client_secret)?
        .ok_or_else(|| missing("SFTOKEN_CLIENT_SECRET"))?;
    let refresh_token = given_or_read(&config.refresh_token, pasted.refresh_token)?
        .ok_or_else(|| missing("SFTOKEN_REFRESH_TOKEN"))?;
    let login_url = match pasted.login_url {
        Some(url) if config.login_url_is_default => {
            LoginUrl::parse(&url, config.login_url.policy()).map_err(ConfigError::from)?
        }
        _ => config.login_url.clone(),
    };
    // Names chosen by flag, environment or file win over the pasted ones.
    let names = match pasted.company_names {
        Some(names) if config.company_names.is_all() => {
            CompanyNames::parse(&names).map_err(ConfigError::from)?
        }
        _ => config.company_names.clone(),
    };
    if let Some(unread) = unread {
        eprintln!("{unread} The settings were complete without it.");
    }
    eprintln!("Checking Client ID {client_id} against {login_url} …");
    if let Some(warning) = login_url.warning() {
        eprintln!("{warning}");
    }
    let credentials = Credentials {
        client_id,
        client_secret,
        login_url,
    };
    let connection = Connection::existing(credentials, refresh_token, names);
    report(&Http::new(config.http_timeout), &connection, &config, false).await
}

/// The value given by flag, environment or file, else the one read from
/// standard input, refused in the page's words if it broke its rule.
fn given_or_read<T: Clone, E: Display>(
    given: &Option<T>,
    read: Option<Result<T, E>>,
) -> Result<Option<T>, Error> {
    match (given, read) {
        (Some(value), _) => Ok(Some(value.clone())),
        (None, read) => read.transpose().map_err(Error::refused),
    }
}
