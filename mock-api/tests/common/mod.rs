//! Test harness shared by the integration tests: one way to call the API in process
//! ([`InProcess`], no socket) and one over a real socket ([`Http`]), one login helper for both,
//! and test-only key fixtures.
//!
//! The login here is written from DESIGN.md §3, not from the mock's code, so a mismatch between
//! the two fails a test.

// Each test binary uses a different part of the harness.
#![allow(dead_code)]

use std::time::{Duration, SystemTime};

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ed25519_dalek::SigningKey;
use ed25519_dalek::pkcs8::{DecodePrivateKey as _, EncodePublicKey as _};
use http_body_util::BodyExt as _;
use serde_json::{Value, json};
use sha2::{Digest as _, Sha512};
use spirl_mock_api::{Credentials, ManualClock, MockConfig, MockState, SequentialIds, router};
use tower::ServiceExt as _;

/// An answer: status, headers and the body as JSON (`Value::Null` when empty).
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Reply {
    /// The error code of an error answer.
    pub fn code(&self) -> &str {
        self.body["error"]["code"]
            .as_str()
            .unwrap_or("<no error code>")
    }

    /// The error message of an error answer.
    pub fn message(&self) -> &str {
        self.body["error"]["message"]
            .as_str()
            .unwrap_or("<no error message>")
    }

    /// Asserts an error answer: status, code, a message containing `needle`, and a request id
    /// that matches the `X-Request-Id` header.
    #[track_caller]
    pub fn assert_error(&self, status: u16, code: &str, needle: &str) {
        assert_eq!(self.status, status, "{self:#?}");
        assert_eq!(self.code(), code, "{self:#?}");
        assert!(
            self.message().contains(needle),
            "message {:?} should contain {needle:?}",
            self.message()
        );
        let header = self
            .headers
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .expect("X-Request-Id header");
        assert_eq!(self.body["error"]["request_id"], header, "{self:#?}");
    }

    /// The `id` field of a created object.
    pub fn id(&self) -> String {
        self.body["id"]
            .as_str()
            .unwrap_or_else(|| panic!("no id in {self:#?}"))
            .to_owned()
    }
}

/// One request, in the harness's terms.
#[derive(Debug, Clone, Default)]
pub struct Call<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub token: Option<&'a str>,
    /// Sent as JSON with `Content-Type: application/json`.
    pub json: Option<Value>,
    /// Sent as is, for malformed-body tests.
    pub raw: Option<(Option<&'a str>, Vec<u8>)>,
    pub headers: Vec<(&'a str, String)>,
}

/// Something that can carry a request to the mock.
pub trait Transport {
    async fn call(&self, call: Call<'_>) -> Reply;

    /// GET without a token.
    async fn get(&self, path: &str) -> Reply {
        self.call(Call {
            method: "GET",
            path,
            ..Call::default()
        })
        .await
    }

    async fn post(&self, path: &str, token: Option<&str>, json: Value) -> Reply {
        self.call(Call {
            method: "POST",
            path,
            token,
            json: Some(json),
            ..Call::default()
        })
        .await
    }
}

/// The router called in process, with a manual clock and sequential ids.
pub struct InProcess {
    pub router: Router,
    pub state: MockState,
    pub clock: ManualClock,
}

/// A fixed start time for the manual clock: 2026-11-21T08:00:00Z.
pub fn start_time() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_248_000)
}

impl InProcess {
    pub fn new() -> Self {
        Self::with(MockConfig::default())
    }

    /// `config` with the harness's clock and ids.
    pub fn with(config: MockConfig) -> Self {
        let clock = ManualClock::new(start_time());
        let state = MockState::new(MockConfig {
            clock: std::sync::Arc::new(clock.clone()),
            ids: Some(std::sync::Arc::new(SequentialIds::default())),
            ..config
        })
        .expect("mock state");
        InProcess {
            router: router(state.clone()),
            state,
            clock,
        }
    }

    pub fn credentials(&self) -> Credentials {
        self.state.credentials("http://in-process")
    }

    /// Logs in as the bootstrap account.
    pub async fn session(&self) -> Session<&Self> {
        let token = login(self, &self.credentials()).await;
        Session {
            transport: self,
            token,
        }
    }
}

