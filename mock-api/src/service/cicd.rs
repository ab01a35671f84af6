//! The CI/CD service, `com.spirl.api.v1.cicd.API`: profiles and their links to clusters.

use spirl_api_proto::cicd::api_server::Api;
use spirl_api_proto::cicd::*;
use tonic::{Request, Response, Status};

use crate::gate::Calls;
use crate::state::MockState;

/// The gRPC service name.
pub const SERVICE: &str = "com.spirl.api.v1.cicd.API";

/// The CI/CD service.
#[derive(Debug, Clone)]
pub struct CicdService {
    calls: Calls,
}

impl CicdService {
    /// The service over `state`.
    pub fn new(state: MockState) -> Self {
        CicdService {
            calls: Calls::new(state, SERVICE),
        }
    }
}

#[tonic::async_trait]
impl Api for CicdService {
    async fn create_cicd_profile(
        &self,
        request: Request<CreateCicdProfileRequest>,
    ) -> Result<Response<CreateCicdProfileResponse>, Status> {
        let r = self.calls.enter(request, "CreateCICDProfile").await?;
        Ok(self.calls.write(|store, ctx| {
            let (change, profile) = store.plan_create_cicd_profile(&r, ctx)?;
            Ok((
                Some(change),
                CreateCicdProfileResponse {
                    profile: Some(profile),
                },
            ))
        })?)
    }

    async fn list_cicd_profiles(
        &self,
        request: Request<ListCicdProfilesRequest>,
    ) -> Result<Response<ListCicdProfilesResponse>, Status> {
        self.calls.enter(request, "ListCICDProfiles").await?;
        Ok(self.calls.read(|store, _| {
            Ok(ListCicdProfilesResponse {
                profiles: store.list_cicd_profiles(),
            })
        })?)
    }

    async fn delete_cicd_profile(
        &self,
        request: Request<DeleteCicdProfileRequest>,
    ) -> Result<Response<DeleteCicdProfileResponse>, Status> {
        let r = self.calls.enter(request, "DeleteCICDProfile").await?;
        Ok(self.calls.write(|store, _| {
            let change = store.plan_delete_cicd_profile(&r.id)?;
            Ok((Some(change), DeleteCicdProfileResponse {}))
        })?)
    }

    async fn link_cicd_profile(
        &self,
        request: Request<LinkCicdProfileRequest>,
    ) -> Result<Response<LinkCicdProfileResponse>, Status> {
        let r = self.calls.enter(request, "LinkCICDProfile").await?;
        Ok(self.calls.write(|store, ctx| {
            let (change, link) =
                store.plan_link_cicd_profile(&r.ci_cd_profile_id, &r.cluster_id, ctx)?;
            Ok((Some(change), LinkCicdProfileResponse { link: Some(link) }))
        })?)
    }

    async fn unlink_cicd_profile(
        &self,
        request: Request<UnlinkCicdProfileRequest>,
    ) -> Result<Response<UnlinkCicdProfileResponse>, Status> {
        let r = self.calls.enter(request, "UnlinkCICDProfile").await?;
        Ok(self.calls.write(|store, _| {
            let change = store.plan_unlink_cicd_profile(&r.ci_cd_profile_id, &r.cluster_id)?;
            Ok((Some(change), UnlinkCicdProfileResponse {}))
        })?)
    }

    async fn list_cicd_profile_links(
        &self,
        request: Request<ListCicdProfileLinksRequest>,
    ) -> Result<Response<ListCicdProfileLinksResponse>, Status> {
        let r = self.calls.enter(request, "ListCICDProfileLinks").await?;
        Ok(self.calls.read(|store, _| {
            Ok(ListCicdProfileLinksResponse {
                links: store.list_cicd_links(&r.ci_cd_profile_id, &r.cluster_id),
            })
        })?)
    }
}
