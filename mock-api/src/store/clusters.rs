//! Clusters and their versions: listing, and the plans of their writes. A cluster's key, path
//! template, customization templates and attestation live in its versions; the active version is
//! the cluster's current configuration.

use spirl_api_proto::cluster::{self as pb, Platform};

use super::install::Deployment;
use super::{Change, ClusterEntry, ClusterRecord, ClusterVersionRecord, Ctx, Store};
use crate::assumptions::{
    ACTIVATE_DEACTIVATES_OTHERS, ACTIVE_CLUSTER_HAS_AGENTS, CLUSTER_ID_PREFIX,
    CLUSTER_KEEPS_ONE_VERSION, CLUSTER_KEY_OPTIONAL, CLUSTER_VERSION_ID_PREFIX,
    DELETE_ACTIVE_NEEDS_FORCE, DELETE_CLUSTER_NEEDS_NO_ACTIVE_AGENTS, DESCRIBE_CLUSTERS_BATCH,
    MAX_CLUSTER_NAME, MAX_CLUSTER_PAGE_SIZE, MAX_CLUSTER_VERSIONS, MAX_TEMPLATE_BYTES,
    NEW_VERSION_ABSENT_KEEPS, ORG_ID, PATH_TEMPLATE_STARTS_WITH_SLASH, default_path_template,
};
use crate::error::ApiError;
use crate::validate::{self, invalid};

/// A cluster name (field `cluster_name`): required, at most [`MAX_CLUSTER_NAME`] bytes.
fn cluster_name(name: &str) -> Result<(), ApiError> {
    validate::required_within("cluster_name", name, MAX_CLUSTER_NAME)
}

/// A template field: at most [`MAX_TEMPLATE_BYTES`]; any text.
fn template(field: &str, text: &str) -> Result<(), ApiError> {
    if text.len() > MAX_TEMPLATE_BYTES {
        return Err(invalid(format!(
            "{field} is {} bytes long; at most {MAX_TEMPLATE_BYTES} are allowed",
            text.len()
        )));
    }
    Ok(())
}

/// A known platform, or `INVALID_ARGUMENT`.
fn platform(value: i32) -> Result<Platform, ApiError> {
    match Platform::try_from(value) {
        Ok(Platform::Unspecified) | Err(_) => Err(invalid(format!(
            "platform {value} is not a platform; use KUBERNETES, ISTIO, EKS, EKS_ISTIO or LINUX"
        ))),
        Ok(p) => Ok(p),
    }
}

/// Whether a cluster is active ([`ACTIVE_CLUSTER_HAS_AGENTS`]): agents are connected to it.
pub(super) fn cluster_is_active(c: &ClusterEntry) -> bool {
    ACTIVE_CLUSTER_HAS_AGENTS && c.record.active_agents > 0
}

/// The page token of the page that starts at the cluster created `seq`-th. Opaque to clients;
/// a sequence number keeps pages stable while clusters come and go.
fn cluster_page_token(seq: u64) -> String {
    format!("clusters-from-{seq}")
}

/// The creation sequence a [`cluster_page_token`] names.
fn cluster_page_start(token: &str) -> Option<u64> {
    token.strip_prefix("clusters-from-")?.parse().ok()
}

/// What the fields of a version say, checked; `pkix` empty when there is no key.
struct VersionFields<'a> {
    pkix: &'a [u8],
    path_template: &'a str,
    x509: &'a str,
    jwt: &'a str,
    provider_attestation: &'a str,
    agent_attestation: &'a str,
}

impl Store {
    /// The cluster `id` (field `cluster_id`): `INVALID_ARGUMENT` when empty, `NOT_FOUND` when
    /// unknown.
    pub(super) fn cluster(&self, id: &str) -> Result<&ClusterEntry, ApiError> {
        validate::required("cluster_id", id)?;
        self.clusters
            .get(id)
            .ok_or_else(|| ApiError::NotFound(format!("cluster_id: cluster {id} not found")))
    }

