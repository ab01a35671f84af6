//! What the provider assumes about the real control plane where the public Go SDK
//! (`spirl/spirl-sdk-go` v0.3.6) does not settle it, and the tolerances it keeps so that it is
//! never stricter than the control plane. Each assumption is one item here, used by the rest of
//! the provider, which is written to survive the alternative.
//!
//! The words the provider shares with the mock (id prefixes, states, metadata keys, the login
//! proof, limits) live once in [`spirl_api_proto::vocabulary`], with their evidence; the ones the
//! provider uses are re-exported here. The mock's own choices are in `spirl-mock-api`'s
//! `assumptions` module.
//!
//! Ids are opaque strings in the SDK. The provider only tells an id from a name (on import, in
//! `*_id` attributes) by a prefix that published material shows, and asks no more than
//! `models::has_id_shape` (at least one character, no whitespace or `/`). Ids without a
//! published prefix (users, cluster versions, attestation configurations, federation links) are
//! not checked at all: see `models::is_opaque_id`.
//!
//! Assumptions the code follows without a constant to name them:
//! - A trust domain with deployments, or a realm with clusters, cannot be deleted
//!   (`FAILED_PRECONDITION`; the SDK documents only "The trust domain cannot have any active
//!   clusters" (`trustdomainsdk/api.go`, `DeleteTrustDomain`) and "only a realm with no
//!   associated clusters can be deleted"; DESIGN.md §3 adds deployments); the provider says what
//!   to remove first. A trust domain's realms do not keep it: they may go with it (the mock
//!   deletes them and their role assignments). Whatever the real API deletes along, the objects'
//!   own deletes then find `NOT_FOUND` (success) and their reads find them gone (a plan to
//!   create), never an error.
//! - Deleting an active key, a deployment with active keys, or a cluster with active agents may
//!   need `force` or be refused: the provider sends `force = true` for keys and deployments and
//!   never forces a cluster, so either answer works.
//! - Deleting a service-account key is sent with `force = true` (like a deployment key: the
//!   resource is being destroyed, active or not). Deleting a service account is sent with
//!   `force` only when the user sets `force_destroy`, since the SDK's force "deletes the service
//!   account regardless of state", keys Terraform does not manage included; without it a
//!   refusal (`FAILED_PRECONDITION`) is reported with the account's keys.
//! - Only users create service accounts, at most with their own role, and no service account is
//!   `Owner` (the vendor's docs: "Service accounts cannot create new service accounts", "Users
//!   can only create service accounts with roles equal to or lower than their own role"): the
//!   provider checks none of it and reports the control plane's refusal at `role_name`, saying
//!   to apply with a `spirlctl login` session.
//! - Organisation roles are resolved by name from `ListOrgRoles` (exact, then in any case, then
//!   as an id), since the docs spell them both `admin` and `Administrator`.
//! - The session token has no stated lifetime: it is kept until a call answers
//!   `UNAUTHENTICATED`, then one login serves every waiting call. A `spirlctl login` session is
//!   read from `creds.token` of its JSON file (other keys ignored) and cannot be renewed, so
//!   `UNAUTHENTICATED` is final for it.
//! - A key in any state but [`KEY_STATE_ACTIVE`] is read as not active, so an unexpected state
//!   shows up as a plan to enable it.
//! - `ListRealms` with neither filter lists the organisation's realms (import by id relies on
//!   it).
//! - `ActivateClusterVersion` may leave other versions active, and `NewClusterVersion` may keep
//!   or clear absent optional fields: the provider deactivates leftovers itself and always sends
//!   every field. A cluster's configuration is its active version's (else the newest's); a
//!   version reports its provider attestation by name, a request names it by id; without
//!   `path_template` the platform's default is read back.
//! - Agent attestation configurations have no name: a create whose answer was lost adopts one
//!   with the same content. CI/CD profiles and provider attestation configurations are unique by
//!   name in the organisation; a profile is linked to a cluster at most once (the link is the
//!   pair), and a linked profile cannot be deleted.
//! - A configuration update whose `expected_version` is stale is refused (`FAILED_PRECONDITION`,
//!   or any code: the provider reads the version again after any refused update). Sections the
//!   control plane marks `read_only` are its own and are neither planned nor sent; sections may
//!   be stored re-serialised and are compared by meaning.
//! - Assigning a realm role twice is `ALREADY_EXISTS`; the provider names the assignment to
//!   import.
//!
//! # Closer to the SDK: the line each point rests on
//! Where the provider follows the SDK (or the official provider) rather than a choice of its own,
//! the evidence, quoted short; where the quote already lives elsewhere, a pointer to it.
//! - Clusters are listed with `ListClustersV2` page by page, sending the last answer's
//!   `next_page_token` as `page_token` until an answer comes back without one (the client also
//!   ends on an empty token and refuses a repeated one), and described with `DescribeClusters`
//!   (`per_cluster_errors = true`) in batches of 100 ids: what `spirlsdk/client/cluster.go` does
//!   since v0.3.5, in place of `ListClusters`. The batch size's quote
//!   (`slices.Chunk(ids, 100)`) is at [`vocabulary::DESCRIBE_CLUSTERS_BATCH`].
//! - A create answered without the new object's id is an error, as in the SDK
//!   (`if resp.GetAssignmentId() == "" { return nil, xerrors.UnexpectedResponseField(…) }`,
//!   `spirlsdk/client/access.go`); the client first looks the object up as after a lost answer.
//! - `ListTrustDomains` is asked for dynamic data (`include_dynamic_data = true`, hence
//!   `exclude_stats = false`), as the official provider's `spirl_trust_domain` data source says
//!   it does from v0.12.1: "Resolution uses ListTrustDomains with dynamic data on the server"
//!   (`docs/data-sources/trust_domain.md`). The SDK sends its `IncludeStatus` view as
//!   `include_dynamic_data` (`spirlsdk/client/trustdomain.go`) and says of it "includes
//!   additional status information for the trust domain" and of `ExcludeStats` "Mutually
//!   exclusive with IncludeStatus" (`spirlsdk/trustdomainsdk/api.go`). The JWT issuer mode comes
//!   only from `jwt_issuer_status`, read again with `TrustDomainInfo` when a list entry lacks
//!   it: [`READ_ISSUER_WITH_INFO_WHEN_LIST_LACKS_STATUS`].
//! - The login: Ed25519ph with context `service-account-key-proof` over
//!   SHA-512(client nonce ‖ server nonce), 32-byte nonces, the token sent as `token` metadata.
//!   The SDK's lines (`spirlsdk/auth/serviceaccount/auth.go`, `spirlsdk/client/auth.go`) are
//!   quoted at [`vocabulary::LOGIN_PROOF_CONTEXT`], [`vocabulary::LOGIN_NONCE_LEN`] and
//!   [`vocabulary::TOKEN_METADATA`].
//! - Realm role ids are `rr-…`: the API's comment on `RealmRoleAssignment.role_id`, "Required.
//!   The realm role ID (rr-* format).", quoted at [`vocabulary::REALM_ROLE_ID_PREFIX`]. The
//!   provider resolves the role by name with `ListRoles` and checks no prefix.
//! - Every field of `k8s_psat` is required: the API marks `oidc_issuer_url`,
//!   `service_account_name` and `service_account_namespace` "Required.", quoted at the mock's
//!   `PSAT_FIELDS_REQUIRED` (`spirl-mock-api`'s `assumptions`). The provider always sends all
//!   three: `issuer_url` is required in its block, and the service account and namespace take
//!   the official provider's defaults ([`DEFAULT_PSAT_SERVICE_ACCOUNT`],
//!   [`DEFAULT_PSAT_NAMESPACE`]) when the configuration leaves them out.
//! - Private keys are PKCS#8 v1 PEM when the provider writes them (`spirl_key_pair`) and v1 or
//!   v2 when it reads them (`sa_private_key`). The SDK takes any `crypto.Signer` and says only
//!   "Only ed25519 private keys are currently supported" (`spirlsdk/auth/serviceaccount/auth.go`);
//!   v1 is what OpenSSL, Go's `x509.MarshalPKCS8PrivateKey` and Python write, as the mock's
//!   `SERVICE_ACCOUNT_KEY_IS_PKCS8_V1` and `crate::keys` say.

