//! The objects a mock holds and every rule about them (trust domains, and deployments with
//! their keys, in their own files).
//!
//! A write is two steps: a `plan_*` method checks a request against the current objects and
//! returns the [`Change`] it would make, without touching anything; [`Store::apply`] then makes
//! the change. The state layer writes the change to the journal between the two, so replaying the
//! journal on start goes through exactly the code that served the writes.

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

use crate::options::IdGenerator;

mod access;
mod attestation;
mod cicd;
mod clusters;
mod deployments;
mod federation;
mod install;
mod realms;
mod sections;
mod trust_domains;

pub(crate) use self::sections::ConfigRecord;
pub use self::sections::SectionScope;

/// A service account the mock makes itself (the bootstrap one, `--service-account`, the test
/// hooks), with the one key it generated for it: the journal's form of such an account, its key
/// and its private key together.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ServiceAccountRecord {
    pub key_id: String,
    /// PKCS#8 PEM. The mock keeps it so that `--credentials-out` works again after a restart.
    pub private_key_pem: String,
    pub created_at: SystemTime,
    /// The service account's name; empty in journals written before names existed (the
    /// `access` view then names it).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
}

/// A service account, however it was made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct AccountRecord {
    pub id: String,
    pub name: String,
    pub description: String,
    /// An organisation role's id.
    pub role_id: String,
    pub created_at: SystemTime,
    /// Who made it through the API (a user's id); `None` for the accounts the mock makes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
}

/// A key that may log in as its service account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct AccountKeyRecord {
    pub id: String,
    pub service_account_id: String,
    /// DER SubjectPublicKeyInfo.
    #[serde(with = "base64_bytes")]
    pub public_key_der: Vec<u8>,
    pub active: bool,
    pub created_at: SystemTime,
}

/// How a trust domain issues JWT-SVIDs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "mode", rename_all = "snake_case")]
pub(crate) enum JwtIssuer {
    /// The control plane's own issuer, at a computed URL.
    Builtin,
    /// No JWT-SVIDs.
    Disabled,
    /// The user's issuer URL.
    Custom { issuer: String },
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct TrustDomainRecord {
    pub id: String,
    pub name: String,
    pub description: String,
    /// Registered (self-hosted) rather than created (SPIRL-hosted).
    pub self_managed: bool,
    pub jwt_issuer: JwtIssuer,
    pub created_at: SystemTime,
    pub updated_at: SystemTime,
    /// When a hosted trust domain stops provisioning (its creation time when self-managed).
    pub available_at: SystemTime,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct DeploymentRecord {
    pub id: String,
    pub trust_domain_id: String,
    pub name: String,
    pub created_at: SystemTime,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct KeyRecord {
    pub id: String,
    /// DER SubjectPublicKeyInfo, as registered.
    #[serde(with = "base64_bytes")]
    pub pkix_der: Vec<u8>,
    pub active: bool,
    pub created_at: SystemTime,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct RealmRecord {
    pub id: String,
    pub trust_domain_id: String,
    pub name: String,
    pub created_at: SystemTime,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ClusterRecord {
    pub id: String,
    pub trust_domain_id: String,
    pub name: String,
    pub description: String,
    /// `Platform` as its wire number.
    pub platform: i32,
    /// Empty: no realm.
    pub realm_id: String,
    pub created_at: SystemTime,
    /// Agents connected now; set by the test hook [`Change::ClusterAgentsReported`].
    #[serde(default)]
    pub active_agents: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ClusterVersionRecord {
    pub id: String,
    pub cluster_id: String,
    /// DER SubjectPublicKeyInfo; empty when the version attests agents otherwise.
    #[serde(with = "base64_bytes")]
    pub pkix_der: Vec<u8>,
    pub path_template: String,
    pub x509_customization_template: String,
    pub jwt_customization_template: String,
    /// Empty: none.
    pub provider_attestation_config_id: String,
    /// Empty: none.
    pub agent_attestation_config_id: String,
    pub active: bool,
    pub created_at: SystemTime,
}

/// An agent attestation configuration: Kubernetes projected service account tokens.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct AgentAttestationRecord {
    pub id: String,
    pub oidc_issuer_url: String,
    pub service_account_name: String,
    pub service_account_namespace: String,
}

/// A provider attestation configuration: an AWS role.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ProviderAttestationRecord {
    pub id: String,
    pub name: String,
    pub role_arn: String,
}

/// A CI/CD profile.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct CicdProfileRecord {
    pub id: String,
    pub name: String,
    pub issuer: String,
    pub jwks_url: String,
}

/// A CI/CD profile's link to a cluster.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct CicdLinkRecord {
    pub id: String,
    pub profile_id: String,
    pub cluster_id: String,
    pub created_at: SystemTime,
}

/// A user of the organisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct UserRecord {
    pub id: String,
    pub email: String,
    pub name: String,
    pub created_at: SystemTime,
    /// The user's organisation role; empty in journals written before roles existed (the first
    /// user then has `FIRST_USER_ROLE`, the others `DEFAULT_SERVICE_ACCOUNT_ROLE`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub role_id: String,
}

/// Who holds a role assignment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub(crate) enum Principal {
    ServiceAccount(String),
    User(String),
}

