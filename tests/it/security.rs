//! The security baseline: Host allow-list, the launch token and the session
//! key, Origin checks, the callback preflight, headers and embedded assets.

use reqwest::StatusCode;

use crate::helpers::{
    JsonBody, TestApp, Visitor, http_client, launch_token, page_and_mock, signed_in,
};
use crate::hostile::{self, Target};
use crate::mock_salesforce::MockOptions;
use crate::raw_http::Connection;
use sftoken::web::{ASSETS, Asset, INDEX_HTML, SESSION_HEADER};

#[tokio::test]
async fn a_foreign_host_header_is_refused_on_every_route() {
    let (app, _mock, visitor) = page_and_mock(MockOptions::default()).await;
    let hosts = [
        "evil.example".to_owned(),
        format!("evil.example:{}", app.port),
        format!("localhost:{}", app.port + 1),
        String::new(),
    ];
    let paths = [
        "/",
        "/?token=x",
        "/api/session",
        "/api/login/abc",
        "/callback?code=a&state=b",
        "/result/abc",
        "/nope",
    ]
    .into_iter()
    .chain(ASSETS.iter().map(|asset| asset.path));
    for host in &hosts {
        for path in paths.clone() {
            let response = visitor
                .http
                .get(app.url(path))
                .header("host", host)
                .header(SESSION_HEADER, visitor.session.as_deref().expect("key"))
                .send()
                .await
                .expect("request");
            assert_eq!(
                response.status(),
                StatusCode::FORBIDDEN,
                "Host {host:?} {path}"
            );
        }
    }
    for allowed in ["127.0.0.1", "[::1]", "LOCALHOST"] {
        let response = visitor
            .http
            .get(app.url("/"))
            .header("host", format!("{allowed}:{}", app.port))
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), StatusCode::OK, "{allowed}");
    }
    app.stop().await;
}

/// POST /api/session as the page's script does, with the page's Origin.
async fn trade(app: &TestApp, token: &str) -> reqwest::Response {
    http_client()
        .post(app.url("/api/session"))
        .header("origin", app.origin())
        .header("content-type", "application/json")
        .body(serde_json::json!({ "token": token }).to_string())
        .send()
        .await
        .expect("trade")
}

#[tokio::test]
async fn the_launch_token_rides_in_the_fragment_works_once_and_sets_no_cookie() {
    let app = TestApp::start("https://login.salesforce.com", |_| {}).await;
    let launch_url = app.launch_url();
    assert!(
        launch_url.starts_with(&format!("http://localhost:{}/#token=", app.port)),
        "the token is in the fragment, which no server or log sees: {launch_url}"
    );
    let token = launch_token(&launch_url);

    let page = http_client().get(app.url("/")).send().await.expect("page");
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.headers().get("set-cookie").is_none());

    let opened = trade(&app, &token).await;
    assert_eq!(opened.status(), StatusCode::OK);
    assert!(opened.headers().get("set-cookie").is_none(), "no cookie");
    let key = opened.json_value().await["session_key"]
        .as_str()
        .expect("a session key")
        .to_owned();
    assert_ne!(key, token);
    assert!(key.len() >= 43, "256 bits: {key}");

    let replayed = trade(&app, &token).await;
    assert_eq!(replayed.status(), StatusCode::FORBIDDEN, "works once");
    let message = replayed.json_value().await["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(message.contains("already used"), "{message}");
    assert!(
        message.contains("terminal"),
        "says where the new one is: {message}"
    );
    assert_eq!(trade(&app, "guessed").await.status(), StatusCode::FORBIDDEN);

    // A fresh address for a second browser, which works once too.
    let fresh = app.launch_url();
    assert_ne!(fresh, launch_url);
    let second = Visitor::launch(&fresh).await;
    assert_ne!(second.session.as_deref(), Some(key.as_str()));
    assert_eq!(
        trade(&app, &launch_token(&fresh)).await.status(),
        StatusCode::FORBIDDEN
    );

    // Trading needs the page's own Origin.
    let token = launch_token(&app.launch_url());
    let foreign = http_client()
        .post(app.url("/api/session"))
        .header("origin", "http://localhost:1")
        .header("content-type", "application/json")
        .body(serde_json::json!({ "token": token }).to_string())
        .send()
        .await
        .expect("foreign trade");
    assert_eq!(foreign.status(), StatusCode::FORBIDDEN);
    assert_eq!(trade(&app, &token).await.status(), StatusCode::OK, "unused");
    app.stop().await;
}

