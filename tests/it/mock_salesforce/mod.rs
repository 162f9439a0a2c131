//! A mock Salesforce: the OAuth endpoints (authorize, approval decision,
//! token, revoke), the identity URL and the REST query API, served over
//! loopback HTTP in the test's own runtime. It enforces what real Salesforce
//! does, as its OAuth 2.0 web server flow and REST API guides describe
//! (<https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_web_server_flow.htm>,
//! <https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/>):
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
//! - redirect URIs are compared as strings: a registered success page on
//!   another host (`https://login.salesforce.com/services/oauth2/success`)
//!   works like any other, as Salesforce's does.
//! - after the login, the org's policies apply: a Local app reached through
//!   the generic login host (`OAUTH_EC_APP_NOT_FOUND`; its token endpoint
//!   answers `app_not_found`), a browser signed in
//!   to another org without `prompt=login` (`OAUTH_AUTHORIZATION_BLOCKED`),
//!   a blocked app (`OAUTH_APP_BLOCKED`), a user not assigned to an app for
//!   admin-approved users (`OAUTH_APP_ACCESS_DENIED`), a user who may not
//!   approve (Salesforce's own `OAUTH_APPROVAL_ERROR_GENERIC` page). Deny
//!   answers `access_denied`.
//! - the token endpoint answers JSON errors: API Access Control's
//!   `invalid_app_access`, `invalid_grant` in words set per test, and those
//!   of the grants themselves; the revoke endpoint answers 400
//!   `invalid_token` for a token it does not know.
//! - a user keeps five approvals of the app; a sixth revokes the oldest
//!   refresh token. A deactivated user's tokens answer `inactive_user`.
//! - REST: bearer tokens are checked, results are paged (`nextRecordsUrl`,
//!   relative), and users are generated from their index so memory stays small
//!   whatever `users` is. Every REST request is counted (`rest_requests`).
//! - the Composite resource answers up to 25 subrequests, of which at most 5
//!   queries, all at the composite's API version, each with its own status;
//!   it counts as one REST request. `OauthToken` lists the user's approvals
//!   (with Created and Last Used), `ExternalClientApplication` and
//!   `ExtlClntAppOauthPlcyCnfg` the app and its policies (`app_policy`), or
//!   refuse them with `INVALID_TYPE`.
//! - the signed-in user's permissions: `UserPermissionAccess` answers with
//!   `view_setup` and `view_all_users` (API Enabled is always on there: without
//!   it Salesforce refuses every API call, which is `api_disabled`). Without
//!   "View All Users", `User` queries leave out external users, whose records
//!   are Private by the org-wide default; `Profile` may be refused.
//!
//! Everything the mock issues or receives that is secret is recorded, so tests
//! can check that none of it leaks into the program's output.
//!
//! This file holds the mock's state, its router and what tests call;
//! `oauth.rs` and `rest.rs` hold the endpoints, `tests.rs` and
//! `policy_tests.rs` the mock's own tests.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Instant;

use axum::Router;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::rand::{SecureRandom, SystemRandom};
use serde_json::{Value, json};

use oauth::{Code, PendingAuthorization};
use rest::Cursor;
pub use rest::user;

mod oauth;
mod policy_tests;
mod rest;
mod tests;

/// The mock org and the user who logs in.
pub const ORG_ID: &str = "00DMOCK000000001AAA";
pub const USER_ID: &str = "005MOCK000000001AAA";
pub const USERNAME: &str = "admin@acme-mock.example";

