//! [`ClientHandle`]: the client every API resource holds. Terraform builds resources before it
//! configures the provider, so the handle starts empty and `configure` fills it once.
//!
//! When `configure` leaves it without a client (no credentials, or values not known yet), the
//! reason is reported once per provider process, by the first call that needs the API. Terraform
//! starts one provider process per walk of the graph (validate, plan, apply) and calls it for
//! many resources at once, and it shows every error diagnostic it gets: reporting the reason per
//! resource would repeat it once per resource. After that first report the walk fails anyway, so
//! a later call that can do without the API (a plan, a refresh that keeps the prior state) goes
//! on silently, and one that cannot (an apply, an import, a data source read) fails with a short
//! error that points back at the first.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

use tfplugin::Diagnostics;

use super::Client;
use crate::diagnostics::report;
use crate::problem::Problem;

/// Why `configure` made no client.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unavailable {
    /// No service-account key and no usable spirlctl session: a configuration error of every
    /// plan that has API resources.
    NoCredentials,
    /// Values of the provider block are known only after apply: plans go on, and API calls wait
    /// for the configure of a later walk.
    NotKnownYet,
}

/// What `configure` made of the provider block: a client, or why there is none.
enum Configured {
    Ready(Client),
    Unavailable(Unavailable, Problem),
}

/// What an operation that can do without the API (a plan, a refresh) may do.
pub enum Access<'a> {
    /// Call the API with this client.
    Client(&'a Client),
    /// There is no client, and this walk already fails with an error that says why: go on
    /// without the API and report nothing (a plan keeps its standard plan, a refresh the prior
    /// state).
    Without,
    /// There is no client, and this call reported why: fail.
    Failed,
}

/// A failure every operation of a provider process meets at once (no credentials, a refused
/// `spirlctl login` session), which Terraform would show once per resource if each reported it:
/// the first to meet it reports it, the others know it was.
#[derive(Debug, Default)]
pub struct ReportedOnce(AtomicBool);

impl ReportedOnce {
    /// Whether this is the first report (and records it): report the failure when it is.
    pub fn first(&self) -> bool {
        !self.0.swap(true, Ordering::SeqCst)
    }

    /// Whether the failure has been reported in this process.
    pub fn done(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// The shared, once-filled client handle.
#[derive(Clone, Default)]
pub struct ClientHandle {
    configured: Arc<OnceLock<Configured>>,
    /// Whether the reason there is no client has been reported in this process.
    reported: Arc<ReportedOnce>,
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

    /// Fills the handle with the reason API resources cannot work, and the problem that says so.
    pub fn set_unavailable(&self, why: Unavailable, problem: Problem) {
        let _ = self.configured.set(Configured::Unavailable(why, problem));
    }

    /// The configured client, if there is one; reports nothing. For a plan that only uses the
    /// API to say more (a lookup, a warning) when it can.
    pub fn ready(&self) -> Option<&Client> {
        match self.configured.get() {
            Some(Configured::Ready(client)) => Some(client),
            _ => None,
        }
    }

    /// The configured client, for an operation that cannot do without it (an apply, an import,
    /// a data source read); or `None` after an error: why there is no client the first time in
    /// the process, a short error pointing at that one after.
    pub fn get(&self, diags: &mut Diagnostics) -> Option<&Client> {
        match self.configured.get() {
            Some(Configured::Ready(client)) => Some(client),
            Some(Configured::Unavailable(why, problem)) => {
                if self.reported.first() {
                    report(diags, vec![problem.clone()]);
                } else {
                    let (summary, detail) = match why {
                        Unavailable::NoCredentials => (
                            "No credentials to call the API",
                            "This needs the Defakto control plane, and the provider has no \
                             credentials to call it. An error about the provider's credentials, \
                             reported once for this run, says why and how to authenticate.",
                        ),
                        Unavailable::NotKnownYet => (
                            "API not available yet",
                            "This needs the Defakto control plane, which the provider cannot \
                             call until its configuration is known. An error about the \
                             provider's configuration, reported once for this run, says which \
                             values are not known yet.",
                        ),
                    };
                    diags.error(summary, detail);
                }
                None
            }
            None => {
                not_configured(diags);
                None
            }
        }
    }

    /// For a refresh: the client, or [`Access::Failed`] after reporting why there is none the
    /// first time in the process, or [`Access::Without`] after that (the refresh keeps the prior
    /// state: the walk already fails).
    pub fn for_refresh(&self, diags: &mut Diagnostics) -> Access<'_> {
        match self.configured.get() {
            Some(Configured::Ready(client)) => Access::Client(client),
            Some(Configured::Unavailable(_, problem)) => self.once(diags, problem),
            None => {
                not_configured(diags);
                Access::Failed
            }
        }
    }

    /// For the plan of an object that is to exist: missing credentials fail it, reported the
    /// first time in the process ([`Access::Failed`]), silently after ([`Access::Without`]).
    /// Values not known yet are no error at plan (the apply's configure knows them), and neither
    /// is a provider Terraform has not configured (its apply says so).
    pub fn for_plan(&self, diags: &mut Diagnostics) -> Access<'_> {
        match self.configured.get() {
            Some(Configured::Ready(client)) => Access::Client(client),
            Some(Configured::Unavailable(Unavailable::NoCredentials, problem)) => {
                self.once(diags, problem)
            }
            Some(Configured::Unavailable(Unavailable::NotKnownYet, _)) | None => Access::Without,
        }
    }

