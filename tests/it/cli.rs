//! The real binary: `--json`, exit codes, clean Ctrl-C, and logs without secrets.

use std::net::TcpListener;

use serde_json::Value;

use sftoken::pasted_address::DEFAULT_SUCCESS_PAGE;

use crate::helpers::check;
use crate::helpers::{
    Binary, Visitor, binary_and_mock, free_port, mock_with_token, query_param, run_check,
    run_check_with_token,
};
use crate::mock_salesforce::{MockOptions, MockSalesforce};
use sftoken::signin::report::CheckKind;

#[tokio::test]
async fn json_mode_prints_the_settings_once_captured_and_exits_0() {
    let (mut binary, mock) =
        binary_and_mock(&["--json", "--company-names", "acme.com,ACME.co.uk"], &[]).await;
    let visitor = Visitor::launch(&binary.launch_url().await).await;
    let secret = mock.options().client_secret.clone();

    let authorize_url = visitor.authorize_url(&mock, &secret).await;
    let callback_url = visitor.consent(&authorize_url, "allow").await;
    let answer = visitor.get(&callback_url).await;
    assert_eq!(answer.status(), reqwest::StatusCode::OK);
    let done_page = answer.text().await.expect("body");
    assert!(done_page.contains("as JSON"), "{done_page}");
    assert!(
        !done_page.contains("href=\"/\""),
        "no link back to a server that is exiting"
    );
    assert!(done_page.contains("color-scheme"), "light and dark");

    assert_eq!(binary.wait().await, 0, "stderr: {}", binary.stderr());
    let stdout = binary.stdout();
    let json_line = stdout.lines().last().expect("a JSON line");
    let json: Value = serde_json::from_str(json_line).expect("JSON");
    assert_eq!(json["client_id"], mock.options().client_id);
    assert_eq!(json["client_secret"], secret);
    assert_eq!(json["login_url"], mock.url());
    assert_eq!(
        json["company_names"],
        serde_json::json!(["acme.com", "acme.co.uk"])
    );
    assert_eq!(json["checks"]["done"], true);
    for kind in CheckKind::ALL {
        assert_eq!(check(&json, kind)["status"], "ok", "{kind:?}: {json}");
    }
    assert_eq!(check(&json, CheckKind::Token)["rotated"], false);
    assert!(check(&json, CheckKind::Users)["domains"].is_array());
    assert_eq!(json["instance_url"], mock.url());
    assert_eq!(json["org_id"], "00DMOCK000000001AAA");
    assert_eq!(json["username"], "admin@acme-mock.example");
    let refresh_token = json["refresh_token"].as_str().expect("refresh token");
    assert!(mock.refresh(refresh_token).await.is_ok());
    assert_eq!(
        stdout.lines().count(),
        1,
        "stdout is the JSON alone; the address went to stderr: {stdout}"
    );
    assert!(binary.stderr().contains("#token="), "{}", binary.stderr());
}

#[tokio::test]
async fn a_busy_port_exits_3_and_names_the_port_and_the_way_out() {
    let taken = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = taken.local_addr().expect("addr").port().to_string();

    let mut binary = Binary::spawn(&["--no-browser", "--port", &port], &[]);

    assert_eq!(binary.wait().await, 3);
    let stderr = binary.stderr();
    assert!(stderr.contains(&port), "{stderr}");
    assert!(stderr.contains("--port"), "{stderr}");
    assert!(stderr.contains("Callback URL"), "{stderr}");
}

/// A run that must fail with exit code 2, and a word its message must contain.
struct BadRun {
    args: &'static [&'static str],
    env: &'static [(&'static str, &'static str)],
    says: &'static str,
}

#[tokio::test]
async fn bad_configuration_exits_2_with_one_clear_sentence() {
    let cases = [
        BadRun {
            args: &["--login-url", "https://evil.example"],
            env: &[],
            says: "not a Salesforce host",
        },
        BadRun {
            args: &["--login-url", "http://login.salesforce.com"],
            env: &[],
            says: "https",
        },
        BadRun {
            args: &["--port", "http"],
            env: &[],
            says: "--port",
        },
        BadRun {
            args: &[],
            env: &[("SFTOKEN_PORT", "99999")],
            says: "99999",
        },
        BadRun {
            args: &["--config", "/nonexistent/sftoken.toml"],
            env: &[],
            says: "/nonexistent/sftoken.toml",
        },
        BadRun {
            args: &["--sandbox", "--login-url", "https://acme.my.salesforce.com"],
            env: &[],
            says: "--sandbox",
        },
    ];
    for case in cases {
        let mut binary = Binary::spawn(&[&["--no-browser"], case.args].concat(), case.env);
        assert_eq!(binary.wait().await, 2, "{:?} {:?}", case.args, case.env);
        let stderr = binary.stderr();
        assert!(stderr.contains(case.says), "{:?}: {stderr}", case.args);
        assert!(binary.stdout().is_empty(), "{:?}", case.args);
    }
}

