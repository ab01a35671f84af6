//! The realm service, `com.spirl.api.v1.realm.API`: create, list, delete.

use spirl_api_proto::realm::api_server::Api;
use spirl_api_proto::realm::*;
use tonic::{Request, Response, Status};

use crate::gate::Calls;
use crate::state::MockState;

/// The gRPC service name.
pub const SERVICE: &str = "com.spirl.api.v1.realm.API";

/// The realm service.
#[derive(Debug, Clone)]
pub struct RealmService {
    calls: Calls,
}

impl RealmService {
    /// The service over `state`.
    pub fn new(state: MockState) -> Self {
        RealmService {
            calls: Calls::new(state, SERVICE),
        }
    }
}

#[tonic::async_trait]
impl Api for RealmService {
    async fn create_realm(
        &self,
        request: Request<CreateRealmRequest>,
    ) -> Result<Response<CreateRealmResponse>, Status> {
        let r = self.calls.enter(request, "CreateRealm").await?;
        Ok(self.calls.write(|store, ctx| {
            let (change, realm_id) = store.plan_create_realm(&r.trust_domain_id, &r.name, ctx)?;
            Ok((Some(change), CreateRealmResponse { realm_id }))
        })?)
    }

    async fn list_realms(
        &self,
        request: Request<ListRealmsRequest>,
    ) -> Result<Response<ListRealmsResponse>, Status> {
        let r = self.calls.enter(request, "ListRealms").await?;
        Ok(self.calls.read(|store, _| {
            Ok(ListRealmsResponse {
                realms: store.list_realms(&r.trust_domain_id, &r.name, r.include_dynamic_data),
            })
        })?)
    }

    async fn delete_realm(
        &self,
        request: Request<DeleteRealmRequest>,
    ) -> Result<Response<DeleteRealmResponse>, Status> {
        let r = self.calls.enter(request, "DeleteRealm").await?;
        Ok(self.calls.write(|store, _| {
            let change = store.plan_delete_realm(&r.realm_id)?;
            Ok((Some(change), DeleteRealmResponse {}))
        })?)
    }
}
