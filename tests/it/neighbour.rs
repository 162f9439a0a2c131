//! Another local user or program gets nothing: the session is bound to the
//! page's own origin, the launch address works once, a loopback login URL
//! needs the opt-out, half-open connections are dropped, a process squatting
//! the port is never trusted, Salesforce's answers are bounded, and nothing
//! Salesforce sends can drive the terminal (docs/SECURITY.md).

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::helpers::check;
use crate::helpers::{
    Binary, DEADLINE, JsonBody, TestApp, Visitor, app_and_mock, browser_signed_in, free_port,
    http_client, launch_token, mock_with_token, run_check_with_token,
};
use crate::mock_salesforce::{MockOptions, MockSalesforce};
use crate::webdriver::Browser;
use sftoken::signin::report::CheckKind;

/// A listener on another localhost port: it answers one request and hands
/// back the request head the browser sent it.
async fn listener_on_another_port() -> (u16, tokio::task::JoinHandle<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("address").port();
    let recorded = tokio::spawn(async move {
        let (mut stream, _) = listener.accept().await.expect("the browser comes");
        let mut head = Vec::new();
        let mut buffer = [0; 4096];
        while !head.windows(4).any(|w| w == b"\r\n\r\n") {
            let read = stream.read(&mut buffer).await.expect("read");
            if read == 0 {
                break;
            }
            head.extend_from_slice(&buffer[..read]);
        }
        let answer = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";
        let _ = stream.write_all(answer.as_bytes()).await;
        String::from_utf8_lossy(&head).into_owned()
    });
    (port, recorded)
}

/// Sends `path` to sftoken with every header another listener received,
/// as its owner would replay them.
async fn replay(app: &TestApp, head: &str, path: &str) -> reqwest::Response {
    let mut request = http_client().get(app.url(path));
    for line in head.lines().skip(1) {
        if let Some((name, value)) = line.split_once(':')
            && !name.eq_ignore_ascii_case("host")
            && !name.trim().is_empty()
        {
            request = request.header(name.trim(), value.trim());
        }
    }
    request.send().await.expect("replay")
}

#[tokio::test]
async fn a_listener_on_another_localhost_port_gets_nothing_it_can_replay() {
    let (app, mock) = app_and_mock(MockOptions::default()).await;
    let (browser, page, sign_in) = browser_signed_in(&app, &mock).await;
    let secret = mock.options().client_secret.clone();
    let id = &sign_in.id;
    let key = page.session.clone().expect("key");

    // Any web page can send the browser there with a redirect.
    let (port, recorded) = listener_on_another_port().await;
    browser.goto(&format!("http://localhost:{port}/")).await;
    let head = tokio::time::timeout(DEADLINE, recorded)
        .await
        .expect("the browser visited the other port")
        .expect("recorded");

    assert!(head.starts_with("GET / "), "{head}");
    assert!(
        !head.contains(&key),
        "the session key left its origin: {head}"
    );
    for path in ["/api/session".to_owned(), format!("/api/login/{id}")] {
        let replayed = replay(&app, &head, &path).await;
        assert_eq!(replayed.status(), StatusCode::UNAUTHORIZED, "{path}");
        let body = replayed.text().await.expect("body");
        assert!(!body.contains(&secret), "{path}");
    }
    browser.quit().await;
    app.stop().await;
}

#[tokio::test]
async fn the_launch_address_leaves_the_address_bar_and_reload_and_back_keep_working() {
    let (app, mock) = app_and_mock(MockOptions::default()).await;
    let launch_url = app.launch_url();
    let browser = Browser::start().await;
    browser.goto(&launch_url).await;
    browser.find("#setup:not([hidden])").await;
    let token = launch_token(&launch_url);
    assert!(!browser.current_url().await.contains(&token));
    let history = browser
        .execute(
            "return window.location.href + ' ' + history.length;",
            vec![],
        )
        .await;
    assert!(!history.to_string().contains(&token), "{history}");

    // A reload keeps the page working: the key is in sessionStorage.
    browser.goto(&app.url("/")).await;
    browser.find("#setup:not([hidden])").await;

    let page = Visitor::of_page(&browser, &app.origin()).await;
    let sign_in = page
        .sign_in(&mock, &mock.options().client_secret, "allow")
        .await;
    browser.goto(&app.url(&sign_in.callback_location)).await;
    browser.find("#result:not([hidden])").await;
    browser.goto(&app.url("/")).await;
    browser.find("#setup:not([hidden])").await;
    browser.execute("history.back();", vec![]).await;
    browser.find("#result:not([hidden])").await;
    assert!(!browser.value("#s-refresh_token").await.is_empty());

    // The used address again: the page says where the current one is.
    let stranger = Browser::start().await;
    stranger.goto(&launch_url).await;
    let said = stranger
        .wait_for_text("#link-used", |t| !t.is_empty())
        .await;
    assert!(said.contains("already used"), "{said}");
    // A second browser gets in with the fresh address.
    stranger.goto(&app.launch_url()).await;
    stranger.find("#setup:not([hidden])").await;
    stranger.quit().await;
    browser.quit().await;
    app.stop().await;
}

