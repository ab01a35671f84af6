//! What the provider assumes about the real control plane where the public Go SDK
//! (`spirl/spirl-sdk-go` v0.3.6) does not settle it. Each assumption is one item here, used by the
//! rest of the client, and the provider is written to survive the alternative. The mock
//! (`spirl-mock-api`, its `assumptions` module) makes the same choices.

// ---- id prefixes ----------------------------------------------------------------------------
//
// Ids are opaque strings in the SDK. The provider only tells an id from a name (on import, in
// `trust_domain_id` attributes) by a prefix, and only by a prefix that published material shows;
// beyond it, it asks no more than `models::has_id_shape` (at least one character, no whitespace
// or `/`). Prefixes nothing public shows (service accounts, users, cluster versions, attestation
// configurations, federation links) are not checked at all: see `models::is_opaque_id`.

/// Trust domain ids. Evidence: the ALB guide (`../shared/seeds/000_…txt`) shows `td-abc123xyz`
/// and the official provider's import docs `td-123456` (`spirl_cluster`: "Trust Domain ID:
/// td-123456").
pub const TRUST_DOMAIN_ID_PREFIX: &str = "td-";
/// Trust domain deployment ids. Evidence: the ALB guide shows `tdd-abc123xyz` and
/// `tdd-def456uvw`, the Helm guide (`../shared/seeds/001_…txt`) `tdd-myorg`.
pub const DEPLOYMENT_ID_PREFIX: &str = "tdd-";
/// Trust domain (deployment) key ids. Evidence: the ALB guide shows `tdk-xyz789abc`.
pub const KEY_ID_PREFIX: &str = "tdk-";
/// Realm ids. Evidence: the official provider's `spirl_realm` import docs
/// (`terraform import spirl_realm.production rlm-123456`).
pub const REALM_ID_PREFIX: &str = "rlm-";
/// Service-account key ids. Evidence: the official provider's docs (`sa_key_id = "sak-abcd1234"`
/// in the provider example and `SPIRL_SA_KEY_ID="sak-abcd1234"`).
pub const SERVICE_ACCOUNT_KEY_ID_PREFIX: &str = "sak-";
/// Cluster ids. Evidence: the official provider's `spirl_cicd_profile_link` import docs
/// ("Cluster ID: c-121212121212").
pub const CLUSTER_ID_PREFIX: &str = "c-";
/// CI/CD profile ids. Evidence: the official provider's `spirl_cicd_profile_link` import docs
/// ("CI/CD profile ID: cicdp-1234567890").
pub const CICD_PROFILE_ID_PREFIX: &str = "cicdp-";
/// Realm role assignment ids. Evidence: the official provider's `spirl_realm_role_assignment`
/// import docs (`terraform import spirl_realm_role_assignment.user_admin ra-123456`).
pub const ROLE_ASSIGNMENT_ID_PREFIX: &str = "ra-";
/// Realm role ids. Evidence: the SDK's access API, `RealmRoleAssignment.role_id`: "Required. The
/// realm role ID (rr-* format)."
pub const REALM_ROLE_ID_PREFIX: &str = "rr-";

/// The key state that means "in use"; the SDK documents `active` and `inactive`. Any other
/// string is read as not active, so an unexpected state shows up as a plan to enable the key.
pub const KEY_STATE_ACTIVE: &str = "active";

/// The states of a trust domain that is ready for use. The SDK names four: `initializing` and
/// `provisioning` (not ready), `available`, and `upgrading` ("ready but an upgrade is in
/// process"). Create of a SPIRL-hosted trust domain waits until it is in one of these; a
/// self-hosted trust domain is assumed ready at once, and create does not wait for it.
pub const TRUST_DOMAIN_READY_STATES: [&str; 2] = ["available", "upgrading"];

/// A trust domain with deployments cannot be deleted: the server answers `FAILED_PRECONDITION`,
/// and the provider says which deployments to remove. (The SDK documents only "cannot have any
/// active clusters"; DESIGN §3 adds deployments.) Should the real API delete them instead,
/// nothing breaks: the deployments' own deletes then find `NOT_FOUND`, which is success.
pub const DELETE_TRUST_DOMAIN_NEEDS_NO_DEPLOYMENTS: bool = true;

/// Deleting an active key, or a deployment with active keys, needs `force`. The provider always
/// sends `force = true` when it means to delete, so either answer works.
pub const DELETE_ACTIVE_KEY_NEEDS_FORCE: bool = true;

/// The OIDC discovery document lives at the effective JWT issuer plus this path (OpenID Connect
/// Discovery 1.0 §4), and there is none when the issuer is disabled.
pub const OIDC_DISCOVERY_PATH: &str = "/.well-known/openid-configuration";

/// The session token has no stated lifetime: the client keeps it until a call answers
/// `UNAUTHENTICATED`, then logs in again once (one login for all waiting calls) and retries.
pub const TOKEN_HAS_NO_EXPIRY: bool = true;

