# Service accounts are made by people: apply this with a `spirlctl login` session (an empty
# provider block and no service-account key), as a user whose role is at least `role_name`.
resource "spirl_service_account" "ci" {
  name        = "ci-pipeline"
  description = "Deploys the platform from the main branch"
  role_name   = "Operator"
}

# An account for Terraform runs of another workspace. Its keys made elsewhere (spirlctl) do not
# block `terraform destroy`: force_destroy deletes them with the account.
resource "spirl_service_account" "terraform" {
  name          = "terraform-platform"
  role_name     = "Administrator"
  force_destroy = true
}
