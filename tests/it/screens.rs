//! Screenshots of the page's main states at 1280 and 400 px, light and dark,
//! to look at after any change under `static/` (not run in CI):
//!
//! ```sh
//! cargo test --test it -- --ignored --nocapture screens
//! ```
//!
//! They are written to `target/screens/` (`SFTOKEN_SCREENS=DIR` writes them
//! to another folder, for example to keep a "before" set to compare with).

use sftoken::login_url::PRODUCTION;

use crate::helpers::{
    TestApp, Visitor, app_and_mock, show_checks, show_pending_sign_in,
    show_refusal_of_an_unassigned_user, wait_for_checks_finished,
};
use crate::mock_salesforce::MockOptions;
use crate::webdriver::Browser;

const SIZES: [(u32, u32); 2] = [(1280, 1800), (400, 2400)];

async fn shoot(browser: &Browser, name: &str) {
    let folder = std::env::var_os("SFTOKEN_SCREENS").map_or_else(
        || std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screens"),
        std::path::PathBuf::from,
    );
    std::fs::create_dir_all(&folder).expect("screens folder");
    for (width, height) in SIZES {
        browser.set_size(width, height).await;
        for dark in [false, true] {
            browser.prefer_dark(dark).await;
            let scheme = if dark { "dark" } else { "light" };
            let png = browser.screenshot_png().await;
            let path = folder.join(format!("{name}-{width}-{scheme}.png"));
            std::fs::write(&path, png).expect("write screenshot");
            println!("{}", path.display());
        }
    }
}

#[tokio::test]
#[ignore = "screenshots: run by hand with --ignored --nocapture"]
async fn screens_of_the_page_at_1280_and_400_light_and_dark() {
    // Started with no login URL given: the page asks for the org's address.
    let first = TestApp::start(PRODUCTION, |config| config.login_url_is_default = true).await;
    let browser = Browser::start().await;
    browser.goto(&first.launch_url()).await;
    browser.find("#setup:not([hidden])").await;
    shoot(&browser, "setup").await;

    // Step 2 with the org's address: empty, pasted (production, sandbox), refused.
    let step2 = "document.getElementById('step2-title').scrollIntoView();";
    browser.execute(step2, vec![]).await;
    shoot(&browser, "address-empty").await;
    for (name, address, (css, says)) in [
        (
            "address-production",
            "https://acme.lightning.force.com/lightning/setup/SetupOneHome/home",
            ("#login-url-note", "a production org"),
        ),
        (
            "address-sandbox",
            "https://acme--uat.sandbox.lightning.force.com/lightning/setup/ExternalClientAppManager/home",
            ("#login-url-note", "a sandbox org"),
        ),
        (
            "address-instance",
            "https://na1.salesforce.com/home/home.jsp",
            ("#login-url-note", "instance"),
        ),
        (
            "address-refused",
            "https://www.example.com/partners",
            ("#org-address-error", "not a Salesforce host"),
        ),
    ] {
        browser.paste_into("#org-address", address).await;
        browser.wait_for_text(css, |t| t.contains(says)).await;
        browser.execute(step2, vec![]).await;
        shoot(&browser, name).await;
    }
    first.stop().await;

    let (app, mock) = app_and_mock(MockOptions::default()).await;
    let used = app.launch_url();
    browser.goto(&used).await;
    browser.find("#setup:not([hidden])").await;

    // The checklist with the details of its policies open.
    browser
        .execute(
            "document.querySelectorAll('#checklist details').forEach(d => d.open = true);\
             document.getElementById('ck-policies').scrollIntoView();",
            vec![],
        )
        .await;
    shoot(&browser, "checklist").await;
    browser.execute("window.scrollTo(0, 0);", vec![]).await;

    let visitor = Visitor::of_page(&browser, &app.origin()).await;
    let sign_in = visitor
        .sign_in(&mock, &mock.options().client_secret, "allow")
        .await;
    browser.goto(&app.url(&sign_in.callback_location)).await;
    wait_for_checks_finished(&browser).await;
    shoot(&browser, "result").await;
    show_checks(&browser).await;
    shoot(&browser, "result-checks").await;

    // The token revoked after a Copy all: struck through, its check failed,
    // the clipboard cleared.
    browser.grant_clipboard().await;
    browser.click("#copy-all").await;
    browser.click("#revoke").await;
    browser.click("#revoke-yes").await;
    browser
        .wait_for_text("#copy-status", |t| t.contains("cleared"))
        .await;
    browser.execute("window.scrollTo(0, 0)", vec![]).await;
    shoot(&browser, "revoked").await;
    show_checks(&browser).await;
    shoot(&browser, "revoked-checks").await;

    // A sign-in denied at Salesforce: the failure page.
    let denied = visitor
        .sign_in(&mock, &mock.options().client_secret, "deny")
        .await;
    browser.goto(&app.url(&denied.callback_location)).await;
    browser.find("#failure:not([hidden])").await;
    shoot(&browser, "failure").await;

    // Back for another sign-in: the approvals warning, and paste mode's field.
    browser.goto(&app.url("/")).await;
    browser.find("#approvals-warning:not([hidden])").await;
    browser.click("#paste-mode").await;
    browser.find("#paste-callback-field:not([hidden])").await;
    shoot(&browser, "setup-again").await;

    // Refused for a user the app's policies do not assign: the failure page.
    show_refusal_of_an_unassigned_user(&browser, &app, &visitor).await;
    shoot(&browser, "not-approved").await;

    // A sign-in waiting for Salesforce, with the stuck panel open.
    show_pending_sign_in(&browser, &app, &visitor, &mock).await;
    browser.click("#stuck summary").await;
    browser
        .execute("document.getElementById('stuck').scrollIntoView();", vec![])
        .await;
    shoot(&browser, "stuck").await;

    // Paste mode's pending sign-in: the link to Salesforce and the paste box.
    browser.click("#start-over").await;
    browser
        .type_into("#client-id", &mock.options().client_id)
        .await;
    browser.type_into("#client-secret", "secret").await;
    browser.click("#env-sandbox").await;
    browser.click("#paste-mode").await;
    browser.click("#sign-in").await;
    browser.find("#paste-panel:not([hidden])").await;
    shoot(&browser, "paste-pending").await;

    let stranger = Browser::start().await;
    stranger.goto(&used).await;
    stranger.find("#need-link:not([hidden])").await;
    shoot(&stranger, "used-link").await;

    stranger.quit().await;
    browser.quit().await;
    app.stop().await;
}

