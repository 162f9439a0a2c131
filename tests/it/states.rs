//! Every state of the page in real Chromium: nothing scrolls sideways in a
//! 400 px window, whatever the page shows (issue 20, "400 px, every state"),
//! and a revoked token is one state the whole page agrees on (issue 20,
//! "Revoke: one state, no contradictions").

use crate::helpers::{
    Visitor, app_and_mock, browser_signed_in, open_page, show_pending_sign_in,
    show_refusal_of_an_unassigned_user, wait_for_checks_finished,
};
use crate::mock_salesforce::MockOptions;
use crate::webdriver::Browser;

/// A long org address: the live line under it names its long My Domain.
const LONG_ADDRESS: &str = "https://acme-international-holdings--uatfull.sandbox.lightning.force.com/lightning/setup/ExternalClientAppManager/page?address=%2Fapp%2Fmgmt%2Fforceconnectedapps";

/// Asserts that the page in `browser`, with every fold open, is no wider than
/// a 400 px window; names the elements that stick out when it is.
async fn fits_400_px(browser: &Browser, state: &str) {
    browser.set_size(400, 900).await;
    let widths = browser
        .execute(
            "document.querySelectorAll('details').forEach(d => d.open = true);\
             const width = window.innerWidth;\
             const out = [...document.querySelectorAll('body *')]\
               .filter(e => e.getClientRects().length && e.getBoundingClientRect().right > width + 0.5)\
               .slice(0, 5).map(e => e.tagName + '#' + e.id + '.' + e.className + ': ' + Math.round(e.getBoundingClientRect().right));\
             return [document.documentElement.scrollWidth, width, out];",
            vec![],
        )
        .await;
    let (scroll, window) = (widths[0].as_f64(), widths[1].as_f64());
    assert!(
        scroll <= window,
        "{state}: the page is {scroll:?} px wide in a {window:?} px window; sticking out: {}",
        widths[2]
    );
}

#[tokio::test]
async fn nothing_scrolls_sideways_at_400_px_in_any_state() {
    let (app, mock) = app_and_mock(MockOptions::default()).await;
    let browser = open_page(&app).await;
    fits_400_px(&browser, "the start").await;

    browser.type_into("#org-address", LONG_ADDRESS).await;
    browser
        .wait_for_text("#login-url-note", |t| t.contains("sandbox"))
        .await;
    fits_400_px(&browser, "a long org address").await;
    browser.click("#paste-mode").await;
    browser.find("#paste-callback-field:not([hidden])").await;
    fits_400_px(&browser, "paste mode").await;
    browser.click("#sign-in").await;
    browser.find("#client-id-error:not([hidden])").await;
    fits_400_px(&browser, "a refused form").await;

    // Paste mode's pending sign-in, then the ordinary one with its stuck panel.
    browser
        .type_into("#client-id", &mock.options().client_id)
        .await;
    browser.type_into("#client-secret", "secret").await;
    browser.click("#env-sandbox").await;
    browser.click("#sign-in").await;
    browser.find("#paste-panel:not([hidden])").await;
    browser.type_into("#paste-text", LONG_ADDRESS).await;
    browser.click("#paste-continue").await;
    browser.find("#paste-text-error:not([hidden])").await;
    fits_400_px(&browser, "paste mode's pending sign-in, refused").await;
    browser.click("#start-over").await;
    let visitor = Visitor::of_page(&browser, &app.origin()).await;
    show_pending_sign_in(&browser, &app, &visitor, &mock).await;
    fits_400_px(&browser, "a pending sign-in").await;

    // The result, then revoked.
    let sign_in = visitor
        .sign_in(&mock, &mock.options().client_secret, "allow")
        .await;
    browser.goto(&app.url(&sign_in.callback_location)).await;
    wait_for_checks_finished(&browser).await;
    fits_400_px(&browser, "the result").await;
    browser.click("#revoke").await;
    browser.click("#revoke-yes").await;
    browser
        .wait_for_text("#banner", |t| t.contains("evoked"))
        .await;
    fits_400_px(&browser, "a revoked token").await;

    // The error pages: denied, a wrong secret, a user the app does not admit.
    for (what, secret, decision) in [
        (
            "denied at Salesforce",
            mock.options().client_secret.as_str(),
            "deny",
        ),
        ("a wrong secret", "wrong-secret", "allow"),
    ] {
        let failed = visitor.sign_in(&mock, secret, decision).await;
        browser.goto(&app.url(&failed.callback_location)).await;
        browser.find("#failure:not([hidden])").await;
        fits_400_px(&browser, what).await;
    }
    show_refusal_of_an_unassigned_user(&browser, &app, &visitor).await;
    fits_400_px(&browser, "a user the app does not admit").await;

    // A used link, and sftoken gone.
    let stranger = Browser::start().await;
    stranger.goto(&app.launch_url()).await;
    stranger.find("#setup:not([hidden])").await;
    stranger.goto(&app.url("/result/unknown")).await;
    stranger.find("#failure:not([hidden])").await;
    fits_400_px(&stranger, "unknown settings").await;
    stranger.quit().await;
    let used = Browser::start().await;
    used.goto(&browser.current_url().await).await;
    used.find("#need-link:not([hidden])").await;
    fits_400_px(&used, "a page without its link").await;
    used.quit().await;
    browser.goto(&app.url("/")).await;
    browser.find("#setup:not([hidden])").await;
    app.stop().await;
    // The page's held request fails, and the page says sftoken stopped.
    browser.find("#stopped:not([hidden])").await;
    fits_400_px(&browser, "sftoken stopped").await;
    browser.quit().await;
}

