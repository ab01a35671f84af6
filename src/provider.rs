//! The provider block (`provider "spirl" { … }`): its schema, validation, and `configure`, which
//! fills the client handle every API resource holds.

use serde::Deserialize;
use tfplugin::provider::{NamedDataSource, NamedEphemeralResource, NamedResource};
use tfplugin::{Attr, Attribute, Diagnostics, Number, Provider, Schema, async_trait};

use crate::client::handle::Unavailable;
use crate::client::{Client, ClientHandle};
use crate::diagnostics::{report, whole_number};
use crate::secret::SecretString;
use crate::settings::{self, ClientSetup, ProviderInputs};
use crate::{data_sources, ephemeral_resources, resources};

/// The provider's local name; Terraform runs the binary as `terraform-provider-spirl`.
pub const NAME: &str = "spirl";

/// Serves the provider to Terraform: the whole of `main`.
pub fn serve() -> std::process::ExitCode {
    tfplugin::log::forward_log_crate(&[env!("CARGO_CRATE_NAME")]);
    tfplugin::serve(NAME, SpirlProvider::default())
}

/// The `spirl` provider.
#[derive(Default)]
pub struct SpirlProvider {
    client: ClientHandle,
}

/// The provider block as Terraform sends it. Every attribute may be unset or unknown.
#[derive(Deserialize)]
pub struct ProviderBlock {
    endpoint: Attr<String>,
    sa_key_id: Attr<String>,
    sa_private_key: Attr<String>,
    use_tls: Attr<bool>,
    request_timeout: Attr<String>,
    max_retries: Attr<Number>,
    spirlctl_config_path: Attr<String>,
}

impl ProviderBlock {
    /// The inputs of [`settings::resolve`], or `None` after reporting a value that is not even of
    /// the right shape.
    fn inputs(self, diags: &mut Diagnostics) -> Option<ProviderInputs> {
        let max_retries = whole_number(
            diags,
            "max_retries",
            &self.max_retries,
            &format!("a whole number from 0 to {}", settings::MAX_MAX_RETRIES),
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
            spirlctl_config_path: self.spirlctl_config_path,
        })
    }
}

#[async_trait]
impl Provider for SpirlProvider {
    type Config = ProviderBlock;

