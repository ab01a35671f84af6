//! Protocol-level tests: this file acts as Terraform core, over a real unix socket, with the
//! generated tfplugin6 client.
#![allow(clippy::unwrap_used)]

use std::sync::atomic::Ordering;
use std::time::Duration;

use crate::common::{dv, errors, harness, thing_schema, val, wait_for};
use magma_protocol::tfplugin6 as pb;
use tfplugin::{AttributePath, Value};

fn thing(id: Value, name: &str, desc: Value, size: Value) -> Value {
    Value::object([
        ("id", id),
        ("name", name.into()),
        ("description", desc),
        ("size", size),
    ])
}

#[tokio::test]
async fn schema_fetch_lists_every_type_with_truthful_capabilities() {
    let mut h = harness().await;
    let s = h
        .client
        .get_provider_schema(pb::get_provider_schema::Request {})
        .await
        .unwrap()
        .into_inner();
    assert!(s.diagnostics.is_empty());
    for t in ["test_thing", "test_slow", "test_panic", "test_secret"] {
        assert!(s.resource_schemas.contains_key(t), "{t}");
    }
    assert!(s.data_source_schemas.contains_key("test_echo"));
    assert!(s.ephemeral_resource_schemas.contains_key("test_token"));
    let caps = s.server_capabilities.unwrap();
    assert!(!caps.plan_destroy && !caps.move_resource_state && caps.get_provider_schema_optional);
    let thing = &s.resource_schemas["test_thing"].block.as_ref().unwrap();
    let name = thing.attributes.iter().find(|a| a.name == "name").unwrap();
    assert!(name.required && !name.computed);
    assert_eq!(name.r#type, br#""string""#);
    let meta = h
        .client
        .get_metadata(pb::get_metadata::Request {})
        .await
        .unwrap()
        .into_inner();
    assert_eq!(meta.resources.len(), 4);
    let ids = h
        .client
        .get_resource_identity_schemas(pb::get_resource_identity_schemas::Request {})
        .await
        .unwrap();
    assert!(ids.into_inner().identity_schemas.is_empty());
}

#[tokio::test]
async fn resource_lifecycle_plan_apply_read_import_destroy() {
    let mut h = harness().await;
    let ty = thing_schema().value_type();
    let c = &mut h.client;

    let cfg = pb::configure_provider::Request {
        terraform_version: "1.0.3".into(),
        config: dv(
            &Value::object([("label", "x".into())]),
            &tfplugin::Schema::new()
                .attribute(tfplugin::Attribute::string("label").optional())
                .value_type(),
        ),
        client_capabilities: None,
    };
    assert!(
        c.configure_provider(cfg)
            .await
            .unwrap()
            .into_inner()
            .diagnostics
            .is_empty()
    );
    assert_eq!(h.shared.configured.lock().unwrap().as_deref(), Some("x"));

    // Validation runs schema validators with the attribute path.
    let bad = thing(Value::Null, "has space", Value::Null, Value::Null);
    let v = c
        .validate_resource_config(pb::validate_resource_config::Request {
            type_name: "test_thing".into(),
            config: dv(&bad, &ty),
            client_capabilities: None,
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(v.diagnostics.len(), 1);
    assert_eq!(
        v.diagnostics[0].attribute,
        Some(AttributePath::root("name").to_proto())
    );

    // Plan create: computed id unknown, default filled.
    let config = thing(Value::Null, "a", "one".into(), Value::Null);
    let plan = c
        .plan_resource_change(pb::plan_resource_change::Request {
            type_name: "test_thing".into(),
            prior_state: dv(&Value::Null, &ty),
            proposed_new_state: dv(&config, &ty),
            config: dv(&config, &ty),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert!(plan.diagnostics.is_empty(), "{:?}", plan.diagnostics);
    let planned = val(&plan.planned_state, &ty);
    assert_eq!(planned, thing(Value::Unknown, "a", "one".into(), 1.into()));

    // Apply create.
    let applied = c
        .apply_resource_change(pb::apply_resource_change::Request {
            type_name: "test_thing".into(),
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
    assert_eq!(state, thing("thing-1".into(), "a", "one".into(), 1.into()));

    // Read returns it unchanged; a plan with the same config is a no-op.
    let read = c
        .read_resource(pb::read_resource::Request {
            type_name: "test_thing".into(),
            current_state: dv(&state, &ty),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(val(&read.new_state, &ty), state);
    let noop = c
        .plan_resource_change(pb::plan_resource_change::Request {
            type_name: "test_thing".into(),
            prior_state: dv(&state, &ty),
            proposed_new_state: dv(&state, &ty),
            config: dv(&config, &ty),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(val(&noop.planned_state, &ty), state);
    assert!(noop.requires_replace.is_empty());

    // Update in place keeps the id; renaming requires replacement.
    let config2 = thing(Value::Null, "a", "two".into(), Value::Null);
    let proposed2 = thing("thing-1".into(), "a", "two".into(), 1.into());
    let upd = c
        .plan_resource_change(pb::plan_resource_change::Request {
            type_name: "test_thing".into(),
            prior_state: dv(&state, &ty),
            proposed_new_state: dv(&proposed2, &ty),
            config: dv(&config2, &ty),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(val(&upd.planned_state, &ty), proposed2);
    assert!(upd.requires_replace.is_empty());
    let applied2 = c
        .apply_resource_change(pb::apply_resource_change::Request {
            type_name: "test_thing".into(),
            prior_state: dv(&state, &ty),
            planned_state: upd.planned_state.clone(),
            config: dv(&config2, &ty),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert!(
        applied2.diagnostics.is_empty(),
        "{:?}",
        applied2.diagnostics
    );
    let state2 = val(&applied2.new_state, &ty);
    assert_eq!(state2, proposed2);
    let rename = thing("thing-1".into(), "b", "two".into(), 1.into());
    let rep = c
        .plan_resource_change(pb::plan_resource_change::Request {
            type_name: "test_thing".into(),
            prior_state: dv(&state2, &ty),
            proposed_new_state: dv(&rename, &ty),
            config: dv(&thing(Value::Null, "b", "two".into(), Value::Null), &ty),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        rep.requires_replace,
        vec![AttributePath::root("name").to_proto()]
    );

    // Import by id, then an unknown id is a clear error.
    let imp = c
        .import_resource_state(pb::import_resource_state::Request {
            type_name: "test_thing".into(),
            id: "thing-1".into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(imp.imported_resources.len(), 1);
    assert_eq!(val(&imp.imported_resources[0].state, &ty), state2);
    let missing = c
        .import_resource_state(pb::import_resource_state::Request {
            type_name: "test_thing".into(),
            id: "nope".into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert!(missing.imported_resources.is_empty());
    assert!(errors(&missing.diagnostics)[0].contains("nope"));

    // Destroy: plan null, apply deletes, read afterwards reports it gone.
    let dplan = c
        .plan_resource_change(pb::plan_resource_change::Request {
            type_name: "test_thing".into(),
            prior_state: dv(&state2, &ty),
            proposed_new_state: dv(&Value::Null, &ty),
            config: dv(&Value::Null, &ty),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(val(&dplan.planned_state, &ty), Value::Null);
    let del = c
        .apply_resource_change(pb::apply_resource_change::Request {
            type_name: "test_thing".into(),
            prior_state: dv(&state2, &ty),
            planned_state: dplan.planned_state.clone(),
            config: dv(&Value::Null, &ty),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert!(del.diagnostics.is_empty());
    assert_eq!(val(&del.new_state, &ty), Value::Null);
    assert!(h.shared.things.lock().unwrap().is_empty());
    let gone = c
        .read_resource(pb::read_resource::Request {
            type_name: "test_thing".into(),
            current_state: dv(&state2, &ty),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert!(gone.diagnostics.is_empty());
    assert_eq!(val(&gone.new_state, &ty), Value::Null);
}

#[tokio::test]
async fn upgrade_resource_state_reads_json_and_refuses_flatmap() {
    let mut h = harness().await;
    let ty = thing_schema().value_type();
    let json = br#"{"id":"thing-9","name":"n","description":null,"size":12345678901234567890123}"#;
    let up = h
        .client
        .upgrade_resource_state(pb::upgrade_resource_state::Request {
            type_name: "test_thing".into(),
            version: 0,
            raw_state: Some(pb::RawState {
                json: json.to_vec(),
                flatmap: Default::default(),
            }),
        })
        .await
        .unwrap()
        .into_inner();
    assert!(up.diagnostics.is_empty(), "{:?}", up.diagnostics);
    let v = val(&up.upgraded_state, &ty);
    assert_eq!(
        v.get_attr("size")
            .and_then(Value::as_number)
            .map(ToString::to_string)
            .as_deref(),
        Some("12345678901234567890123")
    );
    let flat = h
        .client
        .upgrade_resource_state(pb::upgrade_resource_state::Request {
            type_name: "test_thing".into(),
            version: 0,
            raw_state: Some(pb::RawState {
                json: Vec::new(),
                flatmap: [("id".into(), "x".into())].into(),
            }),
        })
        .await
        .unwrap()
        .into_inner();
    assert!(errors(&flat.diagnostics)[0].contains("flatmap"));
    let newer = h
        .client
        .upgrade_resource_state(pb::upgrade_resource_state::Request {
            type_name: "test_thing".into(),
            version: 7,
            raw_state: Some(pb::RawState {
                json: json.to_vec(),
                flatmap: Default::default(),
            }),
        })
        .await
        .unwrap()
        .into_inner();
    assert!(errors(&newer.diagnostics)[0].contains("version 7"));
}

#[tokio::test]
async fn data_source_and_ephemeral_open_close() {
    let mut h = harness().await;
    let ety = tfplugin::Schema::new()
        .attribute(tfplugin::Attribute::string("input").required())
        .attribute(tfplugin::Attribute::string("output").computed())
        .value_type();
    let r = h
        .client
        .read_data_source(pb::read_data_source::Request {
            type_name: "test_echo".into(),
            config: dv(
                &Value::object([("input", "hi".into()), ("output", Value::Null)]),
                &ety,
            ),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(val(&r.state, &ety).get_attr("output"), Some(&"HI".into()));

    let tty = tfplugin::Schema::new()
        .attribute(tfplugin::Attribute::string("prefix").optional())
        .attribute(tfplugin::Attribute::string("token").computed())
        .value_type();
    let config = Value::object([("prefix", "p-".into()), ("token", Value::Null)]);
    let v = h
        .client
        .validate_ephemeral_resource_config(pb::validate_ephemeral_resource_config::Request {
            type_name: "test_token".into(),
            config: dv(&config, &tty),
        })
        .await
        .unwrap()
        .into_inner();
    assert!(v.diagnostics.is_empty());
    let opened = h
        .client
        .open_ephemeral_resource(pb::open_ephemeral_resource::Request {
            type_name: "test_token".into(),
            config: dv(&config, &tty),
            client_capabilities: None,
        })
        .await
        .unwrap()
        .into_inner();
    assert!(opened.diagnostics.is_empty(), "{:?}", opened.diagnostics);
    assert_eq!(
        val(&opened.result, &tty).get_attr("token"),
        Some(&"p-secret".into())
    );
    let renew = h
        .client
        .renew_ephemeral_resource(pb::renew_ephemeral_resource::Request {
            type_name: "test_token".into(),
            private: opened.private.clone(),
        })
        .await
        .unwrap()
        .into_inner();
    assert!(errors(&renew.diagnostics)[0].contains("cannot be renewed"));
    let closed = h
        .client
        .close_ephemeral_resource(pb::close_ephemeral_resource::Request {
            type_name: "test_token".into(),
            private: opened.private,
        })
        .await
        .unwrap()
        .into_inner();
    assert!(closed.diagnostics.is_empty());
    assert_eq!(
        *h.shared.closed.lock().unwrap(),
        vec!["p-secret".to_string()]
    );
}

#[tokio::test]
async fn stop_provider_cancels_a_slow_handler_and_ends_serving() {
    let h = harness().await;
    let ty = tfplugin::Schema::new()
        .attribute(tfplugin::Attribute::string("id").computed())
        .value_type();
    let mut c = h.client.clone();
    let slow = tokio::spawn(async move {
        c.apply_resource_change(pb::apply_resource_change::Request {
            type_name: "test_slow".into(),
            prior_state: dv(&Value::Null, &ty),
            planned_state: dv(&Value::object([("id", Value::Unknown)]), &ty),
            config: dv(&Value::object([("id", Value::Null)]), &ty),
            ..Default::default()
        })
        .await
    });
    let shared = h.shared.clone();
    assert!(
        wait_for(Duration::from_secs(10), || shared
            .slow_started
            .load(Ordering::SeqCst))
        .await
    );
    assert!(!slow.is_finished());
    let mut c = h.client.clone();
    let stopped = c
        .stop_provider(pb::stop_provider::Request {})
        .await
        .unwrap()
        .into_inner();
    assert_eq!(stopped.error, "");
    let resp = tokio::time::timeout(Duration::from_secs(10), slow)
        .await
        .unwrap()
        .unwrap()
        .unwrap()
        .into_inner();
    assert!(
        errors(&resp.diagnostics)[0].contains("Interrupted"),
        "{:?}",
        resp.diagnostics
    );
    // The server drains and ends by itself.
    let served = tokio::time::timeout(Duration::from_secs(15), h.server)
        .await
        .unwrap()
        .unwrap();
    assert!(served.is_ok());
}

#[tokio::test]
async fn a_panicking_handler_becomes_an_error_and_the_plugin_keeps_serving() {
    let mut h = harness().await;
    let ty = tfplugin::Schema::new()
        .attribute(tfplugin::Attribute::string("id").computed())
        .value_type();
    let state = Value::object([("id", "x".into())]);
    let r = h
        .client
        .read_resource(pb::read_resource::Request {
            type_name: "test_panic".into(),
            current_state: dv(&state, &ty),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    let errs = errors(&r.diagnostics);
    assert!(
        errs[0].contains("crashed") && errs[0].contains("boom in read"),
        "{errs:?}"
    );
    assert_eq!(val(&r.new_state, &ty), state, "the state is kept");
    let s = h
        .client
        .get_provider_schema(pb::get_provider_schema::Request {})
        .await
        .unwrap()
        .into_inner();
    assert!(s.resource_schemas.contains_key("test_panic"));
}

#[tokio::test]
async fn unknown_types_and_unsupported_rpcs_say_so() {
    let mut h = harness().await;
    let r = h
        .client
        .validate_resource_config(pb::validate_resource_config::Request {
            type_name: "test_nope".into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert!(errors(&r.diagnostics)[0].contains("\"test_nope\""));
    let m = h
        .client
        .move_resource_state(pb::move_resource_state::Request::default())
        .await
        .unwrap()
        .into_inner();
    assert!(errors(&m.diagnostics)[0].contains("not supported"));
    let l = h
        .client
        .list_resource(pb::list_resource::Request::default())
        .await
        .unwrap_err();
    assert_eq!(l.code(), tonic::Code::Unimplemented);
    assert!(l.message().contains("not supported"));
    let f = h
        .client
        .call_function(pb::call_function::Request {
            name: "nope".into(),
            arguments: Vec::new(),
        })
        .await
        .unwrap()
        .into_inner();
    assert!(f.error.unwrap().text.contains("nope"));
    // Garbage where a DynamicValue should be is an error diagnostic, not a crash.
    let g = h
        .client
        .read_resource(pb::read_resource::Request {
            type_name: "test_thing".into(),
            current_state: Some(pb::DynamicValue {
                msgpack: vec![0xc1, 0xff],
                json: Vec::new(),
            }),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert!(errors(&g.diagnostics)[0].contains("Invalid state"));
}
