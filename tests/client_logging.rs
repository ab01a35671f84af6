//! What the client logs: a useful line per API call, and never a secret. The secrets are taken
//! from what really crossed the wire (a recording relay between client and mock): the bearer
//! token, the nonces and the signature, plus the private key.
#![allow(clippy::unwrap_used)]

mod client_support;

use client_support::{LOGS, config_for, record_logs, recording_relay};
use spirl_mock_api::MockConfig;
use terraform_provider_spirl::client::{Client, CreateTrustDomain};

/// The string values of `"field":"…"` in `text`.
fn json_strings(text: &str, field: &str) -> Vec<String> {
    let marker = format!("\"{field}\":\"");
    text.match_indices(&marker)
        .filter_map(|(at, _)| {
            let rest = &text[at + marker.len()..];
            rest.find('"').map(|end| rest[..end].to_owned())
        })
        .collect()
}

#[tokio::test]
async fn client_logs_calls_and_no_secret() {
    record_logs();
    let mock = spirl_mock_api::spawn(MockConfig::default()).await.unwrap();
    let (relay, wire) = recording_relay(mock.addr).await;
    let mut client_config = config_for(&format!("http://{relay}"), &mock);
    client_config.max_retries = 1;
    let client = Client::new(&client_config, "1.0.3").unwrap();

    let td = client
        .create_trust_domain(&CreateTrustDomain {
            name: "example.org".into(),
            ..CreateTrustDomain::default()
        })
        .await
        .unwrap();
    let mut errors = Vec::new();
    errors.push(client.get_trust_domain("td-missing").await.unwrap_err());
    errors.push(
        client
            .create_trust_domain(&CreateTrustDomain {
                name: "example.org".into(),
                ..CreateTrustDomain::default()
            })
            .await
            .unwrap_err(),
    );
    client.delete_trust_domain(&td.id).await.unwrap();

    let wire = String::from_utf8_lossy(&wire.lock().unwrap()).into_owned();
    let mut secrets: Vec<String> = Vec::new();
    for field in [
        "token",
        "server_nonce",
        "client_nonce",
        "signature",
        "challenge_id",
    ] {
        let found = json_strings(&wire, field);
        assert!(!found.is_empty(), "no {field} on the wire");
        secrets.extend(found);
    }
    secrets.extend(
        mock.credentials
            .sa_private_key
            .lines()
            .filter(|l| !l.starts_with("-----"))
            .map(str::to_owned),
    );
    let token = &json_strings(&wire, "token")[0];
    assert!(
        wire.contains(&format!("authorization: Bearer {token}"))
            || wire.contains(&format!("Authorization: Bearer {token}"))
    );

    let logs = LOGS.lock().unwrap().join("\n");
    let debug = format!("{client:?} {client_config:?} {errors:?}");
    let display: String = errors.iter().map(|e| format!("{e}\n")).collect();
    for secret in &secrets {
        // Short fragments of base64 could match by chance; every secret here is long.
        assert!(secret.len() >= 16, "{secret}");
        for (what, text) in [("logs", &logs), ("Debug", &debug), ("errors", &display)] {
            assert!(
                !text.contains(secret.as_str()),
                "a secret appears in the {what}"
            );
        }
    }

    // One line per exchange with method, route pattern, status, duration, request id, retry.
    let create = logs
        .lines()
        .find(|l| l.contains("create trust domain: POST /v1/trust-domains -> 201"))
        .unwrap_or_else(|| panic!("no line for the create:\n{logs}"));
    for field in [
        "method=POST",
        "route=/v1/trust-domains",
        "status=201",
        "duration_ms=",
        "request_id=req-",
        "retry=0",
    ] {
        assert!(create.contains(field), "{field} missing from {create}");
    }
    assert!(
        logs.contains("get trust domain: GET /v1/trust-domains/{id} -> 404"),
        "{logs}"
    );
    assert!(
        logs.contains("POST /v1/auth/service-account/session -> 200"),
        "{logs}"
    );
    assert!(!logs.contains("td-missing"), "ids stay out of the route");
}
