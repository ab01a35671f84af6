resource "spirl_trust_domain" "example" {
  domain_name = "example.org"
}

resource "spirl_key_pair" "server" {}

resource "spirl_trust_domain_deployment" "example" {
  trust_domain_id = spirl_trust_domain.example.id
  name            = "production"
  keys = {
    "key1" = { public_key = spirl_key_pair.server.public_key_pem }
  }
}

# The trust-domain servers of this deployment keep their signing keys in AWS KMS.
resource "spirl_trust_domain_deployment_config" "example" {
  trust_domain_deployment_id = spirl_trust_domain_deployment.example.id

  sections = {
    KeyManager = <<-YAML
      section: KeyManager
      schema: v1
      spec:
        extensions:
          awsKMS:
            region: eu-central-1
    YAML
  }
}
