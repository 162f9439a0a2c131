//! The mock's OAuth endpoints: authorize and the approval page, the user's
//! decision, token (code and refresh grants), revoke, the identity URL and the
//! success page; and the tokens they issue.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};

use super::{
    MockOptions, MockState, ORG_ID, Shared, USER_ID, USERNAME, param, parse_form, random_token,
    s256,
};

/// How long an authorization code lives: Salesforce Help says 15 minutes.
const CODE_LIFETIME: Duration = Duration::from_secs(15 * 60);

/// Approvals (refresh tokens) one user keeps for one app; a sixth approval
/// revokes the oldest (Salesforce Help, "Manage OAuth Access Policies").
pub(super) const MAX_APPROVALS: usize = 5;

/// An authorize request waiting for the user's Allow or Deny.
pub(super) struct PendingAuthorization {
    redirect_uri: String,
    state: Option<String>,
    challenge: Option<String>,
    scopes: Vec<String>,
}

/// An issued authorization code and what it is bound to.
pub(super) struct Code {
    client_id: String,
    redirect_uri: String,
    challenge: Option<String>,
    scopes: Vec<String>,
    pub(super) expires_at: Instant,
}

/// An OAuth error: `(error, error_description)`.
type OAuthError = (&'static str, &'static str);

/// Salesforce's own success page, the Callback URL of the connector's manual
/// guide: the code stays in its address bar for the user to copy.
pub(super) async fn success_page() -> Html<&'static str> {
    Html(
        "<!doctype html><title>Remote Access Application Authorization</title>\
         <p>Remote Access Application Authorization</p>",
    )
}

/// Salesforce's own error page for an approval the user may not give, as
/// integrations report it: the browser lands here, never on the callback.
pub(super) async fn remote_access_error_page() -> Response {
    (
        StatusCode::BAD_REQUEST,
        Html(
            "<!doctype html><title>OAuth Error</title><h1>OAuth Error</h1>\
             <p>We can't authorize you because of an OAuth error. For more information, contact your Salesforce administrator.</p>\
             <p>OAUTH_APPROVAL_ERROR_GENERIC : An unexpected error has occured during authentication. Please try again.</p>",
        ),
    )
        .into_response()
}

impl Shared {
    /// Whether the request came to the generic login host (`generic_url()`).
    fn reached_as_generic(&self, headers: &HeaderMap) -> bool {
        headers
            .get(header::HOST)
            .is_some_and(|host| host.as_bytes() == self.generic_host.as_bytes())
    }

