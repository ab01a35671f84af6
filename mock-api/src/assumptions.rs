//! Every choice the public Go SDK (`spirl/spirl-sdk-go`) does not settle, in one place. The rest
//! of the mock uses these constants and functions instead of deciding again; the crate doc lists
//! them. When the real control plane is seen to behave otherwise, change it here.
//!
//! The words the mock shares with the provider's client (evidenced id prefixes, states, metadata
//! keys, the login proof, limits) live once in [`spirl_api_proto::vocabulary`] and are
//! re-exported here; this module restates none of them.

use std::time::Duration;

pub use spirl_api_proto::vocabulary::{
    CICD_PROFILE_ID_PREFIX, CLIENT_METADATA, CLIENT_VERSION_METADATA, CLUSTER_ID_PREFIX,
    DEPLOYMENT_ID_PREFIX, DESCRIBE_CLUSTERS_BATCH, KEY_ID_PREFIX, KEY_STATE_ACTIVE,
    KEY_STATE_INACTIVE, LOGIN_NONCE_LEN, LOGIN_PROOF_CONTEXT, MAX_CLUSTER_VERSIONS,
    OIDC_DISCOVERY_PATH, REALM_ADMIN_ROLE, REALM_ID_PREFIX, REALM_ROLE_ID_PREFIX,
    ROLE_ASSIGNMENT_ID_PREFIX, SERVICE_ACCOUNT_ID_PREFIX, SERVICE_ACCOUNT_KEY_ID_PREFIX,
    TOKEN_METADATA, TRUST_DOMAIN_AVAILABLE, TRUST_DOMAIN_ID_PREFIX, TRUST_DOMAIN_PROVISIONING,
};

/// Alphabet of the random part of every id: ids are a prefix (the evidenced ones from
/// [`spirl_api_proto::vocabulary`], the chosen ones below) then lowercase ASCII letters and
/// digits (the SDK treats ids as opaque strings; the seeds show `td-`, `tdd-` and `tdk-` ids of
/// this shape).
pub const ID_ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
/// Length of the random part of a generated id.
pub const ID_SUFFIX_LEN: usize = 16;
/// Prefix of cluster version ids (not shown anywhere public; chosen).
pub const CLUSTER_VERSION_ID_PREFIX: &str = "cv-";
/// Prefix of agent attestation configuration ids (chosen).
pub const AGENT_ATTESTATION_ID_PREFIX: &str = "aac-";
/// Prefix of provider attestation configuration ids (chosen).
pub const PROVIDER_ATTESTATION_ID_PREFIX: &str = "pac-";
/// Prefix of CI/CD profile link ids (chosen).
pub const CICD_LINK_ID_PREFIX: &str = "cicdl-";
/// A service account's private key, in the credentials file and `Credentials::sa_private_key`,
/// is PKCS#8 v1 PEM (`PrivateKeyInfo`, without the public key): the form OpenSSL
/// (`openssl genpkey -algorithm ed25519`), Go (`x509.MarshalPKCS8PrivateKey`) and Python's
/// `cryptography` write, and the one every PKCS#8 reader accepts. (v2 with the public key is read
/// too, from journals written before.)
pub const SERVICE_ACCOUNT_KEY_IS_PKCS8_V1: bool = true;

/// The organisation every object of a mock belongs to (`org_id` of a deployment). A mock serves
/// one organisation; its id is fixed so that it is the same after a restart.
pub const ORG_ID: &str = "org-mock0000000001";

/// Longest description of a trust domain, in bytes (UTF-8). The SDK sets no limit; control
/// characters other than `\n` and `\t` are refused as well.
pub const MAX_DESCRIPTION_BYTES: usize = 1024;

/// Longest custom JWT issuer URL, in bytes.
pub const MAX_ISSUER_URL_BYTES: usize = 2048;

/// Longest deployment name, in bytes. The SDK says only that a deployment name is required
/// ("DeploymentName is the name of the deployment the key is for. … Required."); the mock asks
/// nothing more of it but this generous bound (`INVALID_ARGUMENT` naming `deployment_name`).
pub const MAX_DEPLOYMENT_NAME: usize = 255;

