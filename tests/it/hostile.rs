//! The hostile requests a page, a process or a stray client can send sftoken,
//! each with the status sftoken must answer: one table, sent once each by
//! `security::every_hostile_request_is_refused_and_a_pending_sign_in_still_completes`
//! and thousands of times by the load test (`load.rs`). The defences behind
//! them are in `docs/SECURITY.md`.

use std::io;
use std::time::Duration;

use crate::raw_http::{self, Connection, Response};
use sftoken::web::SESSION_HEADER;

/// What the requests need to know about the running sftoken and its session.
pub struct Target {
    pub port: u16,
    /// The page's session key, sent in the session header.
    pub session: String,
    /// The id of a sign-in that is waiting for Salesforce's callback.
    pub login_id: String,
    /// A login URL sftoken accepts (the mock's).
    pub login_url: String,
}

impl Target {
    fn host(&self) -> String {
        format!("localhost:{}", self.port)
    }

    fn origin(&self) -> String {
        format!("http://localhost:{}", self.port)
    }
}

/// How a request goes on the wire.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Delivery {
    /// In one write.
    Whole,
    /// In `TRICKLE_PIECES` writes, `TRICKLE_PAUSE` apart (a slow client).
    Trickled,
    /// Its first half, then the connection is closed (no answer is read).
    HalfThenClose,
}

pub const TRICKLE_PIECES: usize = 12;
pub const TRICKLE_PAUSE: Duration = Duration::from_millis(100);

/// A further check of an answer whose status is right: the problem, if any.
pub type Check = fn(&Target, &Response) -> Result<(), String>;

/// One request and what sftoken must answer.
pub struct Request {
    /// The group it belongs to, e.g. "foreign Host".
    pub kind: &'static str,
    /// This variant, for messages.
    pub what: String,
    pub bytes: Vec<u8>,
    /// The status sftoken must answer; `None` when no answer is read.
    pub expect: Option<u16>,
    pub delivery: Delivery,
    /// sftoken may close the connection after answering (it refused the
    /// request before reading all of it).
    pub closes: bool,
    /// A further check of the answer: the problem, if any.
    pub check: Option<Check>,
}

impl Request {
    pub fn new(
        kind: &'static str,
        what: impl Into<String>,
        bytes: Vec<u8>,
        expect: u16,
    ) -> Request {
        Request {
            kind,
            what: what.into(),
            bytes,
            expect: Some(expect),
            delivery: Delivery::Whole,
            closes: false,
            check: None,
        }
    }

    /// Sends it on `connection`; `Ok(None)` for a request cut in half, after
    /// which the connection must be dropped.
    pub async fn send(&self, connection: &mut Connection) -> io::Result<Option<Response>> {
        match self.delivery {
            Delivery::Whole => connection.send(&self.bytes).await.map(Some),
            Delivery::Trickled => connection
                .trickle(&self.bytes, TRICKLE_PIECES, TRICKLE_PAUSE)
                .await
                .map(Some),
            Delivery::HalfThenClose => {
                connection
                    .write(&self.bytes[..self.bytes.len() / 2])
                    .await?;
                Ok(None)
            }
        }
    }

    /// Whether `answer` is what sftoken must give (the status, the security
    /// headers and the further check): the problem, if not.
    pub fn verify(&self, target: &Target, answer: Option<&Response>) -> Result<(), String> {
        let status = answer.map(|r| r.status);
        if status != self.expect {
            return Err(format!(
                "{}: {} answered {status:?}, expected {:?}",
                self.kind, self.what, self.expect
            ));
        }
        let Some(answer) = answer else {
            return Ok(());
        };
        // hyper's own refusals (431) come before the app and carry none of its headers.
        let headers = answer.header("cache-control") == Some("no-store")
            && answer.header("content-security-policy").is_some();
        if answer.status != 431 && !headers {
            return Err(format!(
                "{}: {}: {} came without Cache-Control: no-store and a CSP",
                self.kind, self.what, answer.status
            ));
        }
        match self.check {
            Some(check) => check(target, answer)
                .map_err(|problem| format!("{}: {}: {problem}", self.kind, self.what)),
            None => Ok(()),
        }
    }
}

