//! The `spirl-mock-api` command line: flags, the credentials file, and the run until SIGINT or
//! SIGTERM.

use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::Parser;
use tokio::net::TcpListener;

use crate::error::MockError;
use crate::options::MockOptions;
use crate::server::RunningMock;
use crate::state::Credentials;
use crate::state::MockState;

/// A strict, stateful mock of the Defakto (SPIRL) control-plane gRPC API.
///
/// Prints `listening on HOST:PORT` (the gRPC address, no scheme) and then
/// `admin on http://HOST:PORT` on stdout once it accepts connections, after the credentials
/// file, if asked for, is written. Stops on SIGINT or SIGTERM.
#[derive(Debug, Clone, Parser)]
#[command(name = "spirl-mock-api", version)]
pub struct Args {
    /// Address to serve gRPC on; port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:0")]
    pub listen: SocketAddr,
    /// Serve TLS with a self-signed certificate made at start (its CA goes into the
    /// credentials file as `ca_cert_pem`) instead of plaintext HTTP/2.
    #[arg(long)]
    pub tls: bool,
    /// Address of the admin listener (`GET /_mock/stats`); default a free loopback port.
    #[arg(long, default_value = "127.0.0.1:0")]
    pub admin_listen: SocketAddr,
    /// Keep state in this directory (an fsynced journal); without it, state is in memory.
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
    /// Write `{endpoint, sa_key_id, sa_private_key, use_tls, ca_cert_pem?, admin_endpoint}`
    /// JSON for the bootstrap service account here.
    #[arg(long)]
    pub credentials_out: Option<PathBuf>,
    /// Lifetime of session tokens, in seconds.
    #[arg(long, default_value_t = 3600, value_parser = clap::value_parser!(u64).range(1..))]
    pub token_ttl_secs: u64,
    /// Lifetime of login challenges, in seconds.
    #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..))]
    pub challenge_ttl_secs: u64,
    /// How long a SPIRL-hosted trust domain stays `provisioning`, in milliseconds.
    #[arg(long, default_value_t = crate::assumptions::DEFAULT_PROVISIONING.as_millis() as u64)]
    pub provisioning_ms: u64,
    /// Delay added before each RPC is handled, in milliseconds.
    #[arg(long, default_value_t = 0)]
    pub latency_ms: u64,
    /// Share (0–1) of RPCs refused with UNAVAILABLE or RESOURCE_EXHAUSTED before anything is
    /// done.
    #[arg(long, default_value_t = 0.0, value_parser = rate)]
    pub fail_rate: f64,
    /// Share (0–1) of committed writes answered with UNAVAILABLE anyway.
    #[arg(long, default_value_t = 0.0, value_parser = rate)]
    pub drop_after_commit_rate: f64,
    /// Domain that computed trust-domain URLs are built under.
    #[arg(long, default_value = "spirl.test")]
    pub base_domain: String,
    /// Seed for fault injection and ids, for reproducible runs.
    #[arg(long)]
    pub seed: Option<u64>,
    /// A user of the organisation, by email (repeatable), for realm role assignments.
    #[arg(long = "user", value_name = "EMAIL")]
    pub users: Vec<String>,
    /// A service account besides the bootstrap one, by name (repeatable).
    #[arg(long = "service-account", value_name = "NAME")]
    pub service_accounts: Vec<String>,
    /// Write a `spirlctl login` session file (`{"creds":{"token":…}}`, mode 0600) here: a
    /// session of a user of the organisation that expires after --token-ttl-secs, for the
    /// provider's `spirlctl_config_path`.
    #[arg(long, value_name = "PATH")]
    pub spirlctl_config_out: Option<PathBuf>,
}

fn rate(text: &str) -> Result<f64, String> {
    let value: f64 = text
        .parse()
        .map_err(|_| format!("`{text}` is not a number"))?;
    if (0.0..=1.0).contains(&value) {
        Ok(value)
    } else {
        Err(format!("{value} is not between 0 and 1"))
    }
}