#[tokio::test]
async fn help_lists_the_contract_flags_and_version_prints_the_version() {
    let mut help = Binary::spawn(&["--help"], &[]);
    assert_eq!(help.wait().await, 0);
    let text = help.stdout();
    for flag in [
        "--port",
        "--login-url",
        "--sandbox",
        "--client-id",
        "--config",
        "--no-browser",
        "--json",
        "--help",
        "--version",
        "--callback-url",
        "SFTOKEN_CLIENT_ID",
        "SFTOKEN_PORT",
        "SFTOKEN_CALLBACK_URL",
    ] {
        assert!(text.contains(flag), "--help lacks {flag}");
    }
    assert!(
        !text.contains("--client-secret"),
        "no flag takes the secret"
    );

    let mut version = Binary::spawn(&["--version"], &[]);
    assert_eq!(version.wait().await, 0);
    assert!(version.stdout().contains(env!("CARGO_PKG_VERSION")));
}

#[tokio::test]
async fn version_names_the_version_and_the_target_it_was_built_for() {
    let mut version = Binary::spawn(&["--version"], &[]);

    assert_eq!(version.wait().await, 0);
    let text = version.stdout();
    // `build.rs` exports the same TARGET to this test as to the binary.
    let target = env!("TARGET");
    let os = match std::env::consts::OS {
        "macos" => "darwin",
        os => os,
    };
    assert!(
        target.starts_with(std::env::consts::ARCH) && target.contains(os),
        "{target} is not this host's triple"
    );
    assert_eq!(
        text.trim_end(),
        format!("sftoken {} ({target})", env!("CARGO_PKG_VERSION"))
    );
}

#[tokio::test]
async fn trace_logs_of_a_whole_session_contain_no_secret_and_ctrl_c_stops_cleanly() {
    let (mut binary, mock) = binary_and_mock(
        &[],
        &[
            ("RUST_LOG", "trace"),
            ("SFTOKEN_CLIENT_SECRET", "env-secret-that-is-wrong"),
        ],
    )
    .await;
    let visitor = Visitor::launch(&binary.launch_url().await).await;
    let secret = mock.options().client_secret.clone();
    // A failure with the secret from the environment, then a success typed on the page.
    let failed = visitor.sign_in(&mock, "", "allow").await;
    assert_eq!(failed.result["status"], "failed");
    let captured = visitor.sign_in(&mock, &secret, "allow").await;
    assert_eq!(captured.result["status"], "captured");
    let reload = visitor.finish(&captured.callback_url).await;
    assert_eq!(reload.result["status"], "captured");

    binary.interrupt();

    assert_eq!(binary.wait().await, 0, "Ctrl-C is a clean stop");
    let output = format!("{}\n{}", binary.stdout(), binary.stderr());
    assert!(
        output.contains("TRACE") || output.contains("DEBUG"),
        "trace logging was on"
    );
    assert!(output.contains("stopped"), "{output}");
    let mut secrets = mock.issued_secrets();
    secrets.push("env-secret-that-is-wrong".to_owned());
    secrets.push(secret);
    secrets.push(visitor.session.clone().expect("session key"));
    assert!(secrets.len() >= 7, "{secrets:?}");
    for value in &secrets {
        assert!(
            !output.contains(value.as_str()),
            "the output contains a secret"
        );
        let encoded: String = url::form_urlencoded::byte_serialize(value.as_bytes()).collect();
        assert!(
            !output.contains(&encoded),
            "the output contains an encoded secret"
        );
    }
}

#[tokio::test]
async fn without_a_display_it_says_no_browser_was_opened_and_keeps_serving() {
    let port = free_port().to_string();
    let mut binary = Binary::spawn_with(
        &["--port", &port],
        &[],
        &["DISPLAY", "WAYLAND_DISPLAY"],
        None,
    );
    let launch_url = binary.launch_url().await;

    let visitor = Visitor::launch(&launch_url).await;

    assert!(visitor.session.is_some(), "the page's session works");
    binary.wait_for_stderr("no browser was opened").await;
    binary.interrupt();
    assert_eq!(binary.wait().await, 0);
}

