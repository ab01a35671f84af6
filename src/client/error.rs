//! [`ApiError`]: the one error type of the API client.
//!
//! Every variant carries an [`ErrorContext`]: the operation ("create trust domain"), the route,
//! the HTTP status, the server's error code, message and request id, and how many attempts were
//! made, so that one place can turn any of them into a Terraform diagnostic that tells the user
//! what happened and what to do.

use std::fmt;

use reqwest::StatusCode;
use serde::Deserialize;

/// Where and how an API call failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorContext {
    /// What the provider was doing, in words: "create trust domain".
    pub operation: &'static str,
    /// The HTTP method and route pattern: "POST /v1/trust-domains".
    pub route: String,
    /// The HTTP status, when an answer arrived.
    pub status: Option<u16>,
    /// The server's error code (`not_found`, `already_exists`, ...), when it sent one.
    pub code: Option<String>,
    /// The server's message, or what went wrong on our side.
    pub message: String,
    /// The server's request id (`X-Request-Id`), for support tickets.
    pub request_id: Option<String>,
    /// Attempts made, the first included.
    pub attempts: u32,
}

impl fmt::Display for ErrorContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {} ({}", self.operation, self.message, self.route)?;
        if let Some(status) = self.status {
            write!(f, ", HTTP {status}")?;
        }
        if let Some(code) = &self.code {
            write!(f, " {code}")?;
        }
        if let Some(id) = &self.request_id {
            write!(f, ", request id {id}")?;
        }
        if self.attempts > 1 {
            write!(f, ", after {} attempts", self.attempts)?;
        }
        f.write_str(")")
    }
}

/// Everything an API call can fail with.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    /// 404 `not_found`: the object is gone (on read, remove it from state).
    #[error("not found: {0}")]
    NotFound(ErrorContext),
    /// 409 `already_exists`: a name is taken.
    #[error("already exists: {0}")]
    AlreadyExists(ErrorContext),
    /// 409 `failed_precondition`: for example deleting a trust domain that has deployments.
    #[error("failed precondition: {0}")]
    FailedPrecondition(ErrorContext),
    /// 400 `invalid_argument`: the server refused a value.
    #[error("invalid argument: {0}")]
    InvalidArgument(ErrorContext),
    /// 401 `unauthenticated`, after logging in again once.
    #[error("authentication failed: {0}")]
    Unauthenticated(ErrorContext),
    /// 403 `permission_denied`: the service account may not do this.
    #[error("permission denied: {0}")]
    PermissionDenied(ErrorContext),
    /// 429 `resource_exhausted`, still, after the retries.
    #[error("rate limited: {0}")]
    RateLimited(ErrorContext),
    /// 502, 503 or 504, still, after the retries.
    #[error("service unavailable: {0}")]
    Unavailable(ErrorContext),
    /// `request_timeout` passed before a complete answer.
    #[error("timed out: {0}")]
    Timeout(ErrorContext),
    /// The connection failed (refused, reset, TLS, DNS, proxy), still, after the retries.
    #[error("connection failed: {0}")]
    Transport(ErrorContext),
    /// The server answered with a redirect, which is never followed.
    #[error("unexpected redirect: {0}")]
    Redirect(ErrorContext),
    /// The answer is not the JSON the contract describes.
    #[error("unexpected answer: {0}")]
    Decode(ErrorContext),
    /// 500 `internal`, or any other status the contract does not describe.
    #[error("server error: {0}")]
    Internal(ErrorContext),
}

impl ApiError {
    /// The details every variant carries.
    pub fn context(&self) -> &ErrorContext {
        match self {
            ApiError::NotFound(c)
            | ApiError::AlreadyExists(c)
            | ApiError::FailedPrecondition(c)
            | ApiError::InvalidArgument(c)
            | ApiError::Unauthenticated(c)
            | ApiError::PermissionDenied(c)
            | ApiError::RateLimited(c)
            | ApiError::Unavailable(c)
            | ApiError::Timeout(c)
            | ApiError::Transport(c)
            | ApiError::Redirect(c)
            | ApiError::Decode(c)
            | ApiError::Internal(c) => c,
        }
    }

