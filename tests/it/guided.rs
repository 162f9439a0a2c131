//! The guided page in a real Chromium: the checklist, environments, paste
//! mode, errors, keyboard-only use and an automated accessibility check.
//! Set SFTOKEN_UPDATE_SCREENSHOTS=1 to refresh the README's screenshots in
//! docs/screenshots.

use crate::browser::{fill_in_the_app, sign_in_on_page};
use crate::helpers::{
    TestApp, Visitor, app_and_mock, open_page, query_param, wait_for_checks_finished,
};
use crate::mock_salesforce::{MOCK_BASE, MockOptions, MockSalesforce};
use crate::webdriver::Browser;

const TAB: &str = "\u{E004}";
const ENTER: &str = "\u{E007}";
const SPACE: &str = "\u{E00D}";

/// Saves a screenshot under target/tmp, and into docs/screenshots when asked.
pub async fn screenshot(browser: &Browser, name: &str) {
    let png = browser.screenshot_png().await;
    let mut dirs = vec![std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots")];
    if std::env::var_os("SFTOKEN_UPDATE_SCREENSHOTS").is_some() {
        dirs.push(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/screenshots"));
    }
    for dir in dirs {
        std::fs::create_dir_all(&dir).expect("screenshot dir");
        std::fs::write(dir.join(format!("{name}.png")), &png).expect("write screenshot");
    }
}

#[tokio::test]
async fn the_checklist_copy_buttons_copy_the_exact_values_and_ticks_stay() {
    let app = TestApp::start("https://login.salesforce.com", |_| {}).await;
    let browser = open_page(&app).await;
    screenshot(&browser, "setup").await;
    browser.grant_clipboard().await;

    browser.click("[aria-label='Copy Callback URL']").await;
    assert_eq!(browser.read_clipboard().await, app.url("/callback"));
    // Salesforce's scope picker takes no typing: the exact names to pick.
    let scopes = browser
        .execute(
            "return [...document.querySelectorAll('.scopes code')].map(c => c.textContent);",
            vec![],
        )
        .await;
    assert_eq!(
        scopes,
        serde_json::json!([
            "Manage user data via APIs (api)",
            "Full access (full)",
            "Perform requests at any time (refresh_token, offline_access)",
        ])
    );

    browser.click("#ck-new").await;
    browser.click("#ck-oauth").await;
    browser
        .wait_for_text("#checklist-progress", |t| t.contains("2 of 8"))
        .await;
    browser.goto(&app.url("/")).await;
    browser
        .wait_for_text("#checklist-progress", |t| t.contains("2 of 8"))
        .await;
    assert!(
        browser.is_displayed("#sign-in").await,
        "the sign-in is not hidden"
    );
    browser.quit().await;
    app.stop().await;
}

#[tokio::test]
async fn a_denied_sign_in_is_explained_and_a_pending_one_offers_help() {
    let (app, mock) = app_and_mock(MockOptions::default()).await;
    let browser = open_page(&app).await;
    sign_in_on_page(&browser, &mock, &mock.options().client_secret).await;

    // Back to sftoken while Salesforce is open: the pending sign-in shows.
    browser.goto(&app.url("/")).await;
    browser.find("#pending:not([hidden])").await;
    browser
        .wait_for_text("#pending-countdown", |t| t.contains("left"))
        .await;
    browser.click("#stuck summary").await;
    let stuck = browser.text("#stuck").await;
    assert!(
        stuck.contains("redirect_uri_mismatch") && stuck.contains("invalid_client_id"),
        "{stuck}"
    );
    assert!(stuck.contains(&app.url("/callback")), "{stuck}");
    assert!(stuck.contains("OAUTH_APPROVAL_ERROR_GENERIC"), "{stuck}");
    assert!(
        stuck.contains("refuses login.salesforce.com or test.salesforce.com"),
        "{stuck}"
    );

    // While it is pending, signing in again needs "Start over" first.
    browser.click("#start-over").await;
    sign_in_on_page(&browser, &mock, &mock.options().client_secret).await;
    browser.click("#deny").await;
    browser.find("#failure:not([hidden])").await;
    assert_eq!(browser.text("#failure-headline").await, "Access was denied");
    assert!(browser.text("#failure-fix").await.contains("Allow"));
    screenshot(&browser, "denied").await;
    browser.quit().await;
    app.stop().await;
}

#[tokio::test]
async fn an_unassigned_user_is_told_salesforces_words_and_where_to_assign_the_user() {
    let (app, mock) = app_and_mock(MockOptions {
        user_not_assigned: true,
        ..MockOptions::default()
    })
    .await;
    let browser = open_page(&app).await;
    fill_in_the_app(&browser, &mock, &mock.options().client_secret).await;

    // Salesforce refuses after the login and sends the browser straight back.
    browser.click("#sign-in").await;

    browser.find("#failure:not([hidden])").await;
    assert_eq!(
        browser.text("#failure-headline").await,
        "This user is not approved for the app"
    );
    assert_eq!(
        browser.text("#failure-code").await,
        "OAUTH_APP_ACCESS_DENIED"
    );
    assert_eq!(
        browser.text("#failure-description").await,
        "user is not admin approved to access this app"
    );
    let fix = browser.text("#failure-fix").await;
    assert!(
        fix.contains("under App Policies, add the user's profile or a permission set"),
        "{fix}"
    );
    assert!(!fix.contains("Unblock"), "not a blocked app: {fix}");
    screenshot(&browser, "not-approved").await;
    browser.quit().await;
    app.stop().await;
}

#[tokio::test]
async fn before_a_second_sign_in_the_page_warns_that_salesforce_keeps_five_approvals() {
    let (app, mock) = app_and_mock(MockOptions::default()).await;
    let browser = open_page(&app).await;
    assert!(
        !browser.is_displayed("#approvals-warning").await,
        "no warning before the first sign-in"
    );
    sign_in_on_page(&browser, &mock, &mock.options().client_secret).await;
    browser.click("#allow").await;
    browser.find("#result:not([hidden])").await;

    browser.goto(&app.url("/")).await;
    browser.find("#setup:not([hidden])").await;

    assert!(browser.is_displayed("#approvals-warning").await);
    let warning = browser.text("#approvals-warning").await;
    assert!(warning.contains("once"), "{warning}");
    assert!(
        warning.contains("“five unique approvals per user”"),
        "{warning}"
    );
    assert!(warning.contains("revokes the oldest"), "{warning}");
    assert!(
        warning.contains("documented for connected apps"),
        "{warning}"
    );
    browser.quit().await;
    app.stop().await;
}

/// The errors Salesforce shows on its own page: the page's "Stuck on a
/// Salesforce error page?" panel and the README name the same ones.
#[test]
fn the_readme_names_every_error_of_the_stuck_panel() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let page = std::fs::read_to_string(root.join("static/index.html")).expect("page");
    let readme = std::fs::read_to_string(root.join("README.md")).expect("README");
    let start = page
        .find("<details id=\"stuck\">")
        .expect("the stuck panel");
    let panel = &page[start..start + page[start..].find("</details>").expect("its end")];
    let section = readme
        .split_once("on its own page")
        .map(|(_, rest)| rest.split("\n## ").next().unwrap_or_default())
        .expect("the README's paragraph on Salesforce's own pages");
    let codes: Vec<&str> = panel
        .split("<dt><code>")
        .skip(1)
        .filter_map(|rest| rest.split_once("</code>"))
        .map(|(code, _)| code.trim_start_matches("error="))
        .collect();
    assert!(codes.len() >= 4, "{codes:?}");
    for code in codes {
        assert!(section.contains(code), "the README does not name {code}");
    }
    assert!(panel.contains("login.salesforce.com or test.salesforce.com"));
    assert!(
        section.contains("login.salesforce.com or test.salesforce.com"),
        "the README names the org that blocks the generic login pages"
    );
}

/// The text of the page's element that starts with `<{tag} id="{id}"`, up
/// to its end tag, markup included.
fn element<'a>(page: &'a str, tag: &str, id: &str) -> &'a str {
    let start = page
        .find(&format!("<{tag} id=\"{id}\""))
        .unwrap_or_else(|| panic!("the page has #{id}"));
    let end = page[start..]
        .find(&format!("</{tag}>"))
        .unwrap_or_else(|| panic!("#{id} ends"));
    &page[start..start + end]
}

