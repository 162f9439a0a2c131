//! The mock's own tests: it must behave as Salesforce does, or the tests of
//! sftoken that use it prove nothing. The helpers marked `pub(super)` serve
//! `policy_tests.rs` too.

use axum::http::StatusCode;
use base64::engine::general_purpose::STANDARD;
use serde_json::Value;

use super::*;

pub(super) const CALLBACK: &str = "http://localhost:8719/callback";

pub(super) async fn mock() -> MockSalesforce {
    mock_with(MockOptions::default()).await
}

pub(super) async fn mock_with(options: MockOptions) -> MockSalesforce {
    MockSalesforce::with_callback(CALLBACK, options).await
}

/// `GET /services/oauth2/authorize` at the mock's My Domain with its client
/// id and `params`.
async fn get_authorize(mock: &MockSalesforce, params: &[(&str, &str)]) -> reqwest::Response {
    mock.get_authorize_at(&mock.url(), params).await
}

/// The code flow to `CALLBACK` with this S256 `challenge`, then `extra`.
pub(super) fn pkce_flow<'a>(
    challenge: &'a str,
    extra: &[(&'a str, &'a str)],
) -> Vec<(&'a str, &'a str)> {
    let mut params = vec![
        ("response_type", "code"),
        ("redirect_uri", CALLBACK),
        ("code_challenge", challenge),
        ("code_challenge_method", "S256"),
    ];
    params.extend_from_slice(extra);
    params
}

/// The request id of the approval page that `page` shows.
async fn request_id_of(page: reqwest::Response) -> String {
    request_id_from_page(&page.text().await.expect("a page")).expect("a request id")
}

/// A code for `CALLBACK`, asked for with a fresh S256 challenge, as the user
/// allowed it: `(code, code_verifier)`.
async fn code_with_pkce(mock: &MockSalesforce) -> (String, String) {
    let (verifier, challenge) = pkce_pair();
    let code = mock
        .authorize_and_get_code(CALLBACK, "s", Some(&challenge))
        .await;
    (code, verifier)
}

/// `GET` a path of the mock, with a bearer token or none.
async fn get(mock: &MockSalesforce, path: &str, token: Option<&str>) -> reqwest::Response {
    let mut request = http_client().get(format!("{}{path}", mock.url()));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.expect("reach the mock")
}

/// `GET` a REST path with a bearer token: `(status, JSON body)`.
async fn get_json(mock: &MockSalesforce, path: &str, token: &str) -> (StatusCode, Value) {
    let response = get(mock, path, Some(token)).await;
    (response.status(), response.json_value().await)
}

/// `GET` the identity URL of a token answer with a bearer token.
pub(super) async fn get_identity(tokens: &Value, token: &str) -> reqwest::Response {
    http_client()
        .get(tokens["id"].as_str().expect("an id URL"))
        .bearer_auth(token)
        .send()
        .await
        .expect("reach the identity URL")
}

pub(super) fn access_token(tokens: &Value) -> String {
    tokens["access_token"]
        .as_str()
        .expect("an access token")
        .to_owned()
}

fn error_of(answer: &Value) -> (&str, &str) {
    (
        answer["error"].as_str().expect("an error"),
        answer["error_description"].as_str().expect("a description"),
    )
}

/// Asserts the token endpoint refused `case` with this `(error,
/// error_description)`.
#[track_caller]
pub(super) fn assert_refused(answer: Result<Value, Value>, expected: (&str, &str), case: &str) {
    let refused = answer.expect_err(case);
    assert_eq!(error_of(&refused), expected, "{case}");
}

