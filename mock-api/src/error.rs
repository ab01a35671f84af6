//! The one error type of the API ([`ApiError`]), which becomes a gRPC [`tonic::Status`], and the
//! error type of starting a mock ([`MockError`]).

use std::path::PathBuf;

/// Every way the API refuses a call. Each variant is one gRPC code the real control plane uses
/// (DESIGN.md §3); the message names the field or object and, where it helps, says what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    /// `INVALID_ARGUMENT`.
    #[error("{0}")]
    InvalidArgument(String),
    /// `UNAUTHENTICATED`.
    #[error("{0}")]
    Unauthenticated(String),
    /// `NOT_FOUND`.
    #[error("{0}")]
    NotFound(String),
    /// `ALREADY_EXISTS`.
    #[error("{0}")]
    AlreadyExists(String),
    /// `FAILED_PRECONDITION`.
    #[error("{0}")]
    FailedPrecondition(String),
    /// `PERMISSION_DENIED`: the caller may not do this.
    #[error("{0}")]
    PermissionDenied(String),
    /// `RESOURCE_EXHAUSTED`.
    #[error("{0}")]
    ResourceExhausted(String),
    /// `UNAVAILABLE`.
    #[error("{0}")]
    Unavailable(String),
    /// `INTERNAL`.
    #[error("{0}")]
    Internal(String),
}

impl ApiError {
    /// The gRPC code.
    pub fn code(&self) -> tonic::Code {
        match self {
            ApiError::InvalidArgument(_) => tonic::Code::InvalidArgument,
            ApiError::Unauthenticated(_) => tonic::Code::Unauthenticated,
            ApiError::NotFound(_) => tonic::Code::NotFound,
            ApiError::AlreadyExists(_) => tonic::Code::AlreadyExists,
            ApiError::FailedPrecondition(_) => tonic::Code::FailedPrecondition,
            ApiError::PermissionDenied(_) => tonic::Code::PermissionDenied,
            ApiError::ResourceExhausted(_) => tonic::Code::ResourceExhausted,
            ApiError::Unavailable(_) => tonic::Code::Unavailable,
            ApiError::Internal(_) => tonic::Code::Internal,
        }
    }
}

impl From<ApiError> for tonic::Status {
    fn from(error: ApiError) -> Self {
        tonic::Status::new(error.code(), error.to_string())
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
    /// Binding or serving a listener failed.
    #[error("cannot serve: {0}")]
    Serve(std::io::Error),
    /// Making the bootstrap service account failed.
    #[error("cannot create the bootstrap service account: {0}")]
    Bootstrap(String),
    /// Making the TLS certificate failed.
    #[error("cannot make the TLS certificate: {0}")]
    Tls(String),
}
