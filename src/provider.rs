//! The provider block (`provider "spirl" { … }`): its schema, validation, and `configure`, which
//! fills the client handle every API resource holds.

use std::sync::{Arc, OnceLock};

use serde::Deserialize;
use tfplugin::provider::{NamedDataSource, NamedEphemeralResource, NamedResource};
use tfplugin::{Attr, Attribute, Diagnostics, Number, Provider, Schema, async_trait};

use crate::client::Client;
use crate::config::{self, ClientSetup, ProviderInputs};
use crate::diagnostics::{report, whole_number};
use crate::secret::SecretString;
use crate::{data_sources, ephemeral_resources, resources};

/// The provider's local name; Terraform runs the binary as `terraform-provider-spirl`.
pub const NAME: &str = "spirl";

/// Serves the provider to Terraform: the whole of `main`.
pub fn serve() -> std::process::ExitCode {
    tfplugin::log::forward_log_crate(&[env!("CARGO_CRATE_NAME")]);
    tfplugin::serve(NAME, SpirlProvider::default())
}

/// What `configure` made of the provider block: a client, or why there is none.
enum Configured {
    Ready(Client),
    Unavailable(crate::problem::Problem),
}

/// The client handle resources hold. Terraform builds resources before it configures the
/// provider, so the handle starts empty and `configure` fills it once.
#[derive(Clone, Default)]
pub struct ClientHandle {
    configured: Arc<OnceLock<Configured>>,
    terraform_version: Arc<OnceLock<String>>,
}

impl ClientHandle {
    /// The version of the Terraform CLI that configured the provider (`1.0.3`), once known.
    pub fn terraform_version(&self) -> Option<&str> {
        self.terraform_version.get().map(String::as_str)
    }

    /// The configured client, or `None` after reporting why there is none (missing credentials,
    /// values not known yet, or a provider that was never configured).
    pub fn get(&self, diags: &mut Diagnostics) -> Option<&Client> {
        match self.configured.get() {
            Some(Configured::Ready(client)) => Some(client),
            Some(Configured::Unavailable(problem)) => {
                report(diags, vec![problem.clone()]);
                None
            }
            None => {
                diags.error(
                    "Provider not configured",
                    "Terraform called a resource before configuring the provider. This is a bug \
                     in Terraform or the provider; please report it.",
                );
                None
            }
        }
    }
}

/// The `spirl` provider.
#[derive(Default)]
pub struct SpirlProvider {
    client: ClientHandle,
}

/// The provider block as Terraform sends it. Every attribute may be unset or unknown.
#[derive(Deserialize)]
pub struct ProviderConfig {
    endpoint: Attr<String>,
    sa_key_id: Attr<String>,
    sa_private_key: Attr<String>,
    use_tls: Attr<bool>,
    request_timeout: Attr<String>,
    max_retries: Attr<Number>,
}

impl ProviderConfig {
    /// The inputs of [`config::resolve`], or `None` after reporting a value that is not even of
    /// the right shape.
    fn inputs(self, diags: &mut Diagnostics) -> Option<ProviderInputs> {
        let max_retries = whole_number(
            diags,
            "max_retries",
            &self.max_retries,
            &format!("a whole number from 0 to {}", config::MAX_MAX_RETRIES),
        )?;
        let sa_private_key = match self.sa_private_key {
            Attr::Value(pem) => Attr::Value(SecretString::new(pem)),
            Attr::Unknown => Attr::Unknown,
            Attr::Null => Attr::Null,
        };
        Some(ProviderInputs {
            endpoint: self.endpoint,
            sa_key_id: self.sa_key_id,
            sa_private_key,
            use_tls: self.use_tls,
            request_timeout: self.request_timeout,
            max_retries,
        })
    }
}

#[async_trait]
impl Provider for SpirlProvider {
    type Config = ProviderConfig;