#[tokio::test]
async fn mock_issues_codes_that_end_in_encoded_padding() {
    let mock = mock().await;
    let (_, challenge) = pkce_pair();
    let page = get_authorize(&mock, &pkce_flow(&challenge, &[("state", "s1")])).await;
    let html = page.text().await.expect("the approval page");
    assert!(html.contains(r#"<button id="allow" name="decision" value="allow">Allow</button>"#));
    let request_id = request_id_from_page(&html).expect("a request id");
    let callback = decide(&mock.url(), &request_id, "allow").await;
    assert_eq!(callback.status(), StatusCode::FOUND);
    let location = location(&callback);
    assert!(
        location.starts_with(&format!("{CALLBACK}?code=")),
        "{location}"
    );
    assert!(location.contains("%3D%3D&state=s1"), "{location}");
    let code = query_param(&location, "code").expect("a code");
    assert!(code.ends_with("=="));
    assert!(mock.issued_secrets().contains(&code));
    assert_eq!(mock.authorize_requests(), 1);
}

#[tokio::test]
async fn mock_token_response_has_no_expires_in() {
    let mock = mock().await;
    let tokens = mock.login(CALLBACK).await;
    let base = mock.url();
    assert!(tokens.get("expires_in").is_none(), "{tokens}");
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["instance_url"], json!(base));
    assert_eq!(tokens["id"], json!(format!("{base}/id/{ORG_ID}/{USER_ID}")));
    assert_eq!(tokens["scope"], "refresh_token api full");
    let issued_at = tokens["issued_at"].as_str().expect("issued_at is a string");
    assert!(issued_at.parse::<u64>().is_ok(), "{issued_at}");
    assert!(
        tokens["signature"]
            .as_str()
            .is_some_and(|s| STANDARD.decode(s).is_ok())
    );
    let secrets = mock.issued_secrets();
    assert!(secrets.contains(&access_token(&tokens)));
    assert!(secrets.contains(&refresh_token(&tokens)));
}

#[tokio::test]
async fn mock_records_token_requests_and_received_secrets() {
    let mock = mock().await;
    let (code, verifier) = code_with_pkce(&mock).await;
    mock.exchange_code(&code, CALLBACK, Some(&verifier))
        .await
        .expect("the exchange succeeds");
    let requests = mock.token_requests();
    assert_eq!(requests.len(), 1);
    let has = |key: &str, value: &str| requests[0].iter().any(|(k, v)| k == key && v == value);
    assert!(has("redirect_uri", CALLBACK));
    assert!(has("code_verifier", &verifier));
    assert!(has("code", &code));
    let secrets = mock.issued_secrets();
    assert!(secrets.contains(&verifier));
    assert!(secrets.contains(&mock.options().client_secret));
}

#[tokio::test]
async fn mock_rejects_a_reused_code() {
    let mock = mock().await;
    let (code, verifier) = code_with_pkce(&mock).await;
    mock.exchange_code(&code, CALLBACK, Some(&verifier))
        .await
        .expect("the first exchange succeeds");
    assert_refused(
        mock.exchange_code(&code, CALLBACK, Some(&verifier)).await,
        ("invalid_grant", "expired authorization code"),
        "the second exchange",
    );
}

#[tokio::test]
async fn mock_rejects_an_unknown_or_expired_code() {
    let mock = mock().await;
    assert_refused(
        mock.exchange_code("aPrxNotAReal==", CALLBACK, None).await,
        ("invalid_grant", "invalid authorization code"),
        "an unknown code",
    );

    let (code, verifier) = code_with_pkce(&mock).await;
    mock.expire_codes();
    assert_refused(
        mock.exchange_code(&code, CALLBACK, Some(&verifier)).await,
        ("invalid_grant", "expired authorization code"),
        "an expired code",
    );
}

#[tokio::test]
async fn mock_rejects_a_wrong_code_verifier() {
    let mock = mock().await;
    let (code, _) = code_with_pkce(&mock).await;
    let (other_verifier, _) = pkce_pair();
    assert_refused(
        mock.exchange_code(&code, CALLBACK, Some(&other_verifier))
            .await,
        ("invalid_request", "invalid code verifier"),
        "a wrong verifier",
    );
}

#[tokio::test]
async fn mock_rejects_a_missing_code_verifier_when_a_challenge_was_sent() {
    let mock = mock_with(MockOptions {
        require_pkce: false,
        ..MockOptions::default()
    })
    .await;
    let (code, _) = code_with_pkce(&mock).await;
    assert_refused(
        mock.exchange_code(&code, CALLBACK, None).await,
        ("invalid_request", "invalid code verifier"),
        "no verifier",
    );
}

#[tokio::test]
async fn mock_rejects_a_verifier_when_no_challenge_was_sent() {
    let mock = mock_with(MockOptions {
        require_pkce: false,
        ..MockOptions::default()
    })
    .await;
    let code = mock.authorize_and_get_code(CALLBACK, "s", None).await;
    let (verifier, _) = pkce_pair();
    let extra = mock
        .exchange_code(&code, CALLBACK, Some(&verifier))
        .await
        .expect_err("an unexpected verifier fails");
    assert_eq!(error_of(&extra).0, "invalid_request");
}

#[tokio::test]
async fn mock_accepts_no_pkce_when_the_app_does_not_require_it() {
    let mock = mock_with(MockOptions {
        require_pkce: false,
        ..MockOptions::default()
    })
    .await;
    let code = mock.authorize_and_get_code(CALLBACK, "s", None).await;
    let tokens = mock
        .exchange_code(&code, CALLBACK, None)
        .await
        .expect("the exchange succeeds");
    assert!(tokens["refresh_token"].is_string());
}

#[tokio::test]
async fn mock_rejects_a_redirect_uri_that_differs_from_authorize() {
    let mock = MockSalesforce::start(MockOptions {
        callback_urls: vec![
            CALLBACK.to_owned(),
            "http://localhost:8719/other".to_owned(),
        ],
        ..MockOptions::default()
    })
    .await;
    let (code, verifier) = code_with_pkce(&mock).await;
    assert_refused(
        mock.exchange_code(&code, "http://localhost:8719/other", Some(&verifier))
            .await,
        ("invalid_grant", "redirect_uri mismatch"),
        "another redirect_uri",
    );
    assert_refused(
        mock.exchange_code(&code, CALLBACK, Some(&verifier)).await,
        ("invalid_grant", "expired authorization code"),
        "the failed attempt consumed the code",
    );
}

#[tokio::test]
async fn mock_rejects_a_wrong_client_secret_without_consuming_the_code() {
    let mock = mock().await;
    let (code, verifier) = code_with_pkce(&mock).await;
    let client = (mock.options().client_id.as_str(), "not-the-secret");
    assert_refused(
        mock.exchange_code_as(client, &code, CALLBACK, Some(&verifier))
            .await,
        ("invalid_client", "invalid client credentials"),
        "a wrong secret",
    );
    assert!(mock.issued_secrets().contains(&"not-the-secret".to_owned()));
    mock.exchange_code(&code, CALLBACK, Some(&verifier))
        .await
        .expect("the code still works with the right secret");
}

#[tokio::test]
async fn mock_rejects_a_wrong_client_id_at_the_token_endpoint() {
    let mock = mock().await;
    let (code, verifier) = code_with_pkce(&mock).await;
    let client = ("3MVG9someoneElse", mock.options().client_secret.as_str());
    assert_refused(
        mock.exchange_code_as(client, &code, CALLBACK, Some(&verifier))
            .await,
        ("invalid_client_id", "client identifier invalid"),
        "a wrong client id",
    );
}

#[tokio::test]
async fn mock_accepts_http_basic_client_credentials() {
    let mock = mock().await;
    let (code, verifier) = code_with_pkce(&mock).await;
    let options = mock.options();
    let response = http_client()
        .post(format!("{}/services/oauth2/token", mock.url()))
        .basic_auth(&options.client_id, Some(&options.client_secret))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", CALLBACK),
            ("code_verifier", verifier.as_str()),
        ])
        .send()
        .await
        .expect("reach the token endpoint");
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn mock_rejects_an_unsupported_grant_type_as_json() {
    let mock = mock().await;
    let response = http_client()
        .post(format!("{}/services/oauth2/token", mock.url()))
        .form(&[("grant_type", "password")])
        .send()
        .await
        .expect("reach the token endpoint");
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let content_type = response.headers()[header::CONTENT_TYPE].clone();
    assert_eq!(content_type, "application/json");
    assert_eq!(
        error_of(&response.json_value().await),
        ("unsupported_grant_type", "grant type not supported")
    );
}

