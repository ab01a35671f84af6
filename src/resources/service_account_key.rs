//! `spirl_service_account_key`: an ed25519 public key a service account signs in with
//! (`access.API`). Only the public key travels; its private key stays with whoever holds it.
//!
//! The key is given in the state (`public_key`) or write-only (`public_key_wo` with
//! `public_key_wo_version`, Terraform 1.11+), as deployment keys are
//! ([`super::key_input`]); the state keeps the registered key's fingerprint either way. The API
//! cannot change a key's public key, so a different key replaces the resource: for
//! `public_key`, a different key (not different PEM text); for `public_key_wo`, a new
//! `public_key_wo_version`. `active` changes in place (`UpdateServiceAccountKeyStatus`). An
//! imported key comes in as `public_key` (the API returns it): the same key in the
//! configuration plans no change, and a configuration with `public_key_wo` replaces it, since
//! Terraform never had its private key to hand on.

use serde::{Deserialize, Serialize};
use tfplugin::{
    Attr, Change, Diagnostics, Kind, Model, Number, Read, Resource, Schema, async_trait,
};

use super::ids::id;
use super::key_input::{KeyInput, check_version, fingerprint, fingerprint_der};
use crate::client::assumptions::{SERVICE_ACCOUNT_ID_PREFIX, SERVICE_ACCOUNT_KEY_ID_PREFIX};
use crate::client::{ApiError, ClientHandle, ReadBack, ServiceAccountKey, has_id_shape};
use crate::diagnostics;
use crate::keys::{PublicKey, PublicKeyPem, parse_public_key_pem};
use crate::problem::quote;

/// Configuration and state of `spirl_service_account_key`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Model)]
pub struct ServiceAccountKeyState {
    /// The key's id, `sak-…`: what a client signs in with, such as the provider's `sa_key_id`
    /// (or `SPIRL_SA_KEY_ID`) in another workspace or a CI pipeline.
    #[tf(computed, keep)]
    pub id: Attr<String>,
    /// The id of the service account the key belongs to (`sa-…`), usually
    /// `spirl_service_account.<name>.id`. Changing it replaces the key.
    #[tf(required, replace, check = id(SERVICE_ACCOUNT_ID_PREFIX, "service account",
        "`spirl_service_account.<name>.id` or `data.spirl_service_account.<name>.id`"))]
    pub service_account_id: Attr<String>,
    /// The ed25519 public key as SPKI `PUBLIC KEY` PEM, for example
    /// `spirl_key_pair.<name>.public_key_pem`; stored in the state. Compared as a key, so line
    /// endings and text around the PEM block do not matter; another key replaces this one. Set
    /// exactly one of `public_key` and `public_key_wo`.
    #[tf(optional)]
    pub public_key: Attr<PublicKeyPem>,
    /// The ed25519 public key as SPKI `PUBLIC KEY` PEM, write-only: Terraform never stores it in
    /// the plan or the state, so it can come from an ephemeral value, such as
    /// `ephemeral.spirl_key_pair.<name>.public_key_pem`, whose private key then goes straight
    /// to where it is used (a CI secret store) through another write-only argument. It is
    /// registered when the key is created and whenever `public_key_wo_version` changes;
    /// otherwise its value is not compared. Needs Terraform 1.11 or later. Set exactly one of
    /// `public_key` and `public_key_wo`.
    // Not sensitive: a public key, which Terraform never shows anyway.
    #[tf(optional, write_only)]
    pub public_key_wo: Attr<String>,
    /// A number of your choosing that goes with `public_key_wo`: change it (for example
    /// increment it) to replace the key with the one `public_key_wo` holds now. With
    /// `create_before_destroy`, the new key is registered before the old one is deleted.
    #[tf(optional, check = check_version)]
    pub public_key_wo_version: Attr<Number>,
    /// Whether the key may sign in; `true` by default. Changing it turns the key on or off in
    /// place: a key turned off cannot sign in (rotate by turning the old key off first, and
    /// delete it once nothing uses it).
    #[tf(default = true)]
    pub active: Attr<bool>,
    /// The SHA-256 fingerprint of the registered key, `SHA256:` and unpadded base64 as
    /// `ssh-keygen -l` prints it (the same as `spirl_key_pair`'s
    /// `public_key_fingerprint_sha256`), read back from the control plane: how the state tells
    /// a `public_key_wo` key apart without holding it.
    #[tf(computed)]
    pub fingerprint_sha256: Attr<String>,
    /// When the key was registered (RFC 3339, UTC).
    #[tf(computed, keep)]
    pub created_at: Attr<String>,
}

