//! Acceptance tests of `examples/`, the files the registry docs show (run with `TF_ACC=1`):
//! every example is `terraform fmt` clean; every resource and data-source example applies
//! against the mock as written, plans empty and destroys; the commands of each `import.sh` work.
//! The ALB guide (it needs the helm provider) and the ephemeral resource (Terraform 1.10+, and it
//! needs helm too) are only format-checked; the provider example is validated. The cluster-agents
//! guide applies as written, with a stand-in `kubectl` on the `PATH` that records what it is
//! given; its per-document variant applies with `terraform_data` standing in for
//! `kubectl_manifest` (the kubectl provider is not available offline).

use std::collections::BTreeMap;
use std::path::Path;

use crate::support::{
    Harness, official_principals, out_of_band_client, seed_annotations, trust_domain,
    without_blocks, without_cluster_install,
};
use spirl_mock_api::MockOptions;
use terraform_provider_spirl::client::{ClusterVersionSpec, CreateCluster, Platform};
use terraform_provider_spirl::keys::KeyPair;

const EXAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples");

/// The trust-domain id the `import.sh` files use where the real one goes (the seed's spelling).
const PLACEHOLDER_TD_ID: &str = "td-abc123xyz";

/// The resource and data-source examples this file applies, as `<kind dir>/<type>`.
const APPLIED: [&str; 24] = [
    "data-sources/spirl_alb_ingress_annotations",
    "data-sources/spirl_cicd_profile",
    "data-sources/spirl_cluster",
    "data-sources/spirl_delegated_admin",
    "data-sources/spirl_realm",
    "data-sources/spirl_server_monitoring",
    "data-sources/spirl_service_account",
    "data-sources/spirl_trust_domain",
    "resources/spirl_cicd_profile",
    "resources/spirl_cicd_profile_link",
    "resources/spirl_cluster",
    "resources/spirl_cluster_config",
    "resources/spirl_federation_link",
    "resources/spirl_key_pair",
    "resources/spirl_org_config",
    "resources/spirl_provider_attestation_config",
    "resources/spirl_realm",
    "resources/spirl_realm_role_assignment",
    "resources/spirl_service_account",
    "resources/spirl_service_account_key",
    "resources/spirl_trust_domain",
    "resources/spirl_trust_domain_config",
    "resources/spirl_trust_domain_deployment",
    "resources/spirl_trust_domain_deployment_config",
];