#[tokio::test]
async fn check_passes_for_working_settings_from_the_environment() {
    let (mock, token) = mock_with_token(MockOptions::default()).await;
    let mut binary = run_check_with_token(&mock, &token, &[]).await;

    assert_eq!(binary.wait().await, 0, "{}", binary.stderr());
    let stdout = binary.stdout();
    assert!(stdout.contains("Acme Mock Inc"), "{stdout}");
    assert!(stdout.contains("acme.com"), "{stdout}");
    assert!(
        !stdout.contains(&token),
        "no rotation, so the token is not printed"
    );
}

#[tokio::test]
async fn check_reports_a_broken_secret_and_exits_1() {
    let (mock, token) = mock_with_token(MockOptions::default()).await;

    let mut binary = run_check(
        &mock,
        &[],
        &[
            ("SFTOKEN_CLIENT_SECRET", "broken-secret"),
            ("SFTOKEN_REFRESH_TOKEN", &token),
        ],
        None,
    )
    .await;

    assert_eq!(binary.wait().await, 1);
    let stderr = binary.stderr();
    assert!(stderr.contains("Consumer Secret"), "{stderr}");
    assert_eq!(
        stderr.lines().filter(|l| l.starts_with("sftoken:")).count(),
        1,
        "{stderr}"
    );
    assert!(!format!("{stderr}{}", binary.stdout()).contains("broken-secret"));
}

#[tokio::test]
async fn check_reports_a_revoked_token() {
    let (mock, token) = mock_with_token(MockOptions::default()).await;
    let client = crate::helpers::http_client();
    client
        .post(format!("{}/services/oauth2/revoke", mock.url()))
        .form(&[("token", token.as_str())])
        .send()
        .await
        .expect("revoke");
    let mut binary = run_check_with_token(&mock, &token, &[]).await;

    assert_eq!(binary.wait().await, 1);
    assert!(
        binary.stderr().contains("refresh token"),
        "{}",
        binary.stderr()
    );
}

#[tokio::test]
async fn check_reports_a_missing_scope() {
    let (mock, token) = mock_with_token(MockOptions {
        app_scopes: vec!["refresh_token".into(), "api".into()],
        strict_scopes: false,
        ..MockOptions::default()
    })
    .await;
    let mut binary = run_check_with_token(&mock, &token, &[]).await;

    assert_eq!(binary.wait().await, 1);
    assert!(binary.stderr().contains("full"), "{}", binary.stderr());
}

#[tokio::test]
async fn check_reads_copy_all_text_from_stdin_and_prints_json() {
    let (mock, token) = mock_with_token(MockOptions::default()).await;
    let copy_all = format!(
        "Client ID: {}\nClient secret: {}\nRefresh token: {token}\nLogin URL: {}\nCompany names: acme.com, example.org\n",
        mock.options().client_id,
        mock.options().client_secret,
        mock.url()
    );

    let mut binary = Binary::spawn_with(
        &["check", "--json", "--allow-any-login-url"],
        &[],
        &[],
        Some(&copy_all),
    );

    assert_eq!(binary.wait().await, 0, "{}", binary.stderr());
    let json: Value = serde_json::from_str(binary.stdout().trim()).expect("one JSON object");
    assert_eq!(json["refresh_token"], token);
    assert_eq!(json["login_url"], mock.url());
    assert_eq!(
        json["company_names"],
        serde_json::json!(["acme.com", "example.org"])
    );
    assert_eq!(check(&json, CheckKind::Token)["status"], "ok");
    assert_eq!(check(&json, CheckKind::Org)["id"], "00DMOCK000000001AAA");
}

#[tokio::test]
async fn check_prints_the_new_token_when_rotation_replaced_it() {
    let (mock, token) = mock_with_token(MockOptions {
        rotation: true,
        ..MockOptions::default()
    })
    .await;
    let mut binary = run_check_with_token(&mock, &token, &[]).await;

    assert_eq!(binary.wait().await, 0, "{}", binary.stderr());
    let stdout = binary.stdout();
    let new_token = stdout
        .lines()
        .find_map(|l| l.strip_prefix("Refresh token: "))
        .expect("the new token is printed");
    assert_ne!(new_token, token);
    assert!(mock.refresh(new_token).await.is_ok());
}

