//! The sign-in, end to end against the mock: the happy path and every failure
//! the page must explain.

use reqwest::StatusCode;

use sftoken::pasted_address::DEFAULT_SUCCESS_PAGE;

use crate::helpers::{
    JsonBody, SignIn, TestApp, Visitor, expected_copy_all, page_and_mock, query_param, signed_in,
};
use crate::mock_salesforce::{MockOptions, MockSalesforce, location};

#[tokio::test]
async fn a_sign_in_shows_the_five_settings_and_the_refresh_token_works() {
    let (app, mock, _, SignIn { result, .. }) = signed_in(MockOptions::default()).await;

    assert_eq!(result["status"], "captured", "{result}");
    let settings = &result["settings"];
    assert_eq!(settings["client_id"], mock.options().client_id);
    assert_eq!(settings["client_secret"], mock.options().client_secret);
    assert_eq!(settings["login_url"], mock.url());
    assert_eq!(settings["company_names"], serde_json::json!(["*"]));
    let refresh_token = settings["refresh_token"].as_str().expect("refresh token");
    assert!(
        mock.refresh(refresh_token).await.is_ok(),
        "the token works in a refresh grant"
    );

    let details = &result["details"];
    assert_eq!(details["instance_url"], mock.url());
    assert_eq!(details["org_id"], "00DMOCK000000001AAA");
    assert_eq!(details["username"], "admin@acme-mock.example");

    let copy_all = result["copy_all"].as_str().expect("copy_all");
    let lines: Vec<&str> = copy_all.lines().collect();
    assert_eq!(lines, expected_copy_all(&mock, refresh_token));
    app.stop().await;
}

#[tokio::test]
async fn the_code_is_exchanged_with_pkce_the_same_redirect_uri_and_the_secret_in_the_body() {
    let (app, mock, visitor) = page_and_mock(MockOptions::default()).await;
    let secret = mock.options().client_secret.clone();

    let authorize_url = visitor.authorize_url(&mock, &secret).await;
    let sign_in = visitor
        .finish(&visitor.consent(&authorize_url, "allow").await)
        .await;

    assert_eq!(sign_in.result["status"], "captured");
    assert_eq!(
        query_param(&authorize_url, "code_challenge_method").as_deref(),
        Some("S256")
    );
    assert_eq!(
        query_param(&authorize_url, "scope").as_deref(),
        Some("refresh_token api full")
    );
    let state = query_param(&authorize_url, "state").expect("state");
    assert!(state.len() >= 22, "state carries at least 128 bits");
    let requests = mock.token_requests();
    let exchange = requests
        .iter()
        .find(|form| form.contains(&("grant_type".to_owned(), "authorization_code".to_owned())))
        .expect("a code exchange");
    let field = |name: &str| {
        exchange
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    assert_eq!(field("grant_type").as_deref(), Some("authorization_code"));
    assert_eq!(field("redirect_uri"), Some(app.url("/callback")));
    assert_eq!(field("client_secret"), Some(secret));
    assert!(field("code_verifier").is_some_and(|v| v.len() >= 43));
    app.stop().await;
}

#[tokio::test]
async fn a_browser_still_signed_in_to_another_org_is_asked_for_a_fresh_login() {
    // Without prompt=login, Salesforce would reuse the other org's session
    // and refuse with OAUTH_AUTHORIZATION_BLOCKED.
    let (app, mock, visitor) = page_and_mock(MockOptions {
        browser_in_other_org: true,
        ..MockOptions::default()
    })
    .await;
    let secret = mock.options().client_secret.clone();

    let authorize_url = visitor.authorize_url(&mock, &secret).await;
    let sign_in = visitor
        .finish(&visitor.consent(&authorize_url, "allow").await)
        .await;

    assert_eq!(
        query_param(&authorize_url, "prompt").as_deref(),
        Some("login")
    );
    assert_eq!(sign_in.result["status"], "captured", "{}", sign_in.result);
    app.stop().await;
}

#[tokio::test]
async fn a_wrong_secret_is_explained_and_the_next_attempt_succeeds() {
    let (app, mock, visitor) = page_and_mock(MockOptions::default()).await;

    let failed = visitor.sign_in(&mock, "not-the-secret", "allow").await;

    assert_eq!(failed.result["status"], "failed");
    let error = &failed.result["error"];
    assert!(
        error["title"]
            .as_str()
            .expect("title")
            .contains("Consumer Secret"),
        "{error}"
    );
    assert_eq!(error["code"], "invalid_client");
    assert_eq!(failed.result["client_id"], mock.options().client_id);
    let secret = mock.options().client_secret.clone();
    let retried = visitor.sign_in(&mock, &secret, "allow").await;
    assert_eq!(retried.result["status"], "captured");
    app.stop().await;
}

#[tokio::test]
async fn denied_consent_is_explained() {
    let (app, mock, visitor) = page_and_mock(MockOptions::default()).await;
    let secret = mock.options().client_secret.clone();

    let denied = visitor.sign_in(&mock, &secret, "deny").await;

    assert_eq!(denied.result["status"], "failed");
    assert_eq!(denied.result["error"]["code"], "access_denied");
    assert!(
        denied.result["error"]["fix"]
            .as_str()
            .expect("fix")
            .contains("Allow")
    );
    app.stop().await;
}

#[tokio::test]
async fn an_app_without_the_refresh_token_scope_is_explained() {
    let options = MockOptions {
        app_scopes: vec!["api".into(), "full".into()],
        strict_scopes: false,
        ..MockOptions::default()
    };

    let (app, _mock, _, sign_in) = signed_in(options).await;

    assert_eq!(sign_in.result["status"], "failed");
    let cause = sign_in.result["error"]["cause"].as_str().expect("cause");
    assert!(cause.contains("refresh_token"), "{cause}");
    app.stop().await;
}

#[tokio::test]
async fn a_code_already_used_elsewhere_is_explained() {
    let (app, mock, visitor) = page_and_mock(MockOptions::default()).await;
    let secret = mock.options().client_secret.clone();
    let authorize_url = visitor.authorize_url(&mock, &secret).await;
    let callback_url = visitor.consent(&authorize_url, "allow").await;
    let code = query_param(&callback_url, "code").expect("code");
    // Someone else (a stale curl from the manual guide) redeems the code first.
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("client_id", mock.options().client_id.as_str()),
        ("client_secret", secret.as_str()),
        ("redirect_uri", &app.url("/callback")),
        (
            "code_verifier",
            "wrong-verifier-wrong-verifier-wrong-verifier",
        ),
    ];
    let _ = visitor
        .http
        .post(format!("{}/services/oauth2/token", mock.url()))
        .form(&form)
        .send()
        .await
        .expect("token request");

    let sign_in = visitor.finish(&callback_url).await;

    assert_eq!(sign_in.result["status"], "failed");
    assert_eq!(sign_in.result["error"]["code"], "invalid_grant");
    assert!(
        sign_in.result["error"]["title"]
            .as_str()
            .expect("title")
            .contains("expired or was already used"),
        "{}",
        sign_in.result
    );
    app.stop().await;
}