/// How long a SPIRL-hosted trust domain stays [`TRUST_DOMAIN_PROVISIONING`] unless configured
/// otherwise (`MockOptions::provisioning`, `--provisioning-ms`).
pub const DEFAULT_PROVISIONING: Duration = Duration::from_millis(500);

/// A public key (`pkix_pubkey`) must be one DER SubjectPublicKeyInfo with the ed25519 algorithm
/// and 32 key bytes; the bytes are not decompressed into a curve point. A published
/// configuration registers `MCowBQYDK2VwAyEANoPrivateKeyExistsForThisPlaceholderKeyless=` (an
/// inactive placeholder "only here to satisfy the Terraform provider") with the real control
/// plane, and its bytes are no point: a stricter mock would refuse what the real one takes.
pub const KEY_BYTES_ARE_NOT_CHECKED_AS_A_POINT: bool = true;

/// The agent endpoint of a SPIRL-hosted trust domain: `CreateTrustDomainResponse.endpoint_url`,
/// `TrustDomainInfoResponse.spirl_agent_endpoint_url` and `TrustDomain.endpoint_url` are all this
/// `host:port` (no scheme). Self-hosted trust domains have none (`""`).
pub fn agent_endpoint(trust_domain_id: &str, base_domain: &str) -> String {
    format!("{trust_domain_id}.agents.{base_domain}:443")
}

/// The built-in JWT issuer of a trust domain.
pub fn builtin_issuer(trust_domain_id: &str, base_domain: &str) -> String {
    format!("https://{trust_domain_id}.oidc.{base_domain}")
}

/// The SPIFFE bundle endpoint; computed whatever the issuer mode.
pub fn bundle_endpoint(trust_domain_id: &str, base_domain: &str) -> String {
    format!("https://{trust_domain_id}.bundle.{base_domain}/")
}

/// The JWKS the control plane hosts for a trust domain: always under the built-in issuer's
/// host, whatever the issuer mode (the keys are SPIRL's to serve even for a custom issuer).
pub fn jwks_endpoint(trust_domain_id: &str, base_domain: &str) -> String {
    format!("{}/keys", builtin_issuer(trust_domain_id, base_domain))
}

/// Deleting a trust domain that still has deployments is refused with `FAILED_PRECONDITION`
/// naming them. The SDK only says "cannot have any active clusters"; the product contract
/// (DESIGN.md §3) adds deployments: "a trust domain with active clusters or deployments cannot
/// be deleted (`FAILED_PRECONDITION`)". A deployment is the trust domain's own servers, so
/// deleting it first is deliberate.
pub const DELETE_TRUST_DOMAIN_NEEDS_NO_DEPLOYMENTS: bool = true;

/// A trust domain's realms go with it, with their role assignments (and nothing refuses the
/// delete for them): the SDK's only precondition on `DeleteTrustDomain` is "The trust domain
/// cannot have any active clusters", and no published text names realms, so the mock must not
/// refuse more. A realm's clusters are the trust domain's clusters, which go with it too
/// ([`DELETE_TRUST_DOMAIN_NEEDS_NO_ACTIVE_CLUSTERS`]). One journal line records the delete;
/// replaying it removes the same objects.
pub const DELETE_TRUST_DOMAIN_TAKES_ITS_REALMS: bool = true;

/// A realm name is a SPIFFE ID path segment (the SDK): ASCII letters, digits, `.`, `-`, `_`, not
/// `.` or `..`; the SDK sets no length, the mock allows this many bytes.
pub const MAX_REALM_NAME_BYTES: usize = 255;

/// Deleting a realm that clusters belong to is refused with `FAILED_PRECONDITION` naming them
/// (the SDK: "only a realm with no associated clusters can be deleted").
pub const DELETE_REALM_NEEDS_NO_CLUSTERS: bool = true;

