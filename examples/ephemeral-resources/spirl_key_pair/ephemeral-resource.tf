# Terraform 1.10+ / OpenTofu 1.11+. A fresh key pair at each run that never reaches the plan or
# the state. All its values are ephemeral, so they can only feed ephemeral contexts such as
# write-only arguments (Terraform 1.11+): here the public key goes to the deployment's
# public_key_wo, and the private key to helm_release's set_wo (hashicorp/helm 3.x).
#
# A new pair is generated at every run: the deployment registers its public key through the
# write-only public_key_wo, and only when public_key_wo_version changes; the Helm release takes
# the private key when set_wo_revision changes. Change both together, in one apply.
ephemeral "spirl_key_pair" "server" {}

resource "spirl_trust_domain" "example" {
  domain_name = "example.org"
}

resource "spirl_trust_domain_deployment" "server" {
  trust_domain_id = spirl_trust_domain.example.id
  name            = "production"
  keys = {
    "key1" = {
      public_key_wo         = ephemeral.spirl_key_pair.server.public_key_pem
      public_key_wo_version = 1
    }
  }
}

resource "helm_release" "spirl_server" {
  name       = "spirl-server"
  repository = "oci://ghcr.io/spirl/charts"
  chart      = "spirl-server"

  set_wo = [
    {
      name  = "controlPlane.auth.key.pem"
      value = ephemeral.spirl_key_pair.server.private_key_pem
    },
  ]
  # Write-only values are not compared between runs: bump the revision to send a new key.
  set_wo_revision = 1

  set = [
    {
      name  = "controlPlane.auth.key.id"
      value = spirl_trust_domain_deployment.server.keys["key1"].id
    },
  ]
}
