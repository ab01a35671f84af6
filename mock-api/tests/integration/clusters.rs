//! Clusters and what hangs off them, at the wire: what the mock accepts because the official
//! provider or the SDK does (keyless clusters, names that are not DNS labels, templates read
//! with `file()`), what it refuses because the API says so (each refusal `INVALID_ARGUMENT`
//! naming its field), and ListClustersV2 / DescribeClusters.

use crate::common::{Api, assert_status, channel, key_der};
use spirl_api_proto::agentattestation as aa;
use spirl_api_proto::cluster::api_client::ApiClient as ClusterClient;
use spirl_api_proto::cluster::*;
use spirl_api_proto::providerattestation as pa;
use spirl_mock_api::{MockOptions, spawn};
use tonic::Code;

fn create(td: &str, name: &str) -> CreateClusterRequest {
    CreateClusterRequest {
        trust_domain_id: td.to_owned(),
        cluster_name: name.to_owned(),
        platform: Platform::Kubernetes.into(),
        ..CreateClusterRequest::default()
    }
}

#[tokio::test]
async fn clusters_accept_what_the_official_provider_sends() {
    let mock = spawn(MockOptions::default()).await.expect("mock");
    let api = Api::of(&mock).await;
    let mut clusters = ClusterClient::new(channel(&mock.endpoint).await);
    let td = api.register("clusters.example").await.expect("td");

    // Keyless, with no agent attestation either: the agents attest through a configuration
    // section (official provider v0.12.1).
    clusters
        .create_cluster(api.req(create(&td, "keyless")))
        .await
        .expect("a cluster without a key");
    // Names are not DNS labels; templates read with file() end with a newline.
    let template = "/{{kubernetes.pod.namespace}}/{{kubernetes.pod.service_account}}\n";
    let long = "n".repeat(255);
    for name in ["Prod_EU 1", "1st", "ends-", long.as_str()] {
        clusters
            .create_cluster(api.req(CreateClusterRequest {
                path_template: template.to_owned(),
                x509_customization_template: "subject:\r\n  cn: x\r\n".to_owned(),
                pubkey: Some(create_cluster_request::Pubkey::PkixPubkey(PkixPublicKey {
                    data: key_der(1),
                })),
                ..create(&td, name)
            }))
            .await
            .unwrap_or_else(|e| panic!("{name}: {e:?}"));
    }
    let described = clusters
        .describe_clusters(api.req(DescribeClustersRequest {
            ids: vec![DescribeClusterId {
                name: Some("Prod_EU 1".into()),
                trust_domain_id: Some(td.clone()),
                id: None,
            }],
            per_cluster_errors: true,
        }))
        .await
        .expect("describe")
        .into_inner();
    assert_eq!(
        described.clusters[0].path_template, template,
        "kept as sent"
    );

    // What is still refused, each naming its field.
    for (request, field) in [
        (create(&td, ""), "cluster_name"),
        (create(&td, &"n".repeat(256)), "cluster_name"),
        (
            CreateClusterRequest {
                path_template: "no-slash".into(),
                ..create(&td, "x")
            },
            "path_template",
        ),
        (
            CreateClusterRequest {
                jwt_customization_template: "j".repeat(4097),
                ..create(&td, "x")
            },
            "jwt_customization_template",
        ),
        (
            CreateClusterRequest {
                pubkey: Some(create_cluster_request::Pubkey::PkixPubkey(PkixPublicKey {
                    data: b"not a key".to_vec(),
                })),
                ..create(&td, "x")
            },
            "pkix_pubkey",
        ),
    ] {
        assert_status(
            clusters.create_cluster(api.req(request)).await,
            Code::InvalidArgument,
            &[field],
        );
    }
}

