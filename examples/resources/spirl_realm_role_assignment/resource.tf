variable "trust_domain_id" {
  description = "The trust domain (td-…), for example spirl_trust_domain.example.id."
  type        = string
}

variable "realm_name" {
  description = "The realm's name, for example spirl_realm.production.name."
  type        = string
}

# A person administers the realm: the user must already be in the organisation.
resource "spirl_realm_role_assignment" "user_admin" {
  trust_domain_id = var.trust_domain_id
  realm_name      = var.realm_name
  role_name       = "Administrator"
  user_email      = "admin@example.com"
}

# So does the automation that deploys into it.
resource "spirl_realm_role_assignment" "sa_admin" {
  trust_domain_id      = var.trust_domain_id
  realm_name           = var.realm_name
  role_name            = "Administrator"
  service_account_name = "automation-sa"
}
