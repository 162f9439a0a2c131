//! A mock Salesforce: the OAuth endpoints (authorize, approval decision,
//! token, revoke), the identity URL and the REST query API, served over
//! loopback HTTP in the test's own runtime. It behaves as
//! `shared/salesforce.md` describes and enforces what real Salesforce does:
//!
//! - authorize: an unknown `client_id` or a `redirect_uri` that is not exactly
//!   one of the Callback URLs gets Salesforce's own error page (never a
//!   redirect); otherwise errors go back to the callback with `state`. PKCE is
//!   required when the app requires it, and only `S256` is accepted. Scopes the
//!   app lacks fail (`strict_scopes`) or are silently dropped.
//! - codes end in `==` (so they arrive `%3D%3D`-encoded), live 15 minutes and
//!   can be exchanged once. A code is consumed as soon as the client
//!   authenticates (right `client_id` and secret): a wrong secret leaves it
//!   usable, a wrong `redirect_uri` or `code_verifier` burns it.
//! - token: the secret is always required (body or HTTP Basic), the
//!   `redirect_uri` must be byte-identical to the authorize one, the verifier
//!   must hash to the challenge, the answer has no `expires_in`, and a refresh
//!   token comes only with the `refresh_token`/`offline_access` scope. With
//!   `rotation`, a refresh returns a new refresh token and kills the old one.
//! - REST: bearer tokens are checked, results are paged (`nextRecordsUrl`,
//!   relative), and users are generated from their index so memory stays small
//!   whatever `users` is.
//!
//! Everything the mock issues or receives that is secret is recorded, so tests
//! can check that none of it leaks into the program's output.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use ring::rand::{SecureRandom, SystemRandom};
use serde_json::{Value, json};

/// The mock org and the user who logs in.
pub const ORG_ID: &str = "00DMOCK000000001AAA";
pub const USER_ID: &str = "005MOCK000000001AAA";
pub const USERNAME: &str = "admin@acme-mock.example";

/// In `callback_urls`, stands for the mock's own base URL, e.g. for the
/// success page: `format!("{MOCK_BASE}/services/oauth2/success")`.
pub const MOCK_BASE: &str = "{mock}";

/// How long an authorization code lives.
const CODE_LIFETIME: Duration = Duration::from_secs(15 * 60);

/// API versions the mock serves: (version, release label).
const VERSIONS: &[(&str, &str)] = &[
    ("62.0", "Winter '25"),
    ("63.0", "Spring '25"),
    ("64.0", "Summer '25"),
    ("65.0", "Winter '26"),
    ("66.0", "Spring '26"),
];

/// How the mock org and its External Client App are set up.
#[derive(Debug, Clone)]
pub struct MockOptions {
    /// The Consumer Key.
    pub client_id: String,
    /// The Consumer Secret.
    pub client_secret: String,
    /// Exact redirect URIs the app accepts; tests must set it.
    pub callback_urls: Vec<String>,
    /// Scopes configured on the app.
    pub app_scopes: Vec<String>,
    /// Asking for a scope the app lacks fails with `invalid_scope`; when
    /// false, the intersection is granted silently.
    pub strict_scopes: bool,
    /// The "Require PKCE" checkbox.
    pub require_pkce: bool,
    /// "Enable Refresh Token Rotation".
    pub rotation: bool,
    /// REST queries answer 403 `API_DISABLED_FOR_ORG`.
    pub api_disabled: bool,
    /// Number of `User` records.
    pub users: usize,
    /// Records per query page.
    pub page_size: usize,
    /// The org is a sandbox (`Organization.IsSandbox`).
    pub is_sandbox: bool,
}

impl Default for MockOptions {
    fn default() -> Self {
        Self {
            client_id: "3MVG9mockConsumerKey".to_owned(),
            client_secret: "mock-consumer-secret-0123456789".to_owned(),
            callback_urls: Vec::new(),
            app_scopes: ["refresh_token", "api", "full"].map(String::from).to_vec(),
            strict_scopes: true,
            require_pkce: true,
            rotation: false,
            api_disabled: false,
            users: 5,
            page_size: 2000,
            is_sandbox: false,
        }
    }
}

/// A running mock Salesforce; dropping it stops the server.
pub struct MockSalesforce {
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

/// What the handlers share.
struct Shared {
    options: MockOptions,
    /// `http://127.0.0.1:PORT`
    base: String,
    state: Mutex<MockState>,
}

#[derive(Default)]
struct MockState {
    /// Authorize requests waiting for the user's decision, by request id.
    pending: HashMap<String, PendingAuthorization>,
    codes: HashMap<String, Code>,
    used_codes: HashSet<String>,
    /// Live refresh tokens and their granted scopes.
    refresh_tokens: HashMap<String, Vec<String>>,
    /// Live access tokens and the refresh token they came from, if any.
    access_tokens: HashMap<String, Option<String>>,
    /// Query cursors: what a `nextRecordsUrl` continues.
    cursors: HashMap<String, Cursor>,
    issued_secrets: Vec<String>,
    token_requests: Vec<Vec<(String, String)>>,
    authorize_requests: usize,
}

struct PendingAuthorization {
    redirect_uri: String,
    state: Option<String>,
    challenge: Option<String>,
    scopes: Vec<String>,
}

struct Code {
    client_id: String,
    redirect_uri: String,
    challenge: Option<String>,
    scopes: Vec<String>,
    expires_at: Instant,
}

#[derive(Clone, Copy)]
struct Cursor {
    object: SObject,
    active_only: bool,
}

/// An OAuth error: `(error, error_description)`.
type OAuthError = (&'static str, &'static str);

impl MockSalesforce {
    /// Starts the mock on `127.0.0.1`, a free port, in the current runtime.
    pub async fn start(mut options: MockOptions) -> MockSalesforce {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the mock Salesforce on loopback");
        let port = listener
            .local_addr()
            .expect("the mock's local address")
            .port();
        let base = format!("http://127.0.0.1:{port}");
        for url in &mut options.callback_urls {
            *url = url.replace(MOCK_BASE, &base);
        }
        let shared = Arc::new(Shared {
            options,
            base,
            state: Mutex::new(MockState::default()),
        });
        let app = router(Arc::clone(&shared));
        let task = tokio::spawn(async move {
            // Only ends when the task is aborted.
            let _ = axum::serve(listener, app).await;
        });
        MockSalesforce { shared, task }
    }

    /// `http://127.0.0.1:PORT`, no trailing slash: the login URL and the
    /// instance URL.
    pub fn url(&self) -> String {
        self.shared.base.clone()
    }

    pub fn options(&self) -> &MockOptions {
        &self.shared.options
    }

    /// Every code, access token and refresh token issued, and every
    /// `code_verifier` and client secret received.
    pub fn issued_secrets(&self) -> Vec<String> {
        self.shared.lock().issued_secrets.clone()
    }

    /// Every form body received at the token endpoint, in order.
    pub fn token_requests(&self) -> Vec<Vec<(String, String)>> {
        self.shared.lock().token_requests.clone()
    }

    /// How many `GET /services/oauth2/authorize` the mock answered.
    pub fn authorize_requests(&self) -> usize {
        self.shared.lock().authorize_requests
    }

    /// Makes every outstanding authorization code expired, as if 15 minutes
    /// had passed.
    pub fn expire_codes(&self) {
        let now = Instant::now();
        for code in self.shared.lock().codes.values_mut() {
            code.expires_at = now;
        }
    }

    /// Whether a refresh token still works (not revoked, not rotated out).
    pub fn refresh_token_is_live(&self, refresh_token: &str) -> bool {
        self.shared
            .lock()
            .refresh_tokens
            .contains_key(refresh_token)
    }

    /// Posts a form to the token endpoint; `Ok(success JSON)` on HTTP 200,
    /// else `Err(error JSON)`.
    pub async fn token_call(&self, form: &[(&str, &str)]) -> Result<Value, Value> {
        let response = http_client()
            .post(format!("{}/services/oauth2/token", self.url()))
            .form(form)
            .send()
            .await
            .expect("reach the mock token endpoint");
        let ok = response.status() == StatusCode::OK;
        let body = response.bytes().await.expect("read the token answer");
        let body: Value = serde_json::from_slice(&body).expect("the token answer is JSON");
        if ok { Ok(body) } else { Err(body) }
    }

    /// A refresh grant with the mock's own client id and secret.
    pub async fn refresh(&self, refresh_token: &str) -> Result<Value, Value> {
        let options = self.options();
        self.token_call(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
            ("client_id", &options.client_id),
            ("client_secret", &options.client_secret),
        ])
        .await
    }