#[tokio::test]
async fn check_warns_about_a_company_name_that_matches_no_active_users_email_domain() {
    let (mock, token) = mock_with_token(MockOptions::default()).await;

    let mut binary = run_check_with_token(
        &mock,
        &token,
        &["--company-names", "acme.com,nobody.example"],
    )
    .await;

    assert_eq!(binary.wait().await, 0, "{}", binary.stderr());
    let stdout = binary.stdout();
    let warning = stdout
        .lines()
        .find(|l| l.contains("nobody.example"))
        .unwrap_or_else(|| panic!("no warning: {stdout}"));
    assert!(warning.contains("imports nobody"), "{warning}");
    assert!(
        !stdout
            .lines()
            .any(|l| l.contains("\"acme.com\" matches no")),
        "{stdout}"
    );
}

#[tokio::test]
async fn check_without_a_secret_says_how_to_give_it_and_exits_2() {
    let (mock, token) = mock_with_token(MockOptions::default()).await;

    let mut binary = run_check(&mock, &[], &[("SFTOKEN_REFRESH_TOKEN", &token)], None).await;

    assert_eq!(binary.wait().await, 2);
    assert!(
        binary.stderr().contains("SFTOKEN_CLIENT_SECRET"),
        "{}",
        binary.stderr()
    );
}

/// `sftoken paste` against the mock with `extra` arguments and stdin left
/// open; returns the authorize URL it printed.
pub async fn start_paste(mock: &MockSalesforce, secret: &str, extra: &[&str]) -> (Binary, String) {
    start_paste_at(&mock.url(), &mock.options().client_id, secret, extra).await
}

/// `sftoken paste` signing in at `login_url`, with stdin left open; returns
/// the authorize URL it printed.
pub async fn start_paste_at(
    login_url: &str,
    client_id: &str,
    secret: &str,
    extra: &[&str],
) -> (Binary, String) {
    let mut args = vec![
        "paste",
        "--allow-any-login-url",
        "--login-url",
        login_url,
        "--client-id",
        client_id,
    ];
    args.extend_from_slice(extra);
    let binary = Binary::spawn_with(&args, &[("SFTOKEN_CLIENT_SECRET", secret)], &[], Some(""));
    let authorize_url = binary
        .wait_for_line(|l| l.contains("/services/oauth2/authorize"))
        .await;
    (binary, authorize_url)
}

#[tokio::test]
async fn paste_signs_in_through_the_callback_url_given_on_another_host_than_the_login_url() {
    let success = "https://acme--uat.sandbox.my.salesforce.com/services/oauth2/success";
    let mock = MockSalesforce::with_callback(success, MockOptions::default()).await;
    let mock_url = mock.url();
    let secret = mock.options().client_secret.clone();
    let (mut binary, authorize_url) =
        start_paste(&mock, &secret, &["--callback-url", success]).await;
    assert!(authorize_url.starts_with(&mock_url), "{authorize_url}");
    let landed = Visitor::elsewhere().consent(&authorize_url, "allow").await;
    assert!(landed.starts_with(success), "{landed}");

    binary.send_stdin(&format!("{landed}\n"));

    assert_eq!(binary.wait().await, 0, "{}", binary.stderr());
    let stdout = binary.stdout();
    let token = stdout
        .lines()
        .find_map(|l| l.strip_prefix("Refresh token: "))
        .expect("the settings are printed");
    assert!(mock.refresh(token).await.is_ok());
    assert!(
        stdout.contains(&format!("Login URL: {mock_url}")),
        "{stdout}"
    );
    assert!(binary.stderr().contains(success), "{}", binary.stderr());
}

#[tokio::test]
async fn paste_reads_a_line_from_a_pipe_that_stays_open_and_asks_again_after_a_bad_one() {
    // No --callback-url: the guide's login.salesforce.com page, on another
    // host than the mock.
    let mock = MockSalesforce::with_callback(DEFAULT_SUCCESS_PAGE, MockOptions::default()).await;
    let secret = mock.options().client_secret.clone();
    let (mut binary, authorize_url) = start_paste(&mock, &secret, &[]).await;
    let landed = Visitor::elsewhere().consent(&authorize_url, "allow").await;

    binary.write_stdin("\n   \nnot an address\n");
    binary.write_stdin(&format!("{landed}\n"));

    // Standard input is still open: the line alone finishes the sign-in.
    assert_eq!(binary.wait().await, 0, "{}", binary.stderr());
    let stderr = binary.stderr();
    assert!(stderr.contains("Paste it again"), "{stderr}");
    assert_eq!(stderr.matches("Paste it again").count(), 1, "{stderr}");
    assert!(binary.stdout().contains("Refresh token: "));
}

