//! The loopback web server: router, shared state, the security checks every
//! request passes, and the page embedded from `static/`.
//!
//! Security model (`shared/design.md`):
//! - only `Host: localhost|127.0.0.1|[::1]:PORT` is answered (DNS rebinding);
//! - the launch token printed at start is traded for an HttpOnly cookie, which
//!   every API route that shows credentials or secrets requires;
//! - every state-changing request needs an allowed `Origin` and the CSRF token;
//! - `/callback` acts only on a known `state`, once; `OPTIONS` does nothing;
//! - every response says `no-store`, `no-referrer`, and carries a strict CSP.

use std::net::{Ipv4Addr, Ipv6Addr};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::rejection::JsonRejection;
use axum::extract::{DefaultBodyLimit, FromRequestParts, Path, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header, request::Parts};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Json, routing::post};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde_json::json;
use tokio::net::TcpListener;
use tokio::sync::{mpsc, watch};
use tower_http::compression::CompressionLayer;
use tower_http::trace::TraceLayer;

use crate::advice::Advice;
use crate::config::Config;
use crate::connection::{Connection, Details};
use crate::login::{self, Claim, Credentials, Logins, Outcome, Pending, Status};
use crate::login_url::LoginUrl;
use crate::salesforce::{self, Http};

const INDEX_HTML: &str = include_str!("../static/index.html");
const APP_JS: &str = include_str!("../static/app.js");
const APP_CSS: &str = include_str!("../static/app.css");

/// Longest request target accepted; a real callback is well under 2 KB.
const MAX_URI_BYTES: usize = 8 * 1024;
/// How long requests under way may take to finish once the helper stops.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(2);

/// Largest request body accepted; the sign-in form is well under 4 KB.
const MAX_BODY_BYTES: usize = 64 * 1024;

const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Shared by every handler.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

struct Inner {
    config: Config,
    port: u16,
    launch_token: SecretString,
    session: SecretString,
    csrf: SecretString,
    logins: Mutex<Logins>,
    http: Http,
    /// Sign-ins, for `--json` mode only (nothing else reads them).
    captures: Option<mpsc::UnboundedSender<Arc<Connection>>>,
    /// When the last request arrived, for the idle timeout.
    last_request: Mutex<Instant>,
    /// Set by the page's "Done" button.
    done: watch::Sender<bool>,
}

impl AppState {
    /// State for a server on `port` (the real one, after binding).
    pub fn new(config: Config, port: u16) -> (Self, mpsc::UnboundedReceiver<Arc<Connection>>) {
        let (captures, received) = mpsc::unbounded_channel();
        let captures = config.json.then_some(captures);
        let http = Http::new(config.http_timeout);
        let state = Self(Arc::new(Inner {
            config,
            port,
            launch_token: login::random_token(),
            session: login::random_token(),
            csrf: login::random_token(),
            logins: Mutex::default(),
            http,
            captures,
            last_request: Mutex::new(Instant::now()),
            done: watch::Sender::new(false),
        }));
        (state, received)
    }

    /// The address printed at start: it carries the launch token.
    pub fn launch_url(&self) -> String {
        format!(
            "http://localhost:{}/?token={}",
            self.0.port,
            self.0.launch_token.expose_secret()
        )
    }

    pub fn port(&self) -> u16 {
        self.0.port
    }

    /// Forgets every login and its secrets.
    pub fn wipe(&self) {
        self.logins().clear();
    }

    /// Resolves when the page's "Done" button was pressed.
    pub async fn done(&self) {
        let mut done = self.0.done.subscribe();
        let _ = done.wait_for(|done| *done).await;
    }

    /// Resolves once no request has arrived for `timeout`.
    pub async fn idle(&self, timeout: Duration) {
        loop {
            let last = *self
                .0
                .last_request
                .lock()
                .unwrap_or_else(|e| e.into_inner());
            let idle_for = last.elapsed();
            if idle_for >= timeout {
                return;
            }
            tokio::time::sleep(timeout - idle_for).await;
        }
    }

