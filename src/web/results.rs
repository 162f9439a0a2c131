//! A sign-in's result as the page shows it: its status, the settings with
//! their formats and checks, and what the page changes on it (the Company
//! names picker, Revoke), plus typed-in settings checked the same way.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;

use super::AppState;
use super::api::{ApiResult, CredentialsForm, LoginId};
use super::error::{ApiError, ApiJson};
use super::guard::Session;
use super::view::{ConnectionView, LoginView};
use crate::company_names::CompanyNames;
use crate::salesforce;
use crate::secret::RefreshToken;
use crate::signin::{Connection, Outcome, Status};

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
            client_id: client_id.into(),
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
    let credentials = form.credentials.check(&state, owner)?;
    let refresh_token = RefreshToken::parse(form.refresh_token.expose())
        .map_err(|e| ApiError::field("refresh_token", &e.to_string()))?;
    let names = CompanyNames::parse(&form.company_names)
        .map_err(|e| ApiError::field("company_names", &e.to_string()))?;
    let connection = Arc::new(Connection::existing(credentials, refresh_token, names));
    state.start_checks(&connection);
    let id = state
        .logins()
        .insert_finished(owner, Outcome::Captured(connection));
    Ok(Json(LoginId { id }))
}
