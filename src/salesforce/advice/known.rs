//! Every error Salesforce is known to send, in Salesforce's own words, and
//! the README's troubleshooting table generated from them.

use super::{
    Advice, for_identity_error, for_oauth_error, for_refresh_error, for_rest_error,
    missing_refresh_token,
};

/// Every OAuth error Salesforce is known to send, with the description it
/// sends with it. The descriptions follow Salesforce Help's "OAuth 2.0
/// Authorization Errors" table where it lists them, and what public
/// integrations report for the External Client App codes (docs/salesforce.md).
pub const KNOWN_OAUTH_ERRORS: &[(&str, &str)] = &[
    ("access_denied", "end-user denied authorization"),
    ("invalid_request", "missing required code challenge"),
    ("invalid_request", "invalid code verifier"),
    (
        "invalid_scope",
        "requested scope is invalid, unknown, or malformed",
    ),
    ("immediate_unsuccessful", "immediate unsuccessful"),
    (
        "OAUTH_APP_ACCESS_DENIED",
        "user is not admin approved to access this app",
    ),
    (
        "invalid_app_access",
        "user is not admin approved to access this app",
    ),
    ("OAUTH_APP_BLOCKED", "this app is blocked by admin"),
    (
        "OAUTH_EC_APP_NOT_FOUND",
        "External client app is not installed in this org",
    ),
    (
        "OAUTH_AUTHORIZATION_BLOCKED",
        "Cross-org OAuth flows are not supported for this external client app",
    ),
    (
        "OAUTH_APPROVAL_ERROR_GENERIC",
        "An unexpected error has occured during authentication. Please try again.",
    ),
    ("invalid_client", "app must be installed into org"),
    (
        "redirect_uri_mismatch",
        "redirect_uri must match configuration",
    ),
    ("invalid_client_id", "client identifier invalid"),
    ("invalid_grant", "authentication failure"),
    ("invalid_grant", "expired authorization code"),
    ("invalid_grant", "invalid authorization code"),
    ("invalid_grant", "ip restricted or invalid login hours"),
    ("inactive_user", "user is inactive"),
    ("invalid_grant", "inactive user"),
    ("invalid_grant", "user hasn't approved this consumer"),
    ("invalid_grant", "expired access/refresh token"),
    ("invalid_client", "invalid client credentials"),
    ("unsupported_grant_type", "grant type not supported"),
    (
        "inactive_org",
        "organization is locked, closed, or suspended",
    ),
    ("rate_limit_exceeded", "number of logins exceeded"),
];

/// The revoke endpoint's refusals (HTTP 400), which sftoken explains. Its
/// documentation names the codes, not the words that come with them.
pub const KNOWN_REVOKE_ERRORS: &[&str] = &["invalid_token"];

/// The identity URL's refusals: plain text with HTTP 403, not JSON.
pub const KNOWN_IDENTITY_ERRORS: &[&str] = &["Bad_OAuth_Token"];

/// The REST API errors that the checks explain.
pub const KNOWN_REST_ERRORS: &[(&str, &str)] = &[
    (
        "API_DISABLED_FOR_ORG",
        "The REST API is not enabled for this Organization.",
    ),
    ("API_CURRENTLY_DISABLED", "API is disabled for this User"),
    (
        "INVALID_TYPE",
        "sObject type 'PermissionSetLicense' is not supported.",
    ),
    ("REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded."),
    ("INVALID_SESSION_ID", "Session expired or invalid"),
];

