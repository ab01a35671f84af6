//! The cluster service (`com.spirl.api.v1.cluster.API`): clusters and their versions. Clusters are
//! listed with `ListClustersV2` (paged) and detailed with `DescribeClusters`, as the SDK does
//! since v0.3.5. The API has no update: a change of a cluster's key, path template,
//! customization templates or attestation is a new version, activated.

use spirl_api_proto::cluster as wire;
use spirl_api_proto::cluster::api_client::ApiClient as ClusterApi;
use spirl_api_proto::vocabulary::DESCRIBE_CLUSTERS_BATCH;
use tokio::time::Instant;
use tonic::transport::Channel;

use tonic::Code;

use super::assumptions::DESCRIBED_CLUSTER_MAY_LACK_REALM;
use super::engine::{Created, MAX_ANSWER_BYTES, Rpc, gone_is_done};
use super::error::code_name;
use super::models::rfc3339;
use super::read_back::ReadBack;
use super::{ApiError, Client, ErrorContext};

const CREATE_CLUSTER: Rpc = rpc!("create cluster", "cluster.API/CreateCluster");
const LIST_CLUSTERS: Rpc = rpc!("list clusters", "cluster.API/ListClustersV2");
const DESCRIBE_CLUSTERS: Rpc = rpc!("read clusters", "cluster.API/DescribeClusters");
/// A listing that has not ended after this many pages is answered wrongly (a server that keeps
/// sending page tokens would otherwise keep the client busy until its deadline).
const MAX_PAGES: usize = 10_000;
const DELETE_CLUSTER: Rpc = rpc!("delete cluster", "cluster.API/DeleteCluster");
const NEW_VERSION: Rpc = rpc!("create cluster version", "cluster.API/NewClusterVersion");
const ACTIVATE_VERSION: Rpc = rpc!(
    "activate cluster version",
    "cluster.API/ActivateClusterVersion"
);
const DEACTIVATE_VERSION: Rpc = rpc!(
    "deactivate cluster version",
    "cluster.API/DeactivateClusterVersion"
);
const DELETE_VERSION: Rpc = rpc!("delete cluster version", "cluster.API/DeleteClusterVersion");
const LIST_VERSIONS: Rpc = rpc!("list cluster versions", "cluster.API/ListClusterVersions");

/// Where a cluster's workloads run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Platform {
    /// Generic Kubernetes.
    Kubernetes,
    /// Kubernetes with Istio.
    Istio,
    /// Amazon EKS.
    Eks,
    /// Amazon EKS with Istio.
    EksIstio,
    /// Linux hosts (a node group in `spirlctl`).
    Linux,
}

impl Platform {
    /// Every platform, in the order the docs list them.
    pub const ALL: [Platform; 5] = [
        Platform::Kubernetes,
        Platform::Istio,
        Platform::Eks,
        Platform::EksIstio,
        Platform::Linux,
    ];

    /// The Terraform spelling, as the official provider has it: `k8s`, `istio`, `eks`,
    /// `eks-istio`, `linux`.
    pub fn as_str(self) -> &'static str {
        match self {
            Platform::Kubernetes => "k8s",
            Platform::Istio => "istio",
            Platform::Eks => "eks",
            Platform::EksIstio => "eks-istio",
            Platform::Linux => "linux",
        }
    }

    /// The platform spelled `text` in Terraform.
    pub fn parse(text: &str) -> Option<Platform> {
        Platform::ALL.into_iter().find(|p| p.as_str() == text)
    }

    fn to_wire(self) -> wire::Platform {
        match self {
            Platform::Kubernetes => wire::Platform::Kubernetes,
            Platform::Istio => wire::Platform::Istio,
            Platform::Eks => wire::Platform::Eks,
            Platform::EksIstio => wire::Platform::EksIstio,
            Platform::Linux => wire::Platform::Linux,
        }
    }

    /// `None` for an unspecified platform or one newer than this provider.
    fn from_wire(value: i32) -> Option<Platform> {
        match wire::Platform::try_from(value).ok()? {
            wire::Platform::Kubernetes => Some(Platform::Kubernetes),
            wire::Platform::Istio => Some(Platform::Istio),
            wire::Platform::Eks => Some(Platform::Eks),
            wire::Platform::EksIstio => Some(Platform::EksIstio),
            wire::Platform::Linux => Some(Platform::Linux),
            wire::Platform::Unspecified => None,
        }
    }
}

