//! The root crate's integration tests, in one test binary (one link step, one process): a module
//! per subject, each test under its module path (`acceptance::realm::realm_lifecycle_…`).
//!
//! - `acceptance`: the real Terraform CLI against the built provider and a mock control plane on
//!   a free port, each test in its own temporary directory (run with `TF_ACC=1`).
//! - `client`: the provider's API client against the mock over real sockets.
//! - `protocol`: the provider's gRPC server driven directly, acting as Terraform core, for what
//!   the installed Terraform cannot or does not send.
//! - `interop`: what the provider renders, read by other tools (OpenSSL, OpenSSH, promtool).
//! - `support`: the shared harness: Terraform runs, mocks, clients, log capture, lifecycle steps.
//!
//! Tests share this process: none changes the process environment or working directory
//! (Terraform and other tools get theirs through their `Command`), each owns its mock, ports and
//! temp dir, and the one logger (`support::capture_logs`) keeps each test's records apart.

mod acceptance;
mod client;
mod interop;
mod protocol;
mod support;
