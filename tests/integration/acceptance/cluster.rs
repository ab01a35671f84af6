//! Acceptance tests of `spirl_cluster` (resource and data source) with the real Terraform CLI
//! against the gRPC mock (run with `TF_ACC=1`): one lifecycle that walks create, data source,
//! import, versions made in place (precise plans), version history, PSAT attestation,
//! replacement, repairs of out-of-band changes, the refused delete of a cluster with agents, and
//! destroy; and the agents' installation files (`kubernetes_manifest`, `kubernetes_manifests`,
//! `vm_agent_config`, `vm_docker_compose_yaml`) from create through new versions, refresh,
//! import and a lost answer.

use crate::support::Action::{Create, Replace, Update};
use crate::support::{
    CLUSTER_INSTALL_ATTRIBUTES, Harness, Is, Lifecycle, Step, out_of_band_client,
    without_cluster_install,
};
use serde_json::Value as Json;
use spirl_mock_api::Faults;

const ADDRESS: &str = "spirl_cluster.my_cluster";
const CLUSTER_API: &str = "/com.spirl.api.v1.cluster.API/";

/// The trust domain, realm, two key pairs and the cluster with `body`, read back by the data
/// source.
fn config(body: &str) -> String {
    format!(
        r#"
resource "spirl_trust_domain" "td" {{
  domain_name = "clusters.example.org"
}}

resource "spirl_realm" "production" {{
  trust_domain_id = spirl_trust_domain.td.id
  name            = "production"
}}

resource "spirl_key_pair" "k1" {{
  algorithm = "ed25519"
}}

resource "spirl_key_pair" "k2" {{
  algorithm = "ed25519"
}}

resource "spirl_cluster" "my_cluster" {{
  trust_domain_id = spirl_trust_domain.td.id
  name            = "my-cluster"
  platform        = "k8s"
{body}
}}

data "spirl_cluster" "read" {{
  trust_domain_id = spirl_cluster.my_cluster.trust_domain_id
  name            = spirl_cluster.my_cluster.name
}}

output "read" {{
  value = data.spirl_cluster.read
}}
"#
    )
}

/// The installation files, which only the answers that make a version carry.
const INSTALL: [&str; 4] = CLUSTER_INSTALL_ATTRIBUTES;

fn calls(h: &Harness, method: &str) -> u64 {
    h.mock_requests(&format!("{CLUSTER_API}{method}"))
}

fn str_of<'a>(v: &'a Json, attr: &str) -> &'a str {
    v[attr]
        .as_str()
        .unwrap_or_else(|| panic!("{attr} is not a string: {v}"))
}

/// What a new version of a Kubernetes cluster leaves unknown in the plan: the version and its
/// installation files, nothing else.
const VERSION_MADE_K8S: [&str; 4] = [
    "version_id",
    "version_created_at",
    "kubernetes_manifest",
    "kubernetes_manifests",
];

/// A new version activated in place: one update, with only the version and its installation
/// files unknown.
fn new_version(step: Step) -> Step {
    step.plan([(ADDRESS, Update)])
        .plan_unknown(ADDRESS, VERSION_MADE_K8S)
        .plan_lacks("must be replaced")
        .state(ADDRESS, "id", Is::Unchanged)
        .state(ADDRESS, "version_id", Is::Changed)
}