impl Principal {
    pub fn id(&self) -> &str {
        match self {
            Principal::ServiceAccount(id) | Principal::User(id) => id,
        }
    }
}

/// A realm role held by a principal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct AssignmentRecord {
    pub id: String,
    pub principal: Principal,
    pub realm_id: String,
    pub role_id: String,
    pub created_at: SystemTime,
}

/// A federation link of a trust domain to a foreign trust domain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct FederationLinkRecord {
    pub id: String,
    pub trust_domain_id: String,
    pub foreign_trust_domain_name: String,
    /// The foreign bundle endpoint (https_web).
    pub endpoint_url: String,
    pub created_at: SystemTime,
}

/// One committed mutation; what the journal records, one per line.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub(crate) enum Change {
    /// A service account the mock made itself, with its key.
    ServiceAccountCreated {
        account: ServiceAccountRecord,
    },
    /// A service account made through `CreateServiceAccount`, without keys.
    ServiceAccountAdded {
        account: AccountRecord,
    },
    ServiceAccountRoleSet {
        id: String,
        role_id: String,
    },
    /// Removes the account's keys and realm role assignments too.
    ServiceAccountDeleted {
        id: String,
    },
    ServiceAccountKeyAdded {
        key: AccountKeyRecord,
    },
    ServiceAccountKeyStatusSet {
        id: String,
        active: bool,
    },
    ServiceAccountKeyDeleted {
        id: String,
    },
    TrustDomainCreated {
        trust_domain: TrustDomainRecord,
    },
    /// Carries the whole new record: replay needs no knowledge of what the update meant.
    TrustDomainUpdated {
        trust_domain: TrustDomainRecord,
    },
    /// Removes the trust domain's clusters (none active), realms with their role assignments,
    /// configuration and federation links too.
    TrustDomainDeleted {
        id: String,
    },
    /// Removes the deployment's keys too.
    DeploymentDeleted {
        id: String,
    },
    /// A key, and with a deployment's first key the deployment, in one line so that a crash
    /// cannot keep one without the other.
    KeyCreated {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        new_deployment: Option<DeploymentRecord>,
        deployment_id: String,
        key: KeyRecord,
    },
    KeyStateChanged {
        key_id: String,
        active: bool,
    },
    KeyDeleted {
        key_id: String,
    },
    UserAdded {
        user: UserRecord,
    },
    RoleAssigned {
        assignment: AssignmentRecord,
    },
    RoleRemoved {
        id: String,
    },
    /// A federation link created or changed, whole.
    FederationLinkSet {
        link: FederationLinkRecord,
    },
    FederationLinkDeleted {
        id: String,
    },
    /// A scope's whole configuration after an update: replay needs no YAML.
    ConfigSet {
        scope: SectionScope,
        config: ConfigRecord,
    },
    RealmCreated {
        realm: RealmRecord,
    },
    RealmDeleted {
        id: String,
    },
    /// A cluster and its first version, active.
    ClusterCreated {
        cluster: ClusterRecord,
        version: ClusterVersionRecord,
    },
    /// Removes the cluster's versions too.
    ClusterDeleted {
        id: String,
    },
    /// A new version, and the oldest inactive one it pushed out over the version limit, in one
    /// line.
    ClusterVersionCreated {
        version: ClusterVersionRecord,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        removed: Option<String>,
    },
    /// Makes the version the cluster's only active one.
    ClusterVersionActivated {
        version_id: String,
    },
    ClusterVersionDeactivated {
        version_id: String,
    },
    ClusterVersionDeleted {
        version_id: String,
    },
    /// Test hook: how many agents are connected to a cluster.
    ClusterAgentsReported {
        cluster_id: String,
        active_agents: i64,
    },
    AgentAttestationCreated {
        config: AgentAttestationRecord,
    },
    AgentAttestationDeleted {
        id: String,
    },
    ProviderAttestationCreated {
        config: ProviderAttestationRecord,
    },
    ProviderAttestationDeleted {
        id: String,
    },
    CicdProfileCreated {
        profile: CicdProfileRecord,
    },
    CicdProfileDeleted {
        id: String,
    },
    CicdLinkCreated {
        link: CicdLinkRecord,
    },
    CicdLinkDeleted {
        id: String,
    },
}

