//! The checks after a capture: rotation, paging and the preview, API refusals,
//! scopes, the Company names picker, revoke, and checking existing settings.

use std::collections::{BTreeMap, HashMap};

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::check;
use crate::helpers::{JsonBody, SignIn, Visitor, page_and_mock, signed_in};
use crate::mock_salesforce::{self, MockOptions};
use sftoken::signin::report::CheckKind;

/// A new check is one `CheckKind`, its code and its mock answer: each kind
/// the library lists must pass against the mock and come to the page in order.
#[tokio::test]
async fn every_check_passes_against_the_mock_and_the_page_gets_them_in_order() {
    let (app, _mock, _, SignIn { result, .. }) = signed_in(MockOptions::default()).await;

    let steps = result["checks"]["steps"].as_array().expect("steps");
    let kinds: Vec<&str> = steps.iter().filter_map(|s| s["kind"].as_str()).collect();
    let expected: Vec<&str> = CheckKind::ALL.iter().map(|k| k.name()).collect();
    assert_eq!(kinds, expected, "{result}");
    for (step, kind) in steps.iter().zip(CheckKind::ALL) {
        assert_eq!(step["status"], "ok", "{kind:?}: {result}");
        assert_eq!(step["heading"], kind.heading(), "{kind:?}");
    }
    assert_eq!(result["checks"]["done"], true);
    app.stop().await;
}

#[tokio::test]
async fn with_rotation_the_token_shown_is_the_new_one_that_works_and_the_old_one_is_dead() {
    let options = MockOptions {
        rotation: true,
        ..MockOptions::default()
    };
    let (app, mock, _, SignIn { result, .. }) = signed_in(options).await;

    let token = check(&result, CheckKind::Token);
    assert_eq!(token["status"], "ok", "{result}");
    assert_eq!(token["rotated"], true);
    assert!(
        token["warning"]
            .as_str()
            .expect("warning")
            .contains("Rotation")
    );
    let refresh = mock
        .token_requests()
        .into_iter()
        .find(|form| form.contains(&("grant_type".to_owned(), "refresh_token".to_owned())))
        .expect("the check ran a refresh grant");
    let old = &refresh
        .iter()
        .find(|(k, _)| k == "refresh_token")
        .expect("old token")
        .1;
    let shown = result["settings"]["refresh_token"].as_str().expect("shown");
    assert_ne!(shown, old);
    assert!(
        result["copy_all"]
            .as_str()
            .expect("copy all")
            .contains(shown)
    );
    assert!(mock.refresh(old).await.is_err(), "the old token is dead");
    assert!(mock.refresh(shown).await.is_ok(), "the shown token works");
    app.stop().await;
}

#[tokio::test]
async fn without_rotation_the_captured_token_is_kept() {
    let (app, mock, _, SignIn { result, .. }) = signed_in(MockOptions::default()).await;

    assert_eq!(check(&result, CheckKind::Token)["rotated"], false);
    assert!(check(&result, CheckKind::Token)["warning"].is_null());
    let shown = result["settings"]["refresh_token"].as_str().expect("shown");
    assert!(mock.refresh(shown).await.is_ok());
    app.stop().await;
}

#[tokio::test]
async fn domain_and_user_type_counts_are_exact_across_pages() {
    let options = MockOptions {
        users: 5_000,
        page_size: 2_000,
        ..MockOptions::default()
    };
    let (app, _mock, _, SignIn { result, .. }) = signed_in(options).await;

    // The expected figures, computed from the mock's own records.
    let mut domains: HashMap<String, u64> = HashMap::new();
    let mut types: BTreeMap<String, u64> = BTreeMap::new();
    let (mut active, mut without_email) = (0u64, 0u64);
    for i in 0..5_000 {
        let user = mock_salesforce::user(i, "66.0");
        if user["IsActive"] != true {
            continue;
        }
        active += 1;
        *types
            .entry(user["UserType"].as_str().expect("type").to_owned())
            .or_default() += 1;
        match user["Email"].as_str() {
            Some(email) => {
                let domain = email.rsplit_once('@').expect("@").1.to_ascii_lowercase();
                *domains.entry(domain).or_default() += 1;
            }
            None => without_email += 1,
        }
    }
    assert!(active > 2 * 2_000, "enough active users for three pages");

    let users = check(&result, CheckKind::Users);
    assert_eq!(users["status"], "ok", "{users}");
    assert_eq!(users["active_users"], active);
    assert_eq!(users["without_email"], without_email);
    let got_domains: HashMap<String, u64> = users["domains"]
        .as_array()
        .expect("domains")
        .iter()
        .map(|d| {
            (
                d["domain"].as_str().expect("domain").to_owned(),
                d["count"].as_u64().expect("count"),
            )
        })
        .collect();
    assert_eq!(got_domains, domains);
    let got_types = by_type(users, |t| t["count"].as_u64().expect("count"));
    assert_eq!(got_types, types);
    let partner = users["by_type"]
        .as_array()
        .expect("types")
        .iter()
        .find(|t| t["user_type"] == "PowerPartner")
        .expect("partner users");
    assert_eq!(partner["left_out"], true);
    app.stop().await;
}

