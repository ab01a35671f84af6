//! `spirl_trust_domain_deployment`: a deployment of a trust domain's servers and the keys they
//! authenticate to the control plane with.
//!
//! On the real API a deployment exists only through its keys: registering the first key
//! (`CreateTrustDomainKey`) creates it, so `keys` needs at least one entry, and its id is read
//! back from `ListTrustDomainDeployments`. The `keys` map is authoritative: each entry is one
//! registered key, planned precisely (an untouched key keeps its known `id`; a new or re-keyed
//! entry's `id` is unknown), and keys registered out of band show up in the state under their
//! own id, so the next plan removes them. Public keys travel as DER and are compared as keys, not
//! as text: a PEM with other line endings is the same key. Refreshes share one
//! organisation-wide snapshot ([`DeploymentSnapshot`]).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use tfplugin::{
    Attr, Attribute, AttributePath, Diagnostics, Nesting, Plan, Resource, Schema, Value,
    async_trait,
};

use super::deployment_cache::{self, DeploymentSnapshot, RemoteDeployment};
use crate::client::assumptions::TRUST_DOMAIN_ID_PREFIX;
use crate::client::{ApiError, Client, ClientHandle, MAX_ID_LEN, has_id_shape};
use crate::diagnostics::{api_error, cleanup_failed};
use crate::keys::{PublicKey, parse_public_key_pem};
use crate::problem::quote;

/// Configuration and state of `spirl_trust_domain_deployment`.
#[derive(Serialize, Deserialize)]
pub struct DeploymentState {
    /// `tdd-…`.
    pub id: Attr<String>,
    /// The parent trust domain, `td-…`.
    pub trust_domain_id: Attr<String>,
    /// Unique within the trust domain.
    pub name: Attr<String>,
    /// The deployment's keys, by a name of the user's choosing.
    pub keys: Attr<BTreeMap<String, KeyState>>,
}

/// One entry of `keys`.
#[derive(Clone, Serialize, Deserialize)]
pub struct KeyState {
    /// `tdk-…`.
    pub id: Attr<String>,
    /// Ed25519 SPKI PEM.
    pub public_key: Attr<String>,
    /// Whether the control plane trusts the key.
    pub active: Attr<bool>,
}

/// The `spirl_trust_domain_deployment` resource.
pub struct TrustDomainDeployment {
    client: ClientHandle,
    snapshot: DeploymentSnapshot,
}

impl TrustDomainDeployment {
    /// The resource, calling the API through `client` once the provider is configured.
    pub fn new(client: &ClientHandle) -> Self {
        TrustDomainDeployment {
            client: client.clone(),
            snapshot: DeploymentSnapshot::default(),
        }
    }
}

#[async_trait]
impl Resource for TrustDomainDeployment {
    type State = DeploymentState;

    fn schema(&self) -> Schema {
        Schema::new()
            .description(
                "A deployment of a trust domain's self-hosted servers, and the ed25519 keys the \
                 servers authenticate to the control plane with. The control plane creates a \
                 deployment with its first key, so `keys` needs at least one entry. Changing \
                 `keys` updates the deployment in place: a new entry registers a key, a removed \
                 entry deletes it, `active` enables or disables it, and a changed `public_key` \
                 replaces that one key; new keys are registered before old ones are deleted. \
                 Keys registered outside Terraform appear under their own id and are removed by \
                 the next apply.\n\n\
                 Needs Terraform 1.0.6 or later: earlier 1.0.x releases crash on plans of \
                 `keys` (hashicorp/terraform#29473), so with them the plan stops with an error \
                 that says so.",
            )
            .attribute(
                Attribute::string("id")
                    .computed()
                    .use_state_for_unknown()
                    .description("The deployment id, `tdd-…`: the Helm release name and namespace in the ALB guide."),
            )
            .attribute(
                Attribute::string("trust_domain_id")
                    .required()
                    .requires_replace()
                    .description("The trust domain (`td-…`), usually `spirl_trust_domain.<name>.id`. Changing it replaces the deployment."),
            )
            .attribute(
                Attribute::string("name")
                    .required()
                    .requires_replace()
                    .description("The deployment name, unique within the trust domain: 1–63 lowercase letters, digits and `-`, starting with a letter. Changing it replaces the deployment."),
            )
            .attribute(
                Attribute::nested(
                    "keys",
                    Nesting::Map,
                    vec![
                        Attribute::string("id")
                            .computed()
                            .use_state_for_unknown()
                            .description("The key id, `tdk-…`: the server's `controlPlane.auth.key.id` Helm value."),
                        Attribute::string("public_key")
                            .required()
                            .description("The ed25519 public key as SPKI `PUBLIC KEY` PEM, for example `spirl_key_pair.<name>.public_key_pem`. Compared as a key, so line endings do not matter. Changing it replaces this key only."),
                        // Optional but not computed: Terraform before 1.0.6 panics on a map-nested
                        // attribute with more than one computed attribute (hashicorp/terraform#29473).
                        Attribute::bool("active")
                            .optional()
                            .description("Whether the control plane accepts the key. Unset means `true`."),
                    ],
                )
                .required()
                .description("The deployment's keys, by a name of your choosing (for example `key1`): at least one, since the control plane creates a deployment with its first key."),
            )
    }