#[tokio::test]
async fn without_the_session_key_no_route_shows_a_secret() {
    let (app, mock, visitor, sign_in) = signed_in(MockOptions::default()).await;
    let secret = &mock.options().client_secret;
    let refresh_token = sign_in.result["settings"]["refresh_token"]
        .as_str()
        .expect("token")
        .to_owned();
    let id = sign_in.id;
    let key = visitor.session.clone().expect("key");
    let mut wrong_key = key.clone();
    wrong_key.replace_range(..1, if key.starts_with('A') { "B" } else { "A" });
    let other_browser = Visitor::launch(&app.launch_url()).await;
    let strangers = [
        ("no key", Visitor::elsewhere_at(&app.origin(), None)),
        (
            "a wrong key",
            Visitor::elsewhere_at(&app.origin(), Some(wrong_key)),
        ),
        (
            "an empty key",
            Visitor::elsewhere_at(&app.origin(), Some(String::new())),
        ),
        ("another browser's session", other_browser),
    ];

    for (who, stranger) in &strangers {
        for path in [
            "/api/session".to_owned(),
            format!("/api/login/{id}"),
            sign_in.callback_location.clone(),
            sign_in.callback_url.clone(),
            "/".to_owned(),
        ] {
            let response = stranger.get(&path).await;
            let status = response.status();
            let body = response.text().await.expect("body");
            assert!(
                !body.contains(&refresh_token),
                "{who}: {path} leaked the token"
            );
            assert!(!body.contains(secret), "{who}: {path} leaked the secret");
            match (path.as_str(), *who) {
                ("/api/session", "another browser's session") => {
                    assert_eq!(status, StatusCode::OK, "{who}");
                }
                (p, "another browser's session") if p.starts_with("/api/") => {
                    assert_eq!(status, StatusCode::NOT_FOUND, "{who}: {path}");
                }
                (p, _) if p.starts_with("/api/") => {
                    assert_eq!(status, StatusCode::UNAUTHORIZED, "{who}: {path}");
                    assert!(body.contains("printed in the terminal"), "{body}");
                }
                _ => {}
            }
        }
        let revoke = stranger
            .post(&format!("/api/login/{id}/revoke"), "{}")
            .await;
        assert!(revoke.status().is_client_error(), "{who}: revoke");
    }
    // The key in a cookie, as a listener on another port could replay it, is
    // not a session.
    let as_cookie = http_client()
        .get(app.url(&format!("/api/login/{id}")))
        .header("cookie", format!("sftoken_{}={key}", app.port))
        .send()
        .await
        .expect("cookie");
    assert_eq!(as_cookie.status(), StatusCode::UNAUTHORIZED);
    // The owner still sees it, and it was not revoked.
    let own = visitor.get_json(&format!("/api/login/{id}")).await;
    assert_eq!(own["settings"]["refresh_token"], refresh_token.as_str());
    assert_eq!(own["revoked"], false);
    app.stop().await;
}

#[tokio::test]
async fn a_cross_site_or_keyless_post_is_refused() {
    let (app, mock, visitor) = page_and_mock(MockOptions::default()).await;
    let body = serde_json::json!({
        "client_id": mock.options().client_id,
        "client_secret": mock.options().client_secret,
        "login_url": mock.url(),
    })
    .to_string();
    let key = visitor.session.clone().expect("key");
    let post = |origin: Option<&str>, key: Option<&str>| {
        let mut request = visitor
            .http
            .post(app.url("/api/login"))
            .header("content-type", "application/json")
            .body(body.clone());
        if let Some(origin) = origin {
            request = request.header("origin", origin);
        }
        if let Some(key) = key {
            request = request.header(SESSION_HEADER, key);
        }
        request.send()
    };
    let origin = app.origin();
    let other_port = format!("http://localhost:{}", app.port + 1);
    let refused = [
        (
            "foreign origin",
            Some("https://evil.example"),
            Some(key.as_str()),
        ),
        (
            "another port",
            Some(other_port.as_str()),
            Some(key.as_str()),
        ),
        ("null origin", Some("null"), Some(key.as_str())),
        ("no origin", None, Some(key.as_str())),
        ("no session key", Some(origin.as_str()), None),
        ("wrong session key", Some(origin.as_str()), Some("guess")),
    ];
    for (case, origin, key) in refused {
        let response = post(origin, key).await.expect("post");
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{case}");
    }

    let accepted = post(Some(&origin), Some(&key)).await.expect("post");
    assert_eq!(accepted.status(), StatusCode::OK);

    // Without Origin, Sec-Fetch-Site decides; the session key is still needed.
    for (site, expected) in [
        ("same-origin", StatusCode::OK),
        ("cross-site", StatusCode::FORBIDDEN),
        ("same-site", StatusCode::FORBIDDEN),
    ] {
        let response = visitor
            .http
            .post(app.url("/api/login"))
            .header("content-type", "application/json")
            .header("sec-fetch-site", site)
            .header(SESSION_HEADER, &key)
            .body(body.clone())
            .send()
            .await
            .expect("post");
        assert_eq!(response.status(), expected, "Sec-Fetch-Site: {site}");
    }
    app.stop().await;
}

