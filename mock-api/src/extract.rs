//! Extractors that refuse bad input with an [`ApiError`] (400 `invalid_argument`) instead of
//! axum's plain-text rejections: JSON bodies ([`Post`], [`Body`]), paths and query strings
//! ([`Query`]).

use axum::body::Body as AxumBody;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::request::Parts;
use http_body_util::BodyExt as _;
use serde::de::DeserializeOwned;
use sha2::{Digest as _, Sha256};

use crate::error::ApiError;
use crate::state::IdempotencyKey;

/// Largest request body accepted.
pub const MAX_BODY_BYTES: usize = 1 << 20;

/// Past this much, an oversized body is no longer read to its end before answering. Reading a
/// moderately oversized body lets the client finish sending and read our 400; refusing early
/// would reset the connection under it.
const DRAIN_LIMIT: usize = 16 << 20;

/// The header a client sends to make a POST safe to retry.
pub const IDEMPOTENCY_KEY: &str = "idempotency-key";

fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::InvalidArgument(message.into())
}

/// A JSON request body, parsed into `T`.
#[derive(Debug)]
pub(crate) struct Body<T> {
    /// The parsed body.
    pub body: T,
    /// SHA-256 (hex) of the body's canonical JSON: equal for bodies that differ only in
    /// whitespace.
    pub fingerprint: String,
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, _: &S) -> Result<Self, ApiError> {
        let content_type = request.headers().get(CONTENT_TYPE).ok_or_else(|| {
            invalid("missing Content-Type; send `Content-Type: application/json`")
        })?;
        let content_type = content_type.to_str().unwrap_or_default();
        let essence = content_type.split(';').next().unwrap_or_default().trim();
        if !essence.eq_ignore_ascii_case("application/json") {
            return Err(invalid(format!(
                "Content-Type `{content_type}` is not accepted; send `application/json`"
            )));
        }
        let declared = request
            .headers()
            .get(CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        if declared.is_some_and(|len| len > DRAIN_LIMIT) {
            return Err(too_large());
        }
        let bytes = read_limited(request.into_body()).await?;
        let value: serde_json::Value = serde_json::from_slice(&bytes)
            .map_err(|e| invalid(format!("request body is not valid JSON: {e}")))?;
        // serde would also take a struct from an array of its fields; the API does not.
        if !value.is_object() {
            return Err(invalid("request body must be a JSON object"));
        }
        let canonical = serde_json::to_vec(&value)
            .map_err(|e| ApiError::Internal(format!("cannot re-encode the body: {e}")))?;
        let fingerprint = hex(&Sha256::digest(&canonical));
        let body = serde_path_to_error::deserialize(&value).map_err(|e| {
            let path = e.path().to_string();
            let inner = e.into_inner();
            if path == "." {
                invalid(format!("request body: {inner}"))
            } else {
                invalid(format!("request body field `{path}`: {inner}"))
            }
        })?;
        Ok(Body { body, fingerprint })
    }
}

fn too_large() -> ApiError {
    invalid(format!(
        "request body is larger than {} MiB",
        MAX_BODY_BYTES >> 20
    ))
}

async fn read_limited(mut body: AxumBody) -> Result<Vec<u8>, ApiError> {
    let mut bytes = Vec::new();
    let mut seen = 0usize;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| invalid(format!("cannot read the request body: {e}")))?;
        let Ok(data) = frame.into_data() else {
            continue;
        };
        seen += data.len();
        if seen > DRAIN_LIMIT {
            break;
        }
        if seen <= MAX_BODY_BYTES {
            bytes.extend_from_slice(&data);
        }
    }
    if seen > MAX_BODY_BYTES {
        return Err(too_large());
    }
    Ok(bytes)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The body of a POST and its `Idempotency-Key`, if any.
#[derive(Debug)]
pub(crate) struct Post<T> {
    /// The parsed body.
    pub body: T,
    /// The key with what identifies this request.
    pub idempotency: Option<IdempotencyKey>,
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Post<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        let key = match request.headers().get(IDEMPOTENCY_KEY) {
            None => None,
            Some(value) => Some(
                value
                    .to_str()
                    .ok()
                    .filter(|k| (1..=255).contains(&k.len()))
                    .filter(|k| k.bytes().all(|b| b.is_ascii_graphic()))
                    .ok_or_else(|| {
                        invalid("Idempotency-Key must be 1 to 255 printable ASCII characters")
                    })?
                    .to_owned(),
            ),
        };
        let route = format!("POST {}", request.uri().path());
        let Body { body, fingerprint } = Body::from_request(request, state).await?;
        Ok(Post {
            body,
            idempotency: key.map(|key| IdempotencyKey {
                key,
                route,
                fingerprint,
            }),
        })
    }
}

/// A query string parsed into `T`.
#[derive(Debug)]
pub(crate) struct Query<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Query<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        axum::extract::Query::try_from_uri(&parts.uri)
            .map(|axum::extract::Query(value)| Query(value))
            .map_err(|e| invalid(format!("query string: {}", e.body_text())))
    }
}

/// Path parameters parsed into `T`.
#[derive(Debug)]
pub(crate) struct Path<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for Path<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        axum::extract::Path::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(value)| Path(value))
            .map_err(|e| invalid(format!("path: {}", e.body_text())))
    }
}