    async fn validate(&self, diags: &mut Diagnostics, config: DeploymentState) -> Option<()> {
        if let Some(name) = config.name.known() {
            validate_name(diags, name);
        }
        if let Some(id) = config
            .trust_domain_id
            .known()
            .filter(|id| !has_id_shape(id, TRUST_DOMAIN_ID_PREFIX))
        {
            diags.error_at(
                AttributePath::root("trust_domain_id"),
                "Invalid trust domain id",
                format!(
                    "trust_domain_id is {}; a trust domain id looks like `td-` followed by \
                     1 to {MAX_ID_LEN} lowercase letters and digits. Use \
                     `spirl_trust_domain.<name>.id`.",
                    quote(id)
                ),
            );
        }
        if config.keys.known().is_some_and(BTreeMap::is_empty) {
            diags.error_at(
                AttributePath::root("keys"),
                "A deployment needs a key",
                "keys is empty. The control plane creates a deployment when its first key is \
                 registered and has no deployment without one: add at least one entry, for \
                 example `keys = { key1 = { public_key = spirl_key_pair.server.public_key_pem } }`.",
            );
        }
        for (key, entry) in config.keys.known().into_iter().flatten() {
            if let Some(Err(e)) = entry
                .public_key
                .known()
                .map(|pem| parse_public_key_pem(pem))
            {
                diags.error_at(
                    AttributePath::root("keys").key(key).attr("public_key"),
                    "Invalid deployment public key",
                    format!(
                        "keys[{key:?}].public_key is not an ed25519 public key in SPKI PEM: \
                         {e}. Use `spirl_key_pair.<name>.public_key_pem`, or the output of \
                         `openssl pkey -pubout` for an ed25519 private key."
                    ),
                );
            }
        }
        (!diags.has_errors()).then_some(())
    }

    async fn read(
        &self,
        diags: &mut Diagnostics,
        state: DeploymentState,
    ) -> Option<DeploymentState> {
        let client = self.client.get(diags)?;
        let (td, id) = (state.trust_domain_id.known()?, state.id.known()?);
        match self.snapshot.get(client, td, id).await {
            Ok(Some(remote)) => Some(state_from_remote(remote, state.keys.known())),
            Ok(None) => {
                log::info!(id = id.as_str(); "deployment is gone; removing it from the state");
                None
            }
            Err(err) => {
                api_error(diags, &err, None);
                None
            }
        }
    }

