//! The Login URL shown is one that was just proven to work: the token check
//! runs the refresh grant at the sign-in's Login URL and, for a My Domain, at
//! its environment's generic host; the settings show the generic host only
//! where it worked, and say why. The mock plays both: its `url()` is the
//! org's My Domain and its `generic_url()` stands for login.salesforce.com
//! (`--loopback-generic-host`), refusing a Local External Client App there
//! (`local_app`) as integrations report.

use serde_json::Value;
use sftoken::login_url::{HostPolicy, PRODUCTION};
use sftoken::signin::report::CheckKind;

use crate::helpers::{
    Binary, JsonBody, SignIn, TestApp, Visitor, binary_and_mock_with, browser_signed_in, check,
    mock_for_port, mock_with_token, run_check_with_token, wait_for_checks_finished,
};
use crate::mock_salesforce::{MockOptions, MockSalesforce};

/// The app started as with `--allow-any-login-url --loopback-generic-host`,
/// and a mock whose app accepts its callback.
pub async fn app_and_mock_with_generic_host(options: MockOptions) -> (TestApp, MockSalesforce) {
    let app = TestApp::start_with(HostPolicy::AnyWithLoopbackGeneric, PRODUCTION, |_| {}).await;
    let mock = mock_for_port(app.port, options).await;
    (app, mock)
}

/// As [`app_and_mock_with_generic_host`], then a whole sign-in at
/// `login_url` (the mock's My Domain or its generic host), with its checks.
async fn signed_in_at(
    options: MockOptions,
    login_url: fn(&MockSalesforce) -> String,
) -> (TestApp, MockSalesforce, SignIn) {
    let (app, mock) = app_and_mock_with_generic_host(options).await;
    let visitor = Visitor::launch(&app.launch_url()).await;
    let options = mock.options();
    let started = visitor
        .start_login(
            &options.client_id,
            &options.client_secret,
            &login_url(&mock),
        )
        .await
        .json_value()
        .await;
    let authorize_url = started["authorize_url"].as_str().expect("authorize url");
    let callback_url = visitor.consent(authorize_url, "allow").await;
    let sign_in = visitor.finish(&callback_url).await;
    (app, mock, sign_in)
}

/// Chromium on the page of [`app_and_mock_with_generic_host`], signed in at
/// the mock's My Domain, its checks finished.
pub async fn browser_at_my_domain(
    options: MockOptions,
) -> (TestApp, MockSalesforce, crate::webdriver::Browser) {
    let (app, mock) = app_and_mock_with_generic_host(options).await;
    let (browser, _, _) = browser_signed_in(&app, &mock).await;
    wait_for_checks_finished(&browser).await;
    (app, mock, browser)
}

/// The token check of a page's result passed, tried each of `tried` in order
/// (the Login URL and whether the grant worked there), and the settings and
/// Copy all show `shown`; returns the check.
fn assert_shown<'a>(result: &'a Value, expected: &[(String, bool)], shown: &str) -> &'a Value {
    let token = check(result, CheckKind::Token);
    assert_eq!(token["status"], "ok", "{result}");
    assert_eq!(tried(token), expected, "{result}");
    assert_eq!(token["login_url"], shown);
    assert_eq!(result["settings"]["login_url"], shown);
    let copy_all = result["copy_all"].as_str().expect("copy all");
    assert!(
        copy_all.contains(&format!("Login URL: {shown}\n")),
        "{copy_all}"
    );
    token
}

/// Each Login URL the token check tried, with whether the grant worked there.
fn tried(token: &Value) -> Vec<(String, bool)> {
    token["login_urls_tried"]
        .as_array()
        .expect("login_urls_tried")
        .iter()
        .map(|tried| {
            let url = tried["login_url"].as_str().expect("login_url").to_owned();
            (url, tried["works"] == true)
        })
        .collect()
}

/// The refresh tokens the checks' refresh grants sent, in order.
fn refresh_grants(mock: &MockSalesforce) -> Vec<String> {
    mock.token_requests()
        .into_iter()
        .filter(|form| {
            form.iter()
                .any(|(k, v)| k == "grant_type" && v == "refresh_token")
        })
        .filter_map(|form| {
            form.into_iter()
                .find(|(k, _)| k == "refresh_token")
                .map(|(_, v)| v)
        })
        .collect()
}

/// `host:port` of a mock address, as the mock records a request's `Host`.
fn host(url: &str) -> &str {
    url.trim_start_matches("http://")
}

