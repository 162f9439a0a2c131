//! The page in a real headless Chromium: the whole sign-in against the mock,
//! Copy all read back from the clipboard, and a failure explained on the page.

use crate::helpers::{TestApp, app_and_mock, expected_copy_all};
use crate::mock_salesforce::{MockOptions, MockSalesforce};
use crate::webdriver::Browser;

/// On the open setup page: types the address of a Setup page of the mock (as
/// the org), waits for the login URL it gives, and types the mock's Consumer
/// Key and `secret`.
pub async fn fill_in_the_app(browser: &Browser, mock: &MockSalesforce, secret: &str) {
    let setup_page = format!("{}/lightning/setup/SetupOneHome/home", mock.url());
    browser.type_into("#org-address", &setup_page).await;
    browser
        .wait_for_text("#login-url-note", |t| t.contains(&mock.url()))
        .await;
    browser
        .type_into("#client-id", &mock.options().client_id)
        .await;
    browser.type_into("#client-secret", secret).await;
}

/// Opens the page and signs in as a user would, up to Salesforce's approval page.
async fn fill_form_and_sign_in(
    browser: &Browser,
    app: &TestApp,
    mock: &MockSalesforce,
    secret: &str,
) {
    browser.goto(&app.launch_url()).await;
    browser.wait_for_url(|url| url == app.url("/")).await;
    browser.find("#setup:not([hidden])").await;
    assert_eq!(browser.value("#callback-url").await, app.url("/callback"));
    sign_in_on_page(browser, mock, secret).await;
}

/// On the open setup page: fills in the org and the app, clicks "Sign in with
/// Salesforce", and waits for the approval page.
pub async fn sign_in_on_page(browser: &Browser, mock: &MockSalesforce, secret: &str) {
    fill_in_the_app(browser, mock, secret).await;
    browser.click("#sign-in").await;
    browser
        .wait_for_url(|url| url.starts_with(&mock.url()))
        .await;
}

#[tokio::test]
async fn a_user_signs_in_and_copy_all_puts_the_five_settings_on_the_clipboard() {
    let (app, mock) = app_and_mock(MockOptions::default()).await;
    let browser = Browser::start().await;
    let secret = mock.options().client_secret.clone();

    fill_form_and_sign_in(&browser, &app, &mock, &secret).await;
    browser.click("#allow").await;
    let result_url = browser
        .wait_for_url(|url| url.starts_with(&app.url("/result/")))
        .await;
    browser.find("#result:not([hidden])").await;

    assert!(
        !result_url.contains("code="),
        "the code left the address bar"
    );
    let refresh_token = browser.value("#s-refresh_token").await;
    assert!(
        mock.refresh(&refresh_token).await.is_ok(),
        "the token on the page works"
    );
    assert_eq!(
        browser
            .attribute("#s-refresh_token", "type")
            .await
            .as_deref(),
        Some("password"),
        "the token is masked until revealed"
    );
    browser
        .click("#result [aria-controls=s-refresh_token]")
        .await;
    assert_eq!(
        browser
            .attribute("#s-refresh_token", "type")
            .await
            .as_deref(),
        Some("text")
    );
    // The connection details sit in the folded checks.
    browser.click("#checks > summary").await;
    assert_eq!(browser.text("#d-username").await, "admin@acme-mock.example");

    browser.grant_clipboard().await;
    browser.click("#copy-all").await;
    browser
        .wait_for_text("#copy-status", |t| t.contains("Copied"))
        .await;
    let copied = browser.read_clipboard().await;

    let lines: Vec<&str> = copied.lines().collect();
    assert_eq!(lines, expected_copy_all(&mock, &refresh_token));
    browser.quit().await;
    app.stop().await;
}

