//! The org's own address first: any address of the org where the app was
//! made gives its My Domain and the environment, in `/api/login-url`, on the
//! page as it is pasted (real Chromium), and in `check` and `paste` through
//! `--login-url`; the generic login pages stay as the choices below it.

use reqwest::StatusCode;
use serde_json::json;

use crate::hardening::refusing_proxy;
use crate::helpers::{Binary, JsonBody, TestApp, Visitor, app_and_mock, open_page, query_param};
use crate::mock_salesforce::MockOptions;
use crate::webdriver::Browser;

/// The Setup page an admin has open while following the checklist.
const SETUP: &str = "https://acme.lightning.force.com/lightning/setup/SetupOneHome/home";
pub const SANDBOX_SETUP: &str =
    "https://acme--uat.sandbox.lightning.force.com/lightning/setup/ExternalClientAppManager/home";

/// An app as started with no login URL given anywhere.
async fn app_without_a_login_url() -> TestApp {
    TestApp::start(sftoken::login_url::PRODUCTION, |config| {
        config.login_url_is_default = true;
    })
    .await
}

#[tokio::test]
async fn the_login_url_endpoint_gives_the_my_domain_and_the_environment() {
    let app = app_without_a_login_url().await;
    let visitor = Visitor::launch(&app.launch_url()).await;
    let session = visitor.get_json("/api/session").await;
    assert_eq!(session["login_url_is_default"], true, "{session}");

    let checked = async |address: &str| {
        let path = format!("/api/login-url?value={}", urlencoding(address));
        visitor.get(&path).await
    };
    for (address, login_url, environment) in [
        (SETUP, "https://acme.my.salesforce.com", json!("production")),
        (
            SANDBOX_SETUP,
            "https://acme--uat.sandbox.my.salesforce.com",
            json!("sandbox"),
        ),
        (
            "https://acme.my.salesforce-setup.com/lightning/setup/SetupOneHome/home",
            "https://acme.my.salesforce.com",
            json!("production"),
        ),
        (
            "https://acme.my.salesforce.com/setup/forcecomHomepage.apexp",
            "https://acme.my.salesforce.com",
            json!("production"),
        ),
        (
            "https://acme--uat.sandbox.my.site.com/partners/s/",
            "https://acme--uat.sandbox.my.salesforce.com",
            json!("sandbox"),
        ),
        (
            "https://acme.lightning.crmforce.mil/lightning/page/home",
            "https://acme.my.salesforce.mil",
            json!("production"),
        ),
        (
            "https://acme-dev-ed.develop.lightning.force.com/lightning/page/home",
            "https://acme-dev-ed.develop.my.salesforce.com",
            json!(null),
        ),
        (
            "https://test.salesforce.com",
            "https://test.salesforce.com",
            json!("sandbox"),
        ),
    ] {
        let response = checked(address).await;
        assert_eq!(response.status(), StatusCode::OK, "{address}");
        let body = response.json_value().await;
        assert_eq!(body["login_url"], login_url, "{address}: {body}");
        assert_eq!(body["environment"], environment, "{address}: {body}");
    }

    let instance = checked("https://na1.salesforce.com/home/home.jsp").await;
    assert_eq!(instance.status(), StatusCode::OK, "an instance is taken");
    let body = instance.json_value().await;
    assert_eq!(body["login_url"], "https://na1.salesforce.com", "{body}");
    let warning = body["warning"].as_str().unwrap_or_default();
    assert!(warning.contains("Salesforce instance"), "{body}");

    for (address, says) in [
        ("https://www.example.com/partners", "not a Salesforce host"),
        ("", "No login URL was given"),
    ] {
        let response = checked(address).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{address}");
        let body = response.json_value().await;
        assert_eq!(body["error"]["field"], "login_url", "{body}");
        let message = body["error"]["message"].as_str().unwrap_or_default();
        assert!(message.contains(says), "{address}: {message}");
    }
    app.stop().await;
}

