//! Salesforce's refusals, each explained the same way on the page and in the
//! terminal, against a mock that refuses as Salesforce does: the External
//! Client App codes, an inactive user, the identity URL's plain-text
//! refusal, and the API switched off.

use serde_json::Value;
use sftoken::pasted_address::DEFAULT_SUCCESS_PAGE;

use crate::cli::{start_paste, start_paste_at};
use crate::helpers::check;
use crate::helpers::run_check_with_token;
use crate::helpers::{JsonBody, TestApp, Visitor, mock_with_token, page_and_mock, signed_in};
use crate::mock_salesforce::{MockOptions, MockSalesforce};
use sftoken::signin::report::CheckKind;

/// A refusal at sign-in: the mock set up to refuse, where the sign-in goes,
/// when Salesforce refuses, its code, and words the advice must say.
struct Refusal {
    options: MockOptions,
    generic_login_host: bool,
    at: RefusedAt,
    code: &'static str,
    says: &'static str,
}

/// When Salesforce refuses the sign-in.
#[derive(Clone, Copy)]
enum RefusedAt {
    /// After the login, redirecting to the callback with `error`.
    Login,
    /// At the code exchange, after the user allowed: the token endpoint's
    /// JSON error.
    CodeExchange,
}

impl RefusedAt {
    /// At Salesforce, from the authorize URL to where it sends the browser.
    async fn land(self, visitor: &Visitor, authorize_url: &str) -> String {
        match self {
            RefusedAt::Login => visitor.refused(authorize_url).await,
            RefusedAt::CodeExchange => visitor.consent(authorize_url, "allow").await,
        }
    }
}

fn refusals() -> Vec<Refusal> {
    vec![
        Refusal {
            options: MockOptions {
                local_app: true,
                ..MockOptions::default()
            },
            generic_login_host: true,
            at: RefusedAt::Login,
            code: "OAUTH_EC_APP_NOT_FOUND",
            says: "My Domain",
        },
        Refusal {
            options: MockOptions {
                signs_in_to_other_org: true,
                ..MockOptions::default()
            },
            generic_login_host: false,
            at: RefusedAt::Login,
            code: "OAUTH_AUTHORIZATION_BLOCKED",
            says: "private window",
        },
        Refusal {
            options: MockOptions {
                user_not_assigned: true,
                ..MockOptions::default()
            },
            generic_login_host: false,
            at: RefusedAt::Login,
            code: "OAUTH_APP_ACCESS_DENIED",
            says: "under App Policies, add the user's profile or a permission set",
        },
        Refusal {
            options: MockOptions {
                app_blocked: true,
                ..MockOptions::default()
            },
            generic_login_host: false,
            at: RefusedAt::Login,
            code: "OAUTH_APP_BLOCKED",
            says: "if its action says Unblock, click it",
        },
        Refusal {
            options: MockOptions {
                api_access_control: true,
                ..MockOptions::default()
            },
            generic_login_host: false,
            at: RefusedAt::CodeExchange,
            code: "invalid_app_access",
            says: "limit API access to only allowlisted connected apps",
        },
        Refusal {
            options: MockOptions {
                exchange_invalid_grant: Some("authentication failure"),
                ..MockOptions::default()
            },
            generic_login_host: false,
            at: RefusedAt::CodeExchange,
            code: "invalid_grant",
            says: "Open Setup → Login History",
        },
    ]
}

fn login_url(mock: &MockSalesforce, generic: bool) -> String {
    if generic {
        mock.generic_url()
    } else {
        mock.url()
    }
}

#[tokio::test]
async fn each_refusal_at_sign_in_is_explained_on_the_page() {
    for refusal in refusals() {
        let (app, mock, visitor) = page_and_mock(refusal.options).await;
        let options = mock.options().clone();
        let started = visitor
            .start_login(
                &options.client_id,
                &options.client_secret,
                &login_url(&mock, refusal.generic_login_host),
            )
            .await
            .json_value()
            .await;
        let authorize_url = started["authorize_url"].as_str().expect("authorize url");

        let callback = refusal.at.land(&visitor, authorize_url).await;
        let failed = visitor.finish(&callback).await.result;

        assert_eq!(failed["status"], "failed", "{failed}");
        let error = &failed["error"];
        assert_eq!(error["code"], refusal.code, "{error}");
        assert!(
            error["fix"].as_str().expect("fix").contains(refusal.says),
            "{error}"
        );
        app.stop().await;
    }
}

