//! The mock's own tests of what the org's policies and Salesforce's limits
//! do to a sign-in: they must behave as Salesforce does.

use axum::http::StatusCode;

use super::tests::{
    CALLBACK, access_token, assert_refused, get_identity, mock, mock_with, pkce_flow,
};
use super::*;

/// `GET {base}/services/oauth2/authorize`: the code flow to `CALLBACK` with
/// PKCE and state `st`, then `extra`; the answer unread.
async fn authorize_at(
    mock: &MockSalesforce,
    base: &str,
    extra: &[(&str, &str)],
) -> reqwest::Response {
    let (_, challenge) = pkce_pair();
    let mut params = pkce_flow(&challenge, &[("state", "st")]);
    params.extend_from_slice(extra);
    mock.get_authorize_at(base, &params).await
}

/// The `error` and `error_description` Salesforce redirected to the callback with.
fn redirected_error(response: &reqwest::Response) -> (String, String) {
    assert_eq!(response.status(), StatusCode::FOUND, "a redirect");
    let location = location(response);
    assert!(location.starts_with(CALLBACK), "{location}");
    assert_eq!(query_param(&location, "state").as_deref(), Some("st"));
    (
        query_param(&location, "error").expect("an error"),
        query_param(&location, "error_description").expect("a description"),
    )
}

#[tokio::test]
async fn mock_accepts_a_registered_success_page_on_another_host_than_its_own() {
    let success = "https://login.salesforce.com/services/oauth2/success";
    let mock = MockSalesforce::with_callback(success, MockOptions::default()).await;
    assert!(!success.starts_with(&mock.url()));

    let tokens = mock.login(success).await;

    assert!(tokens["refresh_token"].is_string(), "{tokens}");
    let exchange = mock
        .token_requests()
        .into_iter()
        .last()
        .expect("the exchange");
    assert!(exchange.contains(&("redirect_uri".to_owned(), success.to_owned())));
}

#[tokio::test]
async fn mock_refuses_a_local_app_through_the_generic_login_host_but_not_its_my_domain() {
    let mock = mock_with(MockOptions {
        local_app: true,
        ..MockOptions::default()
    })
    .await;

    let generic = authorize_at(&mock, &mock.generic_url(), &[]).await;
    let my_domain = authorize_at(&mock, &mock.url(), &[]).await;

    assert_eq!(
        redirected_error(&generic),
        (
            "OAUTH_EC_APP_NOT_FOUND".to_owned(),
            "External client app is not installed in this org".to_owned()
        )
    );
    assert_eq!(my_domain.status(), StatusCode::OK, "the approval page");
}

#[tokio::test]
async fn mock_refuses_a_local_apps_refresh_grant_at_the_generic_login_host_only() {
    for local_app in [true, false] {
        let mock = mock_with(MockOptions {
            local_app,
            ..MockOptions::default()
        })
        .await;
        let token = refresh_token(&mock.login(CALLBACK).await);

        let generic = mock.refresh_at(&mock.generic_url(), &token).await;

        if local_app {
            let refused = generic.expect_err("the generic host does not know the app");
            assert_eq!(refused["error"], "app_not_found", "{refused}");
            assert_eq!(
                refused["error_description"],
                "External client app is not installed in this org"
            );
        } else {
            assert!(
                generic.is_ok(),
                "an app the generic host reaches: {generic:?}"
            );
        }
        assert!(mock.refresh(&token).await.is_ok(), "its My Domain knows it");
    }
}

#[tokio::test]
async fn mock_reuses_another_orgs_browser_session_unless_prompt_is_login() {
    let mock = mock_with(MockOptions {
        browser_in_other_org: true,
        ..MockOptions::default()
    })
    .await;

    let reused = authorize_at(&mock, &mock.url(), &[]).await;
    let fresh = authorize_at(&mock, &mock.url(), &[("prompt", "login")]).await;

    assert_eq!(redirected_error(&reused).0, "OAUTH_AUTHORIZATION_BLOCKED");
    assert_eq!(fresh.status(), StatusCode::OK, "the approval page");
}

#[tokio::test]
async fn mock_refuses_a_blocked_app_an_unassigned_user_and_another_org_each_in_its_own_words() {
    let cases = [
        (
            MockOptions {
                app_blocked: true,
                ..MockOptions::default()
            },
            ("OAUTH_APP_BLOCKED", "this app is blocked by admin"),
        ),
        (
            MockOptions {
                user_not_assigned: true,
                ..MockOptions::default()
            },
            (
                "OAUTH_APP_ACCESS_DENIED",
                "user is not admin approved to access this app",
            ),
        ),
        (
            MockOptions {
                signs_in_to_other_org: true,
                ..MockOptions::default()
            },
            (
                "OAUTH_AUTHORIZATION_BLOCKED",
                "Cross-org OAuth flows are not supported for this external client app",
            ),
        ),
    ];
    for (options, (code, description)) in cases {
        let mock = mock_with(options).await;
        let response = authorize_at(&mock, &mock.url(), &[("prompt", "login")]).await;
        assert_eq!(
            redirected_error(&response),
            (code.to_owned(), description.to_owned())
        );
    }
}

