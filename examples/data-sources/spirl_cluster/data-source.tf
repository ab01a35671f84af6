# Read a cluster that another configuration manages, by its trust domain and name; its
# configuration comes back read-only.
data "spirl_trust_domain" "existing_domain" {
  domain_name = "example.com"
}

data "spirl_cluster" "existing_cluster" {
  name            = "cluster-a"
  trust_domain_id = data.spirl_trust_domain.existing_domain.id
}

output "path_template" {
  value = data.spirl_cluster.existing_cluster.path_template
}
