terraform {
  required_providers {
    spirl = {
      source = "spirl/spirl"
      # This provider continues the official provider's version line (0.12.1 -> 0.13.0), so
      # modules that pin "~> 0.12" or ">= 0.9" select it too.
      version = "~> 0.13"
    }
  }
}

# Credentials are best left to the environment (SPIRL_SA_KEY_ID and SPIRL_SA_PRIVATE_KEY),
# as Terraform Cloud workspaces pass them; the block can then be empty. Set them here only
# from a secret source, never as literals. The control plane speaks gRPC over TLS; for the
# local mock (spirl-mock-api, plaintext HTTP/2) write its `host:port` with `use_tls = false`,
# or `endpoint = "http://127.0.0.1:PORT"`.
provider "spirl" {
  endpoint       = "api.spirl.com:443"
  sa_key_id      = var.spirl_sa_key_id
  sa_private_key = var.spirl_sa_private_key
}

variable "spirl_sa_key_id" {
  description = "The Defakto service-account key id, sak-…"
  type        = string
}

variable "spirl_sa_private_key" {
  description = "The service account's ed25519 private key, PKCS#8 PEM."
  type        = string
  sensitive   = true
}
