//! Acceptance tests of the `spirl_alb_ingress_annotations` data source with the real Terraform
//! CLI (run with `TF_ACC=1`).

use std::collections::BTreeMap;

use crate::support::{Harness, seed_annotations};
use serde_json::Value as Json;

fn annotations(outputs: &BTreeMap<String, Json>) -> BTreeMap<String, String> {
    serde_json::from_value(outputs["annotations"].clone()).expect("annotations is a string map")
}

#[test]
fn alb_annotations_defaults_equal_seed() {
    let Some(h) = Harness::start("alb_defaults") else {
        return;
    };
    // No credentials are needed for this data source.
    h.write_config(
        r#"
data "spirl_alb_ingress_annotations" "agents" {}

output "annotations" {
  value = data.spirl_alb_ingress_annotations.agents.annotations
}
output "class" {
  value = data.spirl_alb_ingress_annotations.agents.ingress_class_name
}
output "health" {
  value = data.spirl_alb_ingress_annotations.agents.health_check_path
}
"#,
    );
    h.apply();
    let out = h.outputs();
    assert_eq!(annotations(&out), seed_annotations());
    assert_eq!(out["class"], "alb");
    assert_eq!(out["health"], "/grpc.health.v1.Health/Check");
    h.assert_plan_empty();
    h.destroy();
}

#[test]
fn alb_annotations_inputs_render() {
    let Some(h) = Harness::start("alb_inputs") else {
        return;
    };
    h.write_config(
        r#"
data "spirl_alb_ingress_annotations" "agents" {
  scheme               = "internal"
  target_type          = "instance"
  certificate_arns     = ["arn:aws:acm:us-east-1:123456789012:certificate/abcd-1234", "arn:aws:acm:us-east-1:123456789012:certificate/efgh-5678"]
  https_port           = 8443
  group_name           = "spirl-agents"
  additional_load_balancer_attributes = {
    "routing.http2.enabled" = "true"
  }
  extra_annotations = {
    "alb.ingress.kubernetes.io/tags" = "team=platform"
  }
}

output "annotations" {
  value = data.spirl_alb_ingress_annotations.agents.annotations
}
"#,
    );
    h.apply();
    let got = annotations(&h.outputs());
    let a = |k: &str| got[&format!("alb.ingress.kubernetes.io/{k}")].as_str();
    assert_eq!(a("scheme"), "internal");
    assert_eq!(a("target-type"), "instance");
    assert_eq!(
        a("certificate-arn"),
        "arn:aws:acm:us-east-1:123456789012:certificate/abcd-1234,arn:aws:acm:us-east-1:123456789012:certificate/efgh-5678"
    );
    assert_eq!(a("listen-ports"), r#"[{"HTTPS":8443}]"#);
    assert_eq!(a("group.name"), "spirl-agents");
    assert_eq!(
        a("load-balancer-attributes"),
        "idle_timeout.timeout_seconds=4000,routing.http2.enabled=true"
    );
    assert_eq!(a("tags"), "team=platform");
}

#[test]
fn alb_annotations_short_idle_timeout_warns() {
    let Some(h) = Harness::start("alb_short_idle") else {
        return;
    };
    h.write_config(
        r#"
data "spirl_alb_ingress_annotations" "agents" {
  idle_timeout_seconds = 60
}
output "lb" {
  value = data.spirl_alb_ingress_annotations.agents.annotations["alb.ingress.kubernetes.io/load-balancer-attributes"]
}
"#,
    );
    let out = h.apply();
    let text = out.all();
    assert!(text.contains("Warning"), "{out}");
    assert!(
        text.contains("RST_STREAM"),
        "the warning explains the reset streams:\n{out}"
    );
    assert!(
        text.contains("30-minute"),
        "the warning names the agents' lifetime:\n{out}"
    );
    assert_eq!(h.outputs()["lb"], "idle_timeout.timeout_seconds=60");
}

#[test]
fn alb_annotations_invalid_inputs_fail_plan() {
    let Some(h) = Harness::start("alb_invalid") else {
        return;
    };
    let cases = [
        ("scheme = \"public\"", "scheme"),
        ("target_type = \"pod\"", "target_type"),
        ("idle_timeout_seconds = 5000", "idle_timeout_seconds"),
        ("idle_timeout_seconds = 0", "idle_timeout_seconds"),
        ("idle_timeout_seconds = 90.5", "idle_timeout_seconds"),
        ("https_port = 70000", "https_port"),
        ("certificate_arns = [\"not-an-arn\"]", "certificate_arns"),
        ("group_name = \"Bad_Group!\"", "group_name"),
        (
            "additional_load_balancer_attributes = { \"idle_timeout.timeout_seconds\" = \"10\" }",
            "idle_timeout_seconds",
        ),
        (
            "extra_annotations = { \"alb.ingress.kubernetes.io/scheme\" = \"internal\" }",
            "scheme",
        ),
    ];
    for (input, attribute) in cases {
        h.write_config(&format!(
            "data \"spirl_alb_ingress_annotations\" \"agents\" {{\n  {input}\n}}\n"
        ));
        let out = h.tf_err(&["plan"]);
        assert!(out.all().contains("Error"), "{input}:\n{out}");
        assert!(
            out.all().contains(attribute),
            "{input}: the error names `{attribute}`:\n{out}"
        );
    }
}