impl Transport for InProcess {
    async fn call(&self, call: Call<'_>) -> Reply {
        let mut request = Request::builder().method(call.method).uri(call.path);
        if let Some(token) = call.token {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        for (name, value) in &call.headers {
            request = request.header(*name, value);
        }
        let body = match (call.json, call.raw) {
            (Some(json), _) => {
                request = request.header("content-type", "application/json");
                Body::from(json.to_string())
            }
            (None, Some((content_type, bytes))) => {
                if let Some(content_type) = content_type {
                    request = request.header("content-type", content_type);
                }
                Body::from(bytes)
            }
            (None, None) => Body::empty(),
        };
        let response = self
            .router
            .clone()
            .oneshot(request.body(body).expect("request"))
            .await
            .expect("infallible");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        Reply {
            status,
            headers,
            body: parse_body(&bytes),
        }
    }
}

impl<T: Transport> Transport for &T {
    async fn call(&self, call: Call<'_>) -> Reply {
        (**self).call(call).await
    }
}

fn parse_body(bytes: &[u8]) -> Value {
    if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(bytes).unwrap_or_else(|e| {
            panic!("body is not JSON ({e}): {}", String::from_utf8_lossy(bytes))
        })
    }
}

/// A real HTTP client against a mock on a socket.
pub struct Http {
    pub client: reqwest::Client,
    pub endpoint: String,
}

impl Http {
    pub fn new(endpoint: &str) -> Self {
        Http {
            client: reqwest::Client::builder()
                .timeout(Duration::from_secs(20))
                .build()
                .expect("client"),
            endpoint: endpoint.to_owned(),
        }
    }

    /// Sends a request; `Err` when no HTTP answer arrived (a dropped connection).
    pub async fn try_call(&self, call: Call<'_>) -> Result<Reply, reqwest::Error> {
        let method = reqwest::Method::from_bytes(call.method.as_bytes()).expect("method");
        let mut request = self
            .client
            .request(method, format!("{}{}", self.endpoint, call.path));
        if let Some(token) = call.token {
            request = request.bearer_auth(token);
        }
        for (name, value) in &call.headers {
            request = request.header(*name, value);
        }
        if let Some(json) = call.json {
            request = request.json(&json);
        } else if let Some((content_type, bytes)) = call.raw {
            if let Some(content_type) = content_type {
                request = request.header("content-type", content_type);
            }
            request = request.body(bytes);
        }
        let response = request.send().await?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let bytes = response.bytes().await?;
        Ok(Reply {
            status,
            headers,
            body: parse_body(&bytes),
        })
    }
}

impl Session<Http> {
    /// POST that reports a missing answer (a dropped or refused connection) as `Err`.
    pub async fn try_post(&self, path: &str, json: Value) -> Result<Reply, reqwest::Error> {
        self.transport
            .try_call(Call {
                method: "POST",
                path,
                token: Some(&self.token),
                json: Some(json),
                ..Call::default()
            })
            .await
    }
}

impl Transport for Http {
    async fn call(&self, call: Call<'_>) -> Reply {
        self.try_call(call).await.expect("HTTP answer")
    }
}

/// The login proof of DESIGN.md §3: Ed25519ph over SHA-512(client_nonce ‖ server_nonce), context
/// `service-account-key-proof`. Returns `(client_nonce, signature)`, both standard base64.
pub fn prove(private_key_pem: &str, server_nonce: &str) -> (String, String) {
    let key = SigningKey::from_pkcs8_pem(private_key_pem).expect("PKCS#8 key");
    let server_nonce = STANDARD.decode(server_nonce).expect("server nonce base64");
    assert_eq!(server_nonce.len(), 32, "server nonce is 32 bytes");
    let client_nonce: [u8; 32] = rand::random();
    let mut digest = Sha512::new();
    digest.update(client_nonce);
    digest.update(&server_nonce);
    let signature = key
        .sign_prehashed(digest, Some(b"service-account-key-proof"))
        .expect("sign");
    (
        STANDARD.encode(client_nonce),
        STANDARD.encode(signature.to_bytes()),
    )
}

/// Asks for a challenge; returns its JSON.
pub async fn challenge(t: &impl Transport, key_id: &str) -> Value {
    let reply = t
        .post(
            "/v1/auth/service-account/challenge",
            None,
            json!({ "key_id": key_id }),
        )
        .await;
    assert_eq!(reply.status, 200, "{reply:#?}");
    reply.body
}

/// Answers a challenge with a proof; returns the session answer as is.
pub async fn answer(
    t: &impl Transport,
    challenge: &Value,
    client_nonce: &str,
    signature: &str,
) -> Reply {
    t.post(
        "/v1/auth/service-account/session",
        None,
        json!({
            "challenge_id": challenge["challenge_id"],
            "client_nonce": client_nonce,
            "signature": signature,
        }),
    )
    .await
}

