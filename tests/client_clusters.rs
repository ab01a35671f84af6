//! The client against the gRPC mock for the services around clusters (realms first): what each
//! method sends and reads back, the mock's rules (unique names, deletes refused while something
//! depends on the object), lost answers adopted, and the objects surviving a restart.
#![allow(clippy::unwrap_used)]

mod client_support;

use client_support::{client_for, drop_answers, mock_and_client, requests, trust_domain};
use spirl_mock_api::MockConfig;
use terraform_provider_spirl::client::{ApiError, has_id_shape};

const CREATE_REALM: &str = "/com.spirl.api.v1.realm.API/CreateRealm";

#[tokio::test]
async fn client_realm_round_trip_and_rules() {
    let (mock, client) = mock_and_client(MockConfig::default()).await;
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

    // A trust domain with realms cannot be deleted; the refusal names them.
    let refused = client.delete_trust_domain(&td).await.unwrap_err();
    assert!(
        matches!(refused, ApiError::FailedPrecondition(_)),
        "{refused:?}"
    );
    assert!(refused.to_string().contains("production"), "{refused}");

    client.delete_realm(&prod).await.unwrap();
    // Gone already: the delete has done its job.
    client.delete_realm(&prod).await.unwrap();
    client.delete_realm(&staging).await.unwrap();
    client.delete_realm(&elsewhere).await.unwrap();
    client.delete_trust_domain(&td).await.unwrap();
    assert_eq!(mock.stats().objects.realms, 0);
}

#[tokio::test]
async fn client_realm_lost_answer_is_adopted_and_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let config = || MockConfig {
        data_dir: Some(dir.path().to_owned()),
        ..MockConfig::default()
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
    let credentials = mock.credentials.clone();
    mock.shutdown().await.unwrap();

    let mock = spirl_mock_api::spawn(config()).await.unwrap();
    assert_eq!(mock.credentials.sa_key_id, credentials.sa_key_id);
    let client = client_for(&mock, |_| {});
    let realms = client.list_realms(Some(&td), None).await.unwrap();
    assert_eq!(realms.len(), 1, "{realms:?}");
    assert_eq!(
        (realms[0].id.as_str(), realms[0].name.as_str()),
        (adopted.as_str(), "edge")
    );
    client.delete_realm(&adopted).await.unwrap();
    assert_eq!(mock.stats().objects.realms, 0);
}
