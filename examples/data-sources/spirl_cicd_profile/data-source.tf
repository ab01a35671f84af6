# Read a CI/CD profile that another configuration manages, by its name.
data "spirl_cicd_profile" "existing_profile" {
  name = "my-github-cluster"
}

output "issuer" {
  value = data.spirl_cicd_profile.existing_profile.issuer
}
