//! The router: every route of DESIGN.md §3 and `/_mock/stats`, and the middleware around them
//! (request ids, request counting, fault injection, authentication).

use axum::extract::{MatchedPath, Request, State};
use axum::http::HeaderValue;
use axum::middleware::{Next, from_fn, from_fn_with_state};
use axum::response::Response;
use axum::routing::{get, patch, post};
use axum::{Json, Router};
use rand::Rng as _;

use crate::auth;
use crate::error::{ApiError, REQUEST_ID};
use crate::routes;
use crate::state::{MockState, Stats};

/// The response header that names the request.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// The whole API as a router, for [`crate::serve`] or for in-process tests with
/// `tower::ServiceExt::oneshot`.
///
/// Layer order, outermost first: request id (all responses), request counting (all routes),
/// fault injection and latency (`/v1` only), bearer token (`/v1` but the login).
pub fn router(state: MockState) -> Router {
    let trust_domain = "/v1/trust-domains/{id}";
    let deployment = "/v1/trust-domains/{id}/deployments/{deployment_id}";
    Router::new()
        .route(
            "/v1/trust-domains",
            post(routes::create_trust_domain).get(routes::list_trust_domains),
        )
        .route(
            trust_domain,
            get(routes::get_trust_domain)
                .patch(routes::update_trust_domain)
                .delete(routes::delete_trust_domain),
        )
        .route(
            &format!("{trust_domain}/deployments"),
            post(routes::create_deployment).get(routes::list_deployments),
        )
        .route(
            deployment,
            get(routes::get_deployment).delete(routes::delete_deployment),
        )
        .route(&format!("{deployment}/keys"), post(routes::create_key))
        .route(
            &format!("{deployment}/keys/{{key_id}}"),
            patch(routes::update_key).delete(routes::delete_key),
        )
        .route_layer(from_fn_with_state(state.clone(), auth::require_token))
        .route("/v1/auth/service-account/challenge", post(auth::challenge))
        .route("/v1/auth/service-account/session", post(auth::session))
        .route_layer(from_fn_with_state(state.clone(), inject_faults))
        .route("/_mock/stats", get(stats))
        .route_layer(from_fn_with_state(state.clone(), count_request))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(from_fn(request_id))
        .with_state(state)
}

/// Gives every request an id, visible to errors while it is handled and returned as
/// `X-Request-Id` on every response.
async fn request_id(request: Request, next: Next) -> Response {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let id: String = {
        let mut rng = rand::thread_rng();
        let suffix: String = (0..20)
            .map(|_| char::from(ALPHABET[rng.gen_range(0..ALPHABET.len())]))
            .collect();
        format!("req-{suffix}")
    };
    let mut response = REQUEST_ID.scope(id.clone(), next.run(request)).await;
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID_HEADER, value);
    }
    response
}

/// Counts the request under its route pattern, before anything else can refuse it.
async fn count_request(State(state): State<MockState>, request: Request, next: Next) -> Response {
    count(&state, &request);
    next.run(request).await
}

/// `"<METHOD> <route pattern>"` of the request, or `"<METHOD> <unmatched>"`, counted once.
fn count(state: &MockState, request: &Request) {
    let pattern = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("<unmatched>", MatchedPath::as_str);
    state.count_request(format!("{} {pattern}", request.method()));
}

/// `--latency-ms` and `--fail-rate` (as [`MockState::faults`] says now): waits, then maybe refuses
/// before the request is looked at.
async fn inject_faults(
    State(state): State<MockState>,
    request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let faults = state.faults();
    if !faults.latency.is_zero() {
        tokio::time::sleep(faults.latency).await;
    }
    if state.chance(faults.fail_rate) {
        let retry_after = state.config().retry_after;
        return Err(if state.chance(0.5) {
            ApiError::ResourceExhausted { retry_after }
        } else {
            ApiError::Unavailable { retry_after }
        });
    }
    Ok(next.run(request).await)
}

async fn stats(State(state): State<MockState>) -> Json<Stats> {
    Json(state.stats())
}

/// The fallbacks run outside the route layers, so they count their requests themselves.
async fn not_found(State(state): State<MockState>, request: Request) -> ApiError {
    count(&state, &request);
    ApiError::NotFound(format!(
        "no route for {} {}",
        request.method(),
        request.uri().path()
    ))
}

async fn method_not_allowed(State(state): State<MockState>, request: Request) -> ApiError {
    count(&state, &request);
    ApiError::MethodNotAllowed(format!(
        "{} is not allowed on {}",
        request.method(),
        request.uri().path()
    ))
}
