//! The checks every request passes, and the headers every response carries
//! (docs/SECURITY.md maps each to its threat and its test):
//! - only `Host: localhost|127.0.0.1|[::1]:PORT` is answered (DNS rebinding);
//! - every API route that shows credentials or secrets needs the session key
//!   in its header (see `sessions`);
//! - every state-changing request needs an allowed `Origin` and the session
//!   key, except the one that trades the launch token for a key;
//! - every response says `no-store`, `no-referrer`, and carries a strict CSP:
//!   the page's own for HTML, and `default-src 'none'` for everything else,
//!   which is never a document (it keeps the page's five responses small).

use axum::extract::{FromRequestParts, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header, request::Parts};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::AppState;
use super::error::ApiError;
use super::sessions::HEADER;
use crate::signin::Owner;

/// The one state-changing route open without a session: it trades the
/// launch token for one.
pub(super) const LAUNCH_PATH: &str = "/api/session";

/// Longest request target accepted; a real callback is well under 2 KB.
const MAX_URI_BYTES: usize = 8 * 1024;

const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The CSP of a response that is not a document (scripts, styles, JSON):
/// nothing may load from it, and nothing may frame it.
const CSP_NOT_A_DOCUMENT: &str = "default-src 'none'; frame-ancestors 'none'";

/// Checks run on every request, and headers added to every response.
pub(super) async fn guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let mut response = match check(&state, &request) {
        Ok(()) => {
            // Only the admin's own page keeps the helper alive; a stray or
            // refused request does not hold the secrets in memory.
            if owner_of(&state, request.headers()).is_some() {
                state.touch();
            }
            next.run(request).await
        }
        Err(refusal) => refusal.into_response(),
    };
    let document = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|kind| kind.as_bytes().starts_with(b"text/html"));
    let headers = response.headers_mut();
    let mut add = |name, value| {
        headers.insert(name, HeaderValue::from_static(value));
    };
    add(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    add(header::REFERRER_POLICY, "no-referrer");
    add(header::CACHE_CONTROL, "no-store");
    add(
        header::HeaderName::from_static("cross-origin-resource-policy"),
        "same-origin",
    );
    if document {
        add(header::CONTENT_SECURITY_POLICY, CSP);
        add(header::X_FRAME_OPTIONS, "DENY");
        add(
            header::HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        );
    } else {
        add(header::CONTENT_SECURITY_POLICY, CSP_NOT_A_DOCUMENT);
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
        tracing::warn!(
            "Refused a request for another host name; sftoken answers only to localhost."
        );
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
    let session_ok = owner_of(state, headers).is_some() || request.uri().path() == LAUNCH_PATH;
    if !origin_ok || !session_ok {
        tracing::warn!(
            origin_ok,
            session_ok,
            "Refused a request that did not come from the sftoken page."
        );
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

/// The session a request's key belongs to, if any.
fn owner_of(state: &AppState, headers: &HeaderMap) -> Option<Owner> {
    let key = headers.get(HEADER)?.to_str().ok()?;
    state.owner_of(key)
}

/// Requires the session key; rejects with 401 and what to do. Holds the
/// session, so a handler reads only that session's sign-ins.
pub(super) struct Session(pub Owner);

impl FromRequestParts<AppState> for Session {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        owner_of(state, &parts.headers).map(Session).ok_or_else(|| {
            ApiError::new(
                StatusCode::UNAUTHORIZED,
                "Open the address printed in the terminal where sftoken runs; it contains a one-time key for this page.",
            )
        })
    }
}
