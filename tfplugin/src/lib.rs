//! `tfplugin`: the plugin side of Terraform's plugin protocol 6.
pub mod diag;
pub mod typed;
pub mod value;
