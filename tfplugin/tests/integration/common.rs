//! Shared test harness: a test provider served in-process on a unix socket in a temp dir, and
//! helpers to encode and decode values the way Terraform core does.
#![allow(dead_code, clippy::unwrap_used)]

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use magma_protocol::tfplugin6 as pb;
use magma_protocol::tfplugin6::provider_client::ProviderClient;
use serde::{Deserialize, Serialize};
use tfplugin::provider::{NamedDataSource, NamedEphemeralResource, NamedResource};
use tfplugin::stop::StopSignal;
use tfplugin::{
    Attr, Attribute, DataSource, Diagnostics, EphemeralResource, Model, Opened, Provider, Read,
    Resource, Schema, Type, Value, async_trait,
};
use tonic::transport::Channel;

/// What the test provider's types share with the test.
#[derive(Default)]
pub struct Shared {
    pub things: Mutex<HashMap<String, ThingState>>,
    pub slow_started: AtomicBool,
    pub closed: Mutex<Vec<String>>,
    pub configured: Mutex<Option<String>>,
    /// What `test_secret` stores, write-only values included (as a careless resource would).
    pub secrets: Mutex<HashMap<String, SecretState>>,
}

pub struct TestProvider {
    pub shared: Arc<Shared>,
}

#[derive(Deserialize)]
pub struct TestConfig {
    pub label: Option<String>,
}

#[async_trait]
impl Provider for TestProvider {
    type Config = TestConfig;

    fn schema(&self) -> Schema {
        Schema::new().attribute(Attribute::string("label").optional())
    }

    async fn configure(
        &self,
        _diags: &mut Diagnostics,
        _v: &str,
        config: TestConfig,
    ) -> Option<()> {
        *self.shared.configured.lock().unwrap() = config.label;
        Some(())
    }

    fn resources(&self) -> Vec<NamedResource> {
        vec![
            tfplugin::resource("test_thing", Thing(self.shared.clone())),
            tfplugin::resource("test_slow", Slow(self.shared.clone())),
            tfplugin::resource("test_panic", Panics),
            tfplugin::resource("test_secret", Secret(self.shared.clone())),
        ]
    }

    fn data_sources(&self) -> Vec<NamedDataSource> {
        vec![tfplugin::data_source("test_echo", Echo)]
    }

    fn ephemeral_resources(&self) -> Vec<NamedEphemeralResource> {
        vec![tfplugin::ephemeral_resource(
            "test_token",
            Token(self.shared.clone()),
        )]
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Model)]
pub struct ThingState {
    #[tf(computed, keep)]
    pub id: Option<String>,
    #[tf(required, replace)]
    pub name: String,
    #[tf(optional)]
    pub description: Option<String>,
    #[tf(default = 1)]
    pub size: Option<i64>,
}

pub struct Thing(Arc<Shared>);

pub fn thing_schema() -> Schema {
    Schema::new()
        .attribute(Attribute::string("id").computed().use_state_for_unknown())
        .attribute(
            Attribute::string("name")
                .required()
                .requires_replace()
                .validate(|v, path, diags| {
                    if v.as_str().is_some_and(|s| s.contains(' ')) {
                        diags.error_at(path.clone(), "Invalid name", "Names have no spaces.");
                    }
                }),
        )
        .attribute(Attribute::string("description").optional())
        .attribute(Attribute::number("size").default(1))
}

#[async_trait]
impl Resource for Thing {
    type State = ThingState;

    fn schema(&self) -> Schema {
        thing_schema()
    }

    async fn read(&self, _diags: &mut Diagnostics, state: ThingState) -> Option<Read<ThingState>> {
        let found = self
            .0
            .things
            .lock()
            .unwrap()
            .get(state.id.as_deref()?)
            .cloned();
        Some(found.map_or(Read::Gone, Read::Found))
    }

