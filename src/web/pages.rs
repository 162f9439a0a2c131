//! What the browser loads as pages: the page itself (embedded from `static/`
//! at build time, so the binary runs from any folder), the launch link, the
//! OAuth callback, and small script-free message pages.

use axum::Json;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::{Deserialize, Serialize};

use super::AppState;
use crate::config::describe_duration;
use crate::flow::Answer;
use crate::secret::{AuthCode, OAuthState};
use crate::signin::{Claim, LOGIN_LIFETIME};

/// The page, as served: `static/index.html` without blank lines and
/// indentation (`build.rs`, see `strip`).
pub const INDEX_HTML: &str = include_str!(concat!(env!("OUT_DIR"), "/index.html"));

/// A file the browser loads, embedded from `static/` at build time without
/// its comments (`build.rs` strips them, see `strip`), plain and gzipped.
#[derive(Debug)]
pub struct Asset {
    /// `/assets/` and the file's name in `static/`; `/` for the page.
    pub path: &'static str,
    pub content_type: &'static str,
    /// What is served: the file without whole-line comments, blank lines and
    /// indentation.
    pub body: &'static str,
    /// `body`, gzipped at build time, for a browser that accepts gzip.
    pub gzip: &'static [u8],
}

macro_rules! asset {
    ($file:literal, $content_type:literal) => {
        Asset {
            path: concat!("/assets/", $file),
            content_type: $content_type,
            body: include_str!(concat!(env!("OUT_DIR"), "/", $file)),
            gzip: include_bytes!(concat!(env!("OUT_DIR"), "/", $file, ".gz")),
        }
    };
}

/// `/` and `/result/{id}`: the page. It reads the launch token from the
/// address's fragment itself (see `sessions`).
pub const PAGE: Asset = Asset {
    path: "/",
    content_type: "text/html; charset=utf-8",
    body: INDEX_HTML,
    gzip: include_bytes!(concat!(env!("OUT_DIR"), "/index.html.gz")),
};

/// Every file the page loads besides itself: the router serves these and
/// the tests check each one, so a new module is one line here. Only
/// `app.js`, the entry module, is named in `index.html`; it imports the rest.
/// A module imports only those after it here (a test checks), so the imports
/// have no cycle.
pub const ASSETS: &[Asset] = &[
    asset!("app.css", "text/css"),
    asset!("app.js", "text/javascript"),
    asset!("result.js", "text/javascript"),
    asset!("base.js", "text/javascript"),
];

/// Serves `asset` gzipped when the browser accepts gzip. Only the page's own
/// files are compressed: answers that carry secrets are not, so no secret
/// shares a compressed body with anything else (BREACH).
pub(super) async fn asset(asset: &'static Asset, headers: HeaderMap) -> Response {
    let vary = (header::VARY, "accept-encoding");
    let content_type = (header::CONTENT_TYPE, asset.content_type);
    if accepts_gzip(&headers) {
        let encoding = (header::CONTENT_ENCODING, "gzip");
        ([content_type, encoding, vary], asset.gzip).into_response()
    } else {
        ([content_type, vary], asset.body).into_response()
    }
}

/// Does `Accept-Encoding` name gzip (or `*`) with a weight above zero?
fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|coding| {
            let mut parts = coding.split(';').map(str::trim);
            let name = parts.next().unwrap_or_default();
            let refused = parts.any(|param| {
                param
                    .strip_prefix("q=")
                    .and_then(|q| q.parse::<f32>().ok())
                    .is_some_and(|q| q <= 0.0)
            });
            (name.eq_ignore_ascii_case("gzip") || name == "*") && !refused
        })
}

#[derive(Serialize)]
pub(super) struct Health {
    app: &'static str,
    version: &'static str,
}

/// Tells another sftoken starting on this port that one already runs here.
/// No secrets, no cookie needed.
pub(super) async fn health() -> Json<Health> {
    Json(Health {
        app: "sftoken",
        version: env!("CARGO_PKG_VERSION"),
    })
}

/// Chrome's private-network preflight before the callback: answer, change nothing.
pub(super) async fn preflight(headers: HeaderMap) -> Response {
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

#[derive(Deserialize)]
pub(super) struct CallbackQuery {
    state: Option<OAuthState>,
    code: Option<AuthCode>,
    error: Option<String>,
    error_description: Option<String>,
}

/// Salesforce sends the browser here with `code` and `state`, or `error`.
/// `/callback` acts only on a known `state`, once; a reload shows the result.
pub(super) async fn callback(
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
    let login_state = query.state;
    let answer = Answer::from_callback(query.code, query.error, query.error_description);
    let (Some(login_state), Some(answer)) = (login_state, answer) else {
        return message_page(
            StatusCode::BAD_REQUEST,
            "This is sftoken's callback address",
            "Salesforce sends your browser here after you sign in. Go to the sftoken page and click \"Sign in with Salesforce\".",
        );
    };
    let claim = state.logins().claim(login_state.expose());
    let (id, pending) = match claim {
        Claim::Claimed { id, pending } => (id, pending),
        Claim::Seen { id } => return result_redirect(&id),
        Claim::Expired => {
            return message_page(
                StatusCode::BAD_REQUEST,
                "This sign-in expired",
                &format!(
                    "More than {} passed since you clicked \"Sign in with Salesforce\". Go back to the sftoken page and sign in again.",
                    describe_duration(LOGIN_LIFETIME)
                ),
            );
        }
        Claim::Unknown | Claim::Mismatch => {
            tracing::warn!(
                "Refused a sign-in callback that sftoken did not start (an old tab, or a forged address)."
            );
            return message_page(
                StatusCode::BAD_REQUEST,
                "sftoken did not start this sign-in",
                "It may come from an old tab, or sftoken was restarted since. Go back to the sftoken page and click \"Sign in with Salesforce\" again.",
            );
        }
    };
    let captured = state.complete(&id, pending, answer).await;
    if captured && state.config().json {
        return message_page_with(
            StatusCode::OK,
            "Done",
            "sftoken is checking the token, then prints the settings as JSON in the terminal where it runs, and stops. You can close this tab.",
            Back::None,
        );
    }
    result_redirect(&id)
}

/// 303 to a clean address, so the code leaves the address bar. The browser's
/// history still keeps `/callback?code=…&state=…`, but both are spent by then:
/// the code was exchanged once, and a replayed `state` only redirects here
/// again, with no token request, to a result only the session that started
/// the sign-in can read.
fn result_redirect(id: &str) -> Response {
    Redirect::to(&format!("/result/{id}")).into_response()
}

/// Whether a message page links back to the page.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Back {
    Link,
    /// sftoken is about to exit: there is no page to go back to.
    None,
}

