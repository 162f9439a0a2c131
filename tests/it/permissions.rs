//! The connector's user: the permissions Snow's documentation asks for
//! (API Enabled, View Setup and Configuration, View All Users) and the
//! connector's read of `Profile`, against a mock that answers as Salesforce
//! does, on the page (its JSON) and in the terminal (`sftoken check`, text and
//! `--json`, the real binary).

use serde_json::{Value, json};

use crate::helpers::{check, mock_with_token, run_check_with_token};
use crate::mock_salesforce::{self, MockOptions, MockSalesforce};
use crate::refusals::{checked_in_the_terminal, checked_on_the_page};
use sftoken::signin::report::CheckKind;

/// `sftoken check --json` with these settings: its exit code and object.
async fn checked_as_json(mock: &MockSalesforce, token: &str) -> (i32, Value) {
    let mut binary = run_check_with_token(mock, token, &["--json"]).await;
    let code = binary.wait().await;
    let json = serde_json::from_str(binary.stdout().trim())
        .unwrap_or_else(|e| panic!("one JSON object ({e}): {}", binary.stdout()));
    (code, json)
}

#[tokio::test]
async fn with_every_permission_the_check_passes_names_them_in_a_run_of_six_rest_requests() {
    let (mock, token) = mock_with_token(MockOptions::default()).await;

    let before = mock.rest_requests();
    let (code, stdout, stderr) = checked_in_the_terminal(&mock, &token).await;
    let requests = mock.rest_requests() - before;
    let result = checked_on_the_page(&mock, &token).await;

    // The versions, Organization, one Composite request (the licenses, the
    // approvals and the app's policies) and one page of User, then
    // UserPermissionAccess and Profile.
    assert_eq!(requests, 6, "REST requests of one check run");
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("     ok  Permissions: the user has \"API Enabled\", \"View Setup and Configuration\", \"View All Users\", as Snow's documentation asks for the connector's user.\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("     ok  Profiles: 4 read, as the connector reads them.\n"),
        "{stdout}"
    );
    assert!(!stdout.contains("warning"), "{stdout}");
    let permissions = check(&result, CheckKind::Permissions);
    assert_eq!(permissions["status"], "ok", "{result}");
    assert_eq!(
        permissions["granted"],
        json!([
            "API Enabled",
            "View Setup and Configuration",
            "View All Users"
        ])
    );
    assert_eq!(permissions["missing"], json!([]));
    assert_eq!(permissions["fixes"], json!([]));
    assert_eq!(permissions["profiles"], 4);
    assert!(permissions["profiles_error"].is_null(), "{permissions}");
    assert!(check(&result, CheckKind::Users)["warning"].is_null());
}

#[tokio::test]
async fn without_view_all_users_the_check_warns_and_the_user_counts_say_they_may_be_incomplete() {
    let (mock, token) = mock_with_token(MockOptions {
        users: 40,
        view_all_users: false,
        ..MockOptions::default()
    })
    .await;

    let result = checked_on_the_page(&mock, &token).await;
    let (code, stdout, stderr) = checked_in_the_terminal(&mock, &token).await;
    let (json_code, json) = checked_as_json(&mock, &token).await;

    let permissions = check(&result, CheckKind::Permissions);
    assert_eq!(permissions["status"], "ok", "a warning, not a failure");
    assert_eq!(permissions["missing"], json!(["View All Users"]));
    let fix = permissions["fixes"][0].as_str().expect("a fix");
    for words in [
        "Add \"View All Users\": without it, ",
        "sharing settings",
        "Permission Sets",
        "System Permissions",
        "Manage Assignments",
    ] {
        assert!(fix.contains(words), "{words}: {fix}");
    }
    // Salesforce leaves out the users sharing hides: by default the external
    // ones, which in the mock are the types the connector leaves out.
    let (mut internal, mut active) = (0, 0);
    for i in 0..40 {
        let user = mock_salesforce::user(i, "66.0");
        if user["IsActive"] == true {
            active += 1;
            let user_type = user["UserType"].as_str().expect("type");
            internal += u64::from(!sftoken::signin::is_left_out(user_type));
        }
    }
    let users = check(&result, CheckKind::Users);
    assert_eq!(users["active_users"], internal, "{users}");
    assert!(internal < active);
    let warning = users["warning"].as_str().expect("the counts warn");
    assert!(
        warning.starts_with("These counts may be incomplete"),
        "{warning}"
    );
    assert!(warning.contains("\"View All Users\""), "{warning}");
    assert!(warning.contains("sharing settings"), "{warning}");

    assert_eq!(code, 0, "the settings work: {stderr}");
    assert!(
        stdout.contains("warning  Permissions: the user lacks \"View All Users\", which Snow's documentation asks for the connector's user.\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("    fix  Permissions: Add \"View All Users\": "),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("warning  Active users: {warning}\n")),
        "{stdout}"
    );
    assert_eq!(json_code, 0);
    assert_eq!(
        check(&json, CheckKind::Permissions)["missing"],
        json!(["View All Users"])
    );
    assert_eq!(check(&json, CheckKind::Users)["warning"], warning);
}

