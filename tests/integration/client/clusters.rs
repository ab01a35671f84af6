//! The client against the gRPC mock for the services around clusters (realms first): what each
//! method sends and reads back, the mock's rules (unique names, deletes refused while something
//! depends on the object, a trust domain's realms going with it), lost answers adopted, and the
//! objects surviving a restart.
#![allow(clippy::unwrap_used)]

use crate::support::{
    client_for, drop_answers, mock_and_client, new_key, requests, respawn, trust_domain,
};
use spirl_mock_api::MockOptions;
use terraform_provider_spirl::client::{
    AgentDeployment, ApiError, ClusterVersionSpec, CreateCluster, K8sPsat, Platform, has_id_shape,
};

const CREATE_REALM: &str = "/com.spirl.api.v1.realm.API/CreateRealm";
const CREATE_CLUSTER: &str = "/com.spirl.api.v1.cluster.API/CreateCluster";
const NEW_VERSION: &str = "/com.spirl.api.v1.cluster.API/NewClusterVersion";

/// A Kubernetes cluster named `name` in `td` with a fresh key and the server's path template.
fn k8s_cluster(td: &str, name: &str) -> CreateCluster {
    CreateCluster {
        trust_domain_id: td.to_owned(),
        name: name.to_owned(),
        description: "made by a test".into(),
        platform: Platform::Kubernetes,
        realm_id: String::new(),
        version: ClusterVersionSpec {
            public_key_der: new_key(),
            ..ClusterVersionSpec::default()
        },
    }
}

#[tokio::test]
async fn client_realm_round_trip_and_rules() {
    let (mock, client) = mock_and_client(MockOptions::default()).await;
    let td = client
        .create_trust_domain(&trust_domain("realms.example.org"))
        .await
        .unwrap();
    let other = client
        .create_trust_domain(&trust_domain("other.example.org"))
        .await
        .unwrap();

    let prod = client.create_realm(&td, "production").await.unwrap();
    assert!(has_id_shape(&prod, "rlm-"), "{prod}");
    let staging = client.create_realm(&td, "staging").await.unwrap();
    // Names are unique per trust domain, not per organisation.
    let elsewhere = client.create_realm(&other, "production").await.unwrap();

    let listed = client.list_realms(Some(&td), None).await.unwrap();
    let names: Vec<&str> = listed.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["production", "staging"], "creation order");
    assert_eq!(listed[0].id, prod);
    assert_eq!(listed[0].trust_domain_id, td);
    assert!(listed[0].created_at.ends_with('Z'), "{:?}", listed[0]);
    let by_name = client
        .list_realms(Some(&td), Some("staging"))
        .await
        .unwrap();
    assert_eq!(by_name.len(), 1);
    assert_eq!(by_name[0].id, staging);
    assert_eq!(client.list_realms(None, None).await.unwrap().len(), 3);
    assert!(
        client
            .list_realms(Some("td-unknown"), None)
            .await
            .unwrap()
            .is_empty()
    );

    // Found by id without knowing the trust domain (the API has no get by id).
    let found = client.find_realm(&elsewhere, None).await.unwrap().unwrap();
    assert_eq!(
        (found.trust_domain_id.as_str(), found.name.as_str()),
        (other.as_str(), "production")
    );
    assert_eq!(
        client.find_realm(&elsewhere, Some(&td)).await.unwrap(),
        None
    );

    let taken = client.create_realm(&td, "production").await.unwrap_err();
    assert!(matches!(taken, ApiError::AlreadyExists(_)), "{taken:?}");
    assert!(
        taken.to_string().contains(&prod),
        "names the holder: {taken}"
    );
    for bad in ["", "a/b", "..", ".", "white space", "é", &"x".repeat(256)] {
        let refused = client.create_realm(&td, bad).await.unwrap_err();
        assert!(
            matches!(&refused, ApiError::InvalidArgument(c) if c.message.starts_with("name")),
            "{bad:?}: {refused:?}"
        );
    }
    let unknown = client.create_realm("td-missing", "x").await.unwrap_err();
    assert!(matches!(unknown, ApiError::NotFound(_)), "{unknown:?}");
    assert_eq!(
        mock.stats().objects.realms,
        3,
        "nothing refused was created"
    );

    client.delete_realm(&prod).await.unwrap();
    // Gone already: the delete has done its job.
    client.delete_realm(&prod).await.unwrap();

    // Realms do not keep their trust domain (the SDK refuses only for active clusters): its
    // realm goes with it, the other trust domain's stays, and the realm's delete is then done.
    client.delete_trust_domain(&td).await.unwrap();
    assert!(
        client
            .list_realms(Some(&td), None)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(client.find_realm(&staging, None).await.unwrap(), None);
    client.delete_realm(&staging).await.unwrap();
    let left = client.list_realms(None, None).await.unwrap();
    assert_eq!(
        left.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
        [elsewhere.as_str()]
    );
    client.delete_realm(&elsewhere).await.unwrap();
    assert_eq!(mock.stats().objects.realms, 0);
}