impl ServiceAccountKeyState {
    /// The key input's attributes, for the shared checks.
    fn key_input(&self) -> KeyInput<'_> {
        let at = Self::paths();
        KeyInput {
            subject: "spirl_service_account_key",
            what: "service account",
            whole: at.public_key.clone(),
            public_key: (at.public_key, self.public_key.known().map(|p| p.as_str())),
            public_key_set: !self.public_key.is_null(),
            public_key_wo: (
                at.public_key_wo,
                self.public_key_wo.known().map(String::as_str),
            ),
            public_key_wo_set: !self.public_key_wo.is_null(),
            version_set: (!self.public_key_wo_version.is_null())
                .then_some(at.public_key_wo_version),
        }
    }

    /// This state with what the control plane says of the key: its id, account, status,
    /// fingerprint and creation time. The key input is the state's.
    fn with_remote(mut self, key: ServiceAccountKey) -> Self {
        self.id = Attr::Value(key.id);
        self.service_account_id = Attr::Value(key.service_account_id);
        self.active = Attr::Value(key.active);
        self.fingerprint_sha256 = Attr::Value(fingerprint_der(&key.public_key_der));
        self.created_at = Attr::Value(key.created_at);
        self.public_key_wo = Attr::Null;
        self
    }
}

/// The `spirl_service_account_key` resource.
pub struct ServiceAccountKeyResource {
    client: ClientHandle,
}

impl ServiceAccountKeyResource {
    /// The resource, calling the API through `client` once the provider is configured.
    pub fn new(client: &ClientHandle) -> Self {
        ServiceAccountKeyResource {
            client: client.clone(),
        }
    }
}

/// Whether `config` registers another key than the one `prior` registered, so that the resource
/// is replaced.
fn key_changes(prior: &ServiceAccountKeyState, config: &ServiceAccountKeyState) -> bool {
    let registered = prior.fingerprint_sha256.known();
    match (&config.public_key, &config.public_key_wo) {
        (Attr::Value(pem), _) => fingerprint(pem.as_str()).as_ref() != registered,
        (Attr::Unknown, _) => true,
        (Attr::Null, wo) => {
            if let Some(was) = prior.public_key.known() {
                // From a stored key (or an import) to a write-only one: the same key is no
                // change; another is registered, and its private key handed on.
                let now = wo.known().and_then(|pem| fingerprint(pem));
                now.is_none() || now != fingerprint(was.as_str())
            } else {
                prior.public_key_wo_version != config.public_key_wo_version
            }
        }
    }
}

/// Reports a refused create at the attribute it concerns.
fn refused(diags: &mut Diagnostics, err: &ApiError, config: &ServiceAccountKeyState) {
    let at = ServiceAccountKeyState::paths();
    if err.is_not_found() {
        diagnostics::missing_reference(diags, err, at.service_account_id);
        return;
    }
    let key_at = if config.public_key.is_null() {
        at.public_key_wo
    } else {
        at.public_key
    };
    let fields = [
        ("pkix_pubkey", key_at),
        ("service_account_id", at.service_account_id),
    ];
    diagnostics::api_error_at_field(diags, err, &fields, None);
}

#[async_trait]
impl Resource for ServiceAccountKeyResource {
    type State = ServiceAccountKeyState;