/// Every hostile request, with the status sftoken must answer.
pub fn table(target: &Target) -> Vec<Request> {
    let port = target.port;
    let host = target.host();
    let origin = target.origin();
    let session = target.session.as_str();
    let with_session = (SESSION_HEADER, session);
    let as_cookie = format!("sftoken_{port}={session}");
    let get = |path: &str, host: Option<&str>, headers: &[(&str, &str)]| {
        raw_http::request("GET", path, host, headers, b"")
    };
    let post = |path: &str, headers: &[(&str, &str)], body: &[u8]| {
        raw_http::request("POST", path, Some(&host), headers, body)
    };
    let json = ("Content-Type", "application/json");
    let valid_post = [("Origin", origin.as_str()), with_session, json];
    let form = br#"{"client_id":"x","client_secret":"y","login_url":"http://127.0.0.1:9"}"#;
    let mut table = Vec::new();

    // DNS rebinding: only localhost, 127.0.0.1 and [::1] on this port.
    let foreign_hosts = [
        ("/", Some("evil.example".to_owned())),
        ("/api/session", Some(format!("evil.example:{port}"))),
        (
            "/health",
            Some(format!("localhost:{}", port.wrapping_add(1))),
        ),
        ("/", Some(format!("127.0.0.1.nip.io:{port}"))),
        ("/api/session", Some(format!("localhost.:{port}"))),
        ("/", None),
    ];
    for (path, foreign) in foreign_hosts {
        let bytes = get(path, foreign.as_deref(), &[with_session]);
        let what = match foreign {
            Some(foreign) => format!("GET {path} with Host {foreign}"),
            None => format!("GET {path} without a Host"),
        };
        table.push(Request::new("foreign Host", what, bytes, 403));
    }

    // A callback must name a live state; none of these may end the sign-in.
    let random_state = unissued_state();
    for path in [
        "/callback?code=x&state=forged".to_owned(),
        format!("/callback?code=x&state={random_state}"),
        "/callback?error=access_denied&error_description=x&state=forged".to_owned(),
        "/callback?state=forged".to_owned(),
        "/callback".to_owned(),
        "/callback?code=x&state=a&state=b".to_owned(),
    ] {
        let bytes = get(&path, Some(&host), &[with_session]);
        table.push(Request::new(
            "forged callback",
            format!("GET {path}"),
            bytes,
            400,
        ));
    }

    // Chrome's private-network preflight: answered, with no side effect.
    let preflight = raw_http::request(
        "OPTIONS",
        "/callback?code=x&state=forged",
        Some(&host),
        &[
            ("Origin", "https://login.salesforce.com"),
            ("Access-Control-Request-Method", "GET"),
            ("Access-Control-Request-Private-Network", "true"),
        ],
        b"",
    );
    table.push(Request::new(
        "OPTIONS /callback",
        "preflight",
        preflight,
        204,
    ));

    // CSRF: every POST needs the Origin (or Sec-Fetch-Site) and the session
    // key in its header; a key replayed as a cookie is no session.
    let origin = origin.as_str();
    let missing_key = [
        (
            "POST /api/login: no session key",
            post("/api/login", &[("Origin", origin), json], form),
        ),
        (
            "POST /api/login: a wrong session key",
            post(
                "/api/login",
                &[("Origin", origin), (SESSION_HEADER, "forged"), json],
                form,
            ),
        ),
        (
            "POST /api/login: the key in a cookie",
            post(
                "/api/login",
                &[("Origin", origin), ("Cookie", &as_cookie), json],
                form,
            ),
        ),
        (
            "POST /api/login: no Origin",
            post("/api/login", &[with_session, json], form),
        ),
        (
            "POST /api/done: no session key",
            post("/api/done", &[("Origin", origin)], b""),
        ),
        (
            "POST /api/check: Sec-Fetch-Site: cross-site",
            post(
                "/api/check",
                &[("Sec-Fetch-Site", "cross-site"), with_session, json],
                b"{}",
            ),
        ),
        (
            "POST /api/session: a launch token from another Origin",
            post(
                "/api/session",
                &[("Origin", "http://evil.example"), json],
                br#"{"token":"x"}"#,
            ),
        ),
    ];
    for (what, bytes) in missing_key {
        table.push(Request::new("missing session key", what, bytes, 403));
    }
    let next_port = format!("http://localhost:{}", port.wrapping_add(1));
    let https = format!("https://localhost:{port}");
    let lookalike = format!("http://localhost:{port}.evil.example");
    for (path, foreign, body) in [
        ("/api/login", "http://evil.example", &form[..]),
        ("/api/login", "null", form),
        ("/api/login", &https, form),
        ("/api/login", &lookalike, form),
        ("/api/login", &next_port, form),
        ("/api/done", "http://evil.example", b""),
    ] {
        let bytes = post(path, &[("Origin", foreign), with_session, json], body);
        let what = format!("POST {path} from Origin {foreign}");
        table.push(Request::new("foreign Origin", what, bytes, 403));
    }

    // Size limits: the request target (8 KB), the body (64 KB), the headers.
    let pad = "A".repeat(9000);
    for path in [
        format!("/callback?code=x&state={pad}"),
        format!("/?pad={pad}"),
        format!("/api/session?x={pad}"),
        format!("/assets/app.js?{pad}"),
    ] {
        let bytes = get(&path, Some(&host), &[with_session]);
        table.push(Request::new(
            "URI > 8 KB",
            format!("GET {}…", &path[..20]),
            bytes,
            414,
        ));
    }
    let big = serde_json::json!({
        "client_id": "x".repeat(70_000),
        "client_secret": "s",
        "login_url": target.login_url,
    })
    .to_string();
    let chunked_post = [&valid_post[..], &[("Transfer-Encoding", "chunked")]].concat();
    for (what, bytes) in [
        (
            "POST /api/login",
            post("/api/login", &valid_post, big.as_bytes()),
        ),
        (
            "POST /api/check",
            post("/api/check", &valid_post, big.as_bytes()),
        ),
        (
            "POST /api/login, chunked",
            post(
                "/api/login",
                &chunked_post,
                &raw_http::chunked(big.as_bytes()),
            ),
        ),
    ] {
        table.push(Request {
            closes: true,
            ..Request::new("body > 64 KB", what, bytes, 413)
        });
    }
    for count in [120, 400] {
        let names: Vec<String> = (0..count).map(|n| format!("X-Pad-{n}")).collect();
        let headers: Vec<(&str, &str)> = names
            .iter()
            .map(|name| (name.as_str(), "vvvvvvvv"))
            .collect();
        table.push(Request {
            closes: true,
            ..Request::new(
                "> 100 headers",
                format!("{count} headers"),
                get("/health", Some(&host), &headers),
                431,
            )
        });
    }

    // Bodies that are not the form, with everything else right.
    let bad_bodies: [&[u8]; 8] = [
        b"{",
        b"not json",
        br#"{"client_id": 1}"#,
        b"[]",
        br#"{"client_id":"x","login_url":"#,
        b"\xff\xfe{}",
        br#"{"client_id":"x","client_secret":"y","login_url":"ftp://evil.example"}"#,
        br#"{"client_id":"","login_url":"https://login.salesforce.com"}"#,
    ];
    for body in bad_bodies {
        let what = format!("POST /api/login {}", String::from_utf8_lossy(body));
        table.push(Request::new(
            "bad JSON",
            what,
            post("/api/login", &valid_post, body),
            400,
        ));
    }
    let text_plain = [&valid_post[..2], &[("Content-Type", "text/plain")]].concat();
    let what = "POST /api/login as text/plain";
    table.push(Request::new(
        "bad JSON",
        what,
        post("/api/login", &text_plain, form),
        400,
    ));
    let what = "POST /api/check without the secret";
    let bytes = post("/api/check", &valid_post, br#"{"client_id":"x"}"#);
    table.push(Request::new("bad JSON", what, bytes, 400));

    // Paths and methods that do not exist; nothing outside the embedded page.
    for path in [
        "/nope",
        "/assets/../Cargo.toml",
        "/.env",
        "/static/app.js",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/assets/app.js/",
        "/api/loginx",
    ] {
        let bytes = get(path, Some(&host), &[]);
        table.push(Request::new(
            "unknown path or method",
            format!("GET {path}"),
            bytes,
            404,
        ));
    }
    for path in ["/api/done", "/api/login"] {
        let bytes = get(path, Some(&host), &[with_session]);
        table.push(Request::new(
            "unknown path or method",
            format!("GET {path}"),
            bytes,
            405,
        ));
    }

    // The session: no key, a forged one, or the key in a cookie reads nothing;
    // a launch token works once.
    let login_path = format!("/api/login/{}", target.login_id);
    for (path, headers, what) in [
        ("/api/session", vec![], "no session key"),
        (
            "/api/session",
            vec![(SESSION_HEADER, "forged")],
            "a forged key",
        ),
        (
            "/api/session",
            vec![("Cookie", as_cookie.as_str())],
            "the key in a cookie",
        ),
        (login_path.as_str(), vec![], "no session key"),
        (
            login_path.as_str(),
            vec![("Cookie", as_cookie.as_str())],
            "the key in a cookie",
        ),
        ("/api/login-url?value=x", vec![], "no session key"),
    ] {
        let bytes = get(path, Some(&host), &headers);
        let what = format!("GET {} with {what}", path.split('?').next().unwrap_or(path));
        table.push(Request::new("no or wrong session key", what, bytes, 401));
    }
    table.push(Request {
        check: Some(no_session_for_a_wrong_launch_token),
        ..Request::new(
            "wrong launch token",
            "POST /api/session with a forged token",
            post(
                "/api/session",
                &[("Origin", origin), json],
                br#"{"token":"forged"}"#,
            ),
            403,
        )
    });

    // A slow client is served, and a vanished one costs nothing.
    table.push(Request {
        delivery: Delivery::Trickled,
        ..Request::new(
            "trickled request",
            "GET /health in pieces",
            get("/health", Some(&host), &[]),
            200,
        )
    });
    for (what, bytes) in [
        (
            "GET /api/session",
            get("/api/session", Some(&host), &[with_session]),
        ),
        ("POST /api/login", post("/api/login", &valid_post, form)),
    ] {
        table.push(Request {
            expect: None,
            delivery: Delivery::HalfThenClose,
            ..Request::new("half-sent request", format!("half of {what}"), bytes, 0)
        });
    }
    table
}

fn no_session_for_a_wrong_launch_token(_: &Target, answer: &Response) -> Result<(), String> {
    if answer.header("set-cookie").is_some() {
        return Err("a wrong launch token got a cookie".to_owned());
    }
    if answer.text().contains("session_key") {
        return Err("a wrong launch token got a session key".to_owned());
    }
    Ok(())
}

/// 256 random bits, base64url: the shape of a real `state`, but one nobody issued.
fn unissued_state() -> String {
    use base64::Engine;
    use ring::rand::SecureRandom;
    let mut bytes = [0; 32];
    ring::rand::SystemRandom::new()
        .fill(&mut bytes)
        .expect("the system's random source works");
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}
