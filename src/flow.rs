//! The one sign-in flow, shared by the page and `sftoken paste`:
//! 1. [`start`]: a fresh `state` and PKCE verifier, and the authorize URL to
//!    open;
//! 2. Salesforce answers through `/callback` ([`Answer::from_callback`]) or
//!    through an address the user pastes ([`claim_pasted`]);
//! 3. [`complete`]: the code is exchanged into a [`Connection`], or
//!    Salesforce's error is explained; either way an [`Outcome`].
//!
//! Where the pending sign-in is kept, and what the user sees, is up to the
//! caller.

use std::sync::Arc;

use crate::company_names::CompanyNames;
use crate::pasted_address::{self, PasteError, SuccessPage};
use crate::salesforce::{self, Advice, Credentials, Http, advice};
use crate::secret::{AuthCode, OAuthState, PkceVerifier};
use crate::signin::{Claim, Connection, Details, Logins, Outcome, Owner, Pending};

/// The redirect URI of the page's sign-in, which the External Client App must
/// list as its Callback URL.
pub fn loopback_redirect_uri(port: u16) -> String {
    format!("http://localhost:{port}/callback")
}

/// A sign-in, ready for the browser.
pub struct Started {
    pub authorize_url: String,
    pub state: OAuthState,
    pub pending: Pending,
}

/// Where Salesforce sends the browser back with the code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Callback {
    /// sftoken's own `/callback` on this port.
    Loopback(u16),
    /// Paste mode: a Salesforce success page, the app's registered Callback
    /// URL (on any Salesforce host, whatever the login URL), whose address
    /// the user pastes.
    SuccessPage(SuccessPage),
}

/// Starts a sign-in: the browser goes to `authorize_url`, and Salesforce sends
/// it back to the `callback`.
pub fn start(credentials: Credentials, callback: Callback) -> Started {
    let paste = matches!(callback, Callback::SuccessPage(_));
    let redirect_uri = match callback {
        Callback::Loopback(port) => loopback_redirect_uri(port),
        Callback::SuccessPage(page) => page.as_str().to_owned(),
    };
    let verifier = PkceVerifier::generate();
    let state = OAuthState::generate();
    let authorize_url = salesforce::authorize_url(&credentials, &redirect_uri, &state, &verifier);
    Started {
        authorize_url,
        state,
        pending: Pending {
            credentials,
            verifier,
            redirect_uri,
            paste,
        },
    }
}

/// What Salesforce sent back for a sign-in: a code, or an error.
#[derive(Debug)]
pub enum Answer {
    Code(AuthCode),
    Error { code: String, description: String },
}

impl Answer {
    /// The callback's query: `code`, or `error` with its description. `None`
    /// when it carries neither.
    pub fn from_callback(
        code: Option<AuthCode>,
        error: Option<String>,
        description: Option<String>,
    ) -> Option<Self> {
        match (error, code) {
            (Some(code), _) => Some(Self::Error {
                code,
                description: description.unwrap_or_default(),
            }),
            (None, Some(code)) => Some(Self::Code(code)),
            (None, None) => None,
        }
    }
}

/// Paste mode: reads the pasted address (or bare code) and claims the sign-in
/// `id` with the `state` it carries. A `state` of another sign-in changes
/// nothing ([`Claim::Mismatch`]), for an error address too.
pub fn claim_pasted(
    logins: &mut Logins,
    owner: Owner,
    id: &str,
    text: &str,
) -> Result<(Claim, Answer), PasteError> {
    let (answer, state) = match pasted_address::parse(text) {
        Ok(pasted) => (
            Answer::Code(pasted.code),
            pasted.state.map(|s| s.expose().to_owned()),
        ),
        Err(PasteError::Salesforce { code, description }) => (
            Answer::Error { code, description },
            pasted_address::state_of(text),
        ),
        Err(e) => return Err(e),
    };
    Ok((logins.claim_pasted(owner, id, state.as_deref()), answer))
}

/// The steps after Salesforce answered, the same for the page and `sftoken
/// paste`: the code is exchanged into a connection that starts with the
/// configured `company_names`, or the failure is explained, with what the
/// page needs to offer "Try again".
///
/// The checks are left to the caller, because the two surfaces run them
/// differently: the page starts them in the background and shows each as it
/// finishes while the terminal is told of the outcome at once; `paste` waits
/// for them behind a progress line and then prints. How each tells the user
/// is its own, too.
pub async fn complete(
    http: &Http,
    pending: Pending,
    answer: Answer,
    company_names: CompanyNames,
) -> Outcome {
    let client_id = pending.credentials.client_id.clone();
    let login_url = pending.credentials.login_url.to_string();
    match exchange(http, pending, answer, company_names).await {
        Ok(connection) => {
            tracing::info!("captured a refresh token");
            Outcome::Captured(Arc::new(connection))
        }
        Err(advice) => {
            tracing::info!(title = %advice.title, code = ?advice.code, "the sign-in failed");
            Outcome::Failed {
                advice,
                client_id,
                login_url,
            }
        }
    }
}

/// Exchanges the code into a connection, or explains why the sign-in failed.
async fn exchange(
    http: &Http,
    pending: Pending,
    answer: Answer,
    company_names: CompanyNames,
) -> Result<Connection, Advice> {
    let code = match answer {
        Answer::Code(code) => code,
        Answer::Error { code, description } => {
            return Err(advice::for_oauth_error(&code, &description));
        }
    };
    let tokens = salesforce::exchange_code(
        http,
        &pending.credentials,
        &code,
        &pending.redirect_uri,
        &pending.verifier,
    )
    .await
    .map_err(|e| e.advice())?;
    let refresh_token = tokens
        .refresh_token
        .clone()
        .ok_or_else(advice::missing_refresh_token)?;
    Ok(Connection::new(
        pending.credentials,
        refresh_token,
        company_names,
        Details::from_tokens(&tokens),
    ))
}
