//! Compiles `spirl/api/v1/*.proto` with protox (a protobuf compiler in Rust, so no `protoc`) and
//! generates the prost messages and the tonic client and server of each service. The compiled
//! descriptor set is written beside them, for the conformance test against the real API's.

use std::path::PathBuf;

const PROTOS: &[&str] = &[
    "spirl/api/v1/access.proto",
    "spirl/api/v1/config.proto",
    "spirl/api/v1/federation.proto",
    "spirl/api/v1/session.proto",
    "spirl/api/v1/trustdomain.proto",
    "spirl/api/v1/realm.proto",
    "spirl/api/v1/cluster.proto",
    "spirl/api/v1/agentattestation.proto",
    "spirl/api/v1/providerattestation.proto",
    "spirl/api/v1/cicd.proto",
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    for proto in PROTOS {
        println!("cargo:rerun-if-changed={proto}");
    }
    let descriptors = protox::compile(PROTOS, ["."])?;
    let out = PathBuf::from(std::env::var("OUT_DIR")?);
    std::fs::write(
        out.join("descriptors.binpb"),
        prost::Message::encode_to_vec(&descriptors),
    )?;
    tonic_build::configure()
        .build_client(true)
        .build_server(true)
        .compile_fds(descriptors)?;
    Ok(())
}
