//! What the client logs: a useful line per call attempt, and never a secret. The secrets are
//! what the mock issued and received (tokens, nonces, signatures, the mock's record) plus the
//! service account's private key.
#![allow(clippy::unwrap_used)]

use crate::support::{capture_logs, client_for, trust_domain};
use base64::Engine as _;
use spirl_mock_api::MockOptions;

#[tokio::test]
async fn client_logs_calls_and_no_secret() {
    let logs = capture_logs();
    let mock = spirl_mock_api::spawn(MockOptions::default()).await.unwrap();
    let client = client_for(&mock, |c| c.max_retries = 1);

    let td = client
        .create_trust_domain(&trust_domain("example.org"))
        .await
        .unwrap();
    let mut errors = Vec::new();
    errors.push(client.trust_domain_info("td-missing").await.unwrap_err());
    errors.push(
        client
            .create_trust_domain(&trust_domain("example.org"))
            .await
            .unwrap_err(),
    );
    client.delete_trust_domain(&td).await.unwrap();

    let record = mock.state.auth_record();
    let mut secrets: Vec<String> = Vec::new();
    for (what, found) in [
        ("tokens", &record.tokens),
        ("server nonces", &record.server_nonces),
        ("client nonces", &record.client_nonces),
        ("signatures", &record.signatures),
    ] {
        assert!(!found.is_empty(), "the mock recorded no {what}");
        for value in found {
            secrets.push(value.clone());
            // The same bytes in other encodings.
            if let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(value) {
                secrets.push(bytes.iter().map(|b| format!("{b:02x}")).collect());
                secrets.push(format!("{bytes:?}"));
            }
        }
    }
    secrets.extend(
        mock.credentials
            .sa_private_key
            .lines()
            .filter(|l| !l.starts_with("-----"))
            .map(str::to_owned),
    );

    let logs = logs.text();
    let debug = format!("{client:?} {errors:?}");
    let display: String = errors.iter().map(|e| format!("{e}\n")).collect();
    for secret in &secrets {
        assert!(secret.len() >= 16, "{secret}");
        for (what, text) in [("logs", &logs), ("Debug", &debug), ("errors", &display)] {
            assert!(
                !text.contains(secret.as_str()),
                "a secret appears in the {what}"
            );
        }
    }

    // One line per attempt with operation, method, code, duration and retry.
    let create = logs
        .lines()
        .find(|l| l.contains("create trust domain: trustdomain.API/RegisterTrustDomain -> OK"))
        .unwrap_or_else(|| panic!("no line for the create:\n{logs}"));
    for field in [
        "method=trustdomain.API/RegisterTrustDomain",
        "code=OK",
        "duration_ms=",
        "retry=0",
    ] {
        assert!(create.contains(field), "{field} missing from {create}");
    }
    assert!(
        logs.contains("read trust domain: trustdomain.API/TrustDomainInfo -> NOT_FOUND"),
        "{logs}"
    );
    assert!(
        logs.contains("session.API/AuthenticateServiceAccount"),
        "{logs}"
    );
    assert!(
        logs.lines()
            .any(|l| l.contains("create trust domain") && l.contains("ALREADY_EXISTS")),
        "{logs}"
    );
}