    fn schema(&self) -> Schema {
        Schema::new()
            .description(
                "The `spirl` provider manages Defakto (formerly SPIRL) trust domains, their \
                 deployments and deployment keys, and renders the AWS ALB ingress annotations \
                 the Defakto trust-domain server needs. A configuration that only uses \
                 `spirl_key_pair` and `spirl_alb_ingress_annotations` needs no credentials.",
            )
            .attribute(Attribute::string("endpoint").optional().description(format!(
                "The control-plane API: `host:port` or a URL. Defaults to `{}`, or the `{}` \
                 environment variable.",
                config::DEFAULT_ENDPOINT,
                config::ENV_ENDPOINT
            )))
            .attribute(Attribute::string("sa_key_id").optional().description(format!(
                "The service-account key id (`sak-…`) to log in with. Defaults to the `{}` \
                 environment variable.",
                config::ENV_SA_KEY_ID
            )))
            .attribute(
                Attribute::string("sa_private_key")
                    .optional()
                    .sensitive()
                    .description(format!(
                        "The service account's ed25519 private key, PKCS#8 PEM \
                         (`-----BEGIN PRIVATE KEY-----`). Defaults to the `{}` environment \
                         variable, which is how Terraform Cloud workspaces should pass it.",
                        config::ENV_SA_PRIVATE_KEY
                    )),
            )
            .attribute(Attribute::bool("use_tls").optional().description(format!(
                "Whether to use TLS. Defaults to `true`, or the `{}` environment variable. \
                 Plain HTTP to a host other than loopback needs `use_tls = false` and is \
                 warned about.",
                config::ENV_USE_TLS
            )))
            .attribute(
                Attribute::string("request_timeout")
                    .optional()
                    .description(
                        "How long one API operation may take, retries and login included, as \
                         a duration such as `30s`, `1m30s` or `500ms`. Defaults to `30s`.",
                    ),
            )
            .attribute(Attribute::number("max_retries").optional().description(format!(
                "How many times a request that failed with 429, 502, 503, 504 or a connection \
                 error is retried, with exponential backoff and jitter. Defaults to {}.",
                config::DEFAULT_MAX_RETRIES
            )))
    }

    async fn validate(&self, diags: &mut Diagnostics, config: ProviderConfig) -> Option<()> {
        let inputs = config.inputs(diags)?;
        let (_, problems) = config::resolve(&inputs, &config::process_env);
        report(diags, problems)
    }

    async fn configure(
        &self,
        diags: &mut Diagnostics,
        terraform_version: &str,
        config: ProviderConfig,
    ) -> Option<()> {
        let _ = self
            .client
            .terraform_version
            .set(terraform_version.to_owned());
        let inputs = config.inputs(diags)?;
        let (setup, problems) = config::resolve(&inputs, &config::process_env);
        report(diags, problems)?;
        let configured = match setup? {
            ClientSetup::Ready(client_config) => {
                log::info!(
                    endpoint = client_config.base_url.as_str(),
                    sa_key_id = client_config.credentials.key_id.as_str(),
                    terraform_version;
                    "provider configured"
                );
                match Client::new(&client_config, terraform_version) {
                    Ok(client) => Configured::Ready(client),
                    Err(err) => {
                        crate::diagnostics::api_error(diags, &err, None);
                        return None;
                    }
                }
            }
            other => match other.client_config() {
                Err(problem) => {
                    log::info!(reason = problem.summary.as_str(); "provider configured without an API client");
                    Configured::Unavailable(problem)
                }
                Ok(_) => return None,
            },
        };
        // Terraform configures a provider instance once; a second configure keeps the first.
        let _ = self.client.configured.set(configured);
        Some(())
    }

    fn resources(&self) -> Vec<NamedResource> {
        resources::all(&self.client)
    }

    fn data_sources(&self) -> Vec<NamedDataSource> {
        data_sources::all(&self.client)
    }

    fn ephemeral_resources(&self) -> Vec<NamedEphemeralResource> {
        ephemeral_resources::all()
    }
}