#[tokio::test]
async fn clusters_attestation_fields_the_api_marks_required() {
    let mock = spawn(MockOptions::default()).await.expect("mock");
    let api = Api::of(&mock).await;
    let mut agents = aa::api_client::ApiClient::new(channel(&mock.endpoint).await);
    let psat = aa::K8spsatConfig {
        oidc_issuer_url: "https://oidc.eks.eu-west-1.amazonaws.com/id/ABC".into(),
        service_account_name: "spirl-agent".into(),
        service_account_namespace: "spirl-system".into(),
    };
    let create = |psat: aa::K8spsatConfig| aa::CreateConfigRequest {
        config: Some(aa::create_config_request::Config::K8sPsat(psat)),
    };
    agents
        .create_config(api.req(create(psat.clone())))
        .await
        .expect("all three fields");
    // The SDK says the issuer is "typically" https: a plain-http one is taken; no URL is not.
    agents
        .create_config(api.req(create(aa::K8spsatConfig {
            oidc_issuer_url: "http://issuer.cluster.internal:8080".into(),
            ..psat.clone()
        })))
        .await
        .expect("an http issuer");
    assert_status(
        agents
            .create_config(api.req(create(aa::K8spsatConfig {
                oidc_issuer_url: "issuer.cluster.internal".into(),
                ..psat.clone()
            })))
            .await,
        Code::InvalidArgument,
        &["k8s_psat.oidc_issuer_url", "http:// URL"],
    );
    for (missing, field) in [
        (
            aa::K8spsatConfig {
                oidc_issuer_url: String::new(),
                ..psat.clone()
            },
            "k8s_psat.oidc_issuer_url",
        ),
        (
            aa::K8spsatConfig {
                service_account_name: String::new(),
                ..psat.clone()
            },
            "k8s_psat.service_account_name",
        ),
        (
            aa::K8spsatConfig {
                service_account_namespace: String::new(),
                ..psat.clone()
            },
            "k8s_psat.service_account_namespace",
        ),
    ] {
        assert_status(
            agents.create_config(api.req(create(missing))).await,
            Code::InvalidArgument,
            &[field, "required"],
        );
    }

    // The provider attestation API marks its configuration required: no `aws`, no config.
    let mut providers = pa::api_client::ApiClient::new(channel(&mock.endpoint).await);
    assert_status(
        providers
            .create_config(api.req(pa::CreateConfigRequest {
                name: "no-aws".into(),
                config: None,
            }))
            .await,
        Code::InvalidArgument,
        &["aws"],
    );
    assert_eq!(mock.stats().objects.provider_attestation_configs, 0);
}

#[tokio::test]
async fn clusters_pages_and_descriptions_at_the_wire() {
    let mock = spawn(MockOptions {
        cluster_page_size: 2,
        ..MockOptions::default()
    })
    .await
    .expect("mock");
    let api = Api::of(&mock).await;
    let mut clusters = ClusterClient::new(channel(&mock.endpoint).await);
    let td = api.register("pages.example").await.expect("td");
    for i in 0..3 {
        clusters
            .create_cluster(api.req(create(&td, &format!("c{i}"))))
            .await
            .expect("create");
    }
    let first = clusters
        .list_clusters_v2(api.req(ListClustersV2Request::default()))
        .await
        .expect("page 1")
        .into_inner();
    assert_eq!(first.clusters.len(), 2);
    let token = first.next_page_token.expect("more to come");
    let second = clusters
        .list_clusters_v2(api.req(ListClustersV2Request {
            page_token: Some(token),
            ..ListClustersV2Request::default()
        }))
        .await
        .expect("page 2")
        .into_inner();
    assert_eq!(second.clusters.len(), 1);
    assert_eq!(second.next_page_token, None, "the last page");
    // A page size asked for wins over the default.
    let all = clusters
        .list_clusters_v2(api.req(ListClustersV2Request {
            page_size: Some(10),
            ..ListClustersV2Request::default()
        }))
        .await
        .expect("one page")
        .into_inner();
    assert_eq!((all.clusters.len(), all.next_page_token), (3, None));
    assert_status(
        clusters
            .list_clusters_v2(api.req(ListClustersV2Request {
                page_token: Some("made-up".into()),
                ..ListClustersV2Request::default()
            }))
            .await,
        Code::InvalidArgument,
        &["page_token"],
    );

    // Describe: nothing asked is refused; without per-cluster errors an unknown id fails the
    // call; with them it is an entry of its own.
    assert_status(
        clusters
            .describe_clusters(api.req(DescribeClustersRequest::default()))
            .await,
        Code::InvalidArgument,
        &["ids"],
    );
    let unknown = DescribeClusterId {
        id: Some("c-unknown".into()),
        ..DescribeClusterId::default()
    };
    assert_status(
        clusters
            .describe_clusters(api.req(DescribeClustersRequest {
                ids: vec![unknown.clone()],
                per_cluster_errors: false,
            }))
            .await,
        Code::NotFound,
        &["ids[0].id", "c-unknown"],
    );
    let answer = clusters
        .describe_clusters(api.req(DescribeClustersRequest {
            ids: vec![
                DescribeClusterId {
                    id: Some(all.clusters[1].id.clone()),
                    ..DescribeClusterId::default()
                },
                unknown,
                DescribeClusterId::default(),
            ],
            per_cluster_errors: true,
        }))
        .await
        .expect("describe")
        .into_inner();
    assert_eq!(answer.clusters.len(), 3);
    assert_eq!(answer.errors.len(), 3);
    assert_eq!(answer.clusters[0].name, "c1");
    assert_eq!(answer.errors[0].code, 0);
    assert_eq!(answer.errors[1].code, Code::NotFound as i32);
    assert_eq!(answer.errors[1].field, "ids[1].id");
    assert_eq!(answer.errors[2].code, Code::InvalidArgument as i32);
    assert_status(
        clusters
            .describe_clusters(api.req(DescribeClustersRequest {
                ids: vec![DescribeClusterId::default(); 101],
                per_cluster_errors: true,
            }))
            .await,
        Code::InvalidArgument,
        &["ids", "100"],
    );
}