#[tokio::test]
async fn mock_sends_authorize_errors_back_to_the_callback_with_the_state() {
    let (_, challenge) = pkce_pair();
    let strict_scopes = MockOptions {
        app_scopes: vec!["api".to_owned()],
        ..MockOptions::default()
    };
    let cases = [
        (
            "PKCE is required when the app requires it",
            MockOptions::default(),
            vec![("response_type", "code"), ("redirect_uri", CALLBACK)],
            "error=invalid_request&error_description=missing+required+code+challenge",
        ),
        (
            "only the S256 challenge method is accepted",
            MockOptions::default(),
            vec![
                ("response_type", "code"),
                ("redirect_uri", CALLBACK),
                ("code_challenge", "abc"),
                ("code_challenge_method", "plain"),
            ],
            "error=invalid_request&error_description=invalid+code+challenge+method",
        ),
        (
            "an unsupported response type",
            MockOptions::default(),
            vec![("response_type", "token"), ("redirect_uri", CALLBACK)],
            "error=unsupported_response_type&error_description=response+type+not+supported",
        ),
        (
            "a scope the app lacks, when strict",
            strict_scopes,
            pkce_flow(&challenge, &[("scope", "api refresh_token")]),
            "error=invalid_scope&error_description=the+requested+scope+is+not+allowed",
        ),
    ];
    for (case, options, mut params, error) in cases {
        let mock = mock_with(options).await;
        params.push(("state", "xyz"));

        let response = get_authorize(&mock, &params).await;

        assert_eq!(response.status(), StatusCode::FOUND, "{case}");
        assert_eq!(
            location(&response),
            format!("{CALLBACK}?{error}&state=xyz"),
            "{case}"
        );
    }
}

