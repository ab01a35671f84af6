//! The ALB guide's Terraform (`../shared/seeds/000_d5df6832b08a9060.txt`), unchanged except that
//! `helm_release` is replaced by an output that renders the same values with `yamlencode`:
//! apply, a plan with no changes, destroy, and the mock holds nothing. Run with `TF_ACC=1`.

use crate::support::{Harness, seed_annotations};

/// The seed's resources verbatim, plus the ALB data source and the helm values as outputs.
const SEED: &str = r#"
resource "spirl_trust_domain" "prod" {
  domain_name = "acm.example.com"
  description = "EKS ALB demo trust domain"
}

# Note: spirl_key_pair is not recommended without careful consideration.
# spirl_key_pair stores the private key is stored in terraform state files.
resource "spirl_key_pair" "deployment" {
  algorithm = "ed25519"
}

resource "spirl_trust_domain_deployment" "deployment" {
  trust_domain_id = spirl_trust_domain.prod.id
  name            = "eks-alb-demo"
  keys = {
    "key1" = {
      public_key = spirl_key_pair.deployment.public_key_pem
      active     = true
    }
  }
}

data "spirl_alb_ingress_annotations" "agents" {}

output "helm_values" {
  sensitive = true
  value = yamlencode({
    trustDomainDeployment = {
      trustDomainName = spirl_trust_domain.prod.domain_name
      trustDomainID   = spirl_trust_domain.prod.id
      id              = spirl_trust_domain_deployment.deployment.id
      name            = spirl_trust_domain_deployment.deployment.name
      ingress = {
        enabled     = true
        className   = data.spirl_alb_ingress_annotations.agents.ingress_class_name
        annotations = data.spirl_alb_ingress_annotations.agents.annotations
      }
    }
    controlPlane = {
      auth = {
        key = {
          id  = spirl_trust_domain_deployment.deployment.keys["key1"].id
          pem = spirl_key_pair.deployment.private_key_pem
        }
      }
    }
  })
}

output "annotations" {
  value = data.spirl_alb_ingress_annotations.agents.annotations
}
"#;

#[test]
fn seed_flow_apply_plan_destroy() {
    let Some(h) = Harness::start("seed_flow") else {
        return;
    };
    h.write_config(SEED);
    if h.terraform_version() < (1, 0, 6) {
        // Either our refusal or, for `keys["key1"].id`, Terraform 1.0.x's own static check of
        // nested attributes ("does not have any indices"); never Terraform's crash.
        let out = h.tf_err(&["plan"]);
        let text = out.all();
        assert!(
            text.contains("Terraform 1.0.6 or later required")
                || text.contains("This value does not have any indices"),
            "{out}"
        );
        assert!(!text.contains("TERRAFORM CRASH"), "{out}");
        eprintln!("skipped the seed flow: spirl_trust_domain_deployment needs Terraform 1.0.6+");
        return;
    }
    h.apply();
    let td = h.resource("spirl_trust_domain.prod");
    let deployment = h.resource("spirl_trust_domain_deployment.deployment");
    let key_pair = h.resource("spirl_key_pair.deployment");
    let outputs = h.outputs();

    let annotations: std::collections::BTreeMap<String, String> =
        serde_json::from_value(outputs["annotations"].clone()).expect("string map");
    assert_eq!(annotations, seed_annotations());

    // The rendered values carry every id the chart needs, and the key pair's private key.
    let values = outputs["helm_values"].as_str().expect("yaml text");
    let key_id = deployment["keys"]["key1"]["id"].as_str().expect("key id");
    for needle in [
        td["id"].as_str().expect("td id"),
        "acm.example.com",
        deployment["id"].as_str().expect("deployment id"),
        "eks-alb-demo",
        key_id,
        "idle_timeout.timeout_seconds=4000",
        "-----BEGIN PRIVATE KEY-----",
    ] {
        assert!(
            values.contains(needle),
            "{needle} in the helm values:\n(redacted)"
        );
    }
    let private = key_pair["private_key_pem"].as_str().expect("private key");
    let first_line = private.lines().nth(1).expect("PEM body");
    assert!(
        values.contains(first_line),
        "the private key PEM is rendered"
    );

    h.assert_plan_empty();
    let objects = h.mock_objects();
    assert_eq!(
        (objects.trust_domains, objects.deployments, objects.keys),
        (1, 1, 1)
    );
    h.destroy();
    let objects = h.mock_objects();
    assert_eq!(
        (objects.trust_domains, objects.deployments, objects.keys),
        (0, 0, 0)
    );
}