/// `ListRealms` with neither filter lists the organisation's realms; a filter naming an unknown
/// trust domain matches nothing (as for the trust-domain lists).
pub const LIST_REALMS_UNFILTERED_LISTS_ALL: bool = true;

/// A cluster has at most one active version: activating one deactivates the others (the SDK
/// does not say; the provider deactivates leftovers itself, so either answer works).
pub const ACTIVATE_DEACTIVATES_OTHERS: bool = true;

/// Longest cluster name, in bytes. The SDK says only "It must be unique within the given trust
/// domain. Required."; the mock asks nothing more of a name but this generous bound
/// (`INVALID_ARGUMENT` naming `cluster_name`). Names are not known to be DNS labels.
pub const MAX_CLUSTER_NAME: usize = 255;

/// `ListClustersV2` pages: without `page_size` a page holds [`DEFAULT_CLUSTER_PAGE_SIZE`]
/// clusters (`MockOptions::cluster_page_size` changes it, so tests can page small lists); a larger
/// `page_size` than [`MAX_CLUSTER_PAGE_SIZE`] is lowered to it. Page tokens are opaque; one that
/// this API did not give is `INVALID_ARGUMENT` naming `page_token`. (The SDK pages with the
/// token until none comes back, and sends no page size.)
pub const DEFAULT_CLUSTER_PAGE_SIZE: u32 = 100;
/// See [`DEFAULT_CLUSTER_PAGE_SIZE`].
pub const MAX_CLUSTER_PAGE_SIZE: u32 = 1000;

/// Longest path template and customization template, in bytes (`INVALID_ARGUMENT` naming the
/// field). The SDK sets no limit and no alphabet: a template read with `file()`, ending with a
/// newline (or CRLF), is accepted and kept as sent.
pub const MAX_TEMPLATE_BYTES: usize = 4096;

/// A path template, when given, starts with `/`: it is "the path component of SPIFFE IDs" (the
/// SDK), and a SPIFFE ID path starts with `/` (`INVALID_ARGUMENT` naming `path_template`).
pub const PATH_TEMPLATE_STARTS_WITH_SLASH: bool = true;

/// The path template a cluster gets when its request leaves `path_template` empty (the SDK: "a
/// default path template will be used based on the given platform"). `{name}` is the cluster's
/// name.
pub fn default_path_template(linux: bool, name: &str) -> String {
    if linux {
        format!("/{name}/host/{{{{linux.hostname}}}}/uid/{{{{linux.process.uid}}}}")
    } else {
        format!(
            "/{name}/ns/{{{{kubernetes.pod.namespace}}}}/sa/{{{{kubernetes.pod.service_account}}}}"
        )
    }
}

/// A cluster version's public key is optional, with or without an agent attestation
/// configuration. The official provider v0.12.1: `public_key` is "only needed when agents
/// authenticate using a cluster key pair rather than agent attestation (i.e. when not setting a
/// spirl_cluster_config AgentAttestation section)"; such a section lives in the cluster's
/// configuration, which the mock does not interpret. (The SDK's older comment on `PublicKey`,
/// "Required", predates that.) A key that is given must be an ed25519 SubjectPublicKeyInfo.
pub const CLUSTER_KEY_OPTIONAL: bool = true;

/// In `NewClusterVersion`, an absent optional field (customization templates, attestation ids)
/// keeps the cluster's current value; a present empty one clears it. `path_template` (not
/// optional) empty means the platform's default, as at create.
pub const NEW_VERSION_ABSENT_KEEPS: bool = true;

/// Deleting a cluster with connected agents is refused with `FAILED_PRECONDITION` saying how
/// many (the SDK documents none; a delete that cut running agents off would be worse).
pub const DELETE_CLUSTER_NEEDS_NO_ACTIVE_AGENTS: bool = true;

