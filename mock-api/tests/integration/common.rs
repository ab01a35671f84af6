//! Shared helpers of the mock's tests: a gRPC channel to a mock, the login (whole, or step by
//! step for the session tests), an authenticated trust-domain client, and test keys.
//!
//! The keys made here are test-only: derived from fixed seeds, never used anywhere else.

use std::future::Future;
use std::time::{Duration, SystemTime};

use ed25519_dalek::SigningKey;
use ed25519_dalek::pkcs8::{DecodePrivateKey as _, EncodePublicKey as _};
use sha2::{Digest as _, Sha512};
use spirl_api_proto::session::api_client::ApiClient as SessionClient;
use spirl_api_proto::session::authenticate_service_account_request::Request as LoginRequest;
use spirl_api_proto::session::authenticate_service_account_response::Response as LoginResponse;
use spirl_api_proto::session::{
    AuthenticateServiceAccountRequest, AuthenticateServiceAccountResponse,
    ServiceAccountKeyAuthorization, ServiceAccountKeyLogin, ServiceAccountKeyProof,
};
use spirl_api_proto::trustdomain::api_client::ApiClient as TrustDomainClient;
use spirl_api_proto::trustdomain::create_trust_domain_key_request::Pubkey;
use spirl_api_proto::trustdomain::*;
use spirl_mock_api::{
    Credentials, ManualClock, MockError, MockOptions, RunningMock, SequentialIds, spawn,
};
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tonic::transport::{Channel, Endpoint};
use tonic::{Code, Request, Status, Streaming};

/// How long any one wait in a test may take before it fails.
pub const TIMEOUT: Duration = Duration::from_secs(20);

/// Fails the test if `future` takes longer than [`TIMEOUT`].
pub async fn within<T>(future: impl Future<Output = T>) -> T {
    tokio::time::timeout(TIMEOUT, future)
        .await
        .expect("timed out")
}

/// Starts a mock again on the data dir of one just shut down. The stopped mock's journal lock can
/// outlive it for a moment: these tests share one process, and a child that another test forks
/// at that instant holds a copy of the journal's descriptor, and with it the lock, until it execs.
/// So wait for the lock, as a second process would, within [`TIMEOUT`].
pub async fn restart(config: impl Fn() -> MockOptions) -> RunningMock {
    within(async {
        loop {
            match spawn(config()).await {
                Err(MockError::DataDirInUse(_)) => {
                    tokio::time::sleep(Duration::from_millis(10)).await
                }
                other => return other.expect("restart"),
            }
        }
    })
    .await
}

/// A fixed start time for manual clocks: 2026-11-21T08:00:00Z.
pub fn start_time() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_248_000)
}

/// A config with a manual clock and sequential ids; returns the clock too.
pub fn manual_config() -> (MockOptions, ManualClock) {
    let clock = ManualClock::new(start_time());
    let config = MockOptions {
        clock: std::sync::Arc::new(clock.clone()),
        ids: Some(std::sync::Arc::new(SequentialIds::default())),
        ..MockOptions::default()
    };
    (config, clock)
}

/// An h2c channel to `endpoint` (`HOST:PORT`).
pub async fn channel(endpoint: &str) -> Channel {
    within(
        Endpoint::from_shared(format!("http://{endpoint}"))
            .expect("endpoint")
            .connect(),
    )
    .await
    .expect("connect")
}

/// Asserts that `result` failed with `code` and a message containing every one of `needles`.
#[track_caller]
pub fn assert_status<T: std::fmt::Debug>(result: Result<T, Status>, code: Code, needles: &[&str]) {
    let status = result.expect_err("the call must fail");
    assert_eq!(status.code(), code, "{status:?}");
    for needle in needles {
        assert!(
            status.message().contains(needle),
            "{:?} does not mention {needle:?}",
            status.message()
        );
    }
}

/// Ed25519ph (context `service-account-key-proof`) over SHA-512(client_nonce ‖ server_nonce).
pub fn sign_proof(key: &SigningKey, client_nonce: &[u8], server_nonce: &[u8]) -> Vec<u8> {
    let mut digest = Sha512::new();
    digest.update(client_nonce);
    digest.update(server_nonce);
    key.sign_prehashed(digest, Some(b"service-account-key-proof"))
        .expect("sign")
        .to_bytes()
        .to_vec()
}

