//! Nothing typed is lost (issue 20): within one run the page's session keeps
//! the Consumer Key, the org and the secret of its last sign-in, the secret on
//! sftoken's side only. Back from Salesforce's login page offers "Continue to
//! Salesforce"; Start over, Try again and Start again need no typing; a wrong
//! secret brings the admin back to its field.

use reqwest::StatusCode;
use serde_json::Value;

use crate::browser::sign_in_on_page;
use crate::helpers::{DEADLINE, JsonBody, Visitor, app_and_mock, open_page, page_and_mock};
use crate::mock_salesforce::{MockOptions, MockSalesforce};
use crate::webdriver::Browser;

/// The setup page shows the key and the org of the last sign-in, and says
/// that sftoken keeps its secret; the secret field itself is empty.
async fn assert_kept(browser: &Browser, mock: &MockSalesforce) {
    assert_eq!(browser.value("#client-id").await, mock.options().client_id);
    assert_eq!(browser.value("#org-address").await, mock.url());
    assert_eq!(browser.value("#client-secret").await, "");
    assert!(
        browser.is_displayed("#client-secret-kept").await,
        "the field says the secret is kept"
    );
    assert_eq!(
        browser
            .attribute("#client-secret", "placeholder")
            .await
            .as_deref(),
        Some("Kept by sftoken")
    );
}

/// Clicks "Sign in with Salesforce" without typing anything, and waits for
/// Salesforce's (the mock's) page.
async fn sign_in_untyped(browser: &Browser, mock: &MockSalesforce) -> String {
    browser.click("#sign-in").await;
    browser
        .wait_for_url(|url| url.starts_with(&mock.url()))
        .await
}