    /// A code exchange with the mock's own client id and secret.
    pub async fn exchange_code(
        &self,
        code: &str,
        redirect_uri: &str,
        verifier: Option<&str>,
    ) -> Result<Value, Value> {
        let options = self.options();
        let mut form = vec![
            ("grant_type", "authorization_code"),
            ("code", code),
            ("client_id", options.client_id.as_str()),
            ("client_secret", options.client_secret.as_str()),
            ("redirect_uri", redirect_uri),
        ];
        if let Some(verifier) = verifier {
            form.push(("code_verifier", verifier));
        }
        self.token_call(&form).await
    }

    /// Authorize (with the app's scopes) → approval page → "Allow", as a
    /// browser would; returns the decoded code from the callback. Panics if
    /// any step does not succeed.
    pub async fn authorize_and_get_code(
        &self,
        redirect_uri: &str,
        state: &str,
        challenge: Option<&str>,
    ) -> String {
        let http = http_client();
        let mut query = vec![
            ("response_type", "code"),
            ("client_id", self.options().client_id.as_str()),
            ("redirect_uri", redirect_uri),
            ("state", state),
        ];
        if let Some(challenge) = challenge {
            query.push(("code_challenge", challenge));
            query.push(("code_challenge_method", "S256"));
        }
        let mut authorize = url::Url::parse(&format!("{}/services/oauth2/authorize", self.url()))
            .expect("the authorize URL parses");
        authorize.query_pairs_mut().extend_pairs(&query);
        let page = http
            .get(authorize)
            .send()
            .await
            .expect("reach the mock authorize endpoint");
        assert_eq!(
            page.status(),
            StatusCode::OK,
            "authorize shows the approval page"
        );
        let page = page.text().await.expect("read the approval page");
        let request_id = request_id_from_page(&page).expect("the approval page has a request id");
        let callback = http
            .post(format!("{}/services/oauth2/authorize/decision", self.url()))
            .form(&[("request_id", request_id.as_str()), ("decision", "allow")])
            .send()
            .await
            .expect("reach the mock decision endpoint");
        assert_eq!(callback.status(), StatusCode::FOUND, "allow redirects");
        let location = location(&callback);
        assert_eq!(
            query_param(&location, "state").as_deref(),
            Some(state),
            "state comes back"
        );
        query_param(&location, "code").expect("the callback carries a code")
    }

    /// The whole web-server flow with PKCE; returns the token JSON.
    pub async fn login(&self, redirect_uri: &str) -> Value {
        let (verifier, challenge) = pkce_pair();
        let code = self
            .authorize_and_get_code(redirect_uri, "login-state", Some(&challenge))
            .await;
        self.exchange_code(&code, redirect_uri, Some(&verifier))
            .await
            .expect("the code exchange succeeds")
    }
}

impl Drop for MockSalesforce {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Extracts the request id from the approval page (`data-request-id="..."`).
pub fn request_id_from_page(html: &str) -> Option<String> {
    const MARK: &str = "data-request-id=\"";
    let start = html.find(MARK)? + MARK.len();
    let len = html[start..].find('"')?;
    Some(html[start..start + len].to_owned())
}

/// A fresh PKCE pair: `(code_verifier, S256 code_challenge)`.
pub fn pkce_pair() -> (String, String) {
    let verifier = random_token(32);
    let challenge = s256(&verifier);
    (verifier, challenge)
}

/// An HTTP client for talking to the mock: no redirects followed, no proxy.
pub fn http_client() -> reqwest::Client {
    // reqwest is built without a default TLS provider; ring is the crate's.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .timeout(std::time::Duration::from_secs(15))
        .build()
        .expect("build a reqwest client")
}

/// The `Location` header of a response.
pub fn location(response: &reqwest::Response) -> String {
    response
        .headers()
        .get(header::LOCATION)
        .expect("a Location header")
        .to_str()
        .expect("an ASCII Location")
        .to_owned()
}

/// A decoded query parameter of a URL.
pub fn query_param(url: &str, name: &str) -> Option<String> {
    let url = url::Url::parse(url).ok()?;
    url.query_pairs()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
}

/// Salesforce's own success page, the Callback URL of the connector's manual
/// guide: the code stays in its address bar for the user to copy.
async fn success_page() -> Html<&'static str> {
    Html(
        "<!doctype html><title>Remote Access Application Authorization</title>\
         <p>Remote Access Application Authorization</p>",
    )
}

fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/services/oauth2/authorize", get(authorize))
        .route("/services/oauth2/authorize/decision", post(decision))
        .route("/services/oauth2/token", post(token))
        .route("/services/oauth2/revoke", post(revoke))
        .route("/services/oauth2/success", get(success_page))
        .route("/id/{org}/{user}", get(identity))
        .route("/services/data", get(versions))
        .route("/services/data/", get(versions))
        .route("/services/data/{version}/query", get(query))
        .route("/services/data/{version}/query/{locator}", get(query_more))
        .fallback(not_found)
        .method_not_allowed_fallback(not_found)
        .with_state(shared)
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, MockState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Whether the `Authorization: Bearer` header holds a live access token.
    fn bearer_is_valid(&self, headers: &HeaderMap) -> bool {
        let token = headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| {
                value
                    .strip_prefix("Bearer ")
                    .or_else(|| value.strip_prefix("OAuth "))
            });
        token.is_some_and(|token| self.lock().access_tokens.contains_key(token.trim()))
    }

    fn id_url(&self) -> String {
        format!("{}/id/{ORG_ID}/{USER_ID}", self.base)
    }

    /// The JSON of a successful token answer (Salesforce's shape: no
    /// `expires_in`).
    fn token_answer(&self, access_token: &str, scopes: &[String]) -> Value {
        let issued_at = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .expect("the clock is after 1970")
            .as_millis()
            .to_string();
        let id = self.id_url();
        let signature = STANDARD.encode(
            ring::digest::digest(&ring::digest::SHA256, format!("{id}{issued_at}").as_bytes())
                .as_ref(),
        );
        json!({
            "access_token": access_token,
            "signature": signature,
            "scope": scopes.join(" "),
            "instance_url": self.base,
            "id": id,
            "token_type": "Bearer",
            "issued_at": issued_at,
        })
    }

    /// `grant_type=authorization_code`.
    fn exchange_code(
        &self,
        form: &[(String, String)],
        client: &Client,
    ) -> Result<Value, OAuthError> {
        let options = &self.options;
        let code_value = param(form, "code").unwrap_or_default();
        let mut state = self.lock();
        if state.used_codes.contains(code_value) {
            return Err(("invalid_grant", "expired authorization code"));
        }
        let Some(code) = state.codes.get(code_value) else {
            return Err(("invalid_grant", "invalid authorization code"));
        };
        if Instant::now() >= code.expires_at {
            state.codes.remove(code_value);
            state.used_codes.insert(code_value.to_owned());
            return Err(("invalid_grant", "expired authorization code"));
        }
        if client.id.as_deref() != Some(code.client_id.as_str()) {
            return Err(("invalid_client_id", "client identifier invalid"));
        }
        if client.secret.as_deref() != Some(options.client_secret.as_str()) {
            return Err(("invalid_client", "invalid client credentials"));
        }
        // The client is authenticated: from here on the code is spent.
        let code = state
            .codes
            .remove(code_value)
            .expect("the code was just found");
        state.used_codes.insert(code_value.to_owned());
        if param(form, "redirect_uri") != Some(code.redirect_uri.as_str()) {
            return Err(("invalid_grant", "redirect_uri mismatch"));
        }
        let verifier = param(form, "code_verifier");
        match (&code.challenge, verifier) {
            (None, None) => {}
            (Some(challenge), Some(verifier)) if s256(verifier) == *challenge => {}
            _ => return Err(("invalid_request", "invalid code verifier")),
        }
        let access_token = state.issue_access_token(None);
        let mut answer = self.token_answer(&access_token, &code.scopes);
        if grants_refresh_token(&code.scopes) {
            let refresh_token = state.issue_refresh_token(code.scopes.clone());
            state
                .access_tokens
                .insert(access_token, Some(refresh_token.clone()));
            answer["refresh_token"] = json!(refresh_token);
        }
        Ok(answer)
    }

    /// `grant_type=refresh_token`.
    fn refresh(&self, form: &[(String, String)], client: &Client) -> Result<Value, OAuthError> {
        let options = &self.options;
        if client.id.as_deref() != Some(options.client_id.as_str()) {
            return Err(("invalid_client_id", "client identifier invalid"));
        }
        if client.secret.as_deref() != Some(options.client_secret.as_str()) {
            return Err(("invalid_client", "invalid client credentials"));
        }
        let old = param(form, "refresh_token").unwrap_or_default();
        let mut state = self.lock();
        let Some(scopes) = state.refresh_tokens.get(old).cloned() else {
            return Err(("invalid_grant", "expired access/refresh token"));
        };
        let parent = if options.rotation {
            state.refresh_tokens.remove(old);
            let new = state.issue_refresh_token(scopes.clone());
            // Access tokens of the old refresh token now hang off the new one.
            for parent in state.access_tokens.values_mut() {
                if parent.as_deref() == Some(old) {
                    *parent = Some(new.clone());
                }
            }
            new
        } else {
            old.to_owned()
        };
        let access_token = state.issue_access_token(Some(parent.clone()));
        let mut answer = self.token_answer(&access_token, &scopes);
        if options.rotation {
            answer["refresh_token"] = json!(parent);
        }
        Ok(answer)
    }
}

