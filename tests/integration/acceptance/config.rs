//! Acceptance tests of the configuration-section resources (`spirl_org_config`,
//! `spirl_trust_domain_config`, `spirl_trust_domain_deployment_config`) with the real Terraform
//! CLI against the gRPC mock (run with `TF_ACC=1`). The mock stores sections re-serialised, so
//! every step here also proves that sections compare by meaning. One test walks the whole
//! lifecycle of all three types: each Terraform run costs seconds.

use crate::support::{Harness, out_of_band_client, trust_domain};
use serde_json::Value as Json;
use terraform_provider_spirl::client::{Client, ScopeSections, SectionScope, SectionsUpdate};
use terraform_provider_spirl::keys::KeyPair;

const CONFIG_API: &str = "/com.spirl.api.v1.config.API/";

const KEY_MANAGER: &str = "section: KeyManager\nschema: v1\nspec:\n  extensions:\n    awsKMS:\n      region: \"us-east-1\"\n";
/// The same document, written differently.
const KEY_MANAGER_FLOW: &str = "# same settings, other style\nschema: 'v1'\nsection: KeyManager\nspec: {extensions: {awsKMS: {region: us-east-1}}}\n";
const REDACTION: &str = "section: AttributeRedaction\nschema: v1\nspec:\n  policy:\n    allowList:\n      filters:\n        - \"kubernetes.pod.namespace\"\n";
const READ_ONLY: &str = "section: Managed\nschema: v1\nspec:\n  owner: defakto\n";

struct World {
    h: Harness,
    client: Client,
    td: String,
    td2: String,
    tdd: String,
}

fn start(test: &str) -> Option<World> {
    let h = Harness::start(test)?;
    let client = out_of_band_client(h.mock());
    let create = |name: &str| {
        h.block_on(client.create_trust_domain(&trust_domain(name)))
            .expect("create trust domain")
    };
    let (td, td2) = (create("config.example"), create("other.example"));
    let key = KeyPair::generate().public_key().to_spki_der();
    h.block_on(client.create_key(&td, "prod", &key))
        .expect("create deployment");
    let tdd = h
        .block_on(client.list_deployments(Some(&td)))
        .expect("list deployments")
        .remove(0)
        .id;
    Some(World {
        h,
        client,
        td,
        td2,
        tdd,
    })
}

/// A heredoc of `yaml` for HCL.
fn heredoc(yaml: &str) -> String {
    format!("<<-YAML\n{}    YAML", indent(yaml))
}

fn indent(yaml: &str) -> String {
    yaml.lines().map(|l| format!("      {l}\n")).collect()
}

fn config(
    td: &str,
    tdd: &str,
    td_sections: &[(&str, &str)],
    org_sections: &[(&str, &str)],
) -> String {
    let map = |sections: &[(&str, &str)]| -> String {
        sections
            .iter()
            .map(|(name, yaml)| format!("    {name} = {}\n", heredoc(yaml)))
            .collect()
    };
    format!(
        r#"
resource "spirl_org_config" "org" {{
  sections = {{
{org}  }}
}}

resource "spirl_trust_domain_config" "td" {{
  trust_domain_id = "{td}"
  sections = {{
{tds}  }}
}}

resource "spirl_trust_domain_deployment_config" "tdd" {{
  trust_domain_deployment_id = "{tdd}"
  sections = {{
    KeyManager = {km}
  }}
}}
"#,
        org = map(org_sections),
        tds = map(td_sections),
        km = heredoc(KEY_MANAGER),
    )
}

impl World {
    fn remote(&self, scope: SectionScope) -> ScopeSections {
        self.h
            .block_on(self.client.get_config(&scope))
            .expect("read configuration")
    }

    fn td_config(&self) -> ScopeSections {
        self.remote(SectionScope::TrustDomain(self.td.clone()))
    }

    fn updates(&self) -> u64 {
        [
            "UpdateOrgConfig",
            "UpdateTrustDomainConfig",
            "UpdateTrustDomainDeploymentConfig",
        ]
        .iter()
        .map(|m| self.h.mock_requests(&format!("{CONFIG_API}{m}")))
        .sum()
    }