#[test]
fn cluster_lifecycle_versions_in_place_import_replace_repair_destroy() {
    let Some(h) = Harness::start("cluster_lifecycle") else {
        return;
    };
    let client = out_of_band_client(h.mock());
    let base = r#"  description         = "A cluster created with terraform"
  realm_name          = spirl_realm.production.name
  num_version_history = 3"#;
    let mut t = Lifecycle::new(&h);
    let applied = t.step(
        Step::config(config(&format!(
            "{base}\n  public_key = spirl_key_pair.k1.public_key_pem"
        )))
        .state(ADDRESS, "id", Is::prefix("c-"))
        .state(
            ADDRESS,
            "realm_id",
            Is::same("spirl_realm.production", "id"),
        )
        .state(ADDRESS, "realm_name", "production")
        // The platform's default, read back.
        .state(
            ADDRESS,
            "path_template",
            "/my-cluster/ns/{{kubernetes.pod.namespace}}/sa/{{kubernetes.pod.service_account}}",
        )
        .state(ADDRESS, "x509_customization_template", Is::Null)
        .state(ADDRESS, "version_id", Is::prefix("cv-"))
        .state(ADDRESS, "created_at", Is::Rfc3339)
        .state(ADDRESS, "version_created_at", Is::Rfc3339),
    );
    let created = applied.resource(ADDRESS);
    let id = str_of(&created, "id").to_owned();
    // The cluster's versions on the control plane, and how many of them are active.
    let versions = || {
        let listed = h
            .block_on(client.list_cluster_versions(&id))
            .expect("versions");
        let active = listed.iter().filter(|v| v.active).count();
        (listed, active)
    };
    // The data source reads what the resource holds.
    let read = applied.output("read");
    for attr in [
        "id",
        "public_key",
        "path_template",
        "realm_id",
        "realm_name",
        "version_id",
        "platform",
        "description",
    ] {
        assert_eq!(read[attr], created[attr], "{attr}");
    }

    // Import by `td-…/name`: the same cluster; num_version_history lives only in the
    // configuration, so the next apply sets it without touching the control plane's versions.
    let td = str_of(&created, "trust_domain_id").to_owned();
    // What is no `td-…/name`, or names no cluster, is refused with what to give instead.
    for bad in ["my-cluster", "td-x/", &format!("{td}/other")] {
        t.step(
            Step::import(ADDRESS)
                .id(bad)
                .expect_error("Cannot import cluster"),
        );
    }
    t.step(
        Step::import(ADDRESS)
            .id(format!("{td}/my-cluster"))
            .ignore([
                "num_version_history",
                "kubernetes_manifest",
                "kubernetes_manifests",
            ])
            .plan([(ADDRESS, Update)]),
    );
    let versions_made = calls(&h, "NewClusterVersion");
    let adopted = t.step(Step::same_config().plan([(ADDRESS, Update)]));
    // The same, but for the installation files, which an import cannot read.
    assert_eq!(
        without_cluster_install(adopted.resource(ADDRESS)),
        without_cluster_install(created.clone())
    );
    assert!(adopted.get(ADDRESS, "kubernetes_manifest").is_null());
    assert_eq!(calls(&h, "NewClusterVersion"), versions_made);

    // A new key is a new version, activated in place: the plan says exactly that.
    let with_key2 = format!("{base}\n  public_key = spirl_key_pair.k2.public_key_pem");
    let rekeyed = t.step(
        new_version(Step::config(config(&with_key2)))
            .state(
                ADDRESS,
                "public_key",
                Is::same("spirl_key_pair.k2", "public_key_pem"),
            )
            // Kept.
            .state(ADDRESS, "path_template", Is::Unchanged),
    );
    assert_ne!(rekeyed.get(ADDRESS, "version_id"), created["version_id"]);
    let (listed, active) = versions();
    assert_eq!((listed.len(), active), (2, 1), "{listed:?}");

    // The same key with other line endings is no change: keys compare as keys.
    t.step(
        Step::config(config(&format!(
            "{base}\n  public_key = replace(spirl_key_pair.k2.public_key_pem, \"\\n\", \"\\r\\n\")"
        )))
        .plan_only(),
    );

    // More versions than num_version_history: the oldest inactive ones go.
    for template in ["CN=v3", "CN=v4", "CN=v5"] {
        t.step(new_version(Step::config(config(&format!(
            "{with_key2}\n  x509_customization_template = \"{template}\"\n  path_template = \"/prod/{{{{kubernetes.pod.namespace}}}}\""
        )))));
    }
    let (listed, _) = versions();
    assert_eq!(listed.len(), 3, "{listed:?}");
    let now = t.state().resource(ADDRESS);
    assert_eq!(now["x509_customization_template"], "CN=v5");
    assert_eq!(now["path_template"], "/prod/{{kubernetes.pod.namespace}}");
    assert_eq!(
        listed.last().map(|v| v.id.as_str()),
        now["version_id"].as_str()
    );

    // PSAT attestation instead of the key: a version naming an attestation configuration; the
    // block's defaults are planned, not left to apply.
    let psat = format!(
        "{base}\n  k8s_psat {{\n    issuer_url = \"https://oidc.eks.us-west-2.amazonaws.com/id/EXAMPLE123\"\n  }}"
    );
    let attested = t.step(
        Step::config(config(&psat))
            .plan([(ADDRESS, Update)])
            .plan_says("\"spirl-system\"")
            .state(ADDRESS, "public_key", Is::Null)
            .state(ADDRESS, "k8s_psat.service_account_name", "spirl-agent"),
    );
    let active = attested.str(ADDRESS, "version_id");
    assert_eq!(h.mock_objects().agent_attestation_configs, 1);

    // Out of band: the active version deactivated. The plan activates a version again.
    h.block_on(client.deactivate_cluster_version(&active))
        .expect("deactivate");
    t.step(Step::same_config().plan([(ADDRESS, Update)]));
    let (listed, active) = versions();
    assert_eq!(active, 1, "{listed:?}");

    // The description cannot change in place: a new cluster.
    let id = t
        .step(
            Step::config(config(&psat.replace("created with terraform", "replaced")))
                .plan([(ADDRESS, Replace)])
                .plan_says("must be replaced")
                .state(ADDRESS, "id", Is::Changed),
        )
        .str(ADDRESS, "id");
    assert_eq!(h.mock_objects().clusters, 1);
    assert_eq!(
        h.mock_objects().agent_attestation_configs,
        1,
        "the old cluster's went with it"
    );

    // Deleted out of band: recreated.
    // (Its agent attestation configuration too, as whoever deletes a cluster by hand would.)
    h.block_on(async {
        let versions = client.list_cluster_versions(&id).await?;
        client.delete_cluster(&id).await?;
        for v in versions
            .iter()
            .filter(|v| !v.agent_attestation_config_id.is_empty())
        {
            client
                .delete_agent_attestation(&v.agent_attestation_config_id)
                .await?;
        }
        Ok::<_, terraform_provider_spirl::client::ApiError>(())
    })
    .expect("delete out of band");
    let id = t
        .step(Step::same_config().plan([(ADDRESS, Create)]))
        .str(ADDRESS, "id");

    // Agents connected: destroy is refused with what to do, and nothing is lost.
    h.mock().state.set_active_agents(&id, 2).expect("agents");
    t.step(
        Step::destroy()
            .expect_error("Could not delete cluster")
            .expect_error("2 active agents")
            .expect_error("Uninstall the SPIRL agent"),
    );
    assert_eq!(h.mock_objects().clusters, 1);
    h.mock().state.set_active_agents(&id, 0).expect("agents");
    t.finish();
}