/// How the page shows a revoked token, one entry per part that could
/// contradict it.
async fn revoked_parts(browser: &Browser) -> serde_json::Value {
    browser
        .execute(
            "const $ = (id) => document.getElementById(id);\
             const shown = (e) => e.checkVisibility();\
             const note = $('revoked-note');\
             const again = note.querySelector('a.button.primary');\
             return {\
               banner: $('banner').textContent,\
               checks: $('checks-progress').textContent,\
               token_row: $('check-token').querySelector('.check-status').textContent,\
               pastes_into_snow_atlas: $('result').innerText.includes('Paste these into'),\
               copy_note: $('copy-status').textContent,\
               copy_all: [$('copy-all').disabled, $('copy-all').textContent, $('copy-all').className],\
               copy_token: $('copy-refresh-token').disabled,\
               struck: getComputedStyle($('s-refresh_token')).textDecorationLine,\
               note: shown(note),\
               start_again: again && shown(again) ? again.textContent + ' ' + again.getAttribute('href') : null,\
               revoke_offered: shown($('revoke')),\
             };",
            vec![],
        )
        .await
}

#[tokio::test]
async fn a_revoked_token_is_one_state_the_banner_checks_and_clipboard_agree_on() {
    let (app, mock) = app_and_mock(MockOptions::default()).await;
    let (browser, _, sign_in) = browser_signed_in(&app, &mock).await;
    wait_for_checks_finished(&browser).await;
    browser.grant_clipboard().await;
    browser.click("#copy-all").await;
    browser
        .wait_for_text("#copy-status", |t| t == "Copied to the clipboard.")
        .await;
    let copy_all = sign_in.result["copy_all"].as_str().expect("copy_all");
    assert_eq!(browser.read_clipboard().await, copy_all);

    browser.click("#revoke").await;
    browser.click("#revoke-yes").await;
    browser
        .wait_for_text("#copy-status", |t| t == "The clipboard is cleared.")
        .await;

    let user = "Signed in as Ada Admin (admin@acme-mock.example) · Acme Mock Inc · Production";
    let revoked = serde_json::json!({
        "banner": format!("Revoked: do not use these settings · {user}"),
        "checks": "(they no longer count: the token is revoked)",
        "token_row": "Revoked",
        "pastes_into_snow_atlas": false,
        "copy_note": "The clipboard is cleared.",
        "copy_all": [true, "Copy all", "primary"],
        "copy_token": true,
        "struck": "line-through",
        "note": true,
        "start_again": "Start again /",
        "revoke_offered": false,
    });
    assert_eq!(revoked_parts(&browser).await, revoked);
    assert_eq!(browser.read_clipboard().await, "", "the dead token is gone");
    let focused = browser
        .execute("return document.activeElement.id;", vec![])
        .await;
    assert_eq!(
        focused, "revoked-note",
        "the next step is where the focus is"
    );

    // Drawn again from another answer (a company name chosen), and from the
    // first poll of a reload: the same, but for the note on the clipboard,
    // which only the Revoke button writes.
    browser.click("#picker-title").await;
    browser.click("#domain-rows input[value='acme.com']").await;
    let names = crate::browser::wait_for_value(&browser, "#s-company_names", "acme.com").await;
    assert_eq!(names, "acme.com");
    assert_eq!(revoked_parts(&browser).await, revoked, "after a redraw");
    browser.goto(&browser.current_url().await).await;
    browser.find("#result.revoked").await;
    let mut reloaded = revoked;
    reloaded["copy_note"] = serde_json::json!("");
    assert_eq!(revoked_parts(&browser).await, reloaded, "after a reload");
    browser.quit().await;
    app.stop().await;
}

#[tokio::test]
async fn revoke_leaves_a_clipboard_the_page_did_not_write() {
    let (app, mock) = app_and_mock(MockOptions::default()).await;
    let (browser, _, _) = browser_signed_in(&app, &mock).await;
    wait_for_checks_finished(&browser).await;
    browser.grant_clipboard().await;
    let written = browser
        .execute_async(
            "const done = arguments[arguments.length - 1]; window.focus();\
             navigator.clipboard.writeText('the admin\\'s own text').then(() => done(true), (e) => done(String(e)));",
            vec![],
        )
        .await;
    assert_eq!(written, true);

    browser.click("#revoke").await;
    browser.click("#revoke-yes").await;
    browser.find("#result.revoked").await;

    assert_eq!(browser.read_clipboard().await, "the admin's own text");
    assert_eq!(browser.text("#copy-status").await, "");
    browser.quit().await;
    app.stop().await;
}
