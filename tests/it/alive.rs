//! Issue 20 "Time" and "`--print` and `--json`: the tab ends well", issue 21
//! §3: the real binary and a real Chromium. An open page keeps sftoken
//! running; whatever stops it, the page says why and forgets its session
//! key; a `--print` or `--json` run ends the tab on the page's own "Done".

use std::time::{Duration, Instant};

use serde_json::Value;

use crate::helpers::{Binary, DEADLINE, Visitor, binary_and_mock, free_port};
use crate::mock_salesforce::{MOCK_BASE, MockOptions, MockSalesforce};
use crate::webdriver::Browser;

const SESSION_KEY: &str = "return sessionStorage.getItem('sftoken-session');";

/// sftoken with `extra` flags and the page open from the address it
/// printed first, which is returned.
async fn running_with_the_page_open(browser: &Browser, extra: &[&str]) -> (Binary, String) {
    let port = free_port().to_string();
    let mut args = vec!["--no-browser", "--port", &port];
    args.extend_from_slice(extra);
    let binary = Binary::spawn(&args, &[]);
    let launch_url = binary.launch_url().await;
    browser.goto(&launch_url).await;
    browser.find("#setup:not([hidden])").await;
    (binary, launch_url)
}

/// The origin of a launch address.
fn origin(launch_url: &str) -> String {
    launch_url.split("/#").next().expect("origin").to_owned()
}

#[tokio::test]
async fn an_open_page_keeps_sftoken_running_and_idle_time_counts_from_its_closing() {
    let browser = Browser::start().await;
    let (mut binary, _) = running_with_the_page_open(&browser, &["--idle-timeout", "4s"]).await;

    // Over three idle timeouts, and across several held requests answered
    // and asked again (each is held half the timeout).
    tokio::time::sleep(Duration::from_secs(13)).await;
    assert!(
        binary.is_running(),
        "stopped with the page open: {}",
        binary.stderr()
    );
    assert!(
        browser.is_displayed("#setup").await,
        "the page is as it was"
    );

    browser.goto("about:blank").await;
    let closed = Instant::now();
    assert_eq!(binary.wait().await, 0, "{}", binary.stderr());
    let waited = closed.elapsed();
    assert!(
        waited >= Duration::from_millis(3500),
        "idle time counts from the page's closing: {waited:?}"
    );
    let stderr = binary.stderr();
    assert!(
        stderr.contains("4 seconds without an open page"),
        "{stderr}"
    );
    // The held requests are not logged at the default level: the terminal
    // has sftoken's own sentences and nothing else.
    assert!(
        !stderr.contains("alive") && !stderr.contains("warning") && !stderr.contains("INFO"),
        "{stderr}"
    );
    browser.quit().await;
}

#[tokio::test]
async fn whatever_stops_sftoken_the_open_page_says_why_and_forgets_its_key() {
    let browser = Browser::start().await;
    for (how, says) in [
        ("INT", "stopped in its terminal (Ctrl-C)"),
        ("TERM", "stopped in its terminal (Ctrl-C) or by the system"),
        ("done", "Done was pressed on its page"),
        ("KILL", "not answering, so it has stopped"),
    ] {
        let (mut binary, used) = running_with_the_page_open(&browser, &[]).await;
        let held = browser.execute(SESSION_KEY, vec![]).await;
        assert!(held.is_string(), "{how}: the page holds a key");
        // The page's held request reaches sftoken.
        tokio::time::sleep(Duration::from_millis(500)).await;
        if how == "done" {
            // Done pressed on another page of the same run.
            let other = Visitor::launch(&binary.next_launch_url(&used).await).await;
            assert!(other.post("/api/done", "{}").await.status().is_success());
        } else {
            binary.signal(how);
        }

        let why = browser
            .wait_for_text("#stopped-why", |text| text.contains(says))
            .await;
        assert_eq!(
            browser.text("#stopped-title").await,
            "sftoken has stopped",
            "{how}"
        );
        if how != "KILL" {
            assert!(why.contains("wiped from memory"), "{how}: {why}");
        }
        let key = browser.execute(SESSION_KEY, vec![]).await;
        assert_eq!(key, Value::Null, "{how}: the key is forgotten");
        for gone in ["#setup", "#footer", "#offline"] {
            assert!(!browser.is_displayed(gone).await, "{how}: {gone} shows");
        }
        binary.wait().await;
    }
    browser.quit().await;
}

/// The page signs in at the mock (its consent by the test's client, as
/// Salesforce's page would be clicked), then the browser follows
/// Salesforce's redirect to sftoken's callback.
async fn sign_in_from_the_page(browser: &Browser, binary: &Binary, mock: &MockSalesforce) {
    let page = Visitor::of_page(browser, &origin(&binary.launch_url().await)).await;
    let authorize_url = page
        .authorize_url(mock, &mock.options().client_secret)
        .await;
    let callback_url = page.consent(&authorize_url, "allow").await;
    browser.goto(&callback_url).await;
}

