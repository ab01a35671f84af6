resource "spirl_service_account" "ci" {
  name      = "ci-pipeline"
  role_name = "Operator"
}

# The key pair lives in the state (protect it); see the ephemeral spirl_key_pair with
# public_key_wo below for a key no state holds.
resource "spirl_key_pair" "ci" {}

resource "spirl_service_account_key" "ci" {
  service_account_id = spirl_service_account.ci.id
  public_key         = spirl_key_pair.ci.public_key_pem

  # Rotation without a gap: a new key is registered before the old one is deleted.
  lifecycle {
    create_before_destroy = true
  }
}

# Terraform 1.11+: neither half of this key pair is ever in the plan or the state. Increment
# public_key_wo_version to rotate; hand the private key to its user through a write-only
# argument in the same apply (see the guide "A service account for a CI pipeline").
ephemeral "spirl_key_pair" "ci_next" {}

resource "spirl_service_account_key" "ci_next" {
  service_account_id    = spirl_service_account.ci.id
  public_key_wo         = ephemeral.spirl_key_pair.ci_next.public_key_pem
  public_key_wo_version = 1
  active                = false
}

output "sa_key_id" {
  description = "What a client signs in with (sa_key_id / SPIRL_SA_KEY_ID)."
  value       = spirl_service_account_key.ci.id
}