/// Deleting a trust domain with active clusters is refused with `FAILED_PRECONDITION` naming
/// them. The SDK: "DeleteTrustDomain deletes a trust domain. The trust domain cannot have any
/// active clusters." Its inactive clusters are deleted with it (with their versions, links and
/// configuration): the SDK refuses only for active ones, so the mock must not refuse more.
pub const DELETE_TRUST_DOMAIN_NEEDS_NO_ACTIVE_CLUSTERS: bool = true;

/// A cluster is active while agents are connected to it (`MockState::set_active_agents`). The
/// SDK counts "clusters in the trust domain \[that\] appear to be in active use"
/// (`TrustDomainStatus.ClustersActive`) and says no more; agents connected is what the mock can
/// observe of use. The same count is `clusters_active` in `ListTrustDomains` with statistics.
pub const ACTIVE_CLUSTER_HAS_AGENTS: bool = true;

/// Deleting the only version of a cluster is refused (`FAILED_PRECONDITION`): delete the cluster.
pub const CLUSTER_KEEPS_ONE_VERSION: bool = true;

/// Every field of a `K8SPSATConfig` is required, as the SDK's API comments mark them:
/// "Required. The OIDC issuer URL for the Kubernetes cluster.", "Required. The service account
/// name that the agent will use.", "Required. The namespace where the service account is
/// located." An empty one is `INVALID_ARGUMENT` naming it (`k8s_psat.oidc_issuer_url`, …); the
/// mock fills in no defaults (the official provider's defaults are the provider's to send).
pub const PSAT_FIELDS_REQUIRED: bool = true;

/// `k8s_psat.oidc_issuer_url` is an `http://` or `https://` URL with a host (the SDK: "For EKS,
/// this is typically `https://oidc.eks.<region>.amazonaws.com/id/...`.": typically, not always;
/// see [`FETCHED_URLS_MAY_BE_HTTP`]), and the service account name and
/// namespace are Kubernetes names (DNS-1123 subdomains: lowercase letters, digits, `-`, `.`, at
/// most 253), Kubernetes' own rule for them; anything else is `INVALID_ARGUMENT` naming the field.
pub const PSAT_FIELDS_ARE_KUBERNETES_SHAPED: bool = true;

/// The URLs the control plane fetches keys from where the SDK names no scheme (a CI/CD
/// profile's `jwks_url`: "the URL for the JWKS used to verify tokens"; a PSAT issuer, "typically
/// `https://…`") may be `http://` as well as `https://`: the mock takes what the API might, and
/// refuses only what is no URL of a host (`INVALID_ARGUMENT` naming the field).
pub const FETCHED_URLS_MAY_BE_HTTP: bool = true;

/// An agent attestation configuration that any cluster version names cannot be deleted; a
/// provider attestation configuration, one that a cluster's active version names (inactive
/// versions keep its id, which then names nothing). Both refusals are `FAILED_PRECONDITION`
/// naming the clusters.
pub const DELETE_ATTESTATION_IN_USE_REFUSED: bool = true;

/// A provider attestation configuration needs its provider's configuration, `aws` (the only
/// one): the API marks `CreateConfigRequest.config` "Required. The specific configuration for
/// the provider." Without it: `INVALID_ARGUMENT` naming `aws`. (The official provider's schema
/// has the `aws` block optional; the control plane, not the provider, refuses its absence.)
pub const PROVIDER_ATTESTATION_NEEDS_A_CONFIG: bool = true;

/// `aws.role_arn` is an IAM role ARN (`arn:<partition>:iam::<12 digits>:role/<name>`): the SDK
/// calls it "The ARN of the AWS role to assume"; anything else is `INVALID_ARGUMENT` naming
/// `aws.role_arn`.
pub const PROVIDER_ATTESTATION_ROLE_IS_AN_IAM_ROLE_ARN: bool = true;

/// Provider attestation configuration names are unique in the organisation (the official
/// provider imports them by name) and at most this many bytes (chosen); the SDK states no
/// alphabet, so any text is taken.
pub const MAX_PROVIDER_ATTESTATION_NAME: usize = 128;