#[tokio::test]
async fn mock_token_endpoint_refuses_as_set_api_access_control_and_invalid_grant_words() {
    let refusals = [
        (
            MockOptions {
                api_access_control: true,
                ..MockOptions::default()
            },
            (
                "invalid_app_access",
                "user is not admin approved to access this app",
            ),
        ),
        (
            MockOptions {
                exchange_invalid_grant: Some("authentication failure"),
                ..MockOptions::default()
            },
            ("invalid_grant", "authentication failure"),
        ),
    ];
    for (options, expected) in refusals {
        let mock = mock_with(options).await;
        let (verifier, challenge) = pkce_pair();
        let code = mock
            .authorize_and_get_code(CALLBACK, "st", Some(&challenge))
            .await;
        assert_refused(
            mock.exchange_code(&code, CALLBACK, Some(&verifier)).await,
            expected,
            "the code exchange",
        );
    }

    let mock = mock_with(MockOptions {
        refresh_invalid_grant: Some("token validity expired"),
        ..MockOptions::default()
    })
    .await;
    let token = refresh_token(&mock.login(CALLBACK).await);
    assert_refused(
        mock.refresh(&token).await,
        ("invalid_grant", "token validity expired"),
        "the refresh grant",
    );
}

#[tokio::test]
async fn mock_shows_its_own_page_when_the_user_may_not_approve() {
    let mock = mock_with(MockOptions {
        user_cannot_approve: true,
        ..MockOptions::default()
    })
    .await;

    let response = authorize_at(&mock, &mock.url(), &[]).await;

    assert_eq!(response.status(), StatusCode::FOUND);
    let page = location(&response);
    assert!(!page.starts_with(CALLBACK), "never the callback: {page}");
    let html = http_client()
        .get(&page)
        .send()
        .await
        .expect("the error page")
        .text()
        .await
        .expect("its text");
    assert!(html.contains("OAUTH_APPROVAL_ERROR_GENERIC"), "{html}");
}

#[tokio::test]
async fn mock_keeps_five_approvals_and_a_sixth_revokes_the_oldest() {
    let mock = mock().await;
    let mut tokens = Vec::new();
    for _ in 0..5 {
        tokens.push(refresh_token(&mock.login(CALLBACK).await));
    }
    assert!(tokens.iter().all(|t| mock.refresh_token_is_live(t)));

    let sixth = refresh_token(&mock.login(CALLBACK).await);

    assert!(
        !mock.refresh_token_is_live(&tokens[0]),
        "the oldest is revoked"
    );
    assert!(mock.refresh(&tokens[0]).await.is_err());
    for token in tokens.iter().skip(1).chain([&sixth]) {
        assert!(mock.refresh(token).await.is_ok(), "the five newest work");
    }
}

#[tokio::test]
async fn mock_rotation_keeps_the_approval_it_replaces_the_token_of() {
    let mock = mock_with(MockOptions {
        rotation: true,
        ..MockOptions::default()
    })
    .await;
    let first = refresh_token(&mock.login(CALLBACK).await);
    let rotated = refresh_token(&mock.refresh(&first).await.expect("a refresh"));
    for _ in 0..4 {
        mock.login(CALLBACK).await;
    }
    assert!(
        mock.refresh_token_is_live(&rotated),
        "five approvals so far"
    );

    mock.login(CALLBACK).await;

    assert!(
        !mock.refresh_token_is_live(&rotated),
        "the sixth revokes it"
    );
}

#[tokio::test]
async fn mock_answers_inactive_user_once_the_user_is_deactivated() {
    let mock = mock().await;
    let token = refresh_token(&mock.login(CALLBACK).await);

    mock.deactivate_user();

    assert_refused(
        mock.refresh(&token).await,
        ("inactive_user", "user is inactive"),
        "a deactivated user's refresh token",
    );
}

#[tokio::test]
async fn mock_identity_can_refuse_every_token_in_plain_text() {
    let mock = mock_with(MockOptions {
        identity_refuses_tokens: true,
        ..MockOptions::default()
    })
    .await;
    let tokens = mock.login(CALLBACK).await;

    let response = get_identity(&tokens, &access_token(&tokens)).await;

    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(response.text().await.expect("body"), "Bad_OAuth_Token");
}
