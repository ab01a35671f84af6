//! tfplugin's integration tests, one binary (one link step) with a module per layer:
//! - `codec`: the msgpack and JSON codecs, round-trips and malformed input.
//! - `protocol`: the tfplugin6 service over a real unix socket, acting as Terraform core.
//! - `write_only`: write-only attributes never leave the provider.
//! - `handshake`: the go-plugin handshake, AutoMTLS and the lifeline, the example provider as a
//!   child process.
//! - `terraform`: the example provider under a real Terraform (`TF_ACC=1`).
//! - `common`: the shared harness.

mod codec;
mod common;
mod handshake;
mod protocol;
mod terraform;
mod write_only;
