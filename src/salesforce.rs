//! Talking to Salesforce: the authorize URL, the token endpoint (code exchange,
//! refresh, revoke), the identity URL and REST queries with paging. Shapes follow `shared/salesforce.md` and Salesforce's
//! [OAuth 2.0 Web Server Flow](https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_web_server_flow.htm).
//!
//! The HTTP client follows no redirects (an OAuth endpoint that redirects is
//! misconfigured, and following would carry credentials elsewhere), verifies TLS
//! with the operating system's roots (so a corporate proxy's CA works), honours
//! `HTTPS_PROXY`/`NO_PROXY`, and has timeouts. It is built on first use, so
//! start-up does not pay for loading the system's certificates.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::advice::{self, Advice};
use crate::login::{Credentials, Pending};
use crate::login_url::{self, LoginUrl};

/// What the Snow Atlas connector needs: API access, full access and a refresh token.
pub const SCOPES: &str = "refresh_token api full";

/// The default for a whole request to Salesforce; `--http-timeout` changes it.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Connecting takes at most this long (or the request timeout, if shorter).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The one outbound HTTP client, built on first use; clones share it.
#[derive(Clone, Debug)]
pub struct Http {
    client: Arc<OnceLock<reqwest::Client>>,
    timeout: Duration,
}

impl Default for Http {
    fn default() -> Self {
        Self::new(DEFAULT_TIMEOUT)
    }
}

impl Http {
    pub fn new(timeout: Duration) -> Self {
        Self {
            client: Arc::default(),
            timeout,
        }
    }

    pub fn client(&self) -> Result<&reqwest::Client, SalesforceError> {
        if let Some(client) = self.client.get() {
            return Ok(client);
        }
        // Another thread may have installed it first; either provider is ring.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(CONNECT_TIMEOUT.min(self.timeout))
            .timeout(self.timeout)
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
    #[error("Salesforce's API answered HTTP {status} {code}: {message}")]
    Rest {
        status: u16,
        code: String,
        message: String,
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
    #[error("could not set up the HTTPS client: {0}")]
    Setup(String),
}

impl SalesforceError {
    /// Plain-language advice for the page.
    pub fn advice(&self) -> Advice {
        match self {
            Self::OAuth { code, description } => advice::for_oauth_error(code, description),
            Self::Rest { code, message, .. } => advice::for_rest_error(code, message),
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
            Self::UntrustedUrl(_) | Self::Setup(_) => Advice::new(
                "sftoken stopped before talking to Salesforce",
                &format!("{self}."),
                "Check the login URL and try again.",
            ),
        }
    }
}

/// Salesforce's OAuth error JSON: `{"error": "...", "error_description": "..."}`.
#[derive(Deserialize)]
struct OAuthError {
    error: String,
    #[serde(default)]
    error_description: String,
}

/// One entry of Salesforce's REST error array: `[{"message": "...", "errorCode": "..."}]`.
#[derive(Deserialize)]
struct RestError {
    #[serde(rename = "errorCode")]
    error_code: String,
    #[serde(default)]
    message: String,
}

/// The token endpoint's success JSON. Salesforce sends no `expires_in`, and a
/// `refresh_token` only from a code exchange with that scope, or from a refresh
/// with Refresh Token Rotation on.
#[derive(Deserialize)]
pub struct Tokens {
    pub access_token: SecretString,
    pub refresh_token: Option<SecretString>,
    #[serde(default)]
    pub scope: String,
    pub instance_url: String,
    /// The identity URL, `https://login.salesforce.com/id/{orgId}/{userId}`.
    pub id: String,
}

/// The identity URL's answer, as far as sftoken uses it.
#[derive(Deserialize)]
pub struct Identity {
    pub user_id: String,
    pub username: String,
    #[serde(default)]
    pub display_name: String,
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

/// Exchanges an authorization code, with the same `redirect_uri` and the PKCE
/// verifier.
pub async fn exchange_code(
    http: &Http,
    pending: &Pending,
    code: &str,
) -> Result<Tokens, SalesforceError> {
    let grant = [
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", pending.redirect_uri.as_str()),
        ("code_verifier", pending.verifier.expose_secret()),
    ];
    token_grant(http, &pending.credentials, &grant).await
}

/// The refresh grant, exactly as the Snow Atlas connector runs it.
pub async fn refresh(
    http: &Http,
    credentials: &Credentials,
    refresh_token: &SecretString,
) -> Result<Tokens, SalesforceError> {
    let grant = [
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh_token.expose_secret()),
    ];
    token_grant(http, credentials, &grant).await
}

/// A token request, with the client's credentials in the body (`client_secret_post`).
async fn token_grant(
    http: &Http,
    credentials: &Credentials,
    grant: &[(&str, &str)],
) -> Result<Tokens, SalesforceError> {
    let client = [
        ("client_id", credentials.client_id.as_str()),
        ("client_secret", credentials.client_secret.expose_secret()),
    ];
    let form: Vec<(&str, &str)> = grant.iter().chain(&client).copied().collect();
    post_form(
        http,
        &credentials.login_url,
        "/services/oauth2/token",
        &form,
    )
    .await
}

/// Revokes a refresh token (and with it its access tokens).
pub async fn revoke(
    http: &Http,
    login_url: &LoginUrl,
    token: &SecretString,
) -> Result<(), SalesforceError> {
    let form = [("token", token.expose_secret())];
    post_form::<serde::de::IgnoredAny>(http, login_url, "/services/oauth2/revoke", &form)
        .await
        .map(|_| ())
}

/// Reads the identity URL with an access token.
pub async fn identity(
    http: &Http,
    url: &str,
    access_token: &SecretString,
    trust: &Trust<'_>,
) -> Result<Identity, SalesforceError> {
    trust.check(url)?;
    get_json(http, url, access_token).await
}

/// Which hosts may receive a bearer token: the login host and Salesforce's own.
pub struct Trust<'a> {
    pub login_url: &'a LoginUrl,
    pub allow_any_host: bool,
}

impl Trust<'_> {
    fn check(&self, url: &str) -> Result<(), SalesforceError> {
        if login_url::may_receive_token(url, self.login_url, self.allow_any_host) {
            Ok(())
        } else {
            Err(SalesforceError::UntrustedUrl(host_of(url)))
        }
    }
}