/// The result of a user without "View All Users": the checks unfold, the
/// permissions row warns with its fix, and the user counts say they may be
/// incomplete.
#[tokio::test]
#[ignore = "screenshots: run by hand with --ignored --nocapture"]
async fn screens_of_a_missing_permission_at_1280_and_400_light_and_dark() {
    let options = MockOptions {
        view_all_users: false,
        ..MockOptions::default()
    };
    let (app, mock) = app_and_mock(options).await;
    let (browser, _, _) = crate::helpers::browser_signed_in(&app, &mock).await;
    wait_for_checks_finished(&browser).await;
    shoot(&browser, "permission-missing-top").await;
    browser
        .execute(
            "document.getElementById('check-permissions').scrollIntoView();",
            vec![],
        )
        .await;
    shoot(&browser, "permission-missing").await;
    browser.quit().await;
    app.stop().await;
}

/// The Login URL shown with each recommendation: the generic host where both
/// work, the My Domain where the generic host refuses a Local app.
#[tokio::test]
#[ignore = "screenshots: run by hand with --ignored --nocapture"]
async fn screens_of_each_login_url_recommendation() {
    for (name, local_app) in [("login-url-generic", false), ("login-url-my-domain", true)] {
        let options = MockOptions {
            local_app,
            ..MockOptions::default()
        };
        let (app, _mock, browser) = crate::login_url::browser_at_my_domain(options).await;
        browser
            .execute(
                "document.getElementById('s-login_url').scrollIntoView()",
                vec![],
            )
            .await;
        shoot(&browser, name).await;
        show_checks(&browser).await;
        shoot(&browser, &format!("{name}-checks")).await;
        browser.quit().await;
        app.stop().await;
    }
}

