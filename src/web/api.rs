//! The page's JSON API. Each handler checks its input, calls the sign-in flow
//! or the session, and answers with a `Serialize` struct or an [`ApiError`].

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};

use super::AppState;
use super::alive::StopView;
use super::error::{ApiError, ApiJson};
use super::guard::Session;
use crate::client_id::ClientId;
use crate::config::{Config, describe_duration};
use crate::flow::{self, Callback};
use crate::login_url::{Environment, LoginUrl};
use crate::pasted_address::SuccessPage;
use crate::salesforce::Credentials;
use crate::secret::{ClientSecret, ClientSecretError, ServerKey};
use crate::signin::{Claim, LOGIN_LIFETIME, Owner};

pub(super) type ApiResult<T> = Result<Json<T>, ApiError>;

#[derive(Deserialize)]
pub(super) struct LaunchForm {
    token: ServerKey,
}

#[derive(Serialize)]
pub(super) struct SessionOpened {
    session_key: String,
}

/// The page trades the launch token from its address for its session key.
pub(super) async fn open_session(
    State(state): State<AppState>,
    ApiJson(form): ApiJson<LaunchForm>,
) -> ApiResult<SessionOpened> {
    match state.open_session(form.token.expose()) {
        Some(key) => Ok(Json(SessionOpened {
            session_key: key.expose().to_owned(),
        })),
        None => {
            tracing::warn!(
                "Refused an address that was already used or is from an earlier run; open the newest address printed here."
            );
            Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "This address was already used, or it is from an earlier run of sftoken. Each address works once: open the newest one from the terminal where sftoken runs (it prints a fresh one after each use).",
            ))
        }
    }
}

#[derive(Serialize)]
pub(super) struct SessionInfo {
    callback_url: String,
    /// Paste mode's Callback URL to start with (`--callback-url`).
    paste_callback_url: String,
    /// Sign-ins completed in this run: each one is an approval, and
    /// Salesforce keeps five per user and app.
    sign_ins: u32,
    /// The approvals of the app the last signed-in user holds, as its checks
    /// read them (`OauthToken`): the warning before another sign-in says it.
    approvals: Option<usize>,
    /// The Consumer Key and login URL of this session's last sign-in, or
    /// the ones sftoken was started with.
    client_id: Option<ClientId>,
    /// sftoken was started with a secret.
    has_client_secret: bool,
    /// This session keeps the secret its last sign-in was started with
    /// (never the secret itself).
    client_secret_kept: bool,
    login_url: String,
    /// No flag, variable or file chose the login URL: the page asks for the
    /// org's address instead of offering the default.
    login_url_is_default: bool,
    version: &'static str,
    pending: Option<PendingLogin>,
    idle_timeout_seconds: Option<u64>,
    /// Why sftoken stops, once it does: a page that loads then (the result
    /// page of a `--print` sign-in) shows it at once.
    stopped: Option<StopView>,
}

#[derive(Serialize)]
pub(super) struct PendingLogin {
    id: String,
    expires_in_seconds: u64,
    paste: bool,
    /// "Continue to Salesforce": the address the sign-in started with.
    authorize_url: String,
}

/// What the page needs to draw the form.
pub(super) async fn session_info(
    Session(owner): Session,
    State(state): State<AppState>,
) -> Json<SessionInfo> {
    let config = state.config();
    let pending = state.logins().latest_waiting(owner).map(|w| PendingLogin {
        id: w.id,
        expires_in_seconds: w.expires_in.as_secs(),
        paste: w.paste,
        authorize_url: w.authorize_url,
    });
    let sessions = state.sessions();
    let kept = sessions.kept(owner);
    Json(SessionInfo {
        callback_url: state.redirect_uri(),
        paste_callback_url: config.callback_url.to_string(),
        sign_ins: state.captured(),
        approvals: state.approvals_held(),
        client_id: kept
            .map(|k| k.client_id.clone())
            .or(config.client_id.clone()),
        has_client_secret: config.client_secret.is_some(),
        client_secret_kept: kept.is_some_and(|k| k.has_secret()),
        login_url: kept.map_or(&config.login_url, |k| &k.login_url).to_string(),
        login_url_is_default: kept.is_none() && config.login_url_is_default,
        version: env!("CARGO_PKG_VERSION"),
        pending,
        idle_timeout_seconds: config.idle_timeout.map(|t| t.as_secs()),
        stopped: state.alive().tell(owner, std::time::Instant::now()),
    })
}