fn example(rel: &str) -> String {
    let path = Path::new(EXAMPLES).join(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A harness whose `main.tf` is the example `rel` exactly as the docs show it; the harness
/// supplies `required_providers` and the mock's credentials through the environment.
fn start_with_example(test: &str, rel: &str) -> Option<Harness> {
    let h = Harness::start(test)?;
    h.write_config(&example(rel));
    Some(h)
}

/// Runs each `terraform import ADDRESS ID` line of `import.sh` (with the real trust-domain id
/// in place of the placeholder) on a resource removed from the state, then checks that the
/// configuration adopts it unchanged: same object, same values after an apply, empty plan.
fn check_import_commands(h: &Harness, rel: &str, td_id: &str) {
    check_import_commands_with(h, rel, &[(PLACEHOLDER_TD_ID, td_id)]);
}

/// [`check_import_commands`] with other placeholders: each `(placeholder, real id)` is replaced.
fn check_import_commands_with(h: &Harness, rel: &str, ids: &[(&str, &str)]) {
    let script = example(rel);
    let commands: Vec<(String, String)> = script
        .lines()
        .filter_map(|l| l.trim().strip_prefix("terraform import "))
        .map(|rest| {
            let words: Vec<&str> = rest.split_whitespace().collect();
            assert_eq!(
                words.len(),
                2,
                "`terraform import ADDRESS ID` in {rel}: {rest}"
            );
            let id = ids
                .iter()
                .fold(words[1].to_owned(), |id, (from, to)| id.replace(from, to));
            (words[0].to_owned(), id)
        })
        .collect();
    assert!(!commands.is_empty(), "{rel} shows an import command");
    let objects = h.mock_objects();
    for (address, id) in commands {
        // The address must be one the example declares.
        let before = h.resource(&address);
        h.tf_ok(&["state", "rm", &address]);
        h.tf_ok(&["import", &address, &id]);
        assert_eq!(
            h.resource(&address)["id"],
            before["id"],
            "imported with {id}"
        );
        h.apply();
        let (adopted, before) = (
            without_cluster_install(h.resource(&address)),
            without_cluster_install(before),
        );
        assert_eq!(adopted, before, "adopted unchanged after {id}");
        h.assert_plan_empty();
    }
    assert_eq!(h.mock_objects(), objects, "importing created nothing");
}

/// The deployment page's `import` block (Terraform 1.5+), in a configuration that refers to
/// the key by name, as the page says it may: the deployment and its key are adopted as they are.
fn check_import_block(h: &Harness, td_id: &str, key_id: &serde_json::Value) {
    const ADDRESS: &str = "spirl_trust_domain_deployment.example";
    h.write_file(
        "key_output.tf",
        &format!("output \"key_id\" {{\n  value = {ADDRESS}.keys[\"key1\"].id\n}}\n"),
    );
    h.apply();
    let before = h.resource(ADDRESS);
    let objects = h.mock_objects();
    h.tf_ok(&["state", "rm", ADDRESS]);
    let block = example("resources/spirl_trust_domain_deployment/import.tf");
    assert!(block.contains(PLACEHOLDER_TD_ID), "{block}");
    h.write_file("import.tf", &block.replace(PLACEHOLDER_TD_ID, td_id));
    h.apply();
    assert_eq!(h.resource(ADDRESS), before, "adopted unchanged");
    assert_eq!(
        &h.outputs()["key_id"],
        key_id,
        "the key keeps its registration"
    );
    assert_eq!(h.mock_objects(), objects, "importing created nothing");
    h.assert_plan_empty();
    std::fs::remove_file(h.path().join("import.tf")).expect("remove import.tf");
    std::fs::remove_file(h.path().join("key_output.tf")).expect("remove key_output.tf");
}

/// [`start_with_example`] for an example that makes service accounts: Terraform signs in with
/// the mock user's `spirlctl login` session, as the control plane wants.
fn start_as_user_with_example(test: &str, rel: &str) -> Option<Harness> {
    let h = super::spirlctl::without_key(test, MockOptions::default())?;
    super::spirlctl::spirlctl_login(&h);
    h.write_config(&example(rel));
    Some(h)
}

fn assert_mock_empty(h: &Harness) {
    assert_eq!(h.mock_objects(), Default::default());
}

#[test]
fn examples_fmt_check_recursive() {
    let Some(h) = Harness::start("examples_fmt") else {
        return;
    };
    let out = h.tf(&[
        "fmt",
        "-check",
        "-recursive",
        "-diff",
        "-no-color",
        EXAMPLES,
    ]);
    assert_eq!(
        out.code, 0,
        "run `terraform fmt -recursive examples`:\n{out}"
    );
}

#[test]
fn examples_every_resource_and_data_source_example_is_applied_here() {
    let mut found = Vec::new();
    for kind in ["resources", "data-sources"] {
        for entry in std::fs::read_dir(Path::new(EXAMPLES).join(kind)).expect("examples dir") {
            let entry = entry.expect("dir entry");
            found.push(format!("{kind}/{}", entry.file_name().to_string_lossy()));
        }
    }
    found.sort();
    assert_eq!(found, APPLIED, "add a test for each new example");
}

#[test]
fn examples_provider_validates() {
    let Some(h) = start_with_example("examples_provider", "provider/provider.tf") else {
        return;
    };
    // The example declares `required_providers` itself, as a module's root would.
    std::fs::remove_file(h.path().join("versions.tf")).expect("remove versions.tf");
    h.tf_ok(&["validate"]);
}

#[test]
fn examples_resource_trust_domain_apply_import_plan_destroy() {
    let Some(h) = start_with_example(
        "examples_trust_domain",
        "resources/spirl_trust_domain/resource.tf",
    ) else {
        return;
    };
    h.apply();
    let td = h.resource("spirl_trust_domain.example");
    assert_eq!(td["domain_name"], "example.org");
    let custom = h.resource("spirl_trust_domain.custom_issuer");
    assert_eq!(custom["jwt_issuer"], "https://oidc.staging.example.org");
    h.assert_plan_empty();
    assert_eq!(h.mock_objects().trust_domains, 2);

    let td_id = td["id"].as_str().expect("id").to_owned();
    check_import_commands(&h, "resources/spirl_trust_domain/import.sh", &td_id);

    h.destroy();
    assert_mock_empty(&h);
}

#[test]
fn examples_resource_trust_domain_deployment_apply_import_plan_destroy() {
    let Some(h) = start_with_example(
        "examples_deployment",
        "resources/spirl_trust_domain_deployment/resource.tf",
    ) else {
        return;
    };
    if h.terraform_version() < (1, 0, 6) {
        // Either the provider's refusal or, for `keys["key1"].id` in the outputs, Terraform
        // 1.0.x's own static check of nested attributes; never Terraform's crash.
        let out = h.tf_err(&["plan"]);
        let text = out.all();
        assert!(
            text.contains("Terraform 1.0.6 or later required")
                || text.contains("This value does not have any indices"),
            "{out}"
        );
        assert!(!text.contains("TERRAFORM CRASH"), "{out}");
        assert_mock_empty(&h);
        eprintln!("skipped the deployment example: it needs Terraform 1.0.6+");
        return;
    }
    h.apply();
    let deployment = h.resource("spirl_trust_domain_deployment.example");
    assert_eq!(h.outputs()["deployment_id"], deployment["id"]);
    let key_id = deployment["keys"]["key1"]["id"].clone();
    assert!(
        key_id.as_str().is_some_and(|k| k.starts_with("tdk-")),
        "{key_id}"
    );
    assert_eq!(
        deployment["keys"]["key1"]["public_key"],
        h.resource("spirl_key_pair.server")["public_key_pem"]
    );
    h.assert_plan_empty();
    let o = h.mock_objects();
    assert_eq!((o.trust_domains, o.deployments, o.keys), (1, 1, 1));

    let td_id = h.resource("spirl_trust_domain.example")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    check_import_commands(
        &h,
        "resources/spirl_trust_domain_deployment/import.sh",
        &td_id,
    );
    if h.terraform_version() >= (1, 5, 0) {
        check_import_block(&h, &td_id, &key_id);
    }

    h.destroy();
    assert_mock_empty(&h);
}

#[test]
fn examples_resource_key_pair_apply_plan_destroy_and_not_importable() {
    let Some(h) = start_with_example("examples_key_pair", "resources/spirl_key_pair/resource.tf")
    else {
        return;
    };
    h.apply();
    let key = h.resource("spirl_key_pair.server");
    let outputs = h.outputs();
    assert_eq!(outputs["public_key_pem"], key["public_key_pem"]);
    assert_eq!(outputs["fingerprint"], key["public_key_fingerprint_sha256"]);
    h.assert_plan_empty();
    // The docs say it cannot be imported, and there is no import.sh: the provider agrees.
    assert!(
        !Path::new(EXAMPLES)
            .join("resources/spirl_key_pair/import.sh")
            .exists()
    );
    h.tf_ok(&["state", "rm", "spirl_key_pair.server"]);
    let out = h.tf_err(&["import", "spirl_key_pair.server", "anything"]);
    assert!(out.all().contains("cannot be imported"), "{out}");
    h.destroy();
    assert_mock_empty(&h);
}

#[test]
fn examples_data_source_trust_domain_reads_an_existing_domain() {
    let Some(h) = start_with_example(
        "examples_trust_domain_data",
        "data-sources/spirl_trust_domain/data-source.tf",
    ) else {
        return;
    };
    // The example looks up a trust domain managed elsewhere: create it out of band.
    let client = out_of_band_client(h.mock());
    let existing = h
        .block_on(async {
            let id = client
                .create_trust_domain(&trust_domain("example.org"))
                .await?;
            client.trust_domain_info(&id).await
        })
        .expect("create trust domain");
    h.apply();
    let outputs = h.outputs();
    assert_eq!(outputs["trust_domain_id"], existing.id.as_str());
    assert_eq!(
        outputs["spiffe_bundle_endpoint"],
        existing.urls.spiffe_bundle_endpoint.as_str()
    );
    h.assert_plan_empty();
    h.destroy();
    // Reading is all a data source does: the trust domain is still there.
    assert_eq!(h.mock_objects().trust_domains, 1);
}

#[test]
fn examples_data_source_alb_ingress_annotations_render_the_guides_set() {
    let Some(h) = start_with_example(
        "examples_alb",
        "data-sources/spirl_alb_ingress_annotations/data-source.tf",
    ) else {
        return;
    };
    h.apply();
    let outputs = h.outputs();
    let annotations: BTreeMap<String, String> =
        serde_json::from_value(outputs["annotations"].clone()).expect("string map");
    assert_eq!(annotations, seed_annotations());

    let internal: BTreeMap<String, String> =
        serde_json::from_value(outputs["internal_annotations"].clone()).expect("string map");
    let prefix = "alb.ingress.kubernetes.io/";
    assert_eq!(internal[&format!("{prefix}scheme")], "internal");
    assert_eq!(internal[&format!("{prefix}group.name")], "spirl");
    assert_eq!(
        internal[&format!("{prefix}certificate-arn")],
        "arn:aws:acm:us-east-1:123456789012:certificate/abcd-1234"
    );
    assert_eq!(
        internal[&format!("{prefix}load-balancer-attributes")],
        "deletion_protection.enabled=true,idle_timeout.timeout_seconds=4000"
    );
    h.assert_plan_empty();
    h.destroy();
    assert_mock_empty(&h);
}

#[test]
fn examples_data_source_server_monitoring_renders_the_runbooks_rules() {
    let Some(h) = start_with_example(
        "examples_server_monitoring",
        "data-sources/spirl_server_monitoring/data-source.tf",
    ) else {
        return;
    };
    let applied = h.apply();
    assert!(
        !applied.all().contains("Latency alerts left out"),
        "{applied}"
    );
    let outputs = h.outputs();
    assert_eq!(outputs["alert_names"].as_array().map(Vec::len), Some(10));
    let stack = outputs["kube_prometheus_stack_values"]
        .as_str()
        .expect("a string");
    assert!(
        stack.starts_with("\"additionalPrometheusRulesMap\":"),
        "{stack}"
    );
    assert!(stack.contains("SpirlServerSvidIssuanceFailing"), "{stack}");
    let prod = outputs["prod_rules_yaml"].as_str().expect("a string");
    assert!(
        prod.contains("- name: spirl-server-tdd-abc123xyz-alerts"),
        "{prod}"
    );
    assert!(prod.contains("severity: page"), "{prod}");
    assert!(prod.contains("for: 30m"), "{prod}");
    assert!(
        outputs["health_queries"]["svid_mint_success_rate"].is_string(),
        "{outputs:?}"
    );
    h.assert_plan_empty();
    h.destroy();
    assert_mock_empty(&h);
}

#[test]
fn examples_resource_realm_apply_import_plan_destroy() {
    let Some(h) = start_with_example("examples_realm", "resources/spirl_realm/resource.tf") else {
        return;
    };
    h.apply();
    let production = h.resource("spirl_realm.production");
    assert_eq!(production["name"], "production");
    assert_eq!(h.resource("spirl_realm.staging")["name"], "staging");
    assert_eq!(h.mock_objects().realms, 2);
    h.assert_plan_empty();
    let id = production["id"].as_str().expect("id").to_owned();
    check_import_commands_with(
        &h,
        "resources/spirl_realm/import.sh",
        &[("rlm-abc123xyz", &id)],
    );
    h.destroy();
    assert_mock_empty(&h);
}

#[test]
fn examples_data_source_realm_reads_an_existing_realm() {
    let Some(h) = start_with_example(
        "examples_realm_data",
        "data-sources/spirl_realm/data-source.tf",
    ) else {
        return;
    };
    // The example reads a realm managed elsewhere: create it out of band.
    let client = out_of_band_client(h.mock());
    let realm = h
        .block_on(async {
            let td = client
                .create_trust_domain(&trust_domain("example.org"))
                .await?;
            client.create_realm(&td, "production").await
        })
        .expect("create realm");
    h.apply();
    assert_eq!(h.outputs()["realm_id"], realm.as_str());
    h.assert_plan_empty();
    h.destroy();
    assert_eq!(
        h.mock_objects().realms,
        1,
        "reading created and deleted nothing"
    );
}

/// Creates the self-hosted trust domain `name` out of band (the examples read it with the data
/// source); returns its id.
fn existing_trust_domain(h: &Harness, name: &str) -> String {
    let client = out_of_band_client(h.mock());
    h.block_on(client.create_trust_domain(&trust_domain(name)))
        .expect("create trust domain")
}

#[test]
fn examples_resource_cluster_apply_import_plan_destroy() {
    let Some(h) = start_with_example("examples_cluster", "resources/spirl_cluster/resource.tf")
    else {
        return;
    };
    // The key pair the example's `openssl` lines make.
    h.write_file(
        "cluster-public-key.pem",
        &KeyPair::generate().public_key().to_pem(),
    );
    let td = existing_trust_domain(&h, "example.com");
    h.apply();
    let objects = h.mock_objects();
    assert_eq!(
        (
            objects.clusters,
            objects.realms,
            objects.agent_attestation_configs
        ),
        (6, 1, 1)
    );
    // The keyless cluster: neither key nor PSAT, its agents attest through its config section.
    let attested = h.resource("spirl_cluster.attested_cluster");
    assert!(attested["public_key"].is_null(), "{attested}");
    assert!(attested["k8s_psat"].is_null(), "{attested}");
    assert_eq!(
        h.resource("spirl_cluster_config.attested_cluster")["cluster_id"],
        attested["id"]
    );
    let linux = h.resource("spirl_cluster.linux_cluster");
    assert_eq!(linux["platform"], "linux");
    // The agents' installation, in the outputs the example shows.
    let outputs = h.outputs();
    let manifest = outputs["my_cluster_agent_manifest"]
        .as_str()
        .expect("a manifest");
    assert!(manifest.contains("kind: DaemonSet"), "{manifest}");
    let files = &outputs["linux_cluster_agent_files"];
    assert_eq!(files["config"], linux["vm_agent_config"]);
    assert!(
        files["compose"]
            .as_str()
            .is_some_and(|c| c.contains("services:")),
        "{files}"
    );
    let prod = h.resource("spirl_cluster.prod_cluster");
    assert_eq!(prod["realm_id"], h.resource("spirl_realm.production")["id"]);
    assert_eq!(
        prod["path_template"],
        "/prod/{{kubernetes.pod.namespace}}/{{kubernetes.pod.service_account}}"
    );
    let eks = h.resource("spirl_cluster.eks_cluster");
    assert!(eks["public_key"].is_null(), "{eks}");
    assert_eq!(eks["k8s_psat"]["service_account_namespace"], "spirl-system");
    h.assert_plan_empty();
    check_import_commands(&h, "resources/spirl_cluster/import.sh", &td);
    h.destroy();
    let left = h.mock_objects();
    assert_eq!(
        (
            left.clusters,
            left.realms,
            left.agent_attestation_configs,
            left.trust_domains
        ),
        (0, 0, 0, 1),
        "everything but the trust domain the example only reads"
    );
}

#[test]
fn examples_data_source_cluster_reads_an_existing_cluster() {
    let Some(h) = start_with_example(
        "examples_cluster_data",
        "data-sources/spirl_cluster/data-source.tf",
    ) else {
        return;
    };
    let td = existing_trust_domain(&h, "example.com");
    let client = out_of_band_client(h.mock());
    h.block_on(client.create_cluster(&CreateCluster {
        trust_domain_id: td.clone(),
        name: "cluster-a".into(),
        description: String::new(),
        platform: Platform::Kubernetes,
        realm_id: String::new(),
        version: ClusterVersionSpec {
            public_key_der: KeyPair::generate().public_key().to_spki_der(),
            path_template: "/cluster-a/{{kubernetes.pod.namespace}}".into(),
            ..ClusterVersionSpec::default()
        },
    }))
    .expect("create cluster");
    h.apply();
    assert_eq!(
        h.outputs()["path_template"],
        "/cluster-a/{{kubernetes.pod.namespace}}"
    );
    h.assert_plan_empty();
    h.destroy();
    assert_eq!(h.mock_objects().clusters, 1, "reading changed nothing");
}

#[test]
fn examples_resource_provider_attestation_config_apply_import_plan_destroy() {
    let Some(h) = start_with_example(
        "examples_provider_attestation",
        "resources/spirl_provider_attestation_config/resource.tf",
    ) else {
        return;
    };
    h.apply();
    let config = h.resource("spirl_provider_attestation_config.test");
    assert_eq!(
        config["aws"]["role_arn"],
        "arn:aws:iam::123456789012:role/my-role"
    );
    h.assert_plan_empty();
    check_import_commands_with(
        &h,
        "resources/spirl_provider_attestation_config/import.sh",
        &[],
    );
    h.destroy();
    assert_mock_empty(&h);
}

#[test]
fn examples_resource_cicd_profile_and_link_apply_import_plan_destroy() {
    let Some(h) = start_with_example(
        "examples_cicd_profile",
        "resources/spirl_cicd_profile/resource.tf",
    ) else {
        return;
    };
    h.apply();
    assert_eq!(
        h.resource("spirl_cicd_profile.test")["issuer"],
        "https://gitlab.com"
    );
    h.assert_plan_empty();
    check_import_commands_with(&h, "resources/spirl_cicd_profile/import.sh", &[]);
    h.destroy();
    assert_mock_empty(&h);

    h.write_config(&example("resources/spirl_cicd_profile_link/resource.tf"));
    h.apply();
    let link = h.resource("spirl_cicd_profile_link.test");
    let profile = link["cicd_profile_id"]
        .as_str()
        .expect("profile")
        .to_owned();
    let cluster = link["cluster_id"].as_str().expect("cluster").to_owned();
    assert_eq!(h.mock_objects().cicd_profile_links, 1);
    h.assert_plan_empty();
    check_import_commands_with(
        &h,
        "resources/spirl_cicd_profile_link/import.sh",
        &[("cicdp-abc123xyz", &profile), ("c-abc123xyz", &cluster)],
    );
    h.destroy();
    assert_mock_empty(&h);
}

#[test]
fn examples_data_source_cicd_profile_reads_an_existing_profile() {
    let Some(h) = start_with_example(
        "examples_cicd_profile_data",
        "data-sources/spirl_cicd_profile/data-source.tf",
    ) else {
        return;
    };
    let client = out_of_band_client(h.mock());
    h.block_on(client.create_cicd_profile(
        "my-github-cluster",
        "https://token.actions.githubusercontent.com",
        "",
    ))
    .expect("create profile");
    h.apply();
    assert_eq!(
        h.outputs()["issuer"],
        "https://token.actions.githubusercontent.com"
    );
    h.assert_plan_empty();
    h.destroy();
    assert_eq!(h.mock_objects().cicd_profiles, 1, "reading changed nothing");
}

/// Applies the example `rel` in `h` (with `tfvars`, when given), checks its `import.sh` with
/// `ids` in place of the placeholders, and destroys it.
fn apply_import_destroy(
    h: &Harness,
    rel: &str,
    tfvars: &str,
    ids: &dyn Fn(&Harness) -> Vec<(&'static str, String)>,
) {
    h.write_config(&example(&format!("{rel}/resource.tf")));
    h.write_file("terraform.tfvars", tfvars);
    h.apply();
    h.assert_plan_empty();
    let ids = ids(h);
    let ids: Vec<(&str, &str)> = ids.iter().map(|(from, to)| (*from, to.as_str())).collect();
    check_import_commands_with(h, &format!("{rel}/import.sh"), &ids);
    h.destroy();
}

fn id_of(h: &Harness, address: &str, attr: &str) -> String {
    h.resource(address)[attr]
        .as_str()
        .unwrap_or_else(|| panic!("{address}.{attr}"))
        .to_owned()
}

#[test]
fn examples_resource_scoped_sections_apply_import_plan_destroy() {
    let Some(h) = Harness::start("examples_scoped_sections") else {
        return;
    };
    apply_import_destroy(&h, "resources/spirl_org_config", "", &|_| Vec::new());
    apply_import_destroy(&h, "resources/spirl_trust_domain_config", "", &|h| {
        vec![(
            PLACEHOLDER_TD_ID,
            id_of(h, "spirl_trust_domain.example", "id"),
        )]
    });
    apply_import_destroy(
        &h,
        "resources/spirl_trust_domain_deployment_config",
        "",
        &|h| {
            let tdd = id_of(h, "spirl_trust_domain_deployment.example", "id");
            vec![("tdd-abc123xyz", tdd)]
        },
    );
    assert_mock_empty(&h);
    // The cluster example configures a cluster made elsewhere.
    let client = out_of_band_client(h.mock());
    let cluster = h
        .block_on(async {
            let td = client
                .create_trust_domain(&trust_domain("clusters.example"))
                .await?;
            client
                .create_cluster(&CreateCluster {
                    trust_domain_id: td.clone(),
                    name: "eks".into(),
                    description: String::new(),
                    platform: Platform::Eks,
                    realm_id: String::new(),
                    version: ClusterVersionSpec {
                        public_key_der: terraform_provider_spirl::keys::KeyPair::generate()
                            .public_key()
                            .to_spki_der(),
                        ..ClusterVersionSpec::default()
                    },
                })
                .await?;
            client.find_cluster(&td, "eks").await
        })
        .expect("cluster")
        .expect("cluster listed")
        .id;
    let tfvars = format!("cluster_id = \"{cluster}\"\n");
    apply_import_destroy(&h, "resources/spirl_cluster_config", &tfvars, &|_| {
        vec![("c-abc123xyz", cluster.clone())]
    });
    assert_eq!(h.mock_objects().scoped_sections, 0);
}

#[test]
fn examples_resource_federation_link_apply_import_plan_destroy() {
    let Some(h) = Harness::start("examples_federation_link") else {
        return;
    };
    apply_import_destroy(&h, "resources/spirl_federation_link", "", &|h| {
        vec![(
            PLACEHOLDER_TD_ID,
            id_of(h, "spirl_trust_domain.payments", "id"),
        )]
    });
    assert_eq!(h.mock_objects(), Default::default());
}

#[test]
fn examples_access_role_assignment_service_account_and_delegated_admin() {
    let Some(h) = Harness::start_with("examples_access", official_principals()) else {
        return;
    };
    let client = out_of_band_client(h.mock());
    let td = h
        .block_on(client.create_trust_domain(&trust_domain("access.example")))
        .expect("trust domain");
    h.block_on(client.create_realm(&td, "production"))
        .expect("realm");
    let tfvars = format!("trust_domain_id = \"{td}\"\nrealm_name = \"production\"\n");
    h.write_config(&example(
        "resources/spirl_realm_role_assignment/resource.tf",
    ));
    h.write_file("terraform.tfvars", &tfvars);
    h.apply();
    h.assert_plan_empty();
    let user_admin = id_of(&h, "spirl_realm_role_assignment.user_admin", "id");
    check_import_commands_with(
        &h,
        "resources/spirl_realm_role_assignment/import.sh",
        &[("ra-abc123xyz", &user_admin)],
    );
    // The data sources, beside the assignments they read (the delegated-admin example declares
    // the same variable as the resource example: one of the two is renamed).
    h.write_file(
        "terraform.tfvars",
        &format!("{tfvars}unused_trust_domain_id = \"{td}\"\n"),
    );
    h.write_file(
        "service_account.tf",
        &example("data-sources/spirl_service_account/data-source.tf"),
    );
    h.write_file(
        "delegated_admin.tf",
        &example("data-sources/spirl_delegated_admin/data-source.tf").replace(
            "variable \"trust_domain_id\"",
            "variable \"unused_trust_domain_id\"",
        ),
    );
    h.apply();
    let outputs = h.outputs();
    assert!(
        outputs["automation_service_account_id"]
            .as_str()
            .is_some_and(|id| id.starts_with("sa-")),
        "{outputs:?}"
    );
    assert_eq!(outputs["admin_assignment_id"], user_admin.as_str());
    h.assert_plan_empty();
    h.destroy();
    assert_eq!(h.mock_objects().role_assignments, 0);
}

#[test]
fn examples_resource_service_account_apply_import_plan_destroy() {
    let Some(h) = start_as_user_with_example(
        "examples_service_account",
        "resources/spirl_service_account/resource.tf",
    ) else {
        return;
    };
    h.apply();
    let ci = h.resource("spirl_service_account.ci");
    assert_eq!(ci["role_name"], "Operator");
    assert_eq!(
        h.resource("spirl_service_account.terraform")["force_destroy"],
        true
    );
    assert_eq!(h.mock_objects().service_accounts, 2);
    h.assert_plan_empty();
    let id = ci["id"].as_str().expect("id").to_owned();
    check_import_commands_with(
        &h,
        "resources/spirl_service_account/import.sh",
        &[("sa-abc123xyz", &id)],
    );
    h.destroy();
    assert_mock_empty(&h);
}

#[test]
fn examples_resource_service_account_key_apply_import_plan_destroy() {
    let Some(h) = start_as_user_with_example(
        "examples_service_account_key",
        "resources/spirl_service_account_key/resource.tf",
    ) else {
        return;
    };
    if h.terraform_version() < (1, 11, 0) {
        eprintln!("skipped: the example's second key is write-only (Terraform 1.11+)");
        return;
    }
    h.apply();
    let key = h.resource("spirl_service_account_key.ci");
    assert_eq!(
        key["fingerprint_sha256"],
        h.resource("spirl_key_pair.ci")["public_key_fingerprint_sha256"]
    );
    assert_eq!(
        h.resource("spirl_service_account_key.ci_next")["active"],
        false
    );
    assert_eq!(h.mock_objects().service_account_keys, 2);
    h.assert_plan_empty();
    let id = key["id"].as_str().expect("id").to_owned();
    check_import_commands_with(
        &h,
        "resources/spirl_service_account_key/import.sh",
        &[("sak-abc123xyz", &id)],
    );
    h.destroy();
    assert_mock_empty(&h);
}

/// A stand-in for `kubectl` on the `PATH` of Terraform (and so of its `local-exec`
/// provisioners): it records each call's arguments and standard input, and succeeds.
struct FakeKubectl {
    dir: std::path::PathBuf,
}

impl FakeKubectl {
    fn install(h: &mut Harness) -> FakeKubectl {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = h.path().join("kubectl-bin");
        std::fs::create_dir_all(&dir).expect("stand-in dir");
        let script = dir.join("kubectl");
        std::fs::write(
            &script,
            "#!/bin/sh\nset -e\ndir=$(dirname \"$0\")\necho \"$*\" >> \"$dir/calls\"\n\
             n=$(wc -l < \"$dir/calls\")\ncat > \"$dir/stdin-$n\"\n",
        )
        .expect("write the stand-in");
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755))
            .expect("make the stand-in executable");
        let path = std::env::var("PATH").unwrap_or_default();
        h.set_env("PATH", &format!("{}:{path}", dir.display()));
        FakeKubectl { dir }
    }

    /// Each call so far: its arguments, and what it read from standard input.
    fn calls(&self) -> Vec<(String, String)> {
        let Ok(calls) = std::fs::read_to_string(self.dir.join("calls")) else {
            return Vec::new();
        };
        calls
            .lines()
            .enumerate()
            .map(|(i, args)| {
                let stdin = std::fs::read_to_string(self.dir.join(format!("stdin-{}", i + 1)))
                    .expect("the call's input");
                (args.to_owned(), stdin)
            })
            .collect()
    }
}

fn yaml_documents(text: &str) -> Vec<yaml_rust2::Yaml> {
    yaml_rust2::YamlLoader::load_from_str(text).unwrap_or_else(|e| panic!("{e}:\n{text}"))
}

/// The documents of `cluster`'s `kubernetes_manifests`, parsed.
fn manifest_documents(cluster: &serde_json::Value) -> Vec<yaml_rust2::Yaml> {
    cluster["kubernetes_manifests"]
        .as_array()
        .expect("kubernetes_manifests")
        .iter()
        .flat_map(|d| yaml_documents(d.as_str().expect("a document")))
        .collect()
}

#[test]
fn examples_guide_cluster_agents_installs_in_one_apply_again_on_a_new_version_and_uninstalls() {
    let Some(mut h) = Harness::start("examples_guide_cluster_agents") else {
        return;
    };
    // The example declares its providers itself, as a module's root would.
    std::fs::remove_file(h.path().join("versions.tf")).expect("remove versions.tf");
    h.write_config(&example("guides/cluster-agents/main.tf"));
    let kubectl = FakeKubectl::install(&mut h);
    h.apply();
    let cluster = h.resource("spirl_cluster.prod");
    let private_key = h.resource("spirl_key_pair.cluster")["private_key_pem"].clone();
    // What kubectl applied: the manifest's documents, then the Secret with the private key.
    let installed = |calls: &[(String, String)], cluster: &serde_json::Value| {
        let (args, stdin) = calls.last().expect("kubectl was called");
        assert_eq!(args, "apply -f -");
        let mut documents = yaml_documents(stdin);
        let secret = documents.pop().expect("the Secret");
        assert_eq!(documents, manifest_documents(cluster), "the manifest");
        assert_eq!(secret["kind"].as_str(), Some("Secret"));
        let key = secret["data"]["agent-key.pem"].as_str().expect("the key");
        let key = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, key)
            .expect("base64");
        String::from_utf8(key).expect("PEM")
    };
    let calls = kubectl.calls();
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert_eq!(
        installed(&calls, &cluster),
        private_key.as_str().expect("a PEM")
    );
    // The Secret is the one the manifest mounts.
    assert!(
        str_in(&cluster, "kubernetes_manifest").contains("secretName: spirl-agent-key"),
        "{cluster}"
    );
    let kinds = &h.outputs()["agent_objects"];
    assert_eq!(kinds[0], "Namespace", "{kinds}");
    h.assert_plan_empty();
    assert_eq!(kubectl.calls().len(), 1, "nothing to install again");

    // A new key pair: a new version, installed again with its key in the same apply.
    h.tf_ok(&[
        "apply",
        "-auto-approve",
        "-input=false",
        "-replace=spirl_key_pair.cluster",
    ]);
    let renewed = h.resource("spirl_cluster.prod");
    assert_ne!(renewed["version_id"], cluster["version_id"]);
    let calls = kubectl.calls();
    assert_eq!(calls.len(), 2, "{calls:?}");
    let new_key = h.resource("spirl_key_pair.cluster")["private_key_pem"].clone();
    assert_ne!(new_key, private_key);
    assert_eq!(
        installed(&calls, &renewed),
        new_key.as_str().expect("a PEM")
    );
    h.assert_plan_empty();

    // Destroy uninstalls the agents before the cluster goes.
    h.destroy();
    let calls = kubectl.calls();
    let (args, stdin) = calls.last().expect("kubectl was called");
    assert_eq!(args, "delete --ignore-not-found -f -");
    assert_eq!(yaml_documents(stdin), manifest_documents(&renewed));
    assert_mock_empty(&h);
}

