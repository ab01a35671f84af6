//! The provider's API client against the mock control plane over real sockets: calls, retries,
//! sessions, TLS, proxies and what it logs.

mod calls;
mod clusters;
mod logging;
mod proxy;
mod retry;
mod session;
mod tls;
