//! The ephemeral `spirl_key_pair` (protocol 6.7, Terraform 1.10+), proven at the protocol level:
//! this test acts as Terraform core over the provider's real gRPC server on a unix socket, as
//! the Terraform v1.0.3 available to CI cannot open ephemeral resources.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support::Served;
use magma_protocol::tfplugin6 as pb;
use terraform_provider_spirl::keys::parse_private_key_pem;
use terraform_provider_spirl::provider::SpirlProvider;
use tfplugin::{Provider, Type, Value};

const TYPE: &str = "spirl_key_pair";

fn dv(v: &Value, ty: &Type) -> Option<pb::DynamicValue> {
    Some(pb::DynamicValue {
        msgpack: v.to_msgpack(ty).unwrap(),
        json: Vec::new(),
    })
}

fn schema_type(schema: &pb::Schema) -> Type {
    // Rebuild the value type from the wire schema, as Terraform does.
    let block = schema.block.as_ref().expect("block");
    Type::object(block.attributes.iter().map(|a| {
        let ty: serde_json::Value = serde_json::from_slice(&a.r#type).unwrap();
        assert_eq!(ty, "string", "{} is a string", a.name);
        (a.name.clone(), Type::String)
    }))
}

fn errors(diags: &[pb::Diagnostic]) -> Vec<String> {
    diags
        .iter()
        .filter(|d| d.severity == pb::diagnostic::Severity::Error as i32)
        .map(|d| format!("{}: {}", d.summary, d.detail))
        .collect()
}

#[tokio::test]
async fn ephemeral_key_pair_opens_fresh_keys_and_closes() {
    let mut served = Served::start().await;
    let schemas = served.schemas().await;
    let client = &mut served.client;
    let schema = &schemas.ephemeral_resource_schemas[TYPE];
    let private = schema
        .block
        .as_ref()
        .unwrap()
        .attributes
        .iter()
        .find(|a| a.name == "private_key_pem")
        .unwrap();
    assert!(private.sensitive && private.computed);
    let ty = schema_type(schema);

    // No credentials: the key pair needs no control plane.
    let provider_ty: Type = SpirlProvider::default().schema().value_type();
    let null_config = Value::object(
        [
            "endpoint",
            "sa_key_id",
            "sa_private_key",
            "use_tls",
            "request_timeout",
            "max_retries",
        ]
        .map(|n| (n, Value::Null)),
    );
    let configured = client
        .configure_provider(pb::configure_provider::Request {
            terraform_version: "1.10.0".into(),
            config: dv(&null_config, &provider_ty),
            client_capabilities: None,
        })
        .await
        .unwrap()
        .into_inner();
    assert!(
        errors(&configured.diagnostics).is_empty(),
        "{:?}",
        configured.diagnostics
    );

    let config = |algorithm: Value| {
        let mut fields: Vec<(&str, Value)> = [
            "id",
            "public_key_pem",
            "private_key_pem",
            "public_key_fingerprint_sha256",
            "public_key_openssh",
        ]
        .map(|n| (n, Value::Null))
        .to_vec();
        fields.push(("algorithm", algorithm));
        Value::object(fields)
    };

    // An unknown algorithm is refused at validation, naming the attribute.
    let refused = client
        .validate_ephemeral_resource_config(pb::validate_ephemeral_resource_config::Request {
            type_name: TYPE.into(),
            config: dv(&config("rsa".into()), &ty),
        })
        .await
        .unwrap()
        .into_inner();
    let errs = errors(&refused.diagnostics);
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(errs[0].contains("algorithm is \"rsa\""), "{errs:?}");
    let step = &refused.diagnostics[0].attribute.as_ref().unwrap().steps[0];
    assert_eq!(
        step.selector,
        Some(pb::attribute_path::step::Selector::AttributeName(
            "algorithm".into()
        ))
    );

    // Each open draws a new key pair whose attributes all describe the same key.
    let mut seen = Vec::new();
    for _ in 0..2 {
        let opened = client
            .open_ephemeral_resource(pb::open_ephemeral_resource::Request {
                type_name: TYPE.into(),
                config: dv(&config(Value::Null), &ty),
                client_capabilities: None,
            })
            .await
            .unwrap()
            .into_inner();
        assert!(
            errors(&opened.diagnostics).is_empty(),
            "{:?}",
            opened.diagnostics
        );
        let result = Value::from_msgpack(&opened.result.as_ref().unwrap().msgpack, &ty).unwrap();
        let text = |n: &str| match result.get_attr(n) {
            Some(Value::String(s)) => s.clone(),
            other => panic!("{n} is {other:?}"),
        };
        assert_eq!(text("algorithm"), "ed25519");
        let pair = parse_private_key_pem(&text("private_key_pem")).expect("PKCS#8 ed25519");
        let public = pair.public_key();
        assert_eq!(text("public_key_pem"), public.to_pem());
        assert_eq!(text("public_key_openssh"), public.to_openssh());
        assert_eq!(
            text("public_key_fingerprint_sha256"),
            public.fingerprint_sha256()
        );
        assert_eq!(text("id"), public.fingerprint_sha256());
        seen.push(text("private_key_pem"));

        let closed = client
            .close_ephemeral_resource(pb::close_ephemeral_resource::Request {
                type_name: TYPE.into(),
                private: opened.private,
            })
            .await
            .unwrap()
            .into_inner();
        assert!(closed.diagnostics.is_empty());
    }
    assert_ne!(seen[0], seen[1], "every run gets a fresh key pair");

    served.stop().await;
}