/// Issue 22: a one-day refresh token policy and five approvals, each in its
/// check row, the worst in the banner.
#[tokio::test]
#[ignore = "screenshots: run by hand with --ignored --nocapture"]
async fn screens_of_a_one_day_policy_and_five_approvals() {
    use crate::mock_salesforce::MockPolicy;
    let cases = [
        (
            "policy-one-day",
            MockOptions {
                app_policy: Some(MockPolicy {
                    refresh_token: "SpecificLifetime",
                    period: Some(1),
                    unit: Some("Days"),
                    ..MockPolicy::default()
                }),
                ..MockOptions::default()
            },
        ),
        (
            "approvals-five",
            MockOptions {
                earlier_approvals: 4,
                ..MockOptions::default()
            },
        ),
    ];
    for (name, options) in cases {
        let (app, mock) = app_and_mock(options).await;
        let (browser, _, _) = crate::helpers::browser_signed_in(&app, &mock).await;
        wait_for_checks_finished(&browser).await;
        shoot(&browser, &format!("{name}-top")).await;
        show_checks(&browser).await;
        browser
            .execute(
                "document.getElementById('check-approvals').scrollIntoView();",
                vec![],
            )
            .await;
        shoot(&browser, name).await;
        browser.quit().await;
        app.stop().await;
    }
}

/// The page after sftoken stopped: stopped in its terminal (Ctrl-C), no
/// longer answering (killed), and a `--print` run's "Done".
#[tokio::test]
#[ignore = "screenshots: run by hand with --ignored --nocapture"]
async fn screens_of_the_stopped_and_done_pages() {
    use crate::helpers::{Binary, binary_and_mock, free_port};
    let browser = Browser::start().await;
    for (name, signal) in [("stopped", "INT"), ("stopped-not-answering", "KILL")] {
        let port = free_port().to_string();
        let mut binary = Binary::spawn(&["--no-browser", "--port", &port], &[]);
        browser.goto(&binary.launch_url().await).await;
        browser.find("#setup:not([hidden])").await;
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        binary.signal(signal);
        browser.find("#stopped:not([hidden])").await;
        binary.wait().await;
        shoot(&browser, name).await;
    }

    let (mut binary, mock) = binary_and_mock(&["--print"], &[]).await;
    let launch_url = binary.launch_url().await;
    browser.goto(&launch_url).await;
    browser.find("#setup:not([hidden])").await;
    let origin = launch_url.split("/#").next().expect("origin");
    let page = Visitor::of_page(&browser, origin).await;
    let authorize_url = page
        .authorize_url(&mock, &mock.options().client_secret)
        .await;
    let callback_url = page.consent(&authorize_url, "allow").await;
    browser.goto(&callback_url).await;
    assert_eq!(binary.wait().await, 0, "{}", binary.stderr());
    browser
        .wait_for_text("#stopped-title", |t| t.starts_with("Done"))
        .await;
    shoot(&browser, "done-print").await;
    browser.quit().await;
}

/// What the page keeps (issue 20): the pending sign-in after Back from
/// Salesforce, the secret field that says sftoken keeps the secret, and Try
/// again after a wrong secret, on that field with its advice.
#[tokio::test]
#[ignore = "screenshots: run by hand with --ignored --nocapture"]
async fn screens_of_what_the_page_keeps() {
    let (app, mock) = app_and_mock(MockOptions::default()).await;
    let browser = crate::helpers::open_page(&app).await;
    crate::browser::sign_in_on_page(&browser, &mock, &mock.options().client_secret).await;
    browser.back().await;
    browser.find("#pending:not([hidden])").await;
    let pending = "document.getElementById('pending').scrollIntoView();";
    browser.execute(pending, vec![]).await;
    shoot(&browser, "kept-pending-after-back").await;

    browser.click("#start-over").await;
    browser.find("#client-secret-kept:not([hidden])").await;
    browser
        .execute(
            "document.getElementById('step2-title').scrollIntoView();",
            vec![],
        )
        .await;
    shoot(&browser, "kept-secret").await;

    browser.type_into("#client-secret", "wrong-secret").await;
    browser.click("#sign-in").await;
    browser.click("#allow").await;
    browser.find("#failure:not([hidden])").await;
    shoot(&browser, "kept-wrong-secret-failure").await;
    browser.click("#try-again").await;
    browser.find("#client-secret-error:not([hidden])").await;
    shoot(&browser, "kept-wrong-secret-try-again").await;
    browser.quit().await;
    app.stop().await;
}