#[derive(Deserialize)]
pub(super) struct LoginUrlQuery {
    value: String,
}

#[derive(Serialize)]
pub(super) struct CheckedLoginUrl {
    login_url: String,
    note: Option<String>,
    /// "production" or "sandbox" when the host says which.
    environment: Option<&'static str>,
    /// Taken, but not advised (an instance host).
    warning: Option<String>,
}

/// Normalizes a login URL as the user types or pastes it: the page shows the
/// URL that will be used, why it changed, and the environment it implies.
pub(super) async fn check_login_url(
    _: Session,
    State(state): State<AppState>,
    Query(query): Query<LoginUrlQuery>,
) -> ApiResult<CheckedLoginUrl> {
    let url = parse_login_url(&state, &query.value)?;
    Ok(Json(CheckedLoginUrl {
        login_url: url.to_string(),
        environment: url.environment().map(Environment::name),
        warning: url.warning(),
        note: url.note,
    }))
}

#[derive(Serialize)]
pub(super) struct Stopped {
    stopped: bool,
}

/// "Done": wipes the secrets and stops the helper.
pub(super) async fn done(_: Session, State(state): State<AppState>) -> Json<Stopped> {
    tracing::info!("stopped from the page");
    state.press_done();
    Json(Stopped { stopped: true })
}

/// The credentials fields of the sign-in and check forms.
#[derive(Deserialize)]
pub(super) struct CredentialsForm {
    client_id: String,
    /// Empty: the one from the environment.
    #[serde(default)]
    client_secret: Option<ClientSecret>,
    login_url: String,
}

#[derive(Deserialize)]
pub(super) struct LoginForm {
    #[serde(flatten)]
    credentials: CredentialsForm,
    /// Paste mode: the app's Callback URL is Salesforce's own success page.
    #[serde(default)]
    paste: bool,
    /// Paste mode: that Callback URL, exactly as the app lists it. Empty: the
    /// one sftoken was started with.
    #[serde(default)]
    callback_url: String,
}

#[derive(Serialize)]
pub(super) struct LoginStarted {
    id: String,
    authorize_url: String,
    paste: bool,
    expires_in_seconds: u64,
}

/// "Sign in with Salesforce": checks the form, starts a pending login and
/// returns the authorize URL to send the browser to.
pub(super) async fn start_login(
    Session(owner): Session,
    State(state): State<AppState>,
    ApiJson(form): ApiJson<LoginForm>,
) -> ApiResult<LoginStarted> {
    let credentials = form.credentials.check(&state, owner)?;
    tracing::info!(login_url = %credentials.login_url, "started a sign-in");
    let callback = if form.paste {
        Callback::SuccessPage(form.success_page(&state)?)
    } else {
        Callback::Loopback(state.port())
    };
    let configured = state.config().client_secret.as_ref();
    state.sessions().keep(owner, &credentials, configured);
    let started = flow::start(credentials, callback);
    let id = state.logins().start(owner, started.state, started.pending);
    Ok(Json(LoginStarted {
        id,
        authorize_url: started.authorize_url,
        paste: form.paste,
        expires_in_seconds: LOGIN_LIFETIME.as_secs(),
    }))
}

/// The id of a sign-in, or of typed-in settings, for `/result/{id}`.
#[derive(Serialize)]
pub(super) struct LoginId {
    pub(super) id: String,
}

#[derive(Deserialize)]
pub(super) struct PasteForm {
    text: String,
}

