//! Why a call to Salesforce failed, kept apart by kind as oauth2-rs does:
//! Salesforce's own answer (`OAuth`, `Rest`) versus failing to get one. A
//! failure to get one is never worded as a bad token: the DNS lookup, the
//! connection, TLS, a proxy and a timeout each say what failed.

use super::advice::{self, Advice};

/// Why a call to Salesforce failed. `OAuth` and `Rest` are Salesforce's own
/// answers; the others are about getting one.
#[derive(Debug, thiserror::Error)]
pub enum SalesforceError {
    #[error("Salesforce answered {code}: {description}")]
    OAuth { code: String, description: String },
    /// Salesforce's OAuth error to the refresh grant, where an unknown
    /// `invalid_grant` means a dead token rather than a refused sign-in.
    #[error("Salesforce refused the refresh token: {code}: {description}")]
    RefreshRefused { code: String, description: String },
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
    #[error("{host} did not answer within {}", seconds_text(*seconds))]
    Timeout { host: String, seconds: u64 },
    #[error("this computer could not look up the name {host} (DNS)")]
    Dns { host: String },
    #[error("{host} refused the connection")]
    ConnectionRefused { host: String },
    #[error("the proxy {proxy} would not connect sftoken to {host}{}", answer.as_ref().map(|a| format!(" (it answered {a})")).unwrap_or_default())]
    Proxy {
        /// `host:port`, never with a user name or password.
        proxy: String,
        host: String,
        /// The proxy's status line, such as "HTTP 403 Forbidden", when it gave one.
        answer: Option<String>,
    },
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

fn seconds_text(seconds: u64) -> String {
    format!("{seconds} second{}", if seconds == 1 { "" } else { "s" })
}

/// What the admin can do when a proxy is in the way.
const PROXY_HINT: &str =
    "Behind a corporate proxy, set HTTPS_PROXY to its address (http://proxy:port).";

impl SalesforceError {
    /// Plain-language advice, worded for the page ([`Advice::on`] rewords it
    /// for a terminal).
    pub fn advice(&self) -> Advice {
        let cause = format!("{}.", capitalised(&self.to_string()));
        match self {
            Self::OAuth { code, description } => advice::for_oauth_error(code, description),
            Self::RefreshRefused { code, description } => {
                advice::for_refresh_error(code, description)
            }
            Self::Rest { code, message, .. } => advice::for_rest_error(code, message),
            Self::Refused { word, .. } => advice::for_identity_error(word),
            Self::Unexpected { status, .. } if (300..400).contains(status) => Advice::new(
                "Salesforce redirected instead of answering",
                &cause,
                "Use your org's My Domain URL (https://yourdomain.my.salesforce.com) as the login URL and try again.",
            ),
            Self::Unexpected { .. } => Advice::new(
                "Salesforce's answer could not be read",
                &cause,
                "Check the login URL, and if you are behind a proxy, that it lets Salesforce's answers through unchanged.",
            ),
            Self::Timeout { host, seconds } => Advice::network(
                &format!("{host} did not answer within {}", seconds_text(*seconds)),
                "A slow network or proxy can hold an answer back. Nothing is known yet about the settings themselves.",
                "Check your network or proxy (HTTPS_PROXY), then try again: a slow proxy may need more time.",
            ),
            Self::Dns { host } => Advice::network(
                &format!("The name {host} could not be found"),
                "This computer's DNS lookup failed: the login URL may be mistyped, or this network has no internet access or lets only a proxy out. Salesforce was never asked about the settings.",
                &format!("Check the login URL and your internet connection. {PROXY_HINT}"),
            ),
            Self::ConnectionRefused { host } => Advice::network(
                &format!("{host} refused the connection"),
                "Nothing accepted sftoken's connection there: a firewall may block it, or the login URL names the wrong host or port. Salesforce was never asked about the settings.",
                &format!("Check the login URL. {PROXY_HINT}"),
            ),
            Self::Proxy {
                proxy,
                host,
                answer,
            } => Advice::network(
                &format!(
                    "The proxy {proxy} refused to connect to {host}{}",
                    answer
                        .as_ref()
                        .map(|a| format!(" ({a})"))
                        .unwrap_or_default()
                ),
                "sftoken goes through the proxy named in HTTPS_PROXY (or the system's proxy settings), and the proxy would not open a connection to Salesforce. Salesforce was never asked about the settings.",
                &if answer.as_deref().is_some_and(|a| a.contains("407")) {
                    "The proxy wants a user name and password: put them in HTTPS_PROXY (http://user:password@proxy:port), or ask your IT team.".to_owned()
                } else {
                    format!(
                        "Ask your IT team to let {host} (and *.salesforce.com, *.force.com) through the proxy, or list it in NO_PROXY if this network reaches it directly."
                    )
                },
            ),
            Self::Connect { .. } => Advice::network(
                "Salesforce could not be reached",
                &cause,
                &format!("Check the login URL and your network. {PROXY_HINT}"),
            ),
            Self::Tls { host, .. } => Advice::network(
                &format!("The secure connection to {host} failed"),
                &cause,
                "sftoken checks Salesforce's certificate against this computer's certificate store. Behind a corporate proxy or firewall that inspects HTTPS, its root certificate must be installed in that store (ask your IT team); then try again.",
            ),
            Self::TooLarge { .. } => Advice::new(
                "Salesforce's answer was too large",
                &format!(
                    "{}, so sftoken stopped reading it.",
                    capitalised(&self.to_string())
                ),
                "Check the login URL, and if you are behind a proxy, that it passes Salesforce's answers through unchanged.",
            ),
            Self::TooManyPages { .. } => Advice::new(
                "The org is larger than sftoken previews",
                &format!(
                    "{}, so sftoken stopped reading to spare the org's API limit.",
                    capitalised(&self.to_string())
                ),
                "The settings are not affected; Snow Atlas reads the whole org itself.",
            ),
            Self::UntrustedUrl(_) | Self::Setup(_) => Advice::new(
                "sftoken stopped before talking to Salesforce",
                &cause,
                "Check the login URL and try again.",
            ),
        }
    }

