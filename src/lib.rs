//! `terraform-provider-spirl`: a Terraform provider for the Defakto (formerly SPIRL)
//! workload-identity control plane.
//!
//! The contract is `DESIGN.md` in the shared folder. Module map:
//!
//! | module | what it holds |
//! |---|---|
//! | [`alb`] | `spirl_alb_ingress_annotations`: renders and validates the ALB ingress annotations |
//! | [`client`] | the control-plane API client: login, retries, one method per endpoint, [`client::ApiError`] |
//! | [`config`] | the provider block: attributes, environment fallbacks, defaults → [`config::ClientConfig`] |
//! | [`keys`] | ed25519 key generation, PEM/OpenSSH encodings, and precise PEM validation |
//! | [`problem`] | [`problem::Problem`]: a configuration finding named by attribute path, for diagnostics |
//! | [`secret`] | [`secret::SecretString`]: zeroed on drop, redacted in `Debug` |
//! | [`value`] | [`value::Value`]: a configuration value that may be null or not known yet |
//!
//! The other workspace members are the plugin-protocol layer (`tfplugin/`) and the mock
//! control-plane API (`mock-api/`).

pub mod alb;
pub mod client;
pub mod config;
pub mod keys;
pub mod problem;
pub mod secret;
pub mod value;