#[tokio::test]
async fn an_options_preflight_on_the_callback_changes_nothing() {
    let (app, mock, visitor) = page_and_mock(MockOptions::default()).await;
    let secret = mock.options().client_secret.clone();
    let authorize_url = visitor.authorize_url(&mock, &secret).await;
    let callback_url = visitor.consent(&authorize_url, "allow").await;

    let preflight = visitor
        .http
        .request(reqwest::Method::OPTIONS, &callback_url)
        .header("origin", mock.url())
        .header("access-control-request-method", "GET")
        .header("access-control-request-private-network", "true")
        .send()
        .await
        .expect("preflight");

    assert_eq!(preflight.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        preflight
            .headers()
            .get("access-control-allow-private-network")
            .and_then(|v| v.to_str().ok()),
        Some("true")
    );
    assert!(
        mock.token_requests().is_empty(),
        "the preflight exchanged nothing"
    );
    let sign_in = visitor.finish(&callback_url).await;
    assert_eq!(sign_in.result["status"], "captured");
    app.stop().await;
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let (app, _mock, visitor) = page_and_mock(MockOptions::default()).await;
    let paths = ["/", "/api/session", "/callback", "/nope", "/result/x"]
        .into_iter()
        .chain(ASSETS.iter().map(|asset| asset.path));
    for path in paths {
        let response = visitor.get(path).await;
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned()
        };
        let csp = header("content-security-policy");
        // A document gets the page's policy; anything else may load nothing.
        let default_src = if header("content-type").starts_with("text/html") {
            "default-src 'self'"
        } else {
            "default-src 'none'"
        };
        assert!(csp.contains(default_src), "{path}: {csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(!csp.contains("unsafe-inline"), "{path}: {csp}");
        assert_eq!(header("cache-control"), "no-store", "{path}");
        assert_eq!(header("referrer-policy"), "no-referrer", "{path}");
        assert_eq!(header("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(header("access-control-allow-origin"), "", "{path}");
    }
    app.stop().await;
}

/// The page and every asset: (path, file in `static/`, content type, what is
/// served: the page as it is, each asset as embedded, without its comments).
fn page_files() -> Vec<(&'static str, &'static str, &'static str, &'static str)> {
    let assets = ASSETS.iter().map(|asset| {
        let file = asset.path.strip_prefix("/assets/").expect("under /assets/");
        (asset.path, file, asset.content_type, asset.body)
    });
    std::iter::once(("/", "index.html", "text/html", INDEX_HTML))
        .chain(assets)
        .collect()
}

fn static_file(file: &str) -> String {
    std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("static")
            .join(file),
    )
    .expect("static file")
}

#[test]
fn every_file_in_static_is_served_and_each_module_is_short() {
    let mut on_disk: Vec<String> =
        std::fs::read_dir(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("static"))
            .expect("static")
            .map(|entry| {
                entry
                    .expect("entry")
                    .file_name()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
    on_disk.sort();
    let mut served: Vec<String> = page_files()
        .iter()
        .map(|(_, file, _, _)| (*file).to_owned())
        .collect();
    served.sort();
    assert_eq!(
        on_disk, served,
        "static/ and the asset table in web/pages.rs"
    );
    for (path, file, content_type, _) in page_files() {
        let lines = static_file(file).lines().count();
        if file.ends_with(".js") {
            assert_eq!(content_type, "text/javascript", "{path}");
            assert!(lines <= 300, "{file} has {lines} lines: split it");
        }
    }
}

/// Served as embedded (`web::pages`' unit test pins each asset's code lines
/// to its file in `static/`).
#[tokio::test]
async fn the_served_page_is_the_one_embedded() {
    let app = TestApp::start("https://login.salesforce.com", |_| {}).await;
    let http = http_client();
    for (path, _, content_type, body) in page_files() {
        let response = http.get(app.url(path)).send().await.expect("asset");
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let served_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        assert!(
            served_type.starts_with(content_type),
            "{path}: {served_type}"
        );
        assert_eq!(response.text().await.expect("body"), body, "{path}");
    }
    app.stop().await;
}

#[tokio::test]
async fn the_page_is_gzipped_but_answers_with_secrets_are_not() {
    let (app, _mock, visitor) = page_and_mock(MockOptions::default()).await;
    let gzip = |path: &str| {
        let mut request = visitor
            .http
            .get(app.url(path))
            .header("accept-encoding", "gzip");
        if let Some(session) = &visitor.session {
            request = request.header(SESSION_HEADER, session);
        }
        request.send()
    };
    for (path, _, _, served) in page_files() {
        let response = gzip(path).await.expect("GET");
        assert_eq!(
            response
                .headers()
                .get("content-encoding")
                .map(|v| v.as_bytes()),
            Some(&b"gzip"[..]),
            "{path}"
        );
        let body = response.bytes().await.expect("body");
        assert!(
            body.len() * 2 < served.len(),
            "{path}: {} bytes",
            body.len()
        );
    }
    let session = gzip("/api/session").await.expect("GET");
    assert!(session.headers().get("content-encoding").is_none());
    app.stop().await;
}

#[test]
fn the_page_loads_nothing_from_other_hosts_and_has_no_inline_script() {
    let page = INDEX_HTML;
    // Salesforce's addresses appear as data (radio labels, placeholders), never as a resource.
    let allowed = [
        "login.salesforce.com",
        "test.salesforce.com",
        "yourcompany.lightning.force.com",
    ];
    let files = std::iter::once(("/", page)).chain(ASSETS.iter().map(|a| (a.path, a.body)));
    for (name, text) in files {
        for (at, _) in text.match_indices("://") {
            let host: String = text[at + 3..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '.' || *c == '-')
                .collect();
            assert!(allowed.contains(&host.as_str()), "{name} refers to {host}");
        }
        assert!(!text.contains("@import"), "{name} imports");
    }
    // One script: the entry module, which imports the others from /assets/;
    // each module imports only modules after it in the table, so there is no
    // import cycle.
    assert_eq!(page.matches("<script").count(), 1, "one script tag");
    assert!(page.contains(r#"<script type="module" src="/assets/app.js"></script>"#));
    let scripts: Vec<&Asset> = ASSETS
        .iter()
        .filter(|asset| asset.content_type == "text/javascript")
        .collect();
    let place = |path: &str| ASSETS.iter().position(|asset| asset.path == path);
    for script in &scripts {
        for (at, _) in script.body.match_indices(" from \"") {
            let module = &script.body[at + 7..];
            let module = &module[..module.find('"').expect("a closing quote")];
            let path = format!("/assets/{}", module.strip_prefix("./").unwrap_or(module));
            let imported = place(&path)
                .unwrap_or_else(|| panic!("{} imports {module}, which is not served", script.path));
            assert!(
                imported > place(script.path).expect("in the table"),
                "{} imports {module}, which comes before it in ASSETS",
                script.path
            );
        }
    }
    assert!(!page.contains(" style="), "no inline style");
    let handlers = page
        .split(|c: char| c.is_whitespace())
        .filter(|word| word.starts_with("on") && word.contains('='))
        .count();
    assert_eq!(handlers, 0, "no inline event handlers");
    for sink in [
        ".innerHTML",
        ".outerHTML",
        "insertAdjacentHTML",
        "document.write",
    ] {
        for script in &scripts {
            assert!(
                !script.body.contains(sink),
                "{}: text is written with textContent, not {sink}",
                script.path
            );
        }
    }
}

#[tokio::test]
async fn an_oversized_request_is_refused_and_the_app_keeps_serving() {
    let (app, mock, visitor) = page_and_mock(MockOptions::default()).await;

    let long_query = visitor
        .get(&format!("/callback?state={}", "a".repeat(10_000)))
        .await;
    assert_eq!(long_query.status(), StatusCode::URI_TOO_LONG);
    let big_body = visitor
        .post(
            "/api/login",
            format!("{{\"client_id\":\"{}\"}}", "a".repeat(100_000)),
        )
        .await;
    assert_eq!(big_body.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let bad_json = visitor.post("/api/login", "{not json".to_owned()).await;
    assert_eq!(bad_json.status(), StatusCode::BAD_REQUEST);
    assert!(bad_json.json_value().await["error"]["message"].is_string());

    // The limits themselves: 8 KB of request target and 64 KB of body are
    // taken, one byte more is not.
    let target = |length: usize| {
        let path = "/health?pad=";
        format!("{path}{}", "a".repeat(length - path.len()))
    };
    assert_eq!(
        visitor.get(&target(8 * 1024)).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        visitor.get(&target(8 * 1024 + 1)).await.status(),
        StatusCode::URI_TOO_LONG
    );
    let body = |length: usize| {
        let start = "{\"client_id\":\"";
        let end = "\"}";
        format!(
            "{start}{}{end}",
            "a".repeat(length - start.len() - end.len())
        )
    };
    let at_the_limit = visitor.post("/api/login", body(64 * 1024)).await;
    assert_eq!(
        at_the_limit.status(),
        StatusCode::BAD_REQUEST,
        "read, then refused"
    );
    let over = visitor.post("/api/login", body(64 * 1024 + 1)).await;
    assert_eq!(over.status(), StatusCode::PAYLOAD_TOO_LARGE);

    let secret = mock.options().client_secret.clone();
    let sign_in = visitor.sign_in(&mock, &secret, "allow").await;
    assert_eq!(sign_in.result["status"], "captured");
    app.stop().await;
}

#[tokio::test]
async fn the_app_answers_on_both_loopback_addresses() {
    let app = TestApp::start("https://login.salesforce.com", |_| {}).await;
    let http = http_client();
    let has_ipv6 = std::net::TcpListener::bind("[::1]:0").is_ok();
    let addresses: &[&str] = if has_ipv6 {
        &["127.0.0.1", "[::1]"]
    } else {
        &["127.0.0.1"]
    };

    for address in addresses {
        let response = http
            .get(format!("http://{address}:{}/", app.port))
            .header("host", format!("localhost:{}", app.port))
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), StatusCode::OK, "{address}");
    }
    app.stop().await;
}

#[tokio::test]
async fn every_hostile_request_is_refused_and_a_pending_sign_in_still_completes() {
    let (app, mock, visitor) = page_and_mock(MockOptions::default()).await;
    let secret = mock.options().client_secret.clone();
    let started = visitor
        .start_login(&mock.options().client_id, &secret, &mock.url())
        .await;
    assert_eq!(started.status(), StatusCode::OK);
    let started = started.json_value().await;
    let login_id = started["id"].as_str().expect("id").to_owned();
    let target = Target {
        port: app.port,
        session: visitor.session.clone().expect("session key"),
        login_id: login_id.clone(),
        login_url: mock.url(),
    };

    let mut problems = Vec::new();
    for request in hostile::table(&target) {
        let mut connection = Connection::open(app.port).await.expect("connect");
        let problem = match request.send(&mut connection).await {
            Ok(answer) => request.verify(&target, answer.as_ref()).err(),
            Err(e) => Some(format!("{}: {}: {e}", request.kind, request.what)),
        };
        problems.extend(problem);
    }

    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(mock.token_requests().is_empty(), "nothing was exchanged");
    let authorize_url = started["authorize_url"].as_str().expect("authorize_url");
    let callback_url = visitor.consent(authorize_url, "allow").await;
    let sign_in = visitor.finish(&callback_url).await;
    assert_eq!(sign_in.callback_location, format!("/result/{login_id}"));
    assert_eq!(sign_in.result["status"], "captured", "{}", sign_in.result);
    app.stop().await;
}
