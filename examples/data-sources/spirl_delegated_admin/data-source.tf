variable "trust_domain_id" {
  description = "The trust domain (td-…) the realm belongs to."
  type        = string
}

# Fails with an error naming the user when they do not administer the realm, so a plan can
# check that access is in place before it deploys.
data "spirl_delegated_admin" "by_user" {
  trust_domain_id = var.trust_domain_id
  realm_name      = "production"
  user_email      = "admin@example.com"
}

output "admin_assignment_id" {
  value = data.spirl_delegated_admin.by_user.assignment_id
}
