//! [`MockState`]: the objects, the journal, the sessions, the request counters and the fault
//! dice of one mock, shared by every call.

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

use rand::Rng as _;
use rand::rngs::StdRng;
use serde::{Deserialize, Serialize};

use crate::error::{ApiError, MockError};
use crate::journal::{Entry, Journal};
use crate::options::{IdGenerator, MockOptions, RandomIds, seeded_rng};
use crate::session::Sessions;
use crate::store::{Change, Ctx, ObjectCounts, SectionScope, Store};
use crate::tls::TlsMaterial;

/// Locks a mutex, carrying on after a panic elsewhere: every critical section leaves its data
/// consistent before anything can panic, so poisoning carries no information here.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// What a client needs to reach the mock and log in as a service account; the JSON that
/// `--credentials-out` writes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Credentials {
    /// The gRPC target, `HOST:PORT` (no scheme).
    pub endpoint: String,
    /// Service-account key id, `sak-…`.
    pub sa_key_id: String,
    /// Ed25519 private key, PKCS#8 PEM.
    pub sa_private_key: String,
    /// Whether the mock serves TLS (else h2c).
    pub use_tls: bool,
    /// With TLS: the PEM certificate to trust (it signed the server's certificate).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_cert_pem: Option<String>,
    /// `http://HOST:PORT` of the admin listener (`GET /_mock/stats`); empty when none serves.
    #[serde(default)]
    pub admin_endpoint: String,
}

/// What `GET /_mock/stats` answers.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Stats {
    /// Calls seen per full gRPC method path (`/com.spirl.api.v1.trustdomain.API/ListTrustDomains`),
    /// refused and fault-injected ones included.
    pub requests: BTreeMap<String, u64>,
    /// Objects stored now.
    pub objects: ObjectCounts,
}

/// Who a call was authenticated as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// A service account, logged in with its key.
    ServiceAccountKey {
        /// The key id, `sak-…`.
        key_id: String,
    },
    /// A user of the organisation, with the session `spirlctl login` would have stored
    /// ([`MockState::user_session_token`]).
    User {
        /// `usr-…`.
        user_id: String,
    },
}

/// What an authenticated call said about its client, in metadata `x-spirl-client` and
/// `x-spirl-client-version` (`None` when absent or not text).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct ClientMetadata {
    /// `x-spirl-client`.
    pub client: Option<String>,
    /// `x-spirl-client-version`.
    pub version: Option<String>,
}

/// The faults a running mock injects. They start as [`MockOptions`] says and can be changed while
/// it serves ([`MockState::set_faults`]), so that a test can, for example, make the API slow,
/// watch a client time out, and then let the same mock (same objects, same address) recover.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Faults {
    /// Added before every RPC is handled.
    pub latency: Duration,
    /// Share (0.0–1.0) of RPCs refused with `UNAVAILABLE` or `RESOURCE_EXHAUSTED` first.
    pub fail_rate: f64,
    /// Share (0.0–1.0) of committed writes answered with `UNAVAILABLE` anyway.
    pub drop_after_commit_rate: f64,
}

