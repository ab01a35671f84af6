# The private key is stored unencrypted in the state: protect the state, or use the ephemeral
# spirl_key_pair (Terraform 1.10+) with write-only arguments (Terraform 1.11+).
resource "spirl_key_pair" "server" {
  algorithm = "ed25519"
}

output "public_key_pem" {
  value = spirl_key_pair.server.public_key_pem
}

output "fingerprint" {
  value = spirl_key_pair.server.public_key_fingerprint_sha256
}