    fn redirect_uri(&self) -> String {
        format!("http://localhost:{}/callback", self.0.port)
    }

    fn cookie_name(&self) -> String {
        // Cookies ignore ports, so two helpers on two ports need two names.
        format!("sftoken_{}", self.0.port)
    }

    fn logins(&self) -> MutexGuard<'_, Logins> {
        // A panic while holding the lock leaves plain data behind; keep serving.
        self.0.logins.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn allowed_host(&self, host: &str) -> bool {
        let port = self.0.port;
        ["localhost", "127.0.0.1", "[::1]"]
            .iter()
            .any(|name| host.eq_ignore_ascii_case(&format!("{name}:{port}")))
    }

    fn allowed_origin(&self, origin: &str) -> bool {
        origin
            .strip_prefix("http://")
            .is_some_and(|host| self.allowed_host(host))
    }

    fn has_session(&self, headers: &HeaderMap) -> bool {
        let name = self.cookie_name();
        headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .any(|(k, v)| k == name && login::secrets_match(&self.0.session, v))
    }

    /// Checks what the user typed; an empty secret means the one from the
    /// environment.
    fn credentials(
        &self,
        client_id: &str,
        client_secret: &str,
        login_url: &str,
    ) -> Result<Credentials, Refusal> {
        let client_id = client_id.trim();
        if client_id.is_empty() {
            return Err(field_error(
                "client_id",
                "Enter the Consumer Key from the External Client App's OAuth Settings.",
            ));
        }
        if client_id.len() > 256
            || client_id
                .chars()
                .any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(field_error(
                "client_id",
                "The Consumer Key looks wrong: it is one word of letters and digits. Copy it again.",
            ));
        }
        let client_secret = match client_secret.trim() {
            "" => self.0.config.client_secret.clone().ok_or_else(|| {
                field_error(
                    "client_secret",
                    "Enter the Consumer Secret from the External Client App's OAuth Settings.",
                )
            })?,
            typed if typed.len() > 1024 => {
                return Err(field_error(
                    "client_secret",
                    "The Consumer Secret is too long. Copy it again.",
                ));
            }
            typed => SecretString::from(typed),
        };
        let login_url = LoginUrl::parse(login_url, self.0.config.allow_any_login_url)
            .map_err(|e| field_error("login_url", &e.to_string()))?;
        Ok(Credentials {
            client_id: client_id.to_owned(),
            client_secret,
            login_url,
        })
    }

    /// Takes over a new connection: applies the configured company names and
    /// starts its checks. A sign-in's connection also goes to `--json` mode.
    fn adopt(&self, connection: &Arc<Connection>, signed_in: bool) {
        if !self.0.config.company_names.is_empty() {
            connection.set_company_names(self.0.config.company_names.clone());
        }
        let checked = connection.clone();
        let http = self.0.http.clone();
        let allow_any = self.0.config.allow_any_login_url;
        tokio::spawn(async move { crate::check::run(http, &checked, allow_any).await });
        if let (true, Some(captures)) = (signed_in, &self.0.captures) {
            let _ = captures.send(connection.clone());
        }
    }
}

