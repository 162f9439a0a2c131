//! The token check: the refresh grant at the Login URL the settings show and,
//! when that is a My Domain with a generic host (login.salesforce.com,
//! test.salesforce.com), there too, so the Login URL shown is one that was
//! just proven to work. A Local External Client App lives only in its own org,
//! and integrations report the generic hosts refusing it; where both work,
//! sftoken shows the generic host (docs/salesforce.md, "The Login URL shown").
//!
//! The second grant costs one more token request (an OAuth call, not a REST
//! API request counted against the org's daily limit), and only for a My Domain.

use super::NEEDED_SCOPES;
use crate::login_url::{Environment, LoginUrl};
use crate::salesforce::{self, Advice, Credentials, Http, SalesforceError, Tokens};
use crate::secret::RefreshToken;
use crate::signin::Connection;
use crate::signin::report::{LoginUrlTried, TokenCheck, said};

/// Salesforce's refresh grant, or a stand-in for it in tests.
pub(super) trait Grant: Fn(Credentials, RefreshToken) -> Self::Answer {
    type Answer: Future<Output = Result<Tokens, SalesforceError>> + Send;
}

impl<F, A> Grant for F
where
    F: Fn(Credentials, RefreshToken) -> A,
    A: Future<Output = Result<Tokens, SalesforceError>> + Send,
{
    type Answer = A;
}

/// The refresh grant at Salesforce, as the Snow Atlas connector runs it.
pub(super) fn at_salesforce(http: &Http) -> impl Grant {
    move |credentials: Credentials, token: RefreshToken| {
        let http = http.clone();
        async move { salesforce::refresh(&http, &credentials, &token).await }
    }
}

/// Runs the refresh grant at the connection's Login URL, then at its generic
/// host if it has one. `Err` (the first Login URL's refusal) when the grant
/// worked nowhere.
pub(super) async fn refresh_grants(
    grant: impl Grant,
    connection: &Connection,
) -> Result<(Tokens, TokenCheck), SalesforceError> {
    let mine = &connection.credentials.login_url;
    let generic = mine.generic_host();
    let at_mine = grant_at(&grant, connection, mine).await;
    let at_generic = match &generic {
        Some(generic) => Some(grant_at(&grant, connection, generic).await),
        None => None,
    };
    let refused = |result: &Result<Tokens, SalesforceError>| {
        result.as_ref().err().map(SalesforceError::advice)
    };
    let mine_refused = refused(&at_mine);
    let generic_tried = generic.zip(at_generic.as_ref().map(refused));
    let rotated = std::iter::once(&at_mine)
        .chain(at_generic.as_ref())
        .any(|result| matches!(result, Ok(t) if t.refresh_token.is_some()));
    let tokens = match (at_mine, at_generic) {
        (Ok(tokens), _) | (Err(_), Some(Ok(tokens))) => tokens,
        (Err(refusal), _) => return Err(refusal),
    };
    let (shown, reason) = recommend(
        (mine, mine_refused.as_ref()),
        generic_tried
            .as_ref()
            .map(|(g, refused)| (g, refused.as_ref())),
    );
    let mut check = token_check(&tokens.scope, rotated, &shown);
    check.login_url_reason = reason;
    check.login_urls_tried = std::iter::once((mine.clone(), mine_refused))
        .chain(generic_tried)
        .map(|(login_url, refused)| LoginUrlTried {
            login_url: login_url.to_string(),
            refused,
        })
        .collect();
    Ok((tokens, check))
}

/// One refresh grant at `login_url`, with the connection's newest refresh
/// token. With Refresh Token Rotation each grant hands out a new token and
/// kills the one it used; the connection keeps the new one, so the token
/// shown is always the newest.
async fn grant_at(
    grant: &impl Grant,
    connection: &Connection,
    login_url: &LoginUrl,
) -> Result<Tokens, SalesforceError> {
    let credentials = Credentials {
        login_url: login_url.clone(),
        ..connection.credentials.clone()
    };
    let tokens = grant(credentials, connection.refresh_token()).await?;
    if let Some(newest) = &tokens.refresh_token {
        connection.replace_refresh_token(newest.clone());
    }
    Ok(tokens)
}

