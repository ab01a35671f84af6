# A team's workload-identity tenant: its trust domain, a realm named after the team, and its
# clusters, each with a key pair for its agents (or none, for clusters whose agents attest
# otherwise). tests/ holds the `terraform test` files that check it against spirl-mock-api.

resource "spirl_trust_domain" "this" {
  domain_name = var.trust_domain_name
  description = "Owned by team ${var.team}"
}

resource "spirl_realm" "team" {
  trust_domain_id = spirl_trust_domain.this.id
  name            = var.team
}

resource "spirl_key_pair" "agent" {
  for_each = { for name, c in var.clusters : name => c if !c.keyless }
}

resource "spirl_cluster" "this" {
  for_each = var.clusters

  trust_domain_id = spirl_trust_domain.this.id
  realm_name      = spirl_realm.team.name
  name            = "${var.team}-${each.key}"
  platform        = each.value.platform
  public_key      = each.value.keyless ? null : spirl_key_pair.agent[each.key].public_key_pem
  path_template   = "/${var.team}/${each.key}/ns/{{kubernetes.pod.namespace}}/sa/{{kubernetes.pod.service_account}}"
}