impl MockState {
    fn remember(&mut self, secret: &str) {
        if !secret.is_empty() && !self.issued_secrets.iter().any(|s| s == secret) {
            self.issued_secrets.push(secret.to_owned());
        }
    }

    fn issue_access_token(&mut self, refresh_token: Option<String>) -> String {
        // Salesforce access tokens start with the org id and a `!`.
        let token = format!("00DMOCK000000001!AQ{}", random_token(48));
        self.remember(&token);
        self.access_tokens.insert(token.clone(), refresh_token);
        token
    }

    fn issue_refresh_token(&mut self, scopes: Vec<String>) -> String {
        let token = format!("5Aep861{}", random_token(48));
        self.remember(&token);
        self.refresh_tokens.insert(token.clone(), scopes);
        token
    }
}

// ---------------------------------------------------------------- OAuth

/// `GET /services/oauth2/authorize`
async fn authorize(State(mock): State<Arc<Shared>>, RawQuery(query): RawQuery) -> Response {
    mock.lock().authorize_requests += 1;
    let params = parse_form(query.unwrap_or_default().as_bytes());
    let options = &mock.options;

    // Salesforce's own page: these never reach the callback.
    if param(&params, "client_id") != Some(options.client_id.as_str()) {
        return error_page("invalid_client_id", "client identifier invalid");
    }
    let Some(redirect_uri) =
        param(&params, "redirect_uri").filter(|uri| options.callback_urls.iter().any(|c| c == uri))
    else {
        return error_page(
            "redirect_uri_mismatch",
            "redirect_uri must match configuration",
        );
    };

    // From here on, errors go back to the callback.
    let state = param(&params, "state");
    let fail = |error, description| error_redirect(redirect_uri, error, description, state);
    if param(&params, "response_type") != Some("code") {
        return fail("unsupported_response_type", "response type not supported");
    }
    let challenge = param(&params, "code_challenge").filter(|c| !c.is_empty());
    match challenge {
        None if options.require_pkce => {
            return fail("invalid_request", "missing required code challenge");
        }
        Some(_) if param(&params, "code_challenge_method") != Some("S256") => {
            return fail("invalid_request", "invalid code challenge method");
        }
        _ => {}
    }
    let Some(scopes) = grant_scopes(options, param(&params, "scope")) else {
        return fail("invalid_scope", "the requested scope is not allowed");
    };

    let request_id = random_token(18);
    let page = approval_page(&request_id, &scopes);
    mock.lock().pending.insert(
        request_id,
        PendingAuthorization {
            redirect_uri: redirect_uri.to_owned(),
            state: state.map(str::to_owned),
            challenge: challenge.map(str::to_owned),
            scopes,
        },
    );
    page
}

/// `POST /services/oauth2/authorize/decision`: the user's Allow or Deny.
async fn decision(State(mock): State<Arc<Shared>>, body: Bytes) -> Response {
    let form = parse_form(&body);
    let decision = param(&form, "decision");
    if !matches!(decision, Some("allow" | "deny")) {
        return (StatusCode::BAD_REQUEST, "unknown decision").into_response();
    }
    let request_id = param(&form, "request_id").unwrap_or_default();
    let mut state = mock.lock();
    let Some(request) = state.pending.remove(request_id) else {
        return (
            StatusCode::BAD_REQUEST,
            "unknown or already answered request",
        )
            .into_response();
    };
    if decision == Some("deny") {
        return error_redirect(
            &request.redirect_uri,
            "access_denied",
            "end-user denied authorization",
            request.state.as_deref(),
        );
    }
    // Real codes end in `==`, so they arrive as `%3D%3D`.
    let code = format!("aPrx{}==", random_token(33));
    state.remember(&code);
    state.codes.insert(
        code.clone(),
        Code {
            client_id: mock.options.client_id.clone(),
            redirect_uri: request.redirect_uri.clone(),
            challenge: request.challenge,
            scopes: request.scopes,
            expires_at: Instant::now() + CODE_LIFETIME,
        },
    );
    let mut pairs = vec![("code", code.as_str())];
    if let Some(state) = request.state.as_deref() {
        pairs.push(("state", state));
    }
    redirect(&request.redirect_uri, &pairs)
}

/// Client credentials from the body, or else from HTTP Basic.
struct Client {
    id: Option<String>,
    secret: Option<String>,
}

impl Client {
    fn from_request(form: &[(String, String)], headers: &HeaderMap) -> Client {
        let basic = headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Basic "))
            .and_then(|encoded| STANDARD.decode(encoded.trim()).ok())
            .and_then(|decoded| String::from_utf8(decoded).ok())
            .and_then(|decoded| {
                let (id, secret) = decoded.split_once(':')?;
                Some((id.to_owned(), secret.to_owned()))
            });
        let (basic_id, basic_secret) = basic.unzip();
        Client {
            id: param(form, "client_id").map(str::to_owned).or(basic_id),
            secret: param(form, "client_secret")
                .map(str::to_owned)
                .or(basic_secret),
        }
    }
}