    /// The same error, known to answer the refresh grant.
    pub(super) fn of_refresh(self) -> Self {
        match self {
            Self::OAuth { code, description } => Self::RefreshRefused { code, description },
            other => other,
        }
    }

    /// One of each kind, for tests that go through all the advice.
    #[cfg(test)]
    pub(crate) fn every_kind() -> Vec<Self> {
        let host = || "acme.my.salesforce.com".to_owned();
        vec![
            Self::Unexpected {
                host: host(),
                status: 302,
                what: "a redirect".into(),
            },
            Self::Unexpected {
                host: host(),
                status: 200,
                what: "a page that is not JSON".into(),
            },
            Self::Timeout {
                host: host(),
                seconds: 30,
            },
            Self::Dns { host: host() },
            Self::ConnectionRefused { host: host() },
            Self::Proxy {
                proxy: "proxy.corp:3128".into(),
                host: host(),
                answer: Some("HTTP 403 Forbidden".into()),
            },
            Self::Proxy {
                proxy: "proxy.corp:3128".into(),
                host: host(),
                answer: Some("HTTP 407 Proxy Authentication Required".into()),
            },
            Self::Proxy {
                proxy: "proxy.corp:3128".into(),
                host: host(),
                answer: None,
            },
            Self::Connect {
                host: host(),
                reason: "network unreachable".into(),
            },
            Self::Tls {
                host: host(),
                reason: "invalid peer certificate: UnknownIssuer".into(),
            },
            Self::UntrustedUrl("evil.example".into()),
            Self::TooLarge {
                host: host(),
                limit_bytes: 65536,
            },
            Self::TooManyPages { pages: 60 },
            Self::Setup("no roots".into()),
        ]
    }
}

/// A message made to start a sentence; one that starts with a host name
/// (`acme.my.salesforce.com did not…`) stays as it is.
fn capitalised(text: &str) -> String {
    let first_word = text.split(' ').next().unwrap_or_default();
    let mut chars = text.chars();
    match chars.next() {
        Some(first) if !first_word.contains(['.', ':']) => {
            first.to_uppercase().chain(chars).collect()
        }
        _ => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_network_failure_reads_as_a_refused_token() {
        for error in SalesforceError::every_kind() {
            let advice = error.advice();
            let text = format!("{} {} {}", advice.title, advice.cause, advice.fix).to_lowercase();
            let mut words = text.split(|c: char| !c.is_alphanumeric());
            if advice.network {
                assert!(!words.any(|w| w == "token" || w == "secret"), "{text}");
            }
        }
    }

    #[test]
    fn each_network_failure_has_its_own_title() {
        let network: Vec<String> = SalesforceError::every_kind()
            .iter()
            .map(SalesforceError::advice)
            .filter(|advice| advice.network)
            .map(|advice| advice.title)
            .collect();
        let distinct: std::collections::HashSet<&String> = network.iter().collect();
        assert_eq!(distinct.len(), network.len(), "{network:?}");
        assert_eq!(network.len(), 8, "{network:?}");
    }

    #[test]
    fn a_proxy_refusal_names_the_proxy_and_its_answer() {
        let advice = SalesforceError::Proxy {
            proxy: "proxy.corp:3128".into(),
            host: "login.salesforce.com".into(),
            answer: Some("HTTP 403 Forbidden".into()),
        }
        .advice();
        assert_eq!(
            advice.title,
            "The proxy proxy.corp:3128 refused to connect to login.salesforce.com (HTTP 403 Forbidden)"
        );
        assert!(advice.fix.contains("NO_PROXY"), "{}", advice.fix);
    }

    #[test]
    fn a_refused_refresh_grant_is_explained_as_a_dead_token_and_other_errors_stay() {
        let refused = |code: &str| SalesforceError::OAuth {
            code: code.into(),
            description: "token validity expired".into(),
        };
        let advice = refused("invalid_grant").of_refresh().advice();
        assert_eq!(advice.title, "Salesforce refused the refresh token");
        assert_eq!(advice.code.as_deref(), Some("invalid_grant"));
        assert_eq!(
            refused("invalid_grant").advice().title,
            "Salesforce refused the sign-in without saying why"
        );
        let timeout = SalesforceError::Timeout {
            host: "h".into(),
            seconds: 1,
        };
        assert!(matches!(
            timeout.of_refresh(),
            SalesforceError::Timeout { .. }
        ));
    }

    #[test]
    fn a_timeout_of_one_second_is_singular() {
        let advice = SalesforceError::Timeout {
            host: "127.0.0.1".into(),
            seconds: 1,
        }
        .advice();
        assert_eq!(advice.title, "127.0.0.1 did not answer within 1 second");
    }
}
