//! [`ClientHandle`]: the client every API resource holds. Terraform builds resources before it
//! configures the provider, so the handle starts empty and `configure` fills it once.

use std::sync::{Arc, OnceLock};

use tfplugin::Diagnostics;

use super::Client;
use crate::diagnostics::report;
use crate::problem::Problem;

/// What `configure` made of the provider block: a client, or why there is none.
enum Configured {
    Ready(Client),
    Unavailable(Problem),
}

/// The shared, once-filled client handle.
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

    /// Records the Terraform version from the configure request.
    pub fn set_terraform_version(&self, version: &str) {
        let _ = self.terraform_version.set(version.to_owned());
    }

    /// Fills the handle with a client. Terraform configures a provider instance once; a second
    /// configure keeps the first.
    pub fn set_client(&self, client: Client) {
        let _ = self.configured.set(Configured::Ready(client));
    }

    /// Fills the handle with the reason API resources cannot work.
    pub fn set_unavailable(&self, problem: Problem) {
        let _ = self.configured.set(Configured::Unavailable(problem));
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