#[tokio::test]
async fn a_wrong_secret_is_explained_on_the_page_and_try_again_keeps_the_key() {
    let (app, mock) = app_and_mock(MockOptions::default()).await;
    let browser = Browser::start().await;

    fill_form_and_sign_in(&browser, &app, &mock, "wrong-secret").await;
    browser.click("#allow").await;
    browser.find("#failure:not([hidden])").await;

    let headline = browser.text("#failure-headline").await;
    assert!(headline.contains("Consumer Secret"), "{headline}");
    assert_eq!(browser.text("#failure-code").await, "invalid_client");
    browser.click("#try-again").await;
    browser.find("#setup:not([hidden])").await;
    assert_eq!(browser.value("#client-id").await, mock.options().client_id);
    assert_eq!(
        browser.value("#client-secret").await,
        "",
        "the secret is typed again"
    );
    browser.quit().await;
    app.stop().await;
}

#[tokio::test]
async fn ticking_two_domains_changes_the_copied_company_names() {
    let (app, mock) = app_and_mock(MockOptions {
        users: 40,
        ..MockOptions::default()
    })
    .await;
    let browser = Browser::start().await;
    let secret = mock.options().client_secret.clone();
    fill_form_and_sign_in(&browser, &app, &mock, &secret).await;
    browser.click("#allow").await;
    browser.find("#result:not([hidden])").await;
    browser.click("#picker-title").await;
    browser.find("#domain-rows input[value='acme.com']").await;
    browser
        .wait_for_text("#checks-progress", |t| t.contains("finished"))
        .await;
    crate::guided::screenshot(&browser, "result").await;
    crate::helpers::show_checks(&browser).await;
    crate::guided::screenshot(&browser, "checks").await;
    browser.execute("window.scrollTo(0, 0)", vec![]).await;

    browser.click("#domain-rows input[value='acme.com']").await;
    browser
        .click("#domain-rows input[value='example.org']")
        .await;
    let field = wait_for_value(&browser, "#s-company_names", "acme.com, example.org").await;
    assert_eq!(field, "acme.com, example.org");
    assert!(
        browser.is_displayed("#picker-caveat").await,
        "the caveat shows"
    );

    browser.grant_clipboard().await;
    browser.click("#copy-company-names").await;
    browser
        .wait_for_text("#copy-status", |t| t.contains("Copied"))
        .await;
    assert_eq!(browser.read_clipboard().await, "acme.com\nexample.org");
    browser.click("#copy-all").await;
    let copied = browser.read_clipboard().await;
    assert!(
        copied.ends_with("Company names: acme.com, example.org\n"),
        "{copied}"
    );
    browser.quit().await;
    app.stop().await;
}

#[tokio::test]
async fn a_company_name_that_matches_nobody_is_warned_about_on_the_page() {
    let app = TestApp::start_with(
        sftoken::login_url::HostPolicy::Any,
        sftoken::login_url::PRODUCTION,
        |config| {
            config.company_names =
                sftoken::company_names::CompanyNames::parse(&["acme.com", "nobody.example"])
                    .expect("names");
        },
    )
    .await;
    let mock = crate::helpers::mock_for_port(app.port, MockOptions::default()).await;
    let browser = Browser::start().await;
    fill_form_and_sign_in(&browser, &app, &mock, &mock.options().client_secret.clone()).await;
    browser.click("#allow").await;
    browser.find("#result:not([hidden])").await;

    let warning = browser
        .wait_for_text("#company-names-warning", |t| !t.is_empty())
        .await;

    assert!(warning.contains("nobody.example"), "{warning}");
    assert!(warning.contains("imports nobody"), "{warning}");
    assert!(!warning.contains("acme.com"), "{warning}");
    browser.quit().await;
    app.stop().await;
}

/// Waits until an input's value is `expected`; returns the last value seen.
pub async fn wait_for_value(browser: &Browser, css: &str, expected: &str) -> String {
    let started = std::time::Instant::now();
    loop {
        let value = browser.value(css).await;
        if value == expected || started.elapsed() > crate::helpers::DEADLINE {
            return value;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
}
