//! The mock's integration tests, one binary (one link step) with a module per part of the API:
//! - `session`: the login stream and session tokens.
//! - `trust_domains`, `keys`: trust domains, their deployments and keys.
//! - `clusters`, `cicd`, `configs`, `access`, `service_accounts`, `federation`: the other
//!   services.
//! - `validation`: every refusal names its field and carries the real API's code.
//! - `faults`: fault injection, request counting, the client metadata record.
//! - `binary`: the `spirl-mock-api` binary as a child process (announcement, admin, TLS,
//!   durability across `kill -9`).
//! - `common`: the shared helpers.

mod access;
mod binary;
mod cicd;
mod clusters;
mod common;
mod configs;
mod faults;
mod federation;
mod keys;
mod service_accounts;
mod session;
mod trust_domains;
mod validation;
