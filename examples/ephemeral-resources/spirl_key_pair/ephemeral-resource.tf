# Terraform 1.10+ / OpenTofu 1.11+. A fresh key pair at each run that never reaches the plan or
# the state. All its values are ephemeral, so they can only feed ephemeral contexts such as
# write-only arguments (Terraform 1.11+): here the private key goes to helm_release's set_wo.
#
# Because the public key is ephemeral too, spirl_trust_domain_deployment cannot register it in
# the same configuration, and a new pair is generated at every run. Use it where that fits;
# for the ALB guide's single-apply flow use the spirl_key_pair resource and protect the state.
ephemeral "spirl_key_pair" "server" {}

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
}