/// `POST /services/oauth2/token`
async fn token(State(mock): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Response {
    let form = parse_form(&body);
    let client = Client::from_request(&form, &headers);
    {
        let mut state = mock.lock();
        state.token_requests.push(form.clone());
        if let Some(secret) = &client.secret {
            state.remember(secret);
        }
        if let Some(verifier) = param(&form, "code_verifier") {
            state.remember(verifier);
        }
    }
    let result = match param(&form, "grant_type") {
        Some("authorization_code") => mock.exchange_code(&form, &client),
        Some("refresh_token") => mock.refresh(&form, &client),
        _ => Err(("unsupported_grant_type", "grant type not supported")),
    };
    match result {
        Ok(answer) => axum::Json(answer).into_response(),
        Err(error) => oauth_error(error),
    }
}

/// `POST /services/oauth2/revoke`: a refresh token takes its access tokens
/// with it; an access token goes alone.
async fn revoke(State(mock): State<Arc<Shared>>, body: Bytes) -> Response {
    let form = parse_form(&body);
    let token = param(&form, "token").unwrap_or_default();
    let mut state = mock.lock();
    if state.refresh_tokens.remove(token).is_some() {
        state
            .access_tokens
            .retain(|_, parent| parent.as_deref() != Some(token));
    } else if state.access_tokens.remove(token).is_none() {
        return oauth_error(("invalid_token", "invalid token"));
    }
    StatusCode::OK.into_response()
}

/// `GET /id/{org}/{user}`
async fn identity(
    State(mock): State<Arc<Shared>>,
    Path((org, user)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    if !mock.bearer_is_valid(&headers) {
        return (StatusCode::FORBIDDEN, "Bad_OAuth_Token").into_response();
    }
    if org != ORG_ID || user != USER_ID {
        return (StatusCode::NOT_FOUND, "Bad_Id").into_response();
    }
    let base = &mock.base;
    let data = format!("{base}/services/data/v{{version}}");
    axum::Json(json!({
        "id": mock.id_url(),
        "asserted_user": true,
        "user_id": USER_ID,
        "organization_id": ORG_ID,
        "username": USERNAME,
        "nick_name": "admin",
        "display_name": "Ada Admin",
        "email": USERNAME,
        "email_verified": true,
        "first_name": "Ada",
        "last_name": "Admin",
        "timezone": "Europe/Paris",
        "active": true,
        "user_type": "STANDARD",
        "language": "en_US",
        "locale": "en_US",
        "utcOffset": 3_600_000,
        "last_modified_date": "2025-01-15T09:30:00Z",
        "is_app_installed": true,
        "urls": {
            "enterprise": format!("{base}/services/Soap/c/{{version}}/00DMOCK000000001"),
            "metadata": format!("{base}/services/Soap/m/{{version}}/00DMOCK000000001"),
            "partner": format!("{base}/services/Soap/u/{{version}}/00DMOCK000000001"),
            "rest": format!("{data}/"),
            "sobjects": format!("{data}/sobjects/"),
            "search": format!("{data}/search/"),
            "query": format!("{data}/query/"),
            "recent": format!("{data}/recent/"),
            "tooling_soap": format!("{base}/services/Soap/T/{{version}}/00DMOCK000000001"),
            "tooling_rest": format!("{data}/tooling/"),
            "profile": format!("{base}/{USER_ID}"),
            "users": format!("{data}/chatter/users"),
            "custom_domain": base,
        },
    }))
    .into_response()
}

// ------------------------------------------------------------------ REST

/// `GET /services/data/`: no authentication needed.
async fn versions() -> Response {
    let list: Vec<Value> = VERSIONS
        .iter()
        .map(|(version, label)| {
            json!({"label": label, "url": format!("/services/data/v{version}"), "version": version})
        })
        .collect();
    axum::Json(list).into_response()
}

/// `GET /services/data/v{version}/query?q=SOQL`
async fn query(
    State(mock): State<Arc<Shared>>,
    Path(version): Path<String>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    if let Some(refusal) = rest_refusal(&mock, &version, &headers) {
        return refusal;
    }
    let params = parse_form(raw.unwrap_or_default().as_bytes());
    let Some(soql) = param(&params, "q") else {
        return rest_error(
            StatusCode::BAD_REQUEST,
            "MALFORMED_QUERY",
            "A query string has to be specified",
        );
    };
    let words: Vec<&str> = soql.split_whitespace().collect();
    let Some(from) = words.iter().position(|w| w.eq_ignore_ascii_case("from")) else {
        return rest_error(
            StatusCode::BAD_REQUEST,
            "MALFORMED_QUERY",
            "unexpected token: <EOF>: expecting FROM",
        );
    };
    let Some(name) = words.get(from + 1) else {
        return rest_error(
            StatusCode::BAD_REQUEST,
            "MALFORMED_QUERY",
            "unexpected token: <EOF>",
        );
    };
    let Some(object) = SObject::parse(name) else {
        return rest_error(
            StatusCode::BAD_REQUEST,
            "INVALID_TYPE",
            &format!(
                "sObject type '{name}' is not supported. If you are attempting to use a custom \
                 object, be sure to append the '__c' after the entity name."
            ),
        );
    };
    let compact: String = soql
        .to_ascii_lowercase()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let cursor = Cursor {
        object,
        active_only: object == SObject::User && compact.contains("isactive=true"),
    };
    if compact.starts_with("selectcount()from") {
        let total = count(&mock.options, cursor);
        return axum::Json(json!({"totalSize": total, "done": true, "records": []}))
            .into_response();
    }
    axum::Json(page(&mock, &version, None, cursor, 0)).into_response()
}

/// `GET /services/data/v{version}/query/{cursor}-{offset}`: the next page.
async fn query_more(
    State(mock): State<Arc<Shared>>,
    Path((version, locator)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    if let Some(refusal) = rest_refusal(&mock, &version, &headers) {
        return refusal;
    }
    let found = locator.rsplit_once('-').and_then(|(id, offset)| {
        let offset: usize = offset.parse().ok()?;
        let cursor = *mock.lock().cursors.get(id)?;
        Some((id.to_owned(), cursor, offset))
    });
    let Some((id, cursor, offset)) = found else {
        return rest_error(
            StatusCode::BAD_REQUEST,
            "INVALID_QUERY_LOCATOR",
            "invalid query locator",
        );
    };
    axum::Json(page(&mock, &version, Some(id), cursor, offset)).into_response()
}

/// The checks every REST call passes (token, version, API access): the
/// refusal, if any.
fn rest_refusal(mock: &Shared, version: &str, headers: &HeaderMap) -> Option<Response> {
    if !mock.bearer_is_valid(headers) {
        return Some(rest_error(
            StatusCode::UNAUTHORIZED,
            "INVALID_SESSION_ID",
            "Session expired or invalid",
        ));
    }
    let known = version
        .strip_prefix('v')
        .is_some_and(|v| VERSIONS.iter().any(|(known, _)| *known == v));
    if !known {
        return Some(rest_error(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            "The requested resource does not exist",
        ));
    }
    if mock.options.api_disabled {
        return Some(rest_error(
            StatusCode::FORBIDDEN,
            "API_DISABLED_FOR_ORG",
            "The REST API is not enabled for this Organization.",
        ));
    }
    None
}

/// One page of results from `offset`; registers a cursor when more remain.
fn page(
    mock: &Shared,
    version: &str,
    cursor_id: Option<String>,
    cursor: Cursor,
    offset: usize,
) -> Value {
    let options = &mock.options;
    let total = count(options, cursor);
    let page_size = options.page_size.max(1);
    let records = records(options, cursor, version, offset, page_size);
    let next = offset + records.len();
    let done = next >= total;
    let mut answer = json!({"totalSize": total, "done": done, "records": records});
    if !done {
        let id = cursor_id.unwrap_or_else(|| {
            let mut state = mock.lock();
            let id = format!("01gMOCK{:09}AAA", state.cursors.len() + 1);
            state.cursors.insert(id.clone(), cursor);
            id
        });
        answer["nextRecordsUrl"] = json!(format!("/services/data/{version}/query/{id}-{next}"));
    }
    answer
}

/// The objects the mock can query.
#[derive(Clone, Copy, PartialEq, Eq)]
enum SObject {
    Organization,
    UserLicense,
    PermissionSetLicense,
    User,
}

impl SObject {
    const ALL: [SObject; 4] = [
        SObject::Organization,
        SObject::UserLicense,
        SObject::PermissionSetLicense,
        SObject::User,
    ];

    /// Object names are case-insensitive in SOQL.
    fn parse(name: &str) -> Option<SObject> {
        Self::ALL
            .into_iter()
            .find(|object| object.name().eq_ignore_ascii_case(name))
    }

    fn name(self) -> &'static str {
        match self {
            SObject::Organization => "Organization",
            SObject::UserLicense => "UserLicense",
            SObject::PermissionSetLicense => "PermissionSetLicense",
            SObject::User => "User",
        }
    }
}

fn count(options: &MockOptions, cursor: Cursor) -> usize {
    match cursor.object {
        SObject::User if cursor.active_only => {
            (0..options.users).filter(|&i| user_is_active(i)).count()
        }
        SObject::User => options.users,
        _ => static_records(options, cursor.object, "v62.0").len(),
    }
}

/// Records `offset..offset + limit`; users are generated on the fly.
fn records(
    options: &MockOptions,
    cursor: Cursor,
    version: &str,
    offset: usize,
    limit: usize,
) -> Vec<Value> {
    match cursor.object {
        SObject::User => (0..options.users)
            .filter(|&i| !cursor.active_only || user_is_active(i))
            .skip(offset)
            .take(limit)
            .map(|i| user(i, version))
            .collect(),
        object => static_records(options, object, version)
            .into_iter()
            .skip(offset)
            .take(limit)
            .collect(),
    }
}

/// `"attributes": {"type", "url"}` as Salesforce puts on every record.
fn attributes(object: SObject, id: &str, version: &str) -> Value {
    let name = object.name();
    json!({"type": name, "url": format!("/services/data/{version}/sobjects/{name}/{id}")})
}

fn static_records(options: &MockOptions, object: SObject, version: &str) -> Vec<Value> {
    let with_attributes = |id: &str, mut fields: Value| {
        fields["attributes"] = attributes(object, id, version);
        fields["Id"] = json!(id);
        fields
    };
    match object {
        SObject::Organization => vec![with_attributes(
            ORG_ID,
            json!({
                "Name": "Acme Mock Inc",
                "OrganizationType": "Enterprise Edition",
                "IsSandbox": options.is_sandbox,
                "InstanceName": "MOCK1",
            }),
        )],
        SObject::UserLicense => {
            let used = (0..options.users)
                .filter(|&i| user_is_active(i) && user_type(i) == "Standard")
                .count();
            let licenses = [
                ("Salesforce", "SFDC", used.max(50), used),
                ("Salesforce Platform", "AUL", 100, 3),
                ("Partner Community", "PID_Partner_Community", 500, 12),
                ("Chatter Free", "PID_Chatter", 5000, 0),
            ];
            licenses
                .iter()
                .enumerate()
                .map(|(n, (label, key, total, used))| {
                    with_attributes(
                        &format!("100MOCK{:09}AAA", n + 1),
                        json!({
                            "MasterLabel": label,
                            "Name": label,
                            "Status": "Active",
                            "TotalLicenses": total,
                            "UsedLicenses": used,
                            "LicenseDefinitionKey": key,
                            "CreatedDate": "2019-04-12T09:31:07.000+0000",
                        }),
                    )
                })
                .collect()
        }
        SObject::PermissionSetLicense => vec![
            with_attributes(
                "0PLMOCK000000001AAA",
                json!({
                    "MasterLabel": "Sales Console User",
                    "DeveloperName": "SalesConsoleUser",
                    "Status": "Active",
                    "TotalLicenses": 10,
                    "UsedLicenses": 2,
                    "ExpirationDate": null,
                }),
            ),
            with_attributes(
                "0PLMOCK000000002AAA",
                json!({
                    "MasterLabel": "Identity Connect",
                    "DeveloperName": "IdentityConnect",
                    "Status": "Active",
                    "TotalLicenses": 20,
                    "UsedLicenses": 0,
                    "ExpirationDate": "2026-12-31",
                }),
            ),
        ],
        SObject::User => Vec::new(),
    }
}

// Users are a pure function of their index, with odd data on purpose.

fn user_is_active(i: usize) -> bool {
    i % 7 != 3
}

fn user_type(i: usize) -> &'static str {
    match i % 20 {
        2 => "PowerPartner",
        4 => "CsnOnly",
        _ => "Standard",
    }
}

/// The `i`th generated user record, as the REST API returns it.
pub fn user(i: usize, version: &str) -> Value {
    const FIRST: [&str; 6] = ["Ada", "Bram", "Chloé", "Dev", "Eitan", "Fiona"];
    const LAST: [&str; 5] = ["Okafor", "Lindqvist", "O'Brien", "Nakamura", "Smith"];
    // Mixed-case domains on purpose: `x@ACME.COM` and `x@acme.com` are one domain.
    const DOMAINS: [&str; 6] = [
        "acme.com",
        "ACME.COM",
        "acme.co.uk",
        "example.org",
        "Acme.Co.UK",
        "example.org",
    ];
    let first = FIRST[i % FIRST.len()];
    let last = LAST[i % LAST.len()];
    let id = format!("005MOCK{:09}AAA", i + 2); // 005MOCK000000001AAA is the admin
    let local = format!(
        "{}.{}{i}",
        first.to_lowercase(),
        last.to_lowercase().replace('\'', "")
    );
    // User 0 has no email at all.
    let email = (i != 0).then(|| format!("{local}@{}", DOMAINS[i % DOMAINS.len()]));
    json!({
        "attributes": attributes(SObject::User, &id, version),
        "Id": id,
        "Username": format!("{local}@acme-mock.example"),
        "Email": email,
        "IsActive": user_is_active(i),
        "UserType": user_type(i),
        "FirstName": first,
        "LastName": last,
        "Name": format!("{first} {last}"),
    })
}

// --------------------------------------------------------------- helpers

async fn not_found() -> Response {
    rest_error(
        StatusCode::NOT_FOUND,
        "NOT_FOUND",
        "The requested resource does not exist",
    )
}

/// Salesforce's REST error: a JSON array of one error.
fn rest_error(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        axum::Json(json!([{"message": message, "errorCode": code, "fields": []}])),
    )
        .into_response()
}