#[tokio::test]
async fn portal_partner_and_customer_users_are_flagged_as_left_out_by_the_connector() {
    let options = MockOptions {
        users: 40,
        ..MockOptions::default()
    };
    let (app, _mock, _, SignIn { result, .. }) = signed_in(options).await;

    let users = check(&result, CheckKind::Users);
    assert_eq!(users["status"], "ok", "{users}");
    let flagged = by_type(users, |t| t["left_out"].as_bool().expect("left_out"));
    // The API's own spelling, CspLitePortal, not the guide's CSPLitePortal.
    for left_out in [
        "CspLitePortal",
        "PowerPartner",
        "CustomerSuccess",
        "PowerCustomerSuccess",
    ] {
        assert_eq!(flagged.get(left_out), Some(&true), "{left_out}: {users}");
    }
    for kept in ["Standard", "CsnOnly", "Guest"] {
        assert_eq!(flagged.get(kept), Some(&false), "{kept}: {users}");
    }
    app.stop().await;
}

#[tokio::test]
async fn the_org_user_and_licenses_are_shown() {
    let (app, _mock, _, SignIn { result, .. }) = signed_in(MockOptions::default()).await;

    assert_eq!(check(&result, CheckKind::Org)["status"], "ok", "{result}");
    assert_eq!(
        check(&result, CheckKind::Org)["id"],
        mock_salesforce::ORG_ID
    );
    assert_eq!(check(&result, CheckKind::Org)["name"], "Acme Mock Inc");
    assert_eq!(
        check(&result, CheckKind::Org)["edition"],
        "Enterprise Edition"
    );
    assert_eq!(check(&result, CheckKind::Org)["is_sandbox"], false);
    assert_eq!(
        check(&result, CheckKind::Org)["api_version"],
        "66.0",
        "the newest version"
    );
    assert_eq!(
        check(&result, CheckKind::User)["username"],
        mock_salesforce::USERNAME
    );
    assert_eq!(result["details"]["username"], mock_salesforce::USERNAME);
    let licenses = check(&result, CheckKind::Licenses);
    assert_eq!(licenses["status"], "ok");
    let salesforce = licenses["user_licenses"]
        .as_array()
        .expect("licenses")
        .iter()
        .find(|l| l["name"] == "Salesforce")
        .expect("Salesforce license");
    assert!(
        salesforce["total"].as_i64().expect("total") >= salesforce["used"].as_i64().expect("used")
    );
    assert!(
        !licenses["permission_set_licenses"]
            .as_array()
            .expect("psl")
            .is_empty()
    );
    app.stop().await;
}

#[tokio::test]
async fn a_refused_permission_set_license_query_does_not_hide_the_user_licenses() {
    let options = MockOptions {
        permission_set_licenses_refused: true,
        ..MockOptions::default()
    };
    let (app, _mock, _, SignIn { result, .. }) = signed_in(options).await;

    let licenses = check(&result, CheckKind::Licenses);
    assert_eq!(licenses["status"], "ok", "{licenses}");
    let user_licenses = licenses["user_licenses"].as_array().expect("user licenses");
    assert!(
        user_licenses.iter().any(|l| l["name"] == "Salesforce"),
        "{licenses}"
    );
    assert!(licenses["user_licenses_error"].is_null(), "{licenses}");
    assert_eq!(
        licenses["permission_set_licenses_error"]["code"], "INVALID_TYPE",
        "{licenses}"
    );
    app.stop().await;
}

