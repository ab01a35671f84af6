# Tokens of GitLab's OIDC issuer become identities in the clusters the profile is linked to.
resource "spirl_cicd_profile" "test" {
  name   = "my-cicd-profile"
  issuer = "https://gitlab.com"
}
