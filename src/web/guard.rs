//! The checks every request passes, and the headers every response carries
//! (docs/SECURITY.md maps each to its threat and its test):
//! - only `Host: localhost|127.0.0.1|[::1]:PORT` is answered (DNS rebinding);
//! - the launch token printed at start is traded for an HttpOnly cookie, which
//!   every API route that shows credentials or secrets requires;
//! - every state-changing request needs an allowed `Origin` and the CSRF token;
//! - every response says `no-store`, `no-referrer`, and carries a strict CSP.

use axum::extract::{FromRequestParts, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header, request::Parts};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::AppState;
use super::error::ApiError;

/// Longest request target accepted; a real callback is well under 2 KB.
const MAX_URI_BYTES: usize = 8 * 1024;

const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Checks run on every request, and headers added to every response.
pub(super) async fn guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    // Only the admin's own page keeps the helper alive; a stray request
    // (another page, another process) does not hold the secrets in memory.
    if has_session(&state, request.headers()) {
        state.touch();
    }
    let mut response = match check(&state, &request) {
        Ok(()) => next.run(request).await,
        Err(refusal) => refusal.into_response(),
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
fn check(state: &AppState, request: &Request) -> Result<(), ApiError> {
    let headers = request.headers();
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if !allowed_host(state, host) {
        tracing::warn!("refused a request for a foreign Host");
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "sftoken only answers to http://localhost. Open the address printed in the terminal.",
        ));
    }
    if request.uri().to_string().len() > MAX_URI_BYTES {
        return Err(ApiError::new(
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
        Some(origin) => allowed_origin(state, origin),
        None => headers
            .get("sec-fetch-site")
            .is_some_and(|v| v == "same-origin"),
    };
    let csrf_ok = headers
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| state.csrf().matches(v));
    if !origin_ok || !csrf_ok || !has_session(state, headers) {
        tracing::warn!(origin_ok, csrf_ok, "refused a state-changing request");
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "This request did not come from the sftoken page. Reload the page and try again.",
        ));
    }
    Ok(())
}

fn allowed_host(state: &AppState, host: &str) -> bool {
    let port = state.port();
    ["localhost", "127.0.0.1", "[::1]"]
        .iter()
        .any(|name| host.eq_ignore_ascii_case(&format!("{name}:{port}")))
}

fn allowed_origin(state: &AppState, origin: &str) -> bool {
    origin
        .strip_prefix("http://")
        .is_some_and(|host| allowed_host(state, host))
}

/// The session cookie's name. Cookies ignore ports, so two helpers on two
/// ports need two names.
pub(super) fn cookie_name(state: &AppState) -> String {
    format!("sftoken_{}", state.port())
}

fn has_session(state: &AppState, headers: &HeaderMap) -> bool {
    let name = cookie_name(state);
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .any(|(k, v)| k == name && state.session_key().matches(v))
}

/// Requires the session cookie; rejects with 401 and what to do.
pub(super) struct Session;

impl FromRequestParts<AppState> for Session {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if has_session(state, &parts.headers) {
            Ok(Session)
        } else {
            Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "Open the address printed in the terminal where sftoken runs; it contains a one-time key for this page.",
            ))
        }
    }
}
