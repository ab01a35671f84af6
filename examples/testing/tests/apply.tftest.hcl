# Apply runs against spirl-mock-api: the objects are created on the mock, checked through the
# module's outputs and read back with data sources, and destroyed by `terraform test` at the end.

variables {
  trust_domain_name = "checkout.example.org"
  team              = "checkout"
  clusters = {
    web = {}
    eks = { platform = "eks", keyless = true }
  }
}

run "creates_the_tenant" {
  assert {
    condition     = startswith(output.trust_domain_id, "td-")
    error_message = "trust domain ids start with td-, got ${output.trust_domain_id}"
  }

  assert {
    condition     = startswith(output.realm_id, "rlm-")
    error_message = "realm ids start with rlm-, got ${output.realm_id}"
  }

  assert {
    condition     = alltrue([for id in values(output.cluster_ids) : startswith(id, "c-")])
    error_message = "cluster ids start with c-"
  }

  assert {
    condition     = spirl_cluster.this["web"].realm_id == output.realm_id
    error_message = "the clusters belong to the team's realm"
  }

  assert {
    condition     = spirl_cluster.this["web"].public_key == spirl_key_pair.agent["web"].public_key_pem
    error_message = "the web cluster registers its agents' public key"
  }

  assert {
    condition     = output.spiffe_bundle_endpoint != ""
    error_message = "the control plane publishes a bundle endpoint"
  }
}

# The control plane, not only the state, has the objects: read them back with data sources from
# a helper module, by name, as another configuration would.
run "reads_them_back" {
  module {
    source = "./tests/lookup"
  }

  variables {
    trust_domain_name = "checkout.example.org"
    realm_name        = "checkout"
    cluster_name      = "checkout-web"
  }

  assert {
    condition     = data.spirl_trust_domain.this.id == run.creates_the_tenant.trust_domain_id
    error_message = "the trust domain is found by its name"
  }

  assert {
    condition     = data.spirl_realm.this.id == run.creates_the_tenant.realm_id
    error_message = "the realm is found by its name"
  }

  assert {
    condition     = data.spirl_cluster.this.id == run.creates_the_tenant.cluster_ids["web"]
    error_message = "the cluster is found by its name"
  }
}

# A new cluster is added beside the others: nothing is replaced.
run "adds_a_cluster" {
  variables {
    clusters = {
      web   = {}
      eks   = { platform = "eks", keyless = true }
      batch = { platform = "linux" }
    }
  }

  assert {
    condition     = output.trust_domain_id == run.creates_the_tenant.trust_domain_id
    error_message = "the trust domain is kept"
  }

  assert {
    condition     = output.cluster_ids["web"] == run.creates_the_tenant.cluster_ids["web"]
    error_message = "the existing clusters are kept"
  }

  assert {
    condition     = startswith(output.cluster_ids["batch"], "c-")
    error_message = "the new cluster is created"
  }
}