#[tokio::test]
async fn the_terminal_prints_a_fresh_address_after_each_use_and_never_in_an_error() {
    // No opener can be found, so opening the browser fails.
    let empty = std::env::temp_dir().join("sftoken-no-opener");
    std::fs::create_dir_all(&empty).expect("empty folder");
    let path = empty.display().to_string();
    let port = free_port().to_string();
    let mut binary = Binary::spawn_with(
        &["--port", &port],
        &[("PATH", &path), ("DISPLAY", ":99")],
        &["WAYLAND_DISPLAY", "BROWSER"],
        None,
    );
    let first = binary.launch_url().await;
    let said = binary.wait_for_stderr("Could not open a browser").await;
    assert!(!said.contains(&launch_token(&first)), "{said}");

    let visitor = Visitor::launch(&first).await;
    let fresh = binary.next_launch_url(&first).await;
    assert_ne!(launch_token(&fresh), launch_token(&first));
    let second = Visitor::launch(&fresh).await;
    assert_ne!(visitor.session, second.session);
    binary.interrupt();
    assert_eq!(binary.wait().await, 0);
}

#[tokio::test]
async fn a_loopback_login_url_needs_the_opt_out_on_every_route() {
    let app = TestApp::start("https://login.salesforce.com", |config| {
        config.client_secret = Some(sftoken::secret::ClientSecret::new("configured"));
    })
    .await;
    let visitor = Visitor::launch(&app.launch_url()).await;
    for login_url in ["http://127.0.0.1:9", "http://localhost:9", "http://[::1]:9"] {
        let started = visitor.start_login("key", "typed", login_url).await;
        assert_eq!(started.status(), StatusCode::BAD_REQUEST, "{login_url}");
        let body = started.json_value().await;
        assert_eq!(body["error"]["field"], "login_url", "{body}");
        let checked = visitor
            .post(
                "/api/check",
                serde_json::json!({
                    "client_id": "key", "refresh_token": "5Aep", "login_url": login_url,
                }),
            )
            .await;
        assert_eq!(checked.status(), StatusCode::BAD_REQUEST, "{login_url}");
        let normalized = visitor
            .get(&format!("/api/login-url?value={login_url}"))
            .await;
        assert_eq!(normalized.status(), StatusCode::BAD_REQUEST, "{login_url}");
    }
    let mut binary = Binary::spawn(&["check", "--login-url", "http://127.0.0.1:9"], &[]);
    assert_eq!(binary.wait().await, 2);
    assert!(binary.stderr().contains("--allow-any-login-url"));
    app.stop().await;
}

#[tokio::test]
async fn the_secret_sftoken_was_started_with_goes_only_to_its_login_url() {
    let mock = MockSalesforce::start(MockOptions::default()).await;
    let secret = mock.options().client_secret.clone();
    let app = TestApp::start_with(
        sftoken::login_url::HostPolicy::Any,
        sftoken::login_url::PRODUCTION,
        |config| config.client_secret = Some(sftoken::secret::ClientSecret::new(&secret)),
    )
    .await;
    let visitor = Visitor::launch(&app.launch_url()).await;

    let started = visitor
        .start_login(&mock.options().client_id, "", &mock.url())
        .await;

    assert_eq!(started.status(), StatusCode::BAD_REQUEST);
    let body = started.json_value().await;
    assert_eq!(body["error"]["field"], "client_secret", "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains(sftoken::login_url::PRODUCTION),
        "{body}"
    );
    let at_production = visitor
        .start_login("key", "", sftoken::login_url::PRODUCTION)
        .await;
    assert_eq!(at_production.status(), StatusCode::OK, "the configured URL");
    app.stop().await;
}

