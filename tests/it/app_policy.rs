//! Issue 22: the user's approvals of this app (`OauthToken`) and the app's
//! OAuth policies (`ExtlClntAppOauthPlcyCnfg`), read back in one Composite
//! request with the licenses, against a mock that serves each case (none, a
//! refused read, each policy type, five approvals): on the page (its JSON
//! and a real Chromium) and in the terminal (the real binary, text and
//! `--json`). Neither check ever decides the verdict.

use serde_json::Value;

use crate::helpers::{
    app_and_mock, browser_signed_in, check, mock_with_token, run_check_with_token,
    wait_for_checks_finished,
};
use crate::mock_salesforce::{MockOptions, MockPolicy, MockSalesforce};
use crate::refusals::{checked_in_the_terminal, checked_on_the_page};
use sftoken::signin::report::CheckKind;

fn policy(
    refresh_token: &'static str,
    period: Option<i64>,
    unit: Option<&'static str>,
) -> MockOptions {
    MockOptions {
        app_policy: Some(MockPolicy {
            refresh_token,
            period,
            unit,
            ..MockPolicy::default()
        }),
        ..MockOptions::default()
    }
}

async fn as_json(mock: &MockSalesforce, token: &str) -> (i32, Value) {
    let mut binary = run_check_with_token(mock, token, &["--json"]).await;
    let code = binary.wait().await;
    let json = serde_json::from_str(binary.stdout().trim()).expect("one JSON object");
    (code, json)
}

