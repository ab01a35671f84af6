//! Acceptance tests: the real Terraform CLI against the built provider and a mock control plane
//! (run with `TF_ACC=1`; each test says it was skipped otherwise). One module per resource,
//! data source or concern.

mod alb_ingress_annotations;
mod cicd;
mod cluster;
mod config;
mod demo;
mod examples;
mod federation_link;
mod hostile_inputs;
mod key_pair;
mod logging;
mod migration;
mod provider;
mod provider_attestation_config;
mod provider_lifetime;
mod realm;
mod realm_role_assignment;
mod relaxed_rules;
mod release_mirror;
mod reliability;
mod reliability_access;
mod security;
mod seed_flow;
mod server_monitoring;
mod service_account;
mod spirlctl;
mod terraform_1_0;
mod terraform_test;
mod trust_domain;
mod trust_domain_deployment;
mod trust_domain_status;
mod write_only_keys;