/// CI/CD profile names are unique in the organisation (the official provider imports them by
/// name) and at most this many bytes (chosen); the SDK states no alphabet, so any text is taken.
/// A profile's issuer, when given, is an https URL (the SDK says only "the token issuer"; the
/// official docs call it the "OIDC Issuer URL", and OpenID Connect Discovery 1.0 requires an
/// issuer to use the https scheme); without one it gets [`default_cicd_issuer`]. Its
/// `jwks_url`, when given, is an `http://` or `https://` URL ([`FETCHED_URLS_MAY_BE_HTTP`]);
/// without a `jwks_url` the profile gets its issuer plus [`DEFAULT_JWKS_PATH`] (the SDK: "a
/// default URL is provided").
pub const MAX_CICD_PROFILE_NAME: usize = 128;
/// See [`MAX_CICD_PROFILE_NAME`].
pub const DEFAULT_JWKS_PATH: &str = "/.well-known/jwks.json";

/// The issuer a CI/CD profile created without one gets. The SDK: "If unset, a default value will
/// be provided based on the profile type. Optional." The profile types are the API's `CICDType`
/// (`jenkins`, `github-saas`, `github-self-hosted`, `github-hybrid`, `gitlab-saas`,
/// `gitlab-self-hosted`, `gitlab-hybrid`), but since SDK v0.3.6 `CreateCICDProfileRequest`
/// carries no type, so the default cannot depend on one the client chose. Chosen: the issuer of
/// the type the official provider's example shows, `gitlab-hybrid` (`issuer =
/// "https://gitlab.com" // Optional, Required when using an on-prem type`), which is GitLab.com's
/// public issuer, as for `gitlab-saas`. (GitHub's SaaS and hybrid types would default to
/// `https://token.actions.githubusercontent.com`; the self-hosted types and Jenkins, "on-prem",
/// have no default issuer.)
pub fn default_cicd_issuer() -> &'static str {
    "https://gitlab.com"
}

/// A CI/CD profile linked to a cluster cannot be deleted (`FAILED_PRECONDITION` naming the
/// clusters); a profile is linked to a cluster at most once (`ALREADY_EXISTS`); deleting a
/// cluster removes its links.
pub const DELETE_LINKED_CICD_PROFILE_REFUSED: bool = true;

/// Deleting an active key, or a deployment with an active key, needs `force`
/// (`FAILED_PRECONDITION` otherwise). Inactive keys go without it.
pub const DELETE_ACTIVE_NEEDS_FORCE: bool = true;

/// Deleting a deployment's last key leaves the deployment: it stays (listed, keyless) until
/// `DeleteTrustDomainDeployment`.
pub const LAST_KEY_LEAVES_DEPLOYMENT: bool = true;

/// A list filter naming a trust domain that does not exist (`ListTrustDomainDeployments`,
/// `ListTrustDomainKeys`) yields an empty list, not `NOT_FOUND`: it is a filter, not a look-up.
pub const UNKNOWN_FILTER_IS_EMPTY: bool = true;

/// Enabling an active key or disabling an inactive one succeeds and changes nothing.
pub const KEY_STATE_CHANGES_ARE_IDEMPOTENT: bool = true;

/// What replaces the answer of a write dropped after it committed (`drop_after_commit_rate`):
/// `UNAVAILABLE` "connection lost", what a client sees when the connection fails after the
/// server acted.
pub fn dropped_answer() -> crate::error::ApiError {
    crate::error::ApiError::Unavailable("connection lost".into())
}

// ---- configuration sections (config.API) -------------------------------------------------

/// The version of a configuration never written. Versions are opaque strings to clients; the
/// mock counts up from this, one per stored change (an update that changes nothing keeps it).
pub const CONFIG_FIRST_VERSION: u64 = 1;

/// An update whose `expected_version` is set and is not the current version is refused with
/// `FAILED_PRECONDITION` naming both (the SDK only says "applies optimistic concurrency checks").
pub fn version_mismatch(expected: &str, current: &str) -> crate::error::ApiError {
    crate::error::ApiError::FailedPrecondition(format!(
        "expected_version {expected:?} is not the configuration's version {current:?}: it \
         changed since it was read"
    ))
}

