# A trust domain managed elsewhere (another workspace, the Defakto console).
data "spirl_trust_domain" "shared" {
  domain_name = "example.org"
}

output "trust_domain_id" {
  value = data.spirl_trust_domain.shared.id
}

output "spiffe_bundle_endpoint" {
  value = data.spirl_trust_domain.shared.spiffe_bundle_endpoint
}
