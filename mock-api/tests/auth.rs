//! Service-account login and bearer tokens, in process with a manual clock.

mod common;

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use common::{Call, InProcess, Transport as _, answer, challenge, login, prove, proved_challenge};
use serde_json::json;
use spirl_mock_api::MockConfig;

#[tokio::test]
async fn login_correct_proof_gives_a_token_that_opens_the_api() {
    let mock = InProcess::new();
    let credentials = mock.credentials();
    assert!(credentials.sa_key_id.starts_with("sak-"));
    let challenge = challenge(&mock, &credentials.sa_key_id).await;
    assert_eq!(
        STANDARD
            .decode(challenge["server_nonce"].as_str().expect("nonce"))
            .expect("standard base64")
            .len(),
        32
    );
    assert_eq!(challenge["expires_at"], "2026-11-21T08:01:00Z");
    let (nonce, signature) = prove(
        &credentials.sa_private_key,
        challenge["server_nonce"].as_str().expect("nonce"),
    );
    let session = answer(&mock, &challenge, &nonce, &signature).await;
    assert_eq!(session.status, 200, "{session:#?}");
    assert_eq!(session.body["expires_at"], "2026-11-21T09:00:00Z");
    let token = session.body["token"].as_str().expect("token");
    let reply = mock
        .call(Call {
            method: "GET",
            path: "/v1/trust-domains",
            token: Some(token),
            ..Call::default()
        })
        .await;
    assert_eq!(reply.status, 200, "{reply:#?}");
}

#[tokio::test]
async fn login_wrong_signature_is_refused() {
    let mock = InProcess::new();
    let credentials = mock.credentials();
    let challenge = challenge(&mock, &credentials.sa_key_id).await;
    // Signed over another server nonce: a valid signature, but not for this challenge.
    let (nonce, signature) = prove(&credentials.sa_private_key, &STANDARD.encode([7u8; 32]));
    answer(&mock, &challenge, &nonce, &signature)
        .await
        .assert_error(401, "unauthenticated", "signature does not verify");
}

#[tokio::test]
async fn login_signature_by_another_key_is_refused() {
    let mock = InProcess::new();
    let other = mock
        .state
        .add_service_account("http://in-process")
        .expect("second account");
    let challenge = challenge(&mock, &mock.credentials().sa_key_id).await;
    let (nonce, signature) = prove(
        &other.sa_private_key,
        challenge["server_nonce"].as_str().expect("nonce"),
    );
    answer(&mock, &challenge, &nonce, &signature)
        .await
        .assert_error(401, "unauthenticated", "signature does not verify");
}

#[tokio::test]
async fn login_reused_challenge_is_refused_even_after_a_wrong_signature() {
    let mock = InProcess::new();
    let credentials = mock.credentials();
    let challenge = challenge(&mock, &credentials.sa_key_id).await;
    let server_nonce = challenge["server_nonce"].as_str().expect("nonce");
    let (nonce, _) = prove(&credentials.sa_private_key, server_nonce);
    answer(&mock, &challenge, &nonce, &STANDARD.encode([0u8; 64]))
        .await
        .assert_error(401, "unauthenticated", "signature does not verify");
    // The failed attempt spent the challenge: a correct proof no longer helps.
    let (nonce, signature) = prove(&credentials.sa_private_key, server_nonce);
    answer(&mock, &challenge, &nonce, &signature)
        .await
        .assert_error(401, "unauthenticated", "unknown or already used");
}

#[tokio::test]
async fn login_used_challenge_cannot_be_used_twice() {
    let mock = InProcess::new();
    let credentials = mock.credentials();
    let (challenge, nonce, signature) = proved_challenge(&mock, &credentials).await;
    assert_eq!(
        answer(&mock, &challenge, &nonce, &signature).await.status,
        200
    );
    answer(&mock, &challenge, &nonce, &signature)
        .await
        .assert_error(401, "unauthenticated", "unknown or already used");
}

#[tokio::test]
async fn login_expired_challenge_is_refused() {
    let mock = InProcess::new();
    let credentials = mock.credentials();
    let (challenge, nonce, signature) = proved_challenge(&mock, &credentials).await;
    mock.clock.advance(Duration::from_secs(60));
    answer(&mock, &challenge, &nonce, &signature)
        .await
        .assert_error(401, "unauthenticated", "expired at 2026-11-21T08:01:00Z");
}

#[tokio::test]
async fn login_unknown_key_id_is_refused() {
    let mock = InProcess::new();
    mock.post(
        "/v1/auth/service-account/challenge",
        None,
        json!({ "key_id": "sak-doesnotexist" }),
    )
    .await
    .assert_error(401, "unauthenticated", "`sak-doesnotexist` is not known");
}

#[tokio::test]
async fn login_malformed_proof_fields_are_invalid_arguments() {
    let mock = InProcess::new();
    let credentials = mock.credentials();
    let challenge = challenge(&mock, &credentials.sa_key_id).await;
    answer(&mock, &challenge, &STANDARD.encode([1u8; 16]), "")
        .await
        .assert_error(
            400,
            "invalid_argument",
            "client_nonce must be 32 bytes, got 16",
        );
    let challenge = common::challenge(&mock, &credentials.sa_key_id).await;
    answer(
        &mock,
        &challenge,
        &STANDARD.encode([1u8; 32]),
        "not base64!",
    )
    .await
    .assert_error(400, "invalid_argument", "signature is not standard base64");
}