/// A section the control plane owns (`read_only`) cannot be set: `INVALID_ARGUMENT`. Prune
/// keeps it.
pub fn read_only_section_refused(name: &str) -> crate::error::ApiError {
    crate::error::ApiError::InvalidArgument(format!(
        "section {name} is read-only: it is managed by the control plane"
    ))
}

/// The top-level keys of a self-describing section document that the mock reads (`section` and
/// `schema`, as the official provider's examples write them: the document must say which
/// section and schema it is, since an update carries nothing else). A document may carry
/// others, `spec` or not: the SDK calls updates "self-describing YAML documents" and lists no
/// keys, so the mock keeps other keys as they are rather than refuse them or require one.
pub const SECTION_DOCUMENT_KEYS: [&str; 2] = ["section", "schema"];

/// Longest section document accepted, in bytes.
pub const MAX_SECTION_BYTES: usize = 256 * 1024;

/// Deepest nesting of a section document (chosen); a second document in one update is refused
/// (one update, one section). Anchors and aliases are YAML and the SDK does not exclude them:
/// they are taken, and the section is stored expanded.
pub const MAX_SECTION_DEPTH: usize = 64;

/// Most nodes a section document may expand to through its aliases (chosen: bounds an alias
/// bomb, a few hundred bytes that expand to gigabytes); past it `INVALID_ARGUMENT`.
pub const MAX_SECTION_EXPANDED_NODES: usize = 100_000;

/// Sections are stored re-serialised (key order kept, formatting, quoting and comments not), so
/// `yaml_value` reads back differently from what was sent, as a server that parses the
/// documents would answer. Clients must compare sections by meaning.
pub const SECTIONS_STORED_REFORMATTED: bool = true;

/// Section names are identifiers (a letter, then letters, digits and `_`; at most 128) and
/// schema versions `v` plus digits. Any such section is accepted: the mock does not know each
/// section's settings.
pub const SECTION_NAMES_ARE_IDENTIFIERS: bool = true;

// ---- federation links (federation.API) -----------------------------------------------------

/// Prefix of federation link ids (the SDK and the official provider's docs show none).
pub const FEDERATION_LINK_ID_PREFIX: &str = "fl-";

// `SetLink` is an upsert keyed by the trust domain and the foreign trust domain's name: setting
// an existing link changes its endpoint and keeps its id and creation time; setting it as it
// is changes nothing. A trust domain cannot federate with itself (`INVALID_ARGUMENT`), the
// endpoint must be an https URL with a host, the profile is required (`https_web`, the only
// one). Deleting a link that does not exist is `NOT_FOUND`. A trust domain's links go with it.

// ---- access (access.API) -------------------------------------------------------------------

// Each service-account key the mock makes itself (the bootstrap account, `--service-account`,
// the test hooks) belongs to a service account of its own, whose id is the key's random part
// with `SERVICE_ACCOUNT_ID_PREFIX` (`sak-x` → `sa-x`), and whose role is
// [`DEFAULT_SERVICE_ACCOUNT_ROLE`]. Accounts made through `CreateServiceAccount` get fresh ids
// and their keys through `CreateServiceAccountKey`.

/// The organisation roles `ListOrgRoles` answers, `(id, name)`, least to most permissive. The
/// vendor's docs list "Auditor, Operator, Administrator, Owner" as the roles "installed by
/// default" and say "Roles are hierarchial": each has the permissions of the one before. The id
/// form is `spirlctl iam service-account create … --role-name auditor` printing
/// `Role ID: or----auditor` (the name padded with `-` to ten characters after `or-`).
pub const ORG_ROLES: [(&str, &str); 4] = [
    ("or----auditor", "Auditor"),
    ("or---operator", "Operator"),
    ("or-----admin", "Administrator"),
    ("or-----owner", "Owner"),
];
/// The role of a service account made without one: the SDK's `CreateServiceAccountParams.RoleID`
/// "Defaults to the admin role if unset". Also the role of the accounts the mock makes itself.
pub const DEFAULT_SERVICE_ACCOUNT_ROLE: &str = ORG_ROLES[2].0;
/// The role of the organisation's first user (who made it); later users get
/// [`DEFAULT_SERVICE_ACCOUNT_ROLE`] unless a test says otherwise.
pub const FIRST_USER_ROLE: &str = ORG_ROLES[3].0;