/// A query value, percent-encoded.
fn urlencoding(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// The live line under the address field, once it says `contains`.
async fn live_line(browser: &Browser, contains: &str) -> String {
    browser
        .wait_for_text("#login-url-note", |t| t.contains(contains))
        .await
}

/// How many of the generic login pages are chosen.
async fn generic_choices_checked(browser: &Browser) -> serde_json::Value {
    browser
        .execute(
            "return [...document.querySelectorAll('input[name=environment]')].filter(r => r.checked).length;",
            vec![],
        )
        .await
}

/// Types a Consumer Key and Secret and clicks "Sign in with Salesforce".
async fn sign_in_with_a_key(browser: &Browser) {
    browser.type_into("#client-id", "3MVG9key").await;
    browser.type_into("#client-secret", "secret").await;
    browser.click("#sign-in").await;
}

#[tokio::test]
async fn a_pasted_setup_address_shows_its_my_domain_and_environment_and_signs_in_there() {
    let app = app_without_a_login_url().await;
    let browser = open_page(&app).await;
    let chosen = generic_choices_checked(&browser).await;
    assert_eq!(chosen, 0, "no login page is chosen before the address");
    sign_in_with_a_key(&browser).await;
    let error = browser
        .wait_for_text("#org-address-error", |t| !t.is_empty())
        .await;
    assert!(error.contains("No login URL was given"), "{error}");

    // Pasted: shown at once, without leaving the field.
    browser.paste_into("#org-address", SETUP).await;
    let line = live_line(&browser, "acme.my.salesforce.com").await;
    assert_eq!(
        line,
        "sftoken will sign in at https://acme.my.salesforce.com, a production org."
    );
    assert!(!browser.is_displayed("#org-address-error").await);
    browser.paste_into("#org-address", SANDBOX_SETUP).await;
    let line = live_line(&browser, "sandbox").await;
    assert!(
        line.contains("https://acme--uat.sandbox.my.salesforce.com, a sandbox org"),
        "{line}"
    );
    browser.click("#sign-in").await;
    let authorize = browser
        .wait_for_url(|u| u.contains("/services/oauth2/authorize"))
        .await;
    assert!(
        authorize
            .starts_with("https://acme--uat.sandbox.my.salesforce.com/services/oauth2/authorize"),
        "{authorize}"
    );
    assert_eq!(
        query_param(&authorize, "client_id").as_deref(),
        Some("3MVG9key")
    );
    browser.quit().await;
    app.stop().await;
}

#[tokio::test]
async fn a_refused_address_is_said_when_pasted_or_left_not_while_typed() {
    let app = app_without_a_login_url().await;
    let browser = open_page(&app).await;

    browser
        .paste_into("#org-address", "https://www.example.com/partners")
        .await;
    let error = browser
        .wait_for_text("#org-address-error", |t| !t.is_empty())
        .await;
    assert!(error.contains("not a Salesforce host"), "{error}");
    assert!(!browser.is_displayed("#login-url-note").await);

    // An instance is a Salesforce host: taken, with what to give instead.
    browser.type_into("#org-address", "").await;
    browser
        .paste_into("#org-address", "https://na1.salesforce.com/home/home.jsp")
        .await;
    let line = live_line(&browser, "https://na1.salesforce.com").await;
    assert!(line.contains("is a Salesforce instance"), "{line}");
    assert!(!browser.is_displayed("#org-address-error").await);

    // Typed, a half-written address is not an error yet; leaving it is.
    browser.type_into("#org-address", "").await;
    browser
        .type_into("#org-address", "https://acme.example")
        .await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert!(
        !browser.is_displayed("#org-address-error").await,
        "an error while typing"
    );
    browser.press_keys("\u{E004}").await;
    let error = browser
        .wait_for_text("#org-address-error", |t| !t.is_empty())
        .await;
    assert!(error.contains("not a Salesforce host"), "{error}");
    let focused = browser
        .execute("return document.activeElement.id", vec![])
        .await;
    assert_eq!(focused, "org-address", "the field at fault takes focus");
    // Typed whole, it is shown live, and the error goes.
    browser.type_into("#org-address", SETUP).await;
    live_line(&browser, "https://acme.my.salesforce.com").await;
    assert!(!browser.is_displayed("#org-address-error").await);
    browser.quit().await;
    app.stop().await;
}

#[tokio::test]
async fn the_generic_login_pages_stay_below_the_address_and_are_kept_in_the_tab() {
    let app = app_without_a_login_url().await;
    let browser = open_page(&app).await;
    browser.type_into("#org-address", SETUP).await;
    live_line(&browser, "acme.my.salesforce.com").await;

    browser.click("#env-sandbox").await;
    assert!(!browser.is_displayed("#login-url-note").await);
    let muted = browser
        .execute(
            "return document.getElementById('org-address-field').classList.contains('muted');",
            vec![],
        )
        .await;
    assert_eq!(muted, true, "the address steps back for the generic page");
    sign_in_with_a_key(&browser).await;
    browser
        .wait_for_url(|u| u.starts_with("https://test.salesforce.com/services/oauth2/authorize"))
        .await;

    // Back in this tab: the choice is kept; typing an address takes over.
    browser.goto(&app.url("/")).await;
    browser.find("#pending:not([hidden])").await;
    browser.click("#start-over").await;
    let kept = browser
        .execute(
            "return document.getElementById('env-sandbox').checked;",
            vec![],
        )
        .await;
    assert_eq!(kept, true);
    browser.click("#env-production").await;
    browser.type_into("#org-address", SANDBOX_SETUP).await;
    live_line(&browser, "a sandbox org").await;
    let chosen = generic_choices_checked(&browser).await;
    assert_eq!(chosen, 0, "the typed address replaces the generic choice");
    sign_in_with_a_key(&browser).await;
    browser
        .wait_for_url(|u| {
            u.starts_with("https://acme--uat.sandbox.my.salesforce.com/services/oauth2/authorize")
        })
        .await;
    browser.quit().await;
    app.stop().await;
}

#[tokio::test]
async fn a_configured_login_url_prefills_the_address_or_its_choice() {
    let app = TestApp::start(SETUP, |_| {}).await;
    let browser = open_page(&app).await;
    assert_eq!(
        browser.value("#org-address").await,
        "https://acme.my.salesforce.com"
    );
    live_line(&browser, "a production org").await;
    browser.quit().await;
    app.stop().await;

    let app = TestApp::start(sftoken::login_url::SANDBOX, |_| {}).await;
    let browser = open_page(&app).await;
    let chosen = browser
        .execute(
            "return [document.getElementById('env-sandbox').checked, document.getElementById('org-address').value];",
            vec![],
        )
        .await;
    assert_eq!(chosen, json!([true, ""]));
    browser.quit().await;
    app.stop().await;
}

#[tokio::test]
async fn the_mock_as_the_org_signs_in_from_the_address_of_one_of_its_pages() {
    let (app, mock) = app_and_mock(MockOptions::default()).await;
    let browser = open_page(&app).await;
    crate::browser::sign_in_on_page(&browser, &mock, &mock.options().client_secret).await;
    browser.click("#allow").await;
    browser.find("#result:not([hidden])").await;
    assert_eq!(browser.value("#s-login_url").await, mock.url());
    browser.quit().await;
    app.stop().await;
}

#[tokio::test]
async fn check_takes_a_setup_address_and_asks_its_my_domain() {
    let (proxy, asked) = refusing_proxy("HTTP/1.1 403 Forbidden").await;
    let proxy_url = format!("http://{proxy}");
    let mut binary = Binary::spawn(
        &["check", "--login-url", SETUP, "--client-id", "3MVG9key"],
        &[
            ("SFTOKEN_CLIENT_SECRET", "the-secret"),
            ("SFTOKEN_REFRESH_TOKEN", "5Aep-the-token"),
            ("HTTPS_PROXY", &proxy_url),
            ("NO_PROXY", ""),
            ("no_proxy", ""),
        ],
    );

    assert_eq!(binary.wait().await, 1, "{}", binary.stderr());
    let stderr = binary.stderr();
    assert!(
        stderr.contains("Checking Client ID 3MVG9key against https://acme.my.salesforce.com …"),
        "{stderr}"
    );
    let asked = asked.lock().expect("lock").clone();
    assert_eq!(
        asked.first().map(String::as_str),
        Some("CONNECT acme.my.salesforce.com:443 HTTP/1.1"),
        "the refresh grant goes to the My Domain: {asked:?}"
    );
}

/// `sftoken paste` with `extra` flags, until it prints the address to open.
async fn paste_until_its_address(extra: &[&str]) -> (Binary, String) {
    let args = [&["paste", "--client-id", "3MVG9key"][..], extra].concat();
    let binary = Binary::spawn_with(&args, &[("SFTOKEN_CLIENT_SECRET", "s")], &[], Some(""));
    let authorize_url = binary
        .wait_for_line(|l| l.contains("/services/oauth2/authorize"))
        .await;
    (binary, authorize_url)
}

#[tokio::test]
async fn paste_takes_a_setup_address_and_says_where_it_signs_in() {
    let (binary, authorize_url) = paste_until_its_address(&["--login-url", SANDBOX_SETUP]).await;
    assert!(
        authorize_url
            .starts_with("https://acme--uat.sandbox.my.salesforce.com/services/oauth2/authorize"),
        "{authorize_url}"
    );
    let stderr = binary.stderr();
    let first: Vec<&str> = stderr.lines().take(2).collect();
    assert_eq!(
        first,
        [
            "acme--uat.sandbox.lightning.force.com is a Lightning address; sftoken uses its org's My Domain login URL https://acme--uat.sandbox.my.salesforce.com instead.",
            "Signing in at https://acme--uat.sandbox.my.salesforce.com, a sandbox org.",
        ],
        "{stderr}"
    );
    drop(binary);

    // Without a login URL: the generic page, and how to give the org's own.
    let (binary, _) = paste_until_its_address(&[]).await;
    let stderr = binary.stderr();
    assert!(
        stderr.lines().next().is_some_and(|first| first.starts_with(
            "Signing in at https://login.salesforce.com, Salesforce's generic login page."
        ) && first
            .contains("--login-url with any address of your org, such as the Setup page's")),
        "{stderr}"
    );
}

#[tokio::test]
async fn an_instance_is_taken_as_a_login_url_with_what_to_give_instead() {
    let (binary, authorize_url) =
        paste_until_its_address(&["--login-url", "https://cs42.salesforce.com/home/home.jsp"])
            .await;
    assert!(
        authorize_url.starts_with("https://cs42.salesforce.com/services/oauth2/authorize"),
        "{authorize_url}"
    );
    let stderr = binary.stderr();
    assert!(
        stderr.contains("cs42.salesforce.com is a Salesforce instance"),
        "{stderr}"
    );
    assert!(stderr.contains("Setup → My Domain"), "{stderr}");
}
