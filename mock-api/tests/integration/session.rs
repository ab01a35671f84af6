//! The login stream and session tokens, over real sockets.

use crate::common;

use std::time::Duration;

use crate::common::{
    Api, LoginStream, assert_status, channel, login, manual_config, sign_proof, signing_key,
};
use spirl_api_proto::session::ServiceAccountKeyAuthorization;
use spirl_api_proto::session::authenticate_service_account_request::Request as LoginRequest;
use spirl_api_proto::trustdomain::ListTrustDomainsRequest;
use spirl_mock_api::{MockOptions, spawn};
use tonic::Code;

#[tokio::test]
async fn session_login_happy_path_gives_a_token_that_works() {
    let mock = spawn(MockOptions::default()).await.expect("mock");
    let api = Api::of(&mock).await;
    assert!(api.token.len() >= 40);
    api.list("").await.expect("an authenticated call");
    let record = mock.state.auth_record();
    assert_eq!(record.tokens, vec![api.token.clone()]);
    assert_eq!(record.server_nonces.len(), 1);
    assert_eq!(record.client_nonces.len(), 1);
    assert_eq!(record.signatures.len(), 1);
    for secret in record.server_nonces.iter().chain(&record.signatures) {
        assert!(secret.len() >= 40, "{secret}");
    }
}

#[tokio::test]
async fn session_login_unknown_key_is_unauthenticated() {
    let mock = spawn(MockOptions::default()).await.expect("mock");
    let mut stream = LoginStream::open(channel(&mock.endpoint).await)
        .await
        .expect("open");
    stream.login("sak-nobody").await;
    assert_status(stream.next().await, Code::Unauthenticated, &["sak-nobody"]);
}

#[tokio::test]
async fn session_login_bad_signature_is_unauthenticated() {
    let mock = spawn(MockOptions::default()).await.expect("mock");
    let (mut stream, server_nonce) =
        LoginStream::challenged(&mock.endpoint, &mock.credentials.sa_key_id).await;
    let other = ed25519_dalek::SigningKey::from_bytes(&[9; 32]);
    let nonce = [1u8; 32];
    stream
        .prove(sign_proof(&other, &nonce, &server_nonce), nonce.to_vec())
        .await;
    assert_status(stream.next().await, Code::Unauthenticated, &["signature"]);
}

#[tokio::test]
async fn session_login_replayed_proof_fails_on_a_new_challenge() {
    let mock = spawn(MockOptions::default()).await.expect("mock");
    let key = signing_key(&mock.credentials);
    let (mut first, server_nonce) =
        LoginStream::challenged(&mock.endpoint, &mock.credentials.sa_key_id).await;
    let nonce = [2u8; 32];
    let signature = sign_proof(&key, &nonce, &server_nonce);
    first.prove(signature.clone(), nonce.to_vec()).await;
    first.session().await.expect("first login");
    // The stream ends after the session: the challenge served once.
    assert!(first.next().await.expect("clean end").is_none());

    let (mut second, _) =
        LoginStream::challenged(&mock.endpoint, &mock.credentials.sa_key_id).await;
    second.prove(signature, nonce.to_vec()).await;
    assert_status(second.next().await, Code::Unauthenticated, &["signature"]);
}

#[tokio::test]
async fn session_login_expired_challenge_is_unauthenticated() {
    let (config, clock) = manual_config();
    let mock = spawn(config).await.expect("mock");
    let key = signing_key(&mock.credentials);
    let (mut stream, server_nonce) =
        LoginStream::challenged(&mock.endpoint, &mock.credentials.sa_key_id).await;
    clock.advance(mock.state.options().challenge_ttl + Duration::from_secs(1));
    let nonce = [3u8; 32];
    stream
        .prove(sign_proof(&key, &nonce, &server_nonce), nonce.to_vec())
        .await;
    assert_status(stream.next().await, Code::Unauthenticated, &["expired"]);
}

