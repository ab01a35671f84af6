//! Write-only attributes at the protocol level: their values never leave the provider in a
//! response, at any depth, and a client that cannot handle them (Terraform before 1.11, which
//! would store them in plan and state) is refused at validation, each value named by its path.
#![allow(clippy::unwrap_used)]

use crate::common::{dv, errors, harness, secret_schema, val};
use magma_protocol::tfplugin6 as pb;
use tfplugin::{AttributePath, Value};

const TYPE: &str = "test_secret";

/// A configuration with a write-only value at the top, in a map of nested attributes and in a
/// list block.
fn config() -> Value {
    Value::object([
        ("id", Value::Null),
        ("top_wo", "top-secret".into()),
        (
            "entries",
            Value::Map(
                [(
                    "a".to_owned(),
                    Value::object([("value_wo", "entry-secret".into()), ("version", 1.into())]),
                )]
                .into(),
            ),
        ),
        (
            "rule",
            Value::List(vec![Value::object([
                ("token_wo", "rule-secret".into()),
                ("name", "r1".into()),
            ])]),
        ),
    ])
}

/// `config` as every response must carry it: the same, with each write-only value null.
fn nulled(id: Value) -> Value {
    Value::object([
        ("id", id),
        ("top_wo", Value::Null),
        (
            "entries",
            Value::Map(
                [(
                    "a".to_owned(),
                    Value::object([("value_wo", Value::Null), ("version", 1.into())]),
                )]
                .into(),
            ),
        ),
        (
            "rule",
            Value::List(vec![Value::object([
                ("token_wo", Value::Null),
                ("name", "r1".into()),
            ])]),
        ),
    ])
}

fn no_secret_in(bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    for secret in ["top-secret", "entry-secret", "rule-secret"] {
        assert!(!text.contains(secret), "{secret} in a response");
    }
}

#[tokio::test]
async fn write_only_values_are_refused_without_the_capability_and_named_by_path() {
    let mut h = harness().await;
    let ty = secret_schema().value_type();
    let validate =
        |caps: Option<pb::ClientCapabilities>, v: &Value| pb::validate_resource_config::Request {
            type_name: TYPE.into(),
            config: dv(v, &ty),
            client_capabilities: caps,
        };

    // Terraform before 1.11 sends no capability (or says false): every value set is an error
    // at its own path, naming the version needed.
    for caps in [
        None,
        Some(pb::ClientCapabilities {
            deferral_allowed: true,
            write_only_attributes_allowed: false,
        }),
    ] {
        let r = h
            .client
            .validate_resource_config(validate(caps, &config()))
            .await
            .unwrap()
            .into_inner();
        let paths: Vec<_> = r.diagnostics.iter().map(|d| d.attribute.clone()).collect();
        assert_eq!(
            paths,
            [
                Some(AttributePath::root("top_wo").to_proto()),
                Some(
                    AttributePath::root("entries")
                        .key("a")
                        .attr("value_wo")
                        .to_proto()
                ),
                Some(
                    AttributePath::root("rule")
                        .index(0)
                        .attr("token_wo")
                        .to_proto()
                ),
            ]
        );
        for d in &r.diagnostics {
            assert!(
                d.summary.contains("Terraform 1.11 or later"),
                "{}",
                d.summary
            );
        }
        assert!(
            r.diagnostics[1]
                .detail
                .starts_with("entries[\"a\"].value_wo is write-only")
        );
        no_secret_in(&format!("{:?}", r.diagnostics).into_bytes());
    }

    // An unknown write-only value (an ephemeral value during validation) counts as set.
    let mut unknown = nulled(Value::Null);
    if let Value::Object(fields) = &mut unknown {
        fields.insert("top_wo".into(), Value::Unknown);
    }
    let r = h
        .client
        .validate_resource_config(validate(None, &unknown))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(errors(&r.diagnostics).len(), 1);

    // Unset write-only attributes are fine for any client.
    let r = h
        .client
        .validate_resource_config(validate(None, &nulled(Value::Null)))
        .await
        .unwrap()
        .into_inner();
    assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);

    // Terraform 1.11 declares the capability: the same configuration is valid.
    let caps = pb::ClientCapabilities {
        deferral_allowed: false,
        write_only_attributes_allowed: true,
    };
    let r = h
        .client
        .validate_resource_config(validate(Some(caps), &config()))
        .await
        .unwrap()
        .into_inner();
    assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
}