struct TrustDomainEntry {
    record: TrustDomainRecord,
    seq: u64,
    /// Deployment ids in creation order.
    deployments: Vec<String>,
}

struct ClusterEntry {
    record: ClusterRecord,
    seq: u64,
    /// In creation order.
    versions: Vec<ClusterVersionRecord>,
}

struct DeploymentEntry {
    record: DeploymentRecord,
    keys: Vec<KeyRecord>,
}

/// Counts of stored objects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ObjectCounts {
    /// Trust domains.
    pub trust_domains: usize,
    /// Deployments, over all trust domains.
    pub deployments: usize,
    /// Deployment keys, over all deployments.
    pub keys: usize,
    /// Configuration sections, over all scopes (read-only ones included).
    #[serde(default)]
    pub scoped_sections: usize,
    /// Federation links, over all trust domains.
    #[serde(default)]
    pub federation_links: usize,
    /// Realm role assignments.
    #[serde(default)]
    pub role_assignments: usize,
    /// Realms, over all trust domains.
    #[serde(default)]
    pub realms: usize,
    /// Clusters, over all trust domains.
    #[serde(default)]
    pub clusters: usize,
    /// Cluster versions, over all clusters.
    #[serde(default)]
    pub cluster_versions: usize,
    /// Agent attestation configurations.
    #[serde(default)]
    pub agent_attestation_configs: usize,
    /// Provider attestation configurations.
    #[serde(default)]
    pub provider_attestation_configs: usize,
    /// CI/CD profiles.
    #[serde(default)]
    pub cicd_profiles: usize,
    /// Links of CI/CD profiles to clusters.
    #[serde(default)]
    pub cicd_profile_links: usize,
    /// Service accounts made through the API (not those the mock made itself).
    #[serde(default)]
    pub service_accounts: usize,
    /// Keys of those service accounts.
    #[serde(default)]
    pub service_account_keys: usize,
}

/// What a plan needs besides the store: the time, a source of ids, how long hosted trust
/// domains provision.
pub(crate) struct Ctx<'a> {
    pub now: SystemTime,
    pub ids: &'a dyn IdGenerator,
    pub provisioning: Duration,
}

