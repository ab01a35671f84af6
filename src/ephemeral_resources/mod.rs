//! Ephemeral resource types (Terraform 1.10+), one per file.

pub mod key_pair;

use tfplugin::provider::NamedEphemeralResource;

/// Every ephemeral resource type the provider offers.
pub fn all() -> Vec<NamedEphemeralResource> {
    vec![tfplugin::ephemeral_resource(
        "spirl_key_pair",
        key_pair::EphemeralKeyPair,
    )]
}