impl Faults {
    /// The faults `config` starts with.
    pub fn of(config: &MockOptions) -> Self {
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

fn check_rate(name: &str, rate: f64) -> Result<(), MockError> {
    if (0.0..=1.0).contains(&rate) {
        Ok(())
    } else {
        Err(MockError::Config(format!(
            "{name} must be between 0 and 1, got {rate}"
        )))
    }
}

/// The answer of a write, and whether it changed anything (only then may it be dropped).
pub(crate) struct Written<T> {
    pub answer: T,
    pub committed: bool,
}

struct Data {
    store: Store,
    journal: Option<Journal>,
}

impl Data {
    /// Journals and applies one change. The journal write comes first: a change that is not on
    /// disk must not be visible, or a crash could forget something a client already read.
    fn commit(&mut self, change: Change) -> Result<(), ApiError> {
        let entry = Entry { change };
        if let Some(journal) = &mut self.journal {
            journal.append(&entry).map_err(|e| {
                ApiError::Internal(format!(
                    "cannot write the journal {}: {e}",
                    journal.path().display()
                ))
            })?;
        }
        self.store
            .apply(&entry.change)
            .map_err(|e| ApiError::Internal(format!("inconsistent change: {e}")))
    }
}

struct Shared {
    config: MockOptions,
    ids: Arc<dyn IdGenerator>,
    data: Mutex<Data>,
    sessions: Mutex<Sessions>,
    requests: Mutex<BTreeMap<String, u64>>,
    clients: Mutex<BTreeSet<ClientMetadata>>,
    dice: Mutex<StdRng>,
    faults: Mutex<Faults>,
    refused: Mutex<BTreeSet<String>>,
    tls: Mutex<Option<Arc<TlsMaterial>>>,
    admin_endpoint: Mutex<String>,
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
            .field("objects", &self.stats().objects)
            .finish_non_exhaustive()
    }
}

impl MockState {
    /// A mock as `config` says. With a data directory, replays its journal; on first start,
    /// creates the bootstrap service account (journaled too, so it survives restarts).
    pub fn new(config: MockOptions) -> Result<MockState, MockError> {
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
        };
        if let Some(dir) = &config.data_dir {
            let (journal, entries) = Journal::open(dir)?;
            for (index, entry) in entries.into_iter().enumerate() {
                data.store
                    .apply(&entry.change)
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
                clients: Mutex::new(BTreeSet::new()),
                dice: Mutex::new(dice),
                faults: Mutex::new(faults),
                refused: Mutex::new(BTreeSet::new()),
                tls: Mutex::new(None),
                admin_endpoint: Mutex::new(String::new()),
                config,
            }),
        };
        let has_account = lock(&state.shared.data).store.bootstrap_account().is_some();
        if !has_account {
            state
                .create_service_account(crate::assumptions::BOOTSTRAP_SERVICE_ACCOUNT_NAME)
                .map_err(|e| MockError::Bootstrap(e.to_string()))?;
        }
        let seeds = state.shared.config.users.clone();
        for email in seeds {
            state
                .add_user(&email)
                .map_err(|e| MockError::Config(format!("user {email}: {e}")))?;
        }
        let names = state.shared.config.service_accounts.clone();
        for name in names {
            let exists = !lock(&state.shared.data)
                .store
                .list_service_accounts(&name)
                .is_empty();
            if !exists {
                state
                    .create_service_account(&name)
                    .map_err(|e| MockError::Config(format!("service account {name}: {e}")))?;
            }
        }
        Ok(state)
    }

    /// The options the mock started with (its faults may have changed since: see
    /// [`MockState::faults`]).
    pub fn options(&self) -> &MockOptions {
        &self.shared.config
    }

    /// The faults injected now.
    pub fn faults(&self) -> Faults {
        *lock(&self.shared.faults)
    }

    /// Changes the faults from the next call on; calls already waiting out the latency keep the
    /// delay they started with.
    pub fn set_faults(&self, faults: Faults) -> Result<(), MockError> {
        faults.check()?;
        *lock(&self.shared.faults) = faults;
        Ok(())
    }

    /// Refuses every call of the methods named (such as `DeleteTrustDomainKey`) with
    /// `UNAVAILABLE` from the next call on, until called again without them: an outage of one
    /// operation, for tests of what a client does when a step in the middle of its work fails.
    pub fn set_refused_methods<S: Into<String>>(&self, methods: impl IntoIterator<Item = S>) {
        *lock(&self.shared.refused) = methods.into_iter().map(Into::into).collect();
    }

    /// Whether calls of `method` are refused now ([`MockState::set_refused_methods`]).
    pub(crate) fn is_refused(&self, method: &str) -> bool {
        lock(&self.shared.refused).contains(method)
    }

    /// Credentials of the bootstrap service account, for a mock reachable at `endpoint`
    /// (`HOST:PORT`), with the TLS and admin details of this state's listeners.
    pub fn credentials(&self, endpoint: &str) -> Credentials {
        let data = lock(&self.shared.data);
        // `new` refuses to return a state without one.
        let account = data.store.bootstrap_account();
        self.credentials_of(
            endpoint,
            account.map(|a| a.key_id.clone()).unwrap_or_default(),
            account
                .map(|a| a.private_key_pem.clone())
                .unwrap_or_default(),
        )
    }

    fn credentials_of(
        &self,
        endpoint: &str,
        sa_key_id: String,
        sa_private_key: String,
    ) -> Credentials {
        Credentials {
            endpoint: endpoint.to_owned(),
            sa_key_id,
            sa_private_key,
            use_tls: self.shared.config.tls,
            ca_cert_pem: lock(&self.shared.tls)
                .as_ref()
                .map(|tls| tls.ca_cert_pem.clone()),
            admin_endpoint: lock(&self.shared.admin_endpoint).clone(),
        }
    }

    /// Creates one more service account (durable like any write) and returns its credentials for
    /// a mock reachable at `endpoint`.
    pub fn add_service_account(&self, endpoint: &str) -> Result<Credentials, ApiError> {
        let (key_id, private_key) = self.create_service_account("")?;
        Ok(self.credentials_of(endpoint, key_id, private_key))
    }

    /// Like [`MockState::add_service_account`], for a service account named `name` (unique:
    /// `ALREADY_EXISTS` otherwise), as `ListServiceAccounts` shows it.
    pub fn add_named_service_account(
        &self,
        endpoint: &str,
        name: &str,
    ) -> Result<Credentials, ApiError> {
        crate::validate::required("name", name)?;
        let (key_id, private_key) = self.create_service_account(name)?;
        Ok(self.credentials_of(endpoint, key_id, private_key))
    }

    /// Adds a user with this email to the organisation (durable like any write; one that exists
    /// is left as it is). The API has no call for it: users sign up through the console.
    pub fn add_user(&self, email: &str) -> Result<(), ApiError> {
        self.write(|store, ctx| Ok((store.plan_add_user(email, None, ctx)?, ())))?;
        Ok(())
    }

    /// Like [`MockState::add_user`], with the organisation role `role` (a name such as
    /// `Operator`, or an id), so that a test can act as a user with less than the first user's
    /// `Owner`.
    pub fn add_user_with_role(&self, email: &str, role: &str) -> Result<(), ApiError> {
        self.write(|store, ctx| Ok((store.plan_add_user(email, Some(role), ctx)?, ())))?;
        Ok(())
    }

    fn create_service_account(&self, name: &str) -> Result<(String, String), ApiError> {
        let written = self.write(|store, ctx| {
            let change = store.plan_service_account(name, ctx)?;
            let Change::ServiceAccountCreated { account } = &change else {
                return Err(ApiError::Internal("unexpected change".into()));
            };
            let made = (account.key_id.clone(), account.private_key_pem.clone());
            Ok((Some(change), made))
        })?;
        Ok(written.answer)
    }

    /// Says that `active_agents` agents are connected to cluster `cluster_id` (durable like any
    /// write): the API has no call for it, since agents report themselves.
    pub fn set_active_agents(&self, cluster_id: &str, active_agents: i64) -> Result<(), ApiError> {
        self.write(|store, _| {
            let change = store.plan_cluster_agents(cluster_id, active_agents)?;
            Ok((Some(change), ()))
        })?;
        Ok(())
    }

    /// Puts a section the control plane owns (`read_only`: updates cannot set it, prune keeps
    /// it) into `scope`'s configuration, durable like any write. `yaml` is a self-describing
    /// section document.
    pub fn put_read_only_section(&self, scope: &SectionScope, yaml: &str) -> Result<(), ApiError> {
        self.write(|store, ctx| {
            let change = store.plan_read_only_section(scope, yaml, ctx)?;
            Ok((Some(change), ()))
        })?;
        Ok(())
    }

    /// Call counts and object counts.
    pub fn stats(&self) -> Stats {
        Stats {
            requests: lock(&self.shared.requests).clone(),
            objects: lock(&self.shared.data).store.counts(),
        }
    }

    /// Every distinct `x-spirl-client` / `x-spirl-client-version` pair that authenticated calls
    /// carried so far.
    pub fn client_metadata(&self) -> BTreeSet<ClientMetadata> {
        lock(&self.shared.clients).clone()
    }

    pub(crate) fn record_client(&self, client: ClientMetadata) {
        let mut clients = lock(&self.shared.clients);
        // Bounded, so that a long run with many versions does not grow without end.
        if clients.len() < 1000 || clients.contains(&client) {
            clients.insert(client);
        }
    }

    pub(crate) fn count_request(&self, method: &str) {
        let mut requests = lock(&self.shared.requests);
        match requests.get_mut(method) {
            Some(count) => *count += 1,
            None => {
                requests.insert(method.to_owned(), 1);
            }
        }
    }

    pub(crate) fn now(&self) -> SystemTime {
        self.shared.config.clock.now()
    }

    pub(crate) fn sessions(&self) -> MutexGuard<'_, Sessions> {
        lock(&self.shared.sessions)
    }

    /// Rolls the dice: true with probability `rate`.
    pub(crate) fn chance(&self, rate: f64) -> bool {
        rate > 0.0 && lock(&self.shared.dice).gen_bool(rate.min(1.0))
    }

    /// Runs a read against the objects, at the mock's "now".
    pub(crate) fn read<T>(
        &self,
        query: impl FnOnce(&Store, SystemTime) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        let now = self.now();
        query(&lock(&self.shared.data).store, now)
    }

    /// Runs a write: plans the change (or none), journals it, applies it and returns the answer.
    /// Everything happens under one lock, fsync included: a mock values that over throughput.
    pub(crate) fn write<T>(
        &self,
        plan: impl FnOnce(&Store, &Ctx<'_>) -> Result<(Option<Change>, T), ApiError>,
    ) -> Result<Written<T>, ApiError> {
        let ctx = Ctx {
            now: self.now(),
            ids: self.shared.ids.as_ref(),
            provisioning: self.shared.config.provisioning,
        };
        let mut data = lock(&self.shared.data);
        let (change, answer) = plan(&data.store, &ctx)?;
        let committed = change.is_some();
        if let Some(change) = change {
            data.commit(change)?;
        }
        Ok(Written { answer, committed })
    }

    /// The TLS certificate and server configuration for a listener on `ip`: made on first use
    /// (for `localhost`, `127.0.0.1`, `::1` and `ip`) and made again if a later listener's
    /// address is not among its names.
    pub(crate) fn tls_for(&self, ip: IpAddr) -> Result<Arc<TlsMaterial>, MockError> {
        let mut tls = lock(&self.shared.tls);
        if let Some(existing) = tls.as_ref()
            && (ip.is_unspecified() || existing.ips.contains(&ip))
        {
            return Ok(existing.clone());
        }
        let mut ips = tls.as_ref().map(|t| t.ips.clone()).unwrap_or_default();
        if !ip.is_unspecified() && !ips.contains(&ip) {
            ips.push(ip);
        }
        let made = Arc::new(TlsMaterial::new(ips)?);
        *tls = Some(made.clone());
        Ok(made)
    }

    /// Records where the admin listener answers (`http://HOST:PORT`), for the credentials.
    pub(crate) fn set_admin_endpoint(&self, endpoint: String) {
        *lock(&self.shared.admin_endpoint) = endpoint;
    }
}