/// All objects, indexed for the API's look-ups.
#[derive(Default)]
pub(crate) struct Store {
    base_domain: String,
    /// The accounts the mock made itself, with their private keys, in creation order; the
    /// first is the bootstrap account.
    minted: Vec<ServiceAccountRecord>,
    /// Every service account, in creation order.
    accounts: Vec<AccountRecord>,
    /// Every service-account key, in creation order.
    account_keys: Vec<AccountKeyRecord>,
    trust_domains: HashMap<String, TrustDomainEntry>,
    /// Creation sequence → trust domain id: the stable order of listing.
    trust_domain_order: BTreeMap<u64, String>,
    trust_domain_by_name: HashMap<String, String>,
    deployments: HashMap<String, DeploymentEntry>,
    /// Key id → deployment id.
    key_owner: HashMap<String, String>,
    /// Realm id → realm, and its creation sequence (the order of listing).
    realms: HashMap<String, (u64, RealmRecord)>,
    realm_order: BTreeMap<u64, String>,
    /// (trust domain id, name) → realm id: names are unique in a trust domain.
    realm_by_name: HashMap<(String, String), String>,
    clusters: HashMap<String, ClusterEntry>,
    /// Creation sequence → cluster id: the order of listing.
    cluster_order: BTreeMap<u64, String>,
    /// (trust domain id, name) → cluster id: names are unique in a trust domain.
    cluster_by_name: HashMap<(String, String), String>,
    /// Version id → cluster id.
    version_owner: HashMap<String, String>,
    /// By id, in id order (listing needs no creation order).
    agent_attestations: BTreeMap<String, AgentAttestationRecord>,
    provider_attestations: BTreeMap<String, ProviderAttestationRecord>,
    cicd_profiles: BTreeMap<String, CicdProfileRecord>,
    cicd_links: BTreeMap<String, CicdLinkRecord>,
    next_seq: u64,
    /// Configurations that were ever written; the others are empty.
    configs: HashMap<SectionScope, ConfigRecord>,
    /// Users, in the order they were added.
    users: Vec<UserRecord>,
    /// Role assignments by id.
    assignments: BTreeMap<String, AssignmentRecord>,
    /// (trust domain id, foreign trust domain name) → link.
    federation_links: BTreeMap<(String, String), FederationLinkRecord>,
}

impl Store {
    /// An empty store whose trust-domain URLs live under `base_domain`.
    pub fn new(base_domain: &str) -> Self {
        Store {
            base_domain: base_domain.to_owned(),
            ..Store::default()
        }
    }

