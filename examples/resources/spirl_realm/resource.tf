resource "spirl_trust_domain" "my_domain" {
  domain_name = "example.org"
}

# Realms split a trust domain between teams: each team's clusters go in its realm.
resource "spirl_realm" "production" {
  trust_domain_id = spirl_trust_domain.my_domain.id
  name            = "production"
}

resource "spirl_realm" "staging" {
  trust_domain_id = spirl_trust_domain.my_domain.id
  name            = "staging"
}
