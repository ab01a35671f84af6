//! The service-account session against the mock: one login for many concurrent calls, a new
//! login when the server forgets the token, a refused key, and the client metadata every call
//! carries.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use crate::support::{LOGIN, client_for, mock_and_client, requests, td_method, trust_domain};
use spirl_mock_api::{ManualClock, MockOptions};
use terraform_provider_spirl::client::ApiError;
use terraform_provider_spirl::keys::KeyPair;
use terraform_provider_spirl::settings::{
    ClientSetup, Credentials, ProviderInputs, ServiceAccountKey, resolve,
};
use tfplugin::Attr;

/// Service-account credentials of `key_id` signed with `private_key`.
fn key_credentials(key_id: &str, private_key: KeyPair) -> Credentials {
    Credentials::ServiceAccount(ServiceAccountKey {
        key_id: key_id.to_owned(),
        private_key,
    })
}

#[tokio::test]
async fn client_session_one_login_for_many_concurrent_calls() {
    let (mock, client) = mock_and_client(MockOptions::default()).await;
    let calls: Vec<_> = (0..20)
        .map(|i| {
            let client = client.clone();
            tokio::spawn(async move {
                client
                    .create_trust_domain(&trust_domain(&format!("td{i}.example.org")))
                    .await
            })
        })
        .collect();
    for call in calls {
        call.await.unwrap().unwrap();
    }
    assert_eq!(requests(&mock, LOGIN), 1, "one login serves every call");
    assert_eq!(requests(&mock, &td_method("RegisterTrustDomain")), 20);
    assert_eq!(mock.stats().objects.trust_domains, 20);
}

#[tokio::test]
async fn client_session_logs_in_again_when_the_token_expires() {
    let clock = Arc::new(ManualClock::new(SystemTime::now()));
    let config = MockOptions {
        token_ttl: Duration::from_secs(60),
        clock: clock.clone(),
        ..MockOptions::default()
    };
    let (mock, client) = mock_and_client(config).await;
    client.list_trust_domains(None).await.unwrap();
    assert_eq!(requests(&mock, LOGIN), 1);
    clock.advance(Duration::from_secs(61));
    // The token has no stated lifetime: the refusal is what makes the client log in again.
    client.list_trust_domains(None).await.unwrap();
    assert_eq!(requests(&mock, LOGIN), 2);
    assert_eq!(
        requests(&mock, &td_method("ListTrustDomains")),
        3,
        "the refused call, then its one retry after the new login"
    );
}

#[tokio::test]
async fn client_session_unknown_key_is_unauthenticated_and_not_retried() {
    let mock = spirl_mock_api::spawn(MockOptions::default()).await.unwrap();
    let other = spirl_mock_api::spawn(MockOptions::default()).await.unwrap();
    // The other mock's service-account key, which this mock does not know.
    let client = client_for(&mock, |c| {
        c.credentials = key_credentials(
            &other.credentials.sa_key_id,
            terraform_provider_spirl::keys::KeyPair::from_private_key_pem(
                &other.credentials.sa_private_key,
            )
            .unwrap(),
        );
    });
    let err = client.list_trust_domains(None).await.unwrap_err();
    assert!(matches!(err, ApiError::Unauthenticated(_)), "{err}");
    assert!(
        err.to_string()
            .contains("session.API/AuthenticateServiceAccount"),
        "{err}"
    );
    assert_eq!(requests(&mock, LOGIN), 1, "a refused login is not retried");
    assert_eq!(requests(&mock, &td_method("ListTrustDomains")), 0);
}

#[tokio::test]
async fn client_session_a_key_signing_for_another_is_refused() {
    let mock = spirl_mock_api::spawn(MockOptions::default()).await.unwrap();
    // The right key id, signed with another private key.
    let client = client_for(&mock, |c| {
        c.credentials = key_credentials(
            &mock.credentials.sa_key_id,
            terraform_provider_spirl::keys::KeyPair::generate(),
        );
    });
    let err = client.list_trust_domains(None).await.unwrap_err();
    assert!(matches!(err, ApiError::Unauthenticated(_)), "{err}");
}

#[tokio::test]
async fn client_session_metadata_reaches_the_server() {
    let (mock, client) = mock_and_client(MockOptions::default()).await;
    client.list_trust_domains(None).await.unwrap();
    let seen = mock.state.client_metadata();
    assert!(
        seen.iter()
            .any(|m| m.client.as_deref() == Some("terraform-provider-spirl")
                && m.version.as_deref() == Some(env!("CARGO_PKG_VERSION"))),
        "x-spirl-client and x-spirl-client-version: {seen:?}"
    );
    // The token went as metadata `token`: the call was accepted, and a token was issued.
    assert!(!mock.state.auth_record().tokens.is_empty());
}

