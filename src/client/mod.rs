//! The control-plane API client (DESIGN.md §3): gRPC over HTTP/2 (`com.spirl.api.v1.*`), one
//! async method per operation, plain models, one error type. Resources call these methods and
//! never touch tonic or a protobuf message.
//!
//! | module | what it holds |
//! |---|---|
//! | [`engine`] | the [`Client`]: connection, metadata, retries, re-login, creates that adopt |
//! | [`session`] | `AuthenticateServiceAccount`: the service-account login and the shared token |
//! | [`transport`] | the connection: TCP, `HTTPS_PROXY` tunnels, TLS with rustls |
//! | [`retry`] | backoff with full jitter |
//! | [`models`] | what the methods take and return, and the conversions from the wire types |
//! | [`trust_domain`] | the trust-domain service: trust domains, deployments and their keys |
//! | [`read_back`] | after a create: read the new object back, or remove it |
//! | [`realm`] | the realm service: realms of a trust domain |
//! | [`cluster`] | the cluster service: clusters and their versions |
//! | [`attestation`] | agent and provider attestation configurations |
//! | [`cicd`] | CI/CD profiles and their links to clusters |
//! | [`error`] | [`ApiError`] and its [`ErrorContext`] |
//! | [`assumptions`] | what the provider assumes where the SDK is silent, in one place |
//! | [`cache`] | the read caches a refresh goes through; the client's writes invalidate them |
//! | [`handle`] | [`ClientHandle`]: the client every resource holds, filled by `configure` |
//! | [`access`] | the access service: service accounts, users, realm roles and their assignments |
//! | [`federation`] | the federation service: links to foreign trust domains (`SetLink` upserts) |
//! | [`sections`] | the configuration service (`config.API`): sections of each scope, optimistic concurrency |
//!
//! The rules every call follows (retries, re-login, adopting a create whose answer was lost,
//! logging) are the [`engine`]'s; its module docs say them.

pub mod assumptions;
pub mod cache;
// First: it declares `rpc!`, which the services' modules use.
#[macro_use]
pub mod engine;
pub mod error;
pub mod handle;
pub mod models;
pub mod retry;
pub mod session;
pub mod transport;

pub mod access;
pub mod attestation;
pub mod cicd;
pub mod cluster;
pub mod federation;
pub mod read_back;
pub mod realm;
pub mod sections;
pub mod service_account;
pub mod trust_domain;

pub use self::access::{Principal, Role, RoleAssignment, ServiceAccount, User};
pub use self::attestation::{AgentAttestation, K8sPsat, ProviderAttestation};
pub use self::cache::RemoteDeployment;
pub use self::cicd::{CicdLink, CicdProfile};
pub use self::cluster::{
    AgentDeployment, Cluster, ClusterItem, ClusterRef, ClusterVersion, ClusterVersionSpec,
    CreateCluster, MadeVersion, Platform,
};
pub use self::engine::{CLIENT_NAME, CLIENT_VERSION, Client, LOG_TARGET};
pub use self::error::{ApiError, ErrorContext, SPIRLCTL_LOGIN_AGAIN};
pub use self::federation::FederationLink;
pub use self::handle::ClientHandle;
pub use self::models::*;
pub use self::read_back::{CreatedButUnreadable, ReadBack};
pub use self::realm::Realm;
pub use self::sections::{ScopeSections, Section, SectionScope, SectionsUpdate};
pub use self::service_account::ServiceAccountKey;