/// HTTP 400 `{"error", "error_description"}` (application/json).
fn oauth_error((error, description): OAuthError) -> Response {
    (
        StatusCode::BAD_REQUEST,
        axum::Json(json!({"error": error, "error_description": description})),
    )
        .into_response()
}

/// Salesforce's own error page, shown instead of redirecting.
fn error_page(error: &str, description: &str) -> Response {
    let body = format!(
        "<!doctype html><html><head><title>Error</title></head><body>\
         <h1>OAuth Error</h1><p>We can't authorize you because of an OAuth error.</p>\
         <p>error={error}&amp;error_description={description}</p></body></html>"
    );
    (StatusCode::BAD_REQUEST, Html(body)).into_response()
}

/// 302 to the callback with `error`, `error_description` and `state`.
fn error_redirect(
    redirect_uri: &str,
    error: &str,
    description: &str,
    state: Option<&str>,
) -> Response {
    let mut pairs = vec![("error", error), ("error_description", description)];
    if let Some(state) = state {
        pairs.push(("state", state));
    }
    redirect(redirect_uri, &pairs)
}

/// 302 to `uri` with `pairs` appended to its query (form-encoded).
fn redirect(uri: &str, pairs: &[(&str, &str)]) -> Response {
    let Ok(mut url) = url::Url::parse(uri) else {
        return error_page(
            "redirect_uri_mismatch",
            "redirect_uri must match configuration",
        );
    };
    url.query_pairs_mut().extend_pairs(pairs);
    (StatusCode::FOUND, [(header::LOCATION, url.to_string())]).into_response()
}

fn approval_page(request_id: &str, scopes: &[String]) -> Response {
    let scopes: String = scopes
        .iter()
        .map(|scope| format!("<li>{}</li>", escape(scope)))
        .collect();
    Html(format!(
        "<!doctype html><html><head><title>Allow Access?</title></head><body>\
         <h1>Allow Access?</h1><p>The mock app is asking to:</p><ul>{scopes}</ul>\
         <form method=\"post\" action=\"/services/oauth2/authorize/decision\" \
         data-request-id=\"{request_id}\">\
         <input type=\"hidden\" name=\"request_id\" value=\"{request_id}\">\
         <button id=\"allow\" name=\"decision\" value=\"allow\">Allow</button>\
         <button id=\"deny\" name=\"decision\" value=\"deny\">Deny</button>\
         </form></body></html>"
    ))
    .into_response()
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The scopes to grant: `None` when strict and the app lacks one. No
/// `scope` parameter means the app's scopes.
fn grant_scopes(options: &MockOptions, requested: Option<&str>) -> Option<Vec<String>> {
    let canonical = |scope: &str| {
        if scope == "offline_access" {
            "refresh_token".to_owned()
        } else {
            scope.to_owned()
        }
    };
    let app_has = |scope: &str| {
        options
            .app_scopes
            .iter()
            .any(|app| canonical(app) == canonical(scope))
    };
    let mut requested: Vec<String> = requested
        .unwrap_or_default()
        .split_whitespace()
        .map(str::to_owned)
        .collect();
    if requested.is_empty() {
        requested = options.app_scopes.clone();
    }
    if options.strict_scopes && !requested.iter().all(|scope| app_has(scope)) {
        return None;
    }
    let mut granted: Vec<String> = Vec::new();
    for scope in requested {
        if app_has(&scope) && !granted.contains(&scope) {
            granted.push(scope);
        }
    }
    Some(granted)
}

fn grants_refresh_token(scopes: &[String]) -> bool {
    scopes
        .iter()
        .any(|scope| scope == "refresh_token" || scope == "offline_access")
}

/// `BASE64URL-NOPAD(SHA256(verifier))`
fn s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(ring::digest::digest(
        &ring::digest::SHA256,
        verifier.as_bytes(),
    ))
}

fn random_token(bytes: usize) -> String {
    let mut buffer = vec![0; bytes];
    SystemRandom::new()
        .fill(&mut buffer)
        .expect("the system's random source works");
    URL_SAFE_NO_PAD.encode(buffer)
}

fn parse_form(bytes: &[u8]) -> Vec<(String, String)> {
    url::form_urlencoded::parse(bytes).into_owned().collect()
}

/// The first value of a form or query parameter.
fn param<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.as_str())
}

// ----------------------------------------------------------------- tests

const CALLBACK: &str = "http://localhost:8719/callback";

async fn mock() -> MockSalesforce {
    mock_with(MockOptions::default()).await
}

async fn mock_with(options: MockOptions) -> MockSalesforce {
    MockSalesforce::start(MockOptions {
        callback_urls: vec![CALLBACK.to_owned()],
        ..options
    })
    .await
}

/// `GET /services/oauth2/authorize` with the mock's client id and `extra`.
async fn get_authorize(mock: &MockSalesforce, extra: &[(&str, &str)]) -> reqwest::Response {
    let mut url = url::Url::parse(&format!("{}/services/oauth2/authorize", mock.url()))
        .expect("the authorize URL parses");
    url.query_pairs_mut()
        .append_pair("client_id", &mock.options().client_id)
        .extend_pairs(extra);
    http_client()
        .get(url)
        .send()
        .await
        .expect("reach the authorize endpoint")
}

/// `GET` a REST path with a bearer token: `(status, JSON body)`.
async fn get_json(mock: &MockSalesforce, path: &str, token: &str) -> (StatusCode, Value) {
    let response = http_client()
        .get(format!("{}{path}", mock.url()))
        .bearer_auth(token)
        .send()
        .await
        .expect("reach the mock");
    let status = response.status();
    let body = response.bytes().await.expect("read the body");
    (
        status,
        serde_json::from_slice(&body).expect("the answer is JSON"),
    )
}

fn access_token(tokens: &Value) -> String {
    tokens["access_token"]
        .as_str()
        .expect("an access token")
        .to_owned()
}

fn refresh_token(tokens: &Value) -> String {
    tokens["refresh_token"]
        .as_str()
        .expect("a refresh token")
        .to_owned()
}

fn error_of(answer: &Value) -> (&str, &str) {
    (
        answer["error"].as_str().expect("an error"),
        answer["error_description"].as_str().expect("a description"),
    )
}

