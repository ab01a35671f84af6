resource "spirl_trust_domain" "payments" {
  domain_name = "payments.example.com"
}

resource "spirl_trust_domain" "partner" {
  domain_name = "partner.example.com"
}

# Workloads of payments.example.com accept SVIDs of partner.example.com: the control plane
# fetches the partner's bundle from its SPIFFE bundle endpoint.
resource "spirl_federation_link" "payments_trusts_partner" {
  trust_domain_id           = spirl_trust_domain.payments.id
  foreign_trust_domain_name = spirl_trust_domain.partner.domain_name
  endpoint_url              = spirl_trust_domain.partner.spiffe_bundle_endpoint
}
