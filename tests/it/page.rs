//! The page as an admin sees it, in real Chromium: long values shown whole at
//! 1280 and 400 px, the result led by a banner, the picker beside the setting
//! it changes, the pending state, and buttons that each say what they copy
//! (a revoked token: `states.rs`).

use sftoken::client_id::ClientId;
use sftoken::secret::ClientSecret;
use sftoken::signin::report::CheckKind;
use sftoken::web::ASSETS;

use crate::helpers::{
    TestApp, app_and_mock, browser_signed_in, open_page, wait_for_checks_finished,
};
use crate::mock_salesforce::MockOptions;
use crate::org_address::SANDBOX_SETUP;
use crate::webdriver::Browser;

/// A real Consumer Key is 85 characters long.
const CONSUMER_KEY: &str =
    "3MVG9n_HvETGhr3Ax.Ju4rwyfTsqX9dGk2lGbR4EAUnJ6RT0Ch8aHTlqGeFTSIm2sIjKiQ0sdEXAMPLEkey12";

/// How a field shows its value: its width, and whether any of it is hidden.
async fn shown(browser: &Browser, css: &str) -> (f64, bool) {
    let answer = browser
        .execute(
            "const el = document.querySelector(arguments[0]);\
             return [el.clientWidth, el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1];",
            vec![serde_json::json!(css)],
        )
        .await;
    (
        answer[0].as_f64().expect("a width"),
        answer[1].as_bool().expect("a flag"),
    )
}

async fn top_of(browser: &Browser, css: &str) -> f64 {
    browser
        .execute(
            "return document.querySelector(arguments[0]).getBoundingClientRect().top;",
            vec![serde_json::json!(css)],
        )
        .await
        .as_f64()
        .expect("a position")
}

#[tokio::test]
async fn the_callback_url_and_an_85_character_key_show_whole_at_1280_and_400_px() {
    assert_eq!(CONSUMER_KEY.len(), 85);
    let app = TestApp::start("https://login.salesforce.com", |config| {
        config.client_id = Some(ClientId::parse(CONSUMER_KEY).expect("a key"));
    })
    .await;
    let browser = Browser::start().await;
    browser.set_size(1280, 900).await;
    browser.goto(&app.launch_url()).await;
    browser.find("#setup:not([hidden])").await;
    browser
        .execute("document.getElementById('checklist').open = true;", vec![])
        .await;

    // The org's address, long, and the My Domain it gives, on its own line.
    browser.type_into("#org-address", SANDBOX_SETUP).await;
    browser
        .wait_for_text("#login-url-note", |t| t.contains("sandbox"))
        .await;

    for (width, fields, least) in [
        (
            1280,
            &["#callback-url", "#client-id", "#login-url-note"][..],
            500.0,
        ),
        (400, &["#callback-url", "#login-url-note"][..], 300.0),
    ] {
        browser.set_size(width, 900).await;
        for css in fields {
            let (field_width, cut_off) = shown(&browser, css).await;
            assert!(!cut_off, "{css} is cut off at {width} px");
            assert!(
                field_width >= least,
                "{css} is {field_width} px wide at {width} px"
            );
        }
        // An input scrolls inside itself: only its width.
        let (address_width, _) = shown(&browser, "#org-address").await;
        assert!(
            address_width >= least,
            "#org-address is {address_width} px wide at {width} px"
        );
        let sideways = browser
            .execute(
                "return document.documentElement.scrollWidth > window.innerWidth;",
                vec![],
            )
            .await;
        assert_eq!(sideways, false, "the page scrolls sideways at {width} px");
    }
    assert_eq!(browser.value("#client-id").await, CONSUMER_KEY);
    assert_eq!(browser.value("#callback-url").await, app.url("/callback"));
    browser.quit().await;
    app.stop().await;
}