    /// Why Salesforce refuses the sign-in after the user logs in, if it does:
    /// the org's policies and the user's session, as `Options` sets them.
    fn sign_in_refusal(
        &self,
        headers: &HeaderMap,
        params: &[(String, String)],
    ) -> Option<OAuthError> {
        let options = &self.options;
        if options.local_app && self.reached_as_generic(headers) {
            return Some((
                "OAUTH_EC_APP_NOT_FOUND",
                "External client app is not installed in this org",
            ));
        }
        // prompt=login makes Salesforce ask for a fresh login instead of
        // reusing the browser's session.
        let fresh_login = param(params, "prompt")
            .is_some_and(|prompt| prompt.split_whitespace().any(|p| p == "login"));
        if options.signs_in_to_other_org || (options.browser_in_other_org && !fresh_login) {
            return Some((
                "OAUTH_AUTHORIZATION_BLOCKED",
                "Cross-org OAuth flows are not supported for this external client app",
            ));
        }
        if options.app_blocked {
            return Some(("OAUTH_APP_BLOCKED", "this app is blocked by admin"));
        }
        if options.user_not_assigned {
            return Some((
                "OAUTH_APP_ACCESS_DENIED",
                "user is not admin approved to access this app",
            ));
        }
        None
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
        if state.user_inactive {
            return Err(("inactive_user", "user is inactive"));
        }
        if options.api_access_control {
            return Err((
                "invalid_app_access",
                "user is not admin approved to access this app",
            ));
        }
        if let Some(words) = options.exchange_invalid_grant {
            return Err(("invalid_grant", words));
        }
        let access_token = state.issue_access_token(None);
        let mut answer = self.token_answer(&access_token, &code.scopes);
        if grants_refresh_token(&code.scopes) {
            let refresh_token = state.issue_refresh_token(code.scopes.clone());
            state
                .access_tokens
                .insert(access_token, Some(refresh_token.clone()));
            state.approve(refresh_token.clone());
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
        if state.user_inactive {
            return Err(("inactive_user", "user is inactive"));
        }
        if let Some(words) = options.refresh_invalid_grant {
            return Err(("invalid_grant", words));
        }
        // Each use of a refresh token updates its approval's Last Used.
        let now = state.tick();
        if let Some(times) = state.approval_times.get_mut(old) {
            times.1 = now;
        }
        let parent = if options.rotation {
            state.refresh_tokens.remove(old);
            let new = state.issue_refresh_token(scopes.clone());
            if let Some(times) = state.approval_times.remove(old) {
                state.approval_times.insert(new.clone(), times);
            }
            // Rotation keeps the approval; only its token changes.
            for approval in state.approvals.iter_mut() {
                if approval == old {
                    approval.clone_from(&new);
                }
            }
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

    /// The mock's clock, as Salesforce writes datetimes: each call a second
    /// later, from 2026-12-07 09:00 UTC, so answers are the same every run.
    pub(super) fn tick(&mut self) -> String {
        self.clock += 1;
        let (minutes, seconds) = (self.clock / 60, self.clock % 60);
        format!(
            "2026-12-07T{:02}:{:02}:{seconds:02}.000+0000",
            9 + minutes / 60,
            minutes % 60
        )
    }

    fn issue_access_token(&mut self, refresh_token: Option<String>) -> String {
        // Salesforce access tokens start with the org id and a `!`.
        let token = format!("00DMOCK000000001!AQ{}", random_token(48));
        self.remember(&token);
        self.access_tokens.insert(token.clone(), refresh_token);
        token
    }

    /// A new approval, holding `refresh_token`; past five, the oldest is
    /// revoked with its access tokens.
    fn approve(&mut self, refresh_token: String) {
        let now = self.tick();
        self.approval_times
            .insert(refresh_token.clone(), (now.clone(), now));
        self.approvals.push_back(refresh_token);
        while self.approvals.len() > MAX_APPROVALS {
            if let Some(oldest) = self.approvals.pop_front() {
                self.revoke_refresh_token(&oldest);
            }
        }
    }

    /// Revokes a refresh token and every access token it issued. `false` when
    /// it was not live.
    fn revoke_refresh_token(&mut self, token: &str) -> bool {
        self.approvals.retain(|approval| approval != token);
        self.approval_times.remove(token);
        self.access_tokens
            .retain(|_, parent| parent.as_deref() != Some(token));
        self.refresh_tokens.remove(token).is_some()
    }

    fn issue_refresh_token(&mut self, scopes: Vec<String>) -> String {
        let token = format!("5Aep861{}", random_token(48));
        self.remember(&token);
        self.refresh_tokens.insert(token.clone(), scopes);
        token
    }
}

/// `GET /services/oauth2/authorize`
pub(super) async fn authorize(
    State(mock): State<Arc<Shared>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
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

    // The user signs in here; then the org's policies apply.
    if let Some((error, description)) = mock.sign_in_refusal(&headers, &params) {
        return fail(error, description);
    }
    if options.user_cannot_approve {
        let page = format!(
            "{}/setup/secur/RemoteAccessErrorPage.apexp?error=invalid_client&error_description=app+must+be+installed+into+org",
            mock.base
        );
        return (StatusCode::FOUND, [(header::LOCATION, page)]).into_response();
    }

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
pub(super) async fn decision(State(mock): State<Arc<Shared>>, body: Bytes) -> Response {
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
pub(super) async fn token(
    State(mock): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form = parse_form(&body);
    let client = Client::from_request(&form, &headers);
    {
        let mut state = mock.lock();
        state.token_requests.push(form.clone());
        let host = headers
            .get(header::HOST)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        state.token_hosts.push(host);
        if let Some(secret) = &client.secret {
            state.remember(secret);
        }
        if let Some(verifier) = param(&form, "code_verifier") {
            state.remember(verifier);
        }
    }
    let result = match param(&form, "grant_type") {
        // The generic host does not know a Local External Client App, as
        // integrations report of its token endpoint (dust-tt/dust#26727:
        // a refresh answered `app_not_found`).
        _ if mock.options.local_app && mock.reached_as_generic(&headers) => Err((
            "app_not_found",
            "External client app is not installed in this org",
        )),
        Some("authorization_code") => mock.exchange_code(&form, &client),
        Some("refresh_token") => mock.refresh(&form, &client),
        _ => Err(("unsupported_grant_type", "grant type not supported")),
    };
    match result {
        Ok(mut answer) => {
            if mock.options.token_padding > 0 {
                answer["padding"] = Value::String("x".repeat(mock.options.token_padding));
            }
            axum::Json(answer).into_response()
        }
        Err(error) => oauth_error(error),
    }
}

/// `POST /services/oauth2/revoke`: a refresh token takes its access tokens
/// with it; an access token goes alone.
pub(super) async fn revoke(State(mock): State<Arc<Shared>>, body: Bytes) -> Response {
    let form = parse_form(&body);
    let token = param(&form, "token").unwrap_or_default();
    let mut state = mock.lock();
    // A refresh token takes its access tokens with it.
    if !state.revoke_refresh_token(token) && state.access_tokens.remove(token).is_none() {
        return oauth_error(("invalid_token", "invalid token"));
    }
    StatusCode::OK.into_response()
}

/// `GET /id/{org}/{user}`
pub(super) async fn identity(
    State(mock): State<Arc<Shared>>,
    Path((org, user)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    if !mock.bearer_is_valid(&headers) || mock.options.identity_refuses_tokens {
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