use spirl_api_proto::vocabulary::{self, TRUST_DOMAIN_AVAILABLE, TRUST_DOMAIN_UPGRADING};
pub use spirl_api_proto::vocabulary::{
    CICD_PROFILE_ID_PREFIX, CLUSTER_ID_PREFIX, DEPLOYMENT_ID_PREFIX, KEY_STATE_ACTIVE,
    OIDC_DISCOVERY_PATH, REALM_ADMIN_ROLE, REALM_ID_PREFIX, ROLE_ASSIGNMENT_ID_PREFIX,
    SERVICE_ACCOUNT_ID_PREFIX, SERVICE_ACCOUNT_KEY_ID_PREFIX, TRUST_DOMAIN_ID_PREFIX,
};

/// [`vocabulary::MAX_CLUSTER_VERSIONS`] as a Terraform number: `num_version_history` cannot ask
/// for more.
pub const MAX_CLUSTER_VERSIONS: i64 = vocabulary::MAX_CLUSTER_VERSIONS as i64;

/// The states of a trust domain that is ready for use. Create of a SPIRL-hosted trust domain
/// waits until it is in one of these; a self-hosted trust domain is assumed ready at once, and
/// create does not wait for it.
pub const TRUST_DOMAIN_READY_STATES: [&str; 2] = [TRUST_DOMAIN_AVAILABLE, TRUST_DOMAIN_UPGRADING];