#[tokio::test]
async fn without_view_setup_the_check_names_it_and_the_profiles_are_still_read() {
    let (mock, token) = mock_with_token(MockOptions {
        view_setup: false,
        ..MockOptions::default()
    })
    .await;

    let result = checked_on_the_page(&mock, &token).await;
    let (code, stdout, _) = checked_in_the_terminal(&mock, &token).await;

    let permissions = check(&result, CheckKind::Permissions);
    assert_eq!(permissions["status"], "ok", "{result}");
    assert_eq!(
        permissions["missing"],
        json!(["View Setup and Configuration"])
    );
    assert_eq!(
        permissions["granted"],
        json!(["API Enabled", "View All Users"])
    );
    let fix = permissions["fixes"][0].as_str().expect("a fix");
    assert!(
        fix.starts_with("Add \"View Setup and Configuration\": the connector reads user licenses and profiles. In Setup, "),
        "{fix}"
    );
    assert_eq!(permissions["profiles"], 4, "Profile needs no View Setup");
    assert!(check(&result, CheckKind::Users)["warning"].is_null());
    assert_eq!(code, 0);
    assert!(
        stdout.contains("warning  Permissions: the user lacks \"View Setup and Configuration\", which Snow's documentation asks for the connector's user.\n"),
        "{stdout}"
    );
    assert!(!stdout.contains("Active users: These counts"), "{stdout}");
}

#[tokio::test]
async fn a_refused_profile_read_is_reported_with_salesforces_error_and_what_to_do() {
    let (mock, token) = mock_with_token(MockOptions {
        profile_refused: Some("INSUFFICIENT_ACCESS"),
        ..MockOptions::default()
    })
    .await;

    let result = checked_on_the_page(&mock, &token).await;
    let (code, stdout, stderr) = checked_in_the_terminal(&mock, &token).await;

    let permissions = check(&result, CheckKind::Permissions);
    assert_eq!(permissions["status"], "ok", "the permissions still read");
    assert_eq!(permissions["missing"], json!([]));
    let refused = &permissions["profiles_error"];
    assert_eq!(refused["code"], "INSUFFICIENT_ACCESS", "{permissions}");
    assert_eq!(
        refused["description"],
        "insufficient access rights on object id"
    );
    assert!(
        refused["title"]
            .as_str()
            .expect("title")
            .contains("profiles, which the connector reads"),
        "{refused}"
    );
    let fix = refused["fix"].as_str().expect("fix");
    assert!(fix.contains("View Setup and Configuration"), "{fix}");
    assert!(fix.contains("View All Profiles"), "{fix}");
    assert_eq!(code, 0, "the token and the API work: {stderr}");
    assert!(
        stdout.contains(
            " FAILED  Profiles: Salesforce refused to read profiles, which the connector reads. "
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "(Salesforce said: INSUFFICIENT_ACCESS: insufficient access rights on object id)\n"
        ),
        "{stdout}"
    );

    let (mock, token) = mock_with_token(MockOptions {
        profile_refused: Some("INVALID_TYPE"),
        ..MockOptions::default()
    })
    .await;
    let (json_code, json) = checked_as_json(&mock, &token).await;
    assert_eq!(json_code, 0);
    let refused = &check(&json, CheckKind::Permissions)["profiles_error"];
    assert_eq!(refused["code"], "INVALID_TYPE", "{json}");
    assert_eq!(
        refused["description"],
        "sObject type 'Profile' is not supported."
    );
}

#[tokio::test]
async fn when_the_api_is_refused_the_permissions_check_is_skipped_and_reads_nothing() {
    let (mock, token) = mock_with_token(MockOptions {
        api_disabled: true,
        ..MockOptions::default()
    })
    .await;

    let result = checked_on_the_page(&mock, &token).await;
    let before = mock.rest_requests();
    let (code, stdout, _) = checked_in_the_terminal(&mock, &token).await;
    let requests = mock.rest_requests() - before;
    let (_, json) = checked_as_json(&mock, &token).await;

    let skipped = check(&result, CheckKind::Permissions);
    assert_eq!(skipped["status"], "skipped", "{result}");
    assert_eq!(skipped["reason"], "Needs API access.");
    assert_eq!(code, 1, "the API is refused");
    assert!(
        stdout.contains("skipped  Permissions: Needs API access.\n"),
        "{stdout}"
    );
    assert_eq!(
        requests, 2,
        "the versions and the refused Organization query"
    );
    assert_eq!(check(&json, CheckKind::Permissions)["status"], "skipped");
}