#[tokio::test]
async fn paste_explains_a_denied_sign_in() {
    let mock = MockSalesforce::with_callback(DEFAULT_SUCCESS_PAGE, MockOptions::default()).await;
    let (mut binary, authorize_url) = start_paste(&mock, "any", &[]).await;
    let landed = Visitor::elsewhere().consent(&authorize_url, "deny").await;

    binary.send_stdin(&landed);

    assert_eq!(binary.wait().await, 1);
    assert!(
        binary.stderr().contains("Access was denied"),
        "{}",
        binary.stderr()
    );
}

#[tokio::test]
async fn paste_takes_the_callback_url_from_sftoken_callback_url() {
    let success = "https://test.salesforce.com/services/oauth2/success";
    let binary = Binary::spawn_with(
        &["paste", "--client-id", "3MVG9key"],
        &[
            ("SFTOKEN_CLIENT_SECRET", "s"),
            ("SFTOKEN_CALLBACK_URL", success),
        ],
        &[],
        Some(""),
    );

    let authorize_url = binary
        .wait_for_line(|l| l.contains("/services/oauth2/authorize"))
        .await;

    assert!(
        authorize_url.starts_with("https://login.salesforce.com/"),
        "{authorize_url}"
    );
    assert_eq!(
        query_param(&authorize_url, "redirect_uri").as_deref(),
        Some(success)
    );
}

#[tokio::test]
async fn paste_refuses_a_callback_url_that_is_not_a_salesforce_success_page() {
    let mut binary = Binary::spawn(
        &[
            "paste",
            "--client-id",
            "3MVG9key",
            "--callback-url",
            "https://evil.example/services/oauth2/success",
        ],
        &[("SFTOKEN_CLIENT_SECRET", "s")],
    );

    assert_eq!(binary.wait().await, 2);
    assert!(
        binary.stderr().contains("Callback URL"),
        "{}",
        binary.stderr()
    );
}

#[tokio::test]
async fn paste_without_a_client_id_or_a_terminal_says_how_to_give_it() {
    let mut binary = Binary::spawn(&["paste"], &[("SFTOKEN_CLIENT_SECRET", "s")]);

    assert_eq!(binary.wait().await, 2);
    let stderr = binary.stderr();
    assert!(stderr.contains("--client-id"), "{stderr}");
    assert!(stderr.contains("in a terminal"), "{stderr}");
}

#[tokio::test]
async fn paste_in_a_terminal_asks_for_a_missing_client_id() {
    let mock = MockSalesforce::with_callback(DEFAULT_SUCCESS_PAGE, MockOptions::default()).await;
    let options = mock.options().clone();
    // `script` gives sftoken a terminal; what is written to it is typed there.
    let command = format!(
        "'{}' paste --allow-any-login-url --login-url '{}'",
        env!("CARGO_BIN_EXE_sftoken"),
        mock.url()
    );
    let mut binary = Binary::spawn_program(
        "script",
        &["-qefc", &command, "/dev/null"],
        &[("SFTOKEN_CLIENT_SECRET", &options.client_secret)],
        &[],
        Some(""),
    );
    binary.write_stdin(&format!("{}\n", options.client_id));
    let authorize_url = binary
        .wait_for_line(|l| l.contains("/services/oauth2/authorize"))
        .await
        .trim()
        .to_owned();
    assert_eq!(
        query_param(&authorize_url, "client_id").as_deref(),
        Some(options.client_id.as_str()),
        "the typed Consumer Key"
    );
    assert!(
        binary.stdout().contains("Client ID (Consumer Key): "),
        "asked for it"
    );
    let landed = Visitor::elsewhere().consent(&authorize_url, "allow").await;

    binary.write_stdin(&format!("{landed}\n"));

    assert_eq!(binary.wait().await, 0, "{}", binary.stdout());
    assert!(binary.stdout().contains("Refresh token: "));
}

#[tokio::test]
async fn the_idle_timeout_stops_the_helper_with_a_message() {
    let port = free_port().to_string();
    let mut binary = Binary::spawn(
        &["--no-browser", "--port", &port, "--idle-timeout", "1s"],
        &[],
    );
    binary.launch_url().await;

    assert_eq!(binary.wait().await, 0);
    assert!(
        binary.stderr().contains("1 second without use"),
        "{}",
        binary.stderr()
    );
}