    async fn create(
        &self,
        _diags: &mut Diagnostics,
        mut planned: ThingState,
        _c: ThingState,
    ) -> Option<ThingState> {
        let mut things = self.0.things.lock().unwrap();
        planned.id = Some(format!("thing-{}", things.len() + 1));
        things.insert(planned.id.clone()?, planned.clone());
        Some(planned)
    }

    async fn update(
        &self,
        _diags: &mut Diagnostics,
        prior: ThingState,
        mut planned: ThingState,
        _c: ThingState,
    ) -> Option<ThingState> {
        planned.id = prior.id;
        self.0
            .things
            .lock()
            .unwrap()
            .insert(planned.id.clone()?, planned.clone());
        Some(planned)
    }

    async fn delete(&self, _diags: &mut Diagnostics, prior: ThingState) -> Option<()> {
        self.0.things.lock().unwrap().remove(prior.id.as_deref()?);
        Some(())
    }

    async fn import(&self, diags: &mut Diagnostics, id: String) -> Option<ThingState> {
        let found = self.0.things.lock().unwrap().get(&id).cloned();
        if found.is_none() {
            diags.error("Cannot import", format!("No thing {id}."));
        }
        found
    }
}

/// A resource with write-only attributes nested at every depth: in a map of nested attributes
/// and in a list block. It echoes its configuration, write-only values included, from every
/// operation, so that tests see the protocol layer null them.
pub struct Secret(Arc<Shared>);

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Model)]
pub struct SecretState {
    #[tf(computed, keep)]
    pub id: Option<String>,
    #[tf(optional, write_only)]
    pub top_wo: Option<String>,
    #[tf(optional, nested)]
    pub entries: Option<std::collections::BTreeMap<String, SecretEntry>>,
    #[tf(block)]
    pub rule: Vec<SecretRule>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Model)]
pub struct SecretEntry {
    #[tf(optional, write_only)]
    pub value_wo: Option<String>,
    #[tf(optional)]
    pub version: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Model)]
pub struct SecretRule {
    #[tf(optional, write_only)]
    pub token_wo: Option<String>,
    #[tf(optional)]
    pub name: Option<String>,
}

pub fn secret_schema() -> Schema {
    use tfplugin::{Block, BlockNesting, NestedBlock, Nesting};
    Schema::new()
        .attribute(Attribute::string("id").computed().use_state_for_unknown())
        .attribute(Attribute::string("top_wo").optional().write_only())
        .attribute(
            Attribute::nested(
                "entries",
                Nesting::Map,
                vec![
                    Attribute::string("value_wo").optional().write_only(),
                    Attribute::number("version").optional(),
                ],
            )
            .optional(),
        )
        .block(NestedBlock::new(
            "rule",
            BlockNesting::List,
            Block {
                attributes: vec![
                    Attribute::string("token_wo").optional().write_only(),
                    Attribute::string("name").optional(),
                ],
                ..Block::default()
            },
        ))
}

#[async_trait]
impl Resource for Secret {
    type State = SecretState;

    fn schema(&self) -> Schema {
        secret_schema()
    }

    async fn read(&self, _d: &mut Diagnostics, s: SecretState) -> Option<Read<SecretState>> {
        let found = self
            .0
            .secrets
            .lock()
            .unwrap()
            .get(s.id.as_deref()?)
            .cloned();
        Some(found.map_or(Read::Gone, Read::Found))
    }

    async fn create(
        &self,
        _d: &mut Diagnostics,
        _p: SecretState,
        mut config: SecretState,
    ) -> Option<SecretState> {
        config.id = Some("secret-1".into());
        let stored = config.clone();
        self.0
            .secrets
            .lock()
            .unwrap()
            .insert("secret-1".into(), stored);
        Some(config)
    }

    async fn update(
        &self,
        _d: &mut Diagnostics,
        prior: SecretState,
        _p: SecretState,
        mut config: SecretState,
    ) -> Option<SecretState> {
        config.id = prior.id;
        Some(config)
    }

