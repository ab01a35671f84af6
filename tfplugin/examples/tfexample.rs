//! A tiny provider built on tfplugin, used by the crate's tests and as a model for provider
//! authors. It keeps "things" as JSON files in a directory named in the provider block:
//!
//! ```hcl
//! provider "tfexample" { directory = "/tmp/things" }
//! resource "tfexample_thing" "a" { name = "a"  description = "in place" }
//! data "tfexample_echo" "e" { input = "hi" }   # output = "HI"
//! ```

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use serde::{Deserialize, Serialize};
use tfplugin::{
    Attr, Attribute, AttributePath, DataSource, Diagnostics, EphemeralResource, Kind, Model,
    Opened, Provider, Read, Resource, Schema, async_trait,
};

/// Filled by `configure`; resources are built before it runs.
type Dir = Arc<OnceLock<PathBuf>>;

struct Example {
    dir: Dir,
}

#[derive(Deserialize)]
struct Config {
    directory: String,
}

#[async_trait]
impl Provider for Example {
    type Config = Config;

    fn schema(&self) -> Schema {
        Schema::new().attribute(
            Attribute::string("directory")
                .required()
                .description("Where the things are stored."),
        )
    }

    async fn configure(
        &self,
        diags: &mut Diagnostics,
        _tf_version: &str,
        config: Config,
    ) -> Option<()> {
        let dir = PathBuf::from(config.directory);
        if let Err(e) = std::fs::create_dir_all(&dir) {
            diags.error(
                "Cannot use the directory",
                format!("{}: {e}", dir.display()),
            );
            return None;
        }
        let _ = self.dir.set(dir);
        Some(())
    }

    fn resources(&self) -> Vec<tfplugin::provider::NamedResource> {
        vec![tfplugin::resource(
            "tfexample_thing",
            Thing {
                dir: self.dir.clone(),
            },
        )]
    }

    fn data_sources(&self) -> Vec<tfplugin::provider::NamedDataSource> {
        vec![tfplugin::data_source("tfexample_echo", Echo)]
    }

    fn ephemeral_resources(&self) -> Vec<tfplugin::provider::NamedEphemeralResource> {
        vec![tfplugin::ephemeral_resource("tfexample_token", Token)]
    }
}

/// `tfexample_thing`: a computed id, a name that forces replacement, a description updated in
/// place.
struct Thing {
    dir: Dir,
}

/// Each attribute is declared once, here: its description, flags and checks.
#[derive(Clone, PartialEq, Serialize, Deserialize, Model)]
struct ThingState {
    /// Its id.
    #[tf(computed, keep)]
    id: Option<String>,
    /// Its name.
    #[tf(required, replace, check = not_empty)]
    name: String,
    /// Free text.
    #[tf(optional)]
    description: Option<String>,
}

fn not_empty(name: &str, at: &AttributePath, diags: &mut Diagnostics) {
    if name.is_empty() {
        diags.error_at(at.clone(), "Empty name", "Give the thing a name.");
    }
}

impl Thing {
    fn path(&self, diags: &mut Diagnostics, id: &str) -> Option<PathBuf> {
        match self.dir.get() {
            Some(d) => Some(d.join(format!("{id}.json"))),
            None => {
                diags.error(
                    "Provider not configured",
                    "Set `directory` in the provider block.",
                );
                None
            }
        }
    }

    fn write(&self, diags: &mut Diagnostics, s: &ThingState) -> Option<()> {
        let id = s.id.as_deref()?;
        let path = self.path(diags, id)?;
        let json = serde_json::to_vec(s).ok()?;
        std::fs::write(&path, json)
            .map_err(|e| diags.error("Cannot store the thing", format!("{}: {e}", path.display())))
            .ok()
    }
}

#[async_trait]
impl Resource for Thing {
    type State = ThingState;

    fn schema(&self) -> Schema {
        Schema::of::<ThingState>(Kind::Resource).description("A thing stored as a file.")
    }

    async fn read(&self, diags: &mut Diagnostics, state: ThingState) -> Option<Read<ThingState>> {
        let path = self.path(diags, state.id.as_deref()?)?;
        let Ok(bytes) = std::fs::read(&path) else {
            return Some(Read::Gone);
        };
        serde_json::from_slice(&bytes).ok().map(Read::Found)
    }

    async fn create(
        &self,
        diags: &mut Diagnostics,
        mut planned: ThingState,
        _config: ThingState,
    ) -> Option<ThingState> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .ok()?
            .as_nanos();
        planned.id = Some(format!("thing-{nanos:x}"));
        self.write(diags, &planned)?;
        tfplugin::log::info("created a thing", &[("name", &planned.name)]);
        Some(planned)
    }

    async fn update(
        &self,
        diags: &mut Diagnostics,
        prior: ThingState,
        mut planned: ThingState,
        _config: ThingState,
    ) -> Option<ThingState> {
        planned.id = prior.id;
        self.write(diags, &planned)?;
        Some(planned)
    }

    async fn delete(&self, diags: &mut Diagnostics, prior: ThingState) -> Option<()> {
        let path = self.path(diags, prior.id.as_deref()?)?;
        match std::fs::remove_file(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                diags.error(
                    "Cannot delete the thing",
                    format!("{}: {e}", path.display()),
                );
                None
            }
            _ => Some(()),
        }
    }

    async fn import(&self, _diags: &mut Diagnostics, id: String) -> Option<ThingState> {
        // Terraform reads right after; the name comes back from the stored file.
        Some(ThingState {
            id: Some(id),
            name: String::new(),
            description: None,
        })
    }
}

/// `tfexample_echo`: upper-cases its input.
struct Echo;

#[derive(Clone, PartialEq, Serialize, Deserialize, Model)]
struct EchoState {
    /// Text.
    #[tf(required)]
    input: String,
    /// The text in upper case.
    #[tf(computed)]
    output: Attr<String>,
}

#[async_trait]
impl DataSource for Echo {
    type State = EchoState;

    fn schema(&self) -> Schema {
        Schema::of::<EchoState>(Kind::DataSource)
    }

    async fn read(&self, _diags: &mut Diagnostics, mut config: EchoState) -> Option<EchoState> {
        config.output = Attr::Value(config.input.to_uppercase());
        Some(config)
    }
}

/// `tfexample_token`: an ephemeral value (Terraform 1.10+).
struct Token;

#[derive(Clone, PartialEq, Serialize, Deserialize, Model)]
struct TokenState {
    /// What the token starts with.
    #[tf(optional)]
    prefix: Option<String>,
    /// The token.
    #[tf(computed, sensitive)]
    token: Option<String>,
}

#[async_trait]
impl EphemeralResource for Token {
    type State = TokenState;
    type Private = String;

    fn schema(&self) -> Schema {
        Schema::of::<TokenState>(Kind::Ephemeral)
    }

    async fn open(
        &self,
        _diags: &mut Diagnostics,
        config: TokenState,
    ) -> Option<Opened<TokenState, String>> {
        let token = format!(
            "{}{}",
            config.prefix.as_deref().unwrap_or(""),
            std::process::id()
        );
        Some(Opened {
            result: TokenState {
                prefix: config.prefix,
                token: Some(token.clone()),
            },
            private: Some(token),
            renew_at: None,
        })
    }
}

fn main() -> std::process::ExitCode {
    tfplugin::serve(
        "tfexample",
        Example {
            dir: Dir::default(),
        },
    )
}
