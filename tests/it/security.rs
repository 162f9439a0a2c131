//! The security baseline: Host allow-list, launch token and cookie, Origin and
//! CSRF checks, the callback preflight, headers and embedded assets.

use reqwest::StatusCode;

use crate::helpers::{JsonBody, TestApp, Visitor, app_and_mock, http_client, location};
use crate::hostile::{self, Target};
use crate::mock_salesforce::MockOptions;
use crate::raw_http::Connection;

#[tokio::test]
async fn a_foreign_host_header_is_refused_on_every_route() {
    let (app, _mock) = app_and_mock(MockOptions::default()).await;
    let visitor = Visitor::launch(&app.launch_url).await;
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
        "/assets/app.js",
        "/result/abc",
        "/nope",
    ];
    for host in &hosts {
        for path in paths {
            let response = visitor
                .http
                .get(app.url(path))
                .header("host", host)
                .header("cookie", visitor.cookie.as_deref().expect("cookie"))
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

#[tokio::test]
async fn the_launch_token_becomes_an_http_only_cookie_and_leaves_the_address_bar() {
    let app = TestApp::start("https://login.salesforce.com", |_| {}).await;
    let http = http_client();

    let launched = http.get(&app.launch_url).send().await.expect("launch");

    assert_eq!(launched.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&launched), "/");
    let cookie = launched
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .expect("cookie")
        .to_owned();
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(!cookie.contains(app.launch_url.split("token=").nth(1).expect("token")));

    let wrong = http
        .get(app.url("/?token=guessed"))
        .send()
        .await
        .expect("wrong token");
    assert_eq!(wrong.status(), StatusCode::SEE_OTHER);
    assert!(
        wrong.headers().get("set-cookie").is_none(),
        "no cookie for a wrong token"
    );

    // The same address works again, for a second browser.
    let again = http.get(&app.launch_url).send().await.expect("again");
    assert!(again.headers().get("set-cookie").is_some());
    app.stop().await;
}

#[tokio::test]
async fn without_the_cookie_no_route_shows_a_secret() {
    let (app, mock) = app_and_mock(MockOptions::default()).await;
    let visitor = Visitor::launch(&app.launch_url).await;
    let secret = mock.options().client_secret.clone();
    let sign_in = visitor.sign_in(&mock, &secret, "allow").await;
    let refresh_token = sign_in.result["settings"]["refresh_token"]
        .as_str()
        .expect("token")
        .to_owned();
    let id = sign_in
        .callback_location
        .strip_prefix("/result/")
        .expect("id")
        .to_owned();
    let stranger = Visitor {
        cookie: None,
        csrf: None,
        ..Visitor::launch(&app.launch_url).await
    };

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
        assert!(!body.contains(&refresh_token), "{path} leaked the token");
        assert!(!body.contains(&secret), "{path} leaked the secret");
        if path.starts_with("/api/") {
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{path}");
            assert!(body.contains("printed in the terminal"), "{body}");
        }
    }
    app.stop().await;
}

