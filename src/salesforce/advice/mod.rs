//! Salesforce errors explained: what probably went wrong, in plain words, and
//! which setting or screen to change. The codes and texts are those of
//! Salesforce's [OAuth 2.0 Authorization Errors](https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_flow_errors.htm)
//! and [REST API errors](https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm),
//! plus the External Client App codes that public integrations report; each
//! is listed with its source in docs/salesforce.md. [`known`] holds the list
//! and the README table generated from it.

mod known;
mod oauth;
mod surface;

pub use known::{
    KNOWN_IDENTITY_ERRORS, KNOWN_OAUTH_ERRORS, KNOWN_REST_ERRORS, KNOWN_REVOKE_ERRORS,
    troubleshooting_markdown,
};
pub use oauth::{for_oauth_error, for_refresh_error};
pub use surface::Surface;

use serde::Serialize;

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
    /// Salesforce refused the client secret itself: the page takes the admin
    /// back to its field, and sftoken forgets the secret it kept.
    #[serde(skip)]
    pub wrong_secret: bool,
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
            wrong_secret: false,
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

/// Explains an error from Salesforce's REST API (`[{"errorCode": ..., "message": ...}]`).
pub fn for_rest_error(code: &str, message: &str) -> Advice {
    let advice = match code {
        "API_DISABLED_FOR_ORG" => Advice::new(
            "The REST API is not enabled for this org or this user",
            "Salesforce answers API_DISABLED_FOR_ORG for two causes: the org's edition has no API access (Enterprise, Performance, Unlimited and Developer editions have it; Professional Edition needs the API add-on), or the user who signed in lacks the \"API Enabled\" permission. The Snow Atlas connector will not work until both allow it, but the settings below are still valid.",
            "Give the user a profile or permission set with \"API Enabled\"; if the user already has it, ask your Salesforce account executive to enable API access for the org. Then run the check again.",
        ),
        "API_CURRENTLY_DISABLED" | "INSUFFICIENT_ACCESS" | "INSUFFICIENT_ACCESS_OR_READONLY" => {
            Advice::new(
                "This user may not use the API",
                "The user who signed in lacks the \"API Enabled\" permission (or access to the objects the connector reads).",
                "Give the user a profile or permission set with \"API Enabled\" and \"View Setup and Configuration\", or sign in as a user who has them.",
            )
        }
        "INVALID_TYPE" => Advice::new(
            "This object cannot be read",
            "The org's edition does not have this object, or the user who signed in may not read it.",
            "The connector's settings are not affected. To see it here, give the user \"View Setup and Configuration\", then run the check again.",
        ),
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

/// Explains the identity URL's refusal, which is plain text such as
/// `Bad_OAuth_Token` (HTTP 403), not JSON.
pub fn for_identity_error(word: &str) -> Advice {
    let advice = match word {
        "Bad_OAuth_Token" | "Missing_OAuth_Token" | "Bad_Id" => Advice::new(
            "Salesforce refused the token",
            "The identity URL did not accept the access token that token refresh had just returned, for example because the token was revoked or its session ended meanwhile. The login URL is not the problem.",
            "Sign in again for a new refresh token, then check the settings again.",
        ),
        _ => Advice::new(
            "Salesforce's identity service refused the request",
            "sftoken does not recognise this answer; Salesforce's own words are below.",
            "Sign in again, then check the settings again.",
        ),
    };
    advice.with_salesforce_error(word, "")
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
mod tests;