/// `ListRealms` with an empty `trust_domain_id` and `name` lists every realm of the
/// organisation (the SDK's filter fields are optional). Import of a realm by id relies on this;
/// a server that insisted on a trust domain would answer `INVALID_ARGUMENT`, reported as such.
pub const LIST_REALMS_WITHOUT_FILTER_LISTS_ALL: bool = true;

/// Deleting a realm that clusters still belong to is refused with `FAILED_PRECONDITION` (the SDK:
/// "only a realm with no associated clusters can be deleted"); the provider names the realm and
/// says to delete or move its clusters first.
pub const DELETE_REALM_NEEDS_NO_CLUSTERS: bool = true;

/// A cluster keeps at most this many versions (the official provider's docs); beyond it the
/// control plane drops the oldest. `num_version_history` cannot ask for more.
pub const MAX_CLUSTER_VERSIONS: i64 = 10;

/// `ActivateClusterVersion` may or may not deactivate the cluster's other versions (the SDK does
/// not say). The provider deactivates any other version still active after activating the new
/// one, so a cluster managed by Terraform has exactly one active version either way.
pub const ACTIVATE_MAY_LEAVE_OTHERS_ACTIVE: bool = true;

/// `NewClusterVersion`'s optional fields, when absent, may keep the current values or clear
/// them (the SDK does not say). The provider always sends every field, so either works; an empty
/// `path_template` means the platform's default, as at create.
pub const NEW_VERSION_SENDS_EVERY_FIELD: bool = true;

/// A cluster's current configuration (key, templates, attestation) is that of its active
/// version; with none active (deactivated out of band), the newest version, and the provider then
/// plans to make a version active again.
pub const CURRENT_VERSION_IS_ACTIVE_ONE: bool = true;

/// A cluster version reports its provider attestation configuration by name, a request names it
/// by id: the provider maps one to the other through `providerattestation.API/ListConfigs`.
pub const VERSION_REPORTS_PROVIDER_ATTESTATION_BY_NAME: bool = true;

/// Without `path_template`, the control plane picks a default from the platform; the provider
/// reads it back (`path_template` is optional and computed).
pub const PATH_TEMPLATE_DEFAULTS_ON_SERVER: bool = true;

/// The defaults of `k8s_psat`'s service account, as the official provider documents them. The
/// provider sends them explicitly, so the server's own defaults do not matter.
pub const DEFAULT_PSAT_SERVICE_ACCOUNT: &str = "spirl-agent";
/// See [`DEFAULT_PSAT_SERVICE_ACCOUNT`].
pub const DEFAULT_PSAT_NAMESPACE: &str = "spirl-system";

/// Agent attestation configurations have no name: a create whose answer was lost adopts an
/// existing configuration with the same content, which serves the cluster just as well.
pub const AGENT_ATTESTATION_ADOPTS_BY_CONTENT: bool = true;

/// Deleting a cluster with active agents is refused with `FAILED_PRECONDITION` (the SDK
/// documents nothing); the provider reports it with what to do, and never forces it.
pub const DELETE_CLUSTER_WITH_AGENTS_REFUSED: bool = true;

/// CI/CD profiles and provider attestation configurations are unique by name in the organisation
/// (the official provider imports both by name); their shape is the control plane's to judge.
/// Without `jwks_url` the control plane picks one from the issuer (the SDK: "a default URL is
/// provided"); the provider reads it back (`jwks_url` is optional and computed).
pub const NAMES_ARE_UNIQUE_IN_THE_ORGANISATION: bool = true;

/// A profile is linked to a cluster at most once; the link is named by the pair
/// (`cicdp-…:c-…` on import). A linked profile cannot be deleted (`FAILED_PRECONDITION`).
pub const CICD_LINK_IS_THE_PAIR: bool = true;

// ---- configuration sections (config.API) ---------------------------------------------------

/// An update whose `expected_version` is not the configuration's version is refused with
/// `FAILED_PRECONDITION` (the SDK says only "applies optimistic concurrency checks"). The
/// provider does not rely on the code: after any refused or unanswered update it reads the
/// configuration again, and reports a concurrent change when the version moved, whatever the
/// code (`ABORTED` works as well).
pub const CONFIG_VERSION_MISMATCH_IS_FAILED_PRECONDITION: bool = true;

/// Sections the control plane marks `read_only` are its own: an update cannot set them and
/// `prune` does not remove them. The provider leaves them out of `sections` (they would plan a
/// removal it cannot make) and never sends them.
pub const READ_ONLY_SECTIONS_ARE_THE_CONTROL_PLANE_S: bool = true;

/// The control plane may store a section re-serialised (key order, quoting, comments): the
/// provider compares sections by meaning and keeps the text the user wrote while the meaning is
/// the same.
pub const SECTIONS_MAY_BE_REFORMATTED: bool = true;

/// `spirl_org_config` is a singleton; its `id`, as the official provider has it.
pub const ORG_CONFIG_ID: &str = "ORG";

// ---- access (access.API) ---------------------------------------------------------------------