#[tokio::test]
async fn clusters_answer_the_new_versions_agent_installation_by_platform() {
    let mock = spawn(MockOptions::default()).await.expect("mock");
    let api = Api::of(&mock).await;
    let mut clusters = ClusterClient::new(channel(&mock.endpoint).await);
    let td = api.register("install.example").await.expect("td");
    let keyed = |name: &str, platform: Platform, key: u8| CreateClusterRequest {
        platform: platform.into(),
        pubkey: Some(create_cluster_request::Pubkey::PkixPubkey(PkixPublicKey {
            data: key_der(key),
        })),
        ..create(&td, name)
    };
    let k8s = clusters
        .create_cluster(api.req(keyed("k8s", Platform::Kubernetes, 1)))
        .await
        .expect("create")
        .into_inner();
    let Some(create_cluster_response::Deployment::KubernetesDeployment(manifest)) = &k8s.deployment
    else {
        panic!("a Kubernetes deployment: {k8s:?}");
    };
    for text in [
        "kind: DaemonSet",
        "trustDomain: install.example",
        &k8s.cluster_version_id,
    ] {
        assert!(manifest.kubectl_yaml.contains(text), "{text}: {manifest:?}");
    }
    let linux = clusters
        .create_cluster(api.req(keyed("hosts", Platform::Linux, 2)))
        .await
        .expect("create")
        .into_inner();
    let Some(create_cluster_response::Deployment::VmDeployment(vm)) = &linux.deployment else {
        panic!("a VM deployment: {linux:?}");
    };
    assert!(
        vm.agent_configuration_file
            .contains(&linux.cluster_version_id)
    );
    assert!(vm.docker_compose_yaml.contains("services:"), "{vm:?}");

    // A new version: files of its own.
    let cluster_id = clusters
        .list_clusters_v2(api.req(ListClustersV2Request {
            cluster_name: Some("k8s".into()),
            ..ListClustersV2Request::default()
        }))
        .await
        .expect("list")
        .into_inner()
        .clusters[0]
        .id
        .clone();
    let next = clusters
        .new_cluster_version(api.req(NewClusterVersionRequest {
            trust_domain_id: td.clone(),
            cluster_id,
            pubkey: Some(new_cluster_version_request::Pubkey::PkixPubkey(
                PkixPublicKey { data: key_der(3) },
            )),
            ..NewClusterVersionRequest::default()
        }))
        .await
        .expect("new version")
        .into_inner();
    let Some(new_cluster_version_response::Deployment::KubernetesDeployment(renewed)) =
        &next.deployment
    else {
        panic!("a Kubernetes deployment: {next:?}");
    };
    assert!(renewed.kubectl_yaml.contains(&next.cluster_version_id));
    assert!(!renewed.kubectl_yaml.contains(&k8s.cluster_version_id));
}

#[tokio::test]
async fn clusters_realm_roles_have_rr_ids() {
    let mock = spawn(MockOptions::default()).await.expect("mock");
    let api = Api::of(&mock).await;
    let mut access =
        spirl_api_proto::access::api_client::ApiClient::new(channel(&mock.endpoint).await);
    let roles = access
        .list_roles(api.req(spirl_api_proto::access::ListRolesRequest::default()))
        .await
        .expect("roles")
        .into_inner()
        .roles;
    assert!(!roles.is_empty());
    for role in roles {
        assert!(role.id.starts_with("rr-"), "the SDK: rr-* format: {role:?}");
    }
}
