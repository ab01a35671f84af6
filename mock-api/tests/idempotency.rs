//! `Idempotency-Key` on POSTs: a retry gets the first answer back and creates nothing new.
//! In process, including a restart on the same data directory.

mod common;

use common::{InProcess, ed25519_public_pem};
use serde_json::json;
use spirl_mock_api::MockConfig;

const TDS: &str = "/v1/trust-domains";

#[tokio::test]
async fn same_key_same_body_creates_one_object_and_replays_the_first_answer() {
    let mock = InProcess::new();
    let api = mock.session().await;
    let body = json!({ "name": "example.org", "description": "d" });
    let first = api.post_idempotent(TDS, "key-1", body.clone()).await;
    assert_eq!(first.status, 201, "{first:#?}");
    assert!(first.headers.get("idempotent-replayed").is_none());
    let again = api.post_idempotent(TDS, "key-1", body).await;
    assert_eq!((again.status, &again.body), (201, &first.body));
    assert_eq!(again.headers["idempotent-replayed"], "true");
    assert_eq!(mock.state.stats().objects.trust_domains, 1);
}

#[tokio::test]
async fn same_body_without_a_key_is_a_new_request() {
    let mock = InProcess::new();
    let api = mock.session().await;
    let body = json!({ "name": "example.org" });
    let first = api.post_idempotent(TDS, "key-1", body.clone()).await;
    api.post_idempotent(TDS, "key-2", body.clone())
        .await
        .assert_error(409, "already_exists", &first.id());
    api.post(TDS, body)
        .await
        .assert_error(409, "already_exists", &first.id());
}

#[tokio::test]
async fn whitespace_and_key_order_do_not_make_a_different_body() {
    let mock = InProcess::new();
    let api = mock.session().await;
    let first = api
        .post_idempotent(
            TDS,
            "k",
            json!({ "name": "example.org", "self_hosted": false }),
        )
        .await;
    let again = api
        .post_idempotent(
            TDS,
            "k",
            json!({ "self_hosted": false, "name": "example.org" }),
        )
        .await;
    assert_eq!((again.status, again.body), (201, first.body));
}

#[tokio::test]
async fn same_key_with_another_body_or_route_is_400() {
    let mock = InProcess::new();
    let api = mock.session().await;
    let first = api
        .post_idempotent(TDS, "key-1", json!({ "name": "example.org" }))
        .await;
    api.post_idempotent(TDS, "key-1", json!({ "name": "other.example" }))
        .await
        .assert_error(
            400,
            "invalid_argument",
            "Idempotency-Key `key-1` was already used for a different request (POST /v1/trust-domains",
        );
    api.post_idempotent(
        &format!("{TDS}/{}/deployments", first.id()),
        "key-1",
        json!({ "name": "prod" }),
    )
    .await
    .assert_error(
        400,
        "invalid_argument",
        "was already used for a different request",
    );
    assert_eq!(mock.state.stats().objects.trust_domains, 1);
    assert_eq!(mock.state.stats().objects.deployments, 0);
}

#[tokio::test]
async fn a_refused_request_is_not_remembered() {
    let mock = InProcess::new();
    let api = mock.session().await;
    api.post_idempotent(TDS, "key-1", json!({ "name": "Bad.Name" }))
        .await
        .assert_error(400, "invalid_argument", "name");
    // Nothing was committed under the key, so the corrected request may use it.
    let reply = api
        .post_idempotent(TDS, "key-1", json!({ "name": "good.name" }))
        .await;
    assert_eq!(reply.status, 201, "{reply:#?}");
}

#[tokio::test]
async fn replay_gives_the_first_answer_even_after_the_object_changed() {
    let mock = InProcess::new();
    let api = mock.session().await;
    let td = api.trust_domain("example.org").await;
    let dep = api.deployment(&td, "prod").await;
    let keys = format!("{TDS}/{td}/deployments/{dep}/keys");
    let body = json!({ "public_key": ed25519_public_pem(1), "active": true });
    let first = api.post_idempotent(&keys, "key-1", body.clone()).await;
    assert_eq!(first.status, 201);
    let key = first.id();
    api.patch(&format!("{keys}/{key}"), json!({ "active": false }))
        .await;
    let again = api.post_idempotent(&keys, "key-1", body).await;
    assert_eq!((again.status, &again.body), (201, &first.body));
    assert_eq!(mock.state.stats().objects.keys, 1);
}

#[tokio::test]
async fn records_survive_a_restart_on_the_same_data_dir() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = || MockConfig {
        data_dir: Some(dir.path().to_owned()),
        ..MockConfig::default()
    };
    let body = json!({ "name": "example.org" });
    let first = {
        let mock = InProcess::with(config());
        let api = mock.session().await;
        api.post_idempotent(TDS, "key-1", body.clone()).await
    };
    assert_eq!(first.status, 201);
    let mock = InProcess::with(config());
    let api = mock.session().await;
    let again = api.post_idempotent(TDS, "key-1", body).await;
    assert_eq!((again.status, &again.body), (201, &first.body));
    assert_eq!(mock.state.stats().objects.trust_domains, 1);
    // The restarted mock's id generator starts over; it must not hand out a taken id.
    let other = api.trust_domain("other.example").await;
    assert_ne!(other, first.id());
}
