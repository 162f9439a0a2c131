//! Why a call to Salesforce failed, kept apart by kind as oauth2-rs does:
//! Salesforce's own answer (`OAuth`, `Rest`) versus failing to get one.

use super::advice::{self, Advice};

/// Why a call to Salesforce failed. `OAuth` and `Rest` are Salesforce's own
/// answers; the others are about getting one.
#[derive(Debug, thiserror::Error)]
pub enum SalesforceError {
    #[error("Salesforce answered {code}: {description}")]
    OAuth { code: String, description: String },
    #[error("Salesforce's API answered HTTP {status} {code}: {message}")]
    Rest {
        status: u16,
        code: String,
        message: String,
    },
    /// A refusal in one plain-text word, as the identity URL answers.
    #[error("{host} answered HTTP {status} {word}")]
    Refused {
        host: String,
        status: u16,
        word: String,
    },
    #[error(
        "{host} answered HTTP {status} with {what} instead of Salesforce's JSON; check that the login URL is right"
    )]
    Unexpected {
        host: String,
        status: u16,
        what: String,
    },
    #[error("{host} did not answer within {seconds} seconds")]
    Timeout { host: String, seconds: u64 },
    #[error("could not connect to {host}: {reason}")]
    Connect { host: String, reason: String },
    #[error("the secure connection to {host} failed: {reason}")]
    Tls { host: String, reason: String },
    #[error("sftoken will not send a token to {0}, which is not a Salesforce host")]
    UntrustedUrl(String),
    #[error(
        "{host} sent an answer larger than {} KB, far more than Salesforce sends",
        limit_bytes / 1024
    )]
    TooLarge { host: String, limit_bytes: usize },
    #[error("the query still had more records after {pages} pages")]
    TooManyPages { pages: usize },
    #[error("could not set up the HTTPS client: {0}")]
    Setup(String),
}

impl SalesforceError {
    /// Plain-language advice for the page.
    pub fn advice(&self) -> Advice {
        match self {
            Self::OAuth { code, description } => advice::for_oauth_error(code, description),
            Self::Rest { code, message, .. } => advice::for_rest_error(code, message),
            Self::Refused { word, .. } => advice::for_identity_error(word),
            Self::Unexpected { status, .. } if (300..400).contains(status) => Advice::new(
                "Salesforce redirected instead of answering",
                &format!("{self}."),
                "Use your org's My Domain URL (https://yourdomain.my.salesforce.com) as the login URL and try again.",
            ),
            Self::Unexpected { .. } => Advice::new(
                "Salesforce's answer could not be read",
                &format!("{self}."),
                "Check the login URL, and if you are behind a proxy, that it lets Salesforce's answers through unchanged.",
            ),
            Self::Timeout { .. } => Advice::new(
                "Salesforce did not answer in time",
                &format!("{self}."),
                "Check your network or proxy (HTTPS_PROXY) and try again.",
            ),
            Self::Connect { .. } => Advice::new(
                "Salesforce could not be reached",
                &format!("{self}."),
                "Check the login URL and your network. Behind a corporate proxy, set HTTPS_PROXY; if the proxy inspects TLS, its CA certificate must be in the system's certificate store.",
            ),
            Self::Tls { .. } => Advice::new(
                "The secure connection to Salesforce failed",
                &format!("{self}."),
                "sftoken checks Salesforce's certificate against this computer's certificate store. Behind a corporate proxy or firewall that inspects HTTPS, its root certificate must be installed in that store (ask your IT team); then try again.",
            ),
            Self::TooLarge { .. } => Advice::new(
                "Salesforce's answer was too large",
                &format!("{self}, so sftoken stopped reading it."),
                "Check the login URL, and if you are behind a proxy, that it passes Salesforce's answers through unchanged.",
            ),
            Self::TooManyPages { .. } => Advice::new(
                "The org is larger than sftoken previews",
                &format!("{self}, so sftoken stopped reading to spare the org's API limit."),
                "The settings are not affected; Snow Atlas reads the whole org itself.",
            ),
            Self::UntrustedUrl(_) | Self::Setup(_) => Advice::new(
                "sftoken stopped before talking to Salesforce",
                &format!("{self}."),
                "Check the login URL and try again.",
            ),
        }
    }
}