#[tokio::test]
async fn nested_write_only_values_are_null_in_every_response() {
    let mut h = harness().await;
    let ty = secret_schema().value_type();
    let c = &mut h.client;
    let config = config();

    // Plan: proposed and config carry the values; the planned state does not.
    let plan = c
        .plan_resource_change(pb::plan_resource_change::Request {
            type_name: TYPE.into(),
            prior_state: dv(&Value::Null, &ty),
            proposed_new_state: dv(&config, &ty),
            config: dv(&config, &ty),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert!(plan.diagnostics.is_empty(), "{:?}", plan.diagnostics);
    assert_eq!(val(&plan.planned_state, &ty), nulled(Value::Unknown));
    no_secret_in(&plan.planned_state.as_ref().unwrap().msgpack);

    // Apply: the resource echoes its configuration, secrets and all; the new state has none.
    let applied = c
        .apply_resource_change(pb::apply_resource_change::Request {
            type_name: TYPE.into(),
            prior_state: dv(&Value::Null, &ty),
            planned_state: plan.planned_state.clone(),
            config: dv(&config, &ty),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert!(applied.diagnostics.is_empty(), "{:?}", applied.diagnostics);
    let state = val(&applied.new_state, &ty);
    assert_eq!(state, nulled("secret-1".into()));
    no_secret_in(&applied.new_state.as_ref().unwrap().msgpack);
    // The resource did get the values, as it needs them to act.
    assert_eq!(
        h.shared.secrets.lock().unwrap()["secret-1"]
            .top_wo
            .as_deref(),
        Some("top-secret")
    );

    // Update: the same.
    let updated = c
        .apply_resource_change(pb::apply_resource_change::Request {
            type_name: TYPE.into(),
            prior_state: applied.new_state.clone(),
            planned_state: applied.new_state.clone(),
            config: dv(&config, &ty),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert!(updated.diagnostics.is_empty(), "{:?}", updated.diagnostics);
    assert_eq!(val(&updated.new_state, &ty), nulled("secret-1".into()));

    // Read returns what the resource stored, secrets included; the response has none.
    let read = c
        .read_resource(pb::read_resource::Request {
            type_name: TYPE.into(),
            current_state: applied.new_state.clone(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(val(&read.new_state, &ty), nulled("secret-1".into()));
    no_secret_in(&read.new_state.as_ref().unwrap().msgpack);

    // Import and upgrade: the same.
    let imported = c
        .import_resource_state(pb::import_resource_state::Request {
            type_name: TYPE.into(),
            id: "secret-1".into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert!(
        imported.diagnostics.is_empty(),
        "{:?}",
        imported.diagnostics
    );
    let imported = imported.imported_resources[0].state.as_ref().unwrap();
    no_secret_in(&imported.msgpack);
    assert_eq!(
        Value::from_msgpack(&imported.msgpack, &ty).unwrap(),
        nulled("secret-1".into())
    );
    let json = br#"{"id":"secret-1","top_wo":"top-secret","entries":{"a":{"value_wo":"entry-secret","version":1}},"rule":[{"token_wo":"rule-secret","name":"r1"}]}"#;
    let upgraded = c
        .upgrade_resource_state(pb::upgrade_resource_state::Request {
            type_name: TYPE.into(),
            version: 0,
            raw_state: Some(pb::RawState {
                json: json.to_vec(),
                flatmap: Default::default(),
            }),
        })
        .await
        .unwrap()
        .into_inner();
    assert!(
        upgraded.diagnostics.is_empty(),
        "{:?}",
        upgraded.diagnostics
    );
    assert_eq!(
        val(&upgraded.upgraded_state, &ty),
        nulled("secret-1".into())
    );
    no_secret_in(&upgraded.upgraded_state.as_ref().unwrap().msgpack);
}
