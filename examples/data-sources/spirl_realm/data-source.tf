# Read a realm that another configuration manages, by its trust domain and name.
data "spirl_trust_domain" "my_domain" {
  domain_name = "example.org"
}

data "spirl_realm" "production" {
  trust_domain_id = data.spirl_trust_domain.my_domain.id
  name            = "production"
}

output "realm_id" {
  value = data.spirl_realm.production.id
}