#[tokio::test]
async fn where_the_my_domain_and_its_generic_host_both_work_the_page_shows_the_generic_host() {
    let (app, mock, SignIn { result, .. }) =
        signed_in_at(MockOptions::default(), MockSalesforce::url).await;

    let both = [(mock.url(), true), (mock.generic_url(), true)];
    let token = assert_shown(&result, &both, &mock.generic_url());
    let reason = token["login_url_reason"].as_str().expect("a reason");
    assert!(reason.contains("works at both"), "{reason}");
    let hosts = mock.token_hosts();
    assert_eq!(
        hosts,
        [
            host(&mock.url()),
            host(&mock.url()),
            host(&mock.generic_url())
        ],
        "the exchange, then a grant at each"
    );
    app.stop().await;
}

#[tokio::test]
async fn where_the_generic_host_refuses_a_local_app_the_page_shows_the_my_domain_and_why() {
    let options = MockOptions {
        local_app: true,
        ..MockOptions::default()
    };
    let (app, mock, SignIn { result, .. }) = signed_in_at(options, MockSalesforce::url).await;

    let only_mine = [(mock.url(), true), (mock.generic_url(), false)];
    let token = assert_shown(&result, &only_mine, &mock.url());
    assert_eq!(
        token["login_urls_tried"][1]["refused"]["code"],
        "app_not_found"
    );
    let reason = token["login_url_reason"].as_str().expect("a reason");
    assert!(reason.contains("only at your My Domain"), "{reason}");
    assert!(
        reason.contains("app_not_found: External client app is not installed in this org"),
        "Salesforce's words: {reason}"
    );
    assert!(reason.contains(&mock.generic_url()), "{reason}");
    app.stop().await;
}

#[tokio::test]
async fn a_sign_in_through_the_generic_host_runs_one_refresh_grant_and_shows_that_host() {
    let (app, mock, SignIn { result, .. }) =
        signed_in_at(MockOptions::default(), MockSalesforce::generic_url).await;

    let one = [(mock.generic_url(), true)];
    let token = assert_shown(&result, &one, &mock.generic_url());
    assert!(token["login_url_reason"].is_null(), "no choice to explain");
    assert_eq!(refresh_grants(&mock).len(), 1);
    app.stop().await;
}

#[tokio::test]
async fn with_rotation_the_token_shown_after_both_grants_is_the_newest_and_the_older_ones_die() {
    let options = MockOptions {
        rotation: true,
        ..MockOptions::default()
    };
    let (app, mock, SignIn { result, .. }) = signed_in_at(options, MockSalesforce::url).await;

    let token = check(&result, CheckKind::Token);
    assert_eq!(token["rotated"], true, "{result}");
    assert_eq!(
        tried(token),
        [(mock.url(), true), (mock.generic_url(), true)]
    );
    let sent = refresh_grants(&mock);
    assert_eq!(sent.len(), 2, "a grant at each Login URL");
    assert_ne!(sent[0], sent[1], "the second grant used the newest token");
    let shown = result["settings"]["refresh_token"].as_str().expect("shown");
    assert!(!sent.iter().any(|old| old == shown), "newer than both");
    for old in &sent {
        assert!(!mock.refresh_token_is_live(old), "an older token is dead");
    }
    assert!(mock.refresh_token_is_live(shown));
    assert!(mock.refresh_at(&mock.generic_url(), shown).await.is_ok());
    app.stop().await;
}

#[tokio::test]
async fn check_names_each_login_url_tried_and_which_one_to_give_snow_atlas() {
    let (mock, token) = mock_with_token(MockOptions::default()).await;

    let mut binary = run_check_with_token(&mock, &token, &["--loopback-generic-host"]).await;

    assert_eq!(binary.wait().await, 0, "{}", binary.stderr());
    let stdout = binary.stdout();
    for url in [mock.url(), mock.generic_url()] {
        assert!(
            stdout.contains(&format!("     ok  Token: token refresh works at {url}.\n")),
            "{stdout}"
        );
    }
    assert!(
        stdout.contains(&format!(
            "     ok  Login URL: {}. Token refresh works at both",
            mock.generic_url()
        )),
        "{stdout}"
    );
}

#[tokio::test]
async fn check_shows_a_refusing_generic_host_and_keeps_the_my_domain_in_its_json() {
    let (mock, token) = mock_with_token(MockOptions {
        local_app: true,
        ..MockOptions::default()
    })
    .await;

    let mut text = run_check_with_token(&mock, &token, &["--loopback-generic-host"]).await;
    let mut json =
        run_check_with_token(&mock, &token, &["--loopback-generic-host", "--json"]).await;

    assert_eq!(text.wait().await, 0, "{}", text.stderr());
    let stdout = text.stdout();
    assert!(
        stdout.contains(&format!("not ok  Token: not at {}: ", mock.generic_url())),
        "{stdout}"
    );
    assert!(stdout.contains("app_not_found"), "{stdout}");
    assert!(
        stdout.contains(&format!(
            "     ok  Login URL: {}. Token refresh works only at your My Domain",
            mock.url()
        )),
        "{stdout}"
    );
    assert_eq!(json.wait().await, 0, "{}", json.stderr());
    let json: Value = serde_json::from_str(&json.stdout()).expect("JSON");
    assert_eq!(json["login_url"], mock.url());
    let token = check(&json, CheckKind::Token);
    assert_eq!(
        tried(token),
        [(mock.url(), true), (mock.generic_url(), false)]
    );
    assert_eq!(
        token["login_urls_tried"][1]["refused"]["code"],
        "app_not_found"
    );
}

