//! Managed resource types, one per file.

pub mod key_pair;

use tfplugin::provider::NamedResource;

use crate::provider::ClientHandle;

/// Every resource type the provider offers.
pub fn all(_client: &ClientHandle) -> Vec<NamedResource> {
    vec![tfplugin::resource(
        "spirl_key_pair",
        key_pair::KeyPairResource,
    )]
}