/// The router with every route and security layer.
pub fn app(state: AppState) -> Router {
    Router::new()
        .merge(
            // The page's files are gzipped (a third of their size). Answers that
            // carry secrets are not, so no secret shares a compressed body with
            // anything else (BREACH).
            Router::new()
                .route("/", get(index))
                .route("/result/{id}", get(page))
                .route("/assets/app.js", get(|| asset("text/javascript", APP_JS)))
                .route("/assets/app.css", get(|| asset("text/css", APP_CSS)))
                .layer(CompressionLayer::new()),
        )
        .route("/callback", get(callback).options(preflight))
        .route("/health", get(health))
        .route("/api/session", get(session_info))
        .route("/api/login-url", get(check_login_url))
        .route("/api/done", post(done))
        .route("/api/login", post(start_login))
        .route("/api/login/{id}", get(login_status))
        .route("/api/login/{id}/company-names", post(choose_company_names))
        .route("/api/login/{id}/revoke", post(revoke))
        .route("/api/login/{id}/paste", post(paste))
        .route("/api/check", post(check_existing))
        .fallback(|| async { (StatusCode::NOT_FOUND, "Not found.\n") })
        .layer(middleware::from_fn_with_state(state.clone(), guard))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(
            // Only method and path: the query of /callback carries the code.
            TraceLayer::new_for_http().make_span_with(|req: &Request| {
                tracing::info_span!("request", method = %req.method(), path = %req.uri().path())
            }),
        )
        .with_state(state)
}

/// Checks run on every request, and headers added to every response.
async fn guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    // Only the admin's own page keeps the helper alive; a stray request
    // (another page, another process) does not hold the secrets in memory.
    if state.has_session(request.headers()) {
        *state
            .0
            .last_request
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = Instant::now();
    }
    let mut response = match check(&state, &request) {
        Ok(()) => next.run(request).await,
        Err((status, message)) => refuse(status, message).into_response(),
    };
    let headers = response.headers_mut();
    for (name, value) in [
        (header::CONTENT_SECURITY_POLICY, CSP),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::CACHE_CONTROL, "no-store"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (
            header::HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        ),
        (
            header::HeaderName::from_static("cross-origin-resource-policy"),
            "same-origin",
        ),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    response
}

/// Refuses a request, or lets it through.
fn check(state: &AppState, request: &Request) -> Result<(), (StatusCode, &'static str)> {
    let headers = request.headers();
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if !state.allowed_host(host) {
        tracing::warn!("refused a request for a foreign Host");
        return Err((
            StatusCode::FORBIDDEN,
            "sftoken only answers to http://localhost. Open the address printed in the terminal.",
        ));
    }
    if request.uri().to_string().len() > MAX_URI_BYTES {
        return Err((
            StatusCode::URI_TOO_LONG,
            "The address is too long for sftoken.",
        ));
    }
    if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) {
        return Ok(());
    }
    let origin_ok = match headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        Some(origin) => state.allowed_origin(origin),
        None => headers
            .get("sec-fetch-site")
            .is_some_and(|v| v == "same-origin"),
    };
    let csrf_ok = headers
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| login::secrets_match(&state.0.csrf, v));
    if !origin_ok || !csrf_ok || !state.has_session(headers) {
        tracing::warn!(origin_ok, csrf_ok, "refused a state-changing request");
        return Err((
            StatusCode::FORBIDDEN,
            "This request did not come from the sftoken page. Reload the page and try again.",
        ));
    }
    Ok(())
}

/// A refused request: the status, the form field at fault if any, and a
/// sentence that says what to do, sent as `{"error": {"field", "message"}}`.
struct Refusal {
    status: StatusCode,
    field: Option<&'static str>,
    message: String,
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let body = json!({ "error": { "field": self.field, "message": self.message } });
        (self.status, Json(body)).into_response()
    }
}

fn refuse(status: StatusCode, message: &str) -> Refusal {
    Refusal {
        status,
        field: None,
        message: message.to_owned(),
    }
}

fn field_error(field: &'static str, message: &str) -> Refusal {
    Refusal {
        status: StatusCode::BAD_REQUEST,
        field: Some(field),
        message: message.to_owned(),
    }
}

/// A JSON body that could not be read.
fn form_rejection(rejection: &JsonRejection) -> Refusal {
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        refuse(rejection.status(), "The form is too large for sftoken.")
    } else {
        refuse(
            StatusCode::BAD_REQUEST,
            "The form could not be read. Reload the page and try again.",
        )
    }
}

async fn asset(content_type: &'static str, body: &'static str) -> Response {
    ([(header::CONTENT_TYPE, content_type)], body).into_response()
}