    /// The version `id` (field `cluster_version_id`) and its cluster.
    fn cluster_version(
        &self,
        id: &str,
    ) -> Result<(&ClusterEntry, &ClusterVersionRecord), ApiError> {
        validate::required("cluster_version_id", id)?;
        let not_found = || {
            ApiError::NotFound(format!(
                "cluster_version_id: cluster version {id} not found"
            ))
        };
        let entry = self
            .version_owner
            .get(id)
            .and_then(|c| self.clusters.get(c))
            .ok_or_else(not_found)?;
        let version = entry
            .versions
            .iter()
            .find(|v| v.id == id)
            .ok_or_else(not_found)?;
        Ok((entry, version))
    }

    /// The clusters of trust domain `trust_domain_id`, in creation order.
    pub(super) fn clusters_of(&self, trust_domain_id: &str) -> Vec<&ClusterEntry> {
        self.cluster_order
            .values()
            .filter_map(|id| self.clusters.get(id))
            .filter(|c| c.record.trust_domain_id == trust_domain_id)
            .collect()
    }

    /// The ids of the clusters that belong to realm `id`.
    pub(super) fn realm_clusters(&self, id: &str) -> Vec<String> {
        self.cluster_order
            .values()
            .filter_map(|c| self.clusters.get(c))
            .filter(|c| c.record.realm_id == id)
            .map(|c| c.record.id.clone())
            .collect()
    }

    /// The ids of the clusters with a version for which `uses` holds.
    pub(super) fn clusters_using(
        &self,
        uses: impl Fn(&ClusterVersionRecord) -> bool,
    ) -> Vec<String> {
        self.cluster_order
            .values()
            .filter_map(|c| self.clusters.get(c))
            .filter(|c| c.versions.iter().any(&uses))
            .map(|c| c.record.id.clone())
            .collect()
    }

    fn version_view(&self, entry: &ClusterEntry, v: &ClusterVersionRecord) -> pb::ClusterVersion {
        pb::ClusterVersion {
            id: v.id.clone(),
            cluster_id: v.cluster_id.clone(),
            platform: entry.record.platform,
            pubkey: (!v.pkix_der.is_empty()).then(|| {
                pb::cluster_version::Pubkey::PkixPubkey(pb::PkixPublicKey {
                    data: v.pkix_der.clone(),
                })
            }),
            path_template: v.path_template.clone(),
            active: v.active,
            created_at: Some(v.created_at.into()),
            num_active_agents: if v.active {
                entry.record.active_agents
            } else {
                0
            },
            x509_customization_template: v.x509_customization_template.clone(),
            provider_attestation_config_name: self
                .provider_attestations
                .get(&v.provider_attestation_config_id)
                .map(|p| p.name.clone())
                .unwrap_or_default(),
            jwt_customization_template: v.jwt_customization_template.clone(),
            agent_attestation_config_id: v.agent_attestation_config_id.clone(),
            ..pb::ClusterVersion::default()
        }
    }

    /// A cluster as `ListClusters` and `DescribeClusters` give it: its own fields and those of its
    /// current version (the active one, or the newest when none is).
    fn cluster_view(&self, c: &ClusterEntry) -> pb::Cluster {
        let r = &c.record;
        let current = c
            .versions
            .iter()
            .rev()
            .find(|v| v.active)
            .or_else(|| c.versions.last());
        pb::Cluster {
            org_id: ORG_ID.to_owned(),
            trust_domain_id: r.trust_domain_id.clone(),
            trust_domain_name: self
                .trust_domains
                .get(&r.trust_domain_id)
                .map(|t| t.record.name.clone())
                .unwrap_or_default(),
            id: r.id.clone(),
            name: r.name.clone(),
            description: r.description.clone(),
            platform: r.platform,
            path_template: current.map(|v| v.path_template.clone()).unwrap_or_default(),
            num_versions: c.versions.len() as i64,
            num_active_agents: r.active_agents,
            created_at: Some(r.created_at.into()),
            x509_customization_template: current
                .map(|v| v.x509_customization_template.clone())
                .unwrap_or_default(),
            jwt_customization_template: current
                .map(|v| v.jwt_customization_template.clone())
                .unwrap_or_default(),
            realm_id: r.realm_id.clone(),
            ..pb::Cluster::default()
        }
    }

