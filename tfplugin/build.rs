//! Generates the tonic service code for the few go-plugin services (GRPCController, GRPCStdio,
//! GRPCBroker) and the gRPC health service from Rust descriptions: no protoc needed.

use tonic_build::manual::{Builder, Method, Service};

fn method(
    name: &str,
    route: &str,
    input: &str,
    output: &str,
) -> tonic_build::manual::MethodBuilder {
    Method::builder()
        .name(name)
        .route_name(route)
        .input_type(format!("crate::goplugin::{input}"))
        .output_type(format!("crate::goplugin::{output}"))
        .codec_path("tonic::codec::ProstCodec")
}

fn main() {
    let services = [
        Service::builder()
            .name("GRPCController")
            .package("plugin")
            .method(method("shutdown", "Shutdown", "Empty", "Empty").build())
            .build(),
        Service::builder()
            .name("GRPCStdio")
            .package("plugin")
            .method(
                method("stream_stdio", "StreamStdio", "Empty", "StdioData")
                    .server_streaming()
                    .build(),
            )
            .build(),
        Service::builder()
            .name("GRPCBroker")
            .package("plugin")
            .method(
                method("start_stream", "StartStream", "ConnInfo", "ConnInfo")
                    .client_streaming()
                    .server_streaming()
                    .build(),
            )
            .build(),
        Service::builder()
            .name("Health")
            .package("grpc.health.v1")
            .method(
                method(
                    "check",
                    "Check",
                    "HealthCheckRequest",
                    "HealthCheckResponse",
                )
                .build(),
            )
            .build(),
    ];
    Builder::new()
        .build_client(true)
        .build_server(true)
        .compile(&services);
}