/// Paste mode: the address (or code) copied from Salesforce's success page.
pub(super) async fn paste(
    Session(owner): Session,
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiJson(form): ApiJson<PasteForm>,
) -> ApiResult<LoginId> {
    let claimed = flow::claim_pasted(&mut state.logins(), owner, &id, &form.text);
    let (claim, answer) = claimed.map_err(|e| ApiError::field("text", &e.to_string()))?;
    match claim {
        Claim::Claimed { pending, .. } => {
            state.complete(&id, pending, answer).await;
        }
        Claim::Seen { .. } => {}
        Claim::Expired => {
            return Err(ApiError::field(
                "text",
                &format!(
                    "This sign-in expired: more than {} passed. Click \"Start over\" and sign in again.",
                    describe_duration(LOGIN_LIFETIME)
                ),
            ));
        }
        Claim::Unknown => return Err(ApiError::unknown_login()),
        Claim::Mismatch => {
            return Err(ApiError::field(
                "text",
                "This address belongs to another sign-in (its state does not match). Paste the address from the tab this sign-in opened, or start over.",
            ));
        }
    }
    Ok(Json(LoginId { id }))
}

impl LoginForm {
    /// Paste mode's Callback URL: as typed, or the configured one.
    fn success_page(&self, state: &AppState) -> Result<SuccessPage, ApiError> {
        let config = state.config();
        match self.callback_url.trim() {
            "" => Ok(config.callback_url.clone()),
            typed => SuccessPage::parse(typed, config.login_url.policy())
                .map_err(|e| ApiError::field("callback_url", &e.to_string())),
        }
    }
}

fn parse_login_url(state: &AppState, input: &str) -> Result<LoginUrl, ApiError> {
    LoginUrl::parse(input, state.config().login_url.policy())
        .map_err(|e| ApiError::field("login_url", &e.to_string()))
}

impl CredentialsForm {
    /// Checks what the user typed, each value by its type's rule; an empty
    /// secret means the one `owner`'s session kept for this key and login
    /// URL, or else the one from the environment.
    pub(super) fn check(&self, state: &AppState, owner: Owner) -> Result<Credentials, ApiError> {
        let client_id = ClientId::parse(&self.client_id)
            .map_err(|e| ApiError::field("client_id", &e.to_string()))?;
        let login_url = parse_login_url(state, &self.login_url)?;
        let configured = state.config();
        let typed = self
            .client_secret
            .as_ref()
            .map_or(Err(ClientSecretError::Empty), |typed| {
                ClientSecret::parse(typed.expose())
            });
        let client_secret = match typed {
            Ok(secret) => secret,
            Err(ClientSecretError::Empty) => {
                let sessions = state.sessions();
                let kept = sessions.kept(owner);
                match kept.and_then(|kept| kept.secret_for(&client_id, &login_url)) {
                    Some(secret) => secret.clone(),
                    None => {
                        started_with(configured, &login_url, kept.is_some_and(|k| k.has_secret()))?
                    }
                }
            }
            Err(refused) => return Err(ApiError::field("client_secret", &refused.to_string())),
        };
        Ok(Credentials {
            client_id,
            client_secret,
            login_url,
        })
    }
}

/// An empty secret field with no secret kept for this key and login URL: the
/// secret sftoken was started with, which goes only to the login URL it was
/// started with.
fn started_with(
    configured: &Config,
    login_url: &LoginUrl,
    kept_elsewhere: bool,
) -> Result<ClientSecret, ApiError> {
    let refused = |message: &str| Err(ApiError::field("client_secret", message));
    match &configured.client_secret {
        Some(secret) if login_url.as_str() == configured.login_url.as_str() => Ok(secret.clone()),
        Some(_) => refused(&format!(
            "Enter the Consumer Secret: the one sftoken was started with is only sent to {}.",
            configured.login_url
        )),
        None if kept_elsewhere => refused(
            "Enter the Consumer Secret: the one sftoken kept is only sent with the Consumer Key and the org it was given for.",
        ),
        None => refused(&ClientSecretError::Empty.to_string()),
    }
}