/// A cluster as `DescribeClusters` reports it: its own fields and those of its current version.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Cluster {
    /// `c-…`.
    pub id: String,
    /// `td-…`.
    pub trust_domain_id: String,
    /// Unique in its trust domain.
    pub name: String,
    /// Free text.
    pub description: String,
    /// `None` when the server reports none this provider knows.
    pub platform: Option<Platform>,
    /// The current version's path template.
    pub path_template: String,
    /// The current version's X.509-SVID customization template.
    pub x509_customization_template: String,
    /// The current version's JWT-SVID customization template.
    pub jwt_customization_template: String,
    /// `rlm-…`, or empty.
    pub realm_id: String,
    /// RFC 3339.
    pub created_at: String,
    /// How many versions it has.
    pub num_versions: i64,
    /// Agents connected now (an estimate).
    pub num_active_agents: i64,
}

impl From<wire::Cluster> for Cluster {
    fn from(c: wire::Cluster) -> Self {
        Cluster {
            platform: Platform::from_wire(c.platform),
            created_at: rfc3339(c.created_at.as_ref()),
            id: c.id,
            trust_domain_id: c.trust_domain_id,
            name: c.name,
            description: c.description,
            path_template: c.path_template,
            x509_customization_template: c.x509_customization_template,
            jwt_customization_template: c.jwt_customization_template,
            realm_id: c.realm_id,
            num_versions: c.num_versions,
            num_active_agents: c.num_active_agents,
        }
    }
}

/// A cluster as `ListClustersV2` lists it: what identifies it, without its current version.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ClusterItem {
    /// `c-…`.
    pub id: String,
    /// `td-…`.
    pub trust_domain_id: String,
    /// Unique in its trust domain.
    pub name: String,
    /// Free text.
    pub description: String,
    /// `None` when the server reports none this provider knows.
    pub platform: Option<Platform>,
    /// `rlm-…`, or empty.
    pub realm_id: String,
    /// RFC 3339.
    pub created_at: String,
}

impl From<wire::ClusterItem> for ClusterItem {
    fn from(c: wire::ClusterItem) -> Self {
        ClusterItem {
            platform: Platform::from_wire(c.platform),
            created_at: rfc3339(c.created_at.as_ref()),
            id: c.id,
            trust_domain_id: c.trust_domain_id,
            name: c.name,
            description: c.description,
            realm_id: c.realm_id.unwrap_or_default(),
        }
    }
}

/// One version of a cluster.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct ClusterVersion {
    /// The version's id.
    pub id: String,
    /// `c-…`.
    pub cluster_id: String,
    /// DER SubjectPublicKeyInfo; empty when the version has no key.
    pub public_key_der: Vec<u8>,
    /// The path template.
    pub path_template: String,
    /// Whether agents may use it.
    pub active: bool,
    /// RFC 3339.
    pub created_at: String,
    /// X.509-SVID customization template.
    pub x509_customization_template: String,
    /// JWT-SVID customization template.
    pub jwt_customization_template: String,
    /// The provider attestation configuration's name (the API reports the name, not the id).
    pub provider_attestation_config_name: String,
    /// The agent attestation configuration's id, or empty.
    pub agent_attestation_config_id: String,
}

impl std::fmt::Debug for ClusterVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClusterVersion")
            .field("id", &self.id)
            .field("cluster_id", &self.cluster_id)
            .field("public_key_der_len", &self.public_key_der.len())
            .field("path_template", &self.path_template)
            .field("active", &self.active)
            .field("created_at", &self.created_at)
            .field(
                "agent_attestation_config_id",
                &self.agent_attestation_config_id,
            )
            .field(
                "provider_attestation_config_name",
                &self.provider_attestation_config_name,
            )
            .finish_non_exhaustive()
    }
}

