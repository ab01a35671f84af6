//! `spirl-mock-api`: a strict, stateful mock of the Defakto (SPIRL) control-plane REST API
//! (DESIGN.md §3 and §4), for the provider's client tests, acceptance tests, benchmarks and demo.
//!
//! It enforces the service-account login, validates like a strict real server, keeps its state in
//! memory or in a crash-safe journal, and can inject latency, refusals and dropped responses.
//! Use it as a library ([`router`], [`serve`], [`spawn`]) or as the `spirl-mock-api` binary.
//!
//! ```no_run
//! # async fn demo() -> Result<(), spirl_mock_api::MockError> {
//! let mock = spirl_mock_api::spawn(spirl_mock_api::MockConfig::default()).await?;
//! // point a client at mock.endpoint and log in with mock.credentials
//! # Ok(()) }
//! ```
//!
//! # Choices the contract leaves open
//! - Computed URLs, for a trust domain `td-x` under base domain `B` (default `spirl.test`):
//!   bundle `https://td-x.bundle.B/`, built-in JWT issuer `https://td-x.oidc.B`, OIDC discovery
//!   `https://td-x.oidc.B/.well-known/openid-configuration`, JWKS `https://td-x.oidc.B/keys`,
//!   agent endpoint `td-x.agents.B:443` (`""` when self-hosted).
//! - `jwt_issuer.url` with mode `builtin` must be empty or the computed URL (so a client may send
//!   back what it read); `custom` needs an https URL; `disabled` must have none.
//! - `Idempotency-Key` (POSTs only, 1–255 printable ASCII): records are per service account and
//!   kept (and journaled) for the life of the data. The same key with another body or route is
//!   400 `invalid_argument`; bodies are compared as canonical JSON. Only requests that committed
//!   are recorded, so a refused request may be corrected and sent again under its key. A replay
//!   carries `Idempotent-Replayed: true`. The login routes ignore the header.
//! - A wrong method is 405 with code `invalid_argument` (the contract has no code of its own).
//! - Challenges and tokens are not persisted: after a restart, clients log in again.
//! - `fail_rate` and `latency` apply to every `/v1` route, login included; a dropped response
//!   (`drop_after_commit_rate`) only ever follows a committed write, never a replay or a read.
//!   All three can be changed while the mock serves ([`MockState::set_faults`]).
//!
//! # Modules
//! | module | what it holds |
//! |---|---|
//! | [`config`] | [`MockConfig`], the injectable [`Clock`] and [`IdGenerator`] |
//! | [`app`] | [`router`]: the routes and the middleware (request ids, counting, faults, auth) |
//! | [`server`] | [`serve`] on a listener; [`spawn`] a background mock for tests |
//! | [`cli`] | the binary's flags and run loop |
//! | [`auth`] | service-account challenge/session login and bearer tokens |
//! | [`wire`] | the JSON bodies, with the contract's field names |
//! | [`validate`] | field rules: SPIFFE names, deployment names, ed25519 SPKI PEM keys |
//! | [`error`] | [`ApiError`], the one error type of the API, rendered as the error JSON |
//! | `extract` | body, query and path extractors that refuse with [`ApiError`] |
//! | `routes` | the resource handlers |
//! | `store` | the objects and their rules: plan a change, then apply it |
//! | `journal` | the fsynced append-only log behind `--data-dir` |
//! | `state` | [`MockState`], shared by all requests: store, journal, sessions, counters |

pub mod app;
pub mod auth;
pub mod cli;
pub mod config;
pub mod error;
mod extract;
mod journal;
mod routes;
pub mod server;
mod state;
mod store;
pub mod validate;
pub mod wire;

pub use app::{REQUEST_ID_HEADER, router};
pub use config::{
    Clock, IdGenerator, ManualClock, MockConfig, RandomIds, SequentialIds, SystemClock,
};
pub use error::{ApiError, MockError};
pub use extract::{IDEMPOTENCY_KEY, MAX_BODY_BYTES};
pub use journal::JOURNAL_FILE;
pub use server::{RunningMock, serve, spawn};
pub use state::{Credentials, Faults, MockState, Principal, Stats};
pub use store::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, ObjectCounts};