    fn attrs(&self, address: &str) -> Json {
        self.h.resource(address)
    }
}

fn names(config: &ScopeSections) -> Vec<(String, bool)> {
    config
        .sections
        .iter()
        .map(|s| (s.name.clone(), s.read_only))
        .collect()
}

#[test]
fn scoped_sections_lifecycle_semantics_concurrency_import_replace_and_drift() {
    let Some(w) = start("config-lifecycle") else {
        return;
    };
    // The control plane owns a section of the trust domain: the resource must leave it alone.
    w.h.mock()
        .state
        .put_read_only_section(
            &spirl_mock_api::SectionScope::TrustDomain(w.td.clone()),
            READ_ONLY,
        )
        .expect("read-only section");

    // Plan-time checks stop a bad document before any call, naming the element.
    w.h.write_config(&config(&w.td, &w.tdd, &[("KeyManager", REDACTION)], &[]));
    let out = w.h.tf_err(&["plan"]);
    assert!(out.all().contains("Invalid configuration section"), "{out}");
    assert!(out.all().contains("map key `KeyManager`"), "{out}");
    // A section the control plane refuses (its own, read-only) fails the plan, not the apply.
    w.h.write_config(&config(&w.td, &w.tdd, &[("Managed", READ_ONLY)], &[]));
    let out = w.h.tf_err(&["plan"]);
    assert!(out.all().contains("read-only"), "{out}");
    assert_eq!(w.td_config().version, "2", "validation stored nothing");

    // Create.
    w.h.write_config(&config(
        &w.td,
        &w.tdd,
        &[("KeyManager", KEY_MANAGER)],
        &[("AttributeRedaction", REDACTION)],
    ));
    w.h.apply();
    let td_state = w.attrs("spirl_trust_domain_config.td");
    assert_eq!(td_state["trust_domain_id"], w.td.as_str());
    assert_eq!(
        td_state["sections"]["KeyManager"], KEY_MANAGER,
        "the user's text is kept"
    );
    let remote = w.td_config();
    assert_eq!(td_state["version"], remote.version.as_str());
    assert!(
        !td_state["updated_at"]
            .as_str()
            .unwrap_or_default()
            .is_empty()
    );
    assert_eq!(
        names(&remote),
        [
            ("KeyManager".to_owned(), false),
            ("Managed".to_owned(), true)
        ]
    );
    let stored = &remote.sections[0].yaml;
    assert_ne!(
        stored, KEY_MANAGER,
        "the mock stores sections re-serialised"
    );
    assert_eq!(w.attrs("spirl_org_config.org")["id"], "ORG");
    let tdd_remote = w.remote(SectionScope::Deployment(w.tdd.clone()));
    assert_eq!(tdd_remote.sections.len(), 1);
    w.h.assert_plan_empty();

    // Formatting only: an update that sends nothing and keeps the version.
    let updates = w.updates();
    w.h.write_config(&config(
        &w.td,
        &w.tdd,
        &[("KeyManager", KEY_MANAGER_FLOW)],
        &[("AttributeRedaction", REDACTION)],
    ));
    let plan =
        w.h.assert_plan_changes("0 to add, 1 to change, 0 to destroy");
    assert!(
        !plan.stdout.contains("known after apply"),
        "the version stays: {plan}"
    );
    w.h.apply();
    assert_eq!(w.updates(), updates, "nothing sent for a formatting change");
    assert_eq!(w.td_config().version, remote.version);
    w.h.assert_plan_empty();

    // Import and compare: the imported state means the same as the managed one.
    let before = w.attrs("spirl_trust_domain_config.td");
    let org_before = w.attrs("spirl_org_config.org");
    w.h.tf_ok(&[
        "state",
        "rm",
        "spirl_trust_domain_config.td",
        "spirl_org_config.org",
    ]);
    w.h.tf_ok(&["import", "spirl_trust_domain_config.td", &w.td]);
    let out = w.h.tf_err(&["import", "spirl_org_config.org", "org"]);
    assert!(out.all().contains("with the id `ORG`"), "{out}");
    w.h.tf_ok(&["import", "spirl_org_config.org", "ORG"]);
    let after = w.attrs("spirl_trust_domain_config.td");
    for attr in ["trust_domain_id", "version", "updated_at"] {
        assert_eq!(after[attr], before[attr], "{attr}");
    }
    let imported = after["sections"]["KeyManager"].as_str().unwrap_or_default();
    assert!(terraform_provider_spirl::sections::same(
        imported,
        KEY_MANAGER
    ));
    assert_eq!(
        w.attrs("spirl_org_config.org")["version"],
        org_before["version"]
    );
    w.h.apply();
    w.h.assert_plan_empty();

    // Update in place: a changed value, a new section, a removed one (pruned on the server).
    let version = w.td_config().version;
    let changed = KEY_MANAGER.replace("us-east-1", "eu-west-1");
    w.h.write_config(&config(
        &w.td,
        &w.tdd,
        &[("KeyManager", &changed), ("AttributeRedaction", REDACTION)],
        &[],
    ));
    w.h.assert_plan_changes("0 to add, 2 to change, 0 to destroy");
    w.h.apply();
    let remote = w.td_config();
    assert_ne!(remote.version, version);
    assert!(terraform_provider_spirl::sections::same(
        &remote.sections[1].yaml,
        &changed
    ));
    assert!(
        w.remote(SectionScope::Org).sections.is_empty(),
        "org section pruned"
    );
    w.h.assert_plan_empty();

    // A concurrent change is an error naming both versions, not an overwrite.
    let seen = w.td_config().version;
    let sneaky = SectionsUpdate {
        sections: vec![(
            "Sneaky".into(),
            "section: Sneaky\nschema: v1\nspec: {a: 1}".into(),
        )],
        prune: false,
        ..SectionsUpdate::default()
    };
    w.h.block_on(
        w.client
            .update_config(&SectionScope::TrustDomain(w.td.clone()), &sneaky),
    )
    .expect("out-of-band update");
    w.h.write_config(&config(&w.td, &w.tdd, &[("KeyManager", KEY_MANAGER)], &[]));
    let out = w.h.tf_err(&["apply", "-auto-approve", "-refresh=false"]);
    assert!(
        out.all()
            .contains(&format!("version `{seen}` was expected")),
        "{out}"
    );
    assert!(
        w.td_config().sections.iter().any(|s| s.name == "Sneaky"),
        "nothing overwritten"
    );
    // With a refresh the plan shows the drift and repairs it.
    let plan = w.h.assert_plan_changes("1 to change");
    assert!(plan.stdout.contains("Sneaky"), "{plan}");
    w.h.apply();
    assert_eq!(
        names(&w.td_config()),
        [
            ("KeyManager".to_owned(), false),
            ("Managed".to_owned(), true)
        ]
    );
    w.h.assert_plan_empty();

    // Deleted out of band (every section pruned): the plan restores them.
    let wipe = SectionsUpdate {
        prune: true,
        ..SectionsUpdate::default()
    };
    w.h.block_on(
        w.client
            .update_config(&SectionScope::Deployment(w.tdd.clone()), &wipe),
    )
    .expect("out-of-band prune");
    w.h.assert_plan_changes("1 to change");
    w.h.apply();
    assert_eq!(
        w.remote(SectionScope::Deployment(w.tdd.clone()))
            .sections
            .len(),
        1
    );

    // Replace: another trust domain; the old one keeps only the control plane's section.
    w.h.write_config(&config(&w.td2, &w.tdd, &[("KeyManager", KEY_MANAGER)], &[]));
    w.h.assert_plan_changes("1 to add, 0 to change, 1 to destroy");
    w.h.apply();
    assert_eq!(names(&w.td_config()), [("Managed".to_owned(), true)]);
    assert_eq!(
        w.remote(SectionScope::TrustDomain(w.td2.clone()))
            .sections
            .len(),
        1
    );
    w.h.assert_plan_empty();

    // Destroy: only the control plane's own section is left.
    w.h.destroy();
    assert_eq!(w.h.mock_objects().scoped_sections, 1);
    assert_eq!(names(&w.td_config()), [("Managed".to_owned(), true)]);

    // The object gone with its configuration: the resource leaves the state, and create says
    // which id is unknown.
    w.h.write_config(&config(&w.td2, &w.tdd, &[("KeyManager", KEY_MANAGER)], &[]));
    w.h.apply();
    w.h.block_on(w.client.delete_trust_domain(&w.td2))
        .expect("delete trust domain");
    let out = w.h.tf_err(&["apply", "-auto-approve"]);
    assert!(out.all().contains("trust_domain_id"), "{out}");
    assert!(out.all().contains("not found"), "{out}");
    assert!(!out.all().contains("inconsistent"), "{out}");
}