/// The PKCS#8 version of a private key PEM: 0 for v1 (`PrivateKeyInfo`), 1 for v2
/// (`OneAsymmetricKey`, with the public key).
fn pkcs8_version(pem: &str) -> u8 {
    let der = pem::parse(pem).unwrap().into_contents();
    // SEQUENCE (short length), then INTEGER 1 byte long: 30 LL 02 01 VV.
    assert_eq!((der[0], der[2], der[3]), (0x30, 0x02, 0x01), "{der:02x?}");
    der[4]
}

#[tokio::test]
async fn client_session_reads_pkcs8_v1_and_v2_private_keys() {
    let mock = spirl_mock_api::spawn(MockOptions::default()).await.unwrap();
    // The mock writes v1, as OpenSSL, Go and Python do.
    assert_eq!(pkcs8_version(&mock.credentials.sa_private_key), 0);
    let client = client_for(&mock, |_| {});
    client.list_trust_domains(None).await.unwrap();

    // The same key as v2 (with its public key) logs in as well.
    use ed25519_dalek::pkcs8::{DecodePrivateKey as _, EncodePrivateKey as _, KeypairBytes};
    let key = ed25519_dalek::SigningKey::from_pkcs8_pem(&mock.credentials.sa_private_key).unwrap();
    let v2 = KeypairBytes {
        secret_key: key.to_bytes(),
        public_key: Some(ed25519_dalek::pkcs8::PublicKeyBytes(
            key.verifying_key().to_bytes(),
        )),
    }
    .to_pkcs8_pem(Default::default())
    .unwrap();
    assert_eq!(pkcs8_version(&v2), 1);
    let client = client_for(&mock, |c| {
        c.credentials = key_credentials(
            &mock.credentials.sa_key_id,
            KeyPair::from_private_key_pem(&v2).unwrap(),
        );
    });
    client.list_trust_domains(None).await.unwrap();
    assert_eq!(requests(&mock, LOGIN), 2);
}

/// A client that authenticates with the spirlctl session in `path` (no service-account key).
fn spirlctl_client(
    mock: &spirl_mock_api::RunningMock,
    path: &std::path::Path,
) -> terraform_provider_spirl::client::Client {
    let inputs = ProviderInputs {
        endpoint: Attr::Value(mock.endpoint.clone()),
        use_tls: Attr::Value(false),
        spirlctl_config_path: Attr::Value(path.to_str().unwrap().to_owned()),
        ..ProviderInputs::default()
    };
    match resolve(&inputs, &|_| None) {
        (Some(ClientSetup::Ready(config)), problems) if problems.is_empty() => {
            assert!(matches!(config.credentials, Credentials::Spirlctl(_)));
            terraform_provider_spirl::client::Client::new(&config, "1.0.3").unwrap()
        }
        other => panic!("the spirlctl session does not resolve: {other:?}"),
    }
}

#[tokio::test]
async fn client_spirlctl_session_is_sent_as_the_token_without_a_login() {
    let logs = crate::support::capture_logs();
    let clock = Arc::new(ManualClock::new(SystemTime::now()));
    let mock = spirl_mock_api::spawn(MockOptions {
        token_ttl: Duration::from_secs(60),
        clock: clock.clone(),
        ..MockOptions::default()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.json");
    let token = mock.write_spirlctl_config(&path).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "readable by its owner only");
    }
    let client = spirlctl_client(&mock, &path);
    client
        .create_trust_domain(&trust_domain("spirlctl.example.org"))
        .await
        .unwrap();
    client.list_trust_domains(None).await.unwrap();
    assert_eq!(requests(&mock, LOGIN), 0, "no login stream");
    assert!(!format!("{client:?}").contains(&token));

    // Expired: the refusal is final (no login to repeat, no second try), names the file and
    // says what to do.
    clock.advance(Duration::from_secs(61));
    let before = requests(&mock, &td_method("ListTrustDomains"));
    let err = client.list_trust_domains(None).await.unwrap_err();
    assert!(err.needs_spirlctl_login(), "{err:?}");
    let text = err.to_string();
    assert!(text.contains("run `spirlctl login` again"), "{text}");
    assert!(text.contains(path.to_str().unwrap()), "{text}");
    assert!(text.contains("expired"), "{text}");
    assert!(!text.contains(&token), "{text}");
    assert_eq!(requests(&mock, &td_method("ListTrustDomains")) - before, 1);
    assert_eq!(requests(&mock, LOGIN), 0);

    // A create refused the same way is not looked up or retried either.
    let err = client
        .create_trust_domain(&trust_domain("late.example.org"))
        .await
        .unwrap_err();
    assert!(err.needs_spirlctl_login(), "{err:?}");
    assert_eq!(mock.stats().objects.trust_domains, 1);

    let logs = logs.text();
    assert!(!logs.contains(&token), "the token was logged");
}