#[tokio::test]
async fn api_disabled_is_explained_and_the_settings_are_still_shown() {
    let options = MockOptions {
        api_disabled: true,
        ..MockOptions::default()
    };
    let (app, mock, _, SignIn { result, .. }) = signed_in(options).await;

    assert_eq!(check(&result, CheckKind::Token)["status"], "ok");
    assert_eq!(
        check(&result, CheckKind::Org)["status"],
        "failed",
        "{result}"
    );
    assert_eq!(
        check(&result, CheckKind::Org)["code"],
        "API_DISABLED_FOR_ORG"
    );
    assert!(
        check(&result, CheckKind::Org)["title"]
            .as_str()
            .expect("title")
            .contains("REST API is not enabled")
    );
    assert_eq!(check(&result, CheckKind::Users)["status"], "skipped");
    assert_eq!(check(&result, CheckKind::Licenses)["status"], "skipped");
    assert_eq!(
        check(&result, CheckKind::User)["status"],
        "ok",
        "a failed check does not block the others"
    );
    let token = result["settings"]["refresh_token"]
        .as_str()
        .expect("token shown");
    assert!(mock.refresh(token).await.is_ok());
    app.stop().await;
}

#[tokio::test]
async fn a_missing_scope_is_named_with_what_to_add() {
    let options = MockOptions {
        app_scopes: vec!["refresh_token".into(), "api".into()],
        strict_scopes: false,
        ..MockOptions::default()
    };
    let (app, _mock, _, SignIn { result, .. }) = signed_in(options).await;
    let token = check(&result, CheckKind::Token);

    assert_eq!(token["scopes_missing"], json!(["full"]), "{token}");
    assert!(
        token["scope_fixes"][0]
            .as_str()
            .expect("fix")
            .contains("Full access (full)")
    );
    app.stop().await;
}

#[tokio::test]
async fn the_sixth_sign_in_of_a_run_revokes_the_first_refresh_token_and_the_run_counts_them() {
    let (app, mock, visitor) = page_and_mock(MockOptions::default()).await;
    let secret = mock.options().client_secret.clone();
    assert_eq!(visitor.get_json("/api/session").await["sign_ins"], 0);
    let mut tokens = Vec::new();
    for _ in 0..5 {
        let sign_in = visitor.sign_in(&mock, &secret, "allow").await;
        let token = sign_in.result["settings"]["refresh_token"]
            .as_str()
            .expect("token")
            .to_owned();
        tokens.push(token);
    }
    assert_eq!(visitor.get_json("/api/session").await["sign_ins"], 5);
    assert!(
        mock.refresh(&tokens[0]).await.is_ok(),
        "five approvals kept"
    );

    let sixth = visitor.sign_in(&mock, &secret, "allow").await;

    assert_eq!(sixth.result["status"], "captured");
    assert!(
        mock.refresh(&tokens[0]).await.is_err(),
        "the first sign-in's token is revoked"
    );
    assert!(mock.refresh(&tokens[1]).await.is_ok());
    assert_eq!(visitor.get_json("/api/session").await["sign_ins"], 6);
    app.stop().await;
}

#[tokio::test]
async fn the_picker_changes_the_company_names_field_and_copy_all() {
    let (app, _mock, visitor, SignIn { id, result, .. }) = signed_in(MockOptions::default()).await;
    assert!(
        result["copy_all"]
            .as_str()
            .expect("copy")
            .ends_with("Company names: *\n")
    );

    let chosen = visitor
        .post(
            &format!("/api/login/{id}/company-names"),
            json!({ "names": ["acme.com", "ACME.CO.UK"] }),
        )
        .await
        .json_value()
        .await;

    assert_eq!(
        chosen["settings"]["company_names"],
        json!(["acme.com", "acme.co.uk"])
    );
    assert!(
        chosen["copy_all"]
            .as_str()
            .expect("copy")
            .ends_with("Company names: acme.com, acme.co.uk\n")
    );
    assert_eq!(chosen["company_names_text"], "acme.com\nacme.co.uk");
    let reloaded = visitor.get_json(&format!("/api/login/{id}")).await;
    assert_eq!(reloaded["company_names_text"], "acme.com\nacme.co.uk");

    let all = visitor
        .post(
            &format!("/api/login/{id}/company-names"),
            json!({ "names": [] }),
        )
        .await
        .json_value()
        .await;
    assert_eq!(all["company_names_text"], "*");

    let bad = visitor
        .post(
            &format!("/api/login/{id}/company-names"),
            json!({ "names": ["<script>"] }),
        )
        .await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    app.stop().await;
}

