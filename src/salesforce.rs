//! Talking to Salesforce: the authorize URL, the code exchange and the identity
//! URL. Shapes follow `shared/salesforce.md` and Salesforce's
//! [OAuth 2.0 Web Server Flow](https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_web_server_flow.htm).
//!
//! The HTTP client follows no redirects (an OAuth endpoint that redirects is
//! misconfigured, and following would carry credentials elsewhere), verifies TLS
//! with the operating system's roots (so a corporate proxy's CA works), honours
//! `HTTPS_PROXY`/`NO_PROXY`, and has timeouts. It is built on first use, so
//! start-up does not pay for loading the system's certificates.

use std::sync::OnceLock;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use crate::advice::{self, Advice};
use crate::login::{Credentials, Pending};
use crate::login_url::{self, LoginUrl};

/// What the Snow Atlas connector needs: API access, full access and a refresh token.
pub const SCOPES: &str = "refresh_token api full";

const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// The one outbound HTTP client, built on first use.
#[derive(Debug, Default)]
pub struct Http {
    client: OnceLock<reqwest::Client>,
}

impl Http {
    pub fn client(&self) -> Result<&reqwest::Client, SalesforceError> {
        if let Some(client) = self.client.get() {
            return Ok(client);
        }
        // Another thread may have installed it first; either provider is ring.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(REQUEST_TIMEOUT)
            .user_agent(concat!("sftoken/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| SalesforceError::Setup(e.to_string()))?;
        Ok(self.client.get_or_init(|| client))
    }
}

/// Why a call to Salesforce failed. `OAuth` is Salesforce's own answer; the
/// others are about getting one.
#[derive(Debug, thiserror::Error)]
pub enum SalesforceError {
    #[error("Salesforce answered {code}: {description}")]
    OAuth { code: String, description: String },
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
    #[error("sftoken will not send a token to {0}, which is not a Salesforce host")]
    UntrustedUrl(String),
    #[error("could not set up the HTTPS client: {0}")]
    Setup(String),
}

impl SalesforceError {
    /// Plain-language advice for the page.
    pub fn advice(&self) -> Advice {
        match self {
            Self::OAuth { code, description } => advice::for_oauth_error(code, description),
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
            Self::UntrustedUrl(_) | Self::Setup(_) => Advice::new(
                "sftoken stopped before talking to Salesforce",
                &format!("{self}."),
                "Check the login URL and try again.",
            ),
        }
    }
}

/// Salesforce's error JSON: `{"error": "...", "error_description": "..."}`.
#[derive(Deserialize)]
struct OAuthError {
    error: String,
    #[serde(default)]
    error_description: String,
}

/// The token endpoint's success JSON. Salesforce sends no `expires_in`.
#[derive(Deserialize)]
struct TokenResponse {
    access_token: SecretString,
    refresh_token: Option<SecretString>,
    #[serde(default)]
    scope: String,
    instance_url: String,
    id: String,
}

/// The identity URL's answer, as far as sftoken uses it.
#[derive(Deserialize)]
struct Identity {
    username: Option<String>,
}

/// A successful sign-in: everything the settings page shows.
#[derive(Debug)]
pub struct Capture {
    pub credentials: Credentials,
    pub refresh_token: SecretString,
    pub access_token: SecretString,
    pub scope: String,
    pub instance_url: String,
    pub identity_url: String,
    pub org_id: String,
    pub user_id: String,
    pub username: Option<String>,
}

/// `{login}/services/oauth2/authorize?...` with PKCE S256 and the connector's scopes.
pub fn authorize_url(
    credentials: &Credentials,
    redirect_uri: &str,
    state: &str,
    code_challenge: &str,
) -> String {
    let mut url = url::Url::parse(&credentials.login_url.endpoint("/services/oauth2/authorize"))
        .expect("a login URL is a valid origin");
    url.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", &credentials.client_id)
        .append_pair("redirect_uri", redirect_uri)
        .append_pair("scope", SCOPES)
        .append_pair("state", state)
        .append_pair("code_challenge", code_challenge)
        .append_pair("code_challenge_method", "S256");
    url.into()
}

/// Exchanges an authorization code, then reads the username from the identity URL.
pub async fn exchange_code(
    http: &Http,
    pending: Pending,
    code: &str,
    allow_any_host: bool,
) -> Result<Capture, Advice> {
    let Pending {
        credentials,
        verifier,
        redirect_uri,
    } = pending;
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code),
        ("client_id", credentials.client_id.as_str()),
        ("client_secret", credentials.client_secret.expose_secret()),
        ("redirect_uri", redirect_uri.as_str()),
        ("code_verifier", verifier.expose_secret()),
    ];
    let token: TokenResponse = post_token(http, &credentials.login_url, &form)
        .await
        .map_err(|e| e.advice())?;
    let Some(refresh_token) = token.refresh_token else {
        return Err(advice::missing_refresh_token());
    };
    let (org_id, user_id) = ids_from_identity_url(&token.id);
    let username = match identity(
        http,
        &token.id,
        &token.access_token,
        &credentials.login_url,
        allow_any_host,
    )
    .await
    {
        Ok(identity) => identity.username,
        Err(e) => {
            tracing::warn!(error = %e, "could not read the identity URL; the username is left out");
            None
        }
    };
    Ok(Capture {
        credentials,
        refresh_token,
        access_token: token.access_token,
        scope: token.scope,
        instance_url: token.instance_url,
        identity_url: token.id,
        org_id,
        user_id,
        username,
    })
}