    /// Makes a planned change. Fails only on a change that does not fit the objects, which live
    /// writes rule out by planning under the same lock, and which on replay means a damaged
    /// journal.
    pub fn apply(&mut self, change: &Change) -> Result<(), String> {
        match change {
            Change::ServiceAccountCreated { .. }
            | Change::ServiceAccountAdded { .. }
            | Change::ServiceAccountRoleSet { .. }
            | Change::ServiceAccountDeleted { .. }
            | Change::ServiceAccountKeyAdded { .. }
            | Change::ServiceAccountKeyStatusSet { .. }
            | Change::ServiceAccountKeyDeleted { .. } => self.apply_access(change)?,
            Change::TrustDomainCreated { trust_domain } => {
                if self.trust_domains.contains_key(&trust_domain.id)
                    || self.trust_domain_by_name.contains_key(&trust_domain.name)
                {
                    return Err(format!("trust domain {} exists", trust_domain.id));
                }
                let seq = self.next_seq;
                self.next_seq += 1;
                self.trust_domain_order.insert(seq, trust_domain.id.clone());
                self.trust_domain_by_name
                    .insert(trust_domain.name.clone(), trust_domain.id.clone());
                self.trust_domains.insert(
                    trust_domain.id.clone(),
                    TrustDomainEntry {
                        record: trust_domain.clone(),
                        seq,
                        deployments: Vec::new(),
                    },
                );
            }
            Change::TrustDomainUpdated { trust_domain } => {
                let entry = self
                    .trust_domains
                    .get_mut(&trust_domain.id)
                    .ok_or_else(|| format!("trust domain {} missing", trust_domain.id))?;
                if entry.record.name != trust_domain.name {
                    return Err(format!("trust domain {} renamed", trust_domain.id));
                }
                entry.record = trust_domain.clone();
            }
            Change::TrustDomainDeleted { id } => {
                let entry = self
                    .trust_domains
                    .remove(id)
                    .ok_or_else(|| format!("trust domain {id} missing"))?;
                self.trust_domain_order.remove(&entry.seq);
                self.trust_domain_by_name.remove(&entry.record.name);
                self.forget_configs(&[SectionScope::TrustDomain(id.clone())]);
                self.federation_links.retain(|(td, _), _| td != id);
                for deployment_id in entry.deployments {
                    self.remove_deployment(&deployment_id);
                }
                // Its clusters (none active: the delete was refused otherwise) go with it.
                let clusters: Vec<String> = self
                    .clusters_of(id)
                    .iter()
                    .map(|c| c.record.id.clone())
                    .collect();
                for cluster in clusters {
                    self.remove_cluster(&cluster);
                }
                // And its realms, with their role assignments: see the assumption
                // `DELETE_TRUST_DOMAIN_TAKES_ITS_REALMS`.
                for realm in self.realms_of(id) {
                    self.remove_realm(&realm);
                }
            }
            Change::DeploymentDeleted { id } => {
                let parent_id = self
                    .deployments
                    .get(id)
                    .map(|d| d.record.trust_domain_id.clone())
                    .ok_or_else(|| format!("deployment {id} missing"))?;
                if let Some(parent) = self.trust_domains.get_mut(&parent_id) {
                    parent.deployments.retain(|d| d != id);
                }
                self.remove_deployment(id);
            }
            Change::RealmCreated { realm } => {
                let name_key = (realm.trust_domain_id.clone(), realm.name.clone());
                if self.realms.contains_key(&realm.id) || self.realm_by_name.contains_key(&name_key)
                {
                    return Err(format!("realm {} exists", realm.id));
                }
                if !self.trust_domains.contains_key(&realm.trust_domain_id) {
                    return Err(format!("trust domain {} missing", realm.trust_domain_id));
                }
                let seq = self.next_seq;
                self.next_seq += 1;
                self.realm_order.insert(seq, realm.id.clone());
                self.realm_by_name.insert(name_key, realm.id.clone());
                self.realms.insert(realm.id.clone(), (seq, realm.clone()));
            }
            Change::RealmDeleted { id } => {
                if !self.remove_realm(id) {
                    return Err(format!("realm {id} missing"));
                }
            }
            Change::ClusterCreated { .. }
            | Change::ClusterDeleted { .. }
            | Change::ClusterVersionCreated { .. }
            | Change::ClusterVersionActivated { .. }
            | Change::ClusterVersionDeactivated { .. }
            | Change::ClusterVersionDeleted { .. }
            | Change::ClusterAgentsReported { .. } => self.apply_cluster(change)?,
            Change::AgentAttestationCreated { .. }
            | Change::AgentAttestationDeleted { .. }
            | Change::ProviderAttestationCreated { .. }
            | Change::ProviderAttestationDeleted { .. } => self.apply_attestation(change)?,
            Change::CicdProfileCreated { .. }
            | Change::CicdProfileDeleted { .. }
            | Change::CicdLinkCreated { .. }
            | Change::CicdLinkDeleted { .. } => self.apply_cicd(change)?,
            Change::KeyCreated {
                new_deployment,
                deployment_id,
                key,
            } => {
                if self.key_owner.contains_key(&key.id) {
                    return Err(format!("key {} exists", key.id));
                }
                if let Some(deployment) = new_deployment {
                    if self.deployments.contains_key(&deployment.id) {
                        return Err(format!("deployment {} exists", deployment.id));
                    }
                    let parent = self
                        .trust_domains
                        .get_mut(&deployment.trust_domain_id)
                        .ok_or_else(|| {
                            format!("trust domain {} missing", deployment.trust_domain_id)
                        })?;
                    parent.deployments.push(deployment.id.clone());
                    self.deployments.insert(
                        deployment.id.clone(),
                        DeploymentEntry {
                            record: deployment.clone(),
                            keys: Vec::new(),
                        },
                    );
                }
                let deployment = self
                    .deployments
                    .get_mut(deployment_id)
                    .ok_or_else(|| format!("deployment {deployment_id} missing"))?;
                deployment.keys.push(key.clone());
                self.key_owner.insert(key.id.clone(), deployment_id.clone());
            }
            Change::KeyStateChanged { key_id, active } => {
                let key = self
                    .key_owner
                    .get(key_id)
                    .and_then(|d| self.deployments.get_mut(d))
                    .and_then(|d| d.keys.iter_mut().find(|k| &k.id == key_id))
                    .ok_or_else(|| format!("key {key_id} missing"))?;
                key.active = *active;
            }
            Change::UserAdded { user } => {
                if self
                    .users
                    .iter()
                    .any(|u| u.id == user.id || u.email == user.email)
                {
                    return Err(format!("user {} exists", user.email));
                }
                self.users.push(user.clone());
            }
            Change::RoleAssigned { assignment } => {
                if self.assignments.contains_key(&assignment.id) {
                    return Err(format!("role assignment {} exists", assignment.id));
                }
                self.assignments
                    .insert(assignment.id.clone(), assignment.clone());
            }
            Change::RoleRemoved { id } => {
                self.assignments
                    .remove(id)
                    .ok_or_else(|| format!("role assignment {id} missing"))?;
            }
            Change::FederationLinkSet { link } => {
                let key = (
                    link.trust_domain_id.clone(),
                    link.foreign_trust_domain_name.clone(),
                );
                if !self.trust_domains.contains_key(&link.trust_domain_id) {
                    return Err(format!("trust domain {} missing", link.trust_domain_id));
                }
                self.federation_links.insert(key, link.clone());
            }
            Change::FederationLinkDeleted { id } => {
                let before = self.federation_links.len();
                self.federation_links.retain(|_, l| &l.id != id);
                if self.federation_links.len() == before {
                    return Err(format!("federation link {id} missing"));
                }
            }
            Change::ConfigSet { scope, config } => {
                self.configs.insert(scope.clone(), config.clone());
            }
            Change::KeyDeleted { key_id } => {
                let deployment_id = self
                    .key_owner
                    .remove(key_id)
                    .ok_or_else(|| format!("key {key_id} missing"))?;
                if let Some(deployment) = self.deployments.get_mut(&deployment_id) {
                    deployment.keys.retain(|k| &k.id != key_id);
                }
            }
        }
        Ok(())
    }