/// The defaults of `k8s_psat`'s service account, as the official provider documents them. The
/// provider sends them explicitly, so the server's own defaults do not matter.
pub const DEFAULT_PSAT_SERVICE_ACCOUNT: &str = "spirl-agent";
/// See [`DEFAULT_PSAT_SERVICE_ACCOUNT`].
pub const DEFAULT_PSAT_NAMESPACE: &str = "spirl-system";

/// `spirl_org_config` is a singleton; its `id`, as the official provider has it.
pub const ORG_CONFIG_ID: &str = "ORG";

/// The wire's `Cluster` carries `realm_id` (field 22), but the SDK's `clusterFromAPI` does not
/// read it; only `ClusterItem.RealmID` (from `ListClustersV2`) gives a cluster's realm
/// (`RealmID: cluster.RealmId` in `clusterItemFromAPI`). When a described cluster shows no
/// realm, the client takes the realm its listing reports.
pub const DESCRIBED_CLUSTER_MAY_LACK_REALM: bool = true;

/// A `ListTrustDomains` entry without `jwt_issuer_status` is read again with `TrustDomainInfo`;
/// the issuer mode is never inferred from other fields (an empty `jwt_issuer_endpoint_url` once
/// read as "disabled" would show a built-in issuer as a permanent diff). `TrustDomainInfo` is
/// assumed to carry the status (its answer has `jwt_issuer_status`, field 13); one that does not
/// is an error naming the trust domain rather than a guess.
pub const READ_ISSUER_WITH_INFO_WHEN_LIST_LACKS_STATUS: bool = true;

/// The control plane may store a cluster's path or customization template with a trailing
/// newline trimmed (a template read with `file()` ends with one; the SDK says nothing). The
/// provider sends the text as configured and keeps the configured spelling while the stored one
/// differs only by that newline, so either behaviour plans no change.
pub const TEMPLATES_MAY_BE_TRIMMED: bool = true;

/// An `INVALID_ARGUMENT` names the request field it refuses in its message (the SDK passes the
/// message through and has no structured field violations). The provider sends configured
/// values without rules of its own where the published evidence states none, and reports such a
/// refusal at the attribute whose field the message names as a whole word; a message naming no
/// field is reported at the resource (or the attribute the call is about). The mock starts each
/// such message with the field's name.
pub const INVALID_ARGUMENT_NAMES_THE_FIELD: bool = true;

// ---- agent installation (`CreateCluster`/`NewClusterVersion` `deployment`) ----------------

/// The answer of `CreateCluster` and `NewClusterVersion` carries what the new version's agents
/// need (`oneof deployment`, fields 2 and 3 of both answers in the API's descriptors): a
/// `KubernetesDeployment` (`kubectl_yaml`) for the Kubernetes platforms (`k8s`, `istio`, `eks`,
/// `eks-istio`), a `VMDeployment` (`agent_configuration_file`, `docker_compose_yaml`) for
/// `linux`, as the two messages' names say; the SDK does not say more. So a plan leaves only the
/// platform's kind of install attributes unknown and plans the other kind null; an answer of
/// the other kind is not recorded (a warning), so the plan holds either way. An answer without
/// a deployment leaves them null. No call reads them again (`ListClusterVersions` and
/// `DescribeClusters` carry none): the state keeps them from the apply that made the version.
pub const DEPLOYMENT_FOLLOWS_PLATFORM: bool = true;

/// What the `deployment` answer carries is no secret: the control plane holds only the
/// cluster's public key (`CreateClusterRequest.pkix_pubkey`; no request or answer of the
/// cluster service carries a private key or a token), so the manifests can at most refer to the
/// Kubernetes Secret or file that holds the private key, which the user creates. The install
/// attributes are therefore not marked sensitive, so that plans show how they change. Should
/// the real control plane ever embed a credential in them, they must become sensitive.
pub const DEPLOYMENT_CARRIES_NO_SECRET: bool = true;
