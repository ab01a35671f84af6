//! Over a real socket with a real HTTP client: login and CRUD, the request counters of
//! `/_mock/stats`, and fault injection (refusals, dropped responses, latency).

mod common;

use std::time::{Duration, Instant};

use common::{Call, Http, Session, Transport as _, ed25519_public_pem, login};
use serde_json::json;
use spirl_mock_api::{MockConfig, RunningMock, Stats, spawn};

async fn start(config: MockConfig) -> (RunningMock, Http) {
    let mock = spawn(config).await.expect("mock starts");
    let http = Http::new(&mock.endpoint);
    (mock, http)
}

async fn session(mock: &RunningMock, http: &Http) -> Session<Http> {
    Session {
        transport: Http::new(&http.endpoint),
        token: login(http, &mock.credentials).await,
    }
}

async fn stats(http: &Http) -> Stats {
    let reply = http.get("/_mock/stats").await;
    assert_eq!(reply.status, 200, "{reply:#?}");
    serde_json::from_value(reply.body).expect("stats shape")
}

#[tokio::test]
async fn socket_login_and_crud_with_a_real_client() {
    let (mock, http) = start(MockConfig::default()).await;
    assert_eq!(
        mock.endpoint,
        format!("http://127.0.0.1:{}", mock.addr.port())
    );
    assert_eq!(mock.credentials.endpoint, mock.endpoint);
    let api = session(&mock, &http).await;
    let td = api.trust_domain("example.org").await;
    let dep = api.deployment(&td, "prod").await;
    let key = api
        .post(
            &format!("/v1/trust-domains/{td}/deployments/{dep}/keys"),
            json!({ "public_key": ed25519_public_pem(1), "active": true }),
        )
        .await;
    assert_eq!(key.status, 201, "{key:#?}");
    let listed = api
        .get(&format!("/v1/trust-domains/{td}/deployments"))
        .await;
    assert_eq!(
        listed.body["deployments"][0]["keys"][0]["id"],
        key.body["id"]
    );
    mock.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn socket_oversized_body_gets_a_400_answer_not_a_reset() {
    let (mock, http) = start(MockConfig::default()).await;
    let api = session(&mock, &http).await;
    let reply = api
        .transport
        .call(Call {
            method: "POST",
            path: "/v1/trust-domains",
            token: Some(&api.token),
            raw: Some((Some("application/json"), vec![b' '; 3 << 20])),
            ..Call::default()
        })
        .await;
    reply.assert_error(400, "invalid_argument", "larger than 1 MiB");
}

#[tokio::test]
async fn stats_count_every_request_by_route_pattern() {
    let (mock, http) = start(MockConfig::default()).await;
    let api = session(&mock, &http).await;
    let td = api.trust_domain("example.org").await;
    api.get(&format!("/v1/trust-domains/{td}")).await;
    api.get("/v1/trust-domains/td-missing").await;
    // Refused ones count too.
    http.get("/v1/trust-domains").await.assert_error(
        401,
        "unauthenticated",
        "missing Authorization",
    );
    http.get("/nowhere")
        .await
        .assert_error(404, "not_found", "/nowhere");
    http.post("/_mock/stats", None, json!({}))
        .await
        .assert_error(
            405,
            "invalid_argument",
            "POST is not allowed on /_mock/stats",
        );
    let stats = stats(&http).await;
    let count = |key: &str| stats.requests.get(key).copied().unwrap_or(0);
    assert_eq!(count("POST /v1/auth/service-account/challenge"), 1);
    assert_eq!(count("POST /v1/auth/service-account/session"), 1);
    assert_eq!(count("POST /v1/trust-domains"), 1);
    assert_eq!(count("GET /v1/trust-domains/{id}"), 2);
    assert_eq!(count("GET /v1/trust-domains"), 1);
    assert_eq!(count("GET <unmatched>"), 1);
    assert_eq!(count("POST /_mock/stats"), 1);
    assert_eq!(stats.objects.trust_domains, 1);
    assert_eq!((stats.objects.deployments, stats.objects.keys), (0, 0));
    // This stats request itself was counted before it was answered.
    assert_eq!(count("GET /_mock/stats"), 1);
    assert_eq!(mock.stats().requests.get("GET /_mock/stats"), Some(&1));
}

#[tokio::test]
async fn fail_rate_one_refuses_every_v1_request_with_429_or_503_and_retry_after() {
    let (mock, http) = start(MockConfig {
        fail_rate: 1.0,
        seed: Some(1),
        retry_after: Duration::from_secs(3),
        ..MockConfig::default()
    })
    .await;
    let mut codes = std::collections::BTreeSet::new();
    for _ in 0..20 {
        // Refused before anything is looked at: no token needed to be refused.
        let reply = http
            .post("/v1/trust-domains", None, json!({ "name": "example.org" }))
            .await;
        match reply.status {
            429 => reply.assert_error(429, "resource_exhausted", "retry after 3 s"),
            503 => reply.assert_error(503, "unavailable", "retry after 3 s"),
            other => panic!("unexpected status {other}: {reply:#?}"),
        }
        assert_eq!(reply.headers["retry-after"], "3");
        codes.insert(reply.status);
    }
    assert_eq!(codes.into_iter().collect::<Vec<_>>(), [429, 503]);
    let challenge = http
        .post(
            "/v1/auth/service-account/challenge",
            None,
            json!({ "key_id": mock.credentials.sa_key_id }),
        )
        .await;
    assert!(matches!(challenge.status, 429 | 503), "{challenge:#?}");
    // /_mock is never faulted, and counts the refused requests.
    let stats = stats(&http).await;
    assert_eq!(stats.requests.get("POST /v1/trust-domains"), Some(&20));
    assert_eq!(stats.objects.trust_domains, 0);
}

#[tokio::test]
async fn drop_after_commit_commits_but_the_client_gets_no_answer() {
    let (mock, http) = start(MockConfig {
        drop_after_commit_rate: 1.0,
        ..MockConfig::default()
    })
    .await;
    // Logging in commits nothing, so it is not dropped.
    let api = session(&mock, &http).await;
    let call = || Call {
        method: "POST",
        path: "/v1/trust-domains",
        token: Some(&api.token),
        json: Some(json!({ "name": "example.org" })),
        headers: vec![("idempotency-key", "retry-me".to_owned())],
        ..Call::default()
    };
    let error = api
        .transport
        .try_call(call())
        .await
        .expect_err("the response is dropped");
    // No status line at all (hyper's IncompleteMessage), not a truncated body after a 201.
    assert!(error.is_request() && !error.is_body(), "{error:?}");
    assert_eq!(
        mock.stats().objects.trust_domains,
        1,
        "the write was committed"
    );
    // The retry with the same key is answered from the record: no commit, so no drop.
    let replay = api
        .transport
        .try_call(call())
        .await
        .expect("replayed answer");
    assert_eq!(replay.status, 201, "{replay:#?}");
    assert_eq!(replay.headers["idempotent-replayed"], "true");
    assert_eq!(mock.stats().objects.trust_domains, 1);
    // Reads are never dropped.
    assert_eq!(api.get("/v1/trust-domains").await.status, 200);
}

#[tokio::test]
async fn latency_delays_v1_requests() {
    let (_mock, http) = start(MockConfig {
        latency: Duration::from_millis(300),
        ..MockConfig::default()
    })
    .await;
    let started = Instant::now();
    http.get("/v1/trust-domains")
        .await
        .assert_error(401, "unauthenticated", "missing");
    assert!(started.elapsed() >= Duration::from_millis(300));
}

#[tokio::test]
async fn faults_change_while_the_mock_serves() {
    let (mock, http) = start(MockConfig {
        latency: Duration::from_millis(300),
        ..MockConfig::default()
    })
    .await;
    let api = session(&mock, &http).await;
    assert_eq!(mock.state.faults().latency, Duration::from_millis(300));

    // Off: same mock, same objects, no delay.
    mock.state
        .set_faults(spirl_mock_api::Faults {
            latency: Duration::ZERO,
            ..mock.state.faults()
        })
        .expect("valid faults");
    let started = Instant::now();
    assert!(api.trust_domain("example.org").await.starts_with("td-"));
    assert!(started.elapsed() < Duration::from_millis(300));

    // On again, as refusals: every /v1 request is refused, and nothing is created.
    mock.state
        .set_faults(spirl_mock_api::Faults {
            fail_rate: 1.0,
            ..mock.state.faults()
        })
        .expect("valid faults");
    let reply = api
        .post("/v1/trust-domains", json!({ "name": "example.com" }))
        .await;
    assert!(matches!(reply.status, 429 | 503), "{reply:#?}");
    assert_eq!(mock.stats().objects.trust_domains, 1);

    // Rates are checked as at start; a refused change leaves the faults as they were.
    let bad = spirl_mock_api::Faults {
        drop_after_commit_rate: 1.5,
        ..mock.state.faults()
    };
    assert!(mock.state.set_faults(bad).is_err());
    assert_eq!(mock.state.faults().fail_rate, 1.0);
    assert_eq!(mock.state.faults().drop_after_commit_rate, 0.0);
}