#[tokio::test]
async fn mock_shows_its_own_page_for_an_unknown_client_id() {
    let mock = mock().await;
    let response = http_client()
        .get(format!(
            "{}/services/oauth2/authorize?response_type=code&client_id=nope&redirect_uri={CALLBACK}",
            mock.url()
        ))
        .send()
        .await
        .expect("reach the authorize endpoint");
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let html = response.text().await.expect("a page");
    assert!(html.contains("error=invalid_client_id"));
    assert!(html.contains("client identifier invalid"));
}

#[tokio::test]
async fn mock_shows_its_own_page_for_an_unregistered_redirect_uri() {
    let mock = mock().await;
    // Same path, other host: not byte-identical, so refused.
    let response = get_authorize(
        &mock,
        &[
            ("response_type", "code"),
            ("redirect_uri", "http://127.0.0.1:8719/callback"),
        ],
    )
    .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(response.headers().get(header::LOCATION).is_none());
    let html = response.text().await.expect("a page");
    assert!(html.contains("error=redirect_uri_mismatch"));
    assert!(html.contains("redirect_uri must match configuration"));
}

#[tokio::test]
async fn mock_redirects_access_denied_when_the_user_denies() {
    let mock = mock().await;
    let (_, challenge) = pkce_pair();
    let page = get_authorize(&mock, &pkce_flow(&challenge, &[("state", "st")])).await;
    let request_id = request_id_of(page).await;

    let denied = decide(&mock.url(), &request_id, "deny").await;
    assert_eq!(
        location(&denied),
        format!(
            "{CALLBACK}?error=access_denied&error_description=end-user+denied+authorization&state=st"
        )
    );
    let again = decide(&mock.url(), &request_id, "deny").await;
    assert_eq!(
        again.status(),
        StatusCode::BAD_REQUEST,
        "a request is answered once"
    );
}

#[tokio::test]
async fn mock_grants_no_refresh_token_without_the_scope_when_lenient() {
    let mock = mock_with(MockOptions {
        app_scopes: vec!["api".to_owned(), "full".to_owned()],
        strict_scopes: false,
        ..MockOptions::default()
    })
    .await;
    let (verifier, challenge) = pkce_pair();
    let scope = [("scope", "refresh_token api full")];
    let page = get_authorize(&mock, &pkce_flow(&challenge, &scope)).await;
    let request_id = request_id_of(page).await;
    let callback = decide(&mock.url(), &request_id, "allow").await;
    let code = query_param(&location(&callback), "code").expect("a code");
    let tokens = mock
        .exchange_code(&code, CALLBACK, Some(&verifier))
        .await
        .expect("the exchange succeeds");
    assert!(tokens.get("refresh_token").is_none(), "{tokens}");
    assert_eq!(tokens["scope"], "api full");
}