#[tokio::test]
async fn client_lost_realm_is_adopted_and_every_kind_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let config = || MockOptions {
        data_dir: Some(dir.path().to_owned()),
        ..MockOptions::default()
    };
    let (mock, client) = mock_and_client(config()).await;
    let td = client
        .create_trust_domain(&trust_domain("lost.example.org"))
        .await
        .unwrap();
    drop_answers(&mock, 1.0);
    let adopted = client.create_realm(&td, "edge").await.unwrap();
    assert_eq!(
        requests(&mock, CREATE_REALM),
        1,
        "looked up, not sent again"
    );
    drop_answers(&mock, 0.0);
    // One of every other kind of object, journaled too: a cluster in the realm with two
    // versions (PSAT and provider attestation), a CI/CD profile and its link.
    let aac = client
        .create_agent_attestation(&K8sPsat {
            issuer_url: "https://oidc.example.com".into(),
            service_account_name: "spirl-agent".into(),
            service_account_namespace: "spirl-system".into(),
        })
        .await
        .unwrap();
    let pac = client
        .create_provider_attestation("durable", Some("arn:aws:iam::123456789012:role/durable"))
        .await
        .unwrap();
    let body = CreateCluster {
        realm_id: adopted.clone(),
        version: ClusterVersionSpec {
            agent_attestation_config_id: aac.clone(),
            provider_attestation_config_id: pac.clone(),
            ..ClusterVersionSpec::default()
        },
        ..k8s_cluster(&td, "durable")
    };
    client.create_cluster(&body).await.unwrap();
    let cluster = client.find_cluster(&td, "durable").await.unwrap().unwrap();
    let spec = ClusterVersionSpec {
        public_key_der: new_key(),
        ..ClusterVersionSpec::default()
    };
    let second = client
        .new_cluster_version(&td, &cluster.id, &spec)
        .await
        .unwrap()
        .id;
    client.activate_cluster_version(&second).await.unwrap();
    let profile = client
        .create_cicd_profile("durable", "https://gitlab.com", "")
        .await
        .unwrap();
    client
        .link_cicd_profile(&profile, &cluster.id)
        .await
        .unwrap();
    let objects = mock.stats().objects;
    let versions = client.list_cluster_versions(&cluster.id).await.unwrap();
    let credentials = mock.credentials.clone();
    mock.shutdown().await.unwrap();

    let mock = respawn(config).await;
    assert_eq!(mock.credentials.sa_key_id, credentials.sa_key_id);
    let client = client_for(&mock, |_| {});
    let realms = client.list_realms(Some(&td), None).await.unwrap();
    assert_eq!(realms.len(), 1, "{realms:?}");
    assert_eq!(
        (realms[0].id.as_str(), realms[0].name.as_str()),
        (adopted.as_str(), "edge")
    );
    // Everything came back from the journal as it was.
    assert_eq!(mock.stats().objects, objects);
    assert_eq!(
        client.list_cluster_versions(&cluster.id).await.unwrap(),
        versions
    );
    assert_eq!(
        client
            .list_cicd_links(Some(&profile), None)
            .await
            .unwrap()
            .len(),
        1
    );
    client.delete_cluster(&cluster.id).await.unwrap();
    client.delete_agent_attestation(&aac).await.unwrap();
    client.delete_provider_attestation(&pac).await.unwrap();
    client.delete_cicd_profile(&profile).await.unwrap();
    client.delete_realm(&adopted).await.unwrap();
    client.delete_trust_domain(&td).await.unwrap();
    assert_eq!(mock.stats().objects, Default::default());
}

