//! The one outbound HTTP client and the JSON it reads back.
//!
//! The client follows no redirects (an OAuth endpoint that redirects is
//! misconfigured, and following would carry credentials elsewhere), verifies TLS
//! with the operating system's roots (so a corporate proxy's CA works), honours
//! `HTTPS_PROXY`/`NO_PROXY`, and has timeouts. It is built on first use, so
//! start-up does not pay for loading the system's certificates.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use reqwest::Method;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::SalesforceError;
use super::network::{self, Failure};
use crate::login_url::LoginUrl;
use crate::secret::AccessToken;

/// Connecting takes at most this long (or the request timeout, if shorter).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The most sftoken reads of one answer. Salesforce's own stay far below:
/// an OAuth answer is about 2 KB, a page of 2,000 users a few hundred KB.
#[derive(Clone, Copy, Debug)]
pub(super) enum Limit {
    /// Token, revoke and identity answers.
    OAuth,
    /// REST answers: API versions and query pages.
    Rest,
}

impl Limit {
    pub(super) fn bytes(self) -> usize {
        match self {
            Limit::OAuth => 64 * 1024,
            Limit::Rest => 8 * 1024 * 1024,
        }
    }
}

/// The one outbound HTTP client, built on first use; clones share it.
#[derive(Clone, Debug)]
pub struct Http {
    client: Arc<OnceLock<reqwest::Client>>,
    timeout: Duration,
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
            // The checks' concurrent requests open a few connections; one idle
            // connection per host is all the next request needs, and each
            // kept its buffers and tasks (about 30 KB; more with TLS).
            .pool_max_idle_per_host(1)
            .connect_timeout(CONNECT_TIMEOUT.min(self.timeout))
            .timeout(self.timeout)
            .user_agent(concat!("sftoken/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| SalesforceError::Setup(e.to_string()))?;
        Ok(self.client.get_or_init(|| client))
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
pub(super) struct RestError {
    #[serde(rename = "errorCode")]
    error_code: String,
    #[serde(default)]
    message: String,
}

pub(super) async fn post_form<T: DeserializeOwned>(
    http: &Http,
    login_url: &LoginUrl,
    path: &str,
    form: &[(&str, &str)],
) -> Result<T, SalesforceError> {
    let url = login_url.endpoint(path);
    let request = http.client()?.post(&url).form(form);
    let (answer, body) = Box::pin(read(http, &url, request, Limit::OAuth)).await?;
    answer.parse(&url, &body)
}

/// GETs `url` with a bearer token, once the login URL's policy trusts its host.
pub(super) async fn get_json<T: DeserializeOwned>(
    http: &Http,
    login_url: &LoginUrl,
    url: &str,
    access_token: &AccessToken,
    limit: Limit,
) -> Result<T, SalesforceError> {
    let request = authorized(http, login_url, Method::GET, url, access_token)?;
    let (answer, body) = Box::pin(read(http, url, request, limit)).await?;
    answer.parse(url, &body)
}

/// POSTs `body` as JSON with a bearer token (the REST API's Composite
/// resource), once the login URL's policy trusts `url`'s host.
pub(super) async fn post_json<T: DeserializeOwned>(
    http: &Http,
    login_url: &LoginUrl,
    url: &str,
    access_token: &AccessToken,
    body: Vec<u8>,
) -> Result<T, SalesforceError> {
    let request = authorized(http, login_url, Method::POST, url, access_token)?
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(body);
    let (answer, body) = Box::pin(read(http, url, request, Limit::Rest)).await?;
    answer.parse(url, &body)
}

/// A request carrying the bearer token, once the login URL's policy trusts
/// `url`'s host: the one place a token leaves for a URL Salesforce named.
pub(super) fn authorized(
    http: &Http,
    login_url: &LoginUrl,
    method: Method,
    url: &str,
    access_token: &AccessToken,
) -> Result<reqwest::RequestBuilder, SalesforceError> {
    if !login_url.may_receive_token(url) {
        return Err(SalesforceError::UntrustedUrl(host_of(url)));
    }
    Ok(http
        .client()?
        .request(method, url)
        .bearer_auth(access_token.expose()))
}

/// A successful answer: what to say if it is not the JSON expected.
#[derive(Clone, Copy)]
pub(super) struct Answer {
    status: u16,
    is_json: bool,
}

impl Answer {
    fn parse<T: DeserializeOwned>(self, url: &str, body: &[u8]) -> Result<T, SalesforceError> {
        // The revoke endpoint answers 200 with an empty body.
        let body: &[u8] = if body.is_empty() { b"null" } else { body };
        serde_json::from_slice(body).map_err(|_| self.unexpected(url))
    }

    /// Not the JSON sftoken expects of Salesforce.
    pub(super) fn unexpected(self, url: &str) -> SalesforceError {
        SalesforceError::Unexpected {
            host: host_of(url),
            status: self.status,
            what: unexpected_what(self.is_json, false).to_owned(),
        }
    }
}

/// Sends `request` and reads its answer whole (at most `limit`). Callers box
/// it (as `query_page::get_page` boxes its reading): inline, its 2 KB made
/// each check's future, and the stack frames that move it, that much larger
/// (10 KB for all the checks).
async fn read(
    http: &Http,
    url: &str,
    request: reqwest::RequestBuilder,
    limit: Limit,
) -> Result<(Answer, Vec<u8>), SalesforceError> {
    let (answer, response) = send(http, url, request, limit).await?;
    Ok((answer, read_body(http, url, response, limit).await?))
}

/// Sends `request`: a success comes back to be read; a failure to get an
/// answer, or any other answer, becomes the error that explains it.
pub(super) async fn send(
    http: &Http,
    url: &str,
    request: reqwest::RequestBuilder,
    limit: Limit,
) -> Result<(Answer, reqwest::Response), SalesforceError> {
    let response = match request.send().await {
        Ok(response) => response,
        Err(e) => return Err(http.transport_error(url, e).await),
    };
    let status = response.status();
    let is_json = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("json"));
    if status.is_success() {
        let answer = Answer {
            status: status.as_u16(),
            is_json,
        };
        return Ok((answer, response));
    }
    let body = read_body(http, url, response, limit).await?;
    Err(refusal(url, status, is_json, &body))
}

/// What an answer other than a success says: Salesforce's OAuth or REST
/// error, the identity URL's one-word refusal, or that it is not Salesforce's
/// at all (a proxy's HTML page, a redirect).
/// Salesforce's REST error array as one error: its first entry, which names
/// the refusal (a refused request, or a refused Composite subrequest).
pub(super) fn rest_refusal(status: u16, errors: Vec<RestError>) -> Option<SalesforceError> {
    let error = errors.into_iter().next()?;
    Some(SalesforceError::Rest {
        status,
        code: error.error_code,
        message: error.message,
    })
}

fn refusal(url: &str, status: reqwest::StatusCode, is_json: bool, body: &[u8]) -> SalesforceError {
    if let Ok(error) = serde_json::from_slice::<OAuthError>(body) {
        return SalesforceError::OAuth {
            code: error.error,
            description: error.error_description,
        };
    }
    if let Ok(errors) = serde_json::from_slice::<Vec<RestError>>(body)
        && let Some(error) = rest_refusal(status.as_u16(), errors)
    {
        return error;
    }
    // The identity URL refuses in plain text: `Bad_OAuth_Token` with 403.
    if status.is_client_error()
        && let Some(word) = plain_word(body)
    {
        return SalesforceError::Refused {
            host: host_of(url),
            status: status.as_u16(),
            word,
        };
    }
    SalesforceError::Unexpected {
        host: host_of(url),
        status: status.as_u16(),
        what: unexpected_what(is_json, status.is_redirection()).to_owned(),
    }
}

/// How an answer that is not the JSON expected is described.
fn unexpected_what(is_json: bool, is_redirect: bool) -> &'static str {
    if is_redirect {
        "a redirect"
    } else if is_json {
        "JSON of an unknown shape"
    } else {
        "a page that is not JSON"
    }
}

/// A body that is one word such as `Bad_OAuth_Token` or `Bad_Id`, as the
/// identity URL answers a refused token. A proxy's bare `Forbidden` is not one
/// of Salesforce's words.
fn plain_word(body: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(body).ok()?.trim();
    let is_word = (3..=64).contains(&text.len())
        && text.contains('_')
        && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    is_word.then(|| text.to_owned())
}

/// The body whole, refused as soon as it passes `limit`.
async fn read_body(
    http: &Http,
    url: &str,
    response: reqwest::Response,
    limit: Limit,
) -> Result<Vec<u8>, SalesforceError> {
    // Salesforce says how long most answers are: then one allocation of that size.
    let expected = response
        .content_length()
        .unwrap_or(0)
        .min(limit.bytes() as u64);
    let mut body = Vec::with_capacity(expected as usize);
    read_chunks(http, url, response, limit, &mut |chunk| {
        body.extend_from_slice(chunk);
    })
    .await?;
    Ok(body)
}

/// The body, chunk by chunk to `sink`, refused as soon as it passes `limit`.
pub(super) async fn read_chunks(
    http: &Http,
    url: &str,
    mut response: reqwest::Response,
    limit: Limit,
    sink: &mut (dyn FnMut(&[u8]) + Send),
) -> Result<(), SalesforceError> {
    let too_large = || SalesforceError::TooLarge {
        host: host_of(url),
        limit_bytes: limit.bytes(),
    };
    if response
        .content_length()
        .is_some_and(|length| length > limit.bytes() as u64)
    {
        return Err(too_large());
    }
    let mut received = 0;
    loop {
        let chunk = match response.chunk().await {
            Ok(Some(chunk)) => chunk,
            Ok(None) => return Ok(()),
            Err(e) => return Err(http.transport_error(url, e).await),
        };
        received += chunk.len();
        if received > limit.bytes() {
            return Err(too_large());
        }
        sink(&chunk);
    }
}

impl Http {
    /// Says what failed on the way to `url`, never as Salesforce's refusal.
    async fn transport_error(&self, url: &str, error: reqwest::Error) -> SalesforceError {
        let host = host_of(url);
        let timeout = SalesforceError::Timeout {
            host: host.clone(),
            seconds: self.timeout.as_secs(),
        };
        if error.is_timeout() {
            return timeout;
        }
        match network::classify(&error) {
            Failure::Timeout => timeout,
            Failure::Dns => SalesforceError::Dns { host },
            Failure::Refused => SalesforceError::ConnectionRefused { host },
            Failure::Tls(reason) => SalesforceError::Tls { host, reason },
            Failure::Proxy => {
                let (proxy, answer) = network::ask_proxy(url, CONNECT_TIMEOUT.min(self.timeout))
                    .await
                    .unwrap_or_else(|| ("from HTTPS_PROXY".to_owned(), None));
                SalesforceError::Proxy {
                    proxy,
                    host,
                    answer,
                }
            }
            Failure::Other(reason) => SalesforceError::Connect { host, reason },
        }
    }
}

pub(super) fn host_of(url: &str) -> String {
    url::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_else(|| "the server".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_salesforces_one_word_refusals_are_read_as_such() {
        assert_eq!(
            plain_word(b"Bad_OAuth_Token").as_deref(),
            Some("Bad_OAuth_Token")
        );
        assert_eq!(plain_word(b" Bad_Id\n").as_deref(), Some("Bad_Id"));
        for body in [
            &b"Forbidden"[..],
            b"<html>Bad_OAuth_Token</html>",
            b"",
            b"Bad OAuth Token",
        ] {
            assert_eq!(plain_word(body), None, "{}", String::from_utf8_lossy(body));
        }
    }
}