/// A service account cannot call `CreateServiceAccount` (`PERMISSION_DENIED`). The vendor's
/// docs: "Service accounts cannot create new service accounts." Users do it: Terraform makes
/// service accounts with a `spirlctl login` session.
pub const SERVICE_ACCOUNTS_CANNOT_CREATE_SERVICE_ACCOUNTS: bool = true;
/// A service account's role may be no more permissive than its creator's (`PERMISSION_DENIED`),
/// on create and on `UpdateServiceAccountRole`. The SDK: "The caller role must be as
/// permissive as the desired service account role"; the vendor's docs: "Users can only create
/// service accounts with roles equal to or lower than their own role."
pub const SERVICE_ACCOUNT_ROLE_AT_MOST_THE_CALLERS: bool = true;
/// No service account holds `Owner` (`INVALID_ARGUMENT` naming `role_id`), even when its creator
/// is an owner: the organisation's owners are people.
pub const SERVICE_ACCOUNTS_CANNOT_BE_OWNERS: bool = true;
/// Deleting a service account that still has keys needs `force` (`FAILED_PRECONDITION`
/// otherwise), and with `force` its keys and realm role assignments go with it. The SDK's
/// `Force` "deletes the service account regardless of state". As for deployment keys
/// ([`DELETE_ACTIVE_NEEDS_FORCE`]), deleting an active service-account key needs `force`; an
/// inactive one goes without it.
pub const DELETE_SERVICE_ACCOUNT_WITH_KEYS_NEEDS_FORCE: bool = true;
/// Service-account keys are ed25519 (the SDK: "Currently only ed25519.PublicKey keys are
/// supported"): any other DER SubjectPublicKeyInfo is `INVALID_ARGUMENT` naming `pkix_pubkey`.
pub const SERVICE_ACCOUNT_KEYS_ARE_ED25519: bool = true;
/// A key that is turned off (`UpdateServiceAccountKeyStatus`) or deleted cannot log in, and the
/// sessions it opened end at once: their next call is `UNAUTHENTICATED`.
pub const INACTIVE_KEY_ENDS_ITS_SESSIONS: bool = true;

/// The name of the bootstrap service account (the one whose credentials the mock writes).
pub const BOOTSTRAP_SERVICE_ACCOUNT_NAME: &str = "bootstrap-admin";
/// Prefix of user ids.
pub const USER_ID_PREFIX: &str = "usr-";
/// The user whose session `--spirlctl-config-out` (`MockState::user_session_token`) writes,
/// when the organisation has no user yet: `spirlctl login` logs a person in, and the mock has
/// no one else to give the session to.
pub fn spirlctl_user_email(base_domain: &str) -> String {
    format!("spirlctl-user@{base_domain}")
}
/// The realm roles, `(id, name)`: [`REALM_ADMIN_ROLE`], the only one, whose holders are the
/// realm's delegated administrators. Role ids start with [`REALM_ROLE_ID_PREFIX`].
pub const REALM_ROLES: [(&str, &str); 1] = [("rr-administrator", REALM_ADMIN_ROLE)];
// Assigning the same realm role to the same principal twice is `ALREADY_EXISTS`; a realm's
// assignments go with it; `ListDelegatedAdmins` leaves out realm ids it does not know.