#[tokio::test]
async fn each_refusal_at_sign_in_is_explained_in_the_terminal() {
    for refusal in refusals() {
        let mock = MockSalesforce::with_callback(DEFAULT_SUCCESS_PAGE, refusal.options).await;
        let options = mock.options().clone();
        let login = login_url(&mock, refusal.generic_login_host);
        let (mut binary, authorize_url) =
            start_paste_at(&login, &options.client_id, &options.client_secret, &[]).await;
        let landed = refusal.at.land(&Visitor::elsewhere(), &authorize_url).await;
        assert!(landed.starts_with(DEFAULT_SUCCESS_PAGE), "{landed}");

        binary.send_stdin(&format!("{landed}\n"));

        let code = binary.wait().await;
        let stderr = binary.stderr();
        assert_eq!(code, 1, "{}: {stderr}", refusal.code);
        assert!(stderr.contains(refusal.says), "{}: {stderr}", refusal.code);
    }
}

#[tokio::test]
async fn paste_explains_the_address_of_an_unassigned_users_refusal_in_salesforces_words() {
    let mock = MockSalesforce::with_callback(
        DEFAULT_SUCCESS_PAGE,
        MockOptions {
            user_not_assigned: true,
            ..MockOptions::default()
        },
    )
    .await;
    let secret = mock.options().client_secret.clone();
    let (mut binary, authorize_url) = start_paste(&mock, &secret, &[]).await;
    let landed = Visitor::elsewhere().refused(&authorize_url).await;
    assert!(
        landed.contains("error=OAUTH_APP_ACCESS_DENIED"),
        "an error address: {landed}"
    );

    binary.send_stdin(&format!("{landed}\n"));

    assert_eq!(binary.wait().await, 1);
    let stderr = binary.stderr();
    assert!(
        stderr.contains("This user is not approved for the app."),
        "{stderr}"
    );
    assert!(
        stderr.contains("\"All users can self-authorize\""),
        "{stderr}"
    );
    assert!(!stderr.contains("blocked"), "not a blocked app: {stderr}");
}