/// Requires the session cookie; rejects with 401 and what to do.
struct Session;

impl FromRequestParts<AppState> for Session {
    type Rejection = Refusal;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Refusal> {
        if state.has_session(&parts.headers) {
            Ok(Session)
        } else {
            Err(refuse(
                StatusCode::UNAUTHORIZED,
                "Open the address printed in the terminal where sftoken runs; it contains a one-time key for this page.",
            ))
        }
    }
}

#[derive(Deserialize)]
struct LaunchQuery {
    token: Option<String>,
}

/// `/`: the page, or with `?token=`, the launch: set the cookie and clean the address bar.
async fn index(State(state): State<AppState>, Query(query): Query<LaunchQuery>) -> Response {
    let Some(token) = query.token else {
        return Html(INDEX_HTML).into_response();
    };
    if !login::secrets_match(&state.0.launch_token, &token) {
        tracing::warn!("a launch link with a wrong token was opened");
        return Redirect::to("/").into_response();
    }
    let cookie = format!(
        "{}={}; Path=/; HttpOnly; SameSite=Lax",
        state.cookie_name(),
        state.0.session.expose_secret()
    );
    let mut response = Redirect::to("/").into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_str(&cookie).expect("cookie is ASCII"),
    );
    response
}

async fn page() -> Html<&'static str> {
    Html(INDEX_HTML)
}

/// What the page needs to draw the form.
async fn session_info(_: Session, State(state): State<AppState>) -> Response {
    let config = &state.0.config;
    let login_url = config.login_url.as_str();
    Json(json!({
        "csrf_token": state.0.csrf.expose_secret(),
        "callback_url": state.redirect_uri(),
        "client_id": config.client_id,
        "has_client_secret": config.client_secret.is_some(),
        "login_url": login_url,
        "login_url_note": config.login_url.note,
        "version": env!("CARGO_PKG_VERSION"),
        "pending": state.logins().latest_waiting().map(|(id, expires_in, paste)| json!({
            "id": id,
            "expires_in_seconds": expires_in.as_secs(),
            "paste": paste,
        })),
        "idle_timeout_seconds": config.idle_timeout.map(|t| t.as_secs()),
    }))
    .into_response()
}

/// Tells another sftoken starting on this port that one already runs here.
/// No secrets, no cookie needed.
async fn health() -> Json<serde_json::Value> {
    Json(json!({ "app": "sftoken", "version": env!("CARGO_PKG_VERSION") }))
}

#[derive(Deserialize)]
struct LoginUrlQuery {
    value: String,
}

/// Normalizes a login URL as the user types it: the page shows the URL that
/// will be used, and why it changed.
async fn check_login_url(
    _: Session,
    State(state): State<AppState>,
    Query(query): Query<LoginUrlQuery>,
) -> Result<Json<serde_json::Value>, Refusal> {
    let url = LoginUrl::parse(&query.value, state.0.config.allow_any_login_url)
        .map_err(|e| field_error("login_url", &e.to_string()))?;
    Ok(Json(json!({ "login_url": url.as_str(), "note": url.note })))
}

/// "Done": wipes the secrets and stops the helper.
async fn done(State(state): State<AppState>) -> Json<serde_json::Value> {
    tracing::info!("stopped from the page");
    state.wipe();
    state.0.done.send_replace(true);
    Json(json!({ "stopped": true }))
}

#[derive(Deserialize)]
struct LoginForm {
    client_id: String,
    #[serde(default)]
    client_secret: String,
    login_url: String,
    /// Paste mode: the app's Callback URL is Salesforce's own success page.
    #[serde(default)]
    paste: bool,
}