#[tokio::test]
async fn client_cluster_versions_activation_limit_and_rules() {
    let (mock, client) = mock_and_client(MockOptions::default()).await;
    let td = client
        .create_trust_domain(&trust_domain("clusters.example.org"))
        .await
        .unwrap();
    let realm = client.create_realm(&td, "production").await.unwrap();
    let body = CreateCluster {
        realm_id: realm.clone(),
        ..k8s_cluster(&td, "my-cluster")
    };
    let first = client.create_cluster(&body).await.unwrap();
    // The answer says how to install the agents of a Kubernetes platform.
    assert!(
        matches!(&first.deployment, Some(AgentDeployment::Kubernetes { kubectl_yaml })
            if kubectl_yaml.contains(&first.id)),
        "{first:?}"
    );
    let first = first.id;
    let cluster = client
        .find_cluster(&td, "my-cluster")
        .await
        .unwrap()
        .unwrap();
    assert!(has_id_shape(&cluster.id, "c-"), "{cluster:?}");
    assert_eq!(cluster.platform, Some(Platform::Kubernetes));
    assert_eq!(cluster.realm_id, realm);
    assert_eq!(cluster.description, "made by a test");
    assert!(
        cluster.path_template.starts_with("/my-cluster/"),
        "the platform's default: {}",
        cluster.path_template
    );
    let versions = client.list_cluster_versions(&cluster.id).await.unwrap();
    assert_eq!(versions.len(), 1);
    assert_eq!(versions[0].id, first);
    assert!(versions[0].active);
    assert_eq!(versions[0].public_key_der, body.version.public_key_der);

    // Names are unique per trust domain; the refusal names the holder.
    let taken = client
        .create_cluster(&k8s_cluster(&td, "my-cluster"))
        .await
        .unwrap_err();
    assert!(matches!(&taken, ApiError::AlreadyExists(_)), "{taken:?}");
    assert!(taken.to_string().contains(&cluster.id), "{taken}");
    // No key and no agent attestation config: a keyless cluster, whose agents attest through a
    // configuration section (official provider v0.12.1); its version has no key.
    let keyless = CreateCluster {
        version: ClusterVersionSpec::default(),
        ..k8s_cluster(&td, "keyless")
    };
    client.create_cluster(&keyless).await.unwrap();
    let made = client.find_cluster(&td, "keyless").await.unwrap().unwrap();
    let versions = client.list_cluster_versions(&made.id).await.unwrap();
    assert!(versions[0].public_key_der.is_empty(), "{versions:?}");
    client.delete_cluster(&made.id).await.unwrap();
    // A key that is given must be one.
    let broken = CreateCluster {
        version: ClusterVersionSpec {
            public_key_der: b"not a key".to_vec(),
            ..ClusterVersionSpec::default()
        },
        ..k8s_cluster(&td, "broken")
    };
    let refused = client.create_cluster(&broken).await.unwrap_err();
    assert!(
        matches!(&refused, ApiError::InvalidArgument(c) if c.message.contains("pkix_pubkey")),
        "{refused:?}"
    );

    // A new version is inactive until activated; activating leaves exactly one active.
    let spec = ClusterVersionSpec {
        public_key_der: new_key(),
        path_template: "/prod/{{kubernetes.pod.namespace}}".into(),
        x509_customization_template: "CN=Test".into(),
        ..ClusterVersionSpec::default()
    };
    let second = client
        .new_cluster_version(&td, &cluster.id, &spec)
        .await
        .unwrap();
    // With the new version's own installation.
    assert!(
        matches!(&second.deployment, Some(AgentDeployment::Kubernetes { kubectl_yaml })
            if kubectl_yaml.contains(&second.id) && !kubectl_yaml.contains(&first)),
        "{second:?}"
    );
    let second = second.id;
    let versions = client.list_cluster_versions(&cluster.id).await.unwrap();
    assert_eq!(
        versions.iter().map(|v| v.active).collect::<Vec<_>>(),
        [true, false]
    );
    client.activate_cluster_version(&second).await.unwrap();
    let versions = client.list_cluster_versions(&cluster.id).await.unwrap();
    assert_eq!(
        versions.iter().map(|v| v.active).collect::<Vec<_>>(),
        [false, true]
    );
    let now = client
        .find_cluster(&td, "my-cluster")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(now.path_template, spec.path_template);
    assert_eq!(now.x509_customization_template, "CN=Test");
    assert_eq!(now.num_versions, 2);

    // The tenth version is the last: an eleventh pushes out the oldest inactive one.
    for _ in 0..9 {
        let spec = ClusterVersionSpec {
            public_key_der: new_key(),
            ..ClusterVersionSpec::default()
        };
        client
            .new_cluster_version(&td, &cluster.id, &spec)
            .await
            .unwrap();
    }
    let versions = client.list_cluster_versions(&cluster.id).await.unwrap();
    assert_eq!(versions.len(), 10);
    assert!(
        versions.iter().all(|v| v.id != first),
        "the oldest inactive went first"
    );
    assert!(
        versions.iter().any(|v| v.id == second && v.active),
        "the active one stays"
    );

    // An active version needs force; deleting an inactive one does not.
    let active = client
        .delete_cluster_version(&second, false)
        .await
        .unwrap_err();
    assert!(
        matches!(active, ApiError::FailedPrecondition(_)),
        "{active:?}"
    );
    let inactive = &versions.iter().find(|v| !v.active).unwrap().id;
    client
        .delete_cluster_version(inactive, false)
        .await
        .unwrap();
    // Gone already: done.
    client
        .delete_cluster_version(inactive, false)
        .await
        .unwrap();
    assert_eq!(
        client
            .list_cluster_versions(&cluster.id)
            .await
            .unwrap()
            .len(),
        9
    );

    // What depends on the cluster: its realm cannot go; agents keep it and, while it is active,
    // its trust domain (the SDK: "The trust domain cannot have any active clusters").
    let realm_refused = client.delete_realm(&realm).await.unwrap_err();
    assert!(
        realm_refused.to_string().contains(&cluster.id),
        "{realm_refused}"
    );
    mock.state.set_active_agents(&cluster.id, 3).unwrap();
    let td_refused = client.delete_trust_domain(&td).await.unwrap_err();
    assert!(
        td_refused.to_string().contains("active clusters")
            && td_refused.to_string().contains("my-cluster"),
        "{td_refused}"
    );
    let busy = client.delete_cluster(&cluster.id).await.unwrap_err();
    assert!(
        matches!(&busy, ApiError::FailedPrecondition(c) if c.message.contains("3 active agents")),
        "{busy:?}"
    );
    mock.state.set_active_agents(&cluster.id, 0).unwrap();
    client.delete_cluster(&cluster.id).await.unwrap();
    client.delete_cluster(&cluster.id).await.unwrap();
    let gone = client.list_cluster_versions(&cluster.id).await.unwrap_err();
    assert!(gone.is_not_found(), "{gone:?}");
    client.delete_realm(&realm).await.unwrap();
    client.delete_trust_domain(&td).await.unwrap();
    assert_eq!(mock.stats().objects, Default::default());
}