/// The signing key of credentials.
pub fn signing_key(credentials: &Credentials) -> SigningKey {
    SigningKey::from_pkcs8_pem(&credentials.sa_private_key).expect("PKCS#8 key")
}

/// One login stream, driven a message at a time.
pub struct LoginStream {
    tx: mpsc::Sender<AuthenticateServiceAccountRequest>,
    rx: Streaming<AuthenticateServiceAccountResponse>,
}

impl LoginStream {
    /// Opens the stream.
    pub async fn open(channel: Channel) -> Result<LoginStream, Status> {
        let (tx, requests) = mpsc::channel(4);
        let rx = within(
            SessionClient::new(channel).authenticate_service_account(ReceiverStream::new(requests)),
        )
        .await?
        .into_inner();
        Ok(LoginStream { tx, rx })
    }

    /// Opens a stream to `endpoint`, sends `login{key_id}` and waits for the challenge; returns
    /// the stream and the server nonce.
    pub async fn challenged(endpoint: &str, key_id: &str) -> (LoginStream, Vec<u8>) {
        let mut stream = LoginStream::open(channel(endpoint).await)
            .await
            .expect("open");
        stream.login(key_id).await;
        let server_nonce = stream.challenge().await.expect("challenge");
        (stream, server_nonce)
    }

    /// Sends one message (`None`: an empty one).
    pub async fn send(&self, request: Option<LoginRequest>) {
        self.tx
            .send(AuthenticateServiceAccountRequest { request })
            .await
            .expect("send");
    }

    /// Sends `login{key_id}`.
    pub async fn login(&self, key_id: &str) {
        self.send(Some(LoginRequest::Login(ServiceAccountKeyLogin {
            key_id: key_id.to_owned(),
        })))
        .await;
    }

    /// Sends `authorization{service_account_key_proof{signature, nonce}}`.
    pub async fn prove(&self, signature: Vec<u8>, nonce: Vec<u8>) {
        self.send(Some(LoginRequest::Authorization(
            ServiceAccountKeyAuthorization {
                service_account_key_proof: Some(ServiceAccountKeyProof { signature, nonce }),
            },
        )))
        .await;
    }

    /// Closes the client side.
    pub fn close(self) -> Streaming<AuthenticateServiceAccountResponse> {
        self.rx
    }

    /// The next answer.
    pub async fn next(&mut self) -> Result<Option<LoginResponse>, Status> {
        Ok(within(self.rx.message()).await?.and_then(|m| m.response))
    }

    /// Waits for the challenge; returns the server nonce.
    pub async fn challenge(&mut self) -> Result<Vec<u8>, Status> {
        match self.next().await? {
            Some(LoginResponse::Challenge(c)) => Ok(c.server_nonce),
            other => panic!("expected a challenge, got {other:?}"),
        }
    }

    /// Waits for the session; returns the token.
    pub async fn session(&mut self) -> Result<String, Status> {
        match self.next().await? {
            Some(LoginResponse::Session(s)) => Ok(s.token),
            other => panic!("expected a session, got {other:?}"),
        }
    }
}

/// Logs in with `credentials`; returns the token.
pub async fn login(channel: Channel, credentials: &Credentials) -> Result<String, Status> {
    let key = signing_key(credentials);
    let mut stream = LoginStream::open(channel).await?;
    stream.login(&credentials.sa_key_id).await;
    let server_nonce = stream.challenge().await?;
    let nonce: [u8; 32] = rand::random();
    stream
        .prove(sign_proof(&key, &nonce, &server_nonce), nonce.to_vec())
        .await;
    stream.session().await
}

/// An authenticated trust-domain client.
#[derive(Clone)]
pub struct Api {
    pub client: TrustDomainClient<Channel>,
    pub token: String,
}

impl Api {
    /// Logs in to `mock` as its bootstrap account.
    pub async fn of(mock: &RunningMock) -> Api {
        Api::login(&mock.credentials).await
    }

    /// Logs in with `credentials`.
    pub async fn login(credentials: &Credentials) -> Api {
        let channel = channel(&credentials.endpoint).await;
        let token = login(channel.clone(), credentials).await.expect("login");
        Api {
            client: TrustDomainClient::new(channel),
            token,
        }
    }