#[tokio::test]
async fn mock_treats_offline_access_as_refresh_token() {
    let mock = mock().await;
    let (_, challenge) = pkce_pair();
    let scope = [("scope", "offline_access api")];
    let response = get_authorize(&mock, &pkce_flow(&challenge, &scope)).await;
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn mock_keeps_the_refresh_token_without_rotation() {
    let mock = mock().await;
    let refresh_token = refresh_token(&mock.login(CALLBACK).await);
    let refreshed = mock.refresh(&refresh_token).await.expect("a refresh works");
    assert!(refreshed.get("refresh_token").is_none());
    assert!(refreshed.get("expires_in").is_none());
    assert_eq!(refreshed["instance_url"], json!(mock.url()));
    mock.refresh(&refresh_token)
        .await
        .expect("the refresh token keeps working");
}

#[tokio::test]
async fn mock_rotation_replaces_the_refresh_token() {
    let mock = mock_with(MockOptions {
        rotation: true,
        ..MockOptions::default()
    })
    .await;
    let old = refresh_token(&mock.login(CALLBACK).await);
    let refreshed = mock.refresh(&old).await.expect("a refresh works");
    let new = refresh_token(&refreshed);
    assert_ne!(old, new);
    assert!(!mock.refresh_token_is_live(&old));
    assert!(mock.refresh_token_is_live(&new));
    assert_refused(
        mock.refresh(&old).await,
        ("invalid_grant", "expired access/refresh token"),
        "the old one is dead",
    );
    mock.refresh(&new).await.expect("the new one works");
}

#[tokio::test]
async fn mock_refresh_needs_the_client_secret() {
    let mock = mock().await;
    let refresh_token = refresh_token(&mock.login(CALLBACK).await);
    assert_refused(
        mock.token_call(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", &refresh_token),
            ("client_id", &mock.options().client_id),
        ])
        .await,
        ("invalid_client", "invalid client credentials"),
        "no secret",
    );
}

