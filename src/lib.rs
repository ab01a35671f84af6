//! `terraform-provider-spirl`: a Terraform provider for the Defakto (formerly SPIRL)
//! workload-identity control plane.
//!
//! The contract is `DESIGN.md` in the shared folder. Module map:
//!
//! | module | what it holds |
//! |---|---|
//! | [`keys`] | ed25519 key generation, PEM/OpenSSH encodings, and precise PEM validation |
//! | [`secret`] | [`secret::SecretString`]: zeroed on drop, redacted in `Debug` |
//!
//! The other workspace members are the plugin-protocol layer (`tfplugin/`) and the mock
//! control-plane API (`mock-api/`).

pub mod keys;
pub mod secret;