    async fn plan(&self, diags: &mut Diagnostics, plan: &mut Plan) -> Option<()> {
        if plan.is_destroy() {
            return Some(());
        }
        if let Some(version) = self
            .client
            .terraform_version()
            .filter(|v| version_before(v, (1, 0, 6)))
        {
            // Terraform 1.0.0–1.0.5 crash ("value is not an object") validating any plan of a
            // map-nested attribute with a computed attribute inside, as `keys[…].id` is.
            diags.error_at(
                AttributePath::root("keys"),
                "Terraform 1.0.6 or later required",
                format!(
                    "spirl_trust_domain_deployment needs Terraform 1.0.6 or later; this is \
                     Terraform {version}. Terraform 1.0.0 to 1.0.5 crash while checking the plan \
                     of a map of nested objects with computed attributes, such as `keys` \
                     (hashicorp/terraform#29473, fixed in 1.0.6). Upgrade Terraform; the other \
                     spirl resources work with {version}."
                ),
            );
            return None;
        }
        if !plan.is_update() {
            return Some(());
        }
        let keys = AttributePath::root("keys");
        let Some(Value::Map(planned)) = plan.planned_at(&keys).cloned() else {
            return Some(());
        };
        let prior = match plan.prior_at(&keys) {
            Some(Value::Map(prior)) => prior.clone(),
            _ => BTreeMap::new(),
        };
        fn id_of(entry: &Value) -> Option<&Value> {
            entry.get_attr("id").filter(|id| id.as_str().is_some())
        }
        fn pem_of(entry: &Value) -> Option<&str> {
            entry.get_attr("public_key").and_then(Value::as_str)
        }
        // The same key in other PEM text (line endings, wrapping) is no change: keep the text
        // the state has, so the plan shows none.
        for (name, entry) in &planned {
            if let (Some(new), Some(old)) = (pem_of(entry), prior.get(name).and_then(pem_of))
                && new != old
                && same_key(new, old)
            {
                plan.set_planned(&keys.clone().key(name).attr("public_key"), old.to_owned());
            }
        }
        let Some(Value::Map(planned)) = plan.planned_at(&keys).cloned() else {
            return Some(());
        };
        let registered: BTreeMap<&str, &str> = prior
            .iter()
            .filter(|(_, prev)| id_of(prev).is_some())
            .filter_map(|(name, prev)| Some((name.as_str(), pem_of(prev)?)))
            .collect();
        let wanted: BTreeMap<&str, Option<&str>> = planned
            .iter()
            .map(|(name, entry)| (name.as_str(), pem_of(entry)))
            .collect();
        let assigned = assign_registrations(&registered, &wanted);
        for name in planned.keys() {
            let id_path = keys.clone().key(name).attr("id");
            match assigned
                .get(name.as_str())
                .and_then(|from| id_of(&prior[*from]))
            {
                Some(id) => plan.set_planned(&id_path, id.clone()),
                None => plan.set_unknown(&id_path),
            };
        }
        Some(())
    }

