//! Deployments and their keys: the first key makes the deployment, lists, enable/disable,
//! deletes with and without force.

use crate::common::{Api, assert_status, key_der};
use spirl_api_proto::trustdomain::trust_domain_key::Pubkey;
use spirl_api_proto::trustdomain::*;
use spirl_mock_api::assumptions::ORG_ID;
use spirl_mock_api::{MockOptions, ObjectCounts, spawn};
use tonic::Code;

async fn delete_key(api: &Api, td: &str, key: &str, force: bool) -> Result<(), tonic::Status> {
    api.c()
        .delete_trust_domain_key(api.req(DeleteTrustDomainKeyRequest {
            trust_domain_id: td.to_owned(),
            trust_domain_key_id: key.to_owned(),
            force,
        }))
        .await
        .map(drop)
}

async fn delete_deployment(
    api: &Api,
    td: &str,
    name: &str,
    force: bool,
) -> Result<(), tonic::Status> {
    api.c()
        .delete_trust_domain_deployment(api.req(DeleteTrustDomainDeploymentRequest {
            deployment_name: name.to_owned(),
            trust_domain_id: td.to_owned(),
            force,
        }))
        .await
        .map(drop)
}

async fn set_active(api: &Api, td: &str, key: &str, active: bool) -> Result<(), tonic::Status> {
    if active {
        api.c()
            .enable_trust_domain_key(api.req(EnableTrustDomainKeyRequest {
                trust_domain_id: td.to_owned(),
                trust_domain_key_id: key.to_owned(),
            }))
            .await
            .map(drop)
    } else {
        api.c()
            .disable_trust_domain_key(api.req(DisableTrustDomainKeyRequest {
                trust_domain_id: td.to_owned(),
                trust_domain_key_id: key.to_owned(),
            }))
            .await
            .map(drop)
    }
}

#[tokio::test]
async fn keys_first_key_creates_the_deployment_and_lists_filter() {
    let mock = spawn(MockOptions::default()).await.expect("mock");
    let api = Api::of(&mock).await;
    let a = api.register("a.example").await.expect("a");
    let b = api.register("b.example").await.expect("b");
    assert!(api.deployments("").await.expect("list").is_empty());
    let k1 = api.add_key(&a, "prod", key_der(1)).await.expect("k1");
    assert!(k1.starts_with("tdk-"), "{k1}");
    api.add_key(&a, "prod", key_der(2)).await.expect("k2");
    api.add_key(&b, "prod", key_der(1))
        .await
        .expect("same key, other trust domain");
    assert_status(
        api.add_key(&a, "prod", key_der(1)).await,
        Code::AlreadyExists,
        &["pkix_pubkey", &k1],
    );

    let all = api.deployments("").await.expect("org-wide");
    assert_eq!(all.len(), 2);
    assert!(
        all.iter()
            .all(|d| d.id.starts_with("tdd-") && d.org_id == ORG_ID && d.deployment_name == "prod")
    );
    let of_a = api.deployments(&a).await.expect("filtered");
    assert_eq!(of_a.len(), 1);
    assert_eq!(of_a[0].trust_domain_id, a);
    assert!(
        api.deployments("td-unknown")
            .await
            .expect("unknown filter")
            .is_empty()
    );

    let keys = api.keys(&a, "prod").await.expect("keys");
    assert_eq!(keys.len(), 2);
    assert_eq!(keys[0].id, k1);
    assert_eq!(keys[0].state, "active");
    assert_eq!(keys[0].trust_domain_id, a);
    assert_eq!(keys[0].deployment_name, "prod");
    assert_eq!(
        keys[0].pubkey,
        Some(Pubkey::PkixPubkey(PkixPublicKey { data: key_der(1) }))
    );
    assert_eq!(api.keys("", "").await.expect("all keys").len(), 3);
    assert_eq!(api.keys("", "prod").await.expect("by name").len(), 3);
    assert_eq!(api.keys(&b, "").await.expect("by trust domain").len(), 1);
    assert!(api.keys(&a, "staging").await.expect("none").is_empty());
    assert_eq!(
        mock.stats().objects,
        ObjectCounts {
            trust_domains: 2,
            deployments: 2,
            keys: 3,
            ..ObjectCounts::default()
        }
    );
}

#[tokio::test]
async fn keys_enable_disable_is_idempotent_and_delete_needs_force_when_active() {
    let mock = spawn(MockOptions::default()).await.expect("mock");
    let api = Api::of(&mock).await;
    let td = api.register("k.example").await.expect("td");
    let key = api.add_key(&td, "prod", key_der(1)).await.expect("key");
    assert_status(
        delete_key(&api, &td, &key, false).await,
        Code::FailedPrecondition,
        &[&key, "disable", "force"],
    );
    set_active(&api, &td, &key, false).await.expect("disable");
    set_active(&api, &td, &key, false)
        .await
        .expect("disable again");
    assert_eq!(api.keys(&td, "").await.expect("keys")[0].state, "inactive");
    set_active(&api, &td, &key, true).await.expect("enable");
    set_active(&api, &td, &key, true)
        .await
        .expect("enable again");
    assert_eq!(api.keys(&td, "").await.expect("keys")[0].state, "active");
    assert_status(
        set_active(&api, &td, "tdk-missing", true).await,
        Code::NotFound,
        &["trust_domain_key_id", "tdk-missing"],
    );
    assert_status(
        set_active(&api, "td-missing", &key, true).await,
        Code::NotFound,
        &["trust_domain_id"],
    );

    // The last key goes; the deployment stays.
    delete_key(&api, &td, &key, true)
        .await
        .expect("forced delete");
    assert_status(
        delete_key(&api, &td, &key, true).await,
        Code::NotFound,
        &[&key],
    );
    assert_eq!(api.deployments(&td).await.expect("deployments").len(), 1);
    let second = api
        .add_key(&td, "prod", key_der(2))
        .await
        .expect("key into the keyless deployment");
    set_active(&api, &td, &second, false)
        .await
        .expect("disable");
    delete_key(&api, &td, &second, false)
        .await
        .expect("an inactive key goes without force");
}

#[tokio::test]
async fn keys_delete_deployment_needs_force_with_active_keys_and_takes_its_keys() {
    let mock = spawn(MockOptions::default()).await.expect("mock");
    let api = Api::of(&mock).await;
    let td = api.register("d.example").await.expect("td");
    let key = api.add_key(&td, "prod", key_der(1)).await.expect("key");
    api.add_key(&td, "prod", key_der(2)).await.expect("key");
    api.add_key(&td, "other", key_der(3)).await.expect("key");
    assert_status(
        delete_deployment(&api, &td, "prod", false).await,
        Code::FailedPrecondition,
        &["prod", &key, "force"],
    );
    delete_deployment(&api, &td, "prod", true)
        .await
        .expect("forced");
    assert_status(
        delete_deployment(&api, &td, "prod", true).await,
        Code::NotFound,
        &["deployment_name", "prod"],
    );
    assert_status(
        delete_deployment(&api, "td-missing", "prod", true).await,
        Code::NotFound,
        &["trust_domain_id"],
    );
    assert_eq!(
        mock.stats().objects,
        ObjectCounts {
            trust_domains: 1,
            deployments: 1,
            keys: 1,
            ..ObjectCounts::default()
        }
    );
    let other = api.keys(&td, "other").await.expect("keys");
    set_active(&api, &td, &other[0].id, false)
        .await
        .expect("disable");
    delete_deployment(&api, &td, "other", false)
        .await
        .expect("no active keys: no force needed");
    assert!(api.deployments("").await.expect("list").is_empty());
}
