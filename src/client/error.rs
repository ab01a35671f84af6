//! [`ApiError`]: the one error type of the API client.
//!
//! Every variant carries an [`ErrorContext`]: the operation ("create trust domain"), the gRPC
//! method, the status code the server (or the transport) gave, its message, and how many attempts
//! were made, so that one place (`crate::diagnostics`) can turn any of them into a Terraform
//! diagnostic that tells the user what happened and what to do.

use std::fmt;

use tonic::Code;

/// Where and how an API call failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorContext {
    /// What the provider was doing, in words: "create trust domain".
    pub operation: &'static str,
    /// The gRPC method, service and method name: `trustdomain.API/CreateTrustDomain`.
    pub method: &'static str,
    /// The gRPC status code (`NOT_FOUND`, `UNAVAILABLE`, …), when there was one.
    pub code: Option<&'static str>,
    /// The server's message, or what went wrong on our side.
    pub message: String,
    /// Attempts made, the first included.
    pub attempts: u32,
}

impl fmt::Display for ErrorContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {} ({}", self.operation, self.message, self.method)?;
        if let Some(code) = self.code {
            write!(f, ", {code}")?;
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
    /// `NOT_FOUND`: the object is gone (on read, remove it from state).
    #[error("not found: {0}")]
    NotFound(ErrorContext),
    /// `ALREADY_EXISTS`: a name or key is taken.
    #[error("already exists: {0}")]
    AlreadyExists(ErrorContext),
    /// `FAILED_PRECONDITION`: for example deleting a trust domain that has deployments.
    #[error("failed precondition: {0}")]
    FailedPrecondition(ErrorContext),
    /// Someone else changed the object since the provider read it (an optimistic-concurrency
    /// check failed): the message names the version expected and the one found.
    #[error("changed concurrently: {0}")]
    Conflict(ErrorContext),
    /// `INVALID_ARGUMENT` (or `OUT_OF_RANGE`): the server refused a value.
    #[error("invalid argument: {0}")]
    InvalidArgument(ErrorContext),
    /// `UNAUTHENTICATED`, after logging in again once, or a refused login.
    #[error("authentication failed: {0}")]
    Unauthenticated(ErrorContext),
    /// `PERMISSION_DENIED`: the service account may not do this.
    #[error("permission denied: {0}")]
    PermissionDenied(ErrorContext),
    /// `RESOURCE_EXHAUSTED`, still, after the retries.
    #[error("rate limited: {0}")]
    RateLimited(ErrorContext),
    /// `UNAVAILABLE` from the server, still, after the retries.
    #[error("service unavailable: {0}")]
    Unavailable(ErrorContext),
    /// `request_timeout` passed before an answer (or the server said `DEADLINE_EXCEEDED`).
    #[error("timed out: {0}")]
    Timeout(ErrorContext),
    /// The connection failed (refused, reset, TLS, DNS, proxy), still, after the retries.
    #[error("connection failed: {0}")]
    Transport(ErrorContext),
    /// The endpoint's TLS certificate could not be verified: never retried, never skipped.
    #[error("TLS failed: {0}")]
    Tls(ErrorContext),
    /// The answer is not what the API describes (a missing field, a malformed id).
    #[error("unexpected answer: {0}")]
    Decode(ErrorContext),
    /// `INTERNAL`, `UNKNOWN`, `UNIMPLEMENTED` or any other status.
    #[error("server error: {0}")]
    Internal(ErrorContext),
}

/// What an [`ApiError::Unauthenticated`] says when the control plane refused the session that
/// `spirlctl login` stored: the client cannot log in by itself, so the user must.
pub const SPIRLCTL_LOGIN_AGAIN: &str = "run `spirlctl login` again";

impl ApiError {
    /// Whether this is the control plane refusing the session `spirlctl login` stored: the next
    /// step is to log in with `spirlctl` again (or to configure a service-account key).
    pub fn needs_spirlctl_login(&self) -> bool {
        matches!(self, ApiError::Unauthenticated(c) if c.message.contains(SPIRLCTL_LOGIN_AGAIN))
    }

    /// The details every variant carries.
    pub fn context(&self) -> &ErrorContext {
        match self {
            ApiError::NotFound(c)
            | ApiError::AlreadyExists(c)
            | ApiError::FailedPrecondition(c)
            | ApiError::Conflict(c)
            | ApiError::InvalidArgument(c)
            | ApiError::Unauthenticated(c)
            | ApiError::PermissionDenied(c)
            | ApiError::RateLimited(c)
            | ApiError::Unavailable(c)
            | ApiError::Timeout(c)
            | ApiError::Transport(c)
            | ApiError::Tls(c)
            | ApiError::Decode(c)
            | ApiError::Internal(c) => c,
        }
    }

    /// Whether the object does not exist (a read then means "gone").
    pub fn is_not_found(&self) -> bool {
        matches!(self, ApiError::NotFound(_))
    }

    /// Whether the server may have carried out a write whose answer this is: the call may have
    /// reached it and no answer says it was refused. A create that failed like this is looked up
    /// before it is tried again (the API has no idempotency keys).
    pub fn may_have_applied(&self) -> bool {
        matches!(
            self,
            ApiError::Unavailable(_)
                | ApiError::Timeout(_)
                | ApiError::Transport(_)
                | ApiError::Internal(_)
                | ApiError::Decode(_)
        )
    }

    /// Whether trying again may succeed: the server was busy or unreachable.
    pub(crate) fn is_retryable(&self) -> bool {
        matches!(
            self,
            ApiError::Unavailable(_) | ApiError::RateLimited(_) | ApiError::Transport(_)
        )
    }

    /// Classifies a gRPC status. `transport` says the status stands for a failure of the
    /// connection (tonic reports those as `UNAVAILABLE` or `UNKNOWN`), not an answer.
    pub(crate) fn from_status(code: Code, transport: bool, context: ErrorContext) -> Self {
        if transport {
            return ApiError::Transport(context);
        }
        match code {
            Code::NotFound => ApiError::NotFound(context),
            Code::AlreadyExists => ApiError::AlreadyExists(context),
            Code::FailedPrecondition => ApiError::FailedPrecondition(context),
            Code::InvalidArgument | Code::OutOfRange => ApiError::InvalidArgument(context),
            Code::Unauthenticated => ApiError::Unauthenticated(context),
            Code::PermissionDenied => ApiError::PermissionDenied(context),
            Code::ResourceExhausted => ApiError::RateLimited(context),
            Code::Unavailable => ApiError::Unavailable(context),
            Code::DeadlineExceeded => ApiError::Timeout(context),
            _ => ApiError::Internal(context),
        }
    }
}

/// The canonical name of a gRPC code, as the API documentation writes it.
pub(crate) fn code_name(code: Code) -> &'static str {
    match code {
        Code::Ok => "OK",
        Code::Cancelled => "CANCELLED",
        Code::Unknown => "UNKNOWN",
        Code::InvalidArgument => "INVALID_ARGUMENT",
        Code::DeadlineExceeded => "DEADLINE_EXCEEDED",
        Code::NotFound => "NOT_FOUND",
        Code::AlreadyExists => "ALREADY_EXISTS",
        Code::PermissionDenied => "PERMISSION_DENIED",
        Code::ResourceExhausted => "RESOURCE_EXHAUSTED",
        Code::FailedPrecondition => "FAILED_PRECONDITION",
        Code::Aborted => "ABORTED",
        Code::OutOfRange => "OUT_OF_RANGE",
        Code::Unimplemented => "UNIMPLEMENTED",
        Code::Internal => "INTERNAL",
        Code::Unavailable => "UNAVAILABLE",
        Code::DataLoss => "DATA_LOSS",
        Code::Unauthenticated => "UNAUTHENTICATED",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context() -> ErrorContext {
        ErrorContext {
            operation: "read trust domain",
            method: "trustdomain.API/TrustDomainInfo",
            code: Some("NOT_FOUND"),
            message: "trust domain td-1 not found".into(),
            attempts: 2,
        }
    }

    #[test]
    fn api_error_from_status_by_code() {
        let err = ApiError::from_status(Code::NotFound, false, context());
        assert!(err.is_not_found());
        assert_eq!(
            err.to_string(),
            "not found: read trust domain: trust domain td-1 not found (trustdomain.API/TrustDomainInfo, NOT_FOUND, after 2 attempts)"
        );
        assert!(matches!(
            ApiError::from_status(Code::ResourceExhausted, false, context()),
            ApiError::RateLimited(_)
        ));
        assert!(matches!(
            ApiError::from_status(Code::Unavailable, true, context()),
            ApiError::Transport(_)
        ));
        assert!(matches!(
            ApiError::from_status(Code::Aborted, false, context()),
            ApiError::Internal(_)
        ));
    }

    #[test]
    fn api_error_refusals_never_count_as_applied() {
        for code in [
            Code::NotFound,
            Code::AlreadyExists,
            Code::FailedPrecondition,
            Code::InvalidArgument,
            Code::Unauthenticated,
            Code::PermissionDenied,
            Code::ResourceExhausted,
        ] {
            assert!(
                !ApiError::from_status(code, false, context()).may_have_applied(),
                "{code:?}"
            );
        }
        for code in [
            Code::Unavailable,
            Code::DeadlineExceeded,
            Code::Internal,
            Code::Unknown,
        ] {
            assert!(
                ApiError::from_status(code, false, context()).may_have_applied(),
                "{code:?}"
            );
        }
    }
}