impl From<wire::ClusterVersion> for ClusterVersion {
    fn from(v: wire::ClusterVersion) -> Self {
        ClusterVersion {
            public_key_der: match v.pubkey {
                Some(wire::cluster_version::Pubkey::PkixPubkey(k)) => k.data,
                None => Vec::new(),
            },
            created_at: rfc3339(v.created_at.as_ref()),
            id: v.id,
            cluster_id: v.cluster_id,
            path_template: v.path_template,
            active: v.active,
            x509_customization_template: v.x509_customization_template,
            jwt_customization_template: v.jwt_customization_template,
            provider_attestation_config_name: v.provider_attestation_config_name,
            agent_attestation_config_id: v.agent_attestation_config_id,
        }
    }
}

/// What the agents of a new cluster version need: `CreateCluster` and `NewClusterVersion` answer
/// it (`oneof deployment`), and no call reads it again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AgentDeployment {
    /// A Kubernetes platform's agents: one multi-document YAML for `kubectl apply -f`.
    Kubernetes {
        /// The YAML, as the control plane wrote it.
        kubectl_yaml: String,
    },
    /// A Linux node group's agents.
    Vm {
        /// The agent's configuration file.
        agent_configuration_file: String,
        /// A Docker Compose file that runs the agent.
        docker_compose_yaml: String,
    },
}

impl From<wire::KubernetesDeployment> for AgentDeployment {
    fn from(d: wire::KubernetesDeployment) -> Self {
        AgentDeployment::Kubernetes {
            kubectl_yaml: d.kubectl_yaml,
        }
    }
}

impl From<wire::VmDeployment> for AgentDeployment {
    fn from(d: wire::VmDeployment) -> Self {
        AgentDeployment::Vm {
            agent_configuration_file: d.agent_configuration_file,
            docker_compose_yaml: d.docker_compose_yaml,
        }
    }
}

/// A cluster version just made (by `CreateCluster` or `NewClusterVersion`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MadeVersion {
    /// The version's id.
    pub id: String,
    /// What its agents need; `None` when the answer carried nothing, or was lost and the
    /// version was found and adopted (the API cannot be asked again).
    pub deployment: Option<AgentDeployment>,
}

impl MadeVersion {
    fn adopted(id: String) -> Self {
        MadeVersion {
            id,
            deployment: None,
        }
    }
}

/// `From` the answers of `CreateCluster` and `NewClusterVersion`, whose `deployment` oneofs are
/// distinct types of the same shape.
macro_rules! made_version_from {
    ($($answer:ident in $oneof:ident),* $(,)?) => {$(
        impl From<Created<wire::$answer>> for MadeVersion {
            fn from(created: Created<wire::$answer>) -> Self {
                use wire::$oneof::Deployment;
                match created {
                    Created::Adopted(id) => MadeVersion::adopted(id),
                    Created::Answered(a) => MadeVersion {
                        id: a.cluster_version_id,
                        deployment: a.deployment.map(|d| match d {
                            Deployment::KubernetesDeployment(k) => k.into(),
                            Deployment::VmDeployment(vm) => vm.into(),
                        }),
                    },
                }
            }
        }
    )*};
}

made_version_from!(
    CreateClusterResponse in create_cluster_response,
    NewClusterVersionResponse in new_cluster_version_response,
);

/// What a cluster version is made of; what a create or a new version sends. Every field is sent
/// as it is (an empty template clears it), so the result never depends on what the server keeps
/// from the version before.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ClusterVersionSpec {
    /// DER SubjectPublicKeyInfo; empty for none (with agent attestation).
    pub public_key_der: Vec<u8>,
    /// Empty: the platform's default.
    pub path_template: String,
    /// X.509-SVID customization template; empty for none.
    pub x509_customization_template: String,
    /// JWT-SVID customization template; empty for none.
    pub jwt_customization_template: String,
    /// Provider attestation configuration id; empty for none.
    pub provider_attestation_config_id: String,
    /// Agent attestation configuration id; empty for none.
    pub agent_attestation_config_id: String,
}