/// The README's troubleshooting table, generated from this map.
pub fn troubleshooting_markdown() -> String {
    let mut table =
        String::from("| Salesforce says | What it means | What to do |\n| --- | --- | --- |\n");
    let mut row = |said: String, advice: &Advice| {
        table.push_str(&format!(
            "| {said} | **{}.** {} | {} |\n",
            advice.title, advice.cause, advice.fix
        ));
    };
    for (code, description) in KNOWN_OAUTH_ERRORS {
        row(
            format!("`{code}` “{description}”"),
            &for_oauth_error(code, description),
        );
    }
    row(
        "`invalid_grant` in other words, to token refresh (the token check)".to_owned(),
        &for_refresh_error("invalid_grant", ""),
    );
    for code in KNOWN_REVOKE_ERRORS {
        row(
            format!("`{code}` (HTTP 400, from the revoke endpoint)"),
            &for_oauth_error(code, ""),
        );
    }
    row(
        "no `refresh_token` in the answer".to_owned(),
        &missing_refresh_token(),
    );
    for word in KNOWN_IDENTITY_ERRORS {
        row(
            format!("`{word}` (HTTP 403, plain text, from the identity URL)"),
            &for_identity_error(word),
        );
    }
    for (code, message) in KNOWN_REST_ERRORS {
        row(
            format!("`{code}` “{message}”"),
            &for_rest_error(code, message),
        );
    }
    table
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_error_gets_specific_advice() {
        let generic = for_oauth_error("something_new", "");
        for (code, description) in KNOWN_OAUTH_ERRORS {
            let advice = for_oauth_error(code, description);
            assert_ne!(advice.title, generic.title, "{code}: {description}");
            assert_eq!(advice.code.as_deref(), Some(*code));
        }
        let generic = for_identity_error("Something_New");
        for word in KNOWN_IDENTITY_ERRORS {
            assert_ne!(for_identity_error(word).title, generic.title, "{word}");
        }
    }

    #[test]
    fn rest_errors_named_in_salesforce_md_get_specific_advice() {
        let generic = for_rest_error("SOMETHING_NEW", "");
        for (code, message) in KNOWN_REST_ERRORS {
            assert_ne!(for_rest_error(code, message).title, generic.title, "{code}");
        }
    }

    /// The README's troubleshooting section is this map, word for word. Run
    /// with SFTOKEN_UPDATE_README=1 to rewrite it after changing the map.
    #[test]
    fn the_readme_troubleshooting_table_is_generated_from_this_map() {
        const START: &str = "<!-- troubleshooting:start -->\n";
        const END: &str = "<!-- troubleshooting:end -->";
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
        let readme = std::fs::read_to_string(&path).expect("README.md");
        let start = readme.find(START).expect("README has the start marker") + START.len();
        let end = readme.find(END).expect("README has the end marker");
        let expected = troubleshooting_markdown();
        if std::env::var_os("SFTOKEN_UPDATE_README").is_some() {
            let updated = format!("{}{expected}{}", &readme[..start], &readme[end..]);
            std::fs::write(&path, updated).expect("rewrite README.md");
            return;
        }
        assert_eq!(
            readme[start..end],
            expected,
            "README.md is out of date: run SFTOKEN_UPDATE_README=1 cargo test --lib"
        );
    }

    #[test]
    fn distinct_causes_get_distinct_advice() {
        let titles: std::collections::HashSet<String> = KNOWN_OAUTH_ERRORS
            .iter()
            .map(|(c, d)| for_oauth_error(c, d).title)
            .collect();
        assert!(titles.len() >= 21, "{titles:?}");
    }

    #[test]
    fn a_wrong_secret_names_the_consumer_secret() {
        let advice = for_oauth_error("invalid_client", "invalid client credentials");
        assert!(advice.title.contains("Consumer Secret"));
    }

    #[test]
    fn an_inactive_user_is_explained_by_its_own_code_and_by_invalid_grant() {
        let own = for_oauth_error("inactive_user", "user is inactive");
        let grant = for_oauth_error("invalid_grant", "inactive user");
        assert_eq!(own.title, grant.title);
        assert!(own.title.contains("inactive"), "{own:?}");
    }

    #[test]
    fn unsupported_grant_type_no_longer_points_at_the_headless_flow_checkbox() {
        let advice = for_oauth_error("unsupported_grant_type", "grant type not supported");
        let text = format!("{} {} {}", advice.title, advice.cause, advice.fix);
        assert!(!text.contains("Credentials flow"), "{text}");
        assert!(text.contains("proxy"), "{text}");
    }

    #[test]
    fn api_disabled_for_org_names_both_causes() {
        let advice = for_rest_error(
            "API_DISABLED_FOR_ORG",
            "The REST API is not enabled for this Organization.",
        );
        assert!(advice.cause.contains("edition"), "{advice:?}");
        assert!(advice.cause.contains("API Enabled"), "{advice:?}");
    }

    #[test]
    fn the_identity_refusal_says_sign_in_again_not_check_the_login_url() {
        let advice = for_identity_error("Bad_OAuth_Token");
        assert!(advice.fix.contains("Sign in again"), "{advice:?}");
        assert!(!advice.fix.contains("login URL"), "{advice:?}");
    }

    #[test]
    fn unknown_errors_keep_salesforces_words_bounded() {
        let long = "<script>x</script>".repeat(100);
        let advice = for_oauth_error("weird_error", &long);
        assert_eq!(advice.code.as_deref(), Some("weird_error"));
        assert_eq!(
            advice.description.as_deref().map(|d| d.chars().count()),
            Some(500)
        );
    }
}