/// A fresh challenge for `credentials` and a correct proof for it:
/// `(challenge, client_nonce, signature)`.
pub async fn proved_challenge(
    t: &impl Transport,
    credentials: &Credentials,
) -> (Value, String, String) {
    let challenge = challenge(t, &credentials.sa_key_id).await;
    let server_nonce = challenge["server_nonce"].as_str().expect("server_nonce");
    let (client_nonce, signature) = prove(&credentials.sa_private_key, server_nonce);
    (challenge, client_nonce, signature)
}

/// The whole login; returns the bearer token.
pub async fn login(t: &impl Transport, credentials: &Credentials) -> String {
    let (challenge, client_nonce, signature) = proved_challenge(t, credentials).await;
    let reply = answer(t, &challenge, &client_nonce, &signature).await;
    assert_eq!(reply.status, 200, "{reply:#?}");
    reply.body["token"].as_str().expect("token").to_owned()
}

/// A logged-in client.
pub struct Session<T> {
    pub transport: T,
    pub token: String,
}

impl<T: Transport> Session<T> {
    pub async fn send(&self, method: &str, path: &str, json: Option<Value>) -> Reply {
        self.transport
            .call(Call {
                method,
                path,
                token: Some(&self.token),
                json,
                ..Call::default()
            })
            .await
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.send("GET", path, None).await
    }

    pub async fn post(&self, path: &str, json: Value) -> Reply {
        self.send("POST", path, Some(json)).await
    }

    pub async fn patch(&self, path: &str, json: Value) -> Reply {
        self.send("PATCH", path, Some(json)).await
    }

    pub async fn delete(&self, path: &str) -> Reply {
        self.send("DELETE", path, None).await
    }

    /// POST with an `Idempotency-Key`.
    pub async fn post_idempotent(&self, path: &str, key: &str, json: Value) -> Reply {
        self.transport
            .call(Call {
                method: "POST",
                path,
                token: Some(&self.token),
                json: Some(json),
                headers: vec![("idempotency-key", key.to_owned())],
                ..Call::default()
            })
            .await
    }

    /// Creates a trust domain and returns its id.
    pub async fn trust_domain(&self, name: &str) -> String {
        let reply = self
            .post("/v1/trust-domains", json!({ "name": name }))
            .await;
        assert_eq!(reply.status, 201, "{reply:#?}");
        reply.id()
    }

    /// Creates a deployment and returns its id.
    pub async fn deployment(&self, trust_domain_id: &str, name: &str) -> String {
        let reply = self
            .post(
                &format!("/v1/trust-domains/{trust_domain_id}/deployments"),
                json!({ "name": name }),
            )
            .await;
        assert_eq!(reply.status, 201, "{reply:#?}");
        reply.id()
    }
}

/// A test-only ed25519 public key (SPKI PEM), derived from a fixed seed; `n` picks the key.
pub fn ed25519_public_pem(n: u8) -> String {
    SigningKey::from_bytes(&[n; 32])
        .verifying_key()
        .to_public_key_pem(Default::default())
        .expect("PEM")
}

/// TEST ONLY, never trust: a throwaway RSA-1024 public key made with openssl for these tests.
pub const RSA_PUBLIC_PEM: &str = "-----BEGIN PUBLIC KEY-----
MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC8YD3Yb/Ux/77nShvyCdyU8Xkv
WmINEevNmYt9CH6q7pf2SfjR7BzVXiUtmJxnac+zH6t0ZaHifElMf1u7Q4u2VJmR
VIvWt99BSbp9YDOulX3M1boVsrbkgGaTgQzsNysWMkEkqTsgsWGzT97fc9CYi3CG
xdvdBJ2LeDZmu2DNnQIDAQAB
-----END PUBLIC KEY-----
";

/// TEST ONLY, never trust: a throwaway P-256 public key made with openssl for these tests.
pub const EC_PUBLIC_PEM: &str = "-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEWnCFD1WyBSvr9D1Gb1qubKfNluDr
9G+NEgxb8huW+J5Kp3DyVH1EiEl44MDI+qeygXOD3W1UbS+qud0loEo2ag==
-----END PUBLIC KEY-----
";

/// TEST ONLY, never use: a throwaway X25519 public key made with openssl for these tests.
pub const X25519_PUBLIC_PEM: &str = "-----BEGIN PUBLIC KEY-----
MCowBQYDK2VuAyEAwIsMktp5TPLb/qI3mqZeBJtT7B1/ymWiwIUZf5At6z4=
-----END PUBLIC KEY-----
";

/// TEST ONLY, never use: a throwaway ed25519 private key (PKCS#8) made with openssl for these
/// tests; it must be refused where a public key is expected.
pub const ED25519_PRIVATE_PEM: &str = "-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEILeQVu7cqWMuFHmLZf6vll+GZGlz/M4j+SE4go7nYBAL
-----END PRIVATE KEY-----
";