    /// `message` with the token and the client metadata.
    pub fn req<T>(&self, message: T) -> Request<T> {
        let mut request = Request::new(message);
        let metadata = request.metadata_mut();
        metadata.insert("token", self.token.parse().expect("token metadata"));
        metadata.insert(
            "x-spirl-client",
            "spirl-mock-api-tests".parse().expect("ascii"),
        );
        metadata.insert("x-spirl-client-version", "0.0.1".parse().expect("ascii"));
        request
    }

    /// The trust-domain client, for one call.
    pub fn c(&self) -> TrustDomainClient<Channel> {
        self.client.clone()
    }

    /// Registers a self-hosted trust domain; returns its id.
    pub async fn register(&self, name: &str) -> Result<String, Status> {
        self.register_with(name, "", None).await
    }

    /// Registers a self-hosted trust domain with a description and JWT issuer; returns its id.
    pub async fn register_with(
        &self,
        name: &str,
        description: &str,
        jwt_issuer: Option<JwtIssuerConfig>,
    ) -> Result<String, Status> {
        let answer = self
            .c()
            .register_trust_domain(self.req(RegisterTrustDomainRequest {
                name: name.to_owned(),
                description: description.to_owned(),
                jwt_issuer,
            }))
            .await?;
        Ok(answer.into_inner().trust_domain_id)
    }

    /// Creates a SPIRL-hosted trust domain.
    pub async fn create(&self, name: &str) -> Result<CreateTrustDomainResponse, Status> {
        Ok(self
            .c()
            .create_trust_domain(self.req(CreateTrustDomainRequest {
                name: name.to_owned(),
                ..Default::default()
            }))
            .await?
            .into_inner())
    }

    /// `TrustDomainInfo`.
    pub async fn info(&self, id: &str) -> Result<TrustDomainInfoResponse, Status> {
        Ok(self
            .c()
            .trust_domain_info(self.req(TrustDomainInfoRequest {
                trust_domain_id: id.to_owned(),
            }))
            .await?
            .into_inner())
    }

    /// Registers key `der` for `deployment` of `trust_domain_id`; returns its id.
    pub async fn add_key(
        &self,
        trust_domain_id: &str,
        deployment: &str,
        der: Vec<u8>,
    ) -> Result<String, Status> {
        Ok(self
            .c()
            .create_trust_domain_key(self.req(CreateTrustDomainKeyRequest {
                trust_domain_id: trust_domain_id.to_owned(),
                deployment_name: deployment.to_owned(),
                pubkey: Some(Pubkey::PkixPubkey(PkixPublicKey { data: der })),
            }))
            .await?
            .into_inner()
            .id)
    }

    /// `ListTrustDomainKeys`.
    pub async fn keys(
        &self,
        trust_domain_id: &str,
        deployment: &str,
    ) -> Result<Vec<TrustDomainKey>, Status> {
        Ok(self
            .c()
            .list_trust_domain_keys(self.req(ListTrustDomainKeysRequest {
                trust_domain_id: trust_domain_id.to_owned(),
                deployment_name: deployment.to_owned(),
            }))
            .await?
            .into_inner()
            .trust_domain_keys)
    }

    /// `ListTrustDomainDeployments`.
    pub async fn deployments(
        &self,
        trust_domain_id: &str,
    ) -> Result<Vec<TrustDomainDeployment>, Status> {
        Ok(self
            .c()
            .list_trust_domain_deployments(self.req(ListTrustDomainDeploymentsRequest {
                trust_domain_id: trust_domain_id.to_owned(),
                include_dynamic_data: false,
            }))
            .await?
            .into_inner()
            .trust_domain_deployments)
    }

    /// `ListTrustDomains`, by name or all.
    pub async fn list(&self, name: &str) -> Result<Vec<TrustDomain>, Status> {
        Ok(self
            .c()
            .list_trust_domains(self.req(ListTrustDomainsRequest {
                trust_domain_name: name.to_owned(),
                ..Default::default()
            }))
            .await?
            .into_inner()
            .trust_domains)
    }
}

/// Test-only ed25519 public key number `n`, as DER SubjectPublicKeyInfo.
pub fn key_der(n: u8) -> Vec<u8> {
    SigningKey::from_bytes(&[n; 32])
        .verifying_key()
        .to_public_key_der()
        .expect("DER")
        .into_vec()
}