#[tokio::test]
async fn mock_issues_codes_that_end_in_encoded_padding() {
    let mock = mock().await;
    let (_, challenge) = pkce_pair();
    let page = get_authorize(
        &mock,
        &[
            ("response_type", "code"),
            ("redirect_uri", CALLBACK),
            ("state", "s1"),
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
        ],
    )
    .await;
    let html = page.text().await.expect("the approval page");
    assert!(html.contains(r#"<button id="allow" name="decision" value="allow">Allow</button>"#));
    let request_id = request_id_from_page(&html).expect("a request id");
    let callback = http_client()
        .post(format!("{}/services/oauth2/authorize/decision", mock.url()))
        .form(&[("request_id", request_id.as_str()), ("decision", "allow")])
        .send()
        .await
        .expect("reach the decision endpoint");
    assert_eq!(callback.status(), StatusCode::FOUND);
    let location = location(&callback);
    assert!(
        location.starts_with(&format!("{CALLBACK}?code=")),
        "{location}"
    );
    assert!(location.contains("%3D%3D&state=s1"), "{location}");
    let code = query_param(&location, "code").expect("a code");
    assert!(code.ends_with("=="));
    assert!(mock.issued_secrets().contains(&code));
    assert_eq!(mock.authorize_requests(), 1);
}

#[tokio::test]
async fn mock_token_response_has_no_expires_in() {
    let mock = mock().await;
    let tokens = mock.login(CALLBACK).await;
    let base = mock.url();
    assert!(tokens.get("expires_in").is_none(), "{tokens}");
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["instance_url"], json!(base));
    assert_eq!(tokens["id"], json!(format!("{base}/id/{ORG_ID}/{USER_ID}")));
    assert_eq!(tokens["scope"], "refresh_token api full");
    let issued_at = tokens["issued_at"].as_str().expect("issued_at is a string");
    assert!(issued_at.parse::<u64>().is_ok(), "{issued_at}");
    assert!(
        tokens["signature"]
            .as_str()
            .is_some_and(|s| STANDARD.decode(s).is_ok())
    );
    let secrets = mock.issued_secrets();
    assert!(secrets.contains(&access_token(&tokens)));
    assert!(secrets.contains(&refresh_token(&tokens)));
}

#[tokio::test]
async fn mock_records_token_requests_and_received_secrets() {
    let mock = mock().await;
    let (verifier, challenge) = pkce_pair();
    let code = mock
        .authorize_and_get_code(CALLBACK, "s", Some(&challenge))
        .await;
    mock.exchange_code(&code, CALLBACK, Some(&verifier))
        .await
        .expect("the exchange succeeds");
    let requests = mock.token_requests();
    assert_eq!(requests.len(), 1);
    let has = |key: &str, value: &str| requests[0].iter().any(|(k, v)| k == key && v == value);
    assert!(has("redirect_uri", CALLBACK));
    assert!(has("code_verifier", &verifier));
    assert!(has("code", &code));
    let secrets = mock.issued_secrets();
    assert!(secrets.contains(&verifier));
    assert!(secrets.contains(&mock.options().client_secret));
}

#[tokio::test]
async fn mock_rejects_a_reused_code() {
    let mock = mock().await;
    let (verifier, challenge) = pkce_pair();
    let code = mock
        .authorize_and_get_code(CALLBACK, "s", Some(&challenge))
        .await;
    mock.exchange_code(&code, CALLBACK, Some(&verifier))
        .await
        .expect("the first exchange succeeds");
    let again = mock
        .exchange_code(&code, CALLBACK, Some(&verifier))
        .await
        .expect_err("the second exchange fails");
    assert_eq!(
        error_of(&again),
        ("invalid_grant", "expired authorization code")
    );
}

#[tokio::test]
async fn mock_rejects_an_unknown_or_expired_code() {
    let mock = mock().await;
    let unknown = mock
        .exchange_code("aPrxNotAReal==", CALLBACK, None)
        .await
        .expect_err("an unknown code fails");
    assert_eq!(
        error_of(&unknown),
        ("invalid_grant", "invalid authorization code")
    );

    let (verifier, challenge) = pkce_pair();
    let code = mock
        .authorize_and_get_code(CALLBACK, "s", Some(&challenge))
        .await;
    mock.expire_codes();
    let expired = mock
        .exchange_code(&code, CALLBACK, Some(&verifier))
        .await
        .expect_err("an expired code fails");
    assert_eq!(
        error_of(&expired),
        ("invalid_grant", "expired authorization code")
    );
}

#[tokio::test]
async fn mock_rejects_a_wrong_code_verifier() {
    let mock = mock().await;
    let (_, challenge) = pkce_pair();
    let (other_verifier, _) = pkce_pair();
    let code = mock
        .authorize_and_get_code(CALLBACK, "s", Some(&challenge))
        .await;
    let wrong = mock
        .exchange_code(&code, CALLBACK, Some(&other_verifier))
        .await
        .expect_err("a wrong verifier fails");
    assert_eq!(
        error_of(&wrong),
        ("invalid_request", "invalid code verifier")
    );
}

#[tokio::test]
async fn mock_rejects_a_missing_code_verifier_when_a_challenge_was_sent() {
    let mock = mock_with(MockOptions {
        require_pkce: false,
        ..MockOptions::default()
    })
    .await;
    let (_, challenge) = pkce_pair();
    let code = mock
        .authorize_and_get_code(CALLBACK, "s", Some(&challenge))
        .await;
    let missing = mock
        .exchange_code(&code, CALLBACK, None)
        .await
        .expect_err("no verifier fails");
    assert_eq!(
        error_of(&missing),
        ("invalid_request", "invalid code verifier")
    );
}

#[tokio::test]
async fn mock_rejects_a_verifier_when_no_challenge_was_sent() {
    let mock = mock_with(MockOptions {
        require_pkce: false,
        ..MockOptions::default()
    })
    .await;
    let code = mock.authorize_and_get_code(CALLBACK, "s", None).await;
    let (verifier, _) = pkce_pair();
    let extra = mock
        .exchange_code(&code, CALLBACK, Some(&verifier))
        .await
        .expect_err("an unexpected verifier fails");
    assert_eq!(error_of(&extra).0, "invalid_request");
}

#[tokio::test]
async fn mock_accepts_no_pkce_when_the_app_does_not_require_it() {
    let mock = mock_with(MockOptions {
        require_pkce: false,
        ..MockOptions::default()
    })
    .await;
    let code = mock.authorize_and_get_code(CALLBACK, "s", None).await;
    let tokens = mock
        .exchange_code(&code, CALLBACK, None)
        .await
        .expect("the exchange succeeds");
    assert!(tokens["refresh_token"].is_string());
}

#[tokio::test]
async fn mock_rejects_a_redirect_uri_that_differs_from_authorize() {
    let mock = mock_with(MockOptions {
        callback_urls: vec![
            CALLBACK.to_owned(),
            "http://localhost:8719/other".to_owned(),
        ],
        ..MockOptions::default()
    })
    .await;
    let (verifier, challenge) = pkce_pair();
    let code = mock
        .authorize_and_get_code(CALLBACK, "s", Some(&challenge))
        .await;
    let differs = mock
        .exchange_code(&code, "http://localhost:8719/other", Some(&verifier))
        .await
        .expect_err("another redirect_uri fails");
    assert_eq!(
        error_of(&differs),
        ("invalid_grant", "redirect_uri mismatch")
    );
    // The failed attempt consumed the code.
    let retry = mock
        .exchange_code(&code, CALLBACK, Some(&verifier))
        .await
        .expect_err("the code is spent");
    assert_eq!(
        error_of(&retry),
        ("invalid_grant", "expired authorization code")
    );
}

#[tokio::test]
async fn mock_rejects_a_wrong_client_secret_without_consuming_the_code() {
    let mock = mock().await;
    let (verifier, challenge) = pkce_pair();
    let code = mock
        .authorize_and_get_code(CALLBACK, "s", Some(&challenge))
        .await;
    let wrong = mock
        .token_call(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("client_id", &mock.options().client_id),
            ("client_secret", "not-the-secret"),
            ("redirect_uri", CALLBACK),
            ("code_verifier", &verifier),
        ])
        .await
        .expect_err("a wrong secret fails");
    assert_eq!(
        error_of(&wrong),
        ("invalid_client", "invalid client credentials")
    );
    assert!(mock.issued_secrets().contains(&"not-the-secret".to_owned()));
    mock.exchange_code(&code, CALLBACK, Some(&verifier))
        .await
        .expect("the code still works with the right secret");
}