/// The id of the element that has the focus, once it is `expected` (or the
/// deadline passed).
async fn focused(browser: &Browser, expected: &str) -> Value {
    let started = std::time::Instant::now();
    loop {
        let id = browser
            .execute("return document.activeElement.id;", vec![])
            .await;
        if id == expected || started.elapsed() > DEADLINE {
            return id;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
}

#[tokio::test]
async fn back_from_salesforces_login_page_continues_to_salesforce_with_no_typing() {
    let (app, mock) = app_and_mock(MockOptions::default()).await;
    let browser = open_page(&app).await;
    let secret = mock.options().client_secret.clone();
    sign_in_on_page(&browser, &mock, &secret).await;
    let authorize_url = browser.current_url().await;

    // The browser's Back button, whether the page comes from the
    // back/forward cache (it reloads on `pageshow`) or loads again.
    browser.back().await;
    browser.wait_for_url(|url| url == app.url("/")).await;
    browser.find("#pending:not([hidden])").await;
    assert_kept(&browser, &mock).await;
    assert_eq!(
        browser.attribute("#continue", "href").await.as_deref(),
        Some(authorize_url.as_str()),
        "the same sign-in goes on"
    );
    assert_eq!(focused(&browser, "continue").await, "continue");
    let page = browser
        .execute(
            "return document.documentElement.outerHTML + JSON.stringify(sessionStorage);",
            vec![],
        )
        .await;
    assert!(
        !page.as_str().unwrap_or_default().contains(&secret),
        "the secret is not in the page"
    );

    browser.click("#continue").await;
    browser.wait_for_url(|url| url == authorize_url).await;
    browser.click("#allow").await;
    browser.find("#result:not([hidden])").await;
    assert_eq!(browser.value("#s-client_secret").await, secret);
    assert_eq!(
        browser.value("#s-client_id").await,
        mock.options().client_id
    );
    browser.quit().await;
    app.stop().await;
}

#[tokio::test]
async fn start_over_try_again_and_start_again_keep_the_key_the_org_and_the_secret() {
    let (app, mock) = app_and_mock(MockOptions::default()).await;
    let browser = open_page(&app).await;
    sign_in_on_page(&browser, &mock, &mock.options().client_secret).await;

    browser.back().await;
    browser.find("#pending:not([hidden])").await;
    browser.click("#start-over").await;
    assert_kept(&browser, &mock).await;
    sign_in_untyped(&browser, &mock).await;
    browser.click("#deny").await;
    browser.find("#failure:not([hidden])").await;

    browser.click("#try-again").await;
    browser.find("#setup:not([hidden])").await;
    assert_kept(&browser, &mock).await;
    assert!(
        !browser.is_displayed("#client-secret-error").await,
        "a denied sign-in blames no field"
    );
    assert!(
        !browser.is_displayed("#pending").await,
        "the sign-in left by Start over is not offered"
    );
    sign_in_untyped(&browser, &mock).await;
    browser.click("#allow").await;
    browser.find("#result:not([hidden])").await;
    assert_eq!(
        browser.value("#s-client_secret").await,
        mock.options().client_secret
    );

    browser.click("#result > p > a.button[href='/']").await;
    browser.find("#setup:not([hidden])").await;
    assert_kept(&browser, &mock).await;
    assert!(!browser.is_displayed("#pending").await);
    sign_in_untyped(&browser, &mock).await;
    browser.quit().await;
    app.stop().await;
}

#[tokio::test]
async fn a_wrong_secret_then_try_again_lands_on_the_secret_field_with_the_advice() {
    let (app, mock) = app_and_mock(MockOptions::default()).await;
    let browser = open_page(&app).await;
    sign_in_on_page(&browser, &mock, "wrong-secret").await;
    browser.click("#allow").await;
    browser.find("#failure:not([hidden])").await;
    let fix = browser.text("#failure-fix").await;
    assert!(
        fix.contains("paste it into the secret field in step 2"),
        "{fix}"
    );

    browser.click("#try-again").await;
    browser.find("#setup:not([hidden])").await;
    assert_eq!(focused(&browser, "client-secret").await, "client-secret");
    assert_eq!(
        browser
            .attribute("#client-secret", "aria-invalid")
            .await
            .as_deref(),
        Some("true")
    );
    let advice = browser.text("#client-secret-error").await;
    assert!(
        advice.starts_with("The Consumer Secret is wrong.") && advice.contains("secret field"),
        "{advice}"
    );
    // In view, with the advice, and no checklist to scroll past.
    let in_view = browser
        .execute(
            "const f = document.getElementById('client-secret').getBoundingClientRect();\
             const a = document.getElementById('client-secret-error').getBoundingClientRect();\
             return f.top >= 0 && a.bottom <= window.innerHeight && !document.getElementById('checklist').open;",
            vec![],
        )
        .await;
    assert_eq!(in_view, true, "the field and its advice are in view");
    assert_eq!(browser.value("#client-id").await, mock.options().client_id);
    assert!(
        !browser.is_displayed("#client-secret-kept").await,
        "a refused secret is not kept"
    );

    browser
        .type_into("#client-secret", &mock.options().client_secret)
        .await;
    sign_in_untyped(&browser, &mock).await;
    browser.click("#allow").await;
    browser.find("#result:not([hidden])").await;
    browser.quit().await;
    app.stop().await;
}

#[tokio::test]
async fn the_session_keeps_the_secret_and_never_sends_it_to_the_page() {
    let (app, mock, page) = page_and_mock(MockOptions::default()).await;
    let key = mock.options().client_id.clone();
    let secret = mock.options().client_secret.clone();

    let started = page.start_login(&key, &secret, &mock.url()).await;
    assert_eq!(started.status(), StatusCode::OK);
    let started = started.text().await.expect("body");
    assert!(!started.contains(&secret), "{started}");
    let authorize_url = serde_json::from_str::<Value>(&started).expect("JSON")["authorize_url"]
        .as_str()
        .expect("authorize_url")
        .to_owned();

    let session = page.get("/api/session").await.text().await.expect("body");
    assert!(!session.contains(&secret), "{session}");
    let session: Value = serde_json::from_str(&session).expect("JSON");
    assert_eq!(session["client_id"], key.as_str());
    assert_eq!(session["login_url"], mock.url().as_str());
    assert_eq!(session["login_url_is_default"], false);
    assert_eq!(session["client_secret_kept"], true);
    assert_eq!(session["pending"]["authorize_url"], authorize_url.as_str());

    // Another tab's session keeps its own (nothing yet).
    let other = Visitor::launch(&app.launch_url()).await;
    let theirs = other.get_json("/api/session").await;
    assert_eq!(theirs["client_secret_kept"], false);
    assert_eq!(theirs["client_id"], Value::Null);

    // An empty secret field means the kept one, and only for its key and org.
    let again = page.start_login(&key, "", &mock.url()).await;
    assert_eq!(again.status(), StatusCode::OK);
    let elsewhere = page
        .start_login(&key, "", "https://login.salesforce.com")
        .await;
    assert_eq!(elsewhere.status(), StatusCode::BAD_REQUEST);
    let refused = elsewhere.json_value().await;
    assert_eq!(refused["error"]["field"], "client_secret");
    assert!(!refused.to_string().contains(&secret));

    // A secret Salesforce refuses is blamed on its field, and forgotten.
    let wrong = page.sign_in(&mock, "wrong-secret", "allow").await;
    assert_eq!(wrong.result["status"], "failed");
    assert_eq!(wrong.result["error"]["field"], "client_secret");
    assert!(!wrong.result.to_string().contains("wrong-secret"));
    let session = page.get_json("/api/session").await;
    assert_eq!(session["client_secret_kept"], false);
    assert_eq!(session["client_id"], key.as_str());
    let empty = page.start_login(&key, "", &mock.url()).await;
    assert_eq!(empty.status(), StatusCode::BAD_REQUEST);
    app.stop().await;
}
