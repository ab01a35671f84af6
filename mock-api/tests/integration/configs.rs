//! Configuration sections: versions and optimistic concurrency, prune, read-only sections,
//! validate-only updates, refused documents, unknown scopes, and durability.

use crate::common::{Api, assert_status, channel, restart};
use spirl_api_proto::config::api_client::ApiClient as ConfigClient;
use spirl_api_proto::config::*;
use spirl_mock_api::{MockOptions, SectionScope, spawn};
use tonic::Code;
use tonic::transport::Channel;

const A: &str = "section: Alpha\nschema: v1\nspec:\n  x: 1 # a comment\n";
const B: &str = "section: Beta\nschema: v1\nspec: {y: [1, 2]}\n";

struct Configs {
    api: Api,
    client: ConfigClient<Channel>,
}

impl Configs {
    async fn get(&self, td: &str) -> Result<Config, tonic::Status> {
        let request = self.api.req(GetTrustDomainConfigRequest {
            trust_domain_id: td.to_owned(),
        });
        let answer = self.client.clone().get_trust_domain_config(request).await?;
        Ok(answer.into_inner().config.expect("config"))
    }

    async fn update(
        &self,
        td: &str,
        sections: &[&str],
        prune: bool,
        expected_version: &str,
        validate_only: bool,
    ) -> Result<Config, tonic::Status> {
        let request = self.api.req(UpdateTrustDomainConfigRequest {
            trust_domain_id: td.to_owned(),
            params: Some(UpdateConfigParams {
                section_updates: sections.iter().map(|s| (*s).to_owned()).collect(),
                prune,
                expected_version: expected_version.to_owned(),
                validate_only,
            }),
        });
        let answer = self
            .client
            .clone()
            .update_trust_domain_config(request)
            .await?;
        Ok(answer.into_inner().config.expect("config"))
    }
}

async fn configs(mock: &spirl_mock_api::RunningMock) -> Configs {
    Configs {
        api: Api::of(mock).await,
        client: ConfigClient::new(channel(&mock.endpoint).await),
    }
}

fn names(config: &Config) -> Vec<(&str, bool)> {
    config
        .sections
        .iter()
        .map(|s| (s.name.as_str(), s.read_only))
        .collect()
}

#[tokio::test]
async fn config_versions_prune_read_only_and_validate_only() {
    let mock = spawn(MockOptions::default()).await.expect("mock");
    let c = configs(&mock).await;
    let td = c.api.register("config.example").await.expect("td");
    let first = c.get(&td).await.expect("get");
    assert_eq!((first.version.as_str(), first.sections.len()), ("1", 0));
    assert!(first.updated_at.is_none(), "never updated");

    let second = c.update(&td, &[A], true, "1", false).await.expect("update");
    assert_eq!(second.version, "2");
    assert!(second.updated_at.is_some());
    let stored = &second.sections[0];
    assert_eq!(
        (stored.name.as_str(), stored.schema.as_str()),
        ("Alpha", "v1")
    );
    assert!(
        !stored.yaml_value.contains("comment"),
        "stored re-serialised"
    );
    // The same update again changes nothing and keeps the version.
    let same = c.update(&td, &[A], true, "", false).await.expect("same");
    assert_eq!(same.version, "2");

    // A stale expected version is refused, naming both.
    assert_status(
        c.update(&td, &[B], false, "1", false).await,
        Code::FailedPrecondition,
        &["\"1\"", "\"2\""],
    );
    // Validate only: the answer shows the result, nothing is stored.
    let checked = c
        .update(&td, &[B], false, "2", true)
        .await
        .expect("validate");
    assert_eq!(names(&checked), [("Alpha", false), ("Beta", false)]);
    assert_eq!(c.get(&td).await.expect("get").sections.len(), 1);

    // Without prune sections add up; with prune the unnamed ones go, read-only ones stay.
    c.update(&td, &[B], false, "2", false).await.expect("add");
    mock.state
        .put_read_only_section(
            &SectionScope::TrustDomain(td.clone()),
            "section: Owned\nschema: v1\nspec: {}",
        )
        .expect("read-only section");
    let pruned = c.update(&td, &[B], true, "", false).await.expect("prune");
    assert_eq!(names(&pruned), [("Beta", false), ("Owned", true)]);
    assert_status(
        c.update(
            &td,
            &["section: Owned\nschema: v1\nspec: {a: 1}"],
            false,
            "",
            false,
        )
        .await,
        Code::InvalidArgument,
        &["Owned", "read-only"],
    );
    assert_eq!(mock.stats().objects.scoped_sections, 2);
    // The configuration goes with its trust domain.
    let request = c
        .api
        .req(spirl_api_proto::trustdomain::DeleteTrustDomainRequest {
            trust_domain_id: td.clone(),
        });
    c.api
        .c()
        .delete_trust_domain(request)
        .await
        .expect("delete");
    assert_eq!(mock.stats().objects.scoped_sections, 0);
    assert_status(c.get(&td).await, Code::NotFound, &[&td]);
}

