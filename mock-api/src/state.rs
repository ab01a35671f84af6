//! [`MockState`]: the objects, the journal, the login sessions, the request counters and the fault
//! dice of one mock, shared by every request.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};

use axum::Json;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use rand::Rng as _;
use rand::rngs::StdRng;
use serde::{Deserialize, Serialize};

use crate::auth::Sessions;
use crate::config::{IdGenerator, MockConfig, RandomIds, seeded_rng};
use crate::error::{ApiError, MockError};
use crate::journal::{Entry, IdempotencyRecord, Journal};
use crate::store::{Change, Ctx, ObjectCounts, Store};

/// Locks a mutex, carrying on after a panic elsewhere: every critical section leaves its data
/// consistent before anything can panic, so poisoning carries no information here.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// What a client needs to log in as a service account; the JSON that `--credentials-out` writes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Credentials {
    /// Base URL of the mock, `http://127.0.0.1:PORT`.
    pub endpoint: String,
    /// Service-account key id, `sak-…`.
    pub sa_key_id: String,
    /// Ed25519 private key, PKCS#8 PEM.
    pub sa_private_key: String,
}

/// What `GET /_mock/stats` answers.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Stats {
    /// Requests seen per `"<METHOD> <route pattern>"`, failed and fault-injected ones included.
    /// Requests that matched no route count under `"<METHOD> <unmatched>"`.
    pub requests: BTreeMap<String, u64>,
    /// Objects stored now.
    pub objects: ObjectCounts,
}

/// The service account a request was authenticated as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// Its key id, `sak-…`.
    pub key_id: String,
}

/// The `Idempotency-Key` of a POST, with what identifies the request it was sent with.
#[derive(Debug, Clone)]
pub(crate) struct IdempotencyKey {
    pub key: String,
    pub route: String,
    pub fingerprint: String,
}

/// The faults a running mock injects. They start as [`MockConfig`] says and can be changed while
/// it serves ([`MockState::set_faults`]), so that a test can, for example, make the API slow,
/// watch a client time out, and then let the same mock (same objects, same address) recover.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Faults {
    /// Added before every `/v1` request is handled.
    pub latency: std::time::Duration,
    /// Share (0.0–1.0) of `/v1` requests refused with 429 or 503 before anything is done.
    pub fail_rate: f64,
    /// Share (0.0–1.0) of committed writes whose response is never delivered.
    pub drop_after_commit_rate: f64,
}

impl Faults {
    /// The faults `config` starts with.
    pub fn of(config: &MockConfig) -> Self {
        Faults {
            latency: config.latency,
            fail_rate: config.fail_rate,
            drop_after_commit_rate: config.drop_after_commit_rate,
        }
    }

    fn check(&self) -> Result<(), MockError> {
        check_rate("fail_rate", self.fail_rate)?;
        check_rate("drop_after_commit_rate", self.drop_after_commit_rate)
    }
}

/// Marks a response that must not reach the client: the connection is closed instead.
#[derive(Debug, Clone, Copy)]
pub(crate) struct DropConnection;

struct Data {
    store: Store,
    journal: Option<Journal>,
    /// (account, key) → the first answer.
    idempotency: HashMap<(String, String), IdempotencyRecord>,
}

impl Data {
    /// Journals and applies one entry. The journal write comes first: an entry that is not on
    /// disk must not be visible, or a crash could forget something a client already read.
    fn commit(&mut self, entry: Entry) -> Result<(), ApiError> {
        if let Some(journal) = &mut self.journal {
            journal.append(&entry).map_err(|e| {
                ApiError::Internal(format!(
                    "cannot write the journal {}: {e}",
                    journal.path().display()
                ))
            })?;
        }
        self.apply(entry)
            .map_err(|e| ApiError::Internal(format!("inconsistent change: {e}")))
    }

    fn apply(&mut self, entry: Entry) -> Result<(), String> {
        self.store.apply(&entry.change)?;
        if let Some(record) = entry.idempotency {
            self.idempotency
                .insert((record.account.clone(), record.key.clone()), record);
        }
        Ok(())
    }
}