    fn schema(&self) -> Schema {
        Schema::of::<ServiceAccountKeyState>(Kind::Resource).description(
            "A key of a service account: the ed25519 public key it signs in with (its id, \
             `sak-…`, is the `sa_key_id` a client uses). The control plane only ever sees the \
             public key. Give it in the state with `public_key` (from `spirl_key_pair`), or \
             write-only with `public_key_wo` and `public_key_wo_version` (Terraform 1.11+, \
             from the ephemeral `spirl_key_pair`), so that neither key of the pair is in the \
             plan or the state: the private key goes straight to the CI system's secret store \
             through that resource's write-only argument.\n\n\
             A different key replaces the resource. To rotate without a gap, set \
             `lifecycle { create_before_destroy = true }`: the new key is registered, its \
             private key stored where it is used, and only then is the old key deleted. \
             `active = false` turns a key off in place (it can no longer sign in). Import with \
             `terraform import spirl_service_account_key.<name> sak-…`: the key comes in as \
             `public_key`, so a configuration with the same `public_key` plans no change, and \
             one with `public_key_wo` replaces the key at the next apply (Terraform never had \
             its private key to hand on).",
        )
    }

    async fn validate(
        &self,
        diags: &mut Diagnostics,
        config: ServiceAccountKeyState,
    ) -> Option<()> {
        config.key_input().check(diags);
        Some(())
    }

    async fn read(
        &self,
        diags: &mut Diagnostics,
        state: ServiceAccountKeyState,
    ) -> Option<Read<ServiceAccountKeyState>> {
        let client = self.client.get(diags)?;
        let (account, id) = (state.service_account_id.known()?, state.id.known()?);
        let found = client.service_account_key(account, id).await.map(|found| {
            found.map(|key| {
                let remote = PublicKey::from_spki_der(&key.public_key_der);
                let mut read = state.clone().with_remote(key);
                // Another key registered under this id (out of band) shows as that key.
                if let (Some(pem), Ok(remote)) = (state.public_key.known(), remote)
                    && fingerprint(pem.as_str()).as_ref() != read.fingerprint_sha256.known()
                {
                    read.public_key = Attr::Value(remote.to_pem().into());
                }
                read
            })
        });
        super::refreshed(diags, "service account key", id, found)
    }

    async fn plan(
        &self,
        _diags: &mut Diagnostics,
        change: &mut Change<ServiceAccountKeyState>,
    ) -> Option<()> {
        let Some(prior) = change.prior.clone() else {
            // A new key: its fingerprint is known now only for a key in the configuration (a
            // write-only one is read when apply registers it).
            change.planned.fingerprint_sha256 = change
                .config
                .public_key
                .known()
                .and_then(|pem| fingerprint(pem.as_str()))
                .map_or(Attr::Unknown, Attr::Value);
            return Some(());
        };
        if key_changes(&prior, &change.config) {
            let at = ServiceAccountKeyState::paths();
            change.require_replace(if change.config.public_key.is_null() {
                at.public_key_wo_version
            } else {
                at.public_key
            });
            change.planned.fingerprint_sha256 = Attr::Unknown;
            change.planned.id = Attr::Unknown;
            change.planned.created_at = Attr::Unknown;
        } else {
            change.planned.fingerprint_sha256 = prior.fingerprint_sha256.clone();
        }
        Some(())
    }

