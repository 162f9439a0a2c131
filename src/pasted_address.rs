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
use crate::secret::AuthCode;

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
    pub state: Option<String>,
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
            state,
        }),
        Some(_) => Err(PasteError::NotACode),
        None => Err(PasteError::NoCode),
    }
}

/// The `state` of a pasted address, if it has one (also for error addresses).
pub fn state_of(input: &str) -> Option<String> {
    let text: String = input.split_whitespace().collect();
    let query = text.split_once('?').map_or(text.as_str(), |(_, q)| q);
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
mod tests {
    use super::*;

    fn code_of(input: &str) -> (String, Option<String>) {
        let pasted = parse(input).unwrap_or_else(|e| panic!("{input}: {e}"));
        (pasted.code.expose().to_owned(), pasted.state)
    }

    #[test]
    fn a_full_success_address_gives_the_decoded_code_and_state() {
        assert_eq!(
            code_of(
                "https://login.salesforce.com/services/oauth2/success?code=aPrxAbC.dEf%3D%3D&state=xyz"
            ),
            ("aPrxAbC.dEf==".to_owned(), Some("xyz".to_owned()))
        );
    }

    #[test]
    fn a_bare_code_is_decoded_and_keeps_its_plus_signs() {
        assert_eq!(
            code_of("aPrxAbC+dEfGhIjKlMnOp%3D%3D").0,
            "aPrxAbC+dEfGhIjKlMnOp=="
        );
        assert_eq!(
            code_of("aPrxAbC_dEfGhIjKlMnOp==").0,
            "aPrxAbC_dEfGhIjKlMnOp=="
        );
        assert_eq!(code_of("aPrxAbC_dEfGhIjKlMnOp==").1, None);
    }

    #[test]
    fn whitespace_and_line_breaks_from_wrapped_copies_are_ignored() {
        assert_eq!(
            code_of(
                "  https://acme.my.salesforce.com/services/oauth2/success?co\nde=aPrxAbC%3D%3D\r\n&state=s1 \t"
            ),
            ("aPrxAbC==".to_owned(), Some("s1".to_owned()))
        );
    }

    #[test]
    fn a_query_string_alone_and_a_fragment_are_understood() {
        assert_eq!(code_of("code=aPrxAbCdEf&state=s").0, "aPrxAbCdEf");
        assert_eq!(code_of("?code=aPrxAbCdEf&state=s#top").0, "aPrxAbCdEf");
        assert_eq!(
            parse("https://login.salesforce.com/services/oauth2/success?code=aPrxAbCdEf")
                .expect_err("no state"),
            PasteError::NoState
        );
    }

    #[test]
    fn an_error_address_reports_salesforces_error() {
        assert_eq!(
            parse("https://login.salesforce.com/services/oauth2/success?error=access_denied&error_description=end-user+denied+authorization&state=s")
                .expect_err("error"),
            PasteError::Salesforce {
                code: "access_denied".into(),
                description: "end-user denied authorization".into()
            }
        );
    }

    #[test]
    fn junk_is_refused_with_what_to_do() {
        assert_eq!(parse(" \n ").expect_err("empty"), PasteError::Empty);
        assert_eq!(
            parse("https://login.salesforce.com/services/oauth2/success?state=x")
                .expect_err("no code"),
            PasteError::NoCode
        );
        assert_eq!(
            parse("<script>alert(1)</script>").expect_err("junk"),
            PasteError::NotACode
        );
        assert_eq!(
            parse("code=<b>&state=x").expect_err("bad code"),
            PasteError::NotACode
        );
        assert_eq!(parse("short").expect_err("too short"), PasteError::NotACode);
        assert_eq!(
            parse("not an address").expect_err("words"),
            PasteError::NotACode
        );
    }

    #[test]
    fn any_salesforce_success_page_is_a_callback_url() {
        let page = |input: &str| SuccessPage::parse(input, HostPolicy::Salesforce);
        for (input, expected) in [
            (DEFAULT_SUCCESS_PAGE, DEFAULT_SUCCESS_PAGE),
            (
                " https://test.salesforce.com/services/oauth2/success ",
                "https://test.salesforce.com/services/oauth2/success",
            ),
            (
                "https://Acme.my.salesforce.com/services/oauth2/success",
                "https://acme.my.salesforce.com/services/oauth2/success",
            ),
            (
                "acme--uat.sandbox.my.salesforce.com",
                "https://acme--uat.sandbox.my.salesforce.com/services/oauth2/success",
            ),
        ] {
            assert_eq!(page(input).expect(input).as_str(), expected);
        }
        assert_eq!(SuccessPage::default_page().as_str(), DEFAULT_SUCCESS_PAGE);
    }

    #[test]
    fn a_callback_url_that_is_not_a_salesforce_success_page_is_refused() {
        let page = |input: &str| SuccessPage::parse(input, HostPolicy::Salesforce);
        for input in [
            "https://login.salesforce.com/services/oauth2/callback",
            "https://login.salesforce.com/services/oauth2/success/",
            "https://login.salesforce.com/services/oauth2/success?x=1",
            "https://acme.lightning.force.com/services/oauth2/success",
        ] {
            assert!(
                matches!(page(input), Err(SuccessPageError::NotTheSuccessPage(_))),
                "{input}"
            );
        }
        for input in [
            "https://evil.example/services/oauth2/success",
            "http://login.salesforce.com/services/oauth2/success",
            "http://127.0.0.1:4000/services/oauth2/success",
        ] {
            assert!(
                matches!(page(input), Err(SuccessPageError::NotSalesforce(_))),
                "{input}"
            );
        }
        let mock = SuccessPage::parse(
            "http://127.0.0.1:4000/services/oauth2/success",
            HostPolicy::Any,
        )
        .expect("a mock's page with the opt-out");
        assert_eq!(
            mock.as_str(),
            "http://127.0.0.1:4000/services/oauth2/success"
        );
    }

    #[test]
    fn a_wrong_state_is_returned_for_the_caller_to_refuse() {
        assert_eq!(
            code_of("code=aPrxAbCdEf&state=other").1.as_deref(),
            Some("other")
        );
    }
    #[test]
    fn the_state_of_any_pasted_address_is_read_even_of_an_error() {
        assert_eq!(
            state_of("https://x/services/oauth2/success?error=access_denied&state=s1").as_deref(),
            Some("s1")
        );
        assert_eq!(state_of("error=access_denied&state=").as_deref(), None);
        assert_eq!(state_of("error=access_denied").as_deref(), None);
        assert_eq!(state_of(" code=a\n&sta te=s2 ").as_deref(), Some("s2"));
    }

    #[test]
    fn a_bare_code_needs_20_characters_and_a_code_8_to_2048() {
        assert_eq!(
            parse(&"a".repeat(19)).expect_err("19"),
            PasteError::NotACode
        );
        assert_eq!(code_of(&"a".repeat(20)).0.len(), 20);
        let with_state = |code: &str| format!("code={code}&state=s");
        assert_eq!(
            parse(&with_state(&"a".repeat(7))).expect_err("7"),
            PasteError::NotACode
        );
        assert_eq!(code_of(&with_state(&"a".repeat(8))).0.len(), 8);
        assert_eq!(code_of(&with_state(&"a".repeat(2048))).0.len(), 2048);
        assert_eq!(
            parse(&with_state(&"a".repeat(2049))).expect_err("2049"),
            PasteError::NotACode
        );
        assert_eq!(
            code_of(&with_state("aB3.x_y-z!w%2Bv/u%3D")).0,
            "aB3.x_y-z!w+v/u="
        );
        assert_eq!(
            parse(&with_state("aB3.x_y-z!w+v/u=")).expect_err("a + in a query is a space"),
            PasteError::NotACode
        );
    }

    #[test]
    fn pasted_parts_after_the_first_of_a_name_are_ignored() {
        let (code, state) = code_of("code=first123&code=second456&state=one&state=two");
        assert_eq!(code, "first123");
        assert_eq!(state.as_deref(), Some("one"));
    }
}