    fn schema(&self) -> Schema {
        Schema::new()
            .description(
                "The `spirl` provider manages Defakto (formerly SPIRL) trust domains, their \
                 deployments and deployment keys through the control plane's gRPC API, and \
                 renders what the Defakto trust-domain server needs around it: the AWS ALB \
                 ingress annotations and the Prometheus alert rules of the server runbook. \
                 \n\nIt authenticates with a service-account key (`sa_key_id` and \
                 `sa_private_key`, or the `SPIRL_SA_KEY_ID` and `SPIRL_SA_PRIVATE_KEY` \
                 environment variables) when one is set, and otherwise with the session \
                 `spirlctl login` stored (`spirlctl_config_path`). A configuration that only uses \
                 `spirl_key_pair`, `spirl_alb_ingress_annotations` and `spirl_server_monitoring` \
                 needs no credentials.",
            )
            .attribute(Attribute::string("endpoint").optional().description(format!(
                "The control plane's gRPC API as `host:port` (or `https://host:port`, \
                 `http://host:port` for plaintext HTTP/2). Defaults to `{}`, or the `{}` \
                 environment variable. `HTTPS_PROXY` and `NO_PROXY` are honoured.",
                settings::DEFAULT_ENDPOINT,
                settings::ENV_ENDPOINT
            )))
            .attribute(Attribute::string("sa_key_id").optional().description(format!(
                "The service-account key id (`sak-…`) to log in with. Defaults to the `{}` \
                 environment variable.",
                settings::ENV_SA_KEY_ID
            )))
            .attribute(
                Attribute::string("sa_private_key")
                    .optional()
                    .sensitive()
                    .description(format!(
                        "The service account's ed25519 private key, PKCS#8 PEM \
                         (`-----BEGIN PRIVATE KEY-----`). Defaults to the `{}` environment \
                         variable, which is how Terraform Cloud workspaces should pass it.",
                        settings::ENV_SA_PRIVATE_KEY
                    )),
            )
            .attribute(Attribute::bool("use_tls").optional().description(format!(
                "Whether to use TLS. Defaults to `true`, or the `{}` environment variable. \
                 `false` speaks plaintext HTTP/2 (h2c), meant for a local mock: to a host other \
                 than loopback it needs `use_tls = false` set explicitly and is warned about. \
                 A private CA is trusted through `SSL_CERT_FILE`.",
                settings::ENV_USE_TLS
            )))
            .attribute(
                Attribute::string("request_timeout")
                    .optional()
                    .description(
                        "The deadline of each API call (an RPC, its retries and a login \
                         included), as a duration such as `30s`, `1m30s` or `500ms`. Defaults \
                         to `30s`.",
                    ),
            )
            .attribute(
                Attribute::string("spirlctl_config_path")
                    .optional()
                    .description(format!(
                        "The file where `spirlctl login` stored its session (JSON; the token at \
                         `creds.token` is sent with every API call). Defaults to `{}`; `~` is the \
                         home directory. Used only when no service-account key is set (neither \
                         `sa_key_id`/`sa_private_key` nor `{}`/`{}`): a key wins when both exist. \
                         The session expires: when the control plane refuses it, run `spirlctl \
                         login` again. A missing or unusable file (no JSON, an empty token) fails \
                         the plan of any resource or data source that calls the API, with one \
                         error naming the file and both ways to authenticate; `spirl_key_pair` and \
                         the rendering data sources need no credentials.",
                        settings::DEFAULT_SPIRLCTL_CONFIG_PATH,
                        settings::ENV_SA_KEY_ID,
                        settings::ENV_SA_PRIVATE_KEY
                    )),
            )
            .attribute(Attribute::number("max_retries").optional().description(format!(
                "How many times a call that failed with `UNAVAILABLE`, `RESOURCE_EXHAUSTED` or \
                 a connection error is retried, with exponential backoff and jitter. Defaults \
                 to {}.",
                settings::DEFAULT_MAX_RETRIES
            )))
    }

    async fn validate(&self, diags: &mut Diagnostics, block: ProviderBlock) -> Option<()> {
        let inputs = block.inputs(diags)?;
        let (_, problems) = settings::resolve(&inputs, &settings::process_env);
        report(diags, problems)
    }

    async fn configure(
        &self,
        diags: &mut Diagnostics,
        terraform_version: &str,
        block: ProviderBlock,
    ) -> Option<()> {
        self.client.set_terraform_version(terraform_version);
        let inputs = block.inputs(diags)?;
        let (setup, problems) = settings::resolve(&inputs, &settings::process_env);
        report(diags, problems)?;
        match setup? {
            ClientSetup::Ready(client_settings) => {
                let credentials = client_settings.credentials.describe();
                log::info!(
                    endpoint = client_settings.base_url.as_str(),
                    credentials = credentials.as_str(),
                    terraform_version;
                    "provider configured"
                );
                match &client_settings.unused_spirlctl_config {
                    Some(path) => log::debug!(
                        "API calls authenticate with {credentials}; the spirlctl login session in {} is not used, because a service-account key is set and wins",
                        path.display()
                    ),
                    None => log::debug!("API calls authenticate with {credentials}"),
                }
                match Client::new(&client_settings, terraform_version) {
                    Ok(client) => self.client.set_client(client),
                    Err(err) => {
                        crate::diagnostics::api_error(diags, &err, None);
                        return None;
                    }
                }
            }
            other => {
                let why = match other {
                    ClientSetup::Pending { .. } => Unavailable::NotKnownYet,
                    _ => Unavailable::NoCredentials,
                };
                match other.client_settings() {
                    Err(problem) => {
                        log::info!(reason = problem.summary.as_str(); "provider configured without an API client");
                        self.client.set_unavailable(why, problem);
                    }
                    Ok(_) => return None,
                }
            }
        }
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