#[tokio::test]
async fn revoking_makes_the_token_fail_a_refresh() {
    let (app, mock, visitor, SignIn { id, result, .. }) = signed_in(MockOptions::default()).await;
    let token = result["settings"]["refresh_token"]
        .as_str()
        .expect("token")
        .to_owned();
    assert!(mock.refresh(&token).await.is_ok());

    let revoked = visitor
        .post(&format!("/api/login/{id}/revoke"), json!({}))
        .await;

    assert_eq!(revoked.status(), StatusCode::OK);
    assert_eq!(revoked.json_value().await["revoked"], true);
    assert!(
        mock.refresh(&token).await.is_err(),
        "Salesforce no longer accepts it"
    );
    app.stop().await;
}

#[tokio::test]
async fn existing_settings_are_checked_from_the_page() {
    let (app, mock, visitor) = page_and_mock(MockOptions::default()).await;
    let tokens = mock.login(&app.url("/callback")).await;
    let refresh_token = tokens["refresh_token"].as_str().expect("refresh token");

    let started = visitor
        .post(
            "/api/check",
            json!({
                "client_id": mock.options().client_id,
                "client_secret": mock.options().client_secret,
                "refresh_token": refresh_token,
                "login_url": mock.url(),
                "company_names": ["acme.com"],
            }),
        )
        .await
        .json_value()
        .await;
    let result = visitor
        .checked_result(started["id"].as_str().expect("id"))
        .await;

    assert_eq!(check(&result, CheckKind::Token)["status"], "ok", "{result}");
    assert_eq!(check(&result, CheckKind::Org)["status"], "ok");
    assert_eq!(result["settings"]["refresh_token"], refresh_token);
    assert_eq!(result["settings"]["company_names"], json!(["acme.com"]));

    let broken = visitor
        .post(
            "/api/check",
            json!({
                "client_id": mock.options().client_id,
                "client_secret": "wrong",
                "refresh_token": refresh_token,
                "login_url": mock.url(),
            }),
        )
        .await
        .json_value()
        .await;
    let result = visitor
        .checked_result(broken["id"].as_str().expect("id"))
        .await;
    assert_eq!(check(&result, CheckKind::Token)["status"], "failed");
    assert!(
        check(&result, CheckKind::Token)["title"]
            .as_str()
            .expect("title")
            .contains("Consumer Secret")
    );
    assert_eq!(check(&result, CheckKind::Org)["status"], "skipped");
    app.stop().await;
}

#[tokio::test]
async fn a_company_name_that_matches_no_active_users_email_domain_is_warned_about_on_the_page() {
    let (mock, token) = crate::helpers::mock_with_token(MockOptions::default()).await;
    let app = crate::helpers::TestApp::start(&mock.url(), |_| {}).await;
    let visitor = Visitor::launch(&app.launch_url()).await;
    let options = mock.options();
    let body = json!({
        "client_id": options.client_id,
        "client_secret": options.client_secret,
        "refresh_token": token,
        "login_url": mock.url(),
        "company_names": ["acme.com", "nobody.example"],
    });

    let started = visitor.post("/api/check", body).await.json_value().await;
    let result = visitor
        .checked_result(started["id"].as_str().expect("id"))
        .await;

    assert_eq!(check(&result, CheckKind::Users)["status"], "ok", "{result}");
    assert_eq!(result["unmatched_company_names"], json!(["nobody.example"]));
    let id = started["id"].as_str().expect("id");
    let everyone = visitor
        .post(
            &format!("/api/login/{id}/company-names"),
            json!({ "names": [] }),
        )
        .await
        .json_value()
        .await;
    assert_eq!(
        everyone["unmatched_company_names"],
        json!([]),
        "* matches all"
    );
    app.stop().await;
}

/// The user preview's types, each with one of its fields.
fn by_type<T>(users: &Value, field: impl Fn(&Value) -> T) -> BTreeMap<String, T> {
    users["by_type"]
        .as_array()
        .expect("types")
        .iter()
        .map(|t| (t["user_type"].as_str().expect("type").to_owned(), field(t)))
        .collect()
}