    async fn create(
        &self,
        diags: &mut Diagnostics,
        planned: DeploymentState,
        _config: DeploymentState,
    ) -> Option<DeploymentState> {
        let client = self.client.get(diags)?;
        let td = planned.trust_domain_id.known()?.clone();
        let name = planned.name.known()?.clone();
        let wanted = planned.keys.into_known().unwrap_or_default();
        // Registering a key into an existing deployment would silently take it over: the API
        // has no create that could refuse, so look first.
        match deployment_cache::find(client, &td, |d| d.name == name).await {
            Ok(None) => {}
            Ok(Some(existing)) => {
                diags.error_at(
                    AttributePath::root("name"),
                    "Deployment already exists",
                    format!(
                        "Trust domain {td} already has a deployment named {} ({}). Import it \
                         instead of creating it: `terraform import \
                         spirl_trust_domain_deployment.<name> {td}/{name}`, or choose another \
                         name.",
                        quote(&name),
                        existing.deployment.id
                    ),
                );
                return None;
            }
            Err(err) => {
                api_error(diags, &err, Some(AttributePath::root("trust_domain_id")));
                return None;
            }
        }
        let mut keys = BTreeMap::new();
        let mut failure = None;
        for (key, entry) in &wanted {
            match register(client, &td, &name, entry).await {
                Ok(registered) => {
                    keys.insert(key.clone(), registered);
                }
                Err(err) => {
                    failure = Some((err, Some(AttributePath::root("keys").key(key))));
                    break;
                }
            }
        }
        self.snapshot.invalidate();
        let deployment = match failure {
            Some(failure) => Err(failure),
            // Only the id is missing: the keys are the ones just registered.
            None => match client
                .list_deployments(Some(&td))
                .await
                .map(|all| all.into_iter().find(|d| d.name == name))
            {
                Ok(Some(found)) => Ok(found),
                Ok(None) => Err((
                    ApiError::Decode(crate::client::ErrorContext {
                        operation: "create deployment",
                        method: "trustdomain.API/ListTrustDomainDeployments",
                        code: None,
                        message: format!(
                            "the keys were registered, but trust domain {td} lists no deployment named {name}"
                        ),
                        attempts: 1,
                    }),
                    None,
                )),
                Err(err) => Err((err, None)),
            },
        };
        match deployment {
            Ok(deployment) => Some(DeploymentState {
                id: Attr::Value(deployment.id),
                trust_domain_id: Attr::Value(td),
                name: Attr::Value(name),
                keys: Attr::Value(keys),
            }),
            Err((err, at)) => {
                api_error(diags, &err, at);
                // Nothing half-created: without the deployment in the state, Terraform would
                // never manage (or delete) what was registered so far.
                if !keys.is_empty()
                    && let Err(cleanup) = client.delete_deployment(&td, &name, true).await
                {
                    cleanup_failed(diags, &cleanup, "deployment", &format!("{td}/{name}"));
                }
                None
            }
        }
    }

    async fn update(
        &self,
        diags: &mut Diagnostics,
        prior: DeploymentState,
        planned: DeploymentState,
        _config: DeploymentState,
    ) -> Option<DeploymentState> {
        let client = self.client.get(diags)?;
        let td = prior.trust_domain_id.known()?.clone();
        let name = prior.name.known()?.clone();
        let mut old: BTreeMap<String, KeyState> = prior.keys.into_known().unwrap_or_default();
        let wanted = planned.keys.into_known().unwrap_or_default();
        let mut result = BTreeMap::new();
        let keys_path = AttributePath::root("keys");
        let assigned: BTreeMap<String, String> = {
            let registered: BTreeMap<&str, &str> = old
                .iter()
                .filter(|(_, prev)| prev.id.known().is_some())
                .filter_map(|(name, prev)| Some((name.as_str(), prev.public_key.known()?.as_str())))
                .collect();
            let entries: BTreeMap<&str, Option<&str>> = wanted
                .iter()
                .map(|(name, entry)| (name.as_str(), entry.public_key.known().map(String::as_str)))
                .collect();
            assign_registrations(&registered, &entries)
                .into_iter()
                .map(|(to, from)| (to.to_owned(), from.to_owned()))
                .collect()
        };

        // Keys that stay as they are, or only flip `active`; then new and re-keyed entries,
        // registered before anything is deleted, so a rotation never leaves the deployment
        // without a key. A public key moving to another entry keeps its registration.
        let mut order: Vec<(&String, &KeyState)> = wanted.iter().collect();
        // Stable: the kept entries first, each group in name order.
        order.sort_by_key(|(name, _)| assigned.get(*name) != Some(*name));
        let mut outcome = Some(());
        for (entry_name, entry) in order {
            let registered = match assigned.get(entry_name).and_then(|from| old.remove(from)) {
                Some(mut kept) => {
                    let path = keys_path.clone().key(entry_name).attr("active");
                    if set_active(client, diags, &td, &mut kept, entry, path)
                        .await
                        .is_none()
                    {
                        outcome = None;
                        break;
                    }
                    kept
                }
                None => match register(client, &td, &name, entry).await {
                    Ok(k) => k,
                    Err(err) => {
                        api_error(diags, &err, Some(keys_path.clone().key(entry_name)));
                        outcome = None;
                        break;
                    }
                },
            };
            result.insert(entry_name.clone(), registered);
        }

        // What is left was removed from the configuration, or re-keyed.
        if outcome.is_some() {
            for (entry_name, prev) in &old {
                if let Some(key_id) = prev.id.known()
                    && let Err(err) = client.delete_key(&td, key_id, true).await
                {
                    api_error(diags, &err, Some(keys_path.clone().key(entry_name)));
                    outcome = None;
                    break;
                }
            }
        }
        self.snapshot.invalidate();
        if outcome.is_none() {
            // A partial update still says what exists now, so nothing registered is lost from
            // the state: the keys done so far, and the old ones not yet deleted (by their id).
            for (_, prev) in old {
                if let Some(id) = prev.id.known().cloned() {
                    result.entry(id).or_insert(prev);
                }
            }
        }
        let state = DeploymentState {
            id: prior.id,
            trust_domain_id: Attr::Value(td),
            name: Attr::Value(name),
            keys: Attr::Value(result),
        };
        outcome.map(|()| state)
    }