    fn once(&self, diags: &mut Diagnostics, problem: &Problem) -> Access<'_> {
        if self.reported.first() {
            report(diags, vec![problem.clone()]);
            Access::Failed
        } else {
            Access::Without
        }
    }
}

fn not_configured(diags: &mut Diagnostics) {
    diags.error(
        "Provider not configured",
        "Terraform called a resource before configuring the provider. This is a bug in Terraform \
         or the provider; please report it.",
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problem::AttributePath;

    fn summaries(diags: &Diagnostics) -> Vec<&str> {
        diags.items.iter().map(|d| d.summary.as_str()).collect()
    }

    fn without(why: Unavailable) -> ClientHandle {
        let handle = ClientHandle::default();
        handle.set_unavailable(
            why,
            Problem::error(AttributePath::root("sa_key_id"), "Why", "Because."),
        );
        handle
    }

    #[test]
    fn missing_credentials_are_reported_once_whoever_asks_first() {
        for first in ["plan", "refresh", "get"] {
            let handle = without(Unavailable::NoCredentials);
            let mut diags = Diagnostics::new();
            let failed = match first {
                "plan" => matches!(handle.for_plan(&mut diags), Access::Failed),
                "refresh" => matches!(handle.for_refresh(&mut diags), Access::Failed),
                _ => handle.get(&mut diags).is_none(),
            };
            assert!(failed, "{first}");
            assert_eq!(summaries(&diags), ["Why"], "{first}");
            // Later plans and refreshes go on silently; a later apply or read fails briefly.
            let mut later = Diagnostics::new();
            assert!(matches!(handle.for_plan(&mut later), Access::Without));
            assert!(matches!(handle.for_refresh(&mut later), Access::Without));
            assert!(later.items.is_empty(), "{first}: {later:?}");
            assert!(handle.get(&mut later).is_none());
            assert!(handle.clone().get(&mut later).is_none(), "clones share it");
            assert_eq!(
                summaries(&later),
                [
                    "No credentials to call the API",
                    "No credentials to call the API"
                ]
            );
        }
    }

    #[test]
    fn values_not_known_yet_are_no_plan_error_but_fail_the_first_refresh() {
        let handle = without(Unavailable::NotKnownYet);
        let mut diags = Diagnostics::new();
        assert!(matches!(handle.for_plan(&mut diags), Access::Without));
        assert!(diags.items.is_empty());
        assert!(matches!(handle.for_refresh(&mut diags), Access::Failed));
        assert!(matches!(handle.for_refresh(&mut diags), Access::Without));
        assert!(handle.get(&mut diags).is_none());
        assert_eq!(summaries(&diags), ["Why", "API not available yet"]);
    }

    #[test]
    fn a_provider_never_configured_plans_but_every_call_says_so() {
        let handle = ClientHandle::default();
        let mut diags = Diagnostics::new();
        assert!(matches!(handle.for_plan(&mut diags), Access::Without));
        assert!(handle.ready().is_none());
        assert!(diags.items.is_empty());
        assert!(matches!(handle.for_refresh(&mut diags), Access::Failed));
        assert!(handle.get(&mut diags).is_none());
        assert_eq!(
            summaries(&diags),
            ["Provider not configured", "Provider not configured"]
        );
    }
}
