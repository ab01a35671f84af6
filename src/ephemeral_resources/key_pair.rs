//! The ephemeral `spirl_key_pair` (protocol 6.7, Terraform 1.10+ / OpenTofu 1.11+): the same key
//! pair as the resource, generated at each run and never written to plan or state, for
//! write-only arguments such as `helm_release`'s `set_wo`.

use tfplugin::{Diagnostics, EphemeralResource, Kind, Opened, Schema, async_trait};

use crate::resources::key_pair::KeyPairState;

/// The ephemeral `spirl_key_pair`.
pub struct EphemeralKeyPair;

#[async_trait]
impl EphemeralResource for EphemeralKeyPair {
    type State = KeyPairState;
    type Private = ();

    fn schema(&self) -> Schema {
        Schema::of::<KeyPairState>(Kind::Ephemeral).description(
            "Generates an ed25519 key pair at each run without storing it: the private key \
             never reaches the plan or the state. Feed it to write-only arguments (for example \
             `helm_release`'s `set_wo`). Needs Terraform 1.10+ or OpenTofu 1.11+.",
        )
    }

    async fn open(
        &self,
        diags: &mut Diagnostics,
        mut config: KeyPairState,
    ) -> Option<Opened<KeyPairState, ()>> {
        config.generate(diags)?;
        Some(Opened {
            result: config,
            private: None,
            renew_at: None,
        })
    }
}
