//! One sitting, as an admin has it (issues 20 and 21): the real binary with
//! a short idle timeout, a real Chromium, and the steps in one run: the page
//! open past the timeout, Back from Salesforce's login page, Continue, the
//! result, Start again, and a second sign-in with nothing typed.

use std::time::Duration;

use crate::browser::sign_in_on_page;
use crate::helpers::binary_and_mock;
use crate::webdriver::Browser;

#[tokio::test]
async fn a_sitting_with_the_page_open_past_the_idle_timeout_back_and_start_again() {
    let (mut binary, mock) = binary_and_mock(&["--idle-timeout", "3s"], &[]).await;
    let browser = Browser::start().await;
    browser.goto(&binary.launch_url().await).await;
    browser.find("#setup:not([hidden])").await;

    // Reading the checklist for three idle timeouts: sftoken stays.
    tokio::time::sleep(Duration::from_secs(10)).await;
    assert!(binary.is_running(), "{}", binary.stderr());

    // Off to Salesforce, then Back, then on with the same sign-in.
    let secret = mock.options().client_secret.clone();
    sign_in_on_page(&browser, &mock, &secret).await;
    browser.back().await;
    browser.find("#continue:not([hidden])").await;
    browser.click("#continue").await;
    browser
        .wait_for_url(|url| url.starts_with(&mock.url()))
        .await;
    browser.click("#allow").await;
    browser.find("#result:not([hidden])").await;
    let first = browser.value("#s-refresh_token").await;
    assert!(mock.refresh(&first).await.is_ok(), "the first token works");

    // Start again: nothing to type, and a second token that works.
    browser.click("#result > p > a.button[href='/']").await;
    browser.find("#setup:not([hidden])").await;
    browser.click("#sign-in").await;
    browser
        .wait_for_url(|url| url.starts_with(&mock.url()))
        .await;
    browser.click("#allow").await;
    browser.find("#result:not([hidden])").await;
    let second = browser.value("#s-refresh_token").await;
    assert_ne!(second, first, "a new sign-in");
    assert!(
        mock.refresh(&second).await.is_ok(),
        "the second token works"
    );
    assert!(binary.is_running(), "{}", binary.stderr());

    // The tab closed: the idle timeout counts again, and sftoken stops.
    browser.quit().await;
    assert_eq!(binary.wait().await, 0, "{}", binary.stderr());
    assert!(
        binary.stderr().contains("without an open page"),
        "{}",
        binary.stderr()
    );
}