    async fn create(
        &self,
        diags: &mut Diagnostics,
        planned: ServiceAccountKeyState,
        config: ServiceAccountKeyState,
    ) -> Option<ServiceAccountKeyState> {
        let client = self.client.get(diags)?;
        let account = planned.service_account_id.known()?.clone();
        // A write-only key is only in the configuration.
        let pem = match (config.public_key.known(), config.public_key_wo.known()) {
            (Some(pem), _) => pem.as_str().to_owned(),
            (None, Some(pem)) => pem.clone(),
            (None, None) => {
                config.key_input().check(diags);
                return None;
            }
        };
        let der = match parse_public_key_pem(&pem) {
            Ok(key) => key.to_spki_der(),
            Err(_) => {
                config.key_input().check(diags);
                return None;
            }
        };
        let id = match client.create_service_account_key(&account, &der).await {
            Ok(id) => id,
            Err(e) => {
                refused(diags, &e, &config);
                return None;
            }
        };
        log::info!(id = id.as_str(), service_account = account.as_str(); "created service account key");
        let read_back = client
            .read_back_or_remove(
                ReadBack::service_account_key(&id),
                client.service_account_key(&account, &id),
                client.delete_service_account_key(&id),
            )
            .await;
        let key = diagnostics::read_back(diags, read_back, &[])?;
        let made = planned.clone().with_remote(key);
        if planned.active.known() == Some(&false) {
            // Registered keys start active; what exists is recorded even if turning it off fails.
            if let Err(e) = client.set_service_account_key_active(&id, false).await {
                diagnostics::api_error(diags, &e, Some(ServiceAccountKeyState::paths().active));
                return Some(made);
            }
            return Some(ServiceAccountKeyState {
                active: Attr::Value(false),
                ..made
            });
        }
        Some(made)
    }

    async fn update(
        &self,
        diags: &mut Diagnostics,
        prior: ServiceAccountKeyState,
        planned: ServiceAccountKeyState,
        _config: ServiceAccountKeyState,
    ) -> Option<ServiceAccountKeyState> {
        let client = self.client.get(diags)?;
        let id = prior.id.known()?.clone();
        let active = planned.active.known().copied().unwrap_or(true);
        if prior.active.known() != Some(&active) {
            if let Err(e) = client.set_service_account_key_active(&id, active).await {
                diagnostics::api_error(diags, &e, Some(ServiceAccountKeyState::paths().active));
                return None;
            }
            log::info!(id = id.as_str(), active; "changed service account key status");
        }
        // The key input is recorded as planned (an adopted or respelled key sends nothing).
        Some(ServiceAccountKeyState {
            public_key_wo: Attr::Null,
            ..planned
        })
    }

    async fn delete(&self, diags: &mut Diagnostics, prior: ServiceAccountKeyState) -> Option<()> {
        let client = self.client.get(diags)?;
        let id = prior.id.known()?;
        match client.delete_service_account_key(id).await {
            Ok(()) => Some(()),
            Err(e) => {
                diagnostics::api_error(diags, &e, None);
                None
            }
        }
    }

    async fn import(&self, diags: &mut Diagnostics, id: String) -> Option<ServiceAccountKeyState> {
        let client = self.client.get(diags)?;
        let wanted = id.trim();
        if !has_id_shape(wanted, SERVICE_ACCOUNT_KEY_ID_PREFIX) {
            diags.error(
                "Cannot import service account key",
                format!(
                    "{} is not a service account key id. `terraform import` takes the key's id, \
                     `sak-…` (`spirlctl iam service-account key list`).",
                    quote(wanted)
                ),
            );
            return None;
        }
        // The key comes in as `public_key`: a configuration with the same key plans no
        // change; one with `public_key_wo` replaces it (Terraform never had its private key).
        let found = client.find_service_account_key(wanted).await.map(|key| {
            key.map(|key| {
                let pem = PublicKey::from_spki_der(&key.public_key_der)
                    .map(|k| Attr::Value(k.to_pem().into()))
                    .unwrap_or(Attr::Null);
                ServiceAccountKeyState {
                    public_key: pem,
                    ..ServiceAccountKeyState::default()
                }
                .with_remote(key)
            })
        });
        super::imported(diags, "service account key", found, || {
            format!(
                "No service account has a key with the id {}. Check the id (`spirlctl iam \
                 service-account key list`), and that the provider points at the right control \
                 plane.",
                quote(wanted)
            )
        })
    }
}