/// In `callback_urls`, stands for the mock's own base URL, e.g. for the
/// success page: `format!("{MOCK_BASE}/services/oauth2/success")`.
pub const MOCK_BASE: &str = "{mock}";

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
    /// `PermissionSetLicense` cannot be queried (an edition or a user without
    /// access to it): 400 `INVALID_TYPE`.
    pub permission_set_licenses_refused: bool,
    /// The user has "View Setup and Configuration".
    pub view_setup: bool,
    /// The user has "View All Users"; without it, `User` queries return only
    /// the internal users, as the default user sharing (Private for external
    /// users, Public Read Only for internal ones) would.
    pub view_all_users: bool,
    /// `Profile` queries are refused with this `errorCode`: `INVALID_TYPE`
    /// (400) or `INSUFFICIENT_ACCESS` (403). No source says which a real org
    /// sends, nor when (docs/salesforce.md, "The connector's user").
    pub profile_refused: Option<&'static str>,
    /// Number of `User` records.
    pub users: usize,
    /// Records per query page.
    pub page_size: usize,
    /// The org is a sandbox (`Organization.IsSandbox`).
    pub is_sandbox: bool,
    /// `Organization.Name`.
    pub org_name: String,
    /// Bytes of filler added to every token answer: a server that is not
    /// Salesforce, or a proxy gone wrong (0: none, as Salesforce).
    pub token_padding: usize,
    /// A Local External Client App: only its org's My Domain (the mock's
    /// `url()`) knows it. Signing in through `generic_url()`, which stands
    /// for login.salesforce.com, fails after the login with
    /// `OAUTH_EC_APP_NOT_FOUND`, and a token request there (a refresh grant)
    /// with `app_not_found`, as integrations report.
    pub local_app: bool,
    /// The browser is still signed in to another org. Salesforce reuses that
    /// session unless the request says `prompt=login`, and refuses the
    /// cross-org approval with `OAUTH_AUTHORIZATION_BLOCKED`.
    pub browser_in_other_org: bool,
    /// The user signs in to another org than the app's: `OAUTH_AUTHORIZATION_BLOCKED`.
    pub signs_in_to_other_org: bool,
    /// An administrator blocked the app: `OAUTH_APP_BLOCKED` "this app is
    /// blocked by admin", to the callback.
    pub app_blocked: bool,
    /// Permitted Users is "Admin approved users are pre-authorized" and
    /// neither the user's profile nor a permission set of the user is
    /// assigned: `OAUTH_APP_ACCESS_DENIED` "user is not admin approved to
    /// access this app", to the callback (Microsoft's support article for
    /// Copilot for Sales quotes it).
    pub user_not_assigned: bool,
    /// API Access Control limits API access to allowlisted apps and lets
    /// this one through the login but not the code exchange:
    /// `invalid_app_access` "user is not admin approved to access this app"
    /// from the token endpoint, as reported (forcedotcom/cli#3260).
    pub api_access_control: bool,
    /// The code exchange answers `invalid_grant` with these words, such as
    /// "authentication failure", whose cause only the org's Login History
    /// shows.
    pub exchange_invalid_grant: Option<&'static str>,
    /// The refresh grant answers `invalid_grant` with these words instead of
    /// a token: words sftoken may not know.
    pub refresh_invalid_grant: Option<&'static str>,
    /// The user may not approve the app (a licence or permission that cannot):
    /// Salesforce's own error page with `OAUTH_APPROVAL_ERROR_GENERIC`, never
    /// the callback.
    pub user_cannot_approve: bool,
    /// The identity URL refuses every token: plain-text 403 `Bad_OAuth_Token`.
    pub identity_refuses_tokens: bool,
    /// The app's label, as `OauthToken.AppName` and
    /// `ExternalClientApplication.MasterLabel` give it.
    pub app_name: String,
    /// Approvals the user already gave the app before the test, oldest
    /// first (each a live refresh token, created in 2026 months 1, 2, …).
    pub earlier_approvals: usize,
    /// `OauthToken` lists the user's tokens (false: it lists none).
    pub oauth_tokens_listed: bool,
    /// The app's OAuth policies (`ExtlClntAppOauthPlcyCnfg`); `None`: the
    /// org refuses `ExternalClientApplication` and `ExtlClntAppOauthPlcyCnfg`
    /// with 400 `INVALID_TYPE`, as for objects "for internal use only" that
    /// an org does not give.
    pub app_policy: Option<MockPolicy>,
}

/// An External Client App's OAuth policies, spelled as the test wants them
/// (Salesforce's values compared without regard to case).
#[derive(Debug, Clone)]
pub struct MockPolicy {
    pub refresh_token: &'static str,
    pub period: Option<i64>,
    pub unit: Option<&'static str>,
    pub ip_relaxation: &'static str,
    pub permitted_users: &'static str,
}

