//! The web layer's one error type: every failure becomes an NHS-style error page (or a JSON
//! error under `/api`). Internal errors are logged with their cause and never shown.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use maud::html;

use app::AppError;

use crate::layout;

#[derive(Debug, thiserror::Error)]
pub(crate) enum Error {
    #[error("page not found")]
    NotFound,
    #[error("sign in required")]
    SignInRequired { next: String },
    #[error("forbidden")]
    Forbidden,
    #[error("{0}")]
    BadRequest(String),
    /// Well-formed but wrong content (a file whose rows do not fit the request).
    #[error("{0}")]
    Unprocessable(String),
    #[error("{0}")]
    TooLarge(String),
    /// Bids asked for before they may be opened.
    #[error("{0}")]
    Sealed(String),
    #[error("unexpected error")]
    Unexpected(#[source] anyhow::Error),
}

impl Error {
    pub(crate) fn from_app(error: AppError, path: &str) -> Error {
        match error {
            AppError::NotFound => Error::NotFound,
            AppError::SignInRequired => Error::SignInRequired { next: path.to_owned() },
            AppError::Forbidden => Error::Forbidden,
            sealed @ AppError::Sealed(_) => Error::Sealed(sealed.to_string()),
            AppError::Invalid(message) => Error::BadRequest(message),
            AppError::Import(error) => Error::BadRequest(error.to_string()),
            AppError::Unexpected(error) => Error::Unexpected(error),
        }
    }

    fn status(&self) -> StatusCode {
        match self {
            Error::NotFound => StatusCode::NOT_FOUND,
            Error::SignInRequired { .. } => StatusCode::UNAUTHORIZED,
            Error::Forbidden | Error::Sealed(_) => StatusCode::FORBIDDEN,
            Error::BadRequest(_) => StatusCode::BAD_REQUEST,
            Error::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Error::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Error::Unexpected(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn log(&self) {
        if let Error::Unexpected(error) = self {
            tracing::error!(error = format!("{error:#}"), "request failed");
        }
    }
}

impl From<AppError> for Error {
    fn from(error: AppError) -> Error {
        Error::from_app(error, "/")
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        self.log();
        let (title, body) = match &self {
            Error::SignInRequired { next } => {
                return Redirect::to(&format!("/sign-in?next={}", crate::format::url_encode(next))).into_response();
            }
            Error::NotFound => (
                "Page not found",
                html! {
                    p { "If you typed the web address, check it is correct." }
                    p { "If you pasted the web address, check you copied the entire address." }
                    p { "The page may also be one you do not have access to." }
                    p { a href="/" { "Go to the start page" } }
                },
            ),
            Error::Forbidden => (
                "You do not have access to this page",
                html! {
                    p { "Your role does not allow you to see this page." }
                    p { "If you think you should have access, contact your Commissioner administrator." }
                },
            ),
            Error::Sealed(message) => {
                ("The bids are sealed", html! { p { "Nobody can open the bids yet: " (message) "." } })
            }
            Error::BadRequest(message) | Error::Unprocessable(message) | Error::TooLarge(message) => {
                ("There is a problem with your request", html! { p { (message) } })
            }
            Error::Unexpected(_) => (
                "Sorry, there is a problem with the service",
                html! {
                    p { "Try again later." }
                    p { "Nothing you entered was saved unless the page said so." }
                },
            ),
        };
        let content = html! {
            div class="nhsuk-grid-row" {
                div class="nhsuk-grid-column-two-thirds" {
                    h1 { (title) }
                    (body)
                }
            }
        };
        (self.status(), Html(layout::bare_page(title, content))).into_response()
    }
}

/// An error from an API route: the same cases, as JSON `{ "error": "…" }`.
#[derive(Debug)]
pub(crate) struct ApiError(pub(crate) Error);

impl From<AppError> for ApiError {
    fn from(error: AppError) -> ApiError {
        ApiError(Error::from(error))
    }
}

impl From<Error> for ApiError {
    fn from(error: Error) -> ApiError {
        ApiError(error)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.0.log();
        let message = match &self.0 {
            Error::Unexpected(_) => "unexpected error".to_owned(),
            other => other.to_string(),
        };
        (self.0.status(), Json(serde_json::json!({ "error": message }))).into_response()
    }
}