    async fn delete(&self, diags: &mut Diagnostics, prior: DeploymentState) -> Option<()> {
        let client = self.client.get(diags)?;
        let (td, name) = (prior.trust_domain_id.known()?, prior.name.known()?);
        // The keys belong to the deployment: they go with it (force: active ones too).
        let result = client.delete_deployment(td, name, true).await;
        self.snapshot.invalidate();
        match result {
            Ok(()) => Some(()),
            Err(err) => {
                api_error(diags, &err, None);
                None
            }
        }
    }

    async fn import(&self, diags: &mut Diagnostics, id: String) -> Option<DeploymentState> {
        let client = self.client.get(diags)?;
        let Some((td, name)) = id
            .split_once('/')
            .filter(|(td, n)| has_id_shape(td, TRUST_DOMAIN_ID_PREFIX) && !n.is_empty())
        else {
            diags.error(
                "Invalid import id",
                format!(
                    "{} is not `<trust domain id>/<deployment name>`. Import a deployment with \
                     `terraform import spirl_trust_domain_deployment.<name> td-…/<deployment name>`.",
                    quote(&id)
                ),
            );
            return None;
        };
        match deployment_cache::find(client, td, |d| d.name == name).await {
            Ok(Some(remote)) => Some(state_from_remote(remote, None)),
            Ok(None) => {
                diags.error(
                    "Deployment not found",
                    format!(
                        "Trust domain {td} has no deployment named {}. Check the names with \
                         `spirlctl trust-domain deployment list`.",
                        quote(name)
                    ),
                );
                None
            }
            Err(err) => {
                api_error(diags, &err, None);
                None
            }
        }
    }
}

/// A public key PEM in a form that compares as the key: its DER in base64, or the text itself
/// when it does not parse (validation reports that).
fn normalized(pem: &str) -> String {
    match parse_public_key_pem(pem) {
        Ok(key) => {
            use base64::Engine as _;
            base64::engine::general_purpose::STANDARD.encode(key.to_spki_der())
        }
        Err(_) => pem.to_owned(),
    }
}

/// Whether two PEM texts hold the same public key.
fn same_key(a: &str, b: &str) -> bool {
    normalized(a) == normalized(b)
}