impl Args {
    /// The configuration these flags describe.
    pub fn config(&self) -> MockOptions {
        MockOptions {
            base_domain: self.base_domain.clone(),
            token_ttl: Duration::from_secs(self.token_ttl_secs),
            challenge_ttl: Duration::from_secs(self.challenge_ttl_secs),
            latency: Duration::from_millis(self.latency_ms),
            fail_rate: self.fail_rate,
            drop_after_commit_rate: self.drop_after_commit_rate,
            tls: self.tls,
            provisioning: Duration::from_millis(self.provisioning_ms),
            data_dir: self.data_dir.clone(),
            seed: self.seed,
            users: self.users.clone(),
            service_accounts: self.service_accounts.clone(),
            spirlctl_config_out: self.spirlctl_config_out.clone(),
            ..MockOptions::default()
        }
    }
}

/// Writes `credentials` as JSON to `path` so that a reader never sees half a file: a temporary
/// file beside it, fsynced, then renamed over it. The file is readable by its owner only.
pub fn write_credentials(path: &Path, credentials: &Credentials) -> Result<(), MockError> {
    let json = serde_json::to_vec_pretty(credentials).map_err(|e| MockError::Io {
        action: "cannot encode",
        path: path.to_owned(),
        source: std::io::Error::other(e),
    })?;
    write_private_file(path, &json)
}

/// The JSON `spirlctl login` stores for a session: `{"creds":{"token":…}}`.
pub fn spirlctl_config_json(token: &str) -> String {
    serde_json::json!({ "creds": { "token": token } }).to_string()
}

/// Writes a `spirlctl login` session file holding `token` to `path`, like
/// [`write_credentials`]: whole or not at all, readable by its owner only (mode 0600).
pub fn write_spirlctl_config(path: &Path, token: &str) -> Result<(), MockError> {
    write_private_file(path, spirlctl_config_json(token).as_bytes())
}

/// `bytes` into `path` through a temporary file beside it (created readable by its owner only),
/// fsynced, then renamed over it.
fn write_private_file(path: &Path, bytes: &[u8]) -> Result<(), MockError> {
    let io = |action, source| MockError::Io {
        action,
        path: path.to_owned(),
        source,
    };
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut file = tempfile::Builder::new()
        .prefix(".mock-api-")
        .tempfile_in(dir)
        .map_err(|e| io("cannot create a temporary file beside", e))?;
    file.write_all(bytes)
        .and_then(|()| file.as_file().sync_all())
        .map_err(|e| io("cannot write", e))?;
    file.persist(path)
        .map_err(|e| io("cannot rename into", e.error))?;
    Ok(())
}

/// Runs the mock as the flags say: binds both listeners, writes the credentials file, announces
/// the addresses on `announce` (stdout in the binary), and serves until SIGINT or SIGTERM.
pub async fn run(args: Args, mut announce: impl Write) -> Result<(), MockError> {
    let state = MockState::new(args.config())?;
    let listener = TcpListener::bind(args.listen)
        .await
        .map_err(MockError::Serve)?;
    let admin_listener = TcpListener::bind(args.admin_listen)
        .await
        .map_err(MockError::Serve)?;
    // Installed before the announcement, so that a parent which signals as soon as it has read
    // the address does not hit the default action and kill us uncleanly.
    let stop = shutdown_signal().map_err(MockError::Serve)?;
    let mock = RunningMock::start(state, listener, admin_listener)?;
    if let Some(path) = &args.credentials_out {
        write_credentials(path, &mock.credentials)?;
    }
    writeln!(announce, "listening on {}", mock.endpoint)
        .and_then(|()| writeln!(announce, "admin on {}", mock.credentials.admin_endpoint))
        .and_then(|()| announce.flush())
        .map_err(MockError::Serve)?;
    stop.await;
    mock.shutdown().await.map_err(MockError::Serve)
}

/// A future that completes on SIGINT or SIGTERM.
fn shutdown_signal() -> std::io::Result<impl std::future::Future<Output = ()> + Send + 'static> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut interrupt = signal(SignalKind::interrupt())?;
        let mut terminate = signal(SignalKind::terminate())?;
        Ok(async move {
            tokio::select! {
                _ = interrupt.recv() => {}
                _ = terminate.recv() => {}
            }
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async {
            let _ = tokio::signal::ctrl_c().await;
        })
    }
}