#[tokio::test]
async fn the_result_leads_with_who_signed_in_and_the_picker_sits_by_company_names() {
    let (app, mock) = app_and_mock(MockOptions::default()).await;
    let (browser, _, _) = browser_signed_in(&app, &mock).await;

    let banner = browser
        .wait_for_text("#banner", |t| t.contains("checks passed"))
        .await;
    let checks = CheckKind::ALL.len();
    let passed = format!("{checks} of {checks} checks passed");
    assert_eq!(
        banner,
        format!(
            "Signed in as Ada Admin (admin@acme-mock.example) · Acme Mock Inc · Production · {passed}"
        )
    );
    assert!(top_of(&browser, "#banner").await < top_of(&browser, "#s-client_id").await);
    let company_names = top_of(&browser, "#s-company_names").await;
    let picker = top_of(&browser, "#picker").await;
    assert!(picker > company_names, "the picker follows the setting");
    assert!(
        picker - company_names < 200.0,
        "the picker is next to Company names, not {} px below",
        picker - company_names
    );
    assert!(picker < top_of(&browser, "#copy-all").await);
    let checks_open = browser
        .execute("return document.getElementById('checks').open;", vec![])
        .await;
    assert_eq!(checks_open, false, "passed checks fold into one line");
    assert!(browser.text("#checks-progress").await.contains(&passed));
    assert!(top_of(&browser, "#d-username").await > top_of(&browser, "#copy-all").await);
    browser.quit().await;
    app.stop().await;
}

#[tokio::test]
async fn each_check_the_server_sends_gets_its_row_and_passes_against_the_mock() {
    let (app, mock) = app_and_mock(MockOptions::default()).await;
    let (browser, _, _) = browser_signed_in(&app, &mock).await;
    wait_for_checks_finished(&browser).await;

    // Each row: its id, status, heading, status line and whether it says
    // what the check found (a kind the page has no words for shows nothing).
    let rows = browser
        .execute(
            "return [...document.querySelectorAll('#checks .check')].map(row => [row.id,\
               row.dataset.status, row.querySelector('h4').textContent,\
               row.querySelector('.check-status').textContent,\
               row.querySelector('.check-body').textContent.trim() !== '']);",
            vec![],
        )
        .await;
    let expected: Vec<serde_json::Value> = CheckKind::ALL
        .iter()
        .map(|kind| {
            serde_json::json!([
                format!("check-{}", kind.name()),
                "ok",
                kind.heading(),
                "OK",
                true
            ])
        })
        .collect();
    assert_eq!(rows, serde_json::Value::Array(expected));
    let checks = CheckKind::ALL.len();
    assert_eq!(
        browser.text("#checks-progress").await,
        format!("(finished: {checks} of {checks} checks passed)")
    );
    // Every module of the asset table ran: the entry and all it imports,
    // under the page's CSP.
    let loaded = browser
        .execute(
            "return performance.getEntriesByType('resource').map(e => new URL(e.name).pathname);",
            vec![],
        )
        .await;
    for asset in ASSETS {
        assert!(
            loaded
                .as_array()
                .expect("a list")
                .contains(&serde_json::json!(asset.path)),
            "{} was not loaded: {loaded}",
            asset.path
        );
    }
    browser.quit().await;
    app.stop().await;
}