impl Default for MockPolicy {
    /// Nothing that ends Snow Atlas's token.
    fn default() -> Self {
        Self {
            refresh_token: "Infinite",
            period: None,
            unit: None,
            ip_relaxation: "Bypass",
            permitted_users: "AllSelfAuthorized",
        }
    }
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
            permission_set_licenses_refused: false,
            view_setup: true,
            view_all_users: true,
            profile_refused: None,
            users: 5,
            page_size: 2000,
            is_sandbox: false,
            org_name: "Acme Mock Inc".to_owned(),
            token_padding: 0,
            local_app: false,
            browser_in_other_org: false,
            signs_in_to_other_org: false,
            app_blocked: false,
            user_not_assigned: false,
            api_access_control: false,
            exchange_invalid_grant: None,
            refresh_invalid_grant: None,
            user_cannot_approve: false,
            identity_refuses_tokens: false,
            app_name: "Snow Atlas Connector".to_owned(),
            earlier_approvals: 0,
            oauth_tokens_listed: true,
            app_policy: Some(MockPolicy::default()),
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
    /// `http://127.0.0.1:PORT`: the org's My Domain.
    base: String,
    /// `localhost:PORT`: the same server reached as the generic login host.
    generic_host: String,
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
    /// The user's approvals of the app, oldest first: each is a live refresh
    /// token. Salesforce keeps five; a sixth revokes the oldest.
    approvals: VecDeque<String>,
    /// Each approval's Created and Last Used, by its refresh token.
    approval_times: HashMap<String, (String, String)>,
    /// Seconds of the mock's clock (`tick`).
    clock: u32,
    /// An administrator deactivated the user.
    user_inactive: bool,
    /// The `Host` of each token request, in order.
    token_hosts: Vec<String>,
    /// Live access tokens and the refresh token they came from, if any.
    access_tokens: HashMap<String, Option<String>>,
    /// Query cursors: what a `nextRecordsUrl` continues.
    cursors: HashMap<String, Cursor>,
    issued_secrets: Vec<String>,
    token_requests: Vec<Vec<(String, String)>>,
    authorize_requests: usize,
    /// Requests under `/services/data`, refused ones included.
    rest_requests: usize,
}

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
        let mut state = MockState::default();
        for n in 0..options.earlier_approvals {
            let token = format!("5Aep861EarlierApproval{n}");
            state
                .refresh_tokens
                .insert(token.clone(), options.app_scopes.clone());
            let created = format!("2026-{:02}-15T08:00:00.000+0000", n % 12 + 1);
            let used = format!("2026-11-{:02}T02:00:00.000+0000", 10 + n % 18);
            state.approval_times.insert(token.clone(), (created, used));
            state.approvals.push_back(token);
        }
        let shared = Arc::new(Shared {
            options,
            generic_host: format!("localhost:{port}"),
            base,
            state: Mutex::new(state),
        });
        let app = router(Arc::clone(&shared));
        let task = tokio::spawn(async move {
            // Only ends when the task is aborted.
            let _ = axum::serve(listener, app).await;
        });
        MockSalesforce { shared, task }
    }

    /// Starts the mock with `callback_url` as its app's only Callback URL.
    pub async fn with_callback(callback_url: &str, options: MockOptions) -> MockSalesforce {
        Self::start(MockOptions {
            callback_urls: vec![callback_url.to_owned()],
            ..options
        })
        .await
    }

    /// `http://127.0.0.1:PORT`, no trailing slash: the login URL and the
    /// instance URL.
    pub fn url(&self) -> String {
        self.shared.base.clone()
    }

    /// `http://localhost:PORT`: the same mock reached as a generic login
    /// host, standing for login.salesforce.com while `url()` is the org's My
    /// Domain.
    pub fn generic_url(&self) -> String {
        format!("http://{}", self.shared.generic_host)
    }

    /// Deactivates the user, as an administrator would: the user's refresh
    /// tokens stop working with `inactive_user`.
    pub fn deactivate_user(&self) {
        self.shared.lock().user_inactive = true;
    }

    /// The `Host` header of every token request, in order.
    pub fn token_hosts(&self) -> Vec<String> {
        self.shared.lock().token_hosts.clone()
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

    /// How many REST API requests (under `/services/data`) the mock answered.
    pub fn rest_requests(&self) -> usize {
        self.shared.lock().rest_requests
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
        self.token_call_at(&self.url(), form).await
    }

    /// As [`Self::token_call`], at the mock reached as `base` (`url()` or
    /// `generic_url()`).
    pub async fn token_call_at(&self, base: &str, form: &[(&str, &str)]) -> Result<Value, Value> {
        let response = http_client()
            .post(format!("{base}/services/oauth2/token"))
            .form(form)
            .send()
            .await
            .expect("reach the mock token endpoint");
        let ok = response.status() == StatusCode::OK;
        let body = response.json_value().await;
        if ok { Ok(body) } else { Err(body) }
    }

    /// A refresh grant with the mock's own client id and secret.
    pub async fn refresh(&self, refresh_token: &str) -> Result<Value, Value> {
        self.refresh_at(&self.url(), refresh_token).await
    }

    /// As [`Self::refresh`], at the mock reached as `base`.
    pub async fn refresh_at(&self, base: &str, refresh_token: &str) -> Result<Value, Value> {
        let options = self.options();
        let form = [
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
            ("client_id", &options.client_id),
            ("client_secret", &options.client_secret),
        ];
        self.token_call_at(base, &form).await
    }

    /// A code exchange with the mock's own client id and secret.
    pub async fn exchange_code(
        &self,
        code: &str,
        redirect_uri: &str,
        verifier: Option<&str>,
    ) -> Result<Value, Value> {
        let options = self.options();
        let client = (options.client_id.as_str(), options.client_secret.as_str());
        self.exchange_code_as(client, code, redirect_uri, verifier)
            .await
    }

    /// A code exchange as `(client_id, client_secret)`, in the form body.
    pub async fn exchange_code_as(
        &self,
        (client_id, client_secret): (&str, &str),
        code: &str,
        redirect_uri: &str,
        verifier: Option<&str>,
    ) -> Result<Value, Value> {
        let mut form = vec![
            ("grant_type", "authorization_code"),
            ("code", code),
            ("client_id", client_id),
            ("client_secret", client_secret),
            ("redirect_uri", redirect_uri),
        ];
        if let Some(verifier) = verifier {
            form.push(("code_verifier", verifier));
        }
        self.token_call(&form).await
    }

    /// `GET {base}/services/oauth2/authorize` with the app's client id and
    /// `params`, as a browser would; the answer unread.
    pub async fn get_authorize_at(&self, base: &str, params: &[(&str, &str)]) -> reqwest::Response {
        let mut url = url::Url::parse(&format!("{base}/services/oauth2/authorize"))
            .expect("the authorize URL parses");
        url.query_pairs_mut()
            .append_pair("client_id", &self.options().client_id)
            .extend_pairs(params);
        http_client()
            .get(url)
            .send()
            .await
            .expect("reach the mock authorize endpoint")
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
        let mut query = vec![
            ("response_type", "code"),
            ("redirect_uri", redirect_uri),
            ("state", state),
        ];
        if let Some(challenge) = challenge {
            query.push(("code_challenge", challenge));
            query.push(("code_challenge_method", "S256"));
        }
        let page = self.get_authorize_at(&self.url(), &query).await;
        assert_eq!(
            page.status(),
            StatusCode::OK,
            "authorize shows the approval page"
        );
        let page = page.text().await.expect("read the approval page");
        let request_id = request_id_from_page(&page).expect("the approval page has a request id");
        let callback = decide(&self.url(), &request_id, "allow").await;
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

/// The user's "Allow" or "Deny" (`decision`) on the approval page of
/// `request_id`, at the mock reached as `base`; the answer unread.
pub async fn decide(base: &str, request_id: &str, decision: &str) -> reqwest::Response {
    http_client()
        .post(format!("{base}/services/oauth2/authorize/decision"))
        .form(&[("request_id", request_id), ("decision", decision)])
        .send()
        .await
        .expect("reach the mock decision endpoint")
}

/// The refresh token of a token answer.
pub fn refresh_token(tokens: &Value) -> String {
    tokens["refresh_token"]
        .as_str()
        .expect("a refresh token")
        .to_owned()
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

/// `serde_json::Value` from a response (reqwest is built without its json feature).
pub trait JsonBody {
    async fn json_value(self) -> Value;
}

impl JsonBody for reqwest::Response {
    async fn json_value(self) -> Value {
        let bytes = self.bytes().await.expect("body");
        serde_json::from_slice(&bytes)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&bytes)))
    }
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

fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/services/oauth2/authorize", get(oauth::authorize))
        .route("/services/oauth2/authorize/decision", post(oauth::decision))
        .route("/services/oauth2/token", post(oauth::token))
        .route("/services/oauth2/revoke", post(oauth::revoke))
        .route("/services/oauth2/success", get(oauth::success_page))
        .route(
            "/setup/secur/RemoteAccessErrorPage.apexp",
            get(oauth::remote_access_error_page),
        )
        .route("/id/{org}/{user}", get(oauth::identity))
        .route("/services/data", get(rest::versions))
        .route("/services/data/", get(rest::versions))
        .route("/services/data/{version}/query", get(rest::query))
        .route("/services/data/{version}/composite", post(rest::composite))
        .route(
            "/services/data/{version}/query/{locator}",
            get(rest::query_more),
        )
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
