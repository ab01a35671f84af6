//! `spirl_trust_domain_deployment`: a deployment of a trust domain's servers and the keys they
//! authenticate to the control plane with.
//!
//! On the real API a deployment exists only through its keys: registering the first key
//! (`CreateTrustDomainKey`) creates it, so `keys` needs at least one entry, and its id is read
//! back from `ListTrustDomainDeployments`. The `keys` map is authoritative: each entry is one
//! registered key, planned precisely (an untouched key keeps its known `id`; a new or re-keyed
//! entry's `id` is unknown), and keys registered out of band show up in the state under their
//! own id, so the next plan removes them. Public keys travel as DER and are compared as keys, not
//! as text: a PEM with other line endings is the same key. Refreshes share the client's
//! organisation-wide snapshot ([`Client::refresh_deployment`]).
//!
//! An entry may give its key write-only (`public_key_wo`, Terraform 1.11+): only the
//! configuration holds it, so the entry's registration is tied to its name and
//! `public_key_wo_version` instead of the key, and the state keeps the registered key's
//! fingerprint, read back from the control plane, to notice a key replaced out of band.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use tfplugin::{
    Attr, AttributePath, Change, Diagnostics, Kind, Model, Number, Read, Resource, Schema,
    async_trait,
};

use super::ids::{not_empty, trust_domain_id};
use super::key_input::{KeyInput, check_version, fingerprint, fingerprint_der};
use crate::client::assumptions::TRUST_DOMAIN_ID_PREFIX;
use crate::client::{ApiError, Client, ClientHandle, ReadBack, RemoteDeployment, has_id_shape};
use crate::diagnostics::{api_error, cleanup_failed};
use crate::keys::{PublicKey, PublicKeyPem, parse_public_key_pem, same_public_key};
use crate::problem::quote;

/// Configuration and state of `spirl_trust_domain_deployment`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, Model)]
pub struct DeploymentState {
    /// The deployment id, `tdd-…`: the Helm release name and namespace in the ALB guide.
    #[tf(computed, keep)]
    pub id: Attr<String>,
    /// The trust domain (`td-…`), usually `spirl_trust_domain.<name>.id`. Changing it replaces
    /// the deployment.
    #[tf(required, replace, check = trust_domain_id())]
    pub trust_domain_id: Attr<String>,
    /// The deployment name, unique within the trust domain. Changing it replaces the deployment.
    // The SDK says a name is required, and nothing about its shape.
    #[tf(required, replace, check = not_empty("Invalid deployment name",
        "name is empty. Set it to the deployment's name, for example \"production\"."))]
    pub name: Attr<String>,
    /// The deployment's keys, by a name of your choosing (for example `key1`): at least one,
    /// since the control plane creates a deployment with its first key.
    #[tf(required, nested, check = check_keys)]
    pub keys: Attr<BTreeMap<String, KeyState>>,
}

/// One entry of `keys`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, Model)]
pub struct KeyState {
    /// The key id, `tdk-…`: the server's `controlPlane.auth.key.id` Helm value.
    #[tf(computed, keep)]
    pub id: Attr<String>,
    /// The ed25519 public key as SPKI `PUBLIC KEY` PEM, for example
    /// `spirl_key_pair.<name>.public_key_pem`; stored in the state. Compared as a key, so line
    /// endings and text around the PEM block do not matter. Changing it replaces this key only.
    /// Set exactly one of `public_key` and `public_key_wo`.
    #[tf(optional)]
    pub public_key: Attr<PublicKeyPem>,
    /// The ed25519 public key as SPKI `PUBLIC KEY` PEM, write-only: Terraform never stores it in
    /// the plan or the state, so it can come from an ephemeral value, such as
    /// `ephemeral.spirl_key_pair.<name>.public_key_pem`. It is registered when the entry is
    /// created and whenever `public_key_wo_version` changes; otherwise its value is not
    /// compared. Needs Terraform 1.11 or later. Set exactly one of `public_key` and
    /// `public_key_wo`.
    // Not sensitive: a public key, which Terraform never shows anyway.
    #[tf(optional, write_only)]
    pub public_key_wo: Attr<String>,
    /// A number of your choosing that goes with `public_key_wo`: change it (for example
    /// increment it) to register the key `public_key_wo` holds now in place of the registered
    /// one. The new key is registered before the old one is deleted.
    #[tf(optional, check = check_version)]
    pub public_key_wo_version: Attr<Number>,
    /// The SHA-256 fingerprint of the registered key, `SHA256:` and unpadded base64 as
    /// `ssh-keygen -l` prints it (the same as `spirl_key_pair`'s `public_key_fingerprint_sha256`),
    /// read back from the control plane: how the state tells a `public_key_wo` key apart
    /// without holding it.
    #[tf(computed)]
    pub public_key_fingerprint_sha256: Attr<String>,
    /// Whether the control plane accepts the key. Unset means `true`.
    // Optional but not computed, so that an entry is planned exactly from the configuration.
    #[tf(optional)]
    pub active: Attr<bool>,
}