/// What creating a cluster takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateCluster {
    /// `td-…`.
    pub trust_domain_id: String,
    /// Unique in the trust domain.
    pub name: String,
    /// Free text.
    pub description: String,
    /// The platform.
    pub platform: Platform,
    /// `rlm-…`, or empty for none.
    pub realm_id: String,
    /// The first version.
    pub version: ClusterVersionSpec,
}

/// A cluster to describe: by id, or by trust domain and name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClusterRef<'a> {
    /// `c-…`.
    Id(&'a str),
    /// The cluster named `name` in trust domain `trust_domain_id`.
    Name {
        /// `td-…`.
        trust_domain_id: &'a str,
        /// The cluster's name.
        name: &'a str,
    },
}

impl ClusterRef<'_> {
    fn to_wire(self) -> wire::DescribeClusterId {
        match self {
            ClusterRef::Id(id) => wire::DescribeClusterId {
                id: Some(id.to_owned()),
                ..wire::DescribeClusterId::default()
            },
            ClusterRef::Name {
                trust_domain_id,
                name,
            } => wire::DescribeClusterId {
                id: None,
                name: Some(name.to_owned()),
                trust_domain_id: Some(trust_domain_id.to_owned()),
            },
        }
    }
}

/// `cluster` with the realm its listing reported, when describing it reported none
/// ([`DESCRIBED_CLUSTER_MAY_LACK_REALM`]).
fn with_item_realm(mut cluster: Cluster, listed_realm: &str) -> Cluster {
    if cluster.realm_id.is_empty() {
        cluster.realm_id = listed_realm.to_owned();
    }
    cluster
}

fn decode_error(rpc: Rpc, message: &str) -> ApiError {
    ApiError::Decode(ErrorContext {
        operation: rpc.operation,
        method: rpc.method,
        code: None,
        message: message.to_owned(),
        attempts: 1,
    })
}

fn pkix(der: &[u8]) -> Option<wire::PkixPublicKey> {
    (!der.is_empty()).then(|| wire::PkixPublicKey { data: der.to_vec() })
}

/// The cluster service's client on `channel`.
fn clusters(channel: Channel) -> ClusterApi<Channel> {
    ClusterApi::new(channel).max_decoding_message_size(MAX_ANSWER_BYTES)
}

impl Client {
    /// `CreateCluster`: the cluster with its first version, active; returns that version and
    /// what its agents need. A create whose answer was lost is found by trust domain and name
    /// and adopted (its active version, without what the lost answer said).
    pub async fn create_cluster(&self, body: &CreateCluster) -> Result<MadeVersion, ApiError> {
        let spec = &body.version;
        let request = wire::CreateClusterRequest {
            trust_domain_id: body.trust_domain_id.clone(),
            cluster_name: body.name.clone(),
            description: body.description.clone(),
            platform: body.platform.to_wire().into(),
            pubkey: pkix(&spec.public_key_der)
                .map(wire::create_cluster_request::Pubkey::PkixPubkey),
            path_template: spec.path_template.clone(),
            x509_customization_template: spec.x509_customization_template.clone(),
            provider_attestation_config_id: spec.provider_attestation_config_id.clone(),
            jwt_customization_template: spec.jwt_customization_template.clone(),
            realm_id: body.realm_id.clone(),
            agent_attestation_config_id: spec.agent_attestation_config_id.clone(),
            ..wire::CreateClusterRequest::default()
        };
        let lookup = |deadline| async move {
            let found = self
                .list_cluster_items_until(
                    Some(&body.trust_domain_id),
                    Some(&body.name),
                    None,
                    deadline,
                )
                .await?;
            let Some(cluster) = found.into_iter().find(|c| c.name == body.name) else {
                return Ok(None);
            };
            let versions = self
                .list_cluster_versions_until(&cluster.id, deadline)
                .await?;
            Ok(versions.into_iter().rev().find(|v| v.active).map(|v| v.id))
        };
        self.create_answered(
            CREATE_CLUSTER,
            request,
            |c, r| async move { clusters(c).create_cluster(r).await },
            |a: &wire::CreateClusterResponse| a.cluster_version_id.clone(),
            lookup,
        )
        .await
        .map(MadeVersion::from)
    }