/// The page, and the README's short version of the setup.
fn page_and_setup_section() -> (String, String) {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let page = std::fs::read_to_string(root.join("static/index.html")).expect("page");
    let readme = std::fs::read_to_string(root.join("README.md")).expect("README");
    let section = readme
        .split_once("## Set up the External Client App")
        .map(|(_, rest)| rest.split("\n## ").next().unwrap_or_default().to_owned())
        .expect("the README's setup section");
    (page, section)
}

/// Each fact in docs/salesforce.md's "External Client App screens" is said
/// where the admin makes the choice: the checklist's item, and the README.
#[test]
fn the_checklist_and_the_readme_say_what_salesforce_documents_where_the_choice_is_made() {
    let (page, readme) = page_and_setup_section();
    let readme = readme.split_whitespace().collect::<Vec<_>>().join(" ");
    let facts: [(&str, &str, &[&str]); 5] = [
        (
            "li",
            "permitted-users",
            &[
                "cuts off everyone not added",
                "the token already given to Snow Atlas stops working",
            ],
        ),
        (
            "li",
            "ip-relaxation",
            &[
                "Enforce IP restrictions, but relax for refresh tokens",
                "Enforce_RelaxRefresh",
                "for connected apps",
            ],
        ),
        (
            "li",
            "refresh-policy",
            &[
                "30-day idle limit",
                "not of the org",
                "Expire refresh token if not used for 30 days",
            ],
        ),
        (
            "p",
            "sandbox-note",
            &[
                "not copied into a sandbox",
                "a sandbox refresh removes it",
                "run sftoken again",
            ],
        ),
        (
            "p",
            "approvals-warning",
            &[
                "five unique approvals per user",
                "the oldest",
                "documented for connected apps",
            ],
        ),
    ];
    for (tag, id, phrases) in facts {
        let item = element(&page, tag, id);
        for phrase in phrases {
            assert!(item.contains(phrase), "#{id} lacks {phrase:?}: {item}");
        }
    }
    for phrase in [
        "cuts off everyone not added",
        "Enforce IP restrictions, but relax for refresh tokens",
        "`Enforce_RelaxRefresh`",
        "a setting of the External Client App, not of the org",
        "not copied into a sandbox",
        "five unique approvals per user",
        "oldest approval is then revoked",
    ] {
        assert!(readme.contains(phrase), "the README lacks {phrase:?}");
    }
    assert!(
        !element(&page, "li", "permitted-users").contains("OAUTH_APP_BLOCKED"),
        "an unassigned user is not a blocked app"
    );
}