/// `https://login.salesforce.com/id/{orgId}/{userId}` → (orgId, userId).
pub fn ids_from_identity_url(url: &str) -> (String, String) {
    let mut parts = url.trim_end_matches('/').rsplit('/');
    let user = parts.next().unwrap_or_default().to_owned();
    let org = parts.next().unwrap_or_default().to_owned();
    (org, user)
}

async fn post_token<T: serde::de::DeserializeOwned>(
    http: &Http,
    login_url: &LoginUrl,
    form: &[(&str, &str)],
) -> Result<T, SalesforceError> {
    let url = login_url.endpoint("/services/oauth2/token");
    let response = http
        .client()?
        .post(&url)
        .form(form)
        .send()
        .await
        .map_err(|e| transport_error(&url, e))?;
    read_json(&url, response).await
}

async fn identity(
    http: &Http,
    url: &str,
    access_token: &SecretString,
    login_url: &LoginUrl,
    allow_any_host: bool,
) -> Result<Identity, SalesforceError> {
    if !login_url::may_receive_token(url, login_url, allow_any_host) {
        return Err(SalesforceError::UntrustedUrl(host_of(url)));
    }
    let response = http
        .client()?
        .get(url)
        .bearer_auth(access_token.expose_secret())
        .send()
        .await
        .map_err(|e| transport_error(url, e))?;
    read_json(url, response).await
}

/// Reads a JSON answer, telling Salesforce's OAuth errors apart from answers
/// that are not Salesforce's at all (a proxy's HTML page, a redirect).
async fn read_json<T: serde::de::DeserializeOwned>(
    url: &str,
    response: reqwest::Response,
) -> Result<T, SalesforceError> {
    let status = response.status();
    let is_json = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("json"));
    let body = response
        .bytes()
        .await
        .map_err(|e| transport_error(url, e))?;
    let unexpected = |what: &str| SalesforceError::Unexpected {
        host: host_of(url),
        status: status.as_u16(),
        what: what.to_owned(),
    };
    if status.is_success() {
        return serde_json::from_slice(&body).map_err(|_| {
            unexpected(if is_json {
                "JSON of an unknown shape"
            } else {
                "a page that is not JSON"
            })
        });
    }
    if let Ok(error) = serde_json::from_slice::<OAuthError>(&body) {
        return Err(SalesforceError::OAuth {
            code: error.error,
            description: error.error_description,
        });
    }
    Err(unexpected(if status.is_redirection() {
        "a redirect"
    } else if is_json {
        "JSON of an unknown shape"
    } else {
        "a page that is not JSON"
    }))
}

fn transport_error(url: &str, error: reqwest::Error) -> SalesforceError {
    let host = host_of(url);
    if error.is_timeout() {
        return SalesforceError::Timeout {
            host,
            seconds: REQUEST_TIMEOUT.as_secs(),
        };
    }
    // The innermost cause says what failed (refused, DNS, certificate) without the URL.
    let mut reason = error.to_string();
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        reason = cause.to_string();
        source = cause.source();
    }
    SalesforceError::Connect { host, reason }
}

fn host_of(url: &str) -> String {
    url::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_else(|| "the server".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_authorize_url_carries_pkce_scopes_and_state() {
        let credentials = Credentials {
            client_id: "3MVG9 key".into(),
            client_secret: SecretString::from("s"),
            login_url: LoginUrl::parse("https://acme.my.salesforce.com", false).expect("url"),
        };
        let url = authorize_url(&credentials, "http://localhost:8719/callback", "st", "ch");
        let parsed = url::Url::parse(&url).expect("url");
        assert_eq!(parsed.path(), "/services/oauth2/authorize");
        assert_eq!(parsed.host_str(), Some("acme.my.salesforce.com"));
        let query: std::collections::HashMap<_, _> = parsed.query_pairs().into_owned().collect();
        assert_eq!(query["response_type"], "code");
        assert_eq!(query["client_id"], "3MVG9 key");
        assert_eq!(query["redirect_uri"], "http://localhost:8719/callback");
        assert_eq!(query["scope"], "refresh_token api full");
        assert_eq!(query["state"], "st");
        assert_eq!(query["code_challenge"], "ch");
        assert_eq!(query["code_challenge_method"], "S256");
    }

    #[test]
    fn org_and_user_ids_come_from_the_identity_url() {
        assert_eq!(
            ids_from_identity_url(
                "https://login.salesforce.com/id/00Dxx0000001gPL/005xx000001X8Uz"
            ),
            ("00Dxx0000001gPL".to_owned(), "005xx000001X8Uz".to_owned())
        );
    }
}