    /// Every cluster matching the filters given, in full: `ListClustersV2` page by page, then
    /// `DescribeClusters` for the clusters it listed.
    pub async fn list_clusters(
        &self,
        trust_domain_id: Option<&str>,
        name: Option<&str>,
        realm_id: Option<&str>,
    ) -> Result<Vec<Cluster>, ApiError> {
        self.list_clusters_until(trust_domain_id, name, realm_id, self.deadline())
            .await
    }

    async fn list_clusters_until(
        &self,
        trust_domain_id: Option<&str>,
        name: Option<&str>,
        realm_id: Option<&str>,
        deadline: Instant,
    ) -> Result<Vec<Cluster>, ApiError> {
        let items = self
            .list_cluster_items_until(trust_domain_id, name, realm_id, deadline)
            .await?;
        let ids: Vec<ClusterRef> = items.iter().map(|c| ClusterRef::Id(&c.id)).collect();
        let described = self.describe_clusters_until(&ids, deadline).await?;
        // A cluster deleted between the two calls is simply no longer listed.
        Ok(items
            .into_iter()
            .zip(described)
            .filter_map(|(item, cluster)| Some(with_item_realm(cluster?, &item.realm_id)))
            .collect())
    }

    /// `ListClustersV2`, every page: the clusters matching the filters given, without their
    /// current versions (cheaper than [`Client::list_clusters`] when ids and names suffice).
    pub async fn list_cluster_items(
        &self,
        trust_domain_id: Option<&str>,
        name: Option<&str>,
        realm_id: Option<&str>,
    ) -> Result<Vec<ClusterItem>, ApiError> {
        self.list_cluster_items_until(trust_domain_id, name, realm_id, self.deadline())
            .await
    }

