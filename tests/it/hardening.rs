//! Defences against what the network and hostile input can do, each proved
//! against the real binary or router: outbound redirects, timeouts, non-JSON
//! answers, TLS failures, proxies, header limits, and secrets on disk.

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use reqwest::StatusCode as Status;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::helpers::{Binary, TestApp, Visitor, app_and_mock};
use crate::mock_salesforce::MockOptions;

/// A fake "Salesforce" on loopback that answers everything with `router`.
pub async fn serve(router: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!(
        "http://127.0.0.1:{}",
        listener.local_addr().expect("addr").port()
    );
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    url
}

/// `sftoken check` against `login_url`, with settings that would otherwise work.
pub async fn check_against(login_url: &str, extra: &[&str], env: &[(&str, &str)]) -> Binary {
    let mut args = vec![
        "check",
        "--allow-any-login-url",
        "--login-url",
        login_url,
        "--client-id",
        "3MVG9key",
    ];
    args.extend_from_slice(extra);
    let mut all_env = vec![
        ("SFTOKEN_CLIENT_SECRET", "the-secret"),
        ("SFTOKEN_REFRESH_TOKEN", "5Aep-the-token"),
    ];
    all_env.extend_from_slice(env);
    let mut binary = Binary::spawn(&args, &all_env);
    binary.wait().await;
    binary
}

#[tokio::test]
async fn a_redirect_from_the_token_endpoint_is_not_followed() {
    let followed = Arc::new(Mutex::new(false));
    let seen = followed.clone();
    let router = Router::new()
        .route(
            "/services/oauth2/token",
            axum::routing::post(|| async {
                (StatusCode::FOUND, [("location", "/elsewhere")]).into_response()
            }),
        )
        .route(
            "/elsewhere",
            axum::routing::any(move || {
                *seen.lock().expect("lock") = true;
                async { "followed" }
            }),
        );
    let url = serve(router).await;

    let mut binary = check_against(&url, &[], &[]).await;

    assert_eq!(binary.wait().await, 1);
    assert!(
        binary.stderr().contains("redirected"),
        "{}",
        binary.stderr()
    );
    assert!(
        !*followed.lock().expect("lock"),
        "the redirect was followed"
    );
}

/// Exit 1, and the one-line reason says Salesforce was never reached, with
/// no verdict on the settings (a network failure is not a bad token).
async fn assert_not_reached(binary: &mut Binary) -> String {
    assert_eq!(binary.wait().await, 1, "{}", binary.stderr());
    let stderr = binary.stderr();
    assert!(
        stderr.contains("Salesforce could not be reached, so the settings were not checked."),
        "{stderr}"
    );
    let report = binary.stdout();
    for verdict_on_the_settings in [
        "The refresh token does not work",
        "The refresh token did not work",
        "no longer works",
        "Consumer Secret is wrong",
    ] {
        assert!(!stderr.contains(verdict_on_the_settings), "{stderr}");
        assert!(!report.contains(verdict_on_the_settings), "{report}");
    }
    stderr
}

#[tokio::test]
async fn a_closed_port_is_a_refused_connection_not_a_bad_token() {
    let closed = crate::helpers::free_port();

    let mut binary = check_against(&format!("http://127.0.0.1:{closed}"), &[], &[]).await;

    let stderr = assert_not_reached(&mut binary).await;
    assert!(
        stderr.contains("127.0.0.1 refused the connection."),
        "{stderr}"
    );
}

#[tokio::test]
async fn a_salesforce_that_never_answers_times_out_after_the_config_files_http_timeout() {
    let router = Router::new().fallback(|| async {
        tokio::time::sleep(std::time::Duration::from_secs(60)).await;
        "too late"
    });
    let url = serve(router).await;
    let config = std::env::temp_dir().join(format!(
        "sftoken-hardening-{}-{}.toml",
        std::process::id(),
        sftoken::secret::random_id(6)
    ));
    std::fs::write(&config, "http_timeout = \"1s\"\n").expect("config file");

    let mut binary = check_against(&url, &["--config", &config.display().to_string()], &[]).await;

    let _ = std::fs::remove_file(&config);
    let stderr = assert_not_reached(&mut binary).await;
    assert!(
        stderr.contains("127.0.0.1 did not answer within 1 second."),
        "{stderr}"
    );
    assert!(stderr.contains("HTTPS_PROXY"), "{stderr}");
    assert!(
        stderr.contains("--http-timeout"),
        "the terminal names the flag: {stderr}"
    );
}

