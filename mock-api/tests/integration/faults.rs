//! Fault injection in gRPC terms, request counting, and the client metadata record.

use std::time::{Duration, Instant};

use crate::common::{Api, LoginStream, assert_status, channel};
use spirl_mock_api::{ClientMetadata, Faults, MockOptions, spawn};
use tonic::Code;

const LIST: &str = "/com.spirl.api.v1.trustdomain.API/ListTrustDomains";
const REGISTER: &str = "/com.spirl.api.v1.trustdomain.API/RegisterTrustDomain";
const LOGIN: &str = "/com.spirl.api.v1.session.API/AuthenticateServiceAccount";

#[tokio::test]
async fn faults_fail_rate_refuses_before_acting_with_both_codes() {
    let mock = spawn(MockOptions {
        seed: Some(7),
        ..MockOptions::default()
    })
    .await
    .expect("mock");
    let api = Api::of(&mock).await;
    mock.state
        .set_faults(Faults {
            latency: Duration::ZERO,
            fail_rate: 1.0,
            drop_after_commit_rate: 0.0,
        })
        .expect("faults");
    let mut codes = std::collections::BTreeSet::new();
    for n in 0..20 {
        let status = api
            .register(&format!("n{n}.example"))
            .await
            .expect_err("refused");
        codes.insert(status.code() as i32);
        assert!(
            matches!(status.code(), Code::Unavailable | Code::ResourceExhausted),
            "{status:?}"
        );
    }
    assert_eq!(codes.len(), 2, "both codes appear");
    // Refused before the token is even looked at, and before the login stream starts.
    let forged = Api {
        token: "nope".into(),
        ..api.clone()
    };
    let status = forged.list("").await.expect_err("refused");
    assert_ne!(status.code(), Code::Unauthenticated);
    assert!(
        LoginStream::open(channel(&mock.endpoint).await)
            .await
            .is_err()
    );
    assert_eq!(mock.stats().objects.trust_domains, 0, "nothing was done");
    assert_eq!(mock.stats().requests.get(REGISTER), Some(&20));

    mock.state
        .set_faults(Faults::of(mock.state.options()))
        .expect("recover");
    api.register("ok.example").await.expect("works again");
}

#[tokio::test]
async fn faults_drop_after_commit_commits_then_fails_writes_only() {
    let mock = spawn(MockOptions::default()).await.expect("mock");
    let api = Api::of(&mock).await;
    mock.state
        .set_faults(Faults {
            latency: Duration::ZERO,
            fail_rate: 0.0,
            drop_after_commit_rate: 1.0,
        })
        .expect("faults");
    assert_status(
        api.register("dropped.example").await,
        Code::Unavailable,
        &["connection lost"],
    );
    let found = api
        .list("dropped.example")
        .await
        .expect("reads are never dropped");
    assert_eq!(found.len(), 1, "the write happened");
    // A refused write commits nothing, so it keeps its own error.
    assert_status(
        api.register("dropped.example").await,
        Code::AlreadyExists,
        &["name"],
    );
    // A no-op update commits nothing either.
    let update = api
        .c()
        .update_trust_domain(
            api.req(spirl_api_proto::trustdomain::UpdateTrustDomainRequest {
                trust_domain_id: found[0].id.clone(),
                jwt_issuer: None,
            }),
        )
        .await;
    update.expect("nothing committed, nothing dropped");
}

#[tokio::test]
async fn faults_latency_delays_every_call_login_included() {
    let mock = spawn(MockOptions::default()).await.expect("mock");
    let api = Api::of(&mock).await;
    let delay = Duration::from_millis(200);
    mock.state
        .set_faults(Faults {
            latency: delay,
            fail_rate: 0.0,
            drop_after_commit_rate: 0.0,
        })
        .expect("faults");
    let started = Instant::now();
    api.list("").await.expect("list");
    assert!(started.elapsed() >= delay);
    let started = Instant::now();
    let _ = Api::of(&mock).await;
    assert!(started.elapsed() >= delay);
}

#[tokio::test]
async fn faults_config_rates_out_of_range_are_refused() {
    let error = spawn(MockOptions {
        fail_rate: 1.5,
        ..MockOptions::default()
    })
    .await
    .expect_err("bad rate");
    assert!(error.to_string().contains("fail_rate"), "{error}");
}

#[tokio::test]
async fn stats_count_full_method_paths_refused_included_and_client_metadata_is_recorded() {
    let mock = spawn(MockOptions::default()).await.expect("mock");
    let api = Api::of(&mock).await;
    api.list("").await.expect("list");
    let forged = Api {
        token: "nope".into(),
        ..api.clone()
    };
    assert!(forged.list("").await.is_err());
    let stats = mock.stats();
    assert_eq!(stats.requests.get(LIST), Some(&2));
    assert_eq!(stats.requests.get(LOGIN), Some(&1));
    let seen = mock.state.client_metadata();
    assert!(
        seen.contains(&ClientMetadata {
            client: Some("spirl-mock-api-tests".into()),
            version: Some("0.0.1".into()),
        }),
        "{seen:?}"
    );
    assert_eq!(seen.len(), 1, "one client");
}
