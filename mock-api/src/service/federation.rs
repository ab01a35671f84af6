//! The federation service, `com.spirl.api.v1.federation.API`: set, list and delete a trust
//! domain's links to foreign trust domains (`store::federation` holds the rules).

use spirl_api_proto::federation::api_server::Api;
use spirl_api_proto::federation::*;
use tonic::{Request, Response, Status};

use crate::gate::Calls;
use crate::state::MockState;

/// The gRPC service name.
pub const SERVICE: &str = "com.spirl.api.v1.federation.API";

/// The federation service.
#[derive(Debug, Clone)]
pub struct FederationService {
    calls: Calls,
}

impl FederationService {
    /// The service over `state`.
    pub fn new(state: MockState) -> Self {
        FederationService {
            calls: Calls::new(state, SERVICE),
        }
    }
}

#[tonic::async_trait]
impl Api for FederationService {
    async fn set_link(
        &self,
        request: Request<SetLinkRequest>,
    ) -> Result<Response<SetLinkResponse>, Status> {
        let r = self.calls.enter(request, "SetLink").await?;
        Ok(self.calls.write(|store, ctx| {
            let (change, id) =
                store.plan_set_federation_link(&r.trust_domain_id, r.link.as_ref(), ctx)?;
            Ok((change, SetLinkResponse { id }))
        })?)
    }

    async fn delete_link(
        &self,
        request: Request<DeleteLinkRequest>,
    ) -> Result<Response<DeleteLinkResponse>, Status> {
        let r = self.calls.enter(request, "DeleteLink").await?;
        Ok(self.calls.write(|store, _| {
            let change = store
                .plan_delete_federation_link(&r.trust_domain_id, &r.foreign_trust_domain_name)?;
            Ok((Some(change), DeleteLinkResponse {}))
        })?)
    }

    async fn list_links(
        &self,
        request: Request<ListLinksRequest>,
    ) -> Result<Response<ListLinksResponse>, Status> {
        let r = self.calls.enter(request, "ListLinks").await?;
        Ok(self.calls.read(|store, _| {
            Ok(ListLinksResponse {
                link_statuses: store.list_federation_links(&r.trust_domain_id),
            })
        })?)
    }
}