#[tokio::test]
async fn a_missing_permission_warns_in_its_row_marks_the_user_counts_and_opens_the_checks() {
    let options = MockOptions {
        view_all_users: false,
        ..MockOptions::default()
    };
    let (app, mock) = app_and_mock(options).await;
    let (browser, _, _) = browser_signed_in(&app, &mock).await;
    wait_for_checks_finished(&browser).await;

    // Each row that warns: its status, its status line and its warnings.
    let rows = browser
        .execute(
            "return ['permissions', 'users'].map(kind => {\
               const row = document.getElementById('check-' + kind);\
               return [row.dataset.status, row.querySelector('.check-status').textContent,\
                 [...row.querySelectorAll('.warning')].map(w => w.textContent)];\
             }).concat([document.getElementById('checks').open]);",
            vec![],
        )
        .await;
    let permissions = &rows[0];
    assert_eq!(permissions[0], "ok", "{rows}");
    assert_eq!(permissions[1], "OK, with a warning", "{rows}");
    let fix = permissions[2][0].as_str().expect("a warning");
    assert!(fix.starts_with("Add \"View All Users\": "), "{fix}");
    assert!(fix.contains("Manage Assignments"), "{fix}");
    let users = &rows[1];
    assert_eq!(users[1], "OK, with a warning", "{rows}");
    let incomplete = users[2][0].as_str().expect("a warning");
    assert!(
        incomplete.starts_with("These counts may be incomplete"),
        "{incomplete}"
    );
    assert_eq!(rows[2], true, "the checks unfold to show the warnings");
    let body = browser.text("#check-permissions .check-body").await;
    assert!(
        body.contains("The user lacks View All Users, which Snow's documentation asks for."),
        "{body}"
    );
    let checks = CheckKind::ALL.len();
    assert_eq!(
        browser.text("#checks-progress").await,
        format!("(finished: {checks} of {checks} checks passed, 2 with a warning)")
    );
    browser.quit().await;
    app.stop().await;
}

#[tokio::test]
async fn while_a_sign_in_is_pending_sign_in_is_off_and_the_environment_is_kept() {
    let app = TestApp::start("https://login.salesforce.com", |config| {
        config.client_secret = Some(ClientSecret::new("configured"));
    })
    .await;
    let browser = open_page(&app).await;
    browser.type_into("#client-id", "3MVG9key").await;
    // The secret sftoken was started with goes only to its own login URL.
    browser.type_into("#client-secret", "typed").await;
    browser.click("#env-sandbox").await;
    browser.click("#paste-mode").await;
    browser.click("#sign-in").await;
    browser.find("#pending:not([hidden])").await;

    let primary = browser
        .execute(
            "return [...document.querySelectorAll('#pending .primary')].filter(e => e.offsetParent).length;",
            vec![],
        )
        .await;
    assert_eq!(primary, 1, "one primary button while pasting");
    let disabled = browser
        .execute(
            "return document.getElementById('sign-in').disabled;",
            vec![],
        )
        .await;
    assert_eq!(disabled, true);

    // Coming back to the page keeps the choice and the pending sign-in.
    browser.goto(&app.url("/")).await;
    browser.find("#pending:not([hidden])").await;
    let kept = browser
        .execute(
            "return [document.getElementById('env-sandbox').checked, document.getElementById('sign-in').disabled];",
            vec![],
        )
        .await;
    assert_eq!(kept, serde_json::json!([true, true]));
    browser.click("#start-over").await;
    let enabled = browser
        .execute(
            "return document.getElementById('sign-in').disabled;",
            vec![],
        )
        .await;
    assert_eq!(enabled, false);
    browser.quit().await;
    app.stop().await;
}

#[tokio::test]
async fn each_button_names_what_it_copies_and_a_known_key_folds_the_checklist() {
    let app = TestApp::start("https://login.salesforce.com", |config| {
        config.client_id = Some(ClientId::parse("3MVG9key").expect("a key"));
        config.idle_timeout = Some(std::time::Duration::from_secs(45));
    })
    .await;
    let browser = open_page(&app).await;

    let names = browser
        .execute(
            "return [...document.querySelectorAll('button.copy')].map(b => b.getAttribute('aria-label'));",
            vec![],
        )
        .await;
    let names: Vec<&str> = names
        .as_array()
        .expect("names")
        .iter()
        .map(|n| n.as_str().unwrap_or_default())
        .collect();
    assert!(names.iter().all(|n| n.starts_with("Copy ")), "{names:?}");
    let mut unique = names.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), names.len(), "{names:?}");
    let open = browser
        .execute("return document.getElementById('checklist').open;", vec![])
        .await;
    assert_eq!(open, false, "the app exists: the checklist is folded");
    assert!(
        browser.text("#idle-note").await.contains("45 seconds"),
        "{}",
        browser.text("#idle-note").await
    );
    browser.quit().await;
    app.stop().await;
}