#[tokio::test]
async fn nine_hundred_half_open_connections_are_dropped_and_a_sign_in_still_completes() {
    let (app, mock) = app_and_mock(MockOptions::default()).await;
    let mut stalled = Vec::new();
    for n in 0..900 {
        let mut stream = TcpStream::connect(("127.0.0.1", app.port))
            .await
            .expect("connect");
        if n % 2 == 0 {
            let head = format!("GET / HTTP/1.1\r\nHost: localhost:{}\r\n", app.port);
            stream.write_all(head.as_bytes()).await.expect("half");
        }
        stalled.push(stream);
    }
    let opened = Instant::now();

    for mut stream in stalled {
        let mut buffer = [0; 256];
        let closed = async {
            loop {
                match stream.read(&mut buffer).await {
                    Ok(0) | Err(_) => return,
                    Ok(_) => {}
                }
            }
        };
        let left = Duration::from_secs(12).saturating_sub(opened.elapsed());
        tokio::time::timeout(left, closed)
            .await
            .expect("sftoken closes a half-open connection within 10 s");
    }

    let visitor = Visitor::launch(&app.launch_url()).await;
    let sign_in = visitor
        .sign_in(&mock, &mock.options().client_secret, "allow")
        .await;
    assert_eq!(sign_in.result["status"], "captured");
    app.stop().await;
}

#[tokio::test]
async fn a_program_squatting_the_port_is_never_trusted_nor_pointed_to() {
    let port = free_port();
    let squatter = std::net::TcpListener::bind(("127.0.0.1", port)).expect("squat");
    squatter.set_nonblocking(true).expect("nonblocking");

    let mut binary = Binary::spawn(&["--port", &port.to_string()], &[]);

    assert_eq!(binary.wait().await, 3);
    let stderr = binary.stderr();
    assert!(stderr.contains("in use by another program"), "{stderr}");
    assert!(!stderr.contains(&format!("localhost:{port}")), "{stderr}");
    assert!(
        squatter.accept().is_err(),
        "sftoken never asked the squatter anything"
    );
}

#[tokio::test]
async fn an_oversized_answer_from_the_token_endpoint_is_refused_with_a_sentence() {
    let app = TestApp::start_with(
        sftoken::login_url::HostPolicy::Any,
        sftoken::login_url::PRODUCTION,
        |_| {},
    )
    .await;
    let mock = crate::helpers::mock_for_port(
        app.port,
        MockOptions {
            token_padding: 3 * 1024 * 1024,
            ..MockOptions::default()
        },
    )
    .await;
    let visitor = Visitor::launch(&app.launch_url()).await;

    let sign_in = visitor
        .sign_in(&mock, &mock.options().client_secret, "allow")
        .await;

    assert_eq!(sign_in.result["status"], "failed", "{}", sign_in.result);
    assert_eq!(
        sign_in.result["error"]["title"],
        "Salesforce's answer was too large"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_query_that_pages_on_and_on_stops_at_500_pages() {
    let (mock, token) = mock_with_token(MockOptions {
        users: 700,
        page_size: 1,
        ..MockOptions::default()
    })
    .await;
    let mut binary = run_check_with_token(&mock, &token, &["--json"]).await;

    assert_eq!(binary.wait().await, 0, "{}", binary.stderr());
    let json: serde_json::Value = serde_json::from_str(binary.stdout().trim()).expect("JSON");
    let users = check(&json, CheckKind::Users);
    assert_eq!(users["status"], "failed", "{users}");
    assert_eq!(users["title"], "The org is larger than sftoken previews");
    assert!(
        users["cause"]
            .as_str()
            .unwrap_or_default()
            .contains("500 pages"),
        "{users}"
    );
    assert_eq!(sftoken::salesforce::MAX_PAGES, 500);
}

#[tokio::test]
async fn an_org_name_with_terminal_escapes_is_printed_without_them() {
    let (mock, token) = mock_with_token(MockOptions {
        org_name: "Acme\u{1b}]0;pwned\u{7}\u{1b}[2J\u{9b}1m Corp".to_owned(),
        ..MockOptions::default()
    })
    .await;
    let mut binary = run_check_with_token(&mock, &token, &[]).await;

    assert_eq!(binary.wait().await, 0, "{}", binary.stderr());
    let output = format!("{}{}", binary.stdout(), binary.stderr());
    assert!(output.contains("Acme]0;pwned[2J1m Corp"), "{output}");
    assert!(
        !output.chars().any(|c| c.is_control() && c != '\n'),
        "a control character reached the terminal: {output:?}"
    );
}

#[tokio::test]
async fn the_opt_out_says_everything_it_turns_off() {
    let mut binary = Binary::spawn(&["--help"], &[]);
    assert_eq!(binary.wait().await, 0);
    let help = binary
        .stdout()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(help.contains("loopback and plain http included"), "{help}");
    assert!(help.contains("with no host check"), "{help}");
}
