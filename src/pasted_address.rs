//! Reading what the user pastes in paste mode: for an External Client App whose Callback URL is Salesforce's own
//! `{login}/services/oauth2/success` page, as the connector's manual guide sets
//! it up. Salesforce then shows the code in that page's address bar, and the
//! user pastes the whole address (or only the code) back into sftoken.
//!
//! What users paste is messy: line breaks from wrapped text, `%3D` for `=`,
//! a bare code, or the address of an error. This module turns it into a code and
//! the `state` to check, or says plainly what is wrong.

use url::{Url, form_urlencoded};

use crate::login_url::{HostPolicy, LoginUrl};
use crate::secret::{AuthCode, OAuthState};

/// Salesforce's own success page, the Callback URL of the manual guide.
pub const SUCCESS_PATH: &str = "/services/oauth2/success";

/// The Callback URL the connector's guide registers, and paste mode's default.
pub const DEFAULT_SUCCESS_PAGE: &str = "https://login.salesforce.com/services/oauth2/success";

/// Paste mode's redirect URI: the app's registered Callback URL, a Salesforce
/// success page such as `https://login.salesforce.com/services/oauth2/success`.
///
/// It is its own setting, not derived from the login URL: Salesforce compares
/// the redirect URI with the registered Callback URL exactly, and the guide
/// registers login.salesforce.com's page even for a sandbox or a My Domain.
/// Any Salesforce host's success page works with any login URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SuccessPage(String);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SuccessPageError {
    #[error(
        "The Callback URL must be a Salesforce success page such as {DEFAULT_SUCCESS_PAGE}, exactly as the External Client App lists it; \"{0}\" ends in another path."
    )]
    NotTheSuccessPage(String),
    #[error(
        "The Callback URL \"{0}\" is not an https address on a Salesforce host; use your app's Callback URL, such as {DEFAULT_SUCCESS_PAGE} (pass --allow-any-login-url only to test against a server you control)."
    )]
    NotSalesforce(String),
}

impl SuccessPage {
    /// Checks a Callback URL as typed: a Salesforce host (under `policy`),
    /// with the path `/services/oauth2/success`. A bare host gets that path.
    pub fn parse(input: &str, policy: HostPolicy) -> Result<Self, SuccessPageError> {
        let trimmed = input.trim();
        let shown = || trimmed.chars().take(120).collect::<String>();
        let origin = LoginUrl::parse(trimmed, policy)
            .map_err(|_| SuccessPageError::NotSalesforce(shown()))?;
        // LoginUrl turned a Lightning host into its My Domain; a Callback URL
        // is taken as written, so the two must agree.
        let with_scheme = if trimmed.contains("://") {
            trimmed.to_owned()
        } else {
            format!("https://{trimmed}")
        };
        let url = Url::parse(&with_scheme).map_err(|_| SuccessPageError::NotSalesforce(shown()))?;
        let path_ok = matches!(url.path(), "" | "/" | SUCCESS_PATH)
            && url.query().is_none()
            && url.fragment().is_none()
            && origin.note.is_none();
        if !path_ok {
            return Err(SuccessPageError::NotTheSuccessPage(shown()));
        }
        Ok(Self(origin.endpoint(SUCCESS_PATH)))
    }

    /// The guide's page on login.salesforce.com.
    pub fn default_page() -> Self {
        Self(DEFAULT_SUCCESS_PAGE.to_owned())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for SuccessPage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A code read from pasted text, with the `state` that came with it, if any.
#[derive(Debug)]
pub struct PastedCode {
    pub code: AuthCode,
    pub state: Option<OAuthState>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PasteError {
    #[error(
        "Nothing was pasted. Copy the whole address from the Salesforce tab's address bar and paste it here."
    )]
    Empty,
    #[error("Salesforce answered with the error {code}.")]
    Salesforce { code: String, description: String },
    #[error(
        "This address has no code in it. After you click Allow, copy the address of the page Salesforce shows (it contains code=...)."
    )]
    NoCode,
    #[error(
        "This address has no state=... part, so sftoken can't tell it belongs to this sign-in. Copy the whole address from the address bar, or only the code."
    )]
    NoState,
    #[error(
        "This does not look like a Salesforce address or code. Copy the whole address from the Salesforce tab's address bar."
    )]
    NotACode,
}

/// Reads a code from a pasted address (`https://…/services/oauth2/success?code=…&state=…`),
/// a query string, or a bare code.
pub fn parse(input: &str) -> Result<PastedCode, PasteError> {
    // Codes and addresses have no spaces; wrapped copies gain line breaks.
    let text: String = input.split_whitespace().collect();
    if text.is_empty() {
        return Err(PasteError::Empty);
    }
    let looks_like_query = text.contains('?') || text.contains("code=") || text.contains("error=");
    if !looks_like_query {
        // A bare code, perhaps still percent-encoded. A literal `+` is part of
        // the code, not an encoded space.
        let decoded = decode(&text.replace('+', "%2B"));
        // Real codes are long (about 90 characters); a short word is a mistake.
        return (valid_code(&decoded) && decoded.len() >= MIN_BARE_CODE)
            .then(|| PastedCode {
                code: AuthCode::new(&decoded),
                state: None,
            })
            .ok_or(PasteError::NotACode);
    }
    let query = text.split_once('?').map_or(text.as_str(), |(_, q)| q);
    let query = query.split_once('#').map_or(query, |(q, _)| q);
    let (mut code, mut state, mut error, mut description) = (None, None, None, None);
    for (key, value) in form_urlencoded::parse(query.as_bytes()) {
        let slot = match key.as_ref() {
            "code" => &mut code,
            "state" => &mut state,
            "error" => &mut error,
            "error_description" => &mut description,
            _ => continue,
        };
        slot.get_or_insert(value.into_owned());
    }
    if let Some(code) = error {
        return Err(PasteError::Salesforce {
            code,
            description: description.unwrap_or_default(),
        });
    }
    // An address always carries the state sftoken sent; one without it was
    // cut short, or belongs to a sign-in sftoken did not start.
    let state = state.filter(|s| !s.is_empty());
    match code {
        Some(_) if state.is_none() => Err(PasteError::NoState),
        Some(code) if valid_code(&code) => Ok(PastedCode {
            code: AuthCode::new(&code),
            state: state.map(|s| OAuthState::new(&s)),
        }),
        Some(_) => Err(PasteError::NotACode),
        None => Err(PasteError::NoCode),
    }
}

/// The `state` of a pasted address, if it has one (also for error addresses).
pub fn state_of(input: &str) -> Option<String> {
    let text: String = input.split_whitespace().collect();
    let query = text.split_once('?').map_or(text.as_str(), |(_, q)| q);
    let query = query.split_once('#').map_or(query, |(q, _)| q);
    form_urlencoded::parse(query.as_bytes())
        .find(|(key, _)| key == "state")
        .map(|(_, value)| value.into_owned())
        .filter(|state| !state.is_empty())
}

fn decode(text: &str) -> String {
    form_urlencoded::parse(format!("c={text}").as_bytes())
        .next()
        .map(|(_, value)| value.into_owned())
        .unwrap_or_default()
}

/// The shortest text taken as a bare code.
const MIN_BARE_CODE: usize = 20;

/// Salesforce's codes are base64-like: letters, digits, `.`, `_`, `-`, `!`, `+`, `/` and `=`.
fn valid_code(code: &str) -> bool {
    (8..=2048).contains(&code.len())
        && code.chars().all(|c| {
            c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '!' | '+' | '/' | '=')
        })
}

#[cfg(test)]
mod tests;