#[tokio::test]
async fn client_cluster_attestation_configs_and_lost_answers() {
    let (mock, client) = mock_and_client(MockOptions::default()).await;
    let td = client
        .create_trust_domain(&trust_domain("attest.example.org"))
        .await
        .unwrap();
    let psat = K8sPsat {
        issuer_url: "https://oidc.eks.us-west-2.amazonaws.com/id/EXAMPLE123".into(),
        service_account_name: "spirl-agent".into(),
        service_account_namespace: "spirl-system".into(),
    };
    let role = "arn:aws:iam::123456789012:role/my-role";
    drop_answers(&mock, 1.0);
    // Every create below commits and loses its answer: each is found and adopted, none repeated.
    let aac = client.create_agent_attestation(&psat).await.unwrap();
    let pac = client
        .create_provider_attestation("my-attestation", Some(role))
        .await
        .unwrap();
    let body = CreateCluster {
        platform: Platform::Eks,
        version: ClusterVersionSpec {
            agent_attestation_config_id: aac.clone(),
            provider_attestation_config_id: pac.clone(),
            ..ClusterVersionSpec::default()
        },
        ..k8s_cluster(&td, "eks-cluster")
    };
    let first = client.create_cluster(&body).await.unwrap();
    let cluster = client
        .find_cluster(&td, "eks-cluster")
        .await
        .unwrap()
        .unwrap();
    let spec = ClusterVersionSpec {
        public_key_der: new_key(),
        ..body.version.clone()
    };
    let second = client
        .new_cluster_version(&td, &cluster.id, &spec)
        .await
        .unwrap();
    drop_answers(&mock, 0.0);
    // What the lost answers said of the agents' installation is lost with them.
    assert_eq!((&first.deployment, &second.deployment), (&None, &None));
    let (first, second) = (first.id, second.id);
    assert_eq!(requests(&mock, CREATE_CLUSTER), 1);
    assert_eq!(requests(&mock, NEW_VERSION), 1);
    let objects = mock.stats().objects;
    assert_eq!(
        (
            objects.clusters,
            objects.cluster_versions,
            objects.agent_attestation_configs,
            objects.provider_attestation_configs
        ),
        (1, 2, 1, 1)
    );
    let versions = client.list_cluster_versions(&cluster.id).await.unwrap();
    assert_eq!(
        (versions[0].id.as_str(), versions[1].id.as_str()),
        (first.as_str(), second.as_str())
    );
    assert!(
        versions[0].public_key_der.is_empty(),
        "attested by PSAT, no key"
    );
    assert_eq!(versions[0].agent_attestation_config_id, aac);
    assert_eq!(
        versions[0].provider_attestation_config_name,
        "my-attestation"
    );

    let read = client.agent_attestation(&aac).await.unwrap().unwrap();
    assert_eq!(read.k8s_psat, Some(psat.clone()));
    let listed = client
        .list_provider_attestations(Some("my-attestation"))
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(
        (listed[0].id.as_str(), listed[0].aws_role_arn.as_str()),
        (pac.as_str(), role)
    );
    let taken = client
        .create_provider_attestation("my-attestation", Some(role))
        .await
        .unwrap_err();
    assert!(matches!(taken, ApiError::AlreadyExists(_)), "{taken:?}");
    for bad in [
        "arn:aws:iam::123:role/x",
        "arn:aws:s3:::bucket",
        "role/x",
        "arn:aws:iam::123456789012:user/x",
    ] {
        let refused = client
            .create_provider_attestation("other", Some(bad))
            .await
            .unwrap_err();
        assert!(
            matches!(&refused, ApiError::InvalidArgument(c) if c.message.contains("aws.role_arn")),
            "{bad}: {refused:?}"
        );
    }
    // Not a URL (a plain `http://` issuer is taken: the SDK names no scheme for it).
    let bad_issuer = K8sPsat {
        issuer_url: "oidc.example.com".into(),
        ..psat.clone()
    };
    let refused = client
        .create_agent_attestation(&bad_issuer)
        .await
        .unwrap_err();
    assert!(
        matches!(refused, ApiError::InvalidArgument(_)),
        "{refused:?}"
    );

    // In use: neither configuration can go before the cluster.
    for refused in [
        client.delete_agent_attestation(&aac).await.unwrap_err(),
        client.delete_provider_attestation(&pac).await.unwrap_err(),
    ] {
        assert!(
            matches!(&refused, ApiError::FailedPrecondition(c) if c.message.contains(&cluster.id)),
            "{refused:?}"
        );
    }
    client.delete_cluster(&cluster.id).await.unwrap();
    client.delete_agent_attestation(&aac).await.unwrap();
    client.delete_provider_attestation(&pac).await.unwrap();
    assert_eq!(client.agent_attestation(&aac).await.unwrap(), None);
    client.delete_trust_domain(&td).await.unwrap();
    assert_eq!(mock.stats().objects, Default::default());
}

