//! What the integration tests share: the acceptance harness (Terraform, the built provider and a
//! mock in a temp dir) and its lifecycle steps, the API client configured for a mock, a log
//! recorder, and the processes a test started.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod api_client;
mod harness;
mod logs;
pub mod processes;
mod steps;

pub use api_client::*;
pub use harness::*;
pub use logs::*;
pub use steps::*;
