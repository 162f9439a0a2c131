//! `sftoken check`: runs the checks on settings an admin already has, as Snow
//! Atlas would use them. Exit 0 when they work, 1 with the reason when not.

use super::Error;
use super::input::{Ask, Input, ask};
use super::output::report;
use crate::company_names::CompanyNames;
use crate::config::{Config, ConfigError};
use crate::login_url::LoginUrl;
use crate::salesforce::{Credentials, Http};
use crate::secret::{ClientSecret, RefreshToken};
use crate::session::settings::PastedSettings;
use crate::session::{Connection, Details};

/// `sftoken check`: runs the checks on settings the admin already has.
pub async fn check(config: Config, mut input: impl Input) -> Result<(), Error> {
    let pasted = match (&config.client_secret, &config.refresh_token) {
        (Some(_), Some(_)) => PastedSettings::default(),
        _ => input
            .piped_text()
            .map(|text| PastedSettings::parse(&text))
            .unwrap_or_default(),
    };
    let client_id = config.client_id.clone().or(pasted.client_id).ok_or_else(|| {
        Error::Missing(
            "Give the Client ID with --client-id or SFTOKEN_CLIENT_ID, or pipe the page's Copy all text into sftoken check.".to_owned(),
        )
    })?;
    let client_secret = ask(
        config.client_secret.as_ref(),
        pasted.client_secret,
        &mut input,
        Ask {
            question: "Client secret (not shown): ",
            how_to_give: "Set SFTOKEN_CLIENT_SECRET",
            command: "check",
            secret: true,
        },
        ClientSecret::new,
    )?;
    let refresh_token = ask(
        config.refresh_token.as_ref(),
        pasted.refresh_token,
        &mut input,
        Ask {
            question: "Refresh token (not shown): ",
            how_to_give: "Set SFTOKEN_REFRESH_TOKEN",
            command: "check",
            secret: true,
        },
        RefreshToken::new,
    )?;
    let login_url = match pasted.login_url {
        Some(url) if config.login_url_is_default => {
            LoginUrl::parse(&url, config.login_url.policy()).map_err(ConfigError::from)?
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
    let names = match pasted.company_names {
        Some(names) if config.company_names.is_all() => {
            CompanyNames::parse(&names).map_err(ConfigError::from)?
        }
        _ => config.company_names.clone(),
    };
    connection.set_company_names(names);
    report(&Http::new(config.http_timeout), &connection, &config, false).await
}
