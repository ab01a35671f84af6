//! The words of the control-plane API that the provider's client and the mock must both spell
//! the same way, beyond what the `.proto` files fix: id prefixes that published material shows,
//! the states, metadata keys and login proof the SDK names, and the limits it or the official
//! provider states. Each item gives its evidence. What only one side decides (the mock's chosen
//! prefixes and limits, the provider's tolerances) stays in that side's `assumptions` module.

// ---- id prefixes ------------------------------------------------------------------------------
//
// Ids are opaque strings in the SDK. The provider tells an id from a name (on import, in
// `*_id` attributes) only by a prefix published material shows, and the mock makes its ids with
// these prefixes so that the provider sees ids of the real shape.

/// Trust domain ids. Evidence: the ALB guide (`../shared/seeds/000_…txt`) shows `td-abc123xyz`
/// and the official provider's import docs `td-123456` (`spirl_cluster`: "Trust Domain ID:
/// td-123456").
pub const TRUST_DOMAIN_ID_PREFIX: &str = "td-";
/// Trust domain deployment ids. Evidence: the ALB guide shows `tdd-abc123xyz` and
/// `tdd-def456uvw`, the Helm guide (`../shared/seeds/001_…txt`) `tdd-myorg`.
pub const DEPLOYMENT_ID_PREFIX: &str = "tdd-";
/// Trust domain (deployment) key ids. Evidence: the ALB guide shows `tdk-xyz789abc`.
pub const KEY_ID_PREFIX: &str = "tdk-";
/// Service-account key ids. Evidence: the official provider's docs (`sa_key_id = "sak-abcd1234"`
/// in the provider example and `SPIRL_SA_KEY_ID="sak-abcd1234"`).
pub const SERVICE_ACCOUNT_KEY_ID_PREFIX: &str = "sak-";
/// Service-account ids. Evidence: the official provider's `spirl_service_account` data source
/// docs ("The ID of the service account (`sa-*`)").
pub const SERVICE_ACCOUNT_ID_PREFIX: &str = "sa-";
/// Cluster ids. Evidence: the official provider's `spirl_cicd_profile_link` import docs
/// ("Cluster ID: c-121212121212").
pub const CLUSTER_ID_PREFIX: &str = "c-";
/// CI/CD profile ids. Evidence: the official provider's `spirl_cicd_profile_link` import docs
/// ("CI/CD profile ID: cicdp-1234567890").
pub const CICD_PROFILE_ID_PREFIX: &str = "cicdp-";
/// Realm ids. Evidence: the official provider's `spirl_realm` import docs
/// (`terraform import spirl_realm.production rlm-123456`).
pub const REALM_ID_PREFIX: &str = "rlm-";
/// Realm role assignment ids. Evidence: the official provider's `spirl_realm_role_assignment`
/// import docs (`terraform import spirl_realm_role_assignment.user_admin ra-123456`).
pub const ROLE_ASSIGNMENT_ID_PREFIX: &str = "ra-";
/// Realm role ids. Evidence: the SDK's access API, `RealmRoleAssignment.role_id`: "Required. The
/// realm role ID (rr-* format)."
pub const REALM_ROLE_ID_PREFIX: &str = "rr-";

// ---- names and states ---------------------------------------------------------------------------

/// The realm role that makes its holder a delegated administrator of the realm: the official
/// provider documents `Administrator` as the only valid realm role ("Valid values are:
/// Administrator.").
pub const REALM_ADMIN_ROLE: &str = "Administrator";

/// The state of a deployment key that is in use; the SDK documents `active` and `inactive`. A key
/// is created active.
pub const KEY_STATE_ACTIVE: &str = "active";
/// The state of a disabled deployment key (see [`KEY_STATE_ACTIVE`]).
pub const KEY_STATE_INACTIVE: &str = "inactive";

/// A trust domain's state while a SPIRL-hosted one is being set up. The SDK names four states:
/// `initializing` and `provisioning` (not ready), `available`, and `upgrading` ("ready but an
/// upgrade is in process").
pub const TRUST_DOMAIN_PROVISIONING: &str = "provisioning";
/// A trust domain's state once it is ready (see [`TRUST_DOMAIN_PROVISIONING`]).
pub const TRUST_DOMAIN_AVAILABLE: &str = "available";
/// A ready trust domain being upgraded (see [`TRUST_DOMAIN_PROVISIONING`]).
pub const TRUST_DOMAIN_UPGRADING: &str = "upgrading";

/// The OIDC discovery document lives at the effective JWT issuer plus this path (OpenID Connect
/// Discovery 1.0 §4); there is none when the issuer is disabled.
pub const OIDC_DISCOVERY_PATH: &str = "/.well-known/openid-configuration";

// ---- the session ----------------------------------------------------------------------------

/// The metadata key of the session token on every call but the login. The SDK
/// (`spirlsdk/client/auth.go`): `tokenKey = "token"`,
/// `metadata.AppendToOutgoingContext(ctx, tokenKey, token)`.
pub const TOKEN_METADATA: &str = "token";
/// The metadata key naming the client (`terraform-provider-spirl`) to the control plane's audit
/// log (DESIGN.md §3).
pub const CLIENT_METADATA: &str = "x-spirl-client";
/// The metadata key with the client's version (DESIGN.md §3).
pub const CLIENT_VERSION_METADATA: &str = "x-spirl-client-version";

/// The login proof is Ed25519ph with this context over SHA-512(client nonce ‖ server nonce). The
/// SDK (`spirlsdk/auth/serviceaccount/auth.go`): `var signatureOptions = &ed25519.Options{ Hash:
/// crypto.SHA512, Context: "service-account-key-proof" }`, `proofHash :=
/// computeProofHash(clientNonce, serverNonce)` (`h.Write(clientNonce); h.Write(serverNonce)`).
pub const LOGIN_PROOF_CONTEXT: &[u8] = b"service-account-key-proof";
/// The length of both login nonces. The SDK: `proofNonceSize = 32`.
pub const LOGIN_NONCE_LEN: usize = 32;

// ---- limits -------------------------------------------------------------------------------------

/// A cluster keeps at most this many versions (the official provider's docs: "a maximum of 10
/// versions"); beyond it the control plane drops the oldest.
pub const MAX_CLUSTER_VERSIONS: usize = 10;

/// `DescribeClusters` takes this many ids per call: the SDK sends its ids in chunks of 100
/// (`for batch := range slices.Chunk(ids, 100)`).
pub const DESCRIBE_CLUSTERS_BATCH: usize = 100;
