//! `tfplugin`: the plugin side of Terraform's plugin protocol 6 (being built).
