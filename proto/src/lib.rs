//! Wire types of the Defakto (SPIRL) control-plane gRPC API (`com.spirl.api.v1.*`): the messages
//! and methods the provider uses, generated at build time from this crate's own `.proto` files,
//! shared by the provider's client and the mock so both speak exactly the same wire.
//!
//! `tests/conformance.rs` compares every message, enum and method declared here with the
//! descriptors of the public Go SDK (`../shared/api/descriptors`): a transcription error would
//! otherwise pass every test, since the client and the mock share it.
//!
//! | module | package |
//! |---|---|
//! | [`access`] | `com.spirl.api.v1.access`: service accounts, users, realm role assignments |
//! | [`config`] | `com.spirl.api.v1.config`: configuration sections of each scope |
//! | [`federation`] | `com.spirl.api.v1.federation`: federation links with foreign trust domains |
//! | [`session`] | `com.spirl.api.v1.session`: service-account login |
//! | [`trustdomain`] | `com.spirl.api.v1.trustdomain`: trust domains, deployments, keys |
//! | [`realm`] | `com.spirl.api.v1.realm`: realms, which divide a trust domain |
//! | [`cluster`] | `com.spirl.api.v1.cluster`: clusters and their versions |
//! | [`agentattestation`] | `com.spirl.api.v1.agentattestation`: how agents prove who they are |
//! | [`providerattestation`] | `com.spirl.api.v1.providerattestation`: cloud-provider attestation |
//! | [`cicd`] | `com.spirl.api.v1.cicd`: CI/CD profiles and their links to clusters |
//! | [`vocabulary`] | what the client and the mock both spell the same way beyond the wire: id prefixes, states, metadata keys, limits |

#![allow(missing_docs, clippy::all, clippy::unwrap_used)]

/// `com.spirl.api.v1.access`.
pub mod access {
    tonic::include_proto!("com.spirl.api.v1.access");
}

/// `com.spirl.api.v1.config`.
pub mod config {
    tonic::include_proto!("com.spirl.api.v1.config");
}

/// `com.spirl.api.v1.federation`.
pub mod federation {
    tonic::include_proto!("com.spirl.api.v1.federation");
}

/// `com.spirl.api.v1.session`.
pub mod session {
    tonic::include_proto!("com.spirl.api.v1.session");
}

/// `com.spirl.api.v1.trustdomain`.
pub mod trustdomain {
    tonic::include_proto!("com.spirl.api.v1.trustdomain");
}

/// `com.spirl.api.v1.realm`.
pub mod realm {
    tonic::include_proto!("com.spirl.api.v1.realm");
}

/// `com.spirl.api.v1.cluster`.
pub mod cluster {
    tonic::include_proto!("com.spirl.api.v1.cluster");
}

/// `com.spirl.api.v1.agentattestation`.
pub mod agentattestation {
    tonic::include_proto!("com.spirl.api.v1.agentattestation");
}

/// `com.spirl.api.v1.providerattestation`.
pub mod providerattestation {
    tonic::include_proto!("com.spirl.api.v1.providerattestation");
}

/// `com.spirl.api.v1.cicd`.
pub mod cicd {
    tonic::include_proto!("com.spirl.api.v1.cicd");
}

pub mod vocabulary;

/// The serialized `FileDescriptorSet` this crate was generated from.
pub const FILE_DESCRIPTOR_SET: &[u8] =
    include_bytes!(concat!(env!("OUT_DIR"), "/descriptors.binpb"));

pub use prost_types::{Duration, Timestamp};