/// "Sign in with Salesforce": checks the form, starts a pending login and
/// returns the authorize URL to send the browser to.
async fn start_login(
    State(state): State<AppState>,
    form: Result<Json<LoginForm>, JsonRejection>,
) -> Result<Response, Refusal> {
    let Json(form) = form.map_err(|e| form_rejection(&e))?;
    let credentials = state.credentials(&form.client_id, &form.client_secret, &form.login_url)?;
    let verifier = login::random_token();
    let login_state = login::random_token();
    let redirect_uri = if form.paste {
        credentials.login_url.endpoint(crate::paste::SUCCESS_PATH)
    } else {
        state.redirect_uri()
    };
    let authorize_url = salesforce::authorize_url(
        &credentials,
        &redirect_uri,
        login_state.expose_secret(),
        &login::pkce_challenge(&verifier),
    );
    tracing::info!(login_url = %credentials.login_url, "started a sign-in");
    let id = state.logins().start(
        login_state,
        Pending {
            credentials,
            verifier,
            redirect_uri,
        },
    );
    Ok(Json(json!({
        "id": id,
        "authorize_url": authorize_url,
        "paste": form.paste,
        "expires_in_seconds": login::LOGIN_LIFETIME.as_secs(),
    }))
    .into_response())
}

#[derive(Deserialize)]
struct CallbackQuery {
    state: Option<String>,
    code: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

/// Chrome's private-network preflight before the callback: answer, change nothing.
async fn preflight(headers: HeaderMap) -> Response {
    let mut response = StatusCode::NO_CONTENT.into_response();
    let out = response.headers_mut();
    out.insert(
        "access-control-allow-private-network",
        HeaderValue::from_static("true"),
    );
    out.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("GET"),
    );
    if let Some(origin) = headers.get(header::ORIGIN) {
        out.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone());
    }
    response
}

/// Salesforce sends the browser here with `code` and `state`, or `error`.
async fn callback(
    State(state): State<AppState>,
    query: Result<Query<CallbackQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let Ok(Query(query)) = query else {
        return message_page(
            StatusCode::BAD_REQUEST,
            "This address could not be read",
            "Go back to the sftoken page and sign in again.",
        );
    };
    let (Some(login_state), true) = (
        query.state.as_deref(),
        query.code.is_some() || query.error.is_some(),
    ) else {
        return message_page(
            StatusCode::BAD_REQUEST,
            "This is sftoken's callback address",
            "Salesforce sends your browser here after you sign in. Go to the sftoken page and click \"Sign in with Salesforce\".",
        );
    };
    let claim = state.logins().claim(login_state);
    let (id, pending) = match claim {
        Claim::Claimed { id, pending } => (id, pending),
        Claim::Seen { id } => return result_redirect(&id),
        Claim::Expired => {
            return message_page(
                StatusCode::BAD_REQUEST,
                "This sign-in expired",
                "More than 15 minutes passed since you clicked \"Sign in with Salesforce\". Go back to the sftoken page and sign in again.",
            );
        }
        Claim::Unknown | Claim::Mismatch => {
            tracing::warn!("a callback with an unknown state was refused");
            return message_page(
                StatusCode::BAD_REQUEST,
                "sftoken did not start this sign-in",
                "It may come from an old tab, or sftoken was restarted since. Go back to the sftoken page and click \"Sign in with Salesforce\" again.",
            );
        }
    };
    let answer = match (query.error, query.code) {
        (Some(code), _) => Answer::Error {
            code,
            description: query.error_description.unwrap_or_default(),
        },
        (None, Some(code)) => Answer::Code(SecretString::from(code)),
        (None, None) => unreachable!("checked above"),
    };
    let captured = complete(&state, &id, pending, answer).await;
    if captured && state.0.config.json {
        return message_page(
            StatusCode::OK,
            "Done",
            "sftoken is checking the token, then prints the settings as JSON in the terminal where it runs. You can close this tab.",
        );
    }
    result_redirect(&id)
}

/// What Salesforce sent back for a login: a code, or an error.
enum Answer {
    Code(SecretString),
    Error { code: String, description: String },
}