#[tokio::test]
async fn config_refuses_bad_documents_and_unknown_scopes() {
    let mock = spawn(MockOptions::default()).await.expect("mock");
    let c = configs(&mock).await;
    let td = c.api.register("refuse.example").await.expect("td");
    let bomb = format!(
        "section: Alpha\nschema: v1\nspec:\n  a: &a [{}]\n  b: &b [{}]\n  c: [{}]\n",
        vec!["x"; 100].join(", "),
        vec!["*a"; 100].join(", "),
        vec!["*b"; 100].join(", "),
    );
    for (document, needle) in [
        ("a: [1", "invalid YAML"),
        ("- a", "mapping"),
        ("section: Alpha\nschema: one\nspec: {}", "schema"),
        ("section: 'a b'\nschema: v1\nspec: {}", "section name"),
        (
            // An alias bomb: 100 * 100 * 100 nodes from a few hundred bytes.
            bomb.as_str(),
            "expand to more than",
        ),
        (
            "section: Alpha\nschema: v1\nspec: {}\n---\nb: 1",
            "one YAML document",
        ),
    ] {
        assert_status(
            c.update(&td, &[document], false, "", false).await,
            Code::InvalidArgument,
            &[needle],
        );
    }
    assert_status(
        c.update(&td, &[A, A], false, "", false).await,
        Code::InvalidArgument,
        &["twice"],
    );
    assert_status(c.get("td-unknown").await, Code::NotFound, &["td-unknown"]);
    assert_status(c.get("").await, Code::InvalidArgument, &["trust_domain_id"]);
    let request = c.api.req(GetClusterConfigRequest {
        cluster_id: "c-unknown".into(),
    });
    assert_status(
        c.client.clone().get_cluster_config(request).await,
        Code::NotFound,
        &["c-unknown"],
    );
    assert_eq!(
        c.get(&td).await.expect("get").version,
        "1",
        "nothing stored"
    );
    // Top-level keys beyond section, schema and spec are kept, not refused.
    let kept = c
        .update(
            &td,
            &["section: Alpha\nschema: v1\nspec: {}\nnotes: kept\n"],
            false,
            "",
            false,
        )
        .await
        .expect("a document with another key");
    assert!(
        kept.sections[0].yaml_value.contains("notes: kept"),
        "{kept:?}"
    );
    // Neither `spec` nor the absence of anchors and aliases is a rule the SDK states: a section
    // without `spec`, or with an alias, is taken, and stored expanded.
    let taken = c
        .update(
            &td,
            &[
                "section: Alpha\nschema: v1\npolicy: &p {a: 1}\ncopy: *p\n",
                "section: Beta\nschema: v1\n",
            ],
            false,
            "",
            false,
        )
        .await
        .expect("a document without spec, one with an alias");
    let alpha = &taken
        .sections
        .iter()
        .find(|s| s.name == "Alpha")
        .expect("Alpha")
        .yaml_value;
    assert!(
        !alpha.contains('*') && alpha.matches("a: 1").count() == 2,
        "{alpha}"
    );
    assert!(taken.sections.iter().any(|s| s.name == "Beta"), "{taken:?}");
}

#[tokio::test]
async fn config_survives_a_restart_on_the_same_data_dir() {
    let dir = tempfile::tempdir().expect("dir");
    let config = || MockOptions {
        data_dir: Some(dir.path().to_owned()),
        ..MockOptions::default()
    };
    let mock = spawn(config()).await.expect("mock");
    let c = configs(&mock).await;
    let td = c.api.register("durable.example").await.expect("td");
    let written = c
        .update(&td, &[A, B], false, "", false)
        .await
        .expect("write");
    mock.shutdown().await.expect("stop");
    let mock = restart(config).await;
    let c = configs(&mock).await;
    assert_eq!(c.get(&td).await.expect("get"), written);
}