/// The REST API of one org, at its newest API version.
pub struct Api<'a> {
    http: &'a Http,
    access_token: &'a SecretString,
    instance_url: String,
    pub version: String,
}

#[derive(Deserialize)]
struct ApiVersion {
    version: String,
}

/// One page of a SOQL query.
#[derive(Deserialize)]
struct QueryPage<T> {
    records: Vec<T>,
    #[serde(rename = "nextRecordsUrl")]
    next_records_url: Option<String>,
}

impl<'a> Api<'a> {
    /// Finds the newest API version the org offers (`GET /services/data/`).
    pub async fn connect(
        http: &'a Http,
        instance_url: &str,
        access_token: &'a SecretString,
        trust: &Trust<'_>,
    ) -> Result<Api<'a>, SalesforceError> {
        let instance_url = instance_url.trim_end_matches('/').to_owned();
        let url = format!("{instance_url}/services/data/");
        trust.check(&url)?;
        let versions: Vec<ApiVersion> = get_json(http, &url, access_token).await?;
        let version = versions
            .iter()
            .map(|v| v.version.as_str())
            .max_by(|a, b| version_number(a).total_cmp(&version_number(b)))
            .unwrap_or("62.0")
            .to_owned();
        Ok(Api {
            http,
            access_token,
            instance_url,
            version,
        })
    }

    /// Runs a SOQL query and hands each page's records to `on_page`, following
    /// `nextRecordsUrl` until the end. Only one page is in memory at a time.
    pub async fn query<T: DeserializeOwned>(
        &self,
        soql: &str,
        mut on_page: impl FnMut(Vec<T>),
    ) -> Result<(), SalesforceError> {
        let mut url = url::Url::parse(&format!(
            "{}/services/data/v{}/query",
            self.instance_url, self.version
        ))
        .map_err(|_| SalesforceError::UntrustedUrl(self.instance_url.clone()))?;
        url.query_pairs_mut().append_pair("q", soql);
        let mut next = Some(url.to_string());
        while let Some(url) = next.take() {
            let page: QueryPage<T> = get_json(self.http, &url, self.access_token).await?;
            on_page(page.records);
            // nextRecordsUrl is a path on the same instance.
            next = page
                .next_records_url
                .filter(|path| path.starts_with("/services/data/"))
                .map(|path| format!("{}{path}", self.instance_url));
        }
        Ok(())
    }
}