#[tokio::test]
async fn mock_rejects_a_wrong_client_id_at_the_token_endpoint() {
    let mock = mock().await;
    let (verifier, challenge) = pkce_pair();
    let code = mock
        .authorize_and_get_code(CALLBACK, "s", Some(&challenge))
        .await;
    let wrong = mock
        .token_call(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("client_id", "3MVG9someoneElse"),
            ("client_secret", &mock.options().client_secret),
            ("redirect_uri", CALLBACK),
            ("code_verifier", &verifier),
        ])
        .await
        .expect_err("a wrong client id fails");
    assert_eq!(
        error_of(&wrong),
        ("invalid_client_id", "client identifier invalid")
    );
}

#[tokio::test]
async fn mock_accepts_http_basic_client_credentials() {
    let mock = mock().await;
    let (verifier, challenge) = pkce_pair();
    let code = mock
        .authorize_and_get_code(CALLBACK, "s", Some(&challenge))
        .await;
    let options = mock.options();
    let response = http_client()
        .post(format!("{}/services/oauth2/token", mock.url()))
        .basic_auth(&options.client_id, Some(&options.client_secret))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", CALLBACK),
            ("code_verifier", verifier.as_str()),
        ])
        .send()
        .await
        .expect("reach the token endpoint");
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn mock_rejects_an_unsupported_grant_type_as_json() {
    let mock = mock().await;
    let response = http_client()
        .post(format!("{}/services/oauth2/token", mock.url()))
        .form(&[("grant_type", "password")])
        .send()
        .await
        .expect("reach the token endpoint");
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let content_type = response.headers()[header::CONTENT_TYPE].clone();
    assert_eq!(content_type, "application/json");
    let body: Value =
        serde_json::from_slice(&response.bytes().await.expect("a body")).expect("JSON");
    assert_eq!(
        error_of(&body),
        ("unsupported_grant_type", "grant type not supported")
    );
}

#[tokio::test]
async fn mock_requires_pkce_when_the_app_does() {
    let mock = mock().await;
    let response = get_authorize(
        &mock,
        &[
            ("response_type", "code"),
            ("redirect_uri", CALLBACK),
            ("state", "xyz"),
        ],
    )
    .await;
    assert_eq!(response.status(), StatusCode::FOUND);
    assert_eq!(
        location(&response),
        format!(
            "{CALLBACK}?error=invalid_request&error_description=missing+required+code+challenge&state=xyz"
        )
    );
}

#[tokio::test]
async fn mock_accepts_only_the_s256_challenge_method() {
    let mock = mock().await;
    let response = get_authorize(
        &mock,
        &[
            ("response_type", "code"),
            ("redirect_uri", CALLBACK),
            ("code_challenge", "abc"),
            ("code_challenge_method", "plain"),
        ],
    )
    .await;
    assert_eq!(
        query_param(&location(&response), "error").as_deref(),
        Some("invalid_request")
    );
}

#[tokio::test]
async fn mock_shows_its_own_page_for_an_unknown_client_id() {
    let mock = mock().await;
    let response = http_client()
        .get(format!(
            "{}/services/oauth2/authorize?response_type=code&client_id=nope&redirect_uri={CALLBACK}",
            mock.url()
        ))
        .send()
        .await
        .expect("reach the authorize endpoint");
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let html = response.text().await.expect("a page");
    assert!(html.contains("error=invalid_client_id"));
    assert!(html.contains("client identifier invalid"));
}

#[tokio::test]
async fn mock_shows_its_own_page_for_an_unregistered_redirect_uri() {
    let mock = mock().await;
    // Same path, other host: not byte-identical, so refused.
    let response = get_authorize(
        &mock,
        &[
            ("response_type", "code"),
            ("redirect_uri", "http://127.0.0.1:8719/callback"),
        ],
    )
    .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(response.headers().get(header::LOCATION).is_none());
    let html = response.text().await.expect("a page");
    assert!(html.contains("error=redirect_uri_mismatch"));
    assert!(html.contains("redirect_uri must match configuration"));
}

#[tokio::test]
async fn mock_redirects_unsupported_response_types() {
    let mock = mock().await;
    let response = get_authorize(
        &mock,
        &[("response_type", "token"), ("redirect_uri", CALLBACK)],
    )
    .await;
    assert_eq!(
        query_param(&location(&response), "error").as_deref(),
        Some("unsupported_response_type")
    );
}

#[tokio::test]
async fn mock_redirects_access_denied_when_the_user_denies() {
    let mock = mock().await;
    let (_, challenge) = pkce_pair();
    let page = get_authorize(
        &mock,
        &[
            ("response_type", "code"),
            ("redirect_uri", CALLBACK),
            ("state", "st"),
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
        ],
    )
    .await;
    let request_id =
        request_id_from_page(&page.text().await.expect("a page")).expect("a request id");
    let decide = || {
        http_client()
            .post(format!("{}/services/oauth2/authorize/decision", mock.url()))
            .form(&[("request_id", request_id.as_str()), ("decision", "deny")])
            .send()
    };
    let denied = decide().await.expect("reach the decision endpoint");
    assert_eq!(
        location(&denied),
        format!(
            "{CALLBACK}?error=access_denied&error_description=end-user+denied+authorization&state=st"
        )
    );
    let again = decide().await.expect("reach the decision endpoint");
    assert_eq!(
        again.status(),
        StatusCode::BAD_REQUEST,
        "a request is answered once"
    );
}

#[tokio::test]
async fn mock_rejects_scopes_the_app_lacks_when_strict() {
    let mock = mock_with(MockOptions {
        app_scopes: vec!["api".to_owned()],
        ..MockOptions::default()
    })
    .await;
    let (_, challenge) = pkce_pair();
    let response = get_authorize(
        &mock,
        &[
            ("response_type", "code"),
            ("redirect_uri", CALLBACK),
            ("scope", "api refresh_token"),
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
        ],
    )
    .await;
    assert_eq!(
        query_param(&location(&response), "error").as_deref(),
        Some("invalid_scope")
    );
}

#[tokio::test]
async fn mock_grants_no_refresh_token_without_the_scope_when_lenient() {
    let mock = mock_with(MockOptions {
        app_scopes: vec!["api".to_owned(), "full".to_owned()],
        strict_scopes: false,
        ..MockOptions::default()
    })
    .await;
    let (verifier, challenge) = pkce_pair();
    let page = get_authorize(
        &mock,
        &[
            ("response_type", "code"),
            ("redirect_uri", CALLBACK),
            ("scope", "refresh_token api full"),
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
        ],
    )
    .await;
    let request_id =
        request_id_from_page(&page.text().await.expect("a page")).expect("a request id");
    let callback = http_client()
        .post(format!("{}/services/oauth2/authorize/decision", mock.url()))
        .form(&[("request_id", request_id.as_str()), ("decision", "allow")])
        .send()
        .await
        .expect("reach the decision endpoint");
    let code = query_param(&location(&callback), "code").expect("a code");
    let tokens = mock
        .exchange_code(&code, CALLBACK, Some(&verifier))
        .await
        .expect("the exchange succeeds");
    assert!(tokens.get("refresh_token").is_none(), "{tokens}");
    assert_eq!(tokens["scope"], "api full");
}