fn texts(step: &Value) -> Vec<String> {
    step["notes"]
        .as_array()
        .expect("notes")
        .iter()
        .map(|n| n["text"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test]
async fn a_whole_check_run_stays_within_seven_requests_and_one_more_per_2000_users() {
    // 3,000 users, 2,571 of them active: two pages of User.
    // The budget: 7, and one more per 2,000 active users (8 here).
    for (users, pages) in [(5, 1), (3_000, 2)] {
        let (mock, token) = mock_with_token(MockOptions {
            users,
            ..MockOptions::default()
        })
        .await;
        let before = mock.rest_requests();
        let (code, stdout, stderr) = checked_in_the_terminal(&mock, &token).await;
        let requests = mock.rest_requests() - before;
        assert_eq!(code, 0, "{stderr}");
        // versions, Organization, the Composite (licenses, approvals,
        // policies), UserPermissionAccess, Profile, and the User pages.
        assert_eq!(requests, 5 + pages, "{users} users");
        println!("check_requests users={users} requests={requests}");
        assert!(stdout.contains("     ok  Approvals: This user holds 1 of the 5 approvals Salesforce keeps per user for Snow Atlas Connector.\n"), "{stdout}");
        assert!(
            stdout.contains("     ok  App policies: Refresh token is valid until revoked"),
            "{stdout}"
        );
    }
}

#[tokio::test]
async fn a_one_day_lifetime_names_the_day_on_the_page_in_the_terminal_and_in_json() {
    let (mock, token) = mock_with_token(policy("SpecificLifetime", Some(1), Some("days"))).await;
    let result = checked_on_the_page(&mock, &token).await;
    let (code, stdout, _) = checked_in_the_terminal(&mock, &token).await;
    let (json_code, json) = as_json(&mock, &token).await;

    // The mock's clock: the sign-in's approval was created 2026-12-07 09:00:01 UTC.
    let said = "Snow Atlas's token stops working on 8 December 2026, 09:00 UTC (the app's refresh token policy: expire after 1 day).";
    let step = check(&result, CheckKind::AppPolicy);
    assert_eq!(step["status"], "ok", "{result}");
    assert_eq!(step["expires_on"], "2026-12-08T09:00Z");
    assert_eq!(step["refresh_token_policy"], "SpecificLifetime");
    assert_eq!(texts(step), [said]);
    assert_eq!(step["worst"]["text"], said);
    assert!(
        step["notes"][0]["fix"]
            .as_str()
            .unwrap_or_default()
            .contains("\"Refresh token is valid until revoked\"")
    );
    assert_eq!(code, 0, "never an error of the settings");
    assert!(
        stdout.contains(&format!("warning  App policies: {said}\n")),
        "{stdout}"
    );
    assert!(
        stdout.contains("    fix  App policies: In Setup, External Client App Manager"),
        "{stdout}"
    );
    assert_eq!(json_code, 0);
    assert_eq!(
        json["checks"]["app_policy"]["expires_on"],
        "2026-12-08T09:00Z"
    );
}

#[tokio::test]
async fn each_policy_type_is_said_as_its_consequence_and_compared_without_case() {
    let cases: [(MockOptions, &str); 4] = [
        (
            policy("specificinactivity", Some(30), Some("Days")),
            "goes unused for 30 days",
        ),
        (policy("ZERO", None, None), "cannot work at all"),
        (
            MockOptions {
                app_policy: Some(MockPolicy {
                    ip_relaxation: "enforce",
                    ..MockPolicy::default()
                }),
                ..MockOptions::default()
            },
            "Snow Atlas's servers must be in the org's trusted IP ranges",
        ),
        (
            MockOptions {
                app_policy: Some(MockPolicy {
                    permitted_users: "AdminApprovedPreAuthorized",
                    ..MockPolicy::default()
                }),
                ..MockOptions::default()
            },
            "Only users assigned to the app keep working",
        ),
    ];
    for (options, words) in cases {
        let (mock, token) = mock_with_token(options).await;
        let result = checked_on_the_page(&mock, &token).await;
        let step = check(&result, CheckKind::AppPolicy);
        assert!(
            texts(step).iter().any(|t| t.contains(words)),
            "{words}: {step}"
        );
        assert!(
            step["worst"]["text"]
                .as_str()
                .unwrap_or_default()
                .contains(words),
            "{step}"
        );
        let (code, stdout, _) = checked_in_the_terminal(&mock, &token).await;
        assert_eq!(code, 0);
        assert!(
            stdout
                .lines()
                .any(|l| l.starts_with("warning  App policies: ") && l.contains(words)),
            "{stdout}"
        );
    }
    // Enforce_RelaxRefresh relaxes for refresh tokens: nothing to warn of.
    let (mock, token) = mock_with_token(MockOptions {
        app_policy: Some(MockPolicy {
            ip_relaxation: "ENFORCE_RELAXREFRESH",
            ..MockPolicy::default()
        }),
        ..MockOptions::default()
    })
    .await;
    let (_, stdout, _) = checked_in_the_terminal(&mock, &token).await;
    assert!(!stdout.contains("warning  App policies"), "{stdout}");
    assert!(
        stdout.contains("     ok  App policies: Refresh token is valid until revoked"),
        "the policy was read and judged harmless: {stdout}"
    );
}

#[tokio::test]
async fn five_approvals_say_the_next_sign_in_revokes_the_oldest_with_when_it_was_last_used() {
    let (mock, token) = mock_with_token(MockOptions {
        earlier_approvals: 4,
        ..MockOptions::default()
    })
    .await;
    let result = checked_on_the_page(&mock, &token).await;
    let (code, stdout, _) = checked_in_the_terminal(&mock, &token).await;
    let (_, json) = as_json(&mock, &token).await;

    let step = check(&result, CheckKind::Approvals);
    assert_eq!(step["count"], 5, "{step}");
    assert_eq!(step["app_name"], "Snow Atlas Connector");
    assert_eq!(step["oldest_last_used"], "2026-11-10T02:00:00.000+0000");
    let said = "This user holds 5 approvals of Snow Atlas Connector, as many as Salesforce keeps per user and app: the next sign-in of this user to this app revokes the oldest, created 2026-01-15 08:00 UTC and last used 2026-11-10 02:00 UTC. If that is Snow Atlas's token, its imports stop.";
    assert_eq!(texts(step), [said]);
    assert_eq!(code, 0);
    assert!(
        stdout.contains(&format!("warning  Approvals: {said}\n")),
        "{stdout}"
    );
    assert!(
        stdout.contains("    fix  Approvals: Sign in for tests as another user"),
        "{stdout}"
    );
    assert_eq!(json["checks"]["approvals"]["count"], 5);
}

#[tokio::test]
async fn a_refused_or_missing_read_says_once_where_to_look_and_the_settings_still_pass() {
    let (mock, token) = mock_with_token(MockOptions {
        app_policy: None,
        ..MockOptions::default()
    })
    .await;
    let result = checked_on_the_page(&mock, &token).await;
    let (code, stdout, stderr) = checked_in_the_terminal(&mock, &token).await;
    let step = check(&result, CheckKind::AppPolicy);
    assert_eq!(step["status"], "ok", "{result}");
    assert_eq!(step["read_error"]["code"], "INVALID_TYPE");
    let notes = texts(step);
    assert_eq!(notes.len(), 1, "said once: {notes:?}");
    assert!(
        notes[0].starts_with(
            "The app's OAuth policies could not be read (Salesforce answered INVALID_TYPE)"
        ),
        "{notes:?}"
    );
    assert!(notes[0].contains("External Client App Manager"));
    assert!(step["worst"].is_null(), "not a warning: {step}");
    for kind in CheckKind::ALL {
        assert_eq!(check(&result, kind)["status"], "ok", "{kind:?}");
    }
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout.matches("App policies:").count(), 1, "{stdout}");
    assert!(
        stdout.contains("   note  App policies: The app's OAuth policies could not be read"),
        "{stdout}"
    );

    let (mock, token) = mock_with_token(MockOptions {
        oauth_tokens_listed: false,
        ..MockOptions::default()
    })
    .await;
    let result = checked_on_the_page(&mock, &token).await;
    let (code, stdout, _) = checked_in_the_terminal(&mock, &token).await;
    assert_eq!(check(&result, CheckKind::Approvals)["count"], 0);
    assert!(texts(check(&result, CheckKind::Approvals))[0].contains("listed no OAuth token"));
    assert_eq!(code, 0);
    assert!(
        stdout.contains("   note  Approvals: Salesforce listed no OAuth token of this user"),
        "{stdout}"
    );
    assert!(
        stdout
            .contains("   note  App policies: The app's OAuth policies were not read: no approval"),
        "{stdout}"
    );
}

#[tokio::test]
async fn in_chromium_the_rows_say_it_and_the_banner_shows_the_worst() {
    let (app, mock) = app_and_mock(MockOptions {
        earlier_approvals: 4,
        ..policy("SpecificLifetime", Some(1), Some("Days"))
    })
    .await;
    let (browser, _, _) = browser_signed_in(&app, &mock).await;
    wait_for_checks_finished(&browser).await;
    let text = |id: &str| format!("return document.getElementById('{id}').textContent");
    let row = browser.execute(&text("check-app_policy"), vec![]).await;
    let row = row.as_str().unwrap_or_default();
    assert!(row.contains("OK, with a warning"), "{row}");
    assert!(
        row.contains("Snow Atlas's token stops working on 8 December 2026"),
        "{row}"
    );
    assert!(
        row.contains("What to do: In Setup, External Client App Manager"),
        "{row}"
    );
    let approvals = browser.execute(&text("check-approvals"), vec![]).await;
    assert!(
        approvals
            .as_str()
            .unwrap_or_default()
            .contains("holds 5 approvals"),
        "{approvals}"
    );
    let banner = browser.execute(&text("banner"), vec![]).await;
    let banner = banner.as_str().unwrap_or_default();
    assert!(banner.ends_with(" · Snow Atlas's token stops working on 8 December 2026, 09:00 UTC (the app's refresh token policy: expire after 1 day)."), "{banner}");
    browser.quit().await;
    app.stop().await;
}

#[tokio::test]
async fn the_warning_before_another_sign_in_gives_the_real_count() {
    let (app, mock) = app_and_mock(MockOptions {
        earlier_approvals: 3,
        ..MockOptions::default()
    })
    .await;
    let (browser, _, _) = browser_signed_in(&app, &mock).await;
    wait_for_checks_finished(&browser).await;
    browser.goto(&app.url("/")).await;
    browser.find("#setup:not([hidden])").await;
    let warning = browser.text("#approvals-warning").await;
    assert!(
        warning.contains("That user now holds 4 of the five approvals of this app."),
        "{warning}"
    );
    browser.quit().await;
    app.stop().await;
}