#[tokio::test]
async fn revoking_a_token_salesforce_no_longer_knows_gets_its_own_sentence() {
    let (app, _mock, visitor, sign_in) = signed_in(MockOptions::default()).await;
    let revoke = format!("/api/login/{}/revoke", sign_in.id);
    let first = visitor.post(&revoke, serde_json::json!({})).await;
    assert_eq!(first.status(), reqwest::StatusCode::OK);

    let again = visitor.post(&revoke, serde_json::json!({})).await;

    assert_eq!(again.status(), reqwest::StatusCode::BAD_GATEWAY);
    let error = &again.json_value().await["error"];
    assert_eq!(error["code"], "invalid_token", "{error}");
    assert_eq!(error["title"], "The token was already invalid", "{error}");
    assert!(
        error["message"]
            .as_str()
            .expect("message")
            .starts_with("The token was already invalid. Nothing is left to revoke"),
        "{error}"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_local_app_works_through_its_my_domain_and_the_refresh_grant_is_checked_there() {
    let options = MockOptions {
        local_app: true,
        ..MockOptions::default()
    };

    let (app, mock, _, sign_in) = signed_in(options).await;

    let result = &sign_in.result;
    assert_eq!(result["status"], "captured", "{result}");
    let login_url = result["settings"]["login_url"].as_str().expect("login url");
    assert_eq!(login_url, mock.url());
    assert_eq!(check(result, CheckKind::Token)["login_url"], login_url);
    let my_domain_host = login_url.trim_start_matches("http://");
    let hosts = mock.token_hosts();
    assert!(hosts.len() >= 2, "the exchange and the check's refresh");
    assert!(
        hosts.iter().all(|host| host == my_domain_host),
        "every token request went to the Login URL: {hosts:?}"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_user_who_may_not_approve_lands_on_salesforces_page_and_its_address_is_explained() {
    let options = MockOptions {
        user_cannot_approve: true,
        ..MockOptions::default()
    };
    let mock = MockSalesforce::with_callback(DEFAULT_SUCCESS_PAGE, options).await;
    let options = mock.options().clone();
    let (mut binary, authorize_url) = start_paste(&mock, &options.client_secret, &[]).await;
    let error_page = Visitor::elsewhere().refused(&authorize_url).await;
    assert!(
        !error_page.starts_with(DEFAULT_SUCCESS_PAGE),
        "never the callback: {error_page}"
    );

    // The admin pastes the address of Salesforce's error page instead.
    binary.send_stdin(&format!("{error_page}\n"));

    assert_eq!(binary.wait().await, 1);
    let stderr = binary.stderr();
    assert!(stderr.contains("OAUTH_APPROVAL_ERROR_GENERIC"), "{stderr}");
}

/// Typed-in settings checked on the page: the result once its checks ran.
pub async fn checked_on_the_page(mock: &MockSalesforce, refresh_token: &str) -> Value {
    let app = TestApp::start(&mock.url(), |_| {}).await;
    let visitor = Visitor::launch(&app.launch_url()).await;
    let options = mock.options();
    let body = serde_json::json!({
        "client_id": options.client_id,
        "client_secret": options.client_secret,
        "refresh_token": refresh_token,
        "login_url": mock.url(),
    });
    let started = visitor.post("/api/check", body).await.json_value().await;
    let id = started["id"].as_str().expect("id").to_owned();
    let result = visitor.checked_result(&id).await;
    app.stop().await;
    result
}

/// `sftoken check` with these settings: its exit code, stdout and stderr.
pub async fn checked_in_the_terminal(
    mock: &MockSalesforce,
    refresh_token: &str,
) -> (i32, String, String) {
    let mut binary = run_check_with_token(mock, refresh_token, &[]).await;
    let code = binary.wait().await;
    (code, binary.stdout(), binary.stderr())
}

#[tokio::test]
async fn a_deactivated_user_is_explained_by_inactive_user_on_the_page_and_in_the_terminal() {
    let (mock, token) = mock_with_token(MockOptions::default()).await;
    mock.deactivate_user();

    let result = checked_on_the_page(&mock, &token).await;
    let (code, _, stderr) = checked_in_the_terminal(&mock, &token).await;

    let failed = check(&result, CheckKind::Token);
    assert_eq!(failed["status"], "failed", "{result}");
    assert_eq!(failed["code"], "inactive_user");
    assert!(
        failed["title"]
            .as_str()
            .expect("title")
            .contains("inactive")
    );
    assert_eq!(code, 1);
    assert!(stderr.contains("inactive"), "{stderr}");
}

#[tokio::test]
async fn the_identity_urls_plain_text_refusal_says_sign_in_again_on_the_page_and_in_the_terminal() {
    let (mock, token) = mock_with_token(MockOptions {
        identity_refuses_tokens: true,
        ..MockOptions::default()
    })
    .await;

    let result = checked_on_the_page(&mock, &token).await;
    let (_, stdout, _) = checked_in_the_terminal(&mock, &token).await;

    let user = check(&result, CheckKind::User);
    assert_eq!(user["status"], "failed", "{result}");
    assert_eq!(user["code"], "Bad_OAuth_Token");
    let fix = user["fix"].as_str().expect("fix");
    assert!(fix.contains("Sign in again"), "{fix}");
    assert!(!fix.contains("login URL"), "{fix}");
    assert!(stdout.contains("Bad_OAuth_Token"), "{stdout}");
    assert!(stdout.contains("Sign in again"), "{stdout}");
}

#[tokio::test]
async fn api_disabled_names_the_org_and_the_user_on_the_page_and_in_the_terminal() {
    let (mock, token) = mock_with_token(MockOptions {
        api_disabled: true,
        ..MockOptions::default()
    })
    .await;

    let result = checked_on_the_page(&mock, &token).await;
    let (code, stdout, _) = checked_in_the_terminal(&mock, &token).await;

    let org = check(&result, CheckKind::Org);
    assert_eq!(org["code"], "API_DISABLED_FOR_ORG", "{result}");
    let cause = org["cause"].as_str().expect("cause");
    assert!(cause.contains("edition"), "{cause}");
    assert!(cause.contains("API Enabled"), "{cause}");
    assert_eq!(code, 1);
    assert!(stdout.contains("API Enabled"), "{stdout}");
}

#[tokio::test]
async fn a_refresh_token_refused_in_unknown_words_reads_as_revoked_or_expired_on_the_page_and_in_the_terminal()
 {
    let (mock, token) = mock_with_token(MockOptions {
        refresh_invalid_grant: Some("token validity expired"),
        ..MockOptions::default()
    })
    .await;

    let result = checked_on_the_page(&mock, &token).await;
    let (code, stdout, stderr) = checked_in_the_terminal(&mock, &token).await;

    let failed = check(&result, CheckKind::Token);
    assert_eq!(failed["status"], "failed", "{result}");
    assert_eq!(failed["code"], "invalid_grant");
    assert_eq!(failed["description"], "token validity expired");
    let cause = failed["cause"].as_str().expect("cause");
    assert!(
        cause.contains("the refresh token was likely revoked or has expired"),
        "{cause}"
    );
    assert_eq!(code, 1);
    assert!(
        stdout.contains("the refresh token was likely revoked or has expired"),
        "{stdout}"
    );
    let terminal = format!("{stdout}{stderr}");
    assert!(!terminal.contains("another org"), "{terminal}");
}