fn str_in<'a>(v: &'a serde_json::Value, attr: &str) -> &'a str {
    v[attr].as_str().unwrap_or_else(|| panic!("{attr}: {v}"))
}

#[test]
fn examples_guide_cluster_agents_per_document_applies_after_a_targeted_apply() {
    let Some(h) = Harness::start("examples_guide_cluster_agents_per_document") else {
        return;
    };
    let guide = example("guides/cluster-agents-per-document/main.tf");
    // terraform_data stands in for kubectl_manifest: for_each, keys and values are the guide's.
    let stand_in = without_blocks(&guide, &["terraform {", "provider \"kubectl\""])
        .replace(
            "resource \"kubectl_manifest\"",
            "resource \"terraform_data\"",
        )
        .replace("kubectl_manifest.", "terraform_data.")
        .replace("yaml_body", "input");
    assert!(!stand_in.contains("kubectl_manifest"), "{stand_in}");
    h.write_config(&stand_in);
    // As the guide says: the keys cannot be planned before the cluster's manifest is known.
    let refused = h.tf_err(&["plan", "-input=false"]);
    assert!(
        refused.said().contains("Invalid for_each argument"),
        "{refused}"
    );
    let targeted = [
        "apply",
        "-auto-approve",
        "-input=false",
        "-target=spirl_cluster.prod",
    ];
    h.tf_ok(&targeted);
    h.apply();
    let cluster = h.resource("spirl_cluster.prod");
    // One object per document, keyed by kind, namespace and name.
    let objects = |h: &Harness| -> BTreeMap<String, String> {
        h.state()["values"]["root_module"]["resources"]
            .as_array()
            .expect("resources")
            .iter()
            .filter(|r| {
                r["address"]
                    .as_str()
                    .is_some_and(|a| a.starts_with("terraform_data.agent["))
            })
            .map(|r| {
                (
                    r["index"].as_str().expect("a key").to_owned(),
                    r["values"]["input"]
                        .as_str()
                        .expect("a document")
                        .to_owned(),
                )
            })
            .collect()
    };
    let installed = objects(&h);
    let keys: Vec<&str> = installed.keys().map(String::as_str).collect();
    assert!(keys.contains(&"Namespace/spirl-system"), "{keys:?}");
    assert!(
        keys.contains(&"DaemonSet/spirl-system/spirl-agent"),
        "{keys:?}"
    );
    let documents: Vec<&serde_json::Value> = cluster["kubernetes_manifests"]
        .as_array()
        .expect("documents")
        .iter()
        .collect();
    assert_eq!(installed.len(), documents.len());
    assert!(
        documents
            .iter()
            .all(|d| installed.values().any(|v| d.as_str() == Some(v)))
    );
    // The Secret, after the objects (its namespace among them).
    let secret = yaml_documents(str_in(&h.resource("terraform_data.agent_key"), "input"));
    assert_eq!(secret[0]["kind"].as_str(), Some("Secret"));
    assert_eq!(
        secret[0]["metadata"]["name"].as_str(),
        Some("spirl-agent-key")
    );
    h.assert_plan_empty();

    // A new version: targeted first again, then the same objects change in place.
    let refused = h.tf_err(&["plan", "-input=false", "-replace=spirl_key_pair.cluster"]);
    assert!(
        refused.said().contains("Invalid for_each argument"),
        "{refused}"
    );
    h.tf_ok(&[&targeted[..], &["-replace=spirl_key_pair.cluster"]].concat());
    h.apply();
    let renewed = objects(&h);
    assert_eq!(
        renewed.keys().collect::<Vec<_>>(),
        installed.keys().collect::<Vec<_>>()
    );
    assert_ne!(renewed, installed, "the version's objects changed");
    h.assert_plan_empty();
    h.destroy();
    assert_mock_empty(&h);
}