const LIST_V1: &str = "/com.spirl.api.v1.cluster.API/ListClusters";
const LIST_V2: &str = "/com.spirl.api.v1.cluster.API/ListClustersV2";
const DESCRIBE: &str = "/com.spirl.api.v1.cluster.API/DescribeClusters";

#[tokio::test]
async fn client_clusters_are_listed_page_by_page_and_described() {
    // Pages of two: seven clusters take four pages.
    let (mock, client) = mock_and_client(MockOptions {
        cluster_page_size: 2,
        ..MockOptions::default()
    })
    .await;
    let td = client
        .create_trust_domain(&trust_domain("paged.example.org"))
        .await
        .unwrap();
    let other = client
        .create_trust_domain(&trust_domain("other.example.org"))
        .await
        .unwrap();
    let realm = client.create_realm(&td, "blue").await.unwrap();
    let mut made = Vec::new();
    for i in 0..7 {
        let mut body = k8s_cluster(&td, &format!("cluster-{i}"));
        if i % 2 == 0 {
            body.realm_id = realm.clone();
        }
        client.create_cluster(&body).await.unwrap();
        made.push(format!("cluster-{i}"));
    }
    client
        .create_cluster(&k8s_cluster(&other, "elsewhere"))
        .await
        .unwrap();

    let items = client
        .list_cluster_items(Some(&td), None, None)
        .await
        .unwrap();
    let names: Vec<&str> = items.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, made, "every page, in creation order");
    assert_eq!(requests(&mock, LIST_V2), 4);
    assert_eq!(items[0].realm_id, realm);
    assert_eq!(items[1].realm_id, "");
    assert_eq!(items[0].platform, Some(Platform::Kubernetes));

    // In full: the same clusters, with their current versions, in one describe (7 ≤ 100).
    let full = client.list_clusters(Some(&td), None, None).await.unwrap();
    assert_eq!(full.len(), 7);
    assert_eq!(requests(&mock, LIST_V2), 8);
    assert_eq!(requests(&mock, DESCRIBE), 1);
    for (cluster, item) in full.iter().zip(&items) {
        assert_eq!(cluster.id, item.id);
        assert_eq!(cluster.realm_id, item.realm_id);
        assert_eq!(cluster.num_versions, 1);
        assert!(cluster.path_template.starts_with('/'), "{cluster:?}");
    }
    // Filters: by realm, by name, organisation-wide.
    let in_realm = client
        .list_cluster_items(None, None, Some(&realm))
        .await
        .unwrap();
    assert_eq!(in_realm.len(), 4);
    let all = client.list_cluster_items(None, None, None).await.unwrap();
    assert_eq!(all.len(), 8);
    assert_eq!(
        client
            .list_cluster_items(Some(&td), Some("cluster-3"), None)
            .await
            .unwrap()
            .len(),
        1
    );

    // Found by trust domain and name with DescribeClusters alone.
    let before = requests(&mock, LIST_V2);
    let found = client
        .find_cluster(&td, "cluster-4")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.realm_id, realm);
    assert_eq!(requests(&mock, LIST_V2), before, "no listing needed");
    assert_eq!(client.find_cluster(&td, "nope").await.unwrap(), None);
    assert_eq!(
        client.find_cluster(&other, "cluster-4").await.unwrap(),
        None
    );
    // Described by id, unknown ones as None, in the order asked.
    let ids = [
        terraform_provider_spirl::client::ClusterRef::Id(&items[2].id),
        terraform_provider_spirl::client::ClusterRef::Id("c-missing"),
        terraform_provider_spirl::client::ClusterRef::Id(&items[0].id),
    ];
    let described = client.describe_clusters(&ids).await.unwrap();
    assert_eq!(described.len(), 3);
    assert_eq!(described[0].as_ref().unwrap().name, "cluster-2");
    assert!(described[1].is_none());
    assert_eq!(described[2].as_ref().unwrap().name, "cluster-0");

    assert_eq!(requests(&mock, LIST_V1), 0, "v1 is not used");
}