#[tokio::test]
async fn print_gives_the_generic_host_when_it_works_and_the_json_says_which_worked() {
    for (mode, options) in [
        ("--print", MockOptions::default()),
        ("--json", MockOptions::default()),
        (
            "--print",
            MockOptions {
                local_app: true,
                ..MockOptions::default()
            },
        ),
    ] {
        let local_app = options.local_app;
        let (mut binary, mock) =
            binary_and_mock_with(options, &["--loopback-generic-host", mode], &[]).await;
        let visitor = Visitor::launch(&binary.launch_url().await).await;
        let secret = mock.options().client_secret.clone();
        let authorize_url = visitor.authorize_url(&mock, &secret).await;
        let callback_url = visitor.consent(&authorize_url, "allow").await;
        visitor.get(&callback_url).await;

        assert_eq!(binary.wait().await, 0, "{mode}: {}", binary.stderr());
        let stdout = binary.stdout();
        let expected = if local_app {
            mock.url()
        } else {
            mock.generic_url()
        };
        if mode == "--print" {
            assert!(
                stdout.contains(&format!("Login URL: {expected}\n")),
                "{stdout}"
            );
        } else {
            let json: Value = serde_json::from_str(&stdout).expect("JSON");
            assert_eq!(json["login_url"], expected);
            assert_eq!(
                tried(check(&json, CheckKind::Token)),
                [(mock.url(), true), (mock.generic_url(), true)]
            );
        }
    }
}

#[tokio::test]
async fn trying_the_generic_host_costs_the_check_run_one_token_request_and_no_rest_request() {
    let (mock, token) = mock_with_token(MockOptions::default()).await;
    let cost = async |extra: &[&str]| {
        let before = (mock.token_requests().len(), mock.rest_requests());
        let mut binary = run_check_with_token(&mock, &token, extra).await;
        assert_eq!(binary.wait().await, 0, "{}", binary.stderr());
        (
            mock.token_requests().len() - before.0,
            mock.rest_requests() - before.1,
        )
    };

    let (tokens, rest) = cost(&[]).await;
    let with_generic = cost(&["--loopback-generic-host"]).await;

    assert_eq!(tokens, 1, "one refresh grant at the Login URL given");
    assert_eq!(with_generic, (tokens + 1, rest));
}

#[tokio::test]
async fn the_loopback_generic_host_is_a_test_flag_kept_out_of_help() {
    let mut help = Binary::spawn(&["check", "--help"], &[]);
    assert_eq!(help.wait().await, 0);
    assert!(!help.stdout().contains("--loopback-generic-host"));
    let mut alone = Binary::spawn(&["check", "--loopback-generic-host"], &[]);
    assert_eq!(alone.wait().await, 2, "needs --allow-any-login-url");
}

/// In Chromium: the Login URL field, the line under it, and the token row's
/// list of the Login URLs tried.
async fn login_url_shown(browser: &crate::webdriver::Browser) -> Value {
    browser
        .execute(
            "const $ = (id) => document.getElementById(id);\
             return [$('s-login_url').value, $('login-url-reason').hidden,\
                     $('login-url-reason').textContent,\
                     [...$('check-token').querySelectorAll('.tried li')].map((li) => li.textContent)];",
            vec![],
        )
        .await
}

#[tokio::test]
async fn the_page_shows_the_login_url_that_works_why_and_each_one_tried() {
    for local_app in [false, true] {
        let options = MockOptions {
            local_app,
            ..MockOptions::default()
        };
        let (app, mock, browser) = browser_at_my_domain(options).await;

        let shown = login_url_shown(&browser).await;

        let (my_domain, generic) = (mock.url(), mock.generic_url());
        let expected = if local_app { &my_domain } else { &generic };
        assert_eq!(shown[0], *expected, "{shown}");
        assert_eq!(shown[1], false, "the reason is shown: {shown}");
        let reason = shown[2].as_str().expect("reason");
        let says = if local_app {
            "only at your My Domain"
        } else {
            "works at both"
        };
        assert!(reason.contains(says), "{reason}");
        let generic_line = if local_app {
            format!(
                "Not at {generic}: app_not_found: External client app is not installed in this org"
            )
        } else {
            format!("Works at {generic}")
        };
        assert_eq!(
            shown[3],
            serde_json::json!([format!("Works at {my_domain}"), generic_line])
        );
        browser.quit().await;
        app.stop().await;
    }
}