#[tokio::test]
async fn pkce_required_at_authorize_time_is_explained() {
    let (app, mock, visitor) = page_and_mock(MockOptions::default()).await;
    let secret = mock.options().client_secret.clone();
    let authorize_url = visitor.authorize_url(&mock, &secret).await;
    let state = query_param(&authorize_url, "state").expect("state");
    // What Salesforce sends back when an app requires PKCE and none arrived.
    let mut callback = reqwest::Url::parse(&app.url("/callback")).expect("url");
    callback
        .query_pairs_mut()
        .append_pair("error", "invalid_request")
        .append_pair("error_description", "missing required code challenge")
        .append_pair("state", &state);

    let sign_in = visitor.finish(callback.as_str()).await;

    assert_eq!(sign_in.result["status"], "failed");
    assert!(
        sign_in.result["error"]["title"]
            .as_str()
            .expect("title")
            .contains("PKCE")
    );
    app.stop().await;
}

#[tokio::test]
async fn reloading_the_callback_shows_the_same_result_instead_of_an_error() {
    let (app, mock, visitor) = page_and_mock(MockOptions::default()).await;
    let secret = mock.options().client_secret.clone();
    let first = visitor.sign_in(&mock, &secret, "allow").await;
    let exchanges = mock.token_requests().len();

    let reload = visitor.finish(&first.callback_url).await;

    assert_eq!(reload.callback_location, first.callback_location);
    assert_eq!(reload.result["status"], "captured");
    assert_eq!(
        reload.result["settings"]["refresh_token"],
        first.result["settings"]["refresh_token"]
    );
    assert_eq!(
        mock.token_requests().len(),
        exchanges,
        "the code is not sent again"
    );
    app.stop().await;
}