/// The `spirl_trust_domain_deployment` resource.
pub struct TrustDomainDeployment {
    client: ClientHandle,
}

impl TrustDomainDeployment {
    /// The resource, calling the API through `client` once the provider is configured.
    pub fn new(client: &ClientHandle) -> Self {
        TrustDomainDeployment {
            client: client.clone(),
        }
    }
}

#[async_trait]
impl Resource for TrustDomainDeployment {
    type State = DeploymentState;

    fn schema(&self) -> Schema {
        Schema::of::<DeploymentState>(Kind::Resource).description(
            "A deployment of a trust domain's self-hosted servers, and the ed25519 keys the \
             servers authenticate to the control plane with. The control plane creates a \
             deployment with its first key, so `keys` needs at least one entry. Changing \
             `keys` updates the deployment in place: a new entry registers a key, a removed \
             entry deletes it, `active` enables or disables it, a changed `public_key` \
             replaces that one key, and so does a new `public_key_wo_version` for a key given \
             write-only (`public_key_wo`, Terraform 1.11+, never stored); new keys are \
             registered before old ones are deleted. \
             Keys registered outside Terraform appear under their own id and are removed by \
             the next apply.\n\n\
             Needs Terraform 1.0.6 or later: earlier 1.0.x releases crash on plans of \
             `keys` (hashicorp/terraform#29473), so with them the plan stops with an error \
             that says so.",
        )
    }

    async fn read(
        &self,
        diags: &mut Diagnostics,
        state: DeploymentState,
    ) -> Option<Read<DeploymentState>> {
        let client = self.client.get(diags)?;
        let (td, id) = (state.trust_domain_id.known()?, state.id.known()?);
        let found = client.refresh_deployment(td, id).await;
        let read = super::refreshed::<_, RemoteDeployment>(diags, "deployment", id, found)?;
        Some(read.map(|remote| state_from_remote(remote, state.keys.known())))
    }

