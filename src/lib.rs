//! `terraform-provider-spirl`: a Terraform provider for the Defakto (formerly SPIRL)
//! workload-identity control plane.
//!
//! The provider itself lands with its issue; today this crate only anchors the workspace,
//! whose other members are the plugin-protocol layer (`tfplugin/`) and the mock
//! control-plane API (`mock-api/`). See `DESIGN.md` in the shared folder for the contract.
