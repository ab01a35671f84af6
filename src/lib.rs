//! `terraform-provider-spirl`: a Terraform provider for the Defakto (formerly SPIRL)
//! workload-identity control plane.
//!
//! The contract is `DESIGN.md` in the shared folder. Module map:
//!
//! | module | what it holds |
//! |---|---|
//! | [`alb`] | `spirl_alb_ingress_annotations`: renders and validates the ALB ingress annotations |
//! | [`monitoring`] | `spirl_server_monitoring`: the server runbook's alerts, recording rules and health queries |
//! | [`client`] | the control-plane API client: login, retries, one method per endpoint, [`client::ApiError`] |
//! | [`provider`] | the provider block, `configure`, and the client handle resources share; [`provider::serve`] is `main` |
//! | [`resources`] | managed resource types, one per file |
//! | [`data_sources`] | data source types, one per file |
//! | [`ephemeral_resources`] | ephemeral resource types (Terraform 1.10+), one per file |
//! | [`diagnostics`] | the one place problems and API errors become Terraform diagnostics |
//! | [`settings`] | the provider block: attributes, environment fallbacks, defaults → [`settings::ClientSettings`] |
//! | [`keys`] | ed25519 key generation, PEM/OpenSSH encodings, precise PEM validation, and [`keys::PublicKeyPem`], a value type compared as the key |
//! | [`problem`] | [`problem::Problem`]: a configuration finding named by attribute path, for diagnostics |
//! | [`sections`] | configuration sections: strict YAML parsing, plan-time checks, and the section document as a value type compared by meaning |
//! | [`secret`] | [`secret::SecretString`]: zeroed on drop, redacted in `Debug` |
//!
//! The other workspace members are the plugin-protocol layer (`tfplugin/`) and the mock
//! control-plane API (`mock-api/`).

pub mod alb;
pub mod client;
pub mod data_sources;
pub mod diagnostics;
pub mod ephemeral_resources;
pub mod keys;
pub mod monitoring;
pub mod problem;
pub mod provider;
pub mod resources;
pub mod secret;
pub mod sections;
pub mod settings;
#[cfg(test)]
mod test_support;