/// `ListRoleAssignments` without a filter (none of `service_account_id`, `user_id`,
/// `assignment_id`) answers every role assignment of the organisation; with one, the principal's
/// assignments or the one assignment. The evidence points both ways: the SDK's older generated
/// comment on the oneof says "Required. The principal (user or service account) to list role
/// assignments for." (`spirlsdk/internal/protos/api/v1/accessapi/api.pb.go`, written when the
/// oneof held only the two principals; v0.3.6's descriptors add `assignment_id`, which is no
/// principal). Against it: it is the filter of a list request, and the API's other lists
/// (`ListRealms`, `ListTrustDomainDeployments`) answer the whole organisation without theirs;
/// the project reads `ListRoleAssignments` the same way (issue 19, "Closer to the SDK"). Every SDK
/// method that calls it, and the provider, send a filter, so answering the unfiltered request
/// costs a client nothing, while a refusal would rest on a comment older than the oneof's shape.
pub const LIST_ROLE_ASSIGNMENTS_UNFILTERED_LISTS_ALL: bool = true;

// ---- agent installation (the `deployment` of CreateCluster and NewClusterVersion) -----------

/// What installs a new version's agents (`oneof deployment` of `CreateClusterResponse` and
/// `NewClusterVersionResponse`; the SDK says no more than the messages' names and fields): for
/// the Kubernetes platforms a `KubernetesDeployment` whose `kubectl_yaml` is one multi-document
/// YAML for `kubectl apply -f` (Namespace, ServiceAccount, ClusterRole and binding, a ConfigMap
/// with the agent's configuration, the agent's DaemonSet); for `linux` a `VMDeployment` with the
/// agent's configuration file (YAML) and a Docker Compose file that runs it. Made from the
/// cluster's and the version's records alone (`store::install`), the same every time; no call
/// reads them again. The agent's configuration names the trust domain, the cluster, the version,
/// [`control_plane_endpoint`] and, for a SPIRL-hosted trust domain, its [`agent_endpoint`]; with
/// `k8s_psat` the agents use projected tokens of the configuration's service account, and
/// Istio platforms add the SDS names Istio asks for.
///
/// None of it is secret: the control plane only ever receives the cluster's public key, so the
/// files refer to the private key the user puts in Secret [`AGENT_KEY_SECRET`] (or at
/// [`AGENT_KEY_FILE`] on a Linux host) and never contain it.
pub const AGENT_INSTALL_REFERS_TO_THE_KEY: bool = true;
/// The control plane the agents talk to, `host:port`, as the install files name it (the real
/// one is `api.spirl.com:443`; the mock answers for `base_domain`).
pub fn control_plane_endpoint(base_domain: &str) -> String {
    format!("api.{base_domain}:443")
}
/// The agents' name (DaemonSet, ServiceAccount, ClusterRole, ConfigMap, Compose service): the
/// official provider's default `k8s_psat` service account.
pub const AGENT_NAME: &str = "spirl-agent";
/// The agents' namespace, unless `k8s_psat` names another: the official provider's default.
pub const AGENT_NAMESPACE: &str = "spirl-system";
/// The agent's container image (chosen; nothing public names it).
pub const AGENT_IMAGE: &str = "ghcr.io/spirl/spirl-agent:latest";
/// The Secret, in the agents' namespace, that holds the cluster's private key (key
/// `agent-key.pem`); the user creates it.
pub const AGENT_KEY_SECRET: &str = "spirl-agent-key";
/// Where a Linux host keeps the cluster's private key for the agent.
pub const AGENT_KEY_FILE: &str = "/etc/spirl/agent-key.pem";
/// Where the agent reads its configuration file.
pub const AGENT_CONFIG_FILE: &str = "/etc/spirl/agent.yaml";
/// The directory of the agent's Workload API socket, shared with the host.
pub const AGENT_SOCKET_DIR: &str = "/run/spirl/sockets";
/// The audience of the projected service account tokens agents attest with (`k8s_psat`).
pub const AGENT_TOKEN_AUDIENCE: &str = "spirl";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn realm_role_ids_have_the_sdk_prefix() {
        for (id, _) in REALM_ROLES {
            assert!(id.starts_with(REALM_ROLE_ID_PREFIX), "{id}");
        }
    }
}