/// Which Login URL to show, and why in one line when there was a choice:
/// the generic host only when the grant worked there, else the sign-in's own
/// (`mine`). Each comes with why the grant did not work there, if it did not.
/// Where it worked nowhere, the check fails before anything is shown.
fn recommend(
    (mine, mine_refused): (&LoginUrl, Option<&Advice>),
    generic: Option<(&LoginUrl, Option<&Advice>)>,
) -> (LoginUrl, Option<String>) {
    let Some((generic, generic_refused)) = generic else {
        return (mine.clone(), None);
    };
    match (mine_refused, generic_refused) {
        (None, None) => (
            generic.clone(),
            Some(format!(
                "Token refresh works at both {mine} and {generic}; sftoken shows {generic}, {}.",
                generic_words(generic)
            )),
        ),
        (None, Some(refused)) => (
            mine.clone(),
            Some(format!(
                "Token refresh works only at your My Domain, {mine}; at {generic}, {}.",
                said(refused)
            )),
        ),
        (Some(refused), None) => (
            generic.clone(),
            Some(format!(
                "Token refresh works only at {generic}; at your My Domain, {mine}, {}.",
                said(refused)
            )),
        ),
        (Some(_), Some(_)) => (mine.clone(), None),
    }
}

/// What the generic host is, as far as Salesforce's sources say.
fn generic_words(generic: &LoginUrl) -> &'static str {
    match generic.environment() {
        Some(Environment::Production) => "Salesforce's generic login URL for production",
        Some(Environment::Sandbox) => "Salesforce's generic login URL for sandboxes",
        None => "the generic login URL",
    }
}

