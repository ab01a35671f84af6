resource "spirl_trust_domain" "my_domain" {
  domain_name = "example.org"
}

resource "spirl_key_pair" "cluster" {
  algorithm = "ed25519"
}

resource "spirl_cluster" "my_cluster" {
  trust_domain_id = spirl_trust_domain.my_domain.id
  name            = "my-cluster"
  platform        = "k8s"
  public_key      = spirl_key_pair.cluster.public_key_pem
}

resource "spirl_cicd_profile" "my_profile" {
  name   = "my-cicd-profile"
  issuer = "https://token.actions.githubusercontent.com"
}

# Link the profile to the cluster, both created by Terraform: the cluster then exchanges the
# CI/CD system's tokens for identities.
resource "spirl_cicd_profile_link" "test" {
  cicd_profile_id = spirl_cicd_profile.my_profile.id
  cluster_id      = spirl_cluster.my_cluster.id
}
