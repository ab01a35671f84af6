//! Reliability of realms and the access, federation and configuration types with the real
//! Terraform CLI (run with `TF_ACC=1`): realms, role assignments, federation links and configuration sections
//! created, changed and destroyed while the mock refuses a share of the calls and drops a share
//! of the answers after committing. The API has no idempotency keys: a lost assignment is found
//! among its principal's assignments and adopted, `SetLink` is an upsert, and a configuration
//! update recognises its own lost write by reading the configuration back. Afterwards the mock
//! holds exactly what the state holds, nothing twice and nothing left over. The realms the
//! assignments name are made in the same applies (a lost `CreateRealm` is found by name).

use std::collections::BTreeSet;

use crate::support::{Harness, out_of_band_client, trust_domain};
use spirl_mock_api::{Faults, MockOptions};
use terraform_provider_spirl::client::{Principal, SectionScope};

/// Principals, links and sections in the scenario.
const N: usize = 12;
/// Realms; user `i` administers realm `i % REALMS`.
const REALMS: usize = 3;

fn config(td: &str, version: &str) -> String {
    let mut hcl = String::from(
        "provider \"spirl\" {\n  max_retries     = 15\n  request_timeout = \"60s\"\n}\n\n",
    );
    for r in 0..REALMS {
        hcl.push_str(&format!(
            "resource \"spirl_realm\" \"team{r}\" {{\n  trust_domain_id = \"{td}\"\n  name            = \"team{r}\"\n}}\n\n"
        ));
    }
    for i in 0..N {
        let r = i % REALMS;
        hcl.push_str(&format!(
            "resource \"spirl_realm_role_assignment\" \"u{i}\" {{\n  trust_domain_id = \"{td}\"\n  realm_name      = spirl_realm.team{r}.name\n  role_name       = \"Administrator\"\n  user_email      = \"user{i}@example.com\"\n}}\n\n\
             resource \"spirl_federation_link\" \"l{i}\" {{\n  trust_domain_id           = \"{td}\"\n  foreign_trust_domain_name = \"partner{i}.example\"\n  endpoint_url              = \"https://bundle.partner{i}.example/{version}\"\n}}\n\n"
        ));
    }
    let sections: String = (0..N)
        .map(|i| {
            format!(
                "    Section{i} = \"section: Section{i}\\nschema: v1\\nspec: {{release: {version}}}\\n\"\n"
            )
        })
        .collect();
    hcl.push_str(&format!(
        "resource \"spirl_trust_domain_config\" \"td\" {{\n  trust_domain_id = \"{td}\"\n  sections = {{\n{sections}  }}\n}}\n"
    ));
    hcl
}

fn apply(h: &Harness) {
    let out = h.tf_ok(&["apply", "-auto-approve", "-input=false", "-parallelism=20"]);
    for broken in [
        "panic",
        "inconsistent result",
        "rpc error",
        "Plugin did not respond",
    ] {
        assert!(!out.all().contains(broken), "{broken}:\n{out}");
    }
}

/// The ids of the state's resources of `type_name`.
fn state_ids(h: &Harness, type_name: &str) -> BTreeSet<String> {
    h.state()["values"]["root_module"]["resources"]
        .as_array()
        .map(|all| {
            all.iter()
                .filter(|r| r["type"] == type_name)
                .filter_map(|r| r["values"]["id"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn reliability_realms_assignments_links_and_sections_under_refusals_and_lost_answers() {
    let Some(h) = Harness::start_with(
        "reliability_access",
        MockOptions {
            users: (0..N).map(|i| format!("user{i}@example.com")).collect(),
            seed: Some(14),
            ..MockOptions::default()
        },
    ) else {
        return;
    };
    let client = out_of_band_client(h.mock());
    let td = h
        .block_on(client.create_trust_domain(&trust_domain("reliable.example")))
        .expect("trust domain");
    h.set_mock_faults(Faults {
        latency: std::time::Duration::ZERO,
        fail_rate: 0.3,
        drop_after_commit_rate: 0.3,
    });

    // Create under faults: one assignment per user, one link per partner, every section.
    h.write_config(&config(&td, "v1"));
    apply(&h);
    let assignments = state_ids(&h, "spirl_realm_role_assignment");
    assert_eq!(assignments.len(), N);
    let realms = h
        .block_on(client.list_realms(Some(&td), None))
        .expect("realms");
    let realm_ids: BTreeSet<String> = realms.iter().map(|r| r.id.clone()).collect();
    assert_eq!(
        realm_ids,
        state_ids(&h, "spirl_realm"),
        "the mock holds the state's realms, none twice"
    );
    let mut remote = BTreeSet::new();
    for i in 0..N {
        let user = h
            .block_on(client.list_users(Some(&format!("user{i}@example.com"))))
            .expect("user")
            .remove(0);
        let held = h
            .block_on(client.list_role_assignments(&Principal::User(user.id)))
            .expect("assignments");
        assert_eq!(held.len(), 1, "user{i}: exactly one assignment, none twice");
        let realm = realms
            .iter()
            .find(|r| r.id == held[0].realm_id)
            .expect("an assignment's realm");
        assert_eq!(realm.name, format!("team{}", i % REALMS));
        remote.insert(held[0].id.clone());
    }
    assert_eq!(
        remote, assignments,
        "the mock holds the state's assignments"
    );
    let links = h
        .block_on(client.list_federation_links(Some(&td)))
        .expect("links");
    let link_ids: BTreeSet<String> = links.iter().map(|l| l.id.clone()).collect();
    assert_eq!(link_ids, state_ids(&h, "spirl_federation_link"));
    let sections = h
        .block_on(client.get_config(&SectionScope::TrustDomain(td.clone())))
        .expect("config");
    assert_eq!(sections.sections.len(), N);
    let stats = h.mock().stats();
    let sent = |method: &str| {
        stats
            .requests
            .iter()
            .filter(|(path, _)| path.ends_with(method))
            .map(|(_, n)| *n)
            .sum::<u64>()
    };
    // The faults ran: more calls than objects.
    assert!(
        sent("/CreateRealm") + sent("/AssignRoleAssignment") + sent("/SetLink")
            > (2 * N + REALMS) as u64,
        "{stats:?}"
    );
    h.assert_plan_empty();

    // Change every link's endpoint and every section under the same faults.
    h.write_config(&config(&td, "v2"));
    apply(&h);
    let links = h
        .block_on(client.list_federation_links(Some(&td)))
        .expect("links");
    assert!(
        links.iter().all(|l| l.endpoint_url.ends_with("/v2")),
        "{links:?}"
    );
    let sections = h
        .block_on(client.get_config(&SectionScope::TrustDomain(td.clone())))
        .expect("config");
    assert!(
        sections.sections.iter().all(|s| s.yaml.contains("v2")),
        "{sections:?}"
    );
    assert_eq!(state_ids(&h, "spirl_realm_role_assignment"), assignments);
    h.assert_plan_empty();

    // Destroy under faults leaves nothing of ours.
    h.tf_ok(&[
        "destroy",
        "-auto-approve",
        "-input=false",
        "-parallelism=20",
    ]);
    let objects = h.mock_objects();
    assert_eq!(
        (
            objects.realms,
            objects.role_assignments,
            objects.federation_links,
            objects.scoped_sections
        ),
        (0, 0, 0, 0)
    );
}