#[tokio::test]
async fn client_describe_sends_at_most_a_hundred_ids_a_call() {
    let (mock, client) = mock_and_client(MockOptions::default()).await;
    let ids: Vec<String> = (0..250).map(|i| format!("c-none{i}")).collect();
    let refs: Vec<_> = ids
        .iter()
        .map(|id| terraform_provider_spirl::client::ClusterRef::Id(id))
        .collect();
    let described = client.describe_clusters(&refs).await.unwrap();
    assert_eq!(described.len(), 250);
    assert!(described.iter().all(Option::is_none));
    assert_eq!(requests(&mock, DESCRIBE), 3);
}

#[tokio::test]
async fn client_trust_domain_delete_takes_its_inactive_clusters_along() {
    let (mock, client) = mock_and_client(MockOptions::default()).await;
    let td = client
        .create_trust_domain(&trust_domain("idle.example.org"))
        .await
        .unwrap();
    client
        .create_cluster(&k8s_cluster(&td, "idle"))
        .await
        .unwrap();
    let busy = client.find_cluster(&td, "idle").await.unwrap().unwrap();
    mock.state.set_active_agents(&busy.id, 1).unwrap();
    let refused = client.delete_trust_domain(&td).await.unwrap_err();
    assert!(
        matches!(refused, ApiError::FailedPrecondition(_)),
        "{refused:?}"
    );
    // Only active clusters stand in the way; an idle one goes with its trust domain.
    mock.state.set_active_agents(&busy.id, 0).unwrap();
    client.delete_trust_domain(&td).await.unwrap();
    assert_eq!(mock.stats().objects, Default::default());
}