struct Shared {
    config: MockConfig,
    ids: Arc<dyn IdGenerator>,
    data: Mutex<Data>,
    sessions: Mutex<Sessions>,
    requests: Mutex<BTreeMap<String, u64>>,
    dice: Mutex<StdRng>,
    faults: Mutex<Faults>,
}

/// The whole state of one mock. Cheap to clone: clones share everything.
#[derive(Clone)]
pub struct MockState {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for MockState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockState")
            .field("config", &self.shared.config)
            .finish_non_exhaustive()
    }
}

fn check_rate(name: &str, rate: f64) -> Result<(), MockError> {
    if (0.0..=1.0).contains(&rate) {
        Ok(())
    } else {
        Err(MockError::Config(format!(
            "{name} must be between 0 and 1, got {rate}"
        )))
    }
}

impl MockState {
    /// A mock as `config` says. With a data directory, replays its journal; on first start,
    /// creates the bootstrap service account (journaled too, so it survives restarts).
    pub fn new(config: MockConfig) -> Result<MockState, MockError> {
        let faults = Faults::of(&config);
        faults.check()?;
        if config.base_domain.is_empty()
            || !config
                .base_domain
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':'))
        {
            return Err(MockError::Config(format!(
                "base_domain `{}` is not a domain name",
                config.base_domain
            )));
        }
        if config.token_ttl.is_zero() || config.challenge_ttl.is_zero() {
            return Err(MockError::Config(
                "token_ttl and challenge_ttl must be longer than zero".into(),
            ));
        }
        let mut data = Data {
            store: Store::new(&config.base_domain),
            journal: None,
            idempotency: HashMap::new(),
        };
        if let Some(dir) = &config.data_dir {
            let (journal, entries) = Journal::open(dir)?;
            for (index, entry) in entries.into_iter().enumerate() {
                data.apply(entry)
                    .map_err(|message| MockError::CorruptJournal {
                        path: journal.path().to_owned(),
                        line: index + 1,
                        message,
                    })?;
            }
            data.journal = Some(journal);
        }
        let ids = config
            .ids
            .clone()
            .unwrap_or_else(|| Arc::new(RandomIds::new(config.seed)));
        // A different stream from the ids', so that turning faults on does not change ids.
        let dice = seeded_rng(config.seed.map(|s| s ^ 0x5eed_fa17_5eed_fa17));
        let state = MockState {
            shared: Arc::new(Shared {
                ids,
                data: Mutex::new(data),
                sessions: Mutex::new(Sessions::default()),
                requests: Mutex::new(BTreeMap::new()),
                dice: Mutex::new(dice),
                faults: Mutex::new(faults),
                config,
            }),
        };
        let has_account = lock(&state.shared.data).store.bootstrap_account().is_some();
        if !has_account {
            state
                .create_service_account()
                .map_err(|e| MockError::Bootstrap(e.to_string()))?;
        }
        Ok(state)
    }

    /// The configuration the mock started with (its faults may have changed since: see
    /// [`MockState::faults`]).
    pub fn config(&self) -> &MockConfig {
        &self.shared.config
    }

    /// The faults injected now.
    pub fn faults(&self) -> Faults {
        *lock(&self.shared.faults)
    }

    /// Changes the faults from the next request on; requests already waiting out the latency
    /// keep the delay they started with.
    pub fn set_faults(&self, faults: Faults) -> Result<(), MockError> {
        faults.check()?;
        *lock(&self.shared.faults) = faults;
        Ok(())
    }

    /// Login credentials of the bootstrap service account, for a mock reachable at `endpoint`.
    pub fn credentials(&self, endpoint: &str) -> Credentials {
        let data = lock(&self.shared.data);
        // `new` refuses to return a state without one.
        let account = data.store.bootstrap_account();
        Credentials {
            endpoint: endpoint.to_owned(),
            sa_key_id: account.map(|a| a.key_id.clone()).unwrap_or_default(),
            sa_private_key: account
                .map(|a| a.private_key_pem.clone())
                .unwrap_or_default(),
        }
    }

    /// Creates one more service account (durable like any write) and returns its credentials for
    /// a mock reachable at `endpoint`.
    pub fn add_service_account(&self, endpoint: &str) -> Result<Credentials, ApiError> {
        let account = self.create_service_account()?;
        Ok(Credentials {
            endpoint: endpoint.to_owned(),
            sa_key_id: account.0,
            sa_private_key: account.1,
        })
    }

    fn create_service_account(&self) -> Result<(String, String), ApiError> {
        let mut data = lock(&self.shared.data);
        let change = data.store.plan_service_account(&self.ctx())?;
        let Change::ServiceAccountCreated { account } = &change else {
            return Err(ApiError::Internal("unexpected change".into()));
        };
        let made = (account.key_id.clone(), account.private_key_pem.clone());
        data.commit(Entry {
            change,
            idempotency: None,
        })?;
        Ok(made)
    }

    /// Request counts and object counts.
    pub fn stats(&self) -> Stats {
        Stats {
            requests: lock(&self.shared.requests).clone(),
            objects: lock(&self.shared.data).store.counts(),
        }
    }

    pub(crate) fn count_request(&self, key: String) {
        *lock(&self.shared.requests).entry(key).or_default() += 1;
    }

    pub(crate) fn now(&self) -> std::time::SystemTime {
        self.shared.config.clock.now()
    }

    fn ctx(&self) -> Ctx<'_> {
        Ctx {
            now: self.now(),
            ids: self.shared.ids.as_ref(),
        }
    }

    pub(crate) fn sessions(&self) -> MutexGuard<'_, Sessions> {
        lock(&self.shared.sessions)
    }

    /// Rolls the dice: true with probability `rate`.
    pub(crate) fn chance(&self, rate: f64) -> bool {
        rate > 0.0 && lock(&self.shared.dice).gen_bool(rate.min(1.0))
    }

    /// Runs a read against the objects.
    pub(crate) fn read<T>(
        &self,
        query: impl FnOnce(&Store) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        query(&lock(&self.shared.data).store)
    }

    /// Runs a write: answers a repeated `Idempotency-Key` from its record, or plans the change,
    /// journals it (with its idempotency record), applies it and renders the answer.
    ///
    /// Everything happens under one lock, fsync included, so two requests with the same key
    /// cannot both create; a mock values that over write throughput.
    pub(crate) fn write(
        &self,
        principal: &Principal,
        idempotency: Option<IdempotencyKey>,
        plan: impl FnOnce(&Store, &Ctx<'_>) -> Result<Change, ApiError>,
    ) -> Result<Response, ApiError> {
        let mut data = lock(&self.shared.data);
        if let Some(key) = &idempotency {
            let slot = (principal.key_id.clone(), key.key.clone());
            if let Some(first) = data.idempotency.get(&slot) {
                if first.route != key.route || first.fingerprint != key.fingerprint {
                    return Err(ApiError::InvalidArgument(format!(
                        "Idempotency-Key `{}` was already used for a different request ({}, other \
                         body or route); use a new key for a new request",
                        key.key, first.route
                    )));
                }
                let mut response = render(first.status, first.body.clone());
                response
                    .headers_mut()
                    .insert("idempotent-replayed", HeaderValue::from_static("true"));
                return Ok(response);
            }
        }
        let change = plan(&data.store, &self.ctx())?;
        let (status, body) = data.store.answer_for(&change)?;
        let idempotency = idempotency.map(|key| IdempotencyRecord {
            account: principal.key_id.clone(),
            key: key.key,
            route: key.route,
            fingerprint: key.fingerprint,
            status: status.as_u16(),
            body: body.clone(),
        });
        data.commit(Entry {
            change,
            idempotency,
        })?;
        let mut response = render(status.as_u16(), body);
        if self.chance(self.faults().drop_after_commit_rate) {
            response.extensions_mut().insert(DropConnection);
        }
        Ok(response)
    }
}

fn render(status: u16, body: Option<serde_json::Value>) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    match body {
        Some(body) => (status, Json(body)).into_response(),
        None => status.into_response(),
    }
}