    /// Whether the object does not exist (a read then means "gone").
    pub fn is_not_found(&self) -> bool {
        matches!(self, ApiError::NotFound(_))
    }

    /// Classifies an error answer by the server's code, falling back to the HTTP status.
    pub(crate) fn from_answer(status: StatusCode, body: &[u8], mut context: ErrorContext) -> Self {
        context.status = Some(status.as_u16());
        match serde_json::from_slice::<ErrorEnvelope>(body) {
            Ok(ErrorEnvelope { error }) => {
                context.message = error.message;
                if context.request_id.is_none() {
                    context.request_id = error.request_id;
                }
                context.code = Some(error.code);
            }
            Err(_) => {
                context.message =
                    format!("the server answered {status} without the contract's error JSON");
            }
        }
        let by_code = match context.code.as_deref() {
            Some("not_found") => Some(ApiError::NotFound as fn(ErrorContext) -> ApiError),
            Some("already_exists") => Some(ApiError::AlreadyExists as _),
            Some("failed_precondition") => Some(ApiError::FailedPrecondition as _),
            Some("invalid_argument") => Some(ApiError::InvalidArgument as _),
            Some("unauthenticated") => Some(ApiError::Unauthenticated as _),
            Some("permission_denied") => Some(ApiError::PermissionDenied as _),
            Some("resource_exhausted") => Some(ApiError::RateLimited as _),
            Some("unavailable") => Some(ApiError::Unavailable as _),
            Some("internal") => Some(ApiError::Internal as _),
            _ => None,
        };
        let variant = by_code.unwrap_or(match status.as_u16() {
            400 => ApiError::InvalidArgument,
            401 => ApiError::Unauthenticated,
            403 => ApiError::PermissionDenied,
            404 => ApiError::NotFound,
            409 => ApiError::FailedPrecondition,
            429 => ApiError::RateLimited,
            502..=504 => ApiError::Unavailable,
            _ => ApiError::Internal,
        });
        variant(context)
    }
}

/// `{"error": {"code", "message", "request_id"}}`.
#[derive(Deserialize)]
struct ErrorEnvelope {
    error: ErrorBody,
}

#[derive(Deserialize)]
struct ErrorBody {
    code: String,
    message: String,
    #[serde(default)]
    request_id: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context() -> ErrorContext {
        ErrorContext {
            operation: "get trust domain",
            route: "GET /v1/trust-domains/{id}".into(),
            status: None,
            code: None,
            message: String::new(),
            request_id: Some("req-1".into()),
            attempts: 1,
        }
    }

    #[test]
    fn api_error_from_answer_uses_code_then_status() {
        let body =
            br#"{"error":{"code":"already_exists","message":"name taken","request_id":"req-2"}}"#;
        let err = ApiError::from_answer(StatusCode::CONFLICT, body, context());
        assert!(matches!(err, ApiError::AlreadyExists(_)));
        assert_eq!(
            err.to_string(),
            "already exists: get trust domain: name taken (GET /v1/trust-domains/{id}, HTTP 409 already_exists, request id req-1)"
        );
        let err = ApiError::from_answer(StatusCode::CONFLICT, b"{}", context());
        assert!(matches!(err, ApiError::FailedPrecondition(_)));
        let err = ApiError::from_answer(StatusCode::BAD_GATEWAY, b"<html>", context());
        assert!(matches!(err, ApiError::Unavailable(_)));
        assert!(err.context().message.contains("502"));
        let err = ApiError::from_answer(StatusCode::IM_A_TEAPOT, b"", context());
        assert!(matches!(err, ApiError::Internal(_)));
    }
}