    async fn delete(&self, _d: &mut Diagnostics, _s: SecretState) -> Option<()> {
        Some(())
    }

    async fn import(&self, _d: &mut Diagnostics, id: String) -> Option<SecretState> {
        self.0.secrets.lock().unwrap().get(&id).cloned()
    }
}

/// Creating one blocks until the provider is stopped.
pub struct Slow(Arc<Shared>);

#[derive(Clone, PartialEq, Serialize, Deserialize, Model)]
pub struct SlowState {
    #[tf(computed)]
    pub id: Option<String>,
}

#[async_trait]
impl Resource for Slow {
    type State = SlowState;

    fn schema(&self) -> Schema {
        Schema::new().attribute(Attribute::string("id").computed())
    }

    async fn read(&self, _d: &mut Diagnostics, s: SlowState) -> Option<Read<SlowState>> {
        Some(Read::Found(s))
    }

    async fn create(
        &self,
        diags: &mut Diagnostics,
        _p: SlowState,
        _c: SlowState,
    ) -> Option<SlowState> {
        self.0.slow_started.store(true, Ordering::SeqCst);
        tokio::select! {
            () = tfplugin::stopped() => {
                diags.error("Interrupted", "Terraform stopped the provider while creating.");
                None
            }
            () = tokio::time::sleep(Duration::from_secs(600)) => Some(SlowState { id: Some("late".into()) }),
        }
    }

    async fn update(
        &self,
        _d: &mut Diagnostics,
        _s: SlowState,
        p: SlowState,
        _c: SlowState,
    ) -> Option<SlowState> {
        Some(p)
    }

    async fn delete(&self, _d: &mut Diagnostics, _s: SlowState) -> Option<()> {
        Some(())
    }
}

/// Reading one panics.
pub struct Panics;

#[async_trait]
impl Resource for Panics {
    type State = SlowState;

    fn schema(&self) -> Schema {
        Schema::new().attribute(Attribute::string("id").computed())
    }

    async fn read(&self, _d: &mut Diagnostics, _s: SlowState) -> Option<Read<SlowState>> {
        panic!("boom in read")
    }

    async fn create(
        &self,
        _d: &mut Diagnostics,
        _p: SlowState,
        _c: SlowState,
    ) -> Option<SlowState> {
        None
    }

    async fn update(
        &self,
        _d: &mut Diagnostics,
        _s: SlowState,
        p: SlowState,
        _c: SlowState,
    ) -> Option<SlowState> {
        Some(p)
    }

    async fn delete(&self, _d: &mut Diagnostics, _s: SlowState) -> Option<()> {
        Some(())
    }
}

pub struct Echo;

#[derive(Clone, PartialEq, Serialize, Deserialize, Model)]
pub struct EchoState {
    #[tf(required)]
    pub input: String,
    #[tf(computed)]
    pub output: Attr<String>,
}

#[async_trait]
impl DataSource for Echo {
    type State = EchoState;

    fn schema(&self) -> Schema {
        Schema::new()
            .attribute(Attribute::string("input").required())
            .attribute(Attribute::string("output").computed())
    }

    async fn read(&self, _d: &mut Diagnostics, mut c: EchoState) -> Option<EchoState> {
        c.output = Attr::Value(c.input.to_uppercase());
        Some(c)
    }
}

pub struct Token(Arc<Shared>);

#[derive(Clone, PartialEq, Serialize, Deserialize, Model)]
pub struct TokenState {
    #[tf(optional)]
    pub prefix: Option<String>,
    #[tf(computed, sensitive)]
    pub token: Option<String>,
}

#[async_trait]
impl EphemeralResource for Token {
    type State = TokenState;
    type Private = String;

    fn schema(&self) -> Schema {
        Schema::new()
            .attribute(Attribute::string("prefix").optional())
            .attribute(Attribute::string("token").computed().sensitive())
    }