/// The realm role that makes its holder a delegated administrator of the realm: the official
/// provider documents `Administrator` as the only valid realm role. The provider resolves role
/// names through `ListRoles`, so a control plane with more roles works; this name only appears in
/// messages.
pub const REALM_ADMIN_ROLE: &str = "Administrator";
/// Assigning a role to a principal that holds it already is refused (`ALREADY_EXISTS`); the
/// provider then names the existing assignment and how to import it. (The SDK is silent.)
pub const DUPLICATE_ASSIGNMENT_IS_ALREADY_EXISTS: bool = true;

// ---- where the client follows the SDK's own code ---------------------------------------------
//
// Each item quotes the line of `spirl/spirl-sdk-go` v0.3.6 it follows.

/// A create answered without the new object's id is an error; the id is never stored. The SDK:
/// `if resp.GetAssignmentId() == "" { return nil, xerrors.UnexpectedResponseField("assignment_id") }`
/// (`spirlsdk/client/access.go`). Since the API has no idempotency keys, the client first looks
/// the object up as after a lost answer and adopts what it finds (nothing is left behind); only
/// when nothing is found does the create fail.
pub const CREATE_WITHOUT_ID_IS_AN_ERROR: bool = true;

/// Clusters are listed with `ListClustersV2`, page by page until an answer has no
/// `next_page_token`, and detailed with `DescribeClusters`, 100 ids a call with per-cluster
/// errors; `ListClusters` (v1) is not used. The SDK (`spirlsdk/client/cluster.go`, since v0.3.5):
/// `resp, err := a.client.ListClustersV2(ctx, req)` … `if resp.NextPageToken == nil { break }`,
/// and `for batch := range slices.Chunk(ids, 100) { req := &clusterapi.DescribeClustersRequest{
/// Ids: batch, PerClusterErrors: true }`, refusing an answer whose `len(resp.Errors) !=
/// len(resp.Clusters)`. The client also ends on an empty token and refuses a token repeated.
pub const CLUSTERS_LISTED_WITH_V2_AND_DESCRIBED: bool = true;

/// The wire's `Cluster` carries `realm_id` (field 22), but the SDK's `clusterFromAPI` does not
/// read it; only `ClusterItem.RealmID` (from `ListClustersV2`) gives a cluster's realm
/// (`RealmID: cluster.RealmId` in `clusterItemFromAPI`). When a described cluster shows no
/// realm, the client takes the realm its listing reports.
pub const DESCRIBED_CLUSTER_MAY_LACK_REALM: bool = true;

/// `ListTrustDomains` is asked for dynamic data (`include_dynamic_data = true`, and therefore
/// `exclude_stats = false`), as the official provider's `spirl_trust_domain` data source has done
/// since v0.12.1 ("using ListTrustDomains with dynamic data"). The SDK names the flag
/// `IncludeStatus` (`IncludeDynamicData: params.View.IncludeStatus` in
/// `spirlsdk/client/trustdomain.go`) and says of `ExcludeStats`: "Mutually exclusive with
/// IncludeStatus".
pub const LIST_TRUST_DOMAINS_WITH_DYNAMIC_DATA: bool = true;

/// A `ListTrustDomains` entry without `jwt_issuer_status` is read again with `TrustDomainInfo`;
/// the issuer mode is never inferred from other fields (an empty `jwt_issuer_endpoint_url` once
/// read as "disabled" would show a built-in issuer as a permanent diff). `TrustDomainInfo` is
/// assumed to carry the status (its answer has `jwt_issuer_status`, field 13); one that does not
/// is an error naming the trust domain rather than a guess.
pub const READ_ISSUER_WITH_INFO_WHEN_LIST_LACKS_STATUS: bool = true;

/// The login proof is Ed25519ph with context `service-account-key-proof` over
/// SHA-512(client nonce ‖ server nonce), both nonces 32 bytes. The SDK
/// (`spirlsdk/auth/serviceaccount/auth.go`): `var signatureOptions = &ed25519.Options{ Hash:
/// crypto.SHA512, Context: "service-account-key-proof" }`, `proofHash :=
/// computeProofHash(clientNonce, serverNonce)` (`h.Write(clientNonce); h.Write(serverNonce)`),
/// `proofNonceSize = 32`. Pinned by a known answer in `session.rs`.
pub const LOGIN_PROOF_IS_ED25519PH: bool = true;

/// A session token, from a service-account login or from `spirlctl login`, travels as the
/// `token` metadata of every call but the login. The SDK (`spirlsdk/client/auth.go`): `tokenKey
/// = "token"`, `metadata.AppendToOutgoingContext(ctx, tokenKey, token)`. A `spirlctl login`
/// session (`spirlctl_config_path`, the official provider's "configuration file used to store
/// spirlctl login") is sent the same way; the client cannot renew it, so `UNAUTHENTICATED` is
/// final for it.
pub const SESSION_TOKEN_IS_TOKEN_METADATA: bool = true;

/// The file `spirlctl login` writes is JSON with the session token at `creds.token`
/// (`{"creds":{"token":"…"}}`, DESIGN.md §2); every other key is ignored, so a newer spirlctl
/// that stores more does not break the provider.
pub const SPIRLCTL_TOKEN_AT_CREDS_TOKEN: bool = true;

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