/// The official provider's `spirl_cluster_config` example's sections.
const AGENT_ATTESTATION: &str = "section: AgentAttestation\nschema: v1\nspec:\n  policies:\n    - name: eks_cluster_policy\n      requiredAttestors:\n        - type: k8s_token\n          config:\n            issuerUrl: https://oidc.eks.us-east-1.amazonaws.com/id/ABCDEF123456\n";

fn cluster_config(cluster: &str, sections: &[(&str, &str)]) -> String {
    let map: String = sections
        .iter()
        .map(|(name, yaml)| format!("    {name} = {}\n", heredoc(yaml)))
        .collect();
    format!(
        "resource \"spirl_cluster_config\" \"cluster_configs\" {{\n  cluster_id = \"{cluster}\"\n\n  sections = {{\n{map}  }}\n}}\n"
    )
}

#[test]
fn scoped_sections_cluster_lifecycle_unknown_cluster_import_prune_and_cluster_gone() {
    use terraform_provider_spirl::client::{ClusterVersionSpec, CreateCluster, Platform};
    let Some(w) = start("config-cluster") else {
        return;
    };
    // An unknown cluster is named at cluster_id.
    w.h.write_config(&cluster_config(
        "c-unknown1",
        &[("AttributeRedaction", REDACTION)],
    ));
    let out = w.h.tf_err(&["apply", "-auto-approve"]);
    assert!(out.all().contains("cluster_id"), "{out}");
    assert!(out.all().contains("c-unknown1 not found"), "{out}");

    w.h.block_on(w.client.create_cluster(&CreateCluster {
        trust_domain_id: w.td.clone(),
        name: "eks".into(),
        description: String::new(),
        platform: Platform::Eks,
        realm_id: String::new(),
        version: ClusterVersionSpec {
            public_key_der: KeyPair::generate().public_key().to_spki_der(),
            ..ClusterVersionSpec::default()
        },
    }))
    .expect("create cluster");
    let cluster =
        w.h.block_on(w.client.find_cluster(&w.td, "eks"))
            .expect("find cluster")
            .expect("cluster")
            .id;
    let scope = SectionScope::Cluster(cluster.clone());
    w.h.write_config(&cluster_config(
        &cluster,
        &[
            ("AgentAttestation", AGENT_ATTESTATION),
            ("AttributeRedaction", REDACTION),
        ],
    ));
    w.h.apply();
    assert_eq!(w.remote(scope.clone()).sections.len(), 2);
    w.h.assert_plan_empty();

    let address = "spirl_cluster_config.cluster_configs";
    let before = w.attrs(address);
    w.h.tf_ok(&["state", "rm", address]);
    w.h.tf_ok(&["import", address, &cluster]);
    let after = w.attrs(address);
    assert_eq!(after["cluster_id"], before["cluster_id"]);
    assert_eq!(after["version"], before["version"]);
    w.h.apply();
    w.h.assert_plan_empty();

    // A section removed from the map is pruned.
    w.h.write_config(&cluster_config(
        &cluster,
        &[("AttributeRedaction", REDACTION)],
    ));
    w.h.apply();
    let remote = w.remote(scope.clone());
    assert_eq!(remote.sections.len(), 1);
    assert_eq!(remote.sections[0].name, "AttributeRedaction");

    // The cluster goes, and its configuration with it: refresh drops the resource.
    w.h.block_on(w.client.delete_cluster(&cluster))
        .expect("delete cluster");
    let out = w.h.tf_err(&["apply", "-auto-approve"]);
    assert!(out.all().contains("cluster_id"), "{out}");
    assert!(!out.all().contains("inconsistent"), "{out}");
    w.h.tf_ok(&["state", "list"]);
    assert_eq!(w.h.mock_objects().scoped_sections, 0);
}