/// The "Stuck?" panel explains Salesforce's own error pages as the advice
/// explains the same codes.
#[test]
fn the_stuck_panel_says_what_the_advice_says() {
    use sftoken::salesforce::advice::for_oauth_error;
    let (page, _) = page_and_setup_section();
    let explained = |code: &str| {
        let dt = page
            .find(&format!("<dt><code>{code}"))
            .unwrap_or_else(|| panic!("the panel names {code}"));
        let dd = dt + page[dt..].find("<dd>").expect("its explanation");
        page[dd..dd + page[dd..].find("</dd>").expect("its end")].to_owned()
    };

    let unknown_key = explained("error=invalid_client_id");
    let advice = for_oauth_error("invalid_client_id", "client identifier invalid");
    for text in [&unknown_key, &advice.fix] {
        let my_domain = text.find("My Domain of the org where you created the app");
        let wait = text.find("minutes old");
        assert!(
            my_domain.is_some() && my_domain < wait,
            "the key and the org's address first, the wait last: {text}"
        );
    }

    let uninstalled = explained("OAUTH_APPROVAL_ERROR_GENERIC");
    let advice = for_oauth_error("invalid_client", "app must be installed into org");
    for text in [&uninstalled, &advice.cause] {
        assert!(text.contains("Use Any API Client"), "{text}");
        assert!(
            text.contains(
                "sftoken reads this as a Client ID from another org, or from an old connected app"
            ),
            "{text}"
        );
    }

    let blocked = explained("OAUTH_APP_BLOCKED");
    let advice = for_oauth_error("OAUTH_APP_BLOCKED", "this app is blocked by admin");
    for text in [&blocked, &advice.fix] {
        assert!(
            text.contains("Setup → Connected Apps OAuth Usage"),
            "{text}"
        );
        assert!(!text.contains("Permitted Users"), "{text}");
    }
}