    fn remove_deployment(&mut self, id: &str) {
        self.forget_configs(&[SectionScope::Deployment(id.to_owned())]);
        if let Some(entry) = self.deployments.remove(id) {
            for key in entry.keys {
                self.key_owner.remove(&key.id);
            }
        }
    }

    /// How many objects of each kind exist.
    pub fn counts(&self) -> ObjectCounts {
        ObjectCounts {
            trust_domains: self.trust_domains.len(),
            deployments: self.deployments.len(),
            keys: self.key_owner.len(),
            scoped_sections: self.configs.values().map(|c| c.sections.len()).sum(),
            federation_links: self.federation_links.len(),
            role_assignments: self.assignments.len(),
            realms: self.realms.len(),
            clusters: self.clusters.len(),
            cluster_versions: self.version_owner.len(),
            agent_attestation_configs: self.agent_attestations.len(),
            provider_attestation_configs: self.provider_attestations.len(),
            cicd_profiles: self.cicd_profiles.len(),
            cicd_profile_links: self.cicd_links.len(),
            service_accounts: self.api_accounts().count(),
            service_account_keys: self
                .account_keys
                .iter()
                .filter(|k| !self.minted.iter().any(|m| m.key_id == k.id))
                .count(),
        }
    }

    // ----- ids -----

    fn id_taken(&self, id: &str) -> bool {
        self.trust_domains.contains_key(id)
            || self.deployments.contains_key(id)
            || self.key_owner.contains_key(id)
            || self.realms.contains_key(id)
            || self.clusters.contains_key(id)
            || self.version_owner.contains_key(id)
            || self.agent_attestations.contains_key(id)
            || self.provider_attestations.contains_key(id)
            || self.cicd_profiles.contains_key(id)
            || self.cicd_links.contains_key(id)
            || self.federation_links.values().any(|l| l.id == id)
            || self.assignments.contains_key(id)
            || self.users.iter().any(|u| u.id == id)
            || self.accounts.iter().any(|a| a.id == id)
            || self.account_keys.iter().any(|k| k.id == id)
    }

    /// `prefix-<suffix>`, redrawn until unused: a seeded generator repeats itself after a
    /// restart on the same data directory.
    fn fresh_id(&self, prefix: &str, ctx: &Ctx<'_>) -> String {
        loop {
            let id = format!("{prefix}{}", ctx.ids.next_suffix());
            if !self.id_taken(&id) {
                return id;
            }
        }
    }
}

/// `Vec<u8>` as standard base64 in the journal.
mod base64_bytes {
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;
    use serde::{Deserialize as _, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&STANDARD.encode(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(deserializer)?;
        STANDARD.decode(text).map_err(serde::de::Error::custom)
    }
}
