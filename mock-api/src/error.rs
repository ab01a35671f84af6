//! The one error type of the API ([`ApiError`]), which renders itself as the contract's error
//! JSON, and the error type of starting a mock ([`MockError`]).

use std::path::PathBuf;
use std::time::Duration;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

tokio::task_local! {
    /// The id of the request being handled; set by the request-id middleware around every
    /// request so that an error can name it wherever it is built.
    pub(crate) static REQUEST_ID: String;
}

/// Every way the API refuses a request. Each variant is one `code` of DESIGN.md §3; the message
/// tells the client what was wrong and, where it helps, what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    /// 400 `invalid_argument`.
    #[error("{0}")]
    InvalidArgument(String),
    /// 401 `unauthenticated`.
    #[error("{0}")]
    Unauthenticated(String),
    /// 403 `permission_denied`.
    #[error("{0}")]
    PermissionDenied(String),
    /// 404 `not_found`.
    #[error("{0}")]
    NotFound(String),
    /// 405, reported as `invalid_argument` since the contract has no code of its own for it.
    #[error("{0}")]
    MethodNotAllowed(String),
    /// 409 `already_exists`.
    #[error("{0}")]
    AlreadyExists(String),
    /// 409 `failed_precondition`.
    #[error("{0}")]
    FailedPrecondition(String),
    /// 429 `resource_exhausted`, with `Retry-After`.
    #[error("too many requests; retry after {} s", retry_after.as_secs())]
    ResourceExhausted {
        /// How long the client should wait.
        retry_after: Duration,
    },
    /// 503 `unavailable`, with `Retry-After`.
    #[error("service unavailable; retry after {} s", retry_after.as_secs())]
    Unavailable {
        /// How long the client should wait.
        retry_after: Duration,
    },
    /// 500 `internal`.
    #[error("{0}")]
    Internal(String),
}

impl ApiError {
    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::InvalidArgument(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
            ApiError::PermissionDenied(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::AlreadyExists(_) | ApiError::FailedPrecondition(_) => StatusCode::CONFLICT,
            ApiError::ResourceExhausted { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The `code` field of the error JSON.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::InvalidArgument(_) | ApiError::MethodNotAllowed(_) => "invalid_argument",
            ApiError::Unauthenticated(_) => "unauthenticated",
            ApiError::PermissionDenied(_) => "permission_denied",
            ApiError::NotFound(_) => "not_found",
            ApiError::AlreadyExists(_) => "already_exists",
            ApiError::FailedPrecondition(_) => "failed_precondition",
            ApiError::ResourceExhausted { .. } => "resource_exhausted",
            ApiError::Unavailable { .. } => "unavailable",
            ApiError::Internal(_) => "internal",
        }
    }

    fn retry_after(&self) -> Option<Duration> {
        match self {
            ApiError::ResourceExhausted { retry_after } | ApiError::Unavailable { retry_after } => {
                Some(*retry_after)
            }
            _ => None,
        }
    }
}

#[derive(Serialize)]
struct ErrorEnvelope<'a> {
    error: ErrorBody<'a>,
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    code: &'a str,
    message: String,
    request_id: String,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let request_id = REQUEST_ID
            .try_with(Clone::clone)
            .unwrap_or_else(|_| "unknown".to_owned());
        let body = ErrorEnvelope {
            error: ErrorBody {
                code: self.code(),
                message: self.to_string(),
                request_id,
            },
        };
        let mut response = (self.status(), axum::Json(body)).into_response();
        if let Some(after) = self.retry_after() {
            // Whole seconds, at least one: a zero would invite a hot retry loop.
            let secs = after.as_secs().max(1);
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}

/// Why a mock could not start.
#[derive(Debug, thiserror::Error)]
pub enum MockError {
    /// Reading or writing the data directory failed.
    #[error("{action} {}: {source}", path.display())]
    Io {
        /// What was being done.
        action: &'static str,
        /// The file or directory.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// Another process holds the data directory.
    #[error("data directory {} is in use by another mock (its journal is locked)", .0.display())]
    DataDirInUse(PathBuf),
    /// A journal line other than the last could not be read: the file was damaged, not torn by a
    /// crash, so starting would silently lose acknowledged writes.
    #[error("journal {} line {line} is damaged: {message}", path.display())]
    CorruptJournal {
        /// The journal file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// What is wrong with it.
        message: String,
    },
    /// The configuration is unusable.
    #[error("invalid configuration: {0}")]
    Config(String),
    /// Binding or serving the listener failed.
    #[error("cannot serve: {0}")]
    Serve(std::io::Error),
    /// Making the bootstrap service account failed.
    #[error("cannot create the bootstrap service account: {0}")]
    Bootstrap(String),
}