async fn get_with_authorization(mock: &InProcess, header: Option<&str>) -> common::Reply {
    mock.call(Call {
        method: "GET",
        path: "/v1/trust-domains",
        headers: header
            .map(|h| vec![("authorization", h.to_owned())])
            .unwrap_or_default(),
        ..Call::default()
    })
    .await
}

#[tokio::test]
async fn token_missing_header_is_refused() {
    let mock = InProcess::new();
    get_with_authorization(&mock, None).await.assert_error(
        401,
        "unauthenticated",
        "missing Authorization header",
    );
}

#[tokio::test]
async fn token_malformed_header_is_refused() {
    let mock = InProcess::new();
    for header in [
        "Basic dXNlcjpwYXNz",
        "Bearer",
        "Bearer ",
        "token-without-scheme",
    ] {
        get_with_authorization(&mock, Some(header))
            .await
            .assert_error(401, "unauthenticated", "malformed Authorization header");
    }
}

#[tokio::test]
async fn token_unknown_is_refused() {
    let mock = InProcess::new();
    get_with_authorization(&mock, Some("Bearer made-up-token"))
        .await
        .assert_error(401, "unauthenticated", "bearer token is not valid");
}

#[tokio::test]
async fn token_expired_is_refused() {
    let mock = InProcess::with(MockConfig {
        token_ttl: Duration::from_secs(30),
        ..MockConfig::default()
    });
    let token = login(&mock, &mock.credentials()).await;
    let bearer = format!("Bearer {token}");
    mock.clock.advance(Duration::from_secs(29));
    assert_eq!(
        get_with_authorization(&mock, Some(&bearer)).await.status,
        200
    );
    mock.clock.advance(Duration::from_secs(1));
    get_with_authorization(&mock, Some(&bearer))
        .await
        .assert_error(
            401,
            "unauthenticated",
            "bearer token expired at 2026-11-21T08:00:30Z",
        );
}

#[tokio::test]
async fn token_acts_for_the_key_that_made_it_idempotency_keys_are_per_account() {
    let mock = InProcess::new();
    let other = mock
        .state
        .add_service_account("http://in-process")
        .expect("second account");
    let first = mock.session().await;
    let second = common::Session {
        transport: &mock,
        token: login(&mock, &other).await,
    };
    // Idempotency records are per account: the same key from two accounts are two requests.
    let one = first
        .post_idempotent(
            "/v1/trust-domains",
            "same-key",
            json!({ "name": "a.example" }),
        )
        .await;
    let two = second
        .post_idempotent(
            "/v1/trust-domains",
            "same-key",
            json!({ "name": "b.example" }),
        )
        .await;
    assert_eq!((one.status, two.status), (201, 201));
    assert_ne!(one.id(), two.id());
}

#[tokio::test]
async fn auth_record_lists_every_token_nonce_and_signature_as_they_travelled() {
    let mock = InProcess::new();
    let credentials = mock.credentials();
    assert_eq!(mock.state.auth_record(), Default::default());
    // A refused attempt is recorded too: its signature travelled all the same.
    let refused = challenge(&mock, &credentials.sa_key_id).await;
    let wrong = STANDARD.encode([9u8; 64]);
    let (refused_nonce, _) = prove(
        &credentials.sa_private_key,
        refused["server_nonce"].as_str().expect("nonce"),
    );
    answer(&mock, &refused, &refused_nonce, &wrong)
        .await
        .assert_error(401, "unauthenticated", "signature does not verify");
    let (accepted, nonce, signature) = proved_challenge(&mock, &credentials).await;
    let session = answer(&mock, &accepted, &nonce, &signature).await;
    assert_eq!(session.status, 200, "{session:#?}");

    let record = mock.state.auth_record();
    assert_eq!(
        record.tokens,
        [session.body["token"].as_str().expect("token")]
    );
    assert_eq!(
        record.server_nonces,
        [&refused["server_nonce"], &accepted["server_nonce"]].map(|n| n.as_str().expect("nonce"))
    );
    assert_eq!(record.client_nonces, [refused_nonce, nonce]);
    assert_eq!(record.signatures, [wrong, signature]);
}

#[tokio::test]
async fn auth_record_keeps_the_last_max_recorded_of_each() {
    let mock = InProcess::new();
    let key_id = mock.credentials().sa_key_id;
    let mut nonces = Vec::new();
    for _ in 0..spirl_mock_api::auth::MAX_RECORDED + 2 {
        let challenge = challenge(&mock, &key_id).await;
        nonces.push(
            challenge["server_nonce"]
                .as_str()
                .expect("nonce")
                .to_owned(),
        );
    }
    assert_eq!(
        mock.state.auth_record().server_nonces,
        nonces[2..],
        "the oldest two went first"
    );
}
