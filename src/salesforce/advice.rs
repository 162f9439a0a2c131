//! Salesforce errors explained: what probably went wrong, in plain words, and
//! which setting or screen to change. The codes and texts are those of
//! Salesforce's [OAuth endpoints](https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_endpoints.htm)
//! and [REST API errors](https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm).

use serde::Serialize;

mod surface;
pub use surface::Surface;

/// Advice shown to the user. The page writes every field with `textContent`,
/// so Salesforce's own words are shown as text, never as markup.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Advice {
    pub title: String,
    pub cause: String,
    pub fix: String,
    /// Salesforce's own `error` code, when there was one.
    pub code: Option<String>,
    /// Salesforce's own `error_description`, when there was one.
    pub description: Option<String>,
    /// Salesforce was never reached (DNS, refused, TLS, proxy, timeout), so
    /// nothing is known about the settings themselves.
    #[serde(skip)]
    pub network: bool,
}

impl Advice {
    pub fn new(title: &str, cause: &str, fix: &str) -> Self {
        Self {
            title: title.to_owned(),
            cause: cause.to_owned(),
            fix: fix.to_owned(),
            code: None,
            description: None,
            network: false,
        }
    }

    /// Advice for a call that never reached Salesforce.
    pub fn network(title: &str, cause: &str, fix: &str) -> Self {
        Self {
            network: true,
            ..Self::new(title, cause, fix)
        }
    }

    /// The title and the fix as one sentence pair, for a terminal line or a
    /// short message.
    pub fn one_line(&self) -> String {
        format!("{}. {}", self.title, self.fix)
    }

    fn with_salesforce_error(mut self, code: &str, description: &str) -> Self {
        self.code = Some(truncate(code, 100));
        self.description = Some(truncate(description, 500)).filter(|d| !d.is_empty());
        self
    }
}

const WAIT: &str =
    "Changes to an External Client App can take up to 10 minutes to reach every Salesforce server.";