/// Which registration each wanted `keys` entry ends up with: the one rule `plan` and `update`
/// share, so the plan says what apply does. An entry whose public key is unchanged keeps its own
/// registration. Then, in name order, an entry takes over the first registration (in name order)
/// with its public key that no entry kept: a renamed entry, or keys named by id after an import.
/// Entries with an unknown public key (`None`) and the rest are new keys. Public keys compare as
/// keys ([`normalized`]), not as PEM text.
///
/// `registered` maps prior entry names with an id to their public keys; the result maps wanted
/// entry names to the prior entry name whose registration they take.
fn assign_registrations<'a>(
    registered: &BTreeMap<&'a str, &str>,
    wanted: &BTreeMap<&'a str, Option<&str>>,
) -> BTreeMap<&'a str, &'a str> {
    let registered: BTreeMap<&'a str, String> = registered
        .iter()
        .map(|(name, pem)| (*name, normalized(pem)))
        .collect();
    let wanted: BTreeMap<&'a str, Option<String>> = wanted
        .iter()
        .map(|(name, pem)| (*name, pem.map(normalized)))
        .collect();
    let mut assigned: BTreeMap<&'a str, &'a str> = wanted
        .iter()
        .filter(|(name, key)| key.is_some() && registered.get(*name) == key.as_ref())
        .map(|(name, _)| (*name, *name))
        .collect();
    let mut free: Vec<(&'a str, &String)> = registered
        .iter()
        .filter(|(name, _)| !assigned.contains_key(*name))
        .map(|(name, key)| (*name, key))
        .collect();
    for (name, key) in &wanted {
        let Some(key) = key else { continue };
        if assigned.contains_key(name) {
            continue;
        }
        if let Some(i) = free.iter().position(|(_, k)| *k == key) {
            assigned.insert(*name, free.remove(i).0);
        }
    }
    assigned
}

fn version_before(version: &str, min: (u64, u64, u64)) -> bool {
    let mut parts = version
        .split(['.', '-', '+'])
        .map(|p| p.parse::<u64>().unwrap_or(0));
    let v = (
        parts.next().unwrap_or(0),
        parts.next().unwrap_or(0),
        parts.next().unwrap_or(0),
    );
    v < min
}

/// What `active` means: unset is active.
fn effective(active: &Attr<bool>) -> bool {
    active.known().copied().unwrap_or(true)
}

/// Makes the registered key `kept` as active as `wanted` says (one call when they differ), and
/// records the configured form of `active` in `kept`; `None` after reporting a failure at `path`.
async fn set_active(
    client: &Client,
    diags: &mut Diagnostics,
    td: &str,
    kept: &mut KeyState,
    wanted: &KeyState,
    path: AttributePath,
) -> Option<()> {
    let flip = effective(&kept.active) != effective(&wanted.active);
    if let Some(key_id) = kept.id.known().filter(|_| flip) {
        let result = if effective(&wanted.active) {
            client.enable_key(td, key_id).await
        } else {
            client.disable_key(td, key_id).await
        };
        if let Err(err) = result {
            api_error(diags, &err, Some(path));
            return None;
        }
    }
    kept.active = wanted.active.clone();
    Some(())
}

/// Registers one key (created active; disabled after when the entry says so).
async fn register(
    client: &Client,
    td: &str,
    deployment: &str,
    entry: &KeyState,
) -> Result<KeyState, ApiError> {
    let pem = entry.public_key.known().cloned().unwrap_or_default();
    let der = match parse_public_key_pem(&pem) {
        Ok(key) => key.to_spki_der(),
        // Validation refused it already; let the control plane say so if it comes to that.
        Err(_) => pem.as_bytes().to_vec(),
    };
    let id = client.create_key(td, deployment, &der).await?;
    if !effective(&entry.active) {
        client.disable_key(td, &id).await?;
    }
    Ok(KeyState {
        id: Attr::Value(id),
        // Keep the configured text: the control plane stores the key, not the text.
        public_key: entry.public_key.clone(),
        active: entry.active.clone(),
    })
}

/// The state for what the control plane holds, naming keys as `known` did (by key id) and
/// keys registered out of band by their id.
fn state_from_remote(
    remote: RemoteDeployment,
    known: Option<&BTreeMap<String, KeyState>>,
) -> DeploymentState {
    let mut keys = BTreeMap::new();
    for k in remote.keys {
        let remote_pem = PublicKey::from_spki_der(&k.public_key_der)
            .map(|key| key.to_pem())
            .unwrap_or_default();
        let mine = known.and_then(|m| {
            m.iter()
                .find(|(_, s)| s.id.known() == Some(&k.id))
                .map(|(n, s)| (n.clone(), s.public_key.clone(), s.active.clone()))
        });
        let (name, public_key, active) = match mine {
            // Keep the configured text while it holds the registered key; a key replaced out of
            // band shows as the registered one.
            Some((name, Attr::Value(text), active)) if same_key(&text, &remote_pem) => {
                (name, Attr::Value(text), active)
            }
            Some((name, _, active)) => (name, Attr::Value(remote_pem), active),
            None => (k.id.clone(), Attr::Value(remote_pem), Attr::Value(k.active)),
        };
        // Keep how the configuration said it (unset = active) unless the remote differs.
        let active = if effective(&active) == k.active {
            active
        } else {
            Attr::Value(k.active)
        };
        keys.insert(
            name,
            KeyState {
                id: Attr::Value(k.id),
                public_key,
                active,
            },
        );
    }
    DeploymentState {
        id: Attr::Value(remote.deployment.id),
        trust_domain_id: Attr::Value(remote.deployment.trust_domain_id),
        name: Attr::Value(remote.deployment.name),
        keys: Attr::Value(keys),
    }
}

fn validate_name(diags: &mut Diagnostics, name: &str) {
    let problem = if name.is_empty() {
        Some("it is empty".to_owned())
    } else if name.len() > 63 {
        Some(format!(
            "it is {} characters long; the limit is 63",
            name.len()
        ))
    } else if !name.starts_with(|c: char| c.is_ascii_lowercase()) {
        Some("it must start with a lowercase letter".to_owned())
    } else if name.ends_with('-') {
        Some("it must not end with `-`".to_owned())
    } else {
        name.chars()
            .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-'))
            .map(|c| format!("{c:?} is not allowed"))
    };
    if let Some(why) = problem {
        diags.error_at(
            AttributePath::root("name"),
            "Invalid deployment name",
            format!(
                "name is {}: {why}. Use 1–63 lowercase letters, digits and `-`, starting with a \
                 letter, for example \"production\".",
                quote(name)
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assign<'a>(
        registered: &[(&'a str, &'a str)],
        wanted: &[(&'a str, Option<&'a str>)],
    ) -> Vec<(&'a str, &'a str)> {
        let registered = registered.iter().copied().collect();
        let wanted = wanted.iter().copied().collect();
        assign_registrations(&registered, &wanted)
            .into_iter()
            .collect()
    }

    #[test]
    fn assign_registrations_keeps_unchanged_entries_and_moves_renamed_keys() {
        let registered = [("key1", "A"), ("key2", "B")];
        // Unchanged, then key2 renamed to key3, and a new key4.
        assert_eq!(
            assign(
                &registered,
                &[
                    ("key1", Some("A")),
                    ("key3", Some("B")),
                    ("key4", Some("C"))
                ]
            ),
            [("key1", "key1"), ("key3", "key2")]
        );
        // Keys swapped between entries: each takes the other's registration.
        assert_eq!(
            assign(&registered, &[("key1", Some("B")), ("key2", Some("A"))]),
            [("key1", "key2"), ("key2", "key1")]
        );
        // Keys named by id after an import take the configuration's names.
        assert_eq!(
            assign(&[("tdk-1", "A")], &[("key1", Some("A"))]),
            [("key1", "tdk-1")]
        );
    }

    #[test]
    fn assign_registrations_unknown_or_repeated_keys_are_new() {
        // A public key unknown in the plan (a key pair being replaced) is a new key.
        assert_eq!(assign(&[("key1", "A")], &[("key1", None)]), []);
        // One registration serves one entry: the first in name order.
        assert_eq!(
            assign(&[("old", "A")], &[("a", Some("A")), ("b", Some("A"))]),
            [("a", "old")]
        );
        // A kept entry's registration is not given to another one.
        assert_eq!(
            assign(
                &[("key1", "A")],
                &[("key0", Some("A")), ("key1", Some("A"))]
            ),
            [("key1", "key1")]
        );
    }

    #[test]
    fn terraform_versions_compare_numerically() {
        assert!(version_before("1.0.3", (1, 0, 6)));
        assert!(version_before("0.15.5", (1, 0, 6)));
        assert!(!version_before("1.0.6", (1, 0, 6)));
        assert!(!version_before("1.0.10", (1, 0, 6)));
        assert!(!version_before("1.11.4", (1, 0, 6)));
        assert!(!version_before("1.1.0-beta1", (1, 0, 6)));
    }
}