    async fn list_cluster_items_until(
        &self,
        trust_domain_id: Option<&str>,
        name: Option<&str>,
        realm_id: Option<&str>,
        deadline: Instant,
    ) -> Result<Vec<ClusterItem>, ApiError> {
        let mut items = Vec::new();
        let mut page_token: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let request = wire::ListClustersV2Request {
                trust_domain_id: trust_domain_id.map(str::to_owned),
                cluster_name: name.map(str::to_owned),
                realm_id: realm_id.map(str::to_owned),
                page_size: None,
                page_token: page_token.clone(),
            };
            let answer = self
                .call(LIST_CLUSTERS, deadline, request, |c, r| async move {
                    clusters(c).list_clusters_v2(r).await
                })
                .await?;
            items.extend(answer.clusters.into_iter().map(ClusterItem::from));
            match answer.next_page_token.filter(|t| !t.is_empty()) {
                None => return Ok(items),
                Some(next) if page_token.as_ref() == Some(&next) => {
                    return Err(decode_error(
                        LIST_CLUSTERS,
                        "the server answered a page token with the same page token",
                    ));
                }
                Some(next) => page_token = Some(next),
            }
        }
        Err(decode_error(
            LIST_CLUSTERS,
            "the server kept sending page tokens past 10000 pages",
        ))
    }

    /// `DescribeClusters`: each cluster asked for, in the same order, or `None` when it does not
    /// exist. Asks 100 at a time, with per-cluster errors, as the SDK does.
    pub async fn describe_clusters(
        &self,
        ids: &[ClusterRef<'_>],
    ) -> Result<Vec<Option<Cluster>>, ApiError> {
        self.describe_clusters_until(ids, self.deadline()).await
    }

    async fn describe_clusters_until(
        &self,
        ids: &[ClusterRef<'_>],
        deadline: Instant,
    ) -> Result<Vec<Option<Cluster>>, ApiError> {
        let mut described = Vec::with_capacity(ids.len());
        for batch in ids.chunks(DESCRIBE_CLUSTERS_BATCH) {
            let request = wire::DescribeClustersRequest {
                ids: batch.iter().copied().map(ClusterRef::to_wire).collect(),
                per_cluster_errors: true,
            };
            let answer = self
                .call(DESCRIBE_CLUSTERS, deadline, request, |c, r| async move {
                    clusters(c).describe_clusters(r).await
                })
                .await?;
            if answer.clusters.len() != batch.len() || answer.errors.len() != batch.len() {
                return Err(decode_error(
                    DESCRIBE_CLUSTERS,
                    &format!(
                        "asked for {} clusters, the answer has {} clusters and {} errors",
                        batch.len(),
                        answer.clusters.len(),
                        answer.errors.len()
                    ),
                ));
            }
            for (cluster, error) in answer.clusters.into_iter().zip(answer.errors) {
                described.push(match Code::from_i32(error.code) {
                    Code::Ok => Some(cluster.into()),
                    Code::NotFound => None,
                    code => {
                        let context = ErrorContext {
                            operation: DESCRIBE_CLUSTERS.operation,
                            method: DESCRIBE_CLUSTERS.method,
                            code: Some(code_name(code)),
                            message: if error.field.is_empty() {
                                error.message
                            } else {
                                format!("{} (field {})", error.message, error.field)
                            },
                            attempts: 1,
                        };
                        return Err(ApiError::from_status(code, false, context));
                    }
                });
            }
        }
        Ok(described)
    }

    /// The cluster named `name` in trust domain `trust_domain_id`, if there is one
    /// (`DescribeClusters` by trust domain and name).
    pub async fn find_cluster(
        &self,
        trust_domain_id: &str,
        name: &str,
    ) -> Result<Option<Cluster>, ApiError> {
        let deadline = self.deadline();
        let wanted = [ClusterRef::Name {
            trust_domain_id,
            name,
        }];
        let Some(Some(cluster)) = self.describe_clusters_until(&wanted, deadline).await?.pop()
        else {
            return Ok(None);
        };
        if !cluster.realm_id.is_empty() || !DESCRIBED_CLUSTER_MAY_LACK_REALM {
            return Ok(Some(cluster));
        }
        let listed = self
            .list_cluster_items_until(Some(trust_domain_id), Some(name), None, deadline)
            .await?;
        let realm = listed
            .iter()
            .find(|c| c.id == cluster.id)
            .map(|c| c.realm_id.as_str())
            .unwrap_or_default();
        Ok(Some(with_item_realm(cluster, realm)))
    }

    /// `DeleteCluster`. `NOT_FOUND` is success; a cluster with active agents is refused
    /// (`FAILED_PRECONDITION`).
    pub async fn delete_cluster(&self, id: &str) -> Result<(), ApiError> {
        let request = wire::DeleteClusterRequest {
            cluster_id: id.to_owned(),
        };
        let result = self
            .call(
                DELETE_CLUSTER,
                self.deadline(),
                request,
                |c, r| async move { clusters(c).delete_cluster(r).await },
            )
            .await;
        gone_is_done(result)
    }

    /// `NewClusterVersion`: a new, inactive version of cluster `cluster_id` made of `spec` (every
    /// field sent explicitly); returns it with what its agents need. A version whose answer was
    /// lost is found among the cluster's inactive versions by its content and adopted (without
    /// what the lost answer said).
    pub async fn new_cluster_version(
        &self,
        trust_domain_id: &str,
        cluster_id: &str,
        spec: &ClusterVersionSpec,
    ) -> Result<MadeVersion, ApiError> {
        let request = wire::NewClusterVersionRequest {
            trust_domain_id: trust_domain_id.to_owned(),
            cluster_id: cluster_id.to_owned(),
            pubkey: pkix(&spec.public_key_der)
                .map(wire::new_cluster_version_request::Pubkey::PkixPubkey),
            path_template: spec.path_template.clone(),
            x509_customization_template: Some(spec.x509_customization_template.clone()),
            provider_attestation_config_id: Some(spec.provider_attestation_config_id.clone()),
            jwt_customization_template: Some(spec.jwt_customization_template.clone()),
            agent_attestation_config_id: Some(spec.agent_attestation_config_id.clone()),
            ..wire::NewClusterVersionRequest::default()
        };
        let lookup = |deadline| async move {
            let versions = self
                .list_cluster_versions_until(cluster_id, deadline)
                .await?;
            Ok(versions
                .into_iter()
                .rev()
                .find(|v| {
                    !v.active
                        && v.public_key_der == spec.public_key_der
                        && (spec.path_template.is_empty() || v.path_template == spec.path_template)
                        && v.x509_customization_template == spec.x509_customization_template
                        && v.jwt_customization_template == spec.jwt_customization_template
                        && v.agent_attestation_config_id == spec.agent_attestation_config_id
                })
                .map(|v| v.id))
        };
        self.create_answered(
            NEW_VERSION,
            request,
            |c, r| async move { clusters(c).new_cluster_version(r).await },
            |a: &wire::NewClusterVersionResponse| a.cluster_version_id.clone(),
            lookup,
        )
        .await
        .map(MadeVersion::from)
    }

    /// `ActivateClusterVersion`.
    pub async fn activate_cluster_version(&self, id: &str) -> Result<(), ApiError> {
        let request = wire::ActivateClusterVersionRequest {
            cluster_version_id: id.to_owned(),
        };
        self.call(
            ACTIVATE_VERSION,
            self.deadline(),
            request,
            |c, r| async move { clusters(c).activate_cluster_version(r).await },
        )
        .await?;
        Ok(())
    }

    /// `DeactivateClusterVersion`.
    pub async fn deactivate_cluster_version(&self, id: &str) -> Result<(), ApiError> {
        let request = wire::DeactivateClusterVersionRequest {
            cluster_version_id: id.to_owned(),
        };
        self.call(
            DEACTIVATE_VERSION,
            self.deadline(),
            request,
            |c, r| async move { clusters(c).deactivate_cluster_version(r).await },
        )
        .await?;
        Ok(())
    }

    /// `DeleteClusterVersion`; `force` deletes an active version. `NOT_FOUND` is success.
    pub async fn delete_cluster_version(&self, id: &str, force: bool) -> Result<(), ApiError> {
        let request = wire::DeleteClusterVersionRequest {
            cluster_version_id: id.to_owned(),
            force,
        };
        let result = self
            .call(
                DELETE_VERSION,
                self.deadline(),
                request,
                |c, r| async move { clusters(c).delete_cluster_version(r).await },
            )
            .await;
        gone_is_done(result)
    }

    /// `ListClusterVersions`: the versions of a cluster, oldest first; [`ApiError::NotFound`]
    /// when the cluster does not exist.
    pub async fn list_cluster_versions(
        &self,
        cluster_id: &str,
    ) -> Result<Vec<ClusterVersion>, ApiError> {
        self.list_cluster_versions_until(cluster_id, self.deadline())
            .await
    }

    async fn list_cluster_versions_until(
        &self,
        cluster_id: &str,
        deadline: Instant,
    ) -> Result<Vec<ClusterVersion>, ApiError> {
        let request = wire::ListClusterVersionsRequest {
            cluster_id: cluster_id.to_owned(),
        };
        let answer = self
            .call(LIST_VERSIONS, deadline, request, |c, r| async move {
                clusters(c).list_cluster_versions(r).await
            })
            .await?;
        let mut versions: Vec<ClusterVersion> = answer
            .cluster_versions
            .into_iter()
            .map(Into::into)
            .collect();
        // Oldest first whatever order the server lists them in (RFC 3339 UTC sorts as text).
        versions.sort_by(|a, b| a.created_at.cmp(&b.created_at));
        Ok(versions)
    }
}

impl ReadBack {
    /// Cluster `name` of trust domain `trust_domain_id` (its import id), just created: read back
    /// by listing the trust domain's clusters.
    pub fn cluster(trust_domain_id: &str, name: &str) -> Self {
        Self::created(
            "cluster",
            format!("{trust_domain_id}/{name}"),
            "read the new cluster",
            LIST_CLUSTERS,
        )
    }
}
