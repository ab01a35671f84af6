resource "spirl_trust_domain" "example" {
  domain_name = "example.org"
}

resource "spirl_key_pair" "server" {}

resource "spirl_trust_domain_deployment" "example" {
  trust_domain_id = spirl_trust_domain.example.id
  name            = "production"
  keys = {
    # The key the trust-domain servers authenticate with.
    "key1" = {
      public_key = spirl_key_pair.server.public_key_pem
      active     = true
    }
  }
}

# The Helm release name and namespace of the trust-domain server. Its key's id, for the
# chart's controlPlane.auth.key.id, is spirl_trust_domain_deployment.example.keys["key1"].id.
output "deployment_id" {
  value = spirl_trust_domain_deployment.example.id
}
