//! A sign-in's result as the page shows it: its status, the settings with
//! their formats and checks, and what the page changes on it (the Company
//! names picker, Revoke), plus typed-in settings checked the same way.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};

use super::AppState;
use super::api::{ApiResult, CredentialsForm, LoginId};
use super::error::{ApiError, ApiJson, ErrorDetail};
use super::guard::Session;
use crate::company_names::CompanyNames;
use crate::salesforce;
use crate::secret::RefreshToken;
use crate::signin::report::Report;
use crate::signin::settings::Settings;
use crate::signin::{Connection, Details, Outcome, Status};

/// A sign-in as the page sees it, tagged by `status`.
#[derive(Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub(super) enum LoginView {
    Waiting {
        expires_in_seconds: u64,
    },
    Exchanging,
    Failed {
        error: ErrorDetail,
        /// Kept so the page can prefill "Try again" (not secret).
        client_id: String,
        login_url: String,
    },
    Captured(ConnectionView),
}

/// The settings, their formats, the details and the check report, as they
/// are when the answer is written.
pub(super) struct ConnectionView(Arc<Connection>);

impl Serialize for ConnectionView {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct View<'a> {
            copy_all: String,
            company_names_text: String,
            settings: Settings<'a>,
            details: &'a Details,
            checks: &'a Report,
            revoked: bool,
            /// Chosen names that match no active user's email domain.
            unmatched_company_names: Vec<String>,
        }
        let snapshot = self.0.snapshot();
        let settings = snapshot.settings(&self.0.credentials);
        View {
            copy_all: settings.copy_all(),
            company_names_text: settings.company_names_lines(),
            settings,
            details: &snapshot.details,
            checks: &snapshot.report,
            revoked: snapshot.revoked,
            unmatched_company_names: snapshot.unmatched_company_names(),
        }
        .serialize(serializer)
    }
}

/// The state of one sign-in, with the settings and checks once captured.
pub(super) async fn login_status(
    Session(owner): Session,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<LoginView> {
    let status = state
        .logins()
        .status(owner, &id)
        .ok_or_else(ApiError::unknown_login)?;
    Ok(Json(match status {
        Status::Waiting { expires_in } => LoginView::Waiting {
            expires_in_seconds: expires_in.as_secs(),
        },
        Status::Exchanging => LoginView::Exchanging,
        Status::Finished(Outcome::Failed {
            advice,
            client_id,
            login_url,
        }) => LoginView::Failed {
            error: advice.into(),
            client_id,
            login_url,
        },
        Status::Finished(Outcome::Captured(connection)) => {
            LoginView::Captured(ConnectionView(connection))
        }
    }))
}

#[derive(Deserialize)]
pub(super) struct CompanyNamesForm {
    names: Vec<String>,
}

/// The Company names picker: `*` (empty list) or the ticked domains.
pub(super) async fn choose_company_names(
    Session(owner): Session,
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiJson(form): ApiJson<CompanyNamesForm>,
) -> ApiResult<LoginView> {
    let connection = state
        .logins()
        .connection(owner, &id)
        .ok_or_else(ApiError::unknown_login)?;
    let names = CompanyNames::parse(&form.names)
        .map_err(|e| ApiError::field("company_names", &e.to_string()))?;
    connection.set_company_names(names);
    Ok(Json(LoginView::Captured(ConnectionView(connection))))
}

/// "Revoke this token": Salesforce forgets the refresh token and its access tokens.
pub(super) async fn revoke(
    Session(owner): Session,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<LoginView> {
    let connection = state
        .logins()
        .connection(owner, &id)
        .ok_or_else(ApiError::unknown_login)?;
    let token = connection.refresh_token();
    salesforce::revoke(state.http(), &connection.credentials.login_url, &token)
        .await
        .map_err(|e| ApiError::advice(StatusCode::BAD_GATEWAY, e.advice()))?;
    tracing::info!("revoked a refresh token");
    connection.mark_revoked();
    Ok(Json(LoginView::Captured(ConnectionView(connection))))
}

#[derive(Deserialize)]
pub(super) struct CheckForm {
    #[serde(flatten)]
    credentials: CredentialsForm,
    refresh_token: RefreshToken,
    #[serde(default)]
    company_names: Vec<String>,
}

/// "Check an existing setup": the five settings an admin already has, run
/// through the same checks as a fresh sign-in.
pub(super) async fn check_existing(
    Session(owner): Session,
    State(state): State<AppState>,
    ApiJson(form): ApiJson<CheckForm>,
) -> ApiResult<LoginId> {
    let credentials = form.credentials.check(&state)?;
    let refresh_token = form.refresh_token.expose().trim();
    if refresh_token.is_empty() || refresh_token.len() > 4096 {
        return Err(ApiError::field(
            "refresh_token",
            "Paste the refresh token that Snow Atlas uses (it often starts with 5Aep).",
        ));
    }
    let names = CompanyNames::parse(&form.company_names)
        .map_err(|e| ApiError::field("company_names", &e.to_string()))?;
    let connection = Arc::new(Connection::new(
        credentials,
        RefreshToken::new(refresh_token),
        Details::default(),
    ));
    connection.set_company_names(names);
    state.adopt(&connection, false);
    let id = state
        .logins()
        .insert_finished(owner, Outcome::Captured(connection));
    Ok(Json(LoginId { id }))
}