/// Finishes a claimed login: exchanges the code (or explains the error),
/// records the outcome, and starts the checks. Returns whether it captured.
/// It runs as its own task, so a browser that goes away mid-exchange never
/// leaves the login half-finished.
async fn complete(state: &AppState, id: &str, pending: Pending, answer: Answer) -> bool {
    let task = finish_login(state.clone(), id.to_owned(), pending, answer);
    tokio::spawn(task).await.unwrap_or(false)
}

async fn finish_login(state: AppState, id: String, pending: Pending, answer: Answer) -> bool {
    let client_id = pending.credentials.client_id.clone();
    let login_url = pending.credentials.login_url.to_string();
    let result = match answer {
        Answer::Error { code, description } => {
            Err(crate::advice::for_oauth_error(&code, &description))
        }
        Answer::Code(code) => connect(&state.0.http, pending, code.expose_secret()).await,
    };
    let outcome = match result {
        Ok(connection) => {
            tracing::info!("captured a refresh token");
            state.adopt(&connection, true);
            Outcome::Captured(connection)
        }
        Err(advice) => {
            tracing::info!(title = %advice.title, code = ?advice.code, "the sign-in failed");
            Outcome::Failed {
                advice,
                client_id,
                login_url,
            }
        }
    };
    let captured = matches!(outcome, Outcome::Captured(_));
    state.logins().finish(&id, outcome);
    captured
}

#[derive(Deserialize)]
struct PasteForm {
    text: String,
}

/// Paste mode: the address (or code) copied from Salesforce's success page.
async fn paste(
    State(state): State<AppState>,
    Path(id): Path<String>,
    form: Result<Json<PasteForm>, JsonRejection>,
) -> Result<Json<serde_json::Value>, Refusal> {
    let Json(form) = form.map_err(|e| form_rejection(&e))?;
    let (answer, pasted_state) = match crate::paste::parse(&form.text) {
        Ok(pasted) => (Answer::Code(pasted.code), pasted.state),
        Err(crate::paste::PasteError::Salesforce { code, description }) => {
            let pasted_state = crate::paste::state_of(&form.text);
            (Answer::Error { code, description }, pasted_state)
        }
        Err(e) => return Err(field_error("text", &e.to_string())),
    };
    let claim = state.logins().claim_pasted(&id, pasted_state.as_deref());
    let pending = match claim {
        Claim::Claimed { pending, .. } => pending,
        Claim::Seen { .. } => return Ok(Json(json!({ "id": id }))),
        Claim::Expired => {
            return Err(field_error(
                "text",
                "This sign-in expired: more than 15 minutes passed. Click \"Start over\" and sign in again.",
            ));
        }
        Claim::Unknown => return Err(unknown_login()),
        Claim::Mismatch => {
            return Err(field_error(
                "text",
                "This address belongs to another sign-in (its state does not match). Paste the address from the tab this sign-in opened, or start over.",
            ));
        }
    };
    complete(&state, &id, pending, answer).await;
    Ok(Json(json!({ "id": id })))
}

/// Exchanges the code and builds the connection the checks will run on.
async fn connect(http: &Http, pending: Pending, code: &str) -> Result<Arc<Connection>, Advice> {
    let tokens = salesforce::exchange_code(http, &pending, code)
        .await
        .map_err(|e| e.advice())?;
    let refresh_token = tokens
        .refresh_token
        .clone()
        .ok_or_else(crate::advice::missing_refresh_token)?;
    let details = Details::from_tokens(&tokens);
    Ok(Arc::new(Connection::new(
        pending.credentials,
        refresh_token,
        details,
    )))
}

/// 303 to a clean address, so the code leaves the address bar and history.
fn result_redirect(id: &str) -> Response {
    Redirect::to(&format!("/result/{id}")).into_response()
}