    /// The clusters every non-empty filter matches, with their creation sequence, in creation
    /// order. A filter naming something unknown matches nothing.
    fn matching_clusters<'a>(
        &'a self,
        trust_domain_id: &'a str,
        name: &'a str,
        realm_id: &'a str,
    ) -> impl Iterator<Item = (u64, &'a ClusterEntry)> + 'a {
        self.cluster_order
            .iter()
            .filter_map(|(seq, id)| Some((*seq, self.clusters.get(id)?)))
            .filter(move |(_, c)| {
                (trust_domain_id.is_empty() || c.record.trust_domain_id == trust_domain_id)
                    && (name.is_empty() || c.record.name == name)
                    && (realm_id.is_empty() || c.record.realm_id == realm_id)
            })
    }

    /// `ListClusters` (v1): in creation order; each filter applies when not empty.
    pub fn list_clusters(
        &self,
        trust_domain_id: &str,
        name: &str,
        realm_id: &str,
    ) -> Vec<pb::Cluster> {
        self.matching_clusters(trust_domain_id, name, realm_id)
            .map(|(_, c)| self.cluster_view(c))
            .collect()
    }

    /// `ListClustersV2`: one page of the matching clusters in creation order, of at most
    /// `page_size` entries (0: `default_page_size`; see [`MAX_CLUSTER_PAGE_SIZE`]), from
    /// `page_token` on; the answer's `next_page_token` is set while more follow.
    pub fn list_clusters_v2(
        &self,
        r: &pb::ListClustersV2Request,
        default_page_size: u32,
    ) -> Result<pb::ListClustersV2Response, ApiError> {
        let size = match r.page_size.unwrap_or(0) {
            0 => default_page_size,
            n => n.min(MAX_CLUSTER_PAGE_SIZE),
        }
        .max(1) as usize;
        let from = match r.page_token.as_deref().unwrap_or_default() {
            "" => 0,
            token => cluster_page_start(token).ok_or_else(|| {
                invalid(format!(
                    "page_token `{}` is not a page token this API gave",
                    token.escape_debug()
                ))
            })?,
        };
        let mut page = self
            .matching_clusters(
                r.trust_domain_id.as_deref().unwrap_or_default(),
                r.cluster_name.as_deref().unwrap_or_default(),
                r.realm_id.as_deref().unwrap_or_default(),
            )
            .filter(|(seq, _)| *seq >= from)
            .take(size + 1)
            .collect::<Vec<_>>();
        let next_page_token = (page.len() > size).then(|| cluster_page_token(page[size].0));
        page.truncate(size);
        Ok(pb::ListClustersV2Response {
            clusters: page
                .into_iter()
                .map(|(_, c)| pb::ClusterItem {
                    id: c.record.id.clone(),
                    name: c.record.name.clone(),
                    description: c.record.description.clone(),
                    platform: c.record.platform,
                    org_id: ORG_ID.to_owned(),
                    trust_domain_id: c.record.trust_domain_id.clone(),
                    realm_id: (!c.record.realm_id.is_empty()).then(|| c.record.realm_id.clone()),
                    created_at: Some(c.record.created_at.into()),
                })
                .collect(),
            next_page_token,
        })
    }

    /// `DescribeClusters`: each id in full, in the order asked. With `per_cluster_errors`, a
    /// cluster that cannot be described gets an empty entry and its error (code, message, field)
    /// in `errors`, which then has one entry per cluster (code 0 for those found); without it,
    /// the first failure fails the call.
    pub fn describe_clusters(
        &self,
        r: &pb::DescribeClustersRequest,
    ) -> Result<pb::DescribeClustersResponse, ApiError> {
        if r.ids.is_empty() {
            return Err(invalid("ids is required: name at least one cluster".into()));
        }
        if r.ids.len() > DESCRIBE_CLUSTERS_BATCH {
            return Err(invalid(format!(
                "ids names {} clusters; at most {DESCRIBE_CLUSTERS_BATCH} are described at once",
                r.ids.len()
            )));
        }
        let mut answer = pb::DescribeClustersResponse::default();
        for (i, id) in r.ids.iter().enumerate() {
            let field = |name: &str| format!("ids[{i}].{name}");
            let found = match (
                id.id.as_deref().unwrap_or_default(),
                id.name.as_deref().unwrap_or_default(),
                id.trust_domain_id.as_deref().unwrap_or_default(),
            ) {
                (id, _, _) if !id.is_empty() => self.clusters.get(id).ok_or_else(|| {
                    let f = field("id");
                    (
                        ApiError::NotFound(format!("{f}: cluster {id} not found")),
                        f,
                    )
                }),
                ("", name, td) if !name.is_empty() && !td.is_empty() => self
                    .cluster_by_name
                    .get(&(td.to_owned(), name.to_owned()))
                    .and_then(|id| self.clusters.get(id))
                    .ok_or_else(|| {
                        let f = field("name");
                        let message =
                            format!("{f}: trust domain {td} has no cluster named `{name}`");
                        (ApiError::NotFound(message), f)
                    }),
                _ => {
                    let f = field("id");
                    let message = format!(
                        "{f} is required, or both ids[{i}].name and ids[{i}].trust_domain_id"
                    );
                    Err((invalid(message), f))
                }
            };
            match found {
                Ok(c) => {
                    answer.clusters.push(self.cluster_view(c));
                    if r.per_cluster_errors {
                        answer.errors.push(pb::DescribeClusterError::default());
                    }
                }
                Err((error, field)) if r.per_cluster_errors => {
                    let status = tonic::Status::from(error);
                    answer.clusters.push(pb::Cluster::default());
                    answer.errors.push(pb::DescribeClusterError {
                        code: status.code() as i32,
                        message: status.message().to_owned(),
                        field,
                    });
                }
                Err((error, _)) => return Err(error),
            }
        }
        Ok(answer)
    }

    /// `ListClusterVersions`: in creation order.
    pub fn list_cluster_versions(
        &self,
        cluster_id: &str,
    ) -> Result<Vec<pb::ClusterVersion>, ApiError> {
        let entry = self.cluster(cluster_id)?;
        Ok(entry
            .versions
            .iter()
            .map(|v| self.version_view(entry, v))
            .collect())
    }

    /// Checks the fields of a new version of a cluster on `platform` named `name`; returns the
    /// record with a fresh id (the path template defaulted).
    fn plan_version(
        &self,
        cluster_id: &str,
        name: &str,
        platform: Platform,
        fields: &VersionFields<'_>,
        active: bool,
        ctx: &Ctx<'_>,
    ) -> Result<ClusterVersionRecord, ApiError> {
        if !fields.pkix.is_empty() || !CLUSTER_KEY_OPTIONAL {
            validate::public_key_der(fields.pkix)?;
        }
        template("path_template", fields.path_template)?;
        if PATH_TEMPLATE_STARTS_WITH_SLASH
            && !fields.path_template.is_empty()
            && !fields.path_template.starts_with('/')
        {
            return Err(invalid(format!(
                "path_template `{}` must start with '/'",
                fields.path_template.escape_debug()
            )));
        }
        template("x509_customization_template", fields.x509)?;
        template("jwt_customization_template", fields.jwt)?;
        if !fields.provider_attestation.is_empty() {
            self.provider_attestation(
                fields.provider_attestation,
                "provider_attestation_config_id",
            )?;
        }
        if !fields.agent_attestation.is_empty() {
            self.agent_attestation(fields.agent_attestation, "agent_attestation_config_id")?;
        }
        Ok(ClusterVersionRecord {
            id: self.fresh_id(CLUSTER_VERSION_ID_PREFIX, ctx),
            cluster_id: cluster_id.to_owned(),
            pkix_der: fields.pkix.to_vec(),
            path_template: if fields.path_template.is_empty() {
                default_path_template(platform == Platform::Linux, name)
            } else {
                fields.path_template.to_owned()
            },
            x509_customization_template: fields.x509.to_owned(),
            jwt_customization_template: fields.jwt.to_owned(),
            provider_attestation_config_id: fields.provider_attestation.to_owned(),
            agent_attestation_config_id: fields.agent_attestation.to_owned(),
            active,
            created_at: ctx.now,
        })
    }

    /// `CreateCluster`: the cluster and its first version, active.
    pub fn plan_create_cluster(
        &self,
        r: &pb::CreateClusterRequest,
        ctx: &Ctx<'_>,
    ) -> Result<(Change, pb::CreateClusterResponse), ApiError> {
        let td = self.trust_domain(&r.trust_domain_id)?;
        cluster_name(&r.cluster_name)?;
        validate::description(&r.description)?;
        let platform = platform(r.platform)?;
        if let Some(existing) = self
            .cluster_by_name
            .get(&(r.trust_domain_id.clone(), r.cluster_name.clone()))
        {
            return Err(ApiError::AlreadyExists(format!(
                "cluster_name: trust domain {} already has a cluster named `{}`: {existing}",
                td.record.id, r.cluster_name
            )));
        }
        if !r.realm_id.is_empty() {
            let realm = self.realm(&r.realm_id)?;
            if realm.trust_domain_id != r.trust_domain_id {
                return Err(invalid(format!(
                    "realm_id: realm {} belongs to trust domain {}, not {}",
                    realm.id, realm.trust_domain_id, r.trust_domain_id
                )));
            }
        }
        let id = self.fresh_id(CLUSTER_ID_PREFIX, ctx);
        let pkix = match &r.pubkey {
            Some(pb::create_cluster_request::Pubkey::PkixPubkey(k)) => k.data.as_slice(),
            None => &[],
        };
        let fields = VersionFields {
            pkix,
            path_template: &r.path_template,
            x509: &r.x509_customization_template,
            jwt: &r.jwt_customization_template,
            provider_attestation: &r.provider_attestation_config_id,
            agent_attestation: &r.agent_attestation_config_id,
        };
        let version = self.plan_version(&id, &r.cluster_name, platform, &fields, true, ctx)?;
        let cluster = ClusterRecord {
            id,
            trust_domain_id: r.trust_domain_id.clone(),
            name: r.cluster_name.clone(),
            description: r.description.clone(),
            platform: platform.into(),
            realm_id: r.realm_id.clone(),
            created_at: ctx.now,
            active_agents: 0,
        };
        use pb::create_cluster_response::Deployment as Answer;
        let answer = pb::CreateClusterResponse {
            cluster_version_id: version.id.clone(),
            deployment: Some(match self.deployment_of(&cluster, &version) {
                Deployment::Kubernetes(k) => Answer::KubernetesDeployment(k),
                Deployment::Vm(vm) => Answer::VmDeployment(vm),
            }),
        };
        Ok((Change::ClusterCreated { cluster, version }, answer))
    }

    /// `NewClusterVersion`: a new, inactive version; beyond [`MAX_CLUSTER_VERSIONS`] the oldest
    /// inactive version goes in the same write.
    pub fn plan_new_cluster_version(
        &self,
        r: &pb::NewClusterVersionRequest,
        ctx: &Ctx<'_>,
    ) -> Result<(Change, pb::NewClusterVersionResponse), ApiError> {
        self.trust_domain(&r.trust_domain_id)?;
        let entry = self.cluster(&r.cluster_id)?;
        if entry.record.trust_domain_id != r.trust_domain_id {
            return Err(ApiError::NotFound(format!(
                "cluster_id: cluster {} not found in trust domain {}",
                r.cluster_id, r.trust_domain_id
            )));
        }
        let current = entry
            .versions
            .iter()
            .rev()
            .find(|v| v.active)
            .or_else(|| entry.versions.last());
        // An absent optional field keeps the current value.
        let keep = |given: &Option<String>, now: fn(&ClusterVersionRecord) -> &str| -> String {
            match given {
                Some(value) => value.clone(),
                None if NEW_VERSION_ABSENT_KEEPS => current.map(now).unwrap_or_default().to_owned(),
                None => String::new(),
            }
        };
        let x509 = keep(&r.x509_customization_template, |v| {
            &v.x509_customization_template
        });
        let jwt = keep(&r.jwt_customization_template, |v| {
            &v.jwt_customization_template
        });
        let pac = keep(&r.provider_attestation_config_id, |v| {
            &v.provider_attestation_config_id
        });
        let aac = keep(&r.agent_attestation_config_id, |v| {
            &v.agent_attestation_config_id
        });
        let pkix = match &r.pubkey {
            Some(pb::new_cluster_version_request::Pubkey::PkixPubkey(k)) => k.data.as_slice(),
            None => &[],
        };
        let fields = VersionFields {
            pkix,
            path_template: &r.path_template,
            x509: &x509,
            jwt: &jwt,
            provider_attestation: &pac,
            agent_attestation: &aac,
        };
        let platform = platform(entry.record.platform)?;
        let version = self.plan_version(
            &entry.record.id,
            &entry.record.name,
            platform,
            &fields,
            false,
            ctx,
        )?;
        let removed = if entry.versions.len() >= MAX_CLUSTER_VERSIONS {
            let oldest = entry.versions.iter().find(|v| !v.active).ok_or_else(|| {
                ApiError::FailedPrecondition(format!(
                    "cluster {} has {MAX_CLUSTER_VERSIONS} versions, all active; deactivate one",
                    entry.record.id
                ))
            })?;
            Some(oldest.id.clone())
        } else {
            None
        };
        use pb::new_cluster_version_response::Deployment as Answer;
        let answer = pb::NewClusterVersionResponse {
            cluster_version_id: version.id.clone(),
            deployment: Some(match self.deployment_of(&entry.record, &version) {
                Deployment::Kubernetes(k) => Answer::KubernetesDeployment(k),
                Deployment::Vm(vm) => Answer::VmDeployment(vm),
            }),
        };
        Ok((Change::ClusterVersionCreated { version, removed }, answer))
    }

    /// `ActivateClusterVersion`; `None` when it is already the only active version.
    pub fn plan_activate_cluster_version(&self, id: &str) -> Result<Option<Change>, ApiError> {
        let (entry, version) = self.cluster_version(id)?;
        let others_active =
            ACTIVATE_DEACTIVATES_OTHERS && entry.versions.iter().any(|v| v.active && v.id != id);
        Ok(
            (!version.active || others_active).then(|| Change::ClusterVersionActivated {
                version_id: id.to_owned(),
            }),
        )
    }

    /// `DeactivateClusterVersion`; `None` when it is inactive already.
    pub fn plan_deactivate_cluster_version(&self, id: &str) -> Result<Option<Change>, ApiError> {
        let (_, version) = self.cluster_version(id)?;
        Ok(version.active.then(|| Change::ClusterVersionDeactivated {
            version_id: id.to_owned(),
        }))
    }

    /// `DeleteClusterVersion`: an active version needs `force`; the last one stays.
    pub fn plan_delete_cluster_version(&self, id: &str, force: bool) -> Result<Change, ApiError> {
        let (entry, version) = self.cluster_version(id)?;
        if DELETE_ACTIVE_NEEDS_FORCE && version.active && !force {
            return Err(ApiError::FailedPrecondition(format!(
                "cluster version {id} is active; deactivate it first or set force"
            )));
        }
        if CLUSTER_KEEPS_ONE_VERSION && entry.versions.len() == 1 {
            return Err(ApiError::FailedPrecondition(format!(
                "cluster version {id} is the only version of cluster {}; delete the cluster instead",
                entry.record.id
            )));
        }
        Ok(Change::ClusterVersionDeleted {
            version_id: id.to_owned(),
        })
    }

    /// `DeleteCluster`: refused while agents are connected.
    pub fn plan_delete_cluster(&self, id: &str) -> Result<Change, ApiError> {
        let entry = self.cluster(id)?;
        if DELETE_CLUSTER_NEEDS_NO_ACTIVE_AGENTS && entry.record.active_agents > 0 {
            return Err(ApiError::FailedPrecondition(format!(
                "cluster {id} (`{}`) has {} active agents; stop them (uninstall the SPIRL agent \
                 from the cluster) before deleting it",
                entry.record.name, entry.record.active_agents
            )));
        }
        Ok(Change::ClusterDeleted { id: id.to_owned() })
    }

    /// The test hook that says how many agents are connected to cluster `id`.
    pub fn plan_cluster_agents(&self, id: &str, active_agents: i64) -> Result<Change, ApiError> {
        self.cluster(id)?;
        Ok(Change::ClusterAgentsReported {
            cluster_id: id.to_owned(),
            active_agents,
        })
    }

    /// Removes cluster `id` with its versions, its CI/CD links and its configuration; false when
    /// there is no such cluster.
    pub(super) fn remove_cluster(&mut self, id: &str) -> bool {
        let Some(entry) = self.clusters.remove(id) else {
            return false;
        };
        self.cluster_order.remove(&entry.seq);
        self.cluster_by_name
            .remove(&(entry.record.trust_domain_id, entry.record.name));
        for v in entry.versions {
            self.version_owner.remove(&v.id);
        }
        self.cicd_links.retain(|_, l| l.cluster_id != id);
        self.forget_configs(&[super::SectionScope::Cluster(id.to_owned())]);
        true
    }

    /// Applies a cluster change (see [`Store::apply`]).
    pub(super) fn apply_cluster(&mut self, change: &Change) -> Result<(), String> {
        match change {
            Change::ClusterCreated { cluster, version } => {
                let name_key = (cluster.trust_domain_id.clone(), cluster.name.clone());
                if self.clusters.contains_key(&cluster.id)
                    || self.cluster_by_name.contains_key(&name_key)
                    || self.version_owner.contains_key(&version.id)
                {
                    return Err(format!("cluster {} exists", cluster.id));
                }
                if !self.trust_domains.contains_key(&cluster.trust_domain_id) {
                    return Err(format!("trust domain {} missing", cluster.trust_domain_id));
                }
                let seq = self.next_seq;
                self.next_seq += 1;
                self.cluster_order.insert(seq, cluster.id.clone());
                self.cluster_by_name.insert(name_key, cluster.id.clone());
                self.version_owner
                    .insert(version.id.clone(), cluster.id.clone());
                self.clusters.insert(
                    cluster.id.clone(),
                    ClusterEntry {
                        record: cluster.clone(),
                        seq,
                        versions: vec![version.clone()],
                    },
                );
            }
            Change::ClusterDeleted { id } => {
                if !self.remove_cluster(id) {
                    return Err(format!("cluster {id} missing"));
                }
            }
            Change::ClusterVersionCreated { version, removed } => {
                if self.version_owner.contains_key(&version.id) {
                    return Err(format!("cluster version {} exists", version.id));
                }
                let entry = self
                    .clusters
                    .get_mut(&version.cluster_id)
                    .ok_or_else(|| format!("cluster {} missing", version.cluster_id))?;
                if let Some(old) = removed {
                    entry.versions.retain(|v| &v.id != old);
                    self.version_owner.remove(old);
                }
                entry.versions.push(version.clone());
                self.version_owner
                    .insert(version.id.clone(), version.cluster_id.clone());
            }
            Change::ClusterVersionActivated { version_id }
            | Change::ClusterVersionDeactivated { version_id }
            | Change::ClusterVersionDeleted { version_id } => {
                let cluster_id = self
                    .version_owner
                    .get(version_id)
                    .cloned()
                    .ok_or_else(|| format!("cluster version {version_id} missing"))?;
                let entry = self
                    .clusters
                    .get_mut(&cluster_id)
                    .ok_or_else(|| format!("cluster {cluster_id} missing"))?;
                match change {
                    Change::ClusterVersionActivated { .. } => {
                        for v in &mut entry.versions {
                            if &v.id == version_id {
                                v.active = true;
                            } else if ACTIVATE_DEACTIVATES_OTHERS {
                                v.active = false;
                            }
                        }
                    }
                    Change::ClusterVersionDeactivated { .. } => {
                        for v in entry.versions.iter_mut().filter(|v| &v.id == version_id) {
                            v.active = false;
                        }
                    }
                    _ => {
                        entry.versions.retain(|v| &v.id != version_id);
                        self.version_owner.remove(version_id);
                    }
                }
            }
            Change::ClusterAgentsReported {
                cluster_id,
                active_agents,
            } => {
                let entry = self
                    .clusters
                    .get_mut(cluster_id)
                    .ok_or_else(|| format!("cluster {cluster_id} missing"))?;
                entry.record.active_agents = *active_agents;
            }
            other => return Err(format!("not a cluster change: {other:?}")),
        }
        Ok(())
    }
}