#[tokio::test]
async fn paste_mode_in_the_page_reaches_the_settings() {
    let app = TestApp::start("http://127.0.0.1:1", |_| {}).await;
    let success_page = format!("{MOCK_BASE}/services/oauth2/success");
    let mock = MockSalesforce::with_callback(&success_page, MockOptions::default()).await;
    let browser = open_page(&app).await;
    fill_in_the_app(&browser, &mock, &mock.options().client_secret).await;
    assert!(!browser.is_displayed("#paste-callback-url").await);
    browser.click("#paste-mode").await;
    assert_eq!(
        browser.value("#paste-callback-url").await,
        "https://login.salesforce.com/services/oauth2/success",
        "the guide's Callback URL to start with"
    );
    browser
        .type_into(
            "#paste-callback-url",
            &format!("{}/services/oauth2/oops", mock.url()),
        )
        .await;
    browser.click("#sign-in").await;
    let error = browser
        .wait_for_text("#paste-callback-url-error", |t| !t.is_empty())
        .await;
    assert!(error.contains("success page"), "{error}");
    // The app's Callback URL is a success page on a host of its own.
    browser
        .type_into(
            "#paste-callback-url",
            &format!("{}/services/oauth2/success", mock.url()),
        )
        .await;
    browser.click("#sign-in").await;
    browser.find("#paste-panel:not([hidden])").await;
    let authorize_url = browser
        .attribute("#paste-open", "href")
        .await
        .expect("link");
    assert_eq!(
        query_param(&authorize_url, "redirect_uri"),
        Some(format!("{}/services/oauth2/success", mock.url()))
    );

    // The user signs in in another tab and copies the address it lands on.
    let other_tab = Visitor::elsewhere();
    let landed = other_tab.consent(&authorize_url, "allow").await;
    browser.type_into("#paste-text", "not an address").await;
    browser.click("#paste-continue").await;
    browser
        .wait_for_text("#paste-text-error", |t| !t.is_empty())
        .await;
    browser.type_into("#paste-text", &landed).await;
    browser.click("#paste-continue").await;
    browser.find("#result:not([hidden])").await;
    let token = browser.value("#s-refresh_token").await;
    assert!(mock.refresh(&token).await.is_ok());
    browser.quit().await;
    app.stop().await;
}

