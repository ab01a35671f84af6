//! What happens around every RPC: counting, injected latency and refusals (before anything is
//! looked at), the session token, and the dropped answer after a committed write.

use tonic::{Request, Response, Status};

use crate::assumptions::{
    CLIENT_METADATA, CLIENT_VERSION_METADATA, TOKEN_METADATA, dropped_answer,
};
use crate::error::ApiError;
use crate::state::{ClientMetadata, MockState, Principal, Written};
use crate::store::{Change, Ctx, Store};

/// What every method of a service does around its own logic: admit and authenticate the call,
/// then read the store, or plan, journal and apply a change and answer it (unless the answer is
/// dropped). One per service, named by its full gRPC name.
#[derive(Debug, Clone)]
pub(crate) struct Calls {
    state: MockState,
    service: &'static str,
}

impl Calls {
    /// The calls of `service` (`com.spirl.api.v1.trustdomain.API`) over `state`.
    pub fn new(state: MockState, service: &'static str) -> Self {
        Calls { state, service }
    }

    /// The state the calls serve.
    pub fn state(&self) -> &MockState {
        &self.state
    }

    /// Admits and authenticates a call to `method`; returns its message.
    pub async fn enter<T>(&self, request: Request<T>, method: &str) -> Result<T, Status> {
        Ok(self.enter_as(request, method).await?.0)
    }

    /// Like [`Calls::enter`], for a method whose rules depend on who calls: also returns the
    /// caller.
    pub async fn enter_as<T>(
        &self,
        request: Request<T>,
        method: &str,
    ) -> Result<(T, Principal), Status> {
        admit(&self.state, &format!("/{}/{method}", self.service)).await?;
        let caller = authenticate(&self.state, &request)?;
        Ok((request.into_inner(), caller))
    }

    /// A write: plans, commits, and answers (unless the answer is dropped).
    pub fn write<T>(
        &self,
        plan: impl FnOnce(&Store, &Ctx<'_>) -> Result<(Option<Change>, T), ApiError>,
    ) -> Result<Response<T>, ApiError> {
        let written = self.state.write(plan)?;
        answer(&self.state, written).map(Response::new)
    }

    /// A read at the mock's "now".
    pub fn read<T>(
        &self,
        query: impl FnOnce(&Store, std::time::SystemTime) -> Result<T, ApiError>,
    ) -> Result<Response<T>, ApiError> {
        Ok(Response::new(self.state.read(query)?))
    }
}

/// Counts the call under its full gRPC path, waits out the latency, then maybe refuses it with
/// `UNAVAILABLE` or `RESOURCE_EXHAUSTED` (half each) before it is looked at; a method refused
/// by the test ([`MockState::set_refused_methods`]) is refused with `UNAVAILABLE`.
pub(crate) async fn admit(state: &MockState, path: &str) -> Result<(), Status> {
    state.count_request(path);
    let faults = state.faults();
    if !faults.latency.is_zero() {
        tokio::time::sleep(faults.latency).await;
    }
    if state.chance(faults.fail_rate) {
        let refusal = if state.chance(0.5) {
            ApiError::ResourceExhausted("too many requests (injected); retry later".into())
        } else {
            ApiError::Unavailable("service unavailable (injected); retry later".into())
        };
        return Err(refusal.into());
    }
    let method = path.rsplit('/').next().unwrap_or_default();
    if state.is_refused(method) {
        let refusal = format!("{method} is unavailable (injected refusal); retry later");
        return Err(ApiError::Unavailable(refusal).into());
    }
    Ok(())
}

/// The service account of the call's `token` metadata; records the client metadata it carried.
pub(crate) fn authenticate<T>(
    state: &MockState,
    request: &Request<T>,
) -> Result<Principal, ApiError> {
    let metadata = request.metadata();
    let text = |key: &str| {
        metadata
            .get(key)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let token = text(TOKEN_METADATA).filter(|t| !t.is_empty()).ok_or_else(|| {
        ApiError::Unauthenticated(format!(
            "missing metadata `{TOKEN_METADATA}`; log in with AuthenticateServiceAccount and send \
             the session token"
        ))
    })?;
    let principal = state.principal(&token)?;
    state.record_client(ClientMetadata {
        client: text(CLIENT_METADATA),
        version: text(CLIENT_VERSION_METADATA),
    });
    Ok(principal)
}

/// The answer of a write, unless fault injection drops it: a committed write is then answered
/// with [`dropped_answer`], so the client cannot know that it happened.
pub(crate) fn answer<T>(state: &MockState, written: Written<T>) -> Result<T, ApiError> {
    if written.committed && state.chance(state.faults().drop_after_commit_rate) {
        return Err(dropped_answer());
    }
    Ok(written.answer)
}
