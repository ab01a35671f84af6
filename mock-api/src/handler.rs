//! [`Handler`]: what every service method does around its own logic: admit the call
//! ([`gate`]), check the token, then read the store or plan, journal and apply a change and
//! answer (unless the answer is dropped after commit).

use std::time::SystemTime;

use tonic::{Request, Response, Status};

use crate::error::ApiError;
use crate::gate;
use crate::state::MockState;
use crate::store::{Change, Ctx, Store};

/// The calls of one gRPC service over a state.
#[derive(Debug, Clone)]
pub(crate) struct Handler {
    state: MockState,
    /// The service's full name; paths are `/<service>/<Method>`.
    service: &'static str,
}

impl Handler {
    pub fn new(state: MockState, service: &'static str) -> Self {
        Handler { state, service }
    }

    /// Admits and authenticates a call to `method`; returns its message.
    pub async fn enter<T>(&self, request: Request<T>, method: &str) -> Result<T, Status> {
        gate::admit(&self.state, &format!("/{}/{method}", self.service)).await?;
        gate::authenticate(&self.state, &request)?;
        Ok(request.into_inner())
    }

    /// A write: plans, commits, and answers (unless the answer is dropped).
    pub fn write<T>(
        &self,
        plan: impl FnOnce(&Store, &Ctx<'_>) -> Result<(Option<Change>, T), ApiError>,
    ) -> Result<Response<T>, ApiError> {
        let written = self.state.write(plan)?;
        gate::answer(&self.state, written).map(Response::new)
    }

    /// A read at the mock's "now".
    pub fn read<T>(
        &self,
        query: impl FnOnce(&Store, SystemTime) -> Result<T, ApiError>,
    ) -> Result<Response<T>, ApiError> {
        Ok(Response::new(self.state.read(query)?))
    }
}