#[tokio::test]
async fn a_cross_site_or_token_less_post_is_refused() {
    let (app, mock) = app_and_mock(MockOptions::default()).await;
    let visitor = Visitor::launch(&app.launch_url).await;
    let body = serde_json::json!({
        "client_id": mock.options().client_id,
        "client_secret": mock.options().client_secret,
        "login_url": mock.url(),
    })
    .to_string();
    let cookie = visitor.cookie.clone().expect("cookie");
    let csrf = visitor.csrf.clone().expect("csrf");
    let post = |origin: Option<&str>, csrf: Option<&str>, cookie: Option<&str>| {
        let mut request = visitor
            .http
            .post(app.url("/api/login"))
            .header("content-type", "application/json")
            .body(body.clone());
        if let Some(origin) = origin {
            request = request.header("origin", origin);
        }
        if let Some(csrf) = csrf {
            request = request.header("x-csrf-token", csrf);
        }
        if let Some(cookie) = cookie {
            request = request.header("cookie", cookie);
        }
        request.send()
    };
    let origin = app.origin();
    let refused = [
        (
            "foreign origin",
            Some("https://evil.example"),
            Some(csrf.as_str()),
            Some(cookie.as_str()),
        ),
        (
            "null origin",
            Some("null"),
            Some(csrf.as_str()),
            Some(cookie.as_str()),
        ),
        (
            "no origin",
            None,
            Some(csrf.as_str()),
            Some(cookie.as_str()),
        ),
        (
            "no CSRF token",
            Some(origin.as_str()),
            None,
            Some(cookie.as_str()),
        ),
        (
            "wrong CSRF token",
            Some(origin.as_str()),
            Some("guess"),
            Some(cookie.as_str()),
        ),
        (
            "no cookie",
            Some(origin.as_str()),
            Some(csrf.as_str()),
            None,
        ),
    ];
    for (case, origin, csrf, cookie) in refused {
        let response = post(origin, csrf, cookie).await.expect("post");
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{case}");
    }

    let accepted = post(Some(&origin), Some(&csrf), Some(&cookie))
        .await
        .expect("post");
    assert_eq!(accepted.status(), StatusCode::OK);

    // Without Origin, Sec-Fetch-Site decides; the CSRF token is still needed.
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
            .header("x-csrf-token", &csrf)
            .header("cookie", &cookie)
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
    let (app, mock) = app_and_mock(MockOptions::default()).await;
    let visitor = Visitor::launch(&app.launch_url).await;
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
    let (app, _mock) = app_and_mock(MockOptions::default()).await;
    let visitor = Visitor::launch(&app.launch_url).await;
    for path in [
        "/",
        "/assets/app.js",
        "/api/session",
        "/callback",
        "/nope",
        "/result/x",
    ] {
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
        assert!(csp.contains("default-src 'self'"), "{path}: {csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(!csp.contains("unsafe-inline"), "{path}: {csp}");
        assert_eq!(header("cache-control"), "no-store", "{path}");
        assert_eq!(header("referrer-policy"), "no-referrer", "{path}");
        assert_eq!(header("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(header("access-control-allow-origin"), "", "{path}");
    }
    app.stop().await;
}

#[tokio::test]
async fn the_served_page_is_the_one_in_static() {
    let app = TestApp::start("https://login.salesforce.com", |_| {}).await;
    let http = http_client();
    for (path, file, content_type) in [
        ("/", "index.html", "text/html"),
        ("/assets/app.js", "app.js", "text/javascript"),
        ("/assets/app.css", "app.css", "text/css"),
    ] {
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
        let on_disk = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("static")
                .join(file),
        )
        .expect("static file");
        assert_eq!(response.text().await.expect("body"), on_disk, "{path}");
    }
    app.stop().await;
}

#[tokio::test]
async fn the_page_is_gzipped_but_answers_with_secrets_are_not() {
    let (app, _mock) = app_and_mock(MockOptions::default()).await;
    let visitor = Visitor::launch(&app.launch_url).await;
    let gzip = |path: &str| {
        let mut request = visitor
            .http
            .get(app.url(path))
            .header("accept-encoding", "gzip");
        if let Some(cookie) = &visitor.cookie {
            request = request.header("cookie", cookie);
        }
        request.send()
    };
    for (path, file) in [
        ("/", include_str!("../../static/index.html")),
        ("/assets/app.js", include_str!("../../static/app.js")),
        ("/assets/app.css", include_str!("../../static/app.css")),
    ] {
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
        assert!(body.len() * 2 < file.len(), "{path}: {} bytes", body.len());
    }
    let session = gzip("/api/session").await.expect("GET");
    assert!(session.headers().get("content-encoding").is_none());
    app.stop().await;
}

#[test]
fn the_page_loads_nothing_from_other_hosts_and_has_no_inline_script() {
    let page = include_str!("../../static/index.html");
    let script = include_str!("../../static/app.js");
    let css = include_str!("../../static/app.css");
    // Salesforce's addresses appear as data (radio labels, placeholders), never as a resource.
    let allowed = [
        "login.salesforce.com",
        "test.salesforce.com",
        "yourcompany.my.salesforce.com",
    ];
    for (name, text) in [("index.html", page), ("app.js", script), ("app.css", css)] {
        for (at, _) in text.match_indices("://") {
            let host: String = text[at + 3..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '.' || *c == '-')
                .collect();
            assert!(allowed.contains(&host.as_str()), "{name} refers to {host}");
        }
        assert!(!text.contains("@import"), "{name} imports");
    }
    assert!(!page.contains("<script>"), "no inline script");
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
        assert!(
            !script.contains(sink),
            "text is written with textContent, not {sink}"
        );
    }
}

#[tokio::test]
async fn an_oversized_request_is_refused_and_the_app_keeps_serving() {
    let (app, mock) = app_and_mock(MockOptions::default()).await;
    let visitor = Visitor::launch(&app.launch_url).await;

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
    let (app, mock) = app_and_mock(MockOptions::default()).await;
    let visitor = Visitor::launch(&app.launch_url).await;
    let secret = mock.options().client_secret.clone();
    let started = visitor
        .start_login(&mock.options().client_id, &secret, &mock.url())
        .await;
    assert_eq!(started.status(), StatusCode::OK);
    let started = started.json_value().await;
    let login_id = started["id"].as_str().expect("id").to_owned();
    let target = Target {
        port: app.port,
        cookie: visitor.cookie.clone().expect("cookie"),
        csrf: visitor.csrf.clone().expect("csrf"),
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
