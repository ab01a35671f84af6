//! The provider's gRPC server driven directly, acting as Terraform core, for protocol features
//! the installed Terraform cannot or does not call.

mod ephemeral_key_pair;
mod schema_descriptions;
mod write_only_keys;