#[tokio::test]
async fn mock_revoking_a_refresh_token_kills_it_and_its_access_tokens() {
    let mock = mock().await;
    let tokens = mock.login(CALLBACK).await;
    let revoke = |token: String| {
        http_client()
            .post(format!("{}/services/oauth2/revoke", mock.url()))
            .form(&[("token", token)])
            .send()
    };
    let response = revoke(refresh_token(&tokens)).await.expect("reach revoke");
    assert_eq!(response.status(), StatusCode::OK);
    assert_refused(
        mock.refresh(&refresh_token(&tokens)).await,
        ("invalid_grant", "expired access/refresh token"),
        "a revoked token",
    );
    let (status, _) = get_json(
        &mock,
        "/services/data/v62.0/query?q=SELECT+Id+FROM+Organization",
        &access_token(&tokens),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let unknown = revoke("nothing".to_owned()).await.expect("reach revoke");
    assert_eq!(unknown.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        error_of(&unknown.json_value().await),
        ("invalid_token", "invalid token")
    );
}

#[tokio::test]
async fn mock_identity_needs_a_valid_bearer_token() {
    let mock = mock().await;
    let tokens = mock.login(CALLBACK).await;
    let response = get_identity(&tokens, &access_token(&tokens)).await;
    assert_eq!(response.status(), StatusCode::OK);
    let identity = response.json_value().await;
    assert_eq!(identity["username"], USERNAME);
    assert_eq!(identity["organization_id"], ORG_ID);
    assert_eq!(identity["user_type"], "STANDARD");
    assert_eq!(
        identity["urls"]["rest"],
        json!(format!("{}/services/data/v{{version}}/", mock.url()))
    );

    let refused = get_identity(&tokens, "00DMOCK000000001!AQbogus").await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert_eq!(refused.text().await.expect("a body"), "Bad_OAuth_Token");
}

#[tokio::test]
async fn mock_lists_api_versions_without_auth() {
    let mock = mock().await;
    let versions = get(&mock, "/services/data/", None).await.json_value().await;
    let versions = versions.as_array().expect("an array");
    assert_eq!(versions.len(), 5);
    assert_eq!(versions[0]["version"], "62.0");
    assert_eq!(versions[4]["url"], "/services/data/v66.0");
}

#[tokio::test]
async fn mock_pages_users_and_counts_them_all() {
    let mock = mock_with(MockOptions {
        users: 4_500,
        ..MockOptions::default()
    })
    .await;
    let token = access_token(&mock.login(CALLBACK).await);
    let mut path = "/services/data/v64.0/query?q=SELECT+Id,Email+FROM+User".to_owned();
    let mut pages = 0;
    let mut seen = HashSet::new();
    loop {
        let (status, page) = get_json(&mock, &path, &token).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        pages += 1;
        assert_eq!(page["totalSize"], 4_500);
        for record in page["records"].as_array().expect("records") {
            assert_eq!(record["attributes"]["type"], "User");
            let id = record["Id"].as_str().expect("an Id").to_owned();
            assert!(seen.insert(id), "each record appears once");
        }
        if page["done"] == true {
            assert!(page.get("nextRecordsUrl").is_none());
            break;
        }
        path = page["nextRecordsUrl"]
            .as_str()
            .expect("a relative nextRecordsUrl")
            .to_owned();
        assert!(path.starts_with("/services/data/v64.0/query/"), "{path}");
    }
    assert_eq!(pages, 3);
    assert_eq!(seen.len(), 4_500);
}

#[tokio::test]
async fn mock_users_have_odd_data_and_filter_on_is_active() {
    let mock = mock_with(MockOptions {
        users: 40,
        ..MockOptions::default()
    })
    .await;
    let token = access_token(&mock.login(CALLBACK).await);
    let (_, all) = get_json(
        &mock,
        "/services/data/v62.0/query?q=SELECT+Id+FROM+User",
        &token,
    )
    .await;
    let records = all["records"].as_array().expect("records");
    assert!(records[0]["Email"].is_null());
    let has = |key: &str, test: &dyn Fn(&Value) -> bool| records.iter().any(|r| test(&r[key]));
    assert!(has("Email", &|e| e
        .as_str()
        .is_some_and(|e| e.ends_with("@ACME.COM"))));
    assert!(has("UserType", &|t| t == "PowerPartner"));
    assert!(has("UserType", &|t| t == "CsnOnly"));
    assert!(has("IsActive", &|a| a == false));

    let (_, active) = get_json(
        &mock,
        "/services/data/v62.0/query?q=select+Id+from+user+where+IsActive+%3D+TRUE",
        &token,
    )
    .await;
    let active_records = active["records"].as_array().expect("records");
    assert!(active_records.iter().all(|r| r["IsActive"] == true));
    assert_eq!(active["totalSize"], json!(active_records.len()));
    assert!(active_records.len() < records.len());

    let (_, count) = get_json(
        &mock,
        "/services/data/v62.0/query?q=SELECT+COUNT()+FROM+User",
        &token,
    )
    .await;
    assert_eq!(count["totalSize"], 40);
}

#[tokio::test]
async fn mock_answers_the_organization_and_licenses() {
    let mock = mock().await;
    let token = access_token(&mock.login(CALLBACK).await);
    let (_, org) = get_json(
        &mock,
        "/services/data/v62.0/query?q=SELECT+Id,Name+FROM+Organization",
        &token,
    )
    .await;
    assert_eq!(org["records"][0]["Name"], "Acme Mock Inc");
    assert_eq!(
        org["records"][0]["attributes"]["url"],
        json!(format!(
            "/services/data/v62.0/sobjects/Organization/{ORG_ID}"
        ))
    );
    for object in ["UserLicense", "PermissionSetLicense"] {
        let (status, answer) = get_json(
            &mock,
            &format!("/services/data/v62.0/query?q=SELECT+Id+FROM+{object}"),
            &token,
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert!(answer["totalSize"].as_u64().is_some_and(|n| n >= 2));
    }
}

#[tokio::test]
async fn mock_answers_invalid_session_for_a_bad_token() {
    let mock = mock().await;
    let (status, body) = get_json(
        &mock,
        "/services/data/v62.0/query?q=SELECT+Id+FROM+Organization",
        "bogus",
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body[0]["errorCode"], "INVALID_SESSION_ID");
    assert_eq!(body[0]["message"], "Session expired or invalid");
}

#[tokio::test]
async fn mock_reports_api_disabled() {
    let mock = mock_with(MockOptions {
        api_disabled: true,
        ..MockOptions::default()
    })
    .await;
    let token = access_token(&mock.login(CALLBACK).await);
    let (status, body) = get_json(
        &mock,
        "/services/data/v62.0/query?q=SELECT+Id+FROM+Organization",
        &token,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body[0]["errorCode"], "API_DISABLED_FOR_ORG");
    assert_eq!(
        body[0]["message"],
        "The REST API is not enabled for this Organization."
    );
}

#[tokio::test]
async fn mock_rejects_malformed_and_unknown_queries() {
    let mock = mock().await;
    let token = access_token(&mock.login(CALLBACK).await);
    let (status, body) = get_json(&mock, "/services/data/v62.0/query?q=SELECT+Id", &token).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body[0]["errorCode"], "MALFORMED_QUERY");
    let (status, body) = get_json(
        &mock,
        "/services/data/v62.0/query?q=SELECT+Id+FROM+Widget__c",
        &token,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body[0]["errorCode"], "INVALID_TYPE");
}

#[tokio::test]
async fn mock_answers_404_elsewhere() {
    let mock = mock().await;
    for path in [
        "/",
        "/services/oauth2/userinfo",
        "/services/data/v62.0/sobjects",
        "/services/oauth2/token",
    ] {
        let response = get(&mock, path, None).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
    }
}

/// A SOQL query on the mock at API v62.0: `(status, body)`.
async fn query(mock: &MockSalesforce, token: &str, soql: &str) -> (StatusCode, Value) {
    let path = format!(
        "/services/data/v62.0/query?q={}",
        url::form_urlencoded::byte_serialize(soql.as_bytes()).collect::<String>()
    );
    get_json(mock, &path, token).await
}

const PERMISSIONS: &str = "SELECT PermissionsApiEnabled, PermissionsViewSetup, PermissionsViewAllUsers FROM UserPermissionAccess";

#[tokio::test]
async fn mock_answers_the_users_own_permissions_as_its_options_set_them() {
    for (view_setup, view_all_users) in [(true, true), (false, true), (true, false)] {
        let mock = mock_with(MockOptions {
            view_setup,
            view_all_users,
            ..MockOptions::default()
        })
        .await;
        let token = access_token(&mock.login(CALLBACK).await);
        let (status, answer) = query(&mock, &token, PERMISSIONS).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        assert_eq!(answer["totalSize"], 1, "the session's own record");
        let record = &answer["records"][0];
        assert_eq!(record["attributes"]["type"], "UserPermissionAccess");
        assert_eq!(record["PermissionsApiEnabled"], true);
        assert_eq!(record["PermissionsViewSetup"], view_setup, "{record}");
        assert_eq!(
            record["PermissionsViewAllUsers"], view_all_users,
            "{record}"
        );
    }
    let defaults = MockOptions::default();
    assert!(defaults.view_setup && defaults.view_all_users && defaults.profile_refused.is_none());
}

#[tokio::test]
async fn mock_without_view_all_users_leaves_external_users_out_of_user_queries() {
    let count = |view_all_users| async move {
        let mock = mock_with(MockOptions {
            users: 40,
            view_all_users,
            ..MockOptions::default()
        })
        .await;
        let token = access_token(&mock.login(CALLBACK).await);
        let (_, answer) = query(&mock, &token, "SELECT Id, UserType FROM User").await;
        let types: Vec<String> = answer["records"]
            .as_array()
            .expect("records")
            .iter()
            .map(|r| r["UserType"].as_str().expect("type").to_owned())
            .collect();
        assert_eq!(answer["totalSize"], json!(types.len()));
        let (_, counted) = query(&mock, &token, "SELECT COUNT() FROM User").await;
        assert_eq!(
            counted["totalSize"],
            json!(types.len()),
            "COUNT() sees the same"
        );
        types
    };
    let everyone = count(true).await;
    let shared = count(false).await;
    assert_eq!(everyone.len(), 40);
    assert!(shared.len() < everyone.len(), "{shared:?}");
    assert!(shared.iter().any(|t| t == "Standard"), "{shared:?}");
    for external in [
        "PowerPartner",
        "CspLitePortal",
        "CustomerSuccess",
        "PowerCustomerSuccess",
    ] {
        assert!(everyone.iter().any(|t| t == external), "{external}");
        assert!(!shared.iter().any(|t| t == external), "{external}");
    }
}

#[tokio::test]
async fn mock_answers_profiles_or_refuses_them_in_salesforces_error_shape() {
    let soql = "SELECT Id, Name, UserLicenseId FROM Profile";
    let mock = mock().await;
    let token = access_token(&mock.login(CALLBACK).await);
    let (status, answer) = query(&mock, &token, soql).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["totalSize"], 4);
    assert_eq!(answer["records"][0]["Name"], "System Administrator");
    assert_eq!(answer["records"][0]["attributes"]["type"], "Profile");

    for (code, expected) in [
        ("INVALID_TYPE", StatusCode::BAD_REQUEST),
        ("INSUFFICIENT_ACCESS", StatusCode::FORBIDDEN),
    ] {
        let mock = mock_with(MockOptions {
            profile_refused: Some(code),
            ..MockOptions::default()
        })
        .await;
        let token = access_token(&mock.login(CALLBACK).await);
        let (status, body) = query(&mock, &token, soql).await;
        assert_eq!(status, expected, "{code}");
        assert_eq!(body[0]["errorCode"], code);
        assert!(body[0]["message"].as_str().is_some_and(|m| !m.is_empty()));
        let (status, _) = query(&mock, &token, PERMISSIONS).await;
        assert_eq!(status, StatusCode::OK, "only Profile is refused");
    }
}