/// Explains an OAuth error from the authorize redirect or the token endpoint.
pub fn for_oauth_error(code: &str, description: &str) -> Advice {
    let d = description.to_ascii_lowercase();
    let advice = match code {
        "access_denied" => Advice::new(
            "Access was denied",
            "Salesforce reports that the sign-in was not allowed: usually Deny was clicked on the approval page, or the user is not among the app's Permitted Users.",
            "Sign in again and click Allow. If it keeps failing, open the External Client App → Policies → OAuth Policies and check Permitted Users.",
        ),
        "invalid_request" if d.contains("code challenge") || d.contains("code_challenge") => {
            Advice::new(
                "Salesforce requires PKCE",
                "The External Client App has \"Require Proof Key for Code Exchange (PKCE)\" on, and the request reached Salesforce without a code challenge.",
                "sftoken always sends PKCE, so sign in again from the sftoken page (not from a bookmarked or hand-built address).",
            )
        }
        "invalid_request" | "invalid_grant" if d.contains("verifier") || d.contains("pkce") => {
            Advice::new(
                "The PKCE check failed",
                "Salesforce could not match the PKCE code verifier to the sign-in that produced the code.",
                "Start over from the sftoken page and finish the sign-in in the same browser tab.",
            )
        }
        "invalid_grant"
            if d.contains("expired authorization code")
                || d.contains("invalid authorization code") =>
        {
            Advice::new(
                "The sign-in code expired or was already used",
                "Salesforce accepts each code once, within 15 minutes.",
                "Click \"Try again\" and sign in once more.",
            )
        }
        "invalid_grant" if d.contains("ip restricted") => Advice::new(
            "Salesforce refused this network",
            "The app's IP policy does not allow sign-ins from this computer's address.",
            "In the External Client App → Policies → OAuth Policies, set IP Relaxation to \"Relax IP restrictions\", or add this network to the trusted IP ranges.",
        ),
        "invalid_grant" if d.contains("inactive user") => Advice::new(
            "The Salesforce user is inactive",
            "The user who signed in has been deactivated.",
            "Sign in as an active user (an administrator with \"API Enabled\").",
        ),
        "invalid_grant" if d.contains("approved") => Advice::new(
            "The user has not approved the app",
            "The user is not pre-approved for this External Client App, and the policy does not let users approve it themselves.",
            "In the app's OAuth Policies, set Permitted Users to \"All users may self-authorize\", or add the user's profile or permission set.",
        ),
        "invalid_grant" if d.contains("expired access/refresh token") => Advice::new(
            "The refresh token no longer works",
            "It was revoked, replaced by rotation, or expired under the app's refresh token policy.",
            "Set the refresh token policy to \"Refresh token is valid until revoked\" and sign in again.",
        ),
        "invalid_grant" => Advice::new(
            "Salesforce refused the sign-in",
            "The Consumer Key and Secret may belong to another org or environment (Sandbox instead of Production, or another My Domain).",
            "Check that the environment on the page matches the org where the External Client App lives, then try again.",
        ),
        "invalid_client" if d.contains("install") => Advice::new(
            "The app is not available in this org",
            "Salesforce says the app must be installed into the org: it was probably created in another org.",
            "Create the External Client App in the org you sign in to, with Distribution State \"Local\".",
        ),
        "invalid_client" | "invalid_client_credentials" => Advice::new(
            "The Consumer Secret is wrong",
            "Salesforce did not accept the Consumer Secret for this Consumer Key.",
            "Copy the secret again from External Client App Manager → your app → Settings → OAuth Settings → Consumer Key and Secret, paste it on this page, and try again.",
        ),
        "invalid_client_id" => Advice::new(
            "Salesforce does not know this Consumer Key",
            &format!(
                "The Consumer Key is mistyped, belongs to another environment, or the app is brand new. {WAIT}"
            ),
            "Copy the Consumer Key again, check the environment (Production, Sandbox or My Domain), and if the app is new, wait 10 minutes.",
        ),
        "invalid_scope" => Advice::new(
            "The app lacks a scope sftoken asks for",
            "sftoken asks for refresh_token, api and full; the External Client App does not have all three.",
            "In the app's OAuth Settings, add \"Manage user data via APIs (api)\", \"Full access (full)\" and \"Perform requests at any time (refresh_token, offline_access)\", save, wait up to 10 minutes and try again.",
        ),
        "OAUTH_APP_BLOCKED" => Advice::new(
            "The app is blocked",
            "An administrator blocked this External Client App.",
            "Unblock it in Setup (External Client App Manager, or Connected Apps OAuth Usage), then try again.",
        ),
        "immediate_unsuccessful" => Advice::new(
            "Salesforce needed an interactive sign-in",
            "The user was not signed in or had not approved the app.",
            "Try again and complete the Salesforce sign-in page.",
        ),
        "unsupported_grant_type" => Advice::new(
            "Salesforce refused the grant type",
            "The app's flow settings do not allow the Authorization Code and Credentials flow.",
            "In the app's OAuth Settings, make sure the authorization code flow is enabled, then try again.",
        ),
        "inactive_org" => Advice::new(
            "The org is inactive",
            "Salesforce reports this org as inactive, locked or expired.",
            "Sign in to an active org, or check the org's status with Salesforce.",
        ),
        "rate_limit_exceeded" => Advice::new(
            "Too many sign-in attempts",
            "Salesforce is limiting the number of requests from this user or app.",
            "Wait a few minutes and try again.",
        ),
        "redirect_uri_mismatch" => Advice::new(
            "The Callback URL does not match",
            "The External Client App's Callback URL is not exactly the one sftoken uses.",
            "Copy the Callback URL from step 1 of this page into the app's OAuth Settings, save, and wait up to 10 minutes.",
        ),
        _ => Advice::new(
            "Salesforce reported an error",
            "sftoken does not recognise this error; Salesforce's own words are below.",
            "Check the External Client App's OAuth settings and policies, then try again.",
        ),
    };
    advice.with_salesforce_error(code, description)
}

