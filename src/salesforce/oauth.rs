//! The OAuth endpoints: the authorize URL the browser opens, the token
//! endpoint (code exchange with PKCE, refresh, revoke) and the identity URL.

use serde::Deserialize;

use super::http::{Limit, get_json, host_of, post_form};
use super::{Credentials, Http, SCOPES, SalesforceError};
use crate::login_url::LoginUrl;
use crate::plain_text::hides_or_moves;
use crate::secret::{AccessToken, AuthCode, OAuthState, PkceVerifier, RefreshToken};

/// The token endpoint's success JSON. Salesforce sends no `expires_in`, and a
/// `refresh_token` only from a code exchange with that scope, or from a refresh
/// with Refresh Token Rotation on.
#[derive(Deserialize)]
pub struct Tokens {
    pub access_token: AccessToken,
    pub refresh_token: Option<RefreshToken>,
    #[serde(default)]
    pub scope: String,
    pub instance_url: String,
    /// The identity URL, `https://login.salesforce.com/id/{orgId}/{userId}`.
    pub id: String,
}

/// The identity URL's answer, as far as sftoken uses it.
#[derive(Deserialize)]
pub struct Identity {
    pub user_id: String,
    pub username: String,
    #[serde(default)]
    pub display_name: String,
}

/// `{login}/services/oauth2/authorize?...` with PKCE S256, the connector's
/// scopes and `prompt=login`.
///
/// `prompt=login` makes Salesforce ask for a fresh login even when the
/// browser is still signed in, as Salesforce's own CLI does (sfdx-core,
/// `AuthInfo.getAuthorizationUrl`). A session of another org or another
/// user is then never reused by accident, which would approve the app for
/// the wrong user or fail with `OAUTH_AUTHORIZATION_BLOCKED`.
/// `select_account` only offers a choice of account, and can go on with the
/// session the browser holds (docs/salesforce.md).
pub fn authorize_url(
    credentials: &Credentials,
    redirect_uri: &str,
    state: &OAuthState,
    verifier: &PkceVerifier,
) -> String {
    let mut url = url::Url::parse(&credentials.login_url.endpoint("/services/oauth2/authorize"))
        .expect("a login URL is a valid origin");
    url.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", credentials.client_id.as_str())
        .append_pair("redirect_uri", redirect_uri)
        .append_pair("scope", SCOPES)
        .append_pair("prompt", "login")
        .append_pair("state", state.expose())
        .append_pair("code_challenge", &verifier.challenge())
        .append_pair("code_challenge_method", "S256");
    url.into()
}

/// Exchanges an authorization code, with the same `redirect_uri` as the
/// authorize request and the PKCE verifier.
pub async fn exchange_code(
    http: &Http,
    credentials: &Credentials,
    code: &AuthCode,
    redirect_uri: &str,
    verifier: &PkceVerifier,
) -> Result<Tokens, SalesforceError> {
    let grant = [
        ("grant_type", "authorization_code"),
        ("code", code.expose()),
        ("redirect_uri", redirect_uri),
        ("code_verifier", verifier.expose()),
    ];
    token_grant(http, credentials, &grant).await
}

/// The refresh grant, exactly as the Snow Atlas connector runs it.
pub async fn refresh(
    http: &Http,
    credentials: &Credentials,
    refresh_token: &RefreshToken,
) -> Result<Tokens, SalesforceError> {
    let grant = [
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh_token.expose()),
    ];
    token_grant(http, credentials, &grant)
        .await
        .map_err(SalesforceError::of_refresh)
}

/// A token request, with the client's credentials in the body (`client_secret_post`).
async fn token_grant(
    http: &Http,
    credentials: &Credentials,
    grant: &[(&str, &str)],
) -> Result<Tokens, SalesforceError> {
    let client = [
        ("client_id", credentials.client_id.as_str()),
        ("client_secret", credentials.client_secret.expose()),
    ];
    let form: Vec<(&str, &str)> = grant.iter().chain(&client).copied().collect();
    let path = "/services/oauth2/token";
    let tokens: Tokens = post_form(http, &credentials.login_url, path, &form).await?;
    // A refresh token is printed alone on its line (Copy all, `check` after a
    // rotation): one that could end that line, and forge the next, or drive
    // the terminal is no token Salesforce issues.
    let refresh_token = tokens.refresh_token.as_ref().map(RefreshToken::expose);
    if refresh_token.is_some_and(|token| token.chars().any(hides_or_moves)) {
        return Err(SalesforceError::Unexpected {
            host: host_of(&credentials.login_url.endpoint(path)),
            status: 200,
            what: "a refresh token holding control characters".to_owned(),
        });
    }
    Ok(tokens)
}

/// Revokes a refresh token (and with it its access tokens).
pub async fn revoke(
    http: &Http,
    login_url: &LoginUrl,
    token: &RefreshToken,
) -> Result<(), SalesforceError> {
    let form = [("token", token.expose())];
    post_form::<serde::de::IgnoredAny>(http, login_url, "/services/oauth2/revoke", &form)
        .await
        .map(|_| ())
}

/// Reads the identity URL with an access token, if the login URL trusts its host.
pub async fn identity(
    http: &Http,
    login_url: &LoginUrl,
    url: &str,
    access_token: &AccessToken,
) -> Result<Identity, SalesforceError> {
    get_json(http, login_url, url, access_token, Limit::OAuth).await
}

/// `https://login.salesforce.com/id/{orgId}/{userId}` → (orgId, userId).
pub fn ids_from_identity_url(url: &str) -> (String, String) {
    let mut parts = url.trim_end_matches('/').rsplit('/');
    let user = parts.next().unwrap_or_default().to_owned();
    let org = parts.next().unwrap_or_default().to_owned();
    (org, user)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client_id::ClientId;
    use crate::login_url::HostPolicy;
    use crate::secret::ClientSecret;

    #[test]
    fn the_authorize_url_carries_pkce_scopes_and_state() {
        let credentials = Credentials {
            client_id: ClientId::parse("3MVG9+key&x=").expect("a key"),
            client_secret: ClientSecret::new("s"),
            login_url: LoginUrl::parse("https://acme.my.salesforce.com", HostPolicy::Salesforce)
                .expect("url"),
        };
        let verifier = PkceVerifier::new("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
        let url = authorize_url(
            &credentials,
            "http://localhost:8719/callback",
            &OAuthState::new("st"),
            &verifier,
        );
        let parsed = url::Url::parse(&url).expect("url");
        assert_eq!(parsed.path(), "/services/oauth2/authorize");
        assert_eq!(parsed.host_str(), Some("acme.my.salesforce.com"));
        let query: std::collections::HashMap<_, _> = parsed.query_pairs().into_owned().collect();
        assert_eq!(query["response_type"], "code");
        assert_eq!(query["client_id"], "3MVG9+key&x=");
        assert_eq!(query["redirect_uri"], "http://localhost:8719/callback");
        assert_eq!(query["scope"], "refresh_token api full");
        assert_eq!(query["prompt"], "login");
        assert_eq!(query["state"], "st");
        assert_eq!(
            query["code_challenge"],
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        assert_eq!(query["code_challenge_method"], "S256");
    }

    #[test]
    fn org_and_user_ids_come_from_the_identity_url() {
        assert_eq!(
            ids_from_identity_url(
                "https://login.salesforce.com/id/00Dxx0000001gPL/005xx000001X8Uz"
            ),
            ("00Dxx0000001gPL".to_owned(), "005xx000001X8Uz".to_owned())
        );
    }
}