#[tokio::test]
async fn session_login_wrong_order_and_missing_fields_are_invalid_argument() {
    let mock = spawn(MockOptions::default()).await.expect("mock");
    let challenged = async || {
        LoginStream::challenged(&mock.endpoint, &mock.credentials.sa_key_id)
            .await
            .0
    };
    let open = || async {
        LoginStream::open(channel(&mock.endpoint).await)
            .await
            .expect("open")
    };

    let mut s = open().await;
    s.prove(vec![0; 64], vec![0; 32]).await;
    assert_status(s.next().await, Code::InvalidArgument, &["login"]);

    let mut s = open().await;
    s.login("").await;
    assert_status(s.next().await, Code::InvalidArgument, &["login.key_id"]);

    let mut s = open().await;
    s.send(None).await;
    assert_status(s.next().await, Code::InvalidArgument, &["login"]);

    let mut s = challenged().await;
    s.login(&mock.credentials.sa_key_id).await;
    assert_status(
        s.next().await,
        Code::InvalidArgument,
        &["authorization", "second login"],
    );

    let mut s = challenged().await;
    s.send(Some(LoginRequest::Authorization(
        ServiceAccountKeyAuthorization {
            service_account_key_proof: None,
        },
    )))
    .await;
    assert_status(
        s.next().await,
        Code::InvalidArgument,
        &["service_account_key_proof"],
    );

    let mut s = challenged().await;
    s.prove(vec![0; 64], vec![0; 31]).await;
    assert_status(
        s.next().await,
        Code::InvalidArgument,
        &["nonce", "32 bytes"],
    );

    let mut s = challenged().await;
    s.prove(vec![0; 10], vec![0; 32]).await;
    assert_status(
        s.next().await,
        Code::InvalidArgument,
        &["signature", "64 bytes"],
    );

    // The client gives up after the challenge.
    let s = challenged().await;
    let mut rx = s.close();
    assert_status(
        common::within(rx.message()).await,
        Code::InvalidArgument,
        &["authorization"],
    );
}

#[tokio::test]
async fn session_token_expires_with_the_mock_clock() {
    let (config, clock) = manual_config();
    let mock = spawn(config).await.expect("mock");
    let api = Api::of(&mock).await;
    api.list("").await.expect("fresh token works");
    clock.advance(mock.state.options().token_ttl);
    assert_status(api.list("").await, Code::Unauthenticated, &["log in again"]);
    let again = Api::of(&mock).await;
    again.list("").await.expect("a new login works");
}

#[tokio::test]
async fn session_missing_or_unknown_token_is_unauthenticated() {
    let mock = spawn(MockOptions::default()).await.expect("mock");
    let api = Api::of(&mock).await;
    let bare = tonic::Request::new(ListTrustDomainsRequest::default());
    let result = api.c().list_trust_domains(bare).await;
    assert_status(result, Code::Unauthenticated, &["token"]);
    let forged = Api {
        token: "forged-token".into(),
        ..api.clone()
    };
    assert_status(
        forged.list("").await,
        Code::Unauthenticated,
        &["log in again"],
    );
}

#[tokio::test]
async fn session_token_of_another_key_acts_for_that_key() {
    let mock = spawn(MockOptions::default()).await.expect("mock");
    let second = mock
        .state
        .add_service_account(&mock.endpoint)
        .expect("second account");
    assert_ne!(second.sa_key_id, mock.credentials.sa_key_id);
    assert!(second.sa_key_id.starts_with("sak-"));
    let first = Api::of(&mock).await;
    let other = Api::login(&second).await;
    let id = other.register("other.example").await.expect("register");
    // One organisation: both see it, and each token keeps working.
    assert_eq!(first.info(&id).await.expect("info").name, "other.example");
    other.list("").await.expect("second token still works");
    // A proof by one key does not log in as the other.
    let (mut s, server_nonce) = LoginStream::challenged(&mock.endpoint, &second.sa_key_id).await;
    let nonce = [4u8; 32];
    s.prove(
        sign_proof(&signing_key(&mock.credentials), &nonce, &server_nonce),
        nonce.to_vec(),
    )
    .await;
    assert_status(s.next().await, Code::Unauthenticated, &[&second.sa_key_id]);
    let _ = login(channel(&mock.endpoint).await, &second)
        .await
        .expect("own key logs in");
}

#[tokio::test]
async fn session_user_token_expires_with_the_token_ttl() {
    let (mut config, clock) = common::manual_config();
    config.token_ttl = std::time::Duration::from_secs(120);
    let mock = spirl_mock_api::spawn(config).await.expect("mock");
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("config.json");
    let token = mock.write_spirlctl_config(&path).expect("session file");
    assert_eq!(
        std::fs::read_to_string(&path).expect("read"),
        spirl_mock_api::cli::spirlctl_config_json(&token)
    );
    // A user of the organisation was made for it, and the token is recorded like any other.
    assert!(mock.state.auth_record().tokens.contains(&token));
    let api = common::Api {
        client: spirl_api_proto::trustdomain::api_client::ApiClient::new(
            common::channel(&mock.endpoint).await,
        ),
        token,
    };
    api.list("").await.expect("the user's session works");
    clock.advance(std::time::Duration::from_secs(121));
    common::assert_status(
        api.list("").await,
        tonic::Code::Unauthenticated,
        &["expired"],
    );
}
