//! The one error shape of the page's JSON API, as in axum's `error-handling`
//! example: `{"error": {"field", "message", ...advice}}`. `message` is always
//! there and says what to do; `field` names the form field at fault; when
//! Salesforce's advice is behind the error, its `title`, `cause`, `fix`,
//! `code` and `description` come too. The page reads only this shape.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::salesforce::Advice;

/// A refused or failed API request.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    detail: ErrorDetail,
}

/// The body's `error` object; also the `error` of a failed sign-in's status.
#[derive(Debug, Serialize)]
pub struct ErrorDetail {
    field: Option<&'static str>,
    message: String,
    #[serde(flatten)]
    advice: Option<Box<Advice>>,
}

impl From<Advice> for ErrorDetail {
    fn from(advice: Advice) -> Self {
        Self {
            // A refused secret is the sign-in form's field: "Try again" goes there.
            field: advice.wrong_secret.then_some("client_secret"),
            message: advice.one_line(),
            advice: Some(Box::new(advice)),
        }
    }
}

impl ApiError {
    pub fn new(status: StatusCode, message: &str) -> Self {
        Self {
            status,
            detail: ErrorDetail {
                field: None,
                message: message.to_owned(),
                advice: None,
            },
        }
    }

    /// 400: what is wrong with one form field.
    pub fn field(field: &'static str, message: &str) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            detail: ErrorDetail {
                field: Some(field),
                message: message.to_owned(),
                advice: None,
            },
        }
    }

    /// Salesforce refused, and the advice says why.
    pub fn advice(status: StatusCode, advice: Advice) -> Self {
        Self {
            status,
            detail: advice.into(),
        }
    }

    /// 404 for a sign-in id sftoken does not know.
    pub fn unknown_login() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "sftoken does not know these settings; it may have been restarted. Start again from the main page.",
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        #[derive(Serialize)]
        struct Body {
            error: ErrorDetail,
        }
        (self.status, Json(Body { error: self.detail })).into_response()
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            Self::new(rejection.status(), "The form is too large for sftoken.")
        } else {
            Self::new(
                StatusCode::BAD_REQUEST,
                "The form could not be read. Reload the page and try again.",
            )
        }
    }
}

/// `Json<T>` whose rejection is an [`ApiError`], so a body that cannot be read
/// gets the same shape as every other error.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        let Json(value) = Json::<T>::from_request(request, state).await?;
        Ok(Self(value))
    }
}