#[tokio::test]
async fn mock_counts_every_rest_request_refused_or_not() {
    let mock = mock_with(MockOptions {
        users: 3,
        page_size: 2,
        ..MockOptions::default()
    })
    .await;
    let token = access_token(&mock.login(CALLBACK).await);
    assert_eq!(mock.rest_requests(), 0, "OAuth calls are not REST requests");
    let (_, versions) = get_json(&mock, "/services/data/", &token).await;
    assert!(versions.is_array());
    let (_, first) = query(&mock, &token, "SELECT Id FROM User").await;
    let next = first["nextRecordsUrl"].as_str().expect("a second page");
    get_json(&mock, next, &token).await;
    query(&mock, "bogus", "SELECT Id FROM Organization").await;
    assert_eq!(mock.rest_requests(), 4);
}

/// The Composite resource: one REST request for up to 5 queries, each
/// answered on its own; a sixth query, or another version, is refused.
#[tokio::test]
async fn mock_composite_answers_up_to_five_queries_in_one_request() {
    let mock = mock_with(MockOptions {
        app_policy: None,
        ..MockOptions::default()
    })
    .await;
    let token = access_token(&mock.login(CALLBACK).await);
    let post = |body: Value| {
        let request = http_client()
            .post(format!("{}/services/data/v66.0/composite", mock.url()))
            .bearer_auth(&token)
            .header("content-type", "application/json")
            .body(body.to_string());
        async move {
            let response = request.send().await.expect("reach the mock");
            (response.status(), response.json_value().await)
        }
    };
    let query = |n: usize, soql: &str, version: &str| {
        let soql = soql.replace(' ', "+");
        json!({"method": "GET", "url": format!("/services/data/{version}/query?q={soql}"), "referenceId": format!("q{n}")})
    };
    let before = mock.rest_requests();
    let (status, answer) = post(json!({"compositeRequest": [
        query(0, "SELECT Id FROM Organization", "v66.0"),
        query(1, "SELECT AppName FROM OauthToken", "v66.0"),
        query(2, "SELECT Id FROM ExtlClntAppOauthPlcyCnfg", "v66.0"),
        query(3, "SELECT Id FROM Organization", "v62.0"),
    ]}))
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(
        mock.rest_requests() - before,
        1,
        "one request for the daily limit"
    );
    let subs = answer["compositeResponse"].as_array().expect("answers");
    assert_eq!(subs[0]["httpStatusCode"], 200);
    assert_eq!(subs[0]["referenceId"], "q0");
    assert_eq!(
        subs[1]["body"]["records"][1]["AppName"],
        "Snow Atlas Connector"
    );
    assert_eq!(subs[2]["httpStatusCode"], 400);
    assert_eq!(subs[2]["body"][0]["errorCode"], "INVALID_TYPE");
    assert_eq!(subs[3]["httpStatusCode"], 400, "another version: {answer}");

    let six: Vec<Value> = (0..6)
        .map(|n| query(n, "SELECT Id FROM Organization", "v66.0"))
        .collect();
    let (status, _) = post(json!({"compositeRequest": six})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "at most five queries");
}