/// The state of one sign-in, with the settings and checks once captured.
async fn login_status(
    _: Session,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Response {
    let Some(status) = state.logins().status(&id) else {
        return unknown_login().into_response();
    };
    let body = match status {
        Status::Waiting { expires_in } => json!({
            "status": "waiting",
            "expires_in_seconds": expires_in.as_secs(),
        }),
        Status::Exchanging => json!({ "status": "exchanging" }),
        Status::Finished(Outcome::Failed {
            advice,
            client_id,
            login_url,
        }) => json!({
            "status": "failed",
            "error": advice,
            "client_id": client_id,
            "login_url": login_url,
        }),
        Status::Finished(Outcome::Captured(connection)) => connection_json(&connection),
    };
    Json(body).into_response()
}

fn unknown_login() -> Refusal {
    refuse(
        StatusCode::NOT_FOUND,
        "sftoken does not know these settings; it may have been restarted. Start again from the main page.",
    )
}

/// The settings, their formats, the details and the check report.
fn connection_json(connection: &Connection) -> serde_json::Value {
    let snapshot = connection.snapshot();
    let settings = snapshot.settings(&connection.credentials);
    json!({
        "status": "captured",
        "copy_all": settings.copy_all(),
        "company_names_text": settings.company_names_lines(),
        "settings": settings,
        "details": snapshot.details,
        "checks": snapshot.report,
        "revoked": snapshot.revoked,
    })
}

#[derive(Deserialize)]
struct CompanyNamesForm {
    names: Vec<String>,
}

/// The Company names picker: `*` (empty list) or the ticked domains.
async fn choose_company_names(
    State(state): State<AppState>,
    Path(id): Path<String>,
    form: Result<Json<CompanyNamesForm>, JsonRejection>,
) -> Result<Json<serde_json::Value>, Refusal> {
    let connection = state.logins().connection(&id).ok_or_else(unknown_login)?;
    let Json(form) = form.map_err(|e| form_rejection(&e))?;
    let names = crate::settings::company_names(&form.names)
        .map_err(|message| field_error("company_names", &message))?;
    connection.set_company_names(names);
    Ok(Json(connection_json(&connection)))
}

/// "Revoke this token": Salesforce forgets the refresh token and its access tokens.
async fn revoke(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    let Some(connection) = state.logins().connection(&id) else {
        return unknown_login().into_response();
    };
    let token = connection.refresh_token();
    match salesforce::revoke(&state.0.http, &connection.credentials.login_url, &token).await {
        Ok(()) => {
            tracing::info!("revoked a refresh token");
            connection.mark_revoked();
            Json(connection_json(&connection)).into_response()
        }
        Err(e) => (
            StatusCode::BAD_GATEWAY,
            Json(json!({ "error": e.advice() })),
        )
            .into_response(),
    }
}

#[derive(Deserialize)]
struct CheckForm {
    client_id: String,
    #[serde(default)]
    client_secret: String,
    refresh_token: String,
    login_url: String,
    #[serde(default)]
    company_names: Vec<String>,
}

/// "Check an existing setup": the five settings an admin already has, run
/// through the same checks as a fresh sign-in.
async fn check_existing(
    State(state): State<AppState>,
    form: Result<Json<CheckForm>, JsonRejection>,
) -> Result<Json<serde_json::Value>, Refusal> {
    let Json(form) = form.map_err(|e| form_rejection(&e))?;
    let credentials = state.credentials(&form.client_id, &form.client_secret, &form.login_url)?;
    let refresh_token = form.refresh_token.trim();
    if refresh_token.is_empty() || refresh_token.len() > 4096 {
        return Err(field_error(
            "refresh_token",
            "Paste the refresh token that Snow Atlas uses (it often starts with 5Aep).",
        ));
    }
    let names = crate::settings::company_names(&form.company_names)
        .map_err(|message| field_error("company_names", &message))?;
    let connection = Arc::new(Connection::new(
        credentials,
        SecretString::from(refresh_token),
        Details::default(),
    ));
    connection.set_company_names(names);
    state.adopt(&connection, false);
    let id = state
        .logins()
        .insert_finished(Outcome::Captured(connection));
    Ok(Json(json!({ "id": id })))
}

/// A small page with no script, for answers outside the app (the callback).
fn message_page(status: StatusCode, title: &str, text: &str) -> Response {
    let body = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<title>{title} · sftoken</title><link rel=\"stylesheet\" href=\"/assets/app.css\"></head>\
<body><main><h1>{title}</h1><p>{text}</p><p><a href=\"/\">Back to the sftoken page</a></p></main></body></html>",
        title = escape_html(title),
        text = escape_html(text),
    );
    (status, Html(body)).into_response()
}

fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum BindError {
    #[error(
        "Port {0} is already in use. Close the program using it, or start sftoken with --port N and change the External Client App's Callback URL to http://localhost:N/callback."
    )]
    PortTaken(u16),
    #[error("Could not listen on port {port} ({source}). Try another port with --port N.")]
    Other { port: u16, source: std::io::Error },
}

/// A bound, not yet serving, server.
pub struct Server {
    listeners: Vec<TcpListener>,
    state: AppState,
    captures: mpsc::UnboundedReceiver<Arc<Connection>>,
}

impl Server {
    /// Binds `127.0.0.1` and, where the machine has it, `[::1]`, on the configured
    /// port (0 picks a free one, for tests).
    pub async fn bind(config: Config) -> Result<Self, BindError> {
        let wanted = config.port;
        let to_error = |port: u16, source: std::io::Error| match source.kind() {
            std::io::ErrorKind::AddrInUse => BindError::PortTaken(port),
            _ => BindError::Other { port, source },
        };
        let v4 = TcpListener::bind((Ipv4Addr::LOCALHOST, wanted))
            .await
            .map_err(|e| to_error(wanted, e))?;
        let port = v4.local_addr().map_err(|e| to_error(wanted, e))?.port();
        let mut listeners = vec![v4];
        match TcpListener::bind((Ipv6Addr::LOCALHOST, port)).await {
            Ok(v6) => listeners.push(v6),
            Err(e) if e.kind() == std::io::ErrorKind::AddrInUse && wanted != 0 => {
                return Err(BindError::PortTaken(port));
            }
            Err(e) => tracing::debug!(error = %e, "not listening on [::1]"),
        }
        let (state, captures) = AppState::new(config, port);
        Ok(Self {
            listeners,
            state,
            captures,
        })
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Successful sign-ins, as they happen.
    pub fn take_captures(&mut self) -> mpsc::UnboundedReceiver<Arc<Connection>> {
        let (_, empty) = mpsc::unbounded_channel();
        std::mem::replace(&mut self.captures, empty)
    }

    /// Serves until `stop` resolves, then finishes the requests under way.
    pub async fn serve(
        self,
        stop: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let (stop_tx, stop_rx) = watch::channel(false);
        let router = app(self.state.clone());
        let mut tasks = tokio::task::JoinSet::new();
        for listener in self.listeners {
            let mut stop_rx = stop_rx.clone();
            let router = router.clone();
            tasks.spawn(async move {
                axum::serve(listener, router)
                    .with_graceful_shutdown(async move {
                        let _ = stop_rx.wait_for(|stopped| *stopped).await;
                    })
                    .await
            });
        }
        stop.await;
        // Wipe first: a client that never finishes its request must not keep
        // the secrets alive, nor the process running.
        self.state.wipe();
        let _ = stop_tx.send(true);
        let finish = async {
            let mut result = Ok(());
            while let Some(joined) = tasks.join_next().await {
                if let Ok(Err(e)) = joined {
                    result = Err(e);
                }
            }
            result
        };
        match tokio::time::timeout(SHUTDOWN_GRACE, finish).await {
            Ok(result) => result,
            // Connections still open (a half-sent request): drop them.
            Err(_) => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_is_escaped() {
        assert_eq!(
            escape_html("<script>alert('x')</script> & \"y\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;y&quot;"
        );
    }
}
