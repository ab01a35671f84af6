//! `keys[…].public_key_wo` of `spirl_trust_domain_deployment` at the protocol level, acting as
//! Terraform core over the provider's real gRPC server: a client that does not declare
//! write-only support (Terraform before 1.11, which would store the value in plan and state) is
//! refused at validation, naming the entry and the version needed; Terraform 1.11's
//! configuration passes. The schema marks the attribute write-only.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support::Served;
use magma_protocol::tfplugin6 as pb;
use terraform_provider_spirl::client::ClientHandle;
use terraform_provider_spirl::keys::KeyPair;
use terraform_provider_spirl::resources::trust_domain_deployment::TrustDomainDeployment;
use tfplugin::{AttributePath, Resource as _, Value};

const TYPE: &str = "spirl_trust_domain_deployment";

#[tokio::test]
async fn public_key_wo_is_refused_before_terraform_1_11_and_named() {
    let mut served = Served::start().await;
    let schemas = served.schemas().await;
    let client = &mut served.client;
    let keys = schemas.resource_schemas[TYPE]
        .block
        .as_ref()
        .unwrap()
        .attributes
        .iter()
        .find(|a| a.name == "keys")
        .unwrap();
    let nested = &keys.nested_type.as_ref().unwrap().attributes;
    let wo = nested.iter().find(|a| a.name == "public_key_wo").unwrap();
    assert!(wo.write_only && wo.optional && !wo.computed && !wo.sensitive);
    let version = nested
        .iter()
        .find(|a| a.name == "public_key_wo_version")
        .unwrap();
    assert!(!version.write_only && version.optional);

    let ty = TrustDomainDeployment::new(&ClientHandle::default())
        .schema()
        .value_type();
    let pem = KeyPair::generate().public_key().to_pem();
    let entry = Value::object([
        ("id", Value::Null),
        ("public_key", Value::Null),
        ("public_key_wo", pem.as_str().into()),
        ("public_key_wo_version", 1.into()),
        ("public_key_fingerprint_sha256", Value::Null),
        ("active", Value::Null),
    ]);
    let config = Value::object([
        ("id", Value::Null),
        ("trust_domain_id", "td-abc".into()),
        ("name", "prod".into()),
        ("keys", Value::Map([("key1".to_owned(), entry)].into())),
    ]);
    let validate = |caps| pb::validate_resource_config::Request {
        type_name: TYPE.into(),
        config: Some(pb::DynamicValue {
            msgpack: config.to_msgpack(&ty).unwrap(),
            json: Vec::new(),
        }),
        client_capabilities: caps,
    };

    // Terraform 1.0 to 1.10 send no write-only capability.
    let old = client
        .validate_resource_config(validate(None))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(old.diagnostics.len(), 1, "{:?}", old.diagnostics);
    let d = &old.diagnostics[0];
    assert_eq!(d.severity, pb::diagnostic::Severity::Error as i32);
    assert_eq!(
        d.attribute,
        Some(
            AttributePath::root("keys")
                .key("key1")
                .attr("public_key_wo")
                .to_proto()
        )
    );
    assert!(
        d.summary.contains("Terraform 1.11 or later"),
        "{}",
        d.summary
    );
    assert!(
        d.detail
            .contains("keys[\"key1\"].public_key_wo is write-only"),
        "{}",
        d.detail
    );
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    assert!(!format!("{d:?}").contains(&body), "the key is not echoed");

    // Terraform 1.11 declares it.
    let new = client
        .validate_resource_config(validate(Some(pb::ClientCapabilities {
            deferral_allowed: false,
            write_only_attributes_allowed: true,
        })))
        .await
        .unwrap()
        .into_inner();
    assert!(new.diagnostics.is_empty(), "{:?}", new.diagnostics);

    served.stop().await;
}
