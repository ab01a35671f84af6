output "trust_domain_id" {
  description = "The trust domain's id, td-…."
  value       = spirl_trust_domain.this.id
}

output "spiffe_bundle_endpoint" {
  description = "Where federated trust domains fetch this one's bundle."
  value       = spirl_trust_domain.this.spiffe_bundle_endpoint
}

output "realm_id" {
  description = "The team realm's id, rlm-…."
  value       = spirl_realm.team.id
}

output "cluster_ids" {
  description = "The clusters' ids (c-…) by short name."
  value       = { for name, c in spirl_cluster.this : name => c.id }
}

output "agent_private_keys" {
  description = "The agents' private keys (PKCS#8 PEM) by cluster short name, for their Helm values."
  value       = { for name, k in spirl_key_pair.agent : name => k.private_key_pem }
  sensitive   = true
}
