//! The cluster service, `com.spirl.api.v1.cluster.API`: clusters and their versions.

use spirl_api_proto::cluster::api_server::Api;
use spirl_api_proto::cluster::*;
use tonic::{Request, Response, Status};

use crate::gate::Calls;
use crate::state::MockState;

/// The gRPC service name.
pub const SERVICE: &str = "com.spirl.api.v1.cluster.API";

/// The cluster service.
#[derive(Debug, Clone)]
pub struct ClusterService {
    calls: Calls,
}

impl ClusterService {
    /// The service over `state`.
    pub fn new(state: MockState) -> Self {
        ClusterService {
            calls: Calls::new(state, SERVICE),
        }
    }
}

#[tonic::async_trait]
impl Api for ClusterService {
    async fn create_cluster(
        &self,
        request: Request<CreateClusterRequest>,
    ) -> Result<Response<CreateClusterResponse>, Status> {
        let r = self.calls.enter(request, "CreateCluster").await?;
        Ok(self.calls.write(|store, ctx| {
            let (change, answer) = store.plan_create_cluster(&r, ctx)?;
            Ok((Some(change), answer))
        })?)
    }

    async fn list_clusters(
        &self,
        request: Request<ListClustersRequest>,
    ) -> Result<Response<ListClustersResponse>, Status> {
        let r = self.calls.enter(request, "ListClusters").await?;
        Ok(self.calls.read(|store, _| {
            Ok(ListClustersResponse {
                clusters: store.list_clusters(&r.trust_domain_id, &r.cluster_name, &r.realm_id),
            })
        })?)
    }

    async fn list_clusters_v2(
        &self,
        request: Request<ListClustersV2Request>,
    ) -> Result<Response<ListClustersV2Response>, Status> {
        let r = self.calls.enter(request, "ListClustersV2").await?;
        let page_size = self.calls.state().options().cluster_page_size;
        Ok(self
            .calls
            .read(|store, _| store.list_clusters_v2(&r, page_size))?)
    }

    async fn describe_clusters(
        &self,
        request: Request<DescribeClustersRequest>,
    ) -> Result<Response<DescribeClustersResponse>, Status> {
        let r = self.calls.enter(request, "DescribeClusters").await?;
        Ok(self.calls.read(|store, _| store.describe_clusters(&r))?)
    }

    async fn delete_cluster(
        &self,
        request: Request<DeleteClusterRequest>,
    ) -> Result<Response<DeleteClusterResponse>, Status> {
        let r = self.calls.enter(request, "DeleteCluster").await?;
        Ok(self.calls.write(|store, _| {
            let change = store.plan_delete_cluster(&r.cluster_id)?;
            Ok((Some(change), DeleteClusterResponse {}))
        })?)
    }

    async fn new_cluster_version(
        &self,
        request: Request<NewClusterVersionRequest>,
    ) -> Result<Response<NewClusterVersionResponse>, Status> {
        let r = self.calls.enter(request, "NewClusterVersion").await?;
        Ok(self.calls.write(|store, ctx| {
            let (change, answer) = store.plan_new_cluster_version(&r, ctx)?;
            Ok((Some(change), answer))
        })?)
    }

    async fn activate_cluster_version(
        &self,
        request: Request<ActivateClusterVersionRequest>,
    ) -> Result<Response<ActivateClusterVersionResponse>, Status> {
        let r = self.calls.enter(request, "ActivateClusterVersion").await?;
        Ok(self.calls.write(|store, _| {
            let change = store.plan_activate_cluster_version(&r.cluster_version_id)?;
            Ok((change, ActivateClusterVersionResponse {}))
        })?)
    }

    async fn deactivate_cluster_version(
        &self,
        request: Request<DeactivateClusterVersionRequest>,
    ) -> Result<Response<DeactivateClusterVersionResponse>, Status> {
        let r = self
            .calls
            .enter(request, "DeactivateClusterVersion")
            .await?;
        Ok(self.calls.write(|store, _| {
            let change = store.plan_deactivate_cluster_version(&r.cluster_version_id)?;
            Ok((change, DeactivateClusterVersionResponse {}))
        })?)
    }

    async fn delete_cluster_version(
        &self,
        request: Request<DeleteClusterVersionRequest>,
    ) -> Result<Response<DeleteClusterVersionResponse>, Status> {
        let r = self.calls.enter(request, "DeleteClusterVersion").await?;
        Ok(self.calls.write(|store, _| {
            let change = store.plan_delete_cluster_version(&r.cluster_version_id, r.force)?;
            Ok((Some(change), DeleteClusterVersionResponse {}))
        })?)
    }

    async fn list_cluster_versions(
        &self,
        request: Request<ListClusterVersionsRequest>,
    ) -> Result<Response<ListClusterVersionsResponse>, Status> {
        let r = self.calls.enter(request, "ListClusterVersions").await?;
        Ok(self.calls.read(|store, _| {
            Ok(ListClusterVersionsResponse {
                cluster_versions: store.list_cluster_versions(&r.cluster_id)?,
            })
        })?)
    }
}
