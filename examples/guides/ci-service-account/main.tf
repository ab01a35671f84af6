# A service account for a CI pipeline, whose private key goes straight into the CI system's
# secret store (here AWS Secrets Manager) through write-only arguments: no plan, state or log
# ever holds it. Terraform 1.11 or later; hashicorp/aws 6.x (secret_string_wo).
terraform {
  required_version = ">= 1.11"
  required_providers {
    spirl = {
      source = "spirl/spirl"
    }
    aws = {
      source  = "hashicorp/aws"
      version = ">= 6.0"
    }
  }
}

# Service accounts are made by people: run `spirlctl login` first and leave SPIRL_SA_KEY_ID and
# SPIRL_SA_PRIVATE_KEY unset, so that the provider uses that session.
provider "spirl" {}

provider "aws" {}

variable "key_version" {
  description = "Increment to rotate the pipeline's key: a new key is registered and stored, then the old one is deleted."
  type        = number
  default     = 1
}

resource "spirl_service_account" "ci" {
  name        = "github-actions-deploy"
  description = "Deploys workloads from the main branch"
  role_name   = "Operator"
}

# A fresh key pair at every run, never stored. Only a run that creates the key or changes
# key_version uses it: the service account registers its public key and the secret store
# receives its private key in that same apply.
ephemeral "spirl_key_pair" "ci" {}

resource "spirl_service_account_key" "ci" {
  service_account_id    = spirl_service_account.ci.id
  public_key_wo         = ephemeral.spirl_key_pair.ci.public_key_pem
  public_key_wo_version = var.key_version

  # The new key is registered and stored before the old one is deleted.
  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_secretsmanager_secret" "ci" {
  name        = "ci/defakto-service-account"
  description = "The Defakto service-account key the deploy pipeline signs in with"
}

# What the pipeline exports as SPIRL_SA_KEY_ID and SPIRL_SA_PRIVATE_KEY.
resource "aws_secretsmanager_secret_version" "ci" {
  secret_id = aws_secretsmanager_secret.ci.id
  secret_string_wo = jsonencode({
    sa_key_id      = spirl_service_account_key.ci.id
    sa_private_key = ephemeral.spirl_key_pair.ci.private_key_pem
  })
  secret_string_wo_version = var.key_version
}

output "sa_key_id" {
  description = "The key the pipeline signs in with (not a secret)."
  value       = spirl_service_account_key.ci.id
}

output "key_fingerprint" {
  description = "The registered key's fingerprint, to tell keys apart in the console."
  value       = spirl_service_account_key.ci.fingerprint_sha256
}