fn token_check(granted: &str, rotated: bool, login_url: &LoginUrl) -> TokenCheck {
    let scopes_granted: Vec<String> = granted.split_whitespace().map(str::to_owned).collect();
    let has = |scope: &str| {
        scopes_granted
            .iter()
            .any(|g| g == scope || (scope == "refresh_token" && g == "offline_access"))
    };
    let missing: Vec<(&str, &str)> = NEEDED_SCOPES
        .iter()
        .copied()
        .filter(|(scope, _)| !has(scope))
        .collect();
    TokenCheck {
        login_url: login_url.to_string(),
        login_urls_tried: Vec::new(),
        login_url_reason: None,
        rotated,
        scopes_granted,
        scopes_missing: missing.iter().map(|(scope, _)| (*scope).to_owned()).collect(),
        scope_fixes: missing
            .iter()
            .map(|(_, label)| {
                format!("In the External Client App's OAuth Settings, add the scope \"{label}\", save, wait up to 10 minutes and sign in again.")
            })
            .collect(),
        warning: rotated.then(|| {
            "Refresh Token Rotation is on: every refresh returns a new refresh token and the old one stops working. The token shown here is the newest; once Snow Atlas refreshes, this one dies too, and the connector can lose its token. Turn rotation off in the External Client App's settings for the connector.".to_owned()
        }),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;
    use crate::login_url::{HostPolicy, PRODUCTION};

    fn url(text: &str) -> LoginUrl {
        LoginUrl::parse(text, HostPolicy::Salesforce).expect("url")
    }

    #[test]
    fn missing_scopes_are_named_with_their_screen_label() {
        let login_url = url("https://acme.my.salesforce.com");
        let check = token_check("api refresh_token", false, &login_url);
        assert_eq!(check.login_url, "https://acme.my.salesforce.com");
        assert_eq!(check.scopes_missing, ["full"]);
        assert!(check.scope_fixes[0].contains("Full access (full)"));
        assert!(
            token_check("offline_access api full", false, &login_url)
                .scopes_missing
                .is_empty()
        );
        assert!(
            token_check("api full refresh_token", true, &login_url)
                .warning
                .is_some()
        );
    }

    #[test]
    fn the_generic_host_is_shown_only_where_the_grant_worked_and_the_reason_says_why() {
        let mine = url("https://acme.my.salesforce.com");
        let generic = mine.generic_host().expect("a production My Domain has one");
        let mut not_installed = Advice::new("The app is not in this org", "Why.", "Fix.");
        not_installed.code = Some("app_not_found".to_owned());
        not_installed.description =
            Some("External client app is\nnot installed in this org".to_owned());
        let shown = |mine_refused, generic_refused| {
            let (shown, reason) =
                recommend((&mine, mine_refused), Some((&generic, generic_refused)));
            (shown.to_string(), reason.expect("a reason"))
        };

        let (both, why) = shown(None, None);
        assert_eq!(both, PRODUCTION);
        assert!(why.contains("works at both"), "{why}");
        assert!(why.contains("generic login URL for production"), "{why}");

        let (only_mine, why) = shown(None, Some(&not_installed));
        assert_eq!(only_mine, mine.as_str());
        assert_eq!(
            why,
            "Token refresh works only at your My Domain, https://acme.my.salesforce.com; at https://login.salesforce.com, Salesforce answered app_not_found: External client app is not installed in this org."
        );

        let (only_generic, why) = shown(Some(&not_installed), None);
        assert_eq!(only_generic, PRODUCTION);
        assert!(why.starts_with("Token refresh works only at https://login.salesforce.com;"));
    }

    #[test]
    fn without_a_generic_host_the_login_url_is_shown_with_no_reason() {
        let sandbox = url("https://test.salesforce.com");
        assert_eq!(sandbox.generic_host(), None);
        let (shown, reason) = recommend((&sandbox, None), None);
        assert_eq!((shown, reason), (sandbox, None));
    }

    /// The live refresh tokens, and the Login URL and token of each grant.
    type Seen = Arc<Mutex<(Vec<String>, Vec<String>)>>;

    /// A stand-in for Salesforce with Refresh Token Rotation on: each grant
    /// kills the token it used and hands out a new one; `refusing` hosts
    /// answer as integrations report for a Local External Client App.
    fn rotating_salesforce(refusing: &'static str) -> (impl Grant, Seen) {
        let state = Arc::new(Mutex::new((vec!["t0".to_owned()], Vec::new())));
        let shared = Arc::clone(&state);
        let grant = move |credentials: Credentials, token: RefreshToken| {
            let state = Arc::clone(&shared);
            async move {
                let mut state = state.lock().expect("lock");
                let (live, calls) = &mut *state;
                let at = credentials.login_url.to_string();
                calls.push(format!("{at} {}", token.expose()));
                if at == refusing {
                    return Err(SalesforceError::OAuth {
                        code: "app_not_found".to_owned(),
                        description: "External client app is not installed in this org".to_owned(),
                    });
                }
                let Some(used) = live.iter().position(|t| t == token.expose()) else {
                    return Err(SalesforceError::OAuth {
                        code: "invalid_grant".to_owned(),
                        description: "expired access/refresh token".to_owned(),
                    });
                };
                let newest = format!("t{}", calls.len());
                live[used].clone_from(&newest);
                Ok(Tokens {
                    access_token: crate::secret::AccessToken::new("access"),
                    refresh_token: Some(RefreshToken::new(&newest)),
                    scope: "api full refresh_token".to_owned(),
                    instance_url: "https://acme.my.salesforce.com".to_owned(),
                    id: "https://login.salesforce.com/id/00D/005".to_owned(),
                })
            }
        };
        (grant, state)
    }

    fn my_domain_connection() -> Connection {
        crate::signin::connection::tests::connection_at(
            "https://acme.my.salesforce.com",
            "secret",
            "t0",
        )
    }

    #[tokio::test]
    async fn with_rotation_each_grant_uses_the_newest_token_and_the_newest_is_kept() {
        let (grant, state) = rotating_salesforce("nowhere");
        let connection = my_domain_connection();

        let (_, check) = refresh_grants(grant, &connection).await.expect("works");

        let (live, calls) = &*state.lock().expect("lock");
        assert_eq!(
            calls,
            &[
                "https://acme.my.salesforce.com t0",
                "https://login.salesforce.com t1"
            ]
        );
        assert_eq!(live, &["t2"], "only the newest lives");
        assert_eq!(connection.refresh_token().expose(), "t2");
        assert!(check.rotated);
        assert_eq!(check.login_url, PRODUCTION);
    }

    #[tokio::test]
    async fn a_refusing_generic_host_leaves_the_token_of_the_grant_that_worked() {
        let (grant, state) = rotating_salesforce(PRODUCTION);
        let connection = my_domain_connection();

        let (_, check) = refresh_grants(grant, &connection).await.expect("works");

        let (live, _) = &*state.lock().expect("lock");
        assert_eq!(live, &["t1"]);
        assert_eq!(connection.refresh_token().expose(), "t1");
        assert_eq!(check.login_url, "https://acme.my.salesforce.com");
        let works: Vec<bool> = check
            .login_urls_tried
            .iter()
            .map(|tried| tried.refused.is_none())
            .collect();
        assert_eq!(works, [true, false]);
    }

    #[tokio::test]
    async fn a_token_refused_everywhere_fails_with_the_sign_ins_own_refusal() {
        let (grant, _) = rotating_salesforce(PRODUCTION);
        let connection = my_domain_connection();
        connection.replace_refresh_token(RefreshToken::new("revoked"));

        let Err(refusal) = refresh_grants(grant, &connection).await else {
            panic!("the token works nowhere");
        };

        assert!(refusal.to_string().contains("invalid_grant"), "{refusal}");
    }
}