    async fn plan(
        &self,
        diags: &mut Diagnostics,
        change: &mut Change<DeploymentState>,
    ) -> Option<()> {
        if let Some(version) = self
            .client
            .terraform_version()
            .filter(|v| version_before(v, (1, 0, 6)))
        {
            // Terraform 1.0.0–1.0.5 crash ("value is not an object") validating any plan of a
            // map-nested attribute with a computed attribute inside, as `keys[…].id` is.
            diags.error_at(
                DeploymentState::paths().keys.root,
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
        // (The same key in other PEM text is no change: the layer keeps the state's text.)
        let prior = change.prior.as_ref().and_then(|p| p.keys.known());
        let prior = prior.cloned().unwrap_or_default();
        let Some(planned) = change.planned.keys.known_mut() else {
            return Some(());
        };
        let assigned = assign_registrations(&registered(&prior), &wanted_registrations(planned));
        let assigned: BTreeMap<String, String> = assigned
            .into_iter()
            .map(|(to, from)| (to.to_owned(), from.to_owned()))
            .collect();
        for (name, entry) in planned.iter_mut() {
            let (id, fingerprint) = match assigned.get(name).map(|from| &prior[from]) {
                // (A state from before fingerprints has none until refreshed.)
                Some(kept) => (
                    kept.id.known().cloned(),
                    kept.public_key_fingerprint_sha256
                        .known()
                        .cloned()
                        .or_else(|| entry.public_key.known().and_then(|pem| fingerprint(pem))),
                ),
                // A new registration: its fingerprint is known now only for a key in the
                // configuration (a write-only one is read when apply registers it).
                None => (
                    None,
                    entry.public_key.known().and_then(|pem| fingerprint(pem)),
                ),
            };
            entry.id = id.map_or(Attr::Unknown, Attr::Value);
            entry.public_key_fingerprint_sha256 = fingerprint.map_or(Attr::Unknown, Attr::Value);
        }
        Some(())
    }

    async fn create(
        &self,
        diags: &mut Diagnostics,
        planned: DeploymentState,
        config: DeploymentState,
    ) -> Option<DeploymentState> {
        let client = self.client.get(diags)?;
        let td = planned.trust_domain_id.known()?.clone();
        let name = planned.name.known()?.clone();
        let wanted = planned.keys.into_known().unwrap_or_default();
        let configured = config.keys.into_known().unwrap_or_default();
        // Registering a key into an existing deployment would silently take it over: the API
        // has no create that could refuse, so look first.
        match client.find_deployment(&td, |d| d.name == name).await {
            Ok(None) => {}
            Ok(Some(existing)) => {
                diags.error_at(
                    DeploymentState::paths().name,
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
                api_error(diags, &err, Some(DeploymentState::paths().trust_domain_id));
                return None;
            }
        }
        let mut keys = BTreeMap::new();
        let mut failure = None;
        for (key, entry) in &wanted {
            match register(client, &td, &name, entry, configured.get(key)).await {
                Ok(registered) => {
                    keys.insert(key.clone(), registered);
                }
                Err(err) => {
                    failure = Some((err, Some(DeploymentState::paths().keys.key(key).root)));
                    break;
                }
            }
        }
        let fields = [("deployment_name", DeploymentState::paths().name)];
        if let Some((err, at)) = failure {
            crate::diagnostics::api_error_at_field(diags, &err, &fields, at);
            // Nothing half-created: without the deployment in the state, Terraform would never
            // manage (or delete) what was registered so far.
            if !keys.is_empty()
                && let Err(cleanup) = client.delete_deployment(&td, &name, true).await
            {
                cleanup_failed(diags, &cleanup, "deployment", &format!("{td}/{name}"));
            }
            return None;
        }
        // Only the id is missing: the keys are the ones just registered. A deployment that
        // cannot be read back is removed, for the same reason.
        let read = async {
            let all = client.list_deployments(Some(&td)).await?;
            Ok(all.into_iter().find(|d| d.name == name))
        };
        let read_back = client
            .read_back_or_remove(
                ReadBack::deployment(&td, &name),
                read,
                client.delete_deployment(&td, &name, true),
            )
            .await;
        let deployment = crate::diagnostics::read_back(diags, read_back, &fields)?;
        Some(DeploymentState {
            id: Attr::Value(deployment.id),
            trust_domain_id: Attr::Value(td),
            name: Attr::Value(name),
            keys: Attr::Value(keys),
        })
    }

    async fn update(
        &self,
        diags: &mut Diagnostics,
        prior: DeploymentState,
        planned: DeploymentState,
        config: DeploymentState,
    ) -> Option<DeploymentState> {
        let client = self.client.get(diags)?;
        let td = prior.trust_domain_id.known()?.clone();
        let name = prior.name.known()?.clone();
        let mut old: BTreeMap<String, KeyState> = prior.keys.into_known().unwrap_or_default();
        let wanted = planned.keys.into_known().unwrap_or_default();
        let configured = config.keys.into_known().unwrap_or_default();
        let mut result = BTreeMap::new();
        let keys_path = DeploymentState::paths().keys;
        let assigned: BTreeMap<String, String> =
            assign_registrations(&registered(&old), &wanted_registrations(&wanted))
                .into_iter()
                .map(|(to, from)| (to.to_owned(), from.to_owned()))
                .collect();

        // Keys that stay as they are, or only flip `active`; then new and re-keyed entries,
        // registered before anything is deleted, so a rotation never leaves the deployment
        // without a key. A public key moving to another entry keeps its registration.
        let mut order: Vec<(&String, &KeyState)> = wanted.iter().collect();
        // Stable: the kept entries first, each group in name order.
        order.sort_by_key(|(name, _)| assigned.get(*name) != Some(*name));
        let mut outcome = Some(());
        for (entry_name, entry) in order {
            let config_entry = configured.get(entry_name);
            // A new `public_key_wo_version` that brings the key already registered for the
            // entry keeps that registration: registering it again would fail, and deleting the
            // old one would delete it.
            let unchanged_key = || {
                let pem = config_entry?.public_key_wo.known()?;
                let prev = old.get(entry_name)?;
                (prev.id.known().is_some()
                    && !assigned.values().any(|from| from == entry_name)
                    && prev.public_key_fingerprint_sha256.known() == fingerprint(pem).as_ref())
                .then(|| entry_name.clone())
            };
            let keep = assigned.get(entry_name).cloned().or_else(unchanged_key);
            let registered = match keep.and_then(|from| old.remove(&from)) {
                Some(mut kept) => {
                    let path = keys_path.key(entry_name).active;
                    if set_active(client, diags, &td, &mut kept, entry, path)
                        .await
                        .is_none()
                    {
                        outcome = None;
                        break;
                    }
                    // The planned form of the entry, on the registration it keeps.
                    kept.public_key = entry.public_key.clone();
                    kept.public_key_wo_version = entry.public_key_wo_version.clone();
                    if kept.public_key_fingerprint_sha256.is_null()
                        && let Some(f) = entry.public_key.known().and_then(|pem| fingerprint(pem))
                    {
                        kept.public_key_fingerprint_sha256 = Attr::Value(f);
                    }
                    kept
                }
                None => match register(client, &td, &name, entry, config_entry).await {
                    Ok(k) => k,
                    Err(err) => {
                        api_error(diags, &err, Some(keys_path.key(entry_name).root));
                        outcome = None;
                        break;
                    }
                },
            };
            result.insert(entry_name.clone(), registered);
        }

        // What is left was removed from the configuration, or re-keyed.
        // Never one a new entry holds: a key registered again is adopted under its old id.
        let held: Vec<String> = result
            .values()
            .filter_map(|k| k.id.known().cloned())
            .collect();
        old.retain(|_, prev| prev.id.known().is_none_or(|id| !held.contains(id)));
        if outcome.is_some() {
            for (entry_name, prev) in &old {
                if let Some(key_id) = prev.id.known()
                    && let Err(err) = client.delete_key(&td, key_id, true).await
                {
                    api_error(diags, &err, Some(keys_path.key(entry_name).root));
                    outcome = None;
                    break;
                }
            }
        }
        if outcome.is_none() {
            // A partial update says what exists now, together with the error, and Terraform
            // records it, so nothing registered is lost from the state: the keys done so far,
            // and the old ones not yet deleted (by their id), which the next apply deletes.
            for (_, prev) in old {
                if let Some(id) = prev.id.known().cloned() {
                    result.entry(id).or_insert(prev);
                }
            }
        }
        Some(DeploymentState {
            id: prior.id,
            trust_domain_id: Attr::Value(td),
            name: Attr::Value(name),
            keys: Attr::Value(result),
        })
    }

    async fn delete(&self, diags: &mut Diagnostics, prior: DeploymentState) -> Option<()> {
        let client = self.client.get(diags)?;
        let (td, name) = (prior.trust_domain_id.known()?, prior.name.known()?);
        // The keys belong to the deployment: they go with it (force: active ones too).
        let result = client.delete_deployment(td, name, true).await;
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
        match client.find_deployment(td, |d| d.name == name).await {
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

/// What makes an entry's registration the one it had: its public key, compared as a key; for a
/// write-only key, which only the control plane holds, the entry's name and
/// `public_key_wo_version`. `None` when unknown in the plan: a new registration.
fn registration(name: &str, entry: &KeyState) -> Option<String> {
    match (&entry.public_key, &entry.public_key_wo_version) {
        (Attr::Value(pem), _) => Some(format!("key {}", normalized(pem))),
        (Attr::Unknown, _) | (Attr::Null, Attr::Unknown) => None,
        (Attr::Null, version) => Some(format!(
            "write-only {name:?} {:?}",
            version.known().and_then(Number::as_i64)
        )),
    }
}

/// The registrations `prior` holds, by entry name (entries with an id).
fn registered(prior: &BTreeMap<String, KeyState>) -> BTreeMap<&str, String> {
    prior
        .iter()
        .filter(|(_, prev)| prev.id.known().is_some())
        .filter_map(|(name, prev)| Some((name.as_str(), registration(name, prev)?)))
        .collect()
}

/// The registrations `planned` asks for, by entry name.
fn wanted_registrations(planned: &BTreeMap<String, KeyState>) -> BTreeMap<&str, Option<String>> {
    planned
        .iter()
        .map(|(name, entry)| (name.as_str(), registration(name, entry)))
        .collect()
}

/// Which registration each wanted `keys` entry ends up with: the one rule `plan` and `update`
/// share, so the plan says what apply does. An entry whose [`registration`] is unchanged keeps
/// its own. Then, in name order, an entry takes over the first registration (in name order) of
/// its public key that no entry kept: a renamed entry, or keys named by id after an import.
/// Entries with an unknown registration (`None`) and the rest are new keys.
///
/// `registered` maps prior entry names with an id to their registrations; the result maps
/// wanted entry names to the prior entry name whose registration they take.
fn assign_registrations<'a>(
    registered: &BTreeMap<&'a str, String>,
    wanted: &BTreeMap<&'a str, Option<String>>,
) -> BTreeMap<&'a str, &'a str> {
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
    for (name, key) in wanted {
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

/// Registers one key (created active; disabled after when the entry says so): the planned
/// entry's `public_key`, or else the write-only `public_key_wo`, which only the configuration
/// holds (`configured`, the entry as configured).
async fn register(
    client: &Client,
    td: &str,
    deployment: &str,
    entry: &KeyState,
    configured: Option<&KeyState>,
) -> Result<KeyState, ApiError> {
    let pem = entry
        .public_key
        .known()
        .map(|p| p.as_str())
        .or_else(|| configured?.public_key_wo.known().map(String::as_str))
        .unwrap_or_default();
    let der = match parse_public_key_pem(pem) {
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
        public_key_wo: Attr::Null,
        public_key_wo_version: entry.public_key_wo_version.clone(),
        public_key_fingerprint_sha256: Attr::Value(fingerprint_der(&der)),
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
        let remote_key = PublicKey::from_spki_der(&k.public_key_der).ok();
        let remote_pem = remote_key
            .as_ref()
            .map(PublicKey::to_pem)
            .unwrap_or_default();
        let remote_fingerprint = fingerprint_der(&k.public_key_der);
        let mine = known.and_then(|m| {
            m.iter()
                .find(|(_, s)| s.id.known() == Some(&k.id))
                .map(|(n, s)| (n.clone(), s.clone()))
        });
        let entry = match mine {
            // Keep the configured text while it holds the registered key; a key replaced out of
            // band shows as the registered one.
            Some((name, mut entry)) if !entry.public_key.is_null() => {
                if !entry
                    .public_key
                    .known()
                    .is_some_and(|text| same_public_key(text, &remote_pem))
                {
                    entry.public_key = Attr::Value(remote_pem.into());
                }
                (name, entry)
            }
            // A write-only key is known by its fingerprint: while the registration holds the key
            // registered, the entry stays; another key under its id is not the entry's.
            Some((name, entry))
                if entry
                    .public_key_fingerprint_sha256
                    .known()
                    .is_none_or(|f| *f == remote_fingerprint) =>
            {
                (name, entry)
            }
            _ => (
                k.id.clone(),
                KeyState {
                    id: Attr::Null,
                    public_key: Attr::Value(remote_pem.into()),
                    public_key_wo: Attr::Null,
                    public_key_wo_version: Attr::Null,
                    public_key_fingerprint_sha256: Attr::Null,
                    active: Attr::Value(k.active),
                },
            ),
        };
        let (name, mut entry) = entry;
        // Keep how the configuration said it (unset = active) unless the remote differs.
        if effective(&entry.active) != k.active {
            entry.active = Attr::Value(k.active);
        }
        entry.id = Attr::Value(k.id);
        entry.public_key_wo = Attr::Null;
        entry.public_key_fingerprint_sha256 = Attr::Value(remote_fingerprint);
        keys.insert(name, entry);
    }
    DeploymentState {
        id: Attr::Value(remote.deployment.id),
        trust_domain_id: Attr::Value(remote.deployment.trust_domain_id),
        name: Attr::Value(remote.deployment.name),
        keys: Attr::Value(keys),
    }
}

/// The declared check of `keys`: at least one entry, each with exactly one of `public_key` and
/// `public_key_wo`, each a key.
fn check_keys(keys: &BTreeMap<String, KeyState>, at: &AttributePath, diags: &mut Diagnostics) {
    if keys.is_empty() {
        diags.error_at(
            at.clone(),
            "A deployment needs a key",
            "keys is empty. The control plane creates a deployment when its first key is \
             registered and has no deployment without one: add at least one entry, for \
             example `keys = { key1 = { public_key = spirl_key_pair.server.public_key_pem } }`.",
        );
    }
    for (key, entry) in keys {
        check_key_entry(diags, key, entry);
    }
}

fn check_key_entry(diags: &mut Diagnostics, key: &str, entry: &KeyState) {
    let at = DeploymentState::paths().keys.key(key);
    KeyInput {
        subject: &format!("keys[{key:?}]"),
        what: "deployment",
        whole: at.root,
        public_key: (at.public_key, entry.public_key.known().map(|p| p.as_str())),
        public_key_set: !entry.public_key.is_null(),
        public_key_wo: (
            at.public_key_wo,
            entry.public_key_wo.known().map(String::as_str),
        ),
        public_key_wo_set: !entry.public_key_wo.is_null(),
        version_set: (!entry.public_key_wo_version.is_null()).then_some(at.public_key_wo_version),
    }
    .check(diags);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assign<'a>(
        registered: &[(&'a str, &'a str)],
        wanted: &[(&'a str, Option<&'a str>)],
    ) -> Vec<(&'a str, &'a str)> {
        let registered = registered
            .iter()
            .map(|(name, key)| (*name, key.to_string()))
            .collect();
        let wanted = wanted
            .iter()
            .map(|(name, key)| (*name, key.map(str::to_owned)))
            .collect();
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

    fn entry(public_key: Attr<PublicKeyPem>, version: Attr<Number>) -> KeyState {
        KeyState {
            id: Attr::Value("tdk-1".into()),
            public_key,
            public_key_wo: Attr::Null,
            public_key_wo_version: version,
            public_key_fingerprint_sha256: Attr::Null,
            active: Attr::Null,
        }
    }

    #[test]
    fn write_only_keys_keep_their_registration_until_their_version_changes() {
        let prior = BTreeMap::from([("k".to_owned(), entry(Attr::Null, Attr::Value(1.into())))]);
        let plan = |name: &str, public_key, version| {
            let planned = BTreeMap::from([(name.to_owned(), entry(public_key, version))]);
            assign_registrations(&registered(&prior), &wanted_registrations(&planned))
                .into_iter()
                .map(|(to, from)| (to.to_owned(), from.to_owned()))
                .collect::<Vec<_>>()
        };
        let kept = vec![("k".to_owned(), "k".to_owned())];
        assert_eq!(plan("k", Attr::Null, Attr::Value(1.into())), kept);
        // A new version, one not known yet, another entry name, or a key moved into the state:
        // each registers anew.
        assert_eq!(plan("k", Attr::Null, Attr::Value(2.into())), []);
        assert_eq!(plan("k", Attr::Null, Attr::Unknown), []);
        assert_eq!(plan("k", Attr::Null, Attr::Null), []);
        assert_eq!(plan("other", Attr::Null, Attr::Value(1.into())), []);
        assert_eq!(plan("k", Attr::Value("A".into()), Attr::Null), []);
        // Without a version, the entry keeps its registration as long as it stays write-only.
        let prior = BTreeMap::from([("k".to_owned(), entry(Attr::Null, Attr::Null))]);
        let planned = BTreeMap::from([("k".to_owned(), entry(Attr::Null, Attr::Null))]);
        assert_eq!(
            assign_registrations(&registered(&prior), &wanted_registrations(&planned)).len(),
            1
        );
    }

    #[test]
    fn state_written_before_write_only_keys_still_reads() {
        // The state of provider versions without public_key_wo: the new attributes read as
        // null, and the next refresh fills the fingerprint.
        let ty = TrustDomainDeployment::new(&ClientHandle::default())
            .schema()
            .value_type();
        let old = br#"{"id":"tdd-1","trust_domain_id":"td-1","name":"prod","keys":{"key1":{"id":"tdk-1","public_key":"PEM","active":null}}}"#;
        let v = tfplugin::Value::from_json(old, &ty).expect("old state reads");
        let keys: BTreeMap<String, KeyState> =
            tfplugin::typed::from_value(v.get_attr("keys").expect("keys")).expect("typed");
        let key = &keys["key1"];
        assert_eq!(key.public_key.known().map(|p| p.as_str()), Some("PEM"));
        assert!(key.public_key_wo_version.is_null() && key.public_key_fingerprint_sha256.is_null());
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