#[tokio::test]
async fn an_html_page_from_the_token_endpoint_is_explained() {
    let router = Router::new().fallback(|| async {
        (
            StatusCode::OK,
            [("content-type", "text/html")],
            "<html><body>Proxy login required</body></html>",
        )
    });
    let url = serve(router).await;

    let mut binary = check_against(&url, &[], &[]).await;

    assert_eq!(binary.wait().await, 1);
    let stderr = binary.stderr();
    assert!(stderr.contains("could not be read"), "{stderr}");
    assert!(!stderr.contains("<html>"), "{stderr}");
}

#[tokio::test]
async fn a_tls_failure_is_explained_with_the_certificate_store_hint() {
    // Plain HTTP where HTTPS is expected: the TLS handshake fails.
    let url = serve(Router::new().fallback(|| async { "plain" })).await;
    let https = url.replace("http://", "https://");

    let mut binary = check_against(&https, &[], &[]).await;

    let stderr = assert_not_reached(&mut binary).await;
    assert!(
        stderr.contains("The secure connection to 127.0.0.1 failed."),
        "{stderr}"
    );
    assert!(stderr.contains("certificate store"), "{stderr}");
}

/// A server that cuts each connection (a TCP reset) once the client has
/// sent its first bytes, as a firewall that blocks a TLS handshake does, and
/// as Windows reports any server that closes with the ClientHello unread.
#[tokio::test]
async fn a_connection_cut_during_the_tls_handshake_is_a_failed_secure_connection() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(5).flatten() {
            // Closing with unread bytes sends a reset rather than a FIN.
            let mut first = [0u8; 1];
            let _ = std::io::Read::read(&mut &stream, &mut first);
            std::thread::sleep(std::time::Duration::from_millis(50));
            drop(stream);
        }
    });

    let mut binary = check_against(&format!("https://127.0.0.1:{port}"), &[], &[]).await;

    let stderr = assert_not_reached(&mut binary).await;
    assert!(
        stderr.contains("The secure connection to 127.0.0.1 failed."),
        "{stderr}"
    );
}

/// A proxy that answers every request with `status_line`, and keeps the
/// first line of each request it was sent.
pub async fn refusing_proxy(status_line: &'static str) -> (String, Arc<Mutex<Vec<String>>>) {
    let proxy = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = format!("127.0.0.1:{}", proxy.local_addr().expect("addr").port());
    let asked = Arc::new(Mutex::new(Vec::new()));
    let record = asked.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = proxy.accept().await {
            let record = record.clone();
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut buffer = [0u8; 1024];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match socket.read(&mut buffer).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buffer[..n]),
                    }
                }
                let line = String::from_utf8_lossy(&head)
                    .lines()
                    .next()
                    .unwrap_or_default()
                    .to_owned();
                record.lock().expect("lock").push(line);
                let answer = format!("{status_line}\r\nContent-Length: 0\r\n\r\n");
                let _ = socket.write_all(answer.as_bytes()).await;
            });
        }
    });
    (address, asked)
}

#[tokio::test]
async fn a_proxy_from_https_proxy_that_refuses_is_named_with_its_status() {
    let (proxy, asked) = refusing_proxy("HTTP/1.1 403 Forbidden").await;
    let proxy_url = format!("http://ada:proxy-password@{proxy}");

    let mut binary = check_against(
        "https://login.salesforce.com",
        &[],
        &[
            ("HTTPS_PROXY", &proxy_url),
            ("NO_PROXY", ""),
            ("no_proxy", ""),
        ],
    )
    .await;

    let stderr = assert_not_reached(&mut binary).await;
    assert!(
        stderr.contains(&format!(
            "The proxy {proxy} refused to connect to login.salesforce.com (HTTP 403 Forbidden)."
        )),
        "{stderr}"
    );
    assert!(!stderr.contains("proxy-password"), "{stderr}");
    assert!(!binary.stdout().contains("proxy-password"));
    let asked = asked.lock().expect("lock").clone();
    assert!(
        asked
            .first()
            .is_some_and(|line| line == "CONNECT login.salesforce.com:443 HTTP/1.1"),
        "{asked:?}"
    );
}

#[tokio::test]
async fn a_request_with_too_many_headers_is_refused_and_the_app_keeps_serving() {
    let app = TestApp::start(sftoken::login_url::PRODUCTION, |_| {}).await;
    let mut request = format!("GET / HTTP/1.1\r\nHost: localhost:{}\r\n", app.port);
    for n in 0..200 {
        request.push_str(&format!("X-Filler-{n}: {}\r\n", "x".repeat(100)));
    }
    request.push_str("\r\n");
    let mut socket = tokio::net::TcpStream::connect(("127.0.0.1", app.port))
        .await
        .expect("connect");
    socket.write_all(request.as_bytes()).await.expect("write");
    let mut answer = String::new();
    let _ = socket.read_to_string(&mut answer).await;

    assert!(answer.starts_with("HTTP/1.1 431"), "{answer}");
    let again = crate::helpers::http_client()
        .get(app.url("/"))
        .send()
        .await
        .expect("still serving");
    assert_eq!(again.status(), Status::OK);
    app.stop().await;
}