/// Explains an error from Salesforce's REST API (`[{"errorCode": ..., "message": ...}]`).
pub fn for_rest_error(code: &str, message: &str) -> Advice {
    let advice = match code {
        "API_DISABLED_FOR_ORG" => Advice::new(
            "The REST API is not enabled for this org",
            "Salesforce offers API access with Enterprise, Performance, Unlimited and Developer editions; Professional Edition needs the API add-on. The Snow Atlas connector will not work until it is on, but the settings below are still valid.",
            "Ask your Salesforce account executive to enable API access, then run the check again.",
        ),
        "API_CURRENTLY_DISABLED" | "INSUFFICIENT_ACCESS" | "INSUFFICIENT_ACCESS_OR_READONLY" => {
            Advice::new(
                "This user may not use the API",
                "The user who signed in lacks the \"API Enabled\" permission (or access to the objects the connector reads).",
                "Give the user a profile or permission set with \"API Enabled\" and \"View Setup and Configuration\", or sign in as a user who has them.",
            )
        }
        "REQUEST_LIMIT_EXCEEDED" => Advice::new(
            "The org's API request limit is used up",
            "Salesforce refuses API calls once the org's rolling 24-hour limit is reached.",
            "Wait for the limit to recover (Setup → Company Information shows API requests), then run the check again.",
        ),
        "INVALID_SESSION_ID" => Advice::new(
            "Salesforce did not accept the access token",
            "The token was refused by the org's API, for example because it was revoked or the session settings lock it to another IP address.",
            "Sign in again; if it keeps happening, check the app's IP Relaxation policy and the org's session settings.",
        ),
        _ => Advice::new(
            "Salesforce's API reported an error",
            "sftoken does not recognise this error; Salesforce's own words are below.",
            "Check the user's permissions and the org's API access, then run the check again.",
        ),
    };
    advice.with_salesforce_error(code, message)
}

/// Every OAuth error Salesforce is known to send, with the description
/// Salesforce sends with it: the troubleshooting table and the tests use these.
pub const KNOWN_OAUTH_ERRORS: &[(&str, &str)] = &[
    ("access_denied", "end-user denied authorization"),
    ("invalid_request", "missing required code challenge"),
    ("invalid_request", "invalid code verifier"),
    ("invalid_scope", "the requested scope is not allowed"),
    ("immediate_unsuccessful", "immediate unsuccessful"),
    ("OAUTH_APP_BLOCKED", "this app is blocked by admin"),
    ("invalid_client", "app must be installed into org"),
    (
        "redirect_uri_mismatch",
        "redirect_uri must match configuration",
    ),
    ("invalid_client_id", "client identifier invalid"),
    ("invalid_grant", "authentication failure"),
    ("invalid_grant", "expired authorization code"),
    ("invalid_grant", "invalid authorization code"),
    ("invalid_grant", "ip restricted"),
    ("invalid_grant", "inactive user"),
    ("invalid_grant", "user hasn't approved this consumer"),
    ("invalid_grant", "expired access/refresh token"),
    ("invalid_client", "invalid client credentials"),
    ("unsupported_grant_type", "grant type not supported"),
    ("inactive_org", "the org is inactive"),
    ("rate_limit_exceeded", "rate limit exceeded"),
];

/// The REST API errors that the checks explain.
pub const KNOWN_REST_ERRORS: &[(&str, &str)] = &[
    (
        "API_DISABLED_FOR_ORG",
        "The REST API is not enabled for this Organization.",
    ),
    ("API_CURRENTLY_DISABLED", "API is disabled for this User"),
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
        "no `refresh_token` in the answer".to_owned(),
        &missing_refresh_token(),
    );
    for (code, message) in KNOWN_REST_ERRORS {
        row(
            format!("`{code}` “{message}”"),
            &for_rest_error(code, message),
        );
    }
    table
}

/// A code exchange that succeeded but carried no refresh token.
pub fn missing_refresh_token() -> Advice {
    Advice::new(
        "Salesforce returned no refresh token",
        "The External Client App lacks the scope \"Perform requests at any time (refresh_token, offline_access)\", so Salesforce issued only a short-lived access token.",
        "Add that scope in the app's OAuth Settings, save, wait up to 10 minutes, and sign in again.",
    )
}

fn truncate(text: &str, max_chars: usize) -> String {
    text.chars().take(max_chars).collect()
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
        assert!(titles.len() >= 17, "{titles:?}");
    }

    #[test]
    fn a_wrong_secret_names_the_consumer_secret() {
        let advice = for_oauth_error("invalid_client", "invalid client credentials");
        assert!(advice.title.contains("Consumer Secret"));
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