/// What the plan of a new cluster (whose trust domain and key are made in the same apply)
/// leaves unknown: its computed attributes, with the installation `files` of its platform.
fn unknown_on_create(files: [&'static str; 2]) -> [&'static str; 10] {
    [
        "id",
        "created_at",
        "realm_id",
        "path_template",
        "version_id",
        "version_created_at",
        "trust_domain_id",
        "public_key",
        files[0],
        files[1],
    ]
}

const K8S: &str = "spirl_cluster.k8s";
const HOSTS: &str = "spirl_cluster.hosts";

/// A Kubernetes cluster and a Linux node group with keys `k8s_key` and `hosts_key` (names of
/// `spirl_key_pair`s), and the data source reading the Kubernetes one.
fn install_config(k8s_key: &str, hosts_key: &str) -> String {
    format!(
        r#"
resource "spirl_trust_domain" "td" {{
  domain_name = "agents.example.org"
}}

resource "spirl_key_pair" "a" {{}}
resource "spirl_key_pair" "b" {{}}
resource "spirl_key_pair" "c" {{}}

resource "spirl_cluster" "k8s" {{
  trust_domain_id = spirl_trust_domain.td.id
  name            = "k8s"
  platform        = "k8s"
  public_key      = spirl_key_pair.{k8s_key}.public_key_pem
}}

resource "spirl_cluster" "hosts" {{
  trust_domain_id = spirl_trust_domain.td.id
  name            = "hosts"
  platform        = "linux"
  public_key      = spirl_key_pair.{hosts_key}.public_key_pem
}}

data "spirl_cluster" "read" {{
  trust_domain_id = spirl_cluster.k8s.trust_domain_id
  name            = spirl_cluster.k8s.name
}}

output "read" {{
  value = data.spirl_cluster.read
}}
"#
    )
}

fn parse_yaml(text: &str) -> Vec<yaml_rust2::Yaml> {
    yaml_rust2::YamlLoader::load_from_str(text).unwrap_or_else(|e| panic!("{e}:\n{text}"))
}

/// Checks the Kubernetes installation of `cluster` (its state): the whole manifest names the
/// cluster and its active version, and `kubernetes_manifests` holds its documents, one each, in
/// order; no VM files.
fn assert_kubernetes_install(cluster: &Json) {
    let whole = str_of(cluster, "kubernetes_manifest");
    for text in [str_of(cluster, "id"), str_of(cluster, "version_id")] {
        assert!(whole.contains(text), "{text} in {whole}");
    }
    let documents: Vec<&str> = cluster["kubernetes_manifests"]
        .as_array()
        .expect("kubernetes_manifests is a list")
        .iter()
        .map(|d| d.as_str().expect("a string"))
        .collect();
    let parsed = parse_yaml(whole);
    assert_eq!(documents.len(), parsed.len(), "{documents:?}");
    assert!(documents.len() >= 5, "{documents:?}");
    for (text, whole_doc) in documents.iter().zip(&parsed) {
        let one = parse_yaml(text);
        assert_eq!(one.len(), 1, "one document: {text}");
        assert_eq!(&one[0], whole_doc, "in order, as written");
        assert!(one[0]["kind"].as_str().is_some(), "{text}");
        assert!(whole.contains(text.trim_end()), "kept as written: {text}");
    }
    assert!(!whole.contains("PRIVATE KEY"), "{whole}");
    assert!(cluster["vm_agent_config"].is_null(), "{cluster}");
    assert!(cluster["vm_docker_compose_yaml"].is_null(), "{cluster}");
}

/// Checks the Linux installation of `cluster`: the agent's configuration and the Compose file
/// parse, and name the cluster's active version; no Kubernetes manifest.
fn assert_vm_install(cluster: &Json) {
    let config = str_of(cluster, "vm_agent_config");
    let parsed = parse_yaml(config);
    assert_eq!(parsed[0]["clusterID"].as_str(), cluster["id"].as_str());
    assert_eq!(
        parsed[0]["clusterVersionID"].as_str(),
        cluster["version_id"].as_str()
    );
    let compose = parse_yaml(str_of(cluster, "vm_docker_compose_yaml"));
    assert!(
        !compose[0]["services"]["spirl-agent"]["image"].is_badvalue(),
        "{cluster}"
    );
    assert!(cluster["kubernetes_manifest"].is_null(), "{cluster}");
    assert!(cluster["kubernetes_manifests"].is_null(), "{cluster}");
}

#[test]
fn cluster_install_files_by_platform_kept_until_a_new_version_null_after_import() {
    let Some(h) = Harness::start("cluster_install") else {
        return;
    };
    let mut t = Lifecycle::new(&h);
    // On create, only the platform's kind of files is unknown: the other is planned null.
    let created = t.step(
        Step::config(install_config("a", "b"))
            .plan([
                ("spirl_trust_domain.td", Create),
                ("spirl_key_pair.a", Create),
                ("spirl_key_pair.b", Create),
                ("spirl_key_pair.c", Create),
                (K8S, Create),
                (HOSTS, Create),
            ])
            .plan_unknown(
                K8S,
                unknown_on_create(["kubernetes_manifest", "kubernetes_manifests"]),
            )
            .plan_unknown(
                HOSTS,
                unknown_on_create(["vm_agent_config", "vm_docker_compose_yaml"]),
            ),
    );
    let k8s = created.resource(K8S);
    assert_kubernetes_install(&k8s);
    assert_vm_install(&created.resource(HOSTS));
    // The data source cannot know them, and has no such attributes.
    let read = created.output("read");
    for attr in INSTALL {
        assert!(read.get(attr).is_none(), "{attr}: {read}");
    }

    // A refresh keeps them (nothing can read them again), and the plan stays empty.
    h.tf_ok(&["apply", "-refresh-only", "-auto-approve", "-input=false"]);
    assert_eq!(h.resource(K8S), k8s);
    t.step(Step::same_config().plan_only());

    // A new key is a new version with files of its own: unknown in the plan, with the version.
    let rekeyed = t.step(
        Step::config(install_config("c", "a"))
            .plan([(K8S, Update), (HOSTS, Update)])
            .plan_unknown(K8S, VERSION_MADE_K8S)
            .plan_unknown(
                HOSTS,
                [
                    "version_id",
                    "version_created_at",
                    "vm_agent_config",
                    "vm_docker_compose_yaml",
                ],
            )
            .state(K8S, "kubernetes_manifest", Is::Changed)
            .state(K8S, "kubernetes_manifests", Is::Changed)
            .state(HOSTS, "vm_agent_config", Is::Changed)
            .state(HOSTS, "vm_docker_compose_yaml", Is::Changed),
    );
    let renewed = rekeyed.resource(K8S);
    assert_kubernetes_install(&renewed);
    assert!(
        !str_of(&renewed, "kubernetes_manifest").contains(str_of(&k8s, "version_id")),
        "the old version is not named any more"
    );
    assert_vm_install(&rekeyed.resource(HOSTS));

    // Import: everything but the files, which stay null, and the next plan is empty.
    let td = str_of(&renewed, "trust_domain_id").to_owned();
    for (address, name) in [(K8S, "k8s"), (HOSTS, "hosts")] {
        t.step(
            Step::import(address)
                .id(format!("{td}/{name}"))
                .ignore(INSTALL)
                .state(address, "kubernetes_manifest", Is::Null)
                .state(address, "kubernetes_manifests", Is::Null)
                .state(address, "vm_agent_config", Is::Null)
                .state(address, "vm_docker_compose_yaml", Is::Null),
        );
    }
    t.step(Step::same_config().plan_only());
    // Until the next new version.
    let again = t.step(
        Step::config(install_config("b", "a"))
            .plan([(K8S, Update)])
            .plan_unknown(K8S, VERSION_MADE_K8S)
            .state(HOSTS, "vm_agent_config", Is::Null),
    );
    assert_kubernetes_install(&again.resource(K8S));

    // PSAT attestation: no Secret to refer to any more.
    let psat = t.step(
        Step::config(install_config("b", "a").replace(
            "public_key      = spirl_key_pair.b.public_key_pem",
            "k8s_psat {\n    issuer_url = \"https://oidc.example.org\"\n  }",
        ))
        .plan([(K8S, Update)])
        .plan_unknown(K8S, VERSION_MADE_K8S),
    );
    let attested = psat.resource(K8S);
    assert_kubernetes_install(&attested);
    assert!(
        str_of(&attested, "kubernetes_manifest").contains("serviceAccountToken"),
        "{attested}"
    );
    t.finish();
}

#[test]
fn cluster_install_files_of_a_lost_answer_are_null_with_a_warning() {
    let Some(h) = Harness::start("cluster_install_lost") else {
        return;
    };
    let td_only = r#"
resource "spirl_trust_domain" "td" {
  domain_name = "lost.example.org"
}
"#;
    h.write_config(td_only);
    h.apply();
    h.write_config(&format!(
        "{td_only}\nresource \"spirl_cluster\" \"k8s\" {{\n  trust_domain_id = \
         spirl_trust_domain.td.id\n  name            = \"k8s\"\n  platform        = \"k8s\"\n}}\n"
    ));
    // The cluster is made, but its answer is lost: found and adopted, without its files.
    let faults = h.mock().state.faults();
    h.set_mock_faults(Faults {
        drop_after_commit_rate: 1.0,
        ..faults
    });
    let applied = h.apply();
    h.set_mock_faults(faults);
    let said = applied.said();
    assert!(said.contains("Agent installation not known"), "{applied}");
    assert!(!said.contains("inconsistent"), "{applied}");
    let k8s = h.resource(K8S);
    assert!(str_of(&k8s, "version_id").starts_with("cv-"), "{k8s}");
    for attr in INSTALL {
        assert!(k8s[attr].is_null(), "{attr}: {k8s}");
    }
    assert_eq!(calls(&h, "CreateCluster"), 1, "adopted, not sent again");
    h.assert_plan_empty();
    h.destroy();
    assert_eq!(h.mock_objects(), Default::default());
}
