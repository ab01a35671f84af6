# Agents on EC2 prove where they run: the control plane assumes this role to look them up.
resource "spirl_provider_attestation_config" "test" {
  name = "my-attestation-config"
  aws {
    role_arn = "arn:aws:iam::123456789012:role/my-role"
  }
}