/// The head of `GET /health` padded with one header to exactly `bytes`.
fn head_of(port: u16, bytes: usize) -> String {
    let start = format!("GET /health HTTP/1.1\r\nHost: localhost:{port}\r\nX-Pad: ");
    let pad = bytes - start.len() - "\r\n\r\n".len();
    format!("{start}{}\r\n\r\n", "p".repeat(pad))
}

#[tokio::test]
async fn a_request_head_of_64_kb_is_answered_and_one_byte_more_is_refused() {
    let app = TestApp::start(sftoken::login_url::PRODUCTION, |_| {}).await;
    for (bytes, status) in [
        (64 * 1024, "200"),
        (64 * 1024 + 1, "431"),
        (110 * 1024, "431"),
    ] {
        let mut socket = tokio::net::TcpStream::connect(("127.0.0.1", app.port))
            .await
            .expect("connect");
        socket
            .write_all(head_of(app.port, bytes).as_bytes())
            .await
            .expect("write");
        let mut answer = vec![0; 64];
        let read = socket.read(&mut answer).await.expect("an answer");
        let answer = String::from_utf8_lossy(&answer[..read]);

        assert!(
            answer.starts_with(&format!("HTTP/1.1 {status}")),
            "{bytes}: {answer}"
        );
    }
    app.stop().await;
}

#[tokio::test]
async fn json_output_to_a_file_is_readable_only_by_the_owner() {
    use std::os::unix::fs::PermissionsExt;
    let (mock, token) = crate::helpers::mock_with_token(MockOptions {
        client_id: "3MVG9key".to_owned(),
        ..MockOptions::default()
    })
    .await;
    let path = std::env::temp_dir().join(format!("sftoken-output-{}.json", std::process::id()));
    std::fs::write(&path, "old").expect("a pre-existing file");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let secret = mock.options().client_secret.clone();
    let path_arg = path.display().to_string();

    let mut binary = check_against(
        &mock.url(),
        &["--json", "--output", &path_arg],
        &[
            ("SFTOKEN_CLIENT_SECRET", &secret),
            ("SFTOKEN_REFRESH_TOKEN", &token),
        ],
    )
    .await;

    assert_eq!(binary.wait().await, 0, "{}", binary.stderr());
    let mode = std::fs::metadata(&path).expect("file").permissions().mode() & 0o777;
    let written = std::fs::read_to_string(&path).expect("read");
    let _ = std::fs::remove_file(&path);
    assert_eq!(mode, 0o600);
    let json: serde_json::Value = serde_json::from_str(&written).expect("JSON");
    assert_eq!(json["refresh_token"], token);
    assert!(
        !binary.stdout().contains(&token),
        "nothing secret on stdout"
    );
}

#[tokio::test]
async fn salesforces_error_text_is_shown_as_text_never_as_markup() {
    let (app, mock) = app_and_mock(MockOptions::default()).await;
    let browser = crate::helpers::open_page(&app).await;
    // The page's own session: a sign-in is readable only by the session
    // that started it.
    let visitor = Visitor::of_page(&browser, &app.origin()).await;
    let authorize_url = visitor
        .authorize_url(&mock, &mock.options().client_secret)
        .await;
    let state = crate::helpers::query_param(&authorize_url, "state").expect("state");
    let payload =
        "<img src=x onerror=\"document.title='pwned'\"><script>document.title='pwned'</script>";
    let mut callback = reqwest::Url::parse(&app.url("/callback")).expect("url");
    callback
        .query_pairs_mut()
        .append_pair("error", "weird<b>code</b>")
        .append_pair("error_description", payload)
        .append_pair("state", &state);
    let result = visitor.finish(callback.as_str()).await;
    assert_eq!(
        result.result["error"]["description"], payload,
        "kept as data"
    );

    browser.goto(&app.url(&result.callback_location)).await;
    browser.find("#failure:not([hidden])").await;

    assert_eq!(browser.text("#failure-description").await, payload);
    assert_eq!(browser.text("#failure-code").await, "weird<b>code</b>");
    let injected = browser
        .execute(
            "return document.querySelectorAll('#failure img, #failure script, #failure b').length",
            vec![],
        )
        .await;
    assert_eq!(injected, 0);
    assert_ne!(
        browser.execute("return document.title", vec![]).await,
        "pwned"
    );
    browser.quit().await;
    app.stop().await;
}