#[tokio::test]
async fn done_on_the_page_wipes_the_secrets_and_stops_the_helper() {
    let port = free_port().to_string();
    let mut binary = Binary::spawn(&["--no-browser", "--port", &port], &[]);
    let visitor = Visitor::launch(&binary.launch_url().await).await;
    let refused = visitor
        .http
        .post(visitor.url("/api/done"))
        .header("origin", "https://evil.example")
        .send()
        .await
        .expect("cross-site done");
    assert_eq!(refused.status(), reqwest::StatusCode::FORBIDDEN);

    let done = visitor.post("/api/done", "{}").await;

    assert_eq!(done.status(), reqwest::StatusCode::OK);
    assert_eq!(binary.wait().await, 0);
    assert!(
        binary.stderr().contains("Stopped from the page"),
        "{}",
        binary.stderr()
    );
}

#[tokio::test]
async fn a_second_sftoken_on_the_same_port_says_it_is_taken_and_points_nowhere() {
    let port = free_port().to_string();
    let first = Binary::spawn(&["--no-browser", "--port", &port], &[]);
    let launch_url = first.launch_url().await;

    let mut second = Binary::spawn(&["--port", &port], &[]);
    assert_eq!(second.wait().await, 3, "the port is still taken");
    let stderr = second.stderr();
    assert!(stderr.contains("in use by another program"), "{stderr}");
    assert!(stderr.contains("--port N"), "{stderr}");
    assert!(
        !stderr.contains(&format!("localhost:{port}")),
        "a listener it cannot verify is never pointed to: {stderr}"
    );
    assert!(second.stdout().is_empty(), "no address of its own");

    let visitor = Visitor::launch(&launch_url).await;
    assert!(visitor.session.is_some(), "the first one still serves");
}

#[tokio::test]
async fn ctrl_c_stops_even_while_a_client_holds_a_half_sent_request() {
    let port = free_port().to_string();
    let mut binary = Binary::spawn(&["--no-browser", "--port", &port], &[]);
    let launch_url = binary.launch_url().await;
    let port: u16 = launch_url
        .trim_start_matches("http://localhost:")
        .split('/')
        .next()
        .and_then(|p| p.parse().ok())
        .expect("port");
    let mut stalled = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("connect");
    tokio::io::AsyncWriteExt::write_all(
        &mut stalled,
        format!("GET /health HTTP/1.1\r\nHost: localhost:{port}\r\n").as_bytes(),
    )
    .await
    .expect("half a request");

    binary.interrupt();

    assert_eq!(binary.wait().await, 0, "{}", binary.stderr());
    drop(stalled);
}

#[tokio::test]
async fn requests_without_the_session_do_not_keep_the_helper_alive() {
    let port = free_port().to_string();
    let mut binary = Binary::spawn(
        &["--no-browser", "--port", &port, "--idle-timeout", "2s"],
        &[],
    );
    let launch_url = binary.launch_url().await;
    let origin = launch_url.split("/#").next().expect("origin").to_owned();
    let client = crate::helpers::http_client();
    let started = std::time::Instant::now();
    // A stray page or process polling the port.
    while binary.stderr().is_empty() || !binary.stderr().contains("without use") {
        let _ = client.get(format!("{origin}/health")).send().await;
        assert!(
            started.elapsed() < crate::helpers::DEADLINE,
            "never stopped"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert_eq!(binary.wait().await, 0);
}

#[tokio::test]
async fn checking_typed_in_settings_does_not_end_a_json_run() {
    let (mut binary, mock) = binary_and_mock(&["--json"], &[]).await;
    let visitor = Visitor::launch(&binary.launch_url().await).await;
    let secret = mock.options().client_secret.clone();
    let typed = serde_json::json!({
        "client_id": mock.options().client_id,
        "client_secret": secret,
        "refresh_token": "5Aep-typed-in",
        "login_url": mock.url(),
    });
    let checked = visitor.post("/api/check", typed).await;
    assert_eq!(checked.status(), reqwest::StatusCode::OK);
    let id = crate::helpers::JsonBody::json_value(checked).await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    visitor.checked_result(&id).await;

    let authorize_url = visitor.authorize_url(&mock, &secret).await;
    let callback_url = visitor.consent(&authorize_url, "allow").await;
    visitor.get(&callback_url).await;

    assert_eq!(binary.wait().await, 0, "{}", binary.stderr());
    let json: Value =
        serde_json::from_str(binary.stdout().lines().last().expect("JSON")).expect("JSON");
    assert_ne!(
        json["refresh_token"], "5Aep-typed-in",
        "the sign-in is printed"
    );
}