/// Over several runs (the race was between sftoken's exit and the page's
/// loading), each `--print` and `--json` run ends with the tab on the
/// page's own "Done" section, styled by its stylesheet in light and dark,
/// and served before sftoken exited.
#[tokio::test]
async fn print_and_json_runs_end_the_tab_on_the_styled_done_page() {
    let browser = Browser::start().await;
    for run in 0..6 {
        let mode = if run % 2 == 0 { "--print" } else { "--json" };
        let (mut binary, mock) = binary_and_mock(&[mode], &[]).await;
        browser.goto(&binary.launch_url().await).await;
        browser.find("#setup:not([hidden])").await;

        sign_in_from_the_page(&browser, &binary, &mock).await;

        assert_eq!(binary.wait().await, 0, "{mode}: {}", binary.stderr());
        let stdout = binary.stdout();
        assert!(
            stdout.contains(&mock.options().client_id),
            "{mode}: {stdout}"
        );
        // sftoken has exited: what the tab shows now, it shows for good.
        let title = browser
            .wait_for_text("#stopped-title", |t| t.starts_with("Done"))
            .await;
        assert_eq!(title, "Done: the settings are in your terminal", "{mode}");
        let why = browser.text("#stopped-why").await;
        assert!(why.contains("printed them there"), "{mode}: {why}");
        for gone in ["#result", "#failure", "#loading", "#offline", "#footer"] {
            assert!(!browser.is_displayed(gone).await, "{mode}: {gone} shows");
        }
        let key = browser.execute(SESSION_KEY, vec![]).await;
        assert_eq!(key, Value::Null, "{mode}: the key is forgotten");
        for (dark, background) in [(false, "rgb(255, 255, 255)"), (true, "rgb(13, 17, 23)")] {
            browser.prefer_dark(dark).await;
            let style = browser
                .execute(
                    "const body = getComputedStyle(document.body);\
                     const title = getComputedStyle(document.getElementById('stopped-title'));\
                     return [body.fontFamily, body.backgroundColor, title.fontSize];",
                    vec![],
                )
                .await;
            assert!(
                style[0]
                    .as_str()
                    .is_some_and(|f| f.starts_with("system-ui")),
                "{mode}: not the page's font: {style}"
            );
            assert_eq!(style[1], background, "{mode} dark={dark}: {style}");
            assert_eq!(style[2], "20px", "{mode}: {style}");
        }
        browser.prefer_dark(false).await;
    }
    browser.quit().await;
}

/// Paste mode: the sign-in is captured while its page is still open, and
/// that page then goes to the result's address. The tab still ends on
/// "Done" (the page it leaves is not told first, or the tab would forget
/// the key its next page needs).
#[tokio::test]
async fn a_print_run_signed_in_by_paste_ends_the_tab_on_done_too() {
    let success_page = format!("{MOCK_BASE}/services/oauth2/success");
    let mock = MockSalesforce::with_callback(&success_page, MockOptions::default()).await;
    let callback_url = format!("{}/services/oauth2/success", mock.url());
    let browser = Browser::start().await;
    let (mut binary, _) = running_with_the_page_open(
        &browser,
        &[
            "--print",
            "--allow-any-login-url",
            "--login-url",
            &mock.url(),
            "--callback-url",
            &callback_url,
        ],
    )
    .await;
    crate::browser::fill_in_the_app(&browser, &mock, &mock.options().client_secret).await;
    browser.click("#paste-mode").await;
    browser.click("#sign-in").await;
    browser.find("#paste-panel:not([hidden])").await;
    let authorize_url = browser
        .attribute("#paste-open", "href")
        .await
        .expect("link");
    let landed = Visitor::elsewhere().consent(&authorize_url, "allow").await;
    browser.type_into("#paste-text", &landed).await;
    browser.click("#paste-continue").await;

    assert_eq!(binary.wait().await, 0, "{}", binary.stderr());
    assert!(binary.stdout().contains("Refresh token: "));
    browser.wait_for_url(|url| url.contains("/result/")).await;
    let title = browser
        .wait_for_text("#stopped-title", |t| t.starts_with("Done"))
        .await;
    assert_eq!(title, "Done: the settings are in your terminal");
    let key = browser.execute(SESSION_KEY, vec![]).await;
    assert_eq!(key, Value::Null);
    browser.quit().await;
}

/// sftoken waits for the page of the sign-in it printed only while one may
/// come, and not for long: a script's run exits at once, and a page that
/// went away is waited for a few seconds.
#[tokio::test]
async fn a_print_run_waits_briefly_for_its_page_and_not_at_all_without_one() {
    let (mut binary, mock) = binary_and_mock(&["--print"], &[]).await;
    let visitor = Visitor::launch(&binary.launch_url().await).await;
    let authorize_url = visitor
        .authorize_url(&mock, &mock.options().client_secret)
        .await;
    let callback_url = visitor.consent(&authorize_url, "allow").await;
    let called = Instant::now();
    visitor.get(&callback_url).await;
    assert_eq!(binary.wait().await, 0, "{}", binary.stderr());
    assert!(
        called.elapsed() < Duration::from_secs(3),
        "no page of sftoken's was open: {:?}",
        called.elapsed()
    );

    let browser = Browser::start().await;
    let (mut binary, mock) = binary_and_mock(&["--print"], &[]).await;
    browser.goto(&binary.launch_url().await).await;
    browser.find("#setup:not([hidden])").await;
    let page = Visitor::of_page(&browser, &origin(&binary.launch_url().await)).await;
    browser.goto("about:blank").await;
    let authorize_url = page
        .authorize_url(&mock, &mock.options().client_secret)
        .await;
    let callback_url = page.consent(&authorize_url, "allow").await;
    let called = Instant::now();
    page.get(&callback_url).await;
    assert_eq!(binary.wait().await, 0, "{}", binary.stderr());
    let waited = called.elapsed();
    assert!(
        waited >= Duration::from_secs(4) && waited < DEADLINE,
        "waited {waited:?} for a page that had gone"
    );
    assert!(binary.stdout().contains("Refresh token: "));
    browser.quit().await;
}
