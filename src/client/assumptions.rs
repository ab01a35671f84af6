//! What the provider assumes about the real control plane where the public Go SDK
//! (`spirl/spirl-sdk-go` v0.3.6) does not settle it. Each assumption is one item here, used by the
//! rest of the client, and the provider is written to survive the alternative. The mock
//! (`spirl-mock-api`, its `assumptions` module) makes the same choices.

/// Ids are a prefix plus lowercase letters and digits (`td-`, `tdd-`, `tdk-`, `sak-`). The
/// provider only uses this to tell an id from a name on import; an id of another shape still
/// works everywhere else.
pub const TRUST_DOMAIN_ID_PREFIX: &str = "td-";
/// See [`TRUST_DOMAIN_ID_PREFIX`].
pub const DEPLOYMENT_ID_PREFIX: &str = "tdd-";
/// See [`TRUST_DOMAIN_ID_PREFIX`].
pub const KEY_ID_PREFIX: &str = "tdk-";
/// See [`TRUST_DOMAIN_ID_PREFIX`].
pub const SERVICE_ACCOUNT_KEY_ID_PREFIX: &str = "sak-";

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

/// When `TrustDomainInfo` or `ListTrustDomains` carries no `jwt_issuer_status`, the mode is
/// read from `jwt_issuer_endpoint_url`: empty means disabled, anything else built-in.
pub const JWT_MODE_FROM_ISSUER_URL_WHEN_NO_STATUS: bool = true;

/// The OIDC discovery document lives at the effective JWT issuer plus this path (OpenID Connect
/// Discovery 1.0 §4), and there is none when the issuer is disabled.
pub const OIDC_DISCOVERY_PATH: &str = "/.well-known/openid-configuration";

/// The session token has no stated lifetime: the client keeps it until a call answers
/// `UNAUTHENTICATED`, then logs in again once (one login for all waiting calls) and retries.
pub const TOKEN_HAS_NO_EXPIRY: bool = true;

// ---- configuration sections (config.API) ---------------------------------------------------

/// The top-level keys of a section's self-describing YAML document: the SDK calls section
/// updates "self-describing YAML documents" and the official provider's examples write exactly
/// these three (`section`, `schema`, `spec`). A document with other top-level keys is refused at
/// plan time; should the real API accept more, only this list changes.
pub const SECTION_DOCUMENT_KEYS: [&str; 3] = ["section", "schema", "spec"];

/// Longest section document the provider sends, in bytes. The SDK sets no limit; a
/// configuration section is small, and a bound keeps a mistaken `file()` of a large file from
/// reaching the control plane.
pub const MAX_SECTION_BYTES: usize = 256 * 1024;

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