/// The browser's history keeps `/callback?code=…&state=…` even after the
/// 303. Replayed from there, by this browser or another one, with its code or
/// another, the `state` is spent: no token request, and without the session
/// that started the sign-in, no setting.
#[tokio::test]
async fn a_callback_address_left_in_history_is_spent_for_whoever_replays_it() {
    let (app, mock, visitor) = page_and_mock(MockOptions::default()).await;
    let secret = mock.options().client_secret.clone();
    let first = visitor.sign_in(&mock, &secret, "allow").await;
    let exchanges = mock.token_requests().len();
    let state = query_param(&first.callback_url, "state").expect("a state");
    let refresh_token = first.result["settings"]["refresh_token"]
        .as_str()
        .expect("a refresh token")
        .to_owned();
    let elsewhere = Visitor::launch(&app.launch_url()).await;

    for replayed in [
        first.callback_url.clone(),
        format!("/callback?code=another-code&state={state}"),
    ] {
        let response = elsewhere.get(&replayed).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{replayed}");
        assert_eq!(location(&response), first.callback_location, "{replayed}");
        let result = elsewhere.get(&format!("/api/login/{}", first.id)).await;
        assert_eq!(result.status(), StatusCode::NOT_FOUND, "{replayed}");
        let body = result.text().await.expect("body");
        assert!(!body.contains(&refresh_token), "{replayed}: {body}");
    }
    assert_eq!(
        mock.token_requests().len(),
        exchanges,
        "a spent state sends no token request"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_forged_callback_leaves_the_pending_login_intact() {
    let (app, mock, visitor) = page_and_mock(MockOptions::default()).await;
    let secret = mock.options().client_secret.clone();
    let authorize_url = visitor.authorize_url(&mock, &secret).await;

    for forged in [
        "/callback?code=stolen&state=forged",
        "/callback?error=access_denied&error_description=nope&state=forged",
        "/callback?code=stolen",
        "/callback",
    ] {
        let response = visitor.get(forged).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{forged}");
        let body = response.text().await.expect("body");
        assert!(body.contains("sftoken page"), "{forged}: {body}");
    }

    let callback_url = visitor.consent(&authorize_url, "allow").await;
    let sign_in = visitor.finish(&callback_url).await;
    assert_eq!(sign_in.result["status"], "captured");
    app.stop().await;
}

#[tokio::test]
async fn two_sign_ins_in_two_tabs_both_complete() {
    let (app, mock, visitor) = page_and_mock(MockOptions::default()).await;
    let secret = mock.options().client_secret.clone();
    let first_tab = visitor.authorize_url(&mock, &secret).await;
    let second_tab = visitor.authorize_url(&mock, &secret).await;

    let second = visitor
        .finish(&visitor.consent(&second_tab, "allow").await)
        .await;
    let first = visitor
        .finish(&visitor.consent(&first_tab, "allow").await)
        .await;

    assert_eq!(first.result["status"], "captured");
    assert_eq!(second.result["status"], "captured");
    assert_ne!(first.callback_location, second.callback_location);
    app.stop().await;
}

#[tokio::test]
async fn a_bad_form_is_answered_with_the_field_to_fix() {
    let (app, mock, visitor) = page_and_mock(MockOptions::default()).await;

    let cases = [
        ("", "secret", mock.url(), "client_id"),
        ("key", "", mock.url(), "client_secret"),
        (
            "key",
            "secret",
            "ftp://evil.example".to_owned(),
            "login_url",
        ),
        ("key with spaces", "secret", mock.url(), "client_id"),
    ];
    for (client_id, secret, login_url, field) in cases {
        let response = visitor.start_login(client_id, secret, &login_url).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{field}");
        let body = response.json_value().await;
        assert_eq!(body["error"]["field"], field, "{body}");
        assert!(
            !body["error"]["message"]
                .as_str()
                .unwrap_or_default()
                .is_empty()
        );
    }
    // Still serving.
    let secret = mock.options().client_secret.clone();
    let sign_in = visitor.sign_in(&mock, &secret, "allow").await;
    assert_eq!(sign_in.result["status"], "captured");
    app.stop().await;
}

/// Starts a paste-mode sign-in on the page: its id and authorize URL.
async fn start_paste(
    visitor: &Visitor,
    mock: &MockSalesforce,
    callback_url: &str,
) -> (String, String) {
    let body = serde_json::json!({
        "client_id": mock.options().client_id,
        "client_secret": mock.options().client_secret,
        "login_url": mock.url(),
        "paste": true,
        "callback_url": callback_url,
    });
    let started = visitor.post("/api/login", body).await.json_value().await;
    let id = started["id"].as_str().expect("id").to_owned();
    let authorize_url = started["authorize_url"]
        .as_str()
        .expect("authorize url")
        .to_owned();
    (id, authorize_url)
}

#[tokio::test]
async fn paste_mode_uses_the_guides_success_page_on_another_host_and_completes_from_the_pasted_address()
 {
    let app = TestApp::start("http://127.0.0.1:1", |_| {}).await;
    // The manual guide registers only login.salesforce.com's success page,
    // whatever the login URL (here the mock, standing for a My Domain).
    let success = DEFAULT_SUCCESS_PAGE;
    let mock = MockSalesforce::with_callback(success, MockOptions::default()).await;
    let visitor = Visitor::launch(&app.launch_url()).await;
    let (id, authorize_url) = start_paste(&visitor, &mock, "").await;
    assert_eq!(
        query_param(&authorize_url, "redirect_uri").as_deref(),
        Some(success)
    );
    assert!(authorize_url.starts_with(&mock.url()), "{authorize_url}");
    assert!(
        query_param(&authorize_url, "code_challenge").is_some(),
        "still PKCE"
    );
    let session = visitor.get_json("/api/session").await;
    assert_eq!(session["pending"]["id"], id.as_str());
    assert_eq!(session["pending"]["paste"], true);
    assert_eq!(session["paste_callback_url"], success);

    let landed = visitor.consent(&authorize_url, "allow").await;
    assert!(landed.starts_with(success), "{landed}");
    let paste_path = format!("/api/login/{id}/paste");
    let paste = |text: String| visitor.post(&paste_path, serde_json::json!({ "text": text }));
    let wrong_state = landed.replace("state=", "state=x");
    let refused = paste(wrong_state).await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    assert!(
        refused.json_value().await["error"]["message"]
            .as_str()
            .expect("message")
            .contains("another sign-in")
    );
    let junk = paste("hello".to_owned()).await;
    assert_eq!(junk.status(), StatusCode::BAD_REQUEST);

    // Wrapped over two lines, as copied from a narrow window.
    let (head, tail) = landed.split_at(landed.len() / 2);
    let accepted = paste(format!(" {head}\n{tail} ")).await;
    assert_eq!(accepted.status(), StatusCode::OK);
    let result = visitor.checked_result(&id).await;
    assert_eq!(result["status"], "captured", "{result}");
    let token = result["settings"]["refresh_token"].as_str().expect("token");
    assert!(mock.refresh(token).await.is_ok());
    let exchange = mock.token_requests().into_iter().next().expect("exchange");
    assert!(exchange.contains(&("redirect_uri".to_owned(), success.to_owned())));
    app.stop().await;
}

#[tokio::test]
async fn paste_mode_takes_the_callback_url_typed_on_the_page_and_refuses_one_that_is_not_a_success_page()
 {
    let app = TestApp::start("http://127.0.0.1:1", |_| {}).await;
    let my_domain = "https://acme--uat.sandbox.my.salesforce.com/services/oauth2/success";
    let mock = MockSalesforce::with_callback(my_domain, MockOptions::default()).await;
    let visitor = Visitor::launch(&app.launch_url()).await;

    let wrong = serde_json::json!({
        "client_id": mock.options().client_id,
        "client_secret": mock.options().client_secret,
        "login_url": mock.url(),
        "paste": true,
        "callback_url": "https://acme.my.salesforce.com/callback",
    });
    let refused = visitor.post("/api/login", wrong).await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    assert_eq!(refused.json_value().await["error"]["field"], "callback_url");

    let (id, authorize_url) = start_paste(&visitor, &mock, my_domain).await;
    assert_eq!(
        query_param(&authorize_url, "redirect_uri").as_deref(),
        Some(my_domain)
    );
    let landed = visitor.consent(&authorize_url, "allow").await;
    let pasted = visitor
        .post(
            &format!("/api/login/{id}/paste"),
            serde_json::json!({ "text": landed }),
        )
        .await;
    assert_eq!(pasted.status(), StatusCode::OK);
    let result = visitor.checked_result(&id).await;
    assert_eq!(result["status"], "captured", "{result}");
    app.stop().await;
}