/// "66.0" → 66.0, for picking the newest version.
fn version_number(version: &str) -> f64 {
    version.parse().unwrap_or(0.0)
}

/// `https://login.salesforce.com/id/{orgId}/{userId}` → (orgId, userId).
pub fn ids_from_identity_url(url: &str) -> (String, String) {
    let mut parts = url.trim_end_matches('/').rsplit('/');
    let user = parts.next().unwrap_or_default().to_owned();
    let org = parts.next().unwrap_or_default().to_owned();
    (org, user)
}

async fn post_form<T: DeserializeOwned>(
    http: &Http,
    login_url: &LoginUrl,
    path: &str,
    form: &[(&str, &str)],
) -> Result<T, SalesforceError> {
    let url = login_url.endpoint(path);
    let response = http
        .client()?
        .post(&url)
        .form(form)
        .send()
        .await
        .map_err(|e| http.transport_error(&url, e))?;
    read_json(http, &url, response).await
}

async fn get_json<T: DeserializeOwned>(
    http: &Http,
    url: &str,
    access_token: &SecretString,
) -> Result<T, SalesforceError> {
    let response = http
        .client()?
        .get(url)
        .bearer_auth(access_token.expose_secret())
        .send()
        .await
        .map_err(|e| http.transport_error(url, e))?;
    read_json(http, url, response).await
}

/// Reads a JSON answer, telling Salesforce's OAuth errors apart from answers
/// that are not Salesforce's at all (a proxy's HTML page, a redirect).
async fn read_json<T: DeserializeOwned>(
    http: &Http,
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
        .map_err(|e| http.transport_error(url, e))?;
    let unexpected = |what: &str| SalesforceError::Unexpected {
        host: host_of(url),
        status: status.as_u16(),
        what: what.to_owned(),
    };
    if status.is_success() {
        // The revoke endpoint answers 200 with an empty body.
        let body: &[u8] = if body.is_empty() { b"null" } else { &body };
        return serde_json::from_slice(body).map_err(|_| {
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
    if let Ok(errors) = serde_json::from_slice::<Vec<RestError>>(&body)
        && let Some(error) = errors.into_iter().next()
    {
        return Err(SalesforceError::Rest {
            status: status.as_u16(),
            code: error.error_code,
            message: error.message,
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

impl Http {
    fn transport_error(&self, url: &str, error: reqwest::Error) -> SalesforceError {
        let host = host_of(url);
        if error.is_timeout() {
            return SalesforceError::Timeout {
                host,
                seconds: self.timeout.as_secs(),
            };
        }
        // The innermost cause says what failed (refused, DNS, certificate)
        // without the URL; a TLS failure gets its own advice.
        let mut reason = error.to_string();
        let mut source = std::error::Error::source(&error);
        while let Some(cause) = source {
            reason = cause.to_string();
            source = cause.source();
        }
        let tls = has_tls_error(&error);
        if tls {
            SalesforceError::Tls { host, reason }
        } else {
            SalesforceError::Connect { host, reason }
        }
    }
}

/// Is a rustls error anywhere in this chain? An io::Error hides its inner
/// error from `source()`, so look inside those too.
fn has_tls_error(error: &(dyn std::error::Error + 'static)) -> bool {
    error.downcast_ref::<rustls::Error>().is_some()
        || error
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
            .is_some_and(|inner| has_tls_error(inner))
        || error.source().is_some_and(has_tls_error)
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