/// A small page with no script, for answers outside the app (the callback),
/// styled like the page, light or dark.
fn message_page(status: StatusCode, title: &str, text: &str) -> Response {
    message_page_with(status, title, text, Back::Link)
}

fn message_page_with(status: StatusCode, title: &str, text: &str, back: Back) -> Response {
    let back = match back {
        Back::Link => "<p><a href=\"/\">Back to the sftoken page</a></p>",
        Back::None => "",
    };
    let body = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<meta name=\"color-scheme\" content=\"light dark\">\
<title>{title} · sftoken</title><link rel=\"stylesheet\" href=\"/assets/app.css\"></head>\
<body><header><h1>Connect Salesforce to Snow Atlas</h1></header>\
<main><h2>{title}</h2><p>{text}</p>{back}</main></body></html>",
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

    /// The lines of a file that are not blank or comments, trimmed: how a
    /// reader sees its code, written apart from `strip`.
    fn code_lines(text: &str, js: bool) -> Vec<&str> {
        let mut in_comment = false;
        text.lines()
            .map(str::trim)
            .filter(|line| {
                if in_comment || line.starts_with("/*") {
                    in_comment = !line.ends_with("*/");
                    return false;
                }
                let line_comment = js && line.starts_with("//");
                !line.is_empty() && !line_comment
            })
            .collect()
    }

    #[test]
    fn each_asset_serves_every_line_of_code_of_its_file_and_no_comment() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        for asset in ASSETS {
            let file = asset.path.strip_prefix("/assets/").expect("under /assets/");
            let source =
                std::fs::read_to_string(root.join("static").join(file)).expect("in static/");
            let js = file.ends_with(".js");
            assert_eq!(
                asset.body.lines().collect::<Vec<_>>(),
                code_lines(&source, js),
                "{file}"
            );
            assert!(asset.body.len() < source.len(), "{file}: nothing stripped");
        }
    }

    #[test]
    fn gzip_is_served_only_to_a_browser_that_accepts_it() {
        let accepts = |value: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(
                header::ACCEPT_ENCODING,
                HeaderValue::from_str(value).expect("a header value"),
            );
            accepts_gzip(&headers)
        };
        for yes in [
            "gzip",
            "gzip, deflate, br, zstd",
            "br;q=1.0, GZIP;q=0.5",
            "*",
        ] {
            assert!(accepts(yes), "{yes}");
        }
        for no in [
            "",
            "br, zstd",
            "gzip;q=0",
            "gzip; q=0.0, br",
            "x-gzip2",
            "*;q=0",
        ] {
            assert!(!accepts(no), "{no}");
        }
        assert!(!accepts_gzip(&HeaderMap::new()));
    }

    /// What a browser unzips is what is served plain (gzip(1) reads it, as a
    /// browser would).
    #[test]
    fn each_gzipped_file_unzips_to_its_plain_body() {
        use std::io::Write;
        use std::process::{Command, Stdio};
        for asset in std::iter::once(&PAGE).chain(ASSETS) {
            let mut gunzip = Command::new("gzip")
                .arg("-dc")
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .spawn()
                .expect("gzip(1)");
            let mut stdin = gunzip.stdin.take().expect("stdin");
            stdin.write_all(asset.gzip).expect("write");
            drop(stdin);
            let out = gunzip.wait_with_output().expect("gzip -dc");
            assert!(out.status.success(), "{}", asset.path);
            assert_eq!(
                String::from_utf8_lossy(&out.stdout),
                asset.body,
                "{}",
                asset.path
            );
            assert!(asset.gzip.len() * 2 < asset.body.len(), "{}", asset.path);
        }
    }

    #[test]
    fn the_page_serves_every_line_of_its_file_without_indentation() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let source = std::fs::read_to_string(root.join("static/index.html")).expect("the page");
        let lines: Vec<&str> = source
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty())
            .collect();
        assert_eq!(INDEX_HTML.lines().collect::<Vec<_>>(), lines);
        assert!(INDEX_HTML.len() < source.len(), "nothing stripped");
    }
}
