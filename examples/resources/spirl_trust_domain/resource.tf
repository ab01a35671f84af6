resource "spirl_trust_domain" "example" {
  domain_name = "example.org"
  description = "Production workloads"
}

# JWT-SVIDs issued under your own issuer URL instead of the control plane's.
resource "spirl_trust_domain" "custom_issuer" {
  domain_name     = "staging.example.org"
  jwt_issuer_mode = "custom"
  jwt_issuer      = "https://oidc.staging.example.org"
}
