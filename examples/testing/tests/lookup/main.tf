# A helper module for tests/apply.tftest.hcl: looks the module's objects up by name.

terraform {
  required_providers {
    spirl = {
      source = "spirl/spirl"
    }
  }
}

variable "trust_domain_name" {
  type = string
}

variable "realm_name" {
  type = string
}

variable "cluster_name" {
  type = string
}

data "spirl_trust_domain" "this" {
  domain_name = var.trust_domain_name
}

data "spirl_realm" "this" {
  trust_domain_id = data.spirl_trust_domain.this.id
  name            = var.realm_name
}

data "spirl_cluster" "this" {
  trust_domain_id = data.spirl_trust_domain.this.id
  name            = var.cluster_name
}