#[tokio::test]
async fn mock_treats_offline_access_as_refresh_token() {
    let mock = mock().await;
    let (_, challenge) = pkce_pair();
    let response = get_authorize(
        &mock,
        &[
            ("response_type", "code"),
            ("redirect_uri", CALLBACK),
            ("scope", "offline_access api"),
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
        ],
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn mock_keeps_the_refresh_token_without_rotation() {
    let mock = mock().await;
    let refresh_token = refresh_token(&mock.login(CALLBACK).await);
    let refreshed = mock.refresh(&refresh_token).await.expect("a refresh works");
    assert!(refreshed.get("refresh_token").is_none());
    assert!(refreshed.get("expires_in").is_none());
    assert_eq!(refreshed["instance_url"], json!(mock.url()));
    mock.refresh(&refresh_token)
        .await
        .expect("the refresh token keeps working");
}

#[tokio::test]
async fn mock_rotation_replaces_the_refresh_token() {
    let mock = mock_with(MockOptions {
        rotation: true,
        ..MockOptions::default()
    })
    .await;
    let old = refresh_token(&mock.login(CALLBACK).await);
    let refreshed = mock.refresh(&old).await.expect("a refresh works");
    let new = refresh_token(&refreshed);
    assert_ne!(old, new);
    assert!(!mock.refresh_token_is_live(&old));
    assert!(mock.refresh_token_is_live(&new));
    let stale = mock.refresh(&old).await.expect_err("the old one is dead");
    assert_eq!(
        error_of(&stale),
        ("invalid_grant", "expired access/refresh token")
    );
    mock.refresh(&new).await.expect("the new one works");
}

#[tokio::test]
async fn mock_refresh_needs_the_client_secret() {
    let mock = mock().await;
    let refresh_token = refresh_token(&mock.login(CALLBACK).await);
    let refused = mock
        .token_call(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", &refresh_token),
            ("client_id", &mock.options().client_id),
        ])
        .await
        .expect_err("no secret fails");
    assert_eq!(
        error_of(&refused),
        ("invalid_client", "invalid client credentials")
    );
}

#[tokio::test]
async fn mock_revoking_a_refresh_token_kills_it_and_its_access_tokens() {
    let mock = mock().await;
    let tokens = mock.login(CALLBACK).await;
    let revoke = |token: String| {
        http_client()
            .post(format!("{}/services/oauth2/revoke", mock.url()))
            .form(&[("token", token)])
            .send()
    };
    let response = revoke(refresh_token(&tokens)).await.expect("reach revoke");
    assert_eq!(response.status(), StatusCode::OK);
    let gone = mock
        .refresh(&refresh_token(&tokens))
        .await
        .expect_err("a revoked token fails");
    assert_eq!(
        error_of(&gone),
        ("invalid_grant", "expired access/refresh token")
    );
    let (status, _) = get_json(
        &mock,
        "/services/data/v62.0/query?q=SELECT+Id+FROM+Organization",
        &access_token(&tokens),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let unknown = revoke("nothing".to_owned()).await.expect("reach revoke");
    assert_eq!(unknown.status(), StatusCode::BAD_REQUEST);
    let body: Value =
        serde_json::from_slice(&unknown.bytes().await.expect("a body")).expect("JSON");
    assert_eq!(error_of(&body), ("invalid_token", "invalid token"));
}

#[tokio::test]
async fn mock_identity_needs_a_valid_bearer_token() {
    let mock = mock().await;
    let tokens = mock.login(CALLBACK).await;
    let id_url = tokens["id"].as_str().expect("an id URL");
    let response = http_client()
        .get(id_url)
        .bearer_auth(access_token(&tokens))
        .send()
        .await
        .expect("reach the identity URL");
    assert_eq!(response.status(), StatusCode::OK);
    let identity: Value =
        serde_json::from_slice(&response.bytes().await.expect("a body")).expect("JSON");
    assert_eq!(identity["username"], USERNAME);
    assert_eq!(identity["organization_id"], ORG_ID);
    assert_eq!(identity["user_type"], "STANDARD");
    assert_eq!(
        identity["urls"]["rest"],
        json!(format!("{}/services/data/v{{version}}/", mock.url()))
    );

    let refused = http_client()
        .get(id_url)
        .bearer_auth("00DMOCK000000001!AQbogus")
        .send()
        .await
        .expect("reach the identity URL");
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert_eq!(refused.text().await.expect("a body"), "Bad_OAuth_Token");
}

#[tokio::test]
async fn mock_lists_api_versions_without_auth() {
    let mock = mock().await;
    let response = http_client()
        .get(format!("{}/services/data/", mock.url()))
        .send()
        .await
        .expect("reach the versions list");
    let versions: Value =
        serde_json::from_slice(&response.bytes().await.expect("a body")).expect("JSON");
    let versions = versions.as_array().expect("an array");
    assert_eq!(versions.len(), 5);
    assert_eq!(versions[0]["version"], "62.0");
    assert_eq!(versions[4]["url"], "/services/data/v66.0");
}

#[tokio::test]
async fn mock_pages_users_and_counts_them_all() {
    let mock = mock_with(MockOptions {
        users: 4_500,
        ..MockOptions::default()
    })
    .await;
    let token = access_token(&mock.login(CALLBACK).await);
    let mut path = "/services/data/v64.0/query?q=SELECT+Id,Email+FROM+User".to_owned();
    let mut pages = 0;
    let mut seen = HashSet::new();
    loop {
        let (status, page) = get_json(&mock, &path, &token).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        pages += 1;
        assert_eq!(page["totalSize"], 4_500);
        for record in page["records"].as_array().expect("records") {
            assert_eq!(record["attributes"]["type"], "User");
            let id = record["Id"].as_str().expect("an Id").to_owned();
            assert!(seen.insert(id), "each record appears once");
        }
        if page["done"] == true {
            assert!(page.get("nextRecordsUrl").is_none());
            break;
        }
        path = page["nextRecordsUrl"]
            .as_str()
            .expect("a relative nextRecordsUrl")
            .to_owned();
        assert!(path.starts_with("/services/data/v64.0/query/"), "{path}");
    }
    assert_eq!(pages, 3);
    assert_eq!(seen.len(), 4_500);
}

#[tokio::test]
async fn mock_users_have_odd_data_and_filter_on_is_active() {
    let mock = mock_with(MockOptions {
        users: 40,
        ..MockOptions::default()
    })
    .await;
    let token = access_token(&mock.login(CALLBACK).await);
    let (_, all) = get_json(
        &mock,
        "/services/data/v62.0/query?q=SELECT+Id+FROM+User",
        &token,
    )
    .await;
    let records = all["records"].as_array().expect("records");
    assert!(records[0]["Email"].is_null());
    let has = |key: &str, test: &dyn Fn(&Value) -> bool| records.iter().any(|r| test(&r[key]));
    assert!(has("Email", &|e| e
        .as_str()
        .is_some_and(|e| e.ends_with("@ACME.COM"))));
    assert!(has("UserType", &|t| t == "PowerPartner"));
    assert!(has("UserType", &|t| t == "CsnOnly"));
    assert!(has("IsActive", &|a| a == false));

    let (_, active) = get_json(
        &mock,
        "/services/data/v62.0/query?q=select+Id+from+user+where+IsActive+%3D+TRUE",
        &token,
    )
    .await;
    let active_records = active["records"].as_array().expect("records");
    assert!(active_records.iter().all(|r| r["IsActive"] == true));
    assert_eq!(active["totalSize"], json!(active_records.len()));
    assert!(active_records.len() < records.len());

    let (_, count) = get_json(
        &mock,
        "/services/data/v62.0/query?q=SELECT+COUNT()+FROM+User",
        &token,
    )
    .await;
    assert_eq!(count["totalSize"], 40);
}

#[tokio::test]
async fn mock_answers_the_organization_and_licenses() {
    let mock = mock().await;
    let token = access_token(&mock.login(CALLBACK).await);
    let (_, org) = get_json(
        &mock,
        "/services/data/v62.0/query?q=SELECT+Id,Name+FROM+Organization",
        &token,
    )
    .await;
    assert_eq!(org["records"][0]["Name"], "Acme Mock Inc");
    assert_eq!(
        org["records"][0]["attributes"]["url"],
        json!(format!(
            "/services/data/v62.0/sobjects/Organization/{ORG_ID}"
        ))
    );
    for object in ["UserLicense", "PermissionSetLicense"] {
        let (status, answer) = get_json(
            &mock,
            &format!("/services/data/v62.0/query?q=SELECT+Id+FROM+{object}"),
            &token,
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert!(answer["totalSize"].as_u64().is_some_and(|n| n >= 2));
    }
}

#[tokio::test]
async fn mock_answers_invalid_session_for_a_bad_token() {
    let mock = mock().await;
    let (status, body) = get_json(
        &mock,
        "/services/data/v62.0/query?q=SELECT+Id+FROM+Organization",
        "bogus",
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body[0]["errorCode"], "INVALID_SESSION_ID");
    assert_eq!(body[0]["message"], "Session expired or invalid");
}

#[tokio::test]
async fn mock_reports_api_disabled() {
    let mock = mock_with(MockOptions {
        api_disabled: true,
        ..MockOptions::default()
    })
    .await;
    let token = access_token(&mock.login(CALLBACK).await);
    let (status, body) = get_json(
        &mock,
        "/services/data/v62.0/query?q=SELECT+Id+FROM+Organization",
        &token,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body[0]["errorCode"], "API_DISABLED_FOR_ORG");
    assert_eq!(
        body[0]["message"],
        "The REST API is not enabled for this Organization."
    );
}

#[tokio::test]
async fn mock_rejects_malformed_and_unknown_queries() {
    let mock = mock().await;
    let token = access_token(&mock.login(CALLBACK).await);
    let (status, body) = get_json(&mock, "/services/data/v62.0/query?q=SELECT+Id", &token).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body[0]["errorCode"], "MALFORMED_QUERY");
    let (status, body) = get_json(
        &mock,
        "/services/data/v62.0/query?q=SELECT+Id+FROM+Widget__c",
        &token,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body[0]["errorCode"], "INVALID_TYPE");
}

#[tokio::test]
async fn mock_answers_404_elsewhere() {
    let mock = mock().await;
    for path in [
        "/",
        "/services/oauth2/userinfo",
        "/services/data/v62.0/sobjects",
    ] {
        let response = http_client()
            .get(format!("{}{path}", mock.url()))
            .send()
            .await
            .expect("reach the mock");
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
    }
    let response = http_client()
        .get(format!("{}/services/oauth2/token", mock.url()))
        .send()
        .await
        .expect("reach the mock");
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}