#[tokio::test]
async fn the_main_path_works_with_the_keyboard_alone() {
    let (app, mock) = app_and_mock(MockOptions::default()).await;
    let browser = open_page(&app).await;
    browser.grant_clipboard().await;
    // Start from the org's address, as a keyboard user tabbing down would.
    browser
        .execute("document.getElementById('org-address').focus()", vec![])
        .await;
    browser.press_keys(&mock.url()).await;
    // Past the generic login pages, one stop for their group, to the key.
    browser.press_keys(&format!("{TAB}{TAB}")).await;
    let focused = browser
        .execute("return document.activeElement.id", vec![])
        .await;
    assert_eq!(focused, "client-id");
    let keys = format!(
        "{}{TAB}{}{ENTER}",
        mock.options().client_id,
        mock.options().client_secret,
    );
    browser.press_keys(&keys).await;
    browser.wait_for_url(|u| u.starts_with(&mock.url())).await;
    browser.press_keys(&format!("{TAB}{ENTER}")).await;
    wait_for_checks_finished(&browser).await;
    // Copy all by keyboard: focus moves to it with Tab from the Company names
    // copy button, past the picker's fold.
    browser
        .execute(
            "document.getElementById('copy-company-names').focus()",
            vec![],
        )
        .await;
    browser.press_keys(TAB).await;
    let focused = browser
        .execute("return document.activeElement.id", vec![])
        .await;
    assert_eq!(focused, "picker-title");
    browser.press_keys(TAB).await;
    let focused = browser
        .execute("return document.activeElement.id", vec![])
        .await;
    assert_eq!(focused, "copy-all");
    browser.press_keys(SPACE).await;
    browser
        .wait_for_text("#copy-status", |t| t.contains("Copied"))
        .await;
    let copied = browser.read_clipboard().await;
    assert!(
        copied.starts_with(&format!("Client ID: {}", mock.options().client_id)),
        "{copied}"
    );
    assert_eq!(copied.lines().count(), 5);
    browser.quit().await;
    app.stop().await;
}

/// axe-core, installed by scripts/test with npm into target/axe.
fn axe_source() -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/axe/node_modules/axe-core/axe.min.js");
    std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "{} is missing: run scripts/test, or `npm install --prefix target/axe axe-core@4`",
            path.display()
        )
    })
}

/// Serious or critical axe-core violations on the current page.
async fn accessibility_violations(browser: &Browser) -> Vec<String> {
    browser.execute(&axe_source(), vec![]).await;
    let result = browser
        .execute_async(
            "const done = arguments[arguments.length - 1];\
             axe.run(document, { resultTypes: ['violations'] })\
               .then(r => done(r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')\
                 .map(v => v.id + ': ' + v.help + ' (' + v.nodes.map(n => n.target.join(' ')).join(', ') + ')')))\
               .catch(e => done(['axe failed: ' + e]));",
            vec![],
        )
        .await;
    result
        .as_array()
        .expect("a list of violations")
        .iter()
        .map(|v| v.as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test]
async fn axe_finds_no_serious_accessibility_violations() {
    let (app, mock) = app_and_mock(MockOptions::default()).await;
    let browser = open_page(&app).await;
    for dark in [false, true] {
        browser.prefer_dark(dark).await;
        let setup = accessibility_violations(&browser).await;
        assert!(setup.is_empty(), "setup page, dark {dark}: {setup:#?}");
    }
    browser.prefer_dark(false).await;

    sign_in_on_page(&browser, &mock, &mock.options().client_secret).await;
    browser.click("#allow").await;
    wait_for_checks_finished(&browser).await;
    // Everything folded is opened, so axe sees it all.
    browser
        .execute(
            "document.querySelectorAll('details').forEach(d => d.open = true);",
            vec![],
        )
        .await;
    for dark in [false, true] {
        browser.prefer_dark(dark).await;
        let result = accessibility_violations(&browser).await;
        assert!(result.is_empty(), "result page, dark {dark}: {result:#?}");
    }
    browser.prefer_dark(false).await;
    // The checks fill in without moving the page (cumulative layout shift).
    let shift = browser
        .execute_async(
            "const done = arguments[arguments.length - 1];\
             new PerformanceObserver(list => done(list.getEntries()\
               .filter(e => !e.hadRecentInput).reduce((sum, e) => sum + e.value, 0)))\
               .observe({ type: 'layout-shift', buffered: true });\
             setTimeout(() => done(0), 1000);",
            vec![],
        )
        .await;
    assert!(
        shift.as_f64().expect("a number") < 0.1,
        "layout shift {shift}"
    );
    browser.quit().await;
    app.stop().await;
}
