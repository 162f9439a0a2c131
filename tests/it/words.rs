//! Plain words on every surface (issue 20, "Plain words"): short checklist
//! items with their detail one click away, no error code in the environment
//! choices, user types by Salesforce's own labels, "token refresh",
//! "Checked as" for settings checked, and "Client ID (Consumer Key)".

use crate::helpers::{
    TestApp, mock_with_token, open_page, run_check_with_token, wait_for_checks_finished,
};
use crate::mock_salesforce::MockOptions;

/// Each checklist item's own text, its folds closed: its id (or its
/// checkbox's) and how many lines it takes.
const ITEM_LINES: &str = "\
    const items = [...document.querySelectorAll('.checklist > li, .checklist li[id], .checklist > li > p')];\
    return items.map(item => {\
      const range = document.createRange();\
      range.setStart(item, 0);\
      const block = [...item.children].find(c => ['DETAILS', 'UL', 'DIV', 'P'].includes(c.tagName));\
      if (block) range.setEndBefore(block); else range.setEndAfter(item.lastChild);\
      const line = parseFloat(getComputedStyle(item).lineHeight);\
      const name = item.id || (item.querySelector('input') || {}).id || item.textContent.slice(0, 30);\
      return [name, range.getBoundingClientRect().height / line];\
    });";

#[tokio::test]
async fn each_checklist_item_fits_two_lines_at_1280_px_with_its_detail_one_click_away() {
    let app = TestApp::start("https://login.salesforce.com", |_| {}).await;
    let browser = open_page(&app).await;
    browser.set_size(1280, 900).await;
    browser
        .execute("document.getElementById('checklist').open = true;", vec![])
        .await;

    let items = browser.execute(ITEM_LINES, vec![]).await;
    let items = items.as_array().expect("items");
    assert!(items.len() >= 11, "{items:?}");
    for item in items {
        let lines = item[1].as_f64().expect("lines");
        assert!(
            lines > 0.5 && lines < 2.2,
            "{} takes {lines:.1} lines",
            item[0]
        );
    }
    // The detail is there, folded: IP Relaxation's other choices, the refresh
    // token policy's missing choice.
    let folded = browser
        .execute(
            "return ['ip-relaxation', 'refresh-policy', 'permitted-users'].map(id => {\
               const fold = document.querySelector('#' + id + ' details');\
               return fold && !fold.open && fold.querySelector('summary').checkVisibility();\
             });",
            vec![],
        )
        .await;
    assert_eq!(folded, serde_json::json!([true, true, true]));
    browser.quit().await;
    app.stop().await;
}

#[tokio::test]
async fn the_environment_choices_name_no_error_code_and_the_key_is_the_client_id() {
    let app = TestApp::start("https://login.salesforce.com", |_| {}).await;
    let browser = open_page(&app).await;

    let choices = browser
        .execute(
            "return document.querySelector('#login-form fieldset').innerText;",
            vec![],
        )
        .await;
    let choices = choices.as_str().expect("text");
    let code = choices
        .split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
        .find(|word| {
            word.contains('_') && word.chars().all(|c| c.is_ascii_uppercase() || c == '_')
        });
    assert_eq!(code, None, "{choices}");
    assert!(!choices.contains("error="), "{choices}");
    assert_eq!(
        browser.text("label[for=client-id]").await,
        "Client ID (Consumer Key)"
    );
    browser.quit().await;
    app.stop().await;
}

#[tokio::test]
async fn settings_checked_on_the_page_say_checked_as_and_name_user_types_by_their_labels() {
    let (mock, token) = mock_with_token(MockOptions::default()).await;
    let app = TestApp::start(&mock.url(), |_| {}).await;
    let browser = open_page(&app).await;
    browser.click("#check-existing summary").await;
    browser
        .type_into("#c-client_id", &mock.options().client_id)
        .await;
    browser
        .type_into("#c-client_secret", &mock.options().client_secret)
        .await;
    browser.type_into("#c-refresh_token", &token).await;
    browser.click("#check-settings").await;
    wait_for_checks_finished(&browser).await;

    let banner = browser.text("#banner").await;
    assert!(
        banner.starts_with("Checked as Ada Admin (admin@acme-mock.example) · "),
        "{banner}"
    );
    let users = browser
        .execute(
            "return document.querySelector('#check-users .check-body').textContent;",
            vec![],
        )
        .await;
    let users = users.as_str().expect("text");
    assert!(
        users.contains("Partner (PowerPartner): 1 (left out by the connector)"),
        "{users}"
    );
    assert!(users.contains("Chatter Free (CsnOnly): 1"), "{users}");
    browser.quit().await;
    app.stop().await;
}

#[tokio::test]
async fn check_says_token_refresh_and_names_user_types_by_their_labels() {
    let (mock, token) = mock_with_token(MockOptions::default()).await;

    let mut binary = run_check_with_token(&mock, &token, &[]).await;

    assert_eq!(binary.wait().await, 0, "{}", binary.stderr());
    let stdout = binary.stdout();
    assert!(
        stdout.contains(&format!(
            "     ok  Token: token refresh works at {}.\n",
            mock.url()
        )),
        "{stdout}"
    );
    assert!(!stdout.contains("grant"), "{stdout}");
    assert!(
        stdout.contains("Partner (PowerPartner) 1 (left out by the connector)"),
        "{stdout}"
    );
    assert!(stdout.contains("Chatter Free (CsnOnly) 1"), "{stdout}");
}
