//! `spirl-mock-api`: a strict, stateful mock of the Defakto (SPIRL) control-plane gRPC API
//! (DESIGN.md §3 and §4), for the provider's client tests, acceptance tests, benchmarks and demo.
//!
//! It serves `com.spirl.api.v1.session.API` (the service-account login stream),
//! `com.spirl.api.v1.trustdomain.API`, `com.spirl.api.v1.realm.API`,
//! `com.spirl.api.v1.cluster.API`, `com.spirl.api.v1.agentattestation.API`,
//! `com.spirl.api.v1.providerattestation.API` and `com.spirl.api.v1.cicd.API` over h2c or TLS, with the wire types of `spirl-api-proto`.
//! It enforces the login and the `token` metadata, validates like the real control plane, keeps
//! its state in memory or in a crash-safe journal, simulates a hosted trust domain's
//! provisioning, and can inject latency, refusals and answers dropped after commit. An admin
//! listener answers `GET /_mock/stats`. Use it as a library ([`routes`], [`serve`],
//! [`serve_admin`], [`spawn`]) or as the `spirl-mock-api` binary.
//!
//! ```no_run
//! # async fn demo() -> Result<(), spirl_mock_api::MockError> {
//! let mock = spirl_mock_api::spawn(spirl_mock_api::MockOptions::default()).await?;
//! // point a gRPC client at mock.endpoint (h2c) and log in with mock.credentials
//! # Ok(()) }
//! ```
//!
//! # Assumptions where the Go SDK is silent
//! All live in [`assumptions`], each with the evidence for it or the reason for the choice:
//! - Ids are a prefix (`td-`, `tdd-`, `tdk-`, `rlm-`, `c-`, `cv-`, `aac-`, `pac-`, `cicdp-`,
//!   `cicdl-`, `sak-`, `rr-` for realm roles) plus 16 lowercase letters and digits; clients must
//!   treat them as opaque. The organisation is one fixed `org-…` id.
//! - Deleting a trust domain with active clusters (agents connected) is `FAILED_PRECONDITION`
//!   naming them, as the SDK says; its idle clusters and its realms (with their role
//!   assignments) go with it. Deployments also keep it (`FAILED_PRECONDITION` naming them, as
//!   DESIGN.md §3 says); deleting an active key, or a deployment with active keys, needs `force`.
//! - Deleting a deployment's last key leaves the deployment until
//!   `DeleteTrustDomainDeployment`.
//! - Descriptions: at most 1024 bytes, no control characters but `\n` and `\t`. Cluster and
//!   deployment names: required, at most 255 bytes, nothing more (not DNS labels).
//! - A SPIRL-hosted trust domain is `provisioning` until `MockOptions::provisioning` has passed on
//!   the mock's clock, then `available`; a self-hosted one is `available` at once.
//! - `CreateTrustDomainResponse.endpoint_url` (and the agent endpoint fields) is
//!   `<td-id>.agents.<base>:443`; the built-in issuer `https://<td-id>.oidc.<base>`; the bundle
//!   endpoint `https://<td-id>.bundle.<base>/`; the JWKS `https://<td-id>.oidc.<base>/keys`
//!   whatever the issuer mode; OIDC discovery is the effective issuer plus
//!   `/.well-known/openid-configuration`, empty when disabled. `ListTrustDomains` refuses
//!   `exclude_stats` with `include_dynamic_data` (the SDK: mutually exclusive), and can leave
//!   `jwt_issuer_status` and `jwt_issuer_endpoint_url` out
//!   (`MockOptions::omit_list_jwt_issuer_status`).
//! - Realm names are SPIFFE ID path segments of at most 255 bytes; deleting a realm with
//!   clusters is `FAILED_PRECONDITION` naming them.
//! - A cluster keeps at most 10 versions (a new one pushes out the oldest inactive one) and has
//!   at most one active version (activating deactivates the others); a new version's absent
//!   optional fields keep the current values. Deleting a cluster with active agents or an
//!   attestation configuration a version names is `FAILED_PRECONDITION`. A cluster's key is
//!   optional (official provider v0.12.1); templates are any text of at most 4096 bytes (a
//!   trailing newline included), a path template starts with `/`; without `path_template` a
//!   platform default is used. `ListClustersV2` pages (`MockOptions::cluster_page_size`) with
//!   opaque tokens; `DescribeClusters` takes at most 100 ids.
//! - `CreateCluster` and `NewClusterVersion` answer with the new version's agent installation:
//!   for Kubernetes platforms a multi-document kubectl YAML (namespace, service account, RBAC,
//!   the agent's configuration naming trust domain, cluster, version and control plane, its
//!   DaemonSet; Istio platforms add SDS names, `k8s_psat` mounts a token instead of the key's
//!   Secret), for `linux` the agent's configuration and a Docker Compose file. Made from the
//!   records, never containing a key; no call reads them again.
//! - Every field of a PSAT agent attestation configuration is required (the API marks them so);
//!   a provider attestation configuration needs `aws` (the API marks it required).
//! - CI/CD profile names are unique; a given issuer is an https URL, without one a profile gets
//!   `https://gitlab.com` (the SDK: a default "based on the profile type", which the request no
//!   longer carries); without `jwks_url` it gets the issuer plus `/.well-known/jwks.json`; a
//!   linked profile cannot be deleted; deleting a cluster removes its links.
//! - A configuration section document names its `section` and `schema`; any other top-level
//!   keys (`spec` or none) are kept. Anchors and aliases are taken and stored expanded (at most
//!   100 000 nodes); a second document in one update is refused.
//! - Trust domain names are checked as the SPIFFE spec says: character set and length, dots
//!   anywhere. A CI/CD profile's `jwks_url` and a PSAT issuer may be `http://` or `https://`.
//! - List filters naming an unknown trust domain match nothing (no `NOT_FOUND`).
//! - Enabling an active key or disabling an inactive one succeeds and changes nothing.
//! - Organisation roles are Auditor, Operator, Administrator and Owner, in that order. Only users
//!   create service accounts, with a role at most their own and never Owner; an account made
//!   without a role is an Administrator. An account with keys is deleted only with `force`
//!   (keys, assignments and all), an active service-account key too. Service-account keys are
//!   ed25519; one turned off or deleted cannot log in, and its sessions end.
//!   `ListRoleAssignments` without a filter lists every assignment of the organisation.
//! - An answer dropped after commit is `UNAVAILABLE` "connection lost".
//!
//! # Other choices
//! - Session tokens are random, bound to their service-account key (or, for the session
//!   `--spirlctl-config-out` writes, to a user of the organisation), expire after `token_ttl`,
//!   and are not persisted: after a restart clients log in again. The credentials file's private
//!   key is PKCS#8 v1.
//! - `fail_rate` and `latency` apply to every RPC, the login included; a dropped answer only
//!   ever follows a committed write, never a read or a write that changed nothing. All three can
//!   be changed while the mock serves ([`MockState::set_faults`]).
//!
//! # Modules
//! | module | what it holds |
//! |---|---|
//! | [`assumptions`] | every choice the SDK leaves open |
//! | [`options`] | [`MockOptions`], the mock's run options, and the injectable [`Clock`] and [`IdGenerator`] |
//! | [`server`] | [`routes`], [`serve`] (h2c or TLS), [`serve_admin`], [`spawn`] |
//! | [`session`] | the login stream and its tokens |
//! | [`service`] | the trust-domain service; [`service::realm`], [`service::cluster`], [`service::federation`], [`service::access`], [`service::attestation`], [`service::cicd`] and [`service::sections`] (the configuration service: sections, versions, prune, read-only) the others |
//! | [`validate`] | field rules: SPIFFE names, deployment names, ed25519 SPKI DER keys |
//! | [`error`] | [`ApiError`] (→ gRPC status) and [`MockError`] |
//! | [`cli`] | the binary's flags and run loop |
//! | `gate` | around every call: counting, faults, the token, dropped answers |
//! | `store` | the objects and their rules: plan a change, then apply it |
//! | `journal` | the fsynced append-only log behind `--data-dir` |
//! | `state` | [`MockState`], shared by all calls: store, journal, sessions, counters |
//! | `tls` | the throw-away CA and server certificate of `--tls` |

pub mod assumptions;
pub mod cli;
pub mod error;
mod gate;
mod journal;
pub mod options;
pub mod server;
pub mod service;
pub mod session;
mod state;
mod store;
mod tls;
pub mod validate;

pub use error::{ApiError, MockError};
pub use journal::JOURNAL_FILE;
pub use options::{
    Clock, IdGenerator, ManualClock, MockOptions, RandomIds, SequentialIds, SystemClock,
};
pub use server::{RunningMock, STATS_PATH, routes, serve, serve_admin, spawn};
pub use service::TrustDomainService;
pub use service::access::AccessService;
pub use service::attestation::{AgentAttestationService, ProviderAttestationService};
pub use service::cicd::CicdService;
pub use service::cluster::ClusterService;
pub use service::federation::FederationService;
pub use service::realm::RealmService;
pub use session::{AuthRecord, SessionService};
pub use state::{ClientMetadata, Credentials, Faults, MockState, Principal, Stats};
pub use store::ObjectCounts;
pub use store::SectionScope;