    async fn open(
        &self,
        _d: &mut Diagnostics,
        c: TokenState,
    ) -> Option<Opened<TokenState, String>> {
        let token = format!("{}secret", c.prefix.as_deref().unwrap_or(""));
        Some(Opened {
            result: TokenState {
                prefix: c.prefix,
                token: Some(token.clone()),
            },
            private: Some(token),
            renew_at: None,
        })
    }

    async fn close(&self, _d: &mut Diagnostics, private: Option<String>) -> Option<()> {
        self.0
            .closed
            .lock()
            .unwrap()
            .push(private.unwrap_or_default());
        Some(())
    }
}

/// A test provider served in-process on its own socket.
pub struct Harness {
    pub client: ProviderClient<Channel>,
    pub shared: Arc<Shared>,
    pub stop: StopSignal,
    pub socket: PathBuf,
    pub server: tokio::task::JoinHandle<Result<(), tfplugin::serve::ServeError>>,
    _dir: tempfile::TempDir,
}

pub async fn harness() -> Harness {
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("plugin.sock");
    let listener = tokio::net::UnixListener::bind(&socket).unwrap();
    let shared = Arc::new(Shared::default());
    let stop = StopSignal::new();
    let server = tokio::spawn(tfplugin::serve_on(
        listener,
        TestProvider {
            shared: shared.clone(),
        },
        stop.clone(),
    ));
    let client = tfplugin::connect(&socket, None).await.unwrap();
    Harness {
        client,
        shared,
        stop,
        socket,
        server,
        _dir: dir,
    }
}

/// Encodes a value as Terraform core would.
pub fn dv(v: &Value, ty: &Type) -> Option<pb::DynamicValue> {
    Some(pb::DynamicValue {
        msgpack: v.to_msgpack(ty).unwrap(),
        json: Vec::new(),
    })
}

/// Decodes a value from a response.
pub fn val(d: &Option<pb::DynamicValue>, ty: &Type) -> Value {
    Value::from_msgpack(&d.as_ref().unwrap().msgpack, ty).unwrap()
}

/// The summaries of error diagnostics.
pub fn errors(diags: &[pb::Diagnostic]) -> Vec<String> {
    diags
        .iter()
        .filter(|d| d.severity == pb::diagnostic::Severity::Error as i32)
        .map(|d| format!("{}: {}", d.summary, d.detail))
        .collect()
}

/// Polls `f` until it is true or `timeout` passes.
pub async fn wait_for(timeout: Duration, mut f: impl FnMut() -> bool) -> bool {
    let deadline = tokio::time::Instant::now() + timeout;
    while tokio::time::Instant::now() < deadline {
        if f() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    f()
}

/// The example provider binary, built once.
pub fn example_binary() -> PathBuf {
    static PATH: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    PATH.get_or_init(|| {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let mut command = std::process::Command::new(cargo);
        // Cargo runs this test with the variables of the package under test (CARGO_PKG_NAME,
        // CARGO_MANIFEST_DIR, OUT_DIR, ...). Build scripts such as ring's rerun when those change,
        // so a cargo inheriting them rebuilt ring and everything above it, and the next ordinary
        // build rebuilt it all back: half a minute each way.
        for (key, _) in std::env::vars_os() {
            if let Some(k) = key.to_str()
                && (k.starts_with("CARGO_PKG_")
                    || k.starts_with("CARGO_MANIFEST_")
                    || matches!(k, "CARGO_CRATE_NAME" | "CARGO_PRIMARY_PACKAGE" | "OUT_DIR"))
            {
                command.env_remove(&key);
            }
        }
        let out = command
            .args([
                "build",
                "-q",
                "-p",
                "tfplugin",
                "--example",
                "tfexample",
                "--message-format=json",
            ])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "building the example failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .filter(|m| m["target"]["name"] == "tfexample")
            .find_map(|m| m["executable"].as_str().map(PathBuf::from))
            .expect("cargo reported the example executable")
    })
    .clone()
}
