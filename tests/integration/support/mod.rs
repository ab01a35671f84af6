//! What the integration tests share: the acceptance harness (Terraform, the built provider and a
//! mock in a temp dir), the API client configured for a mock, and a log recorder.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod api_client;
mod harness;
mod logs;

pub use api_client::*;
pub use harness::*;
pub use logs::*;
