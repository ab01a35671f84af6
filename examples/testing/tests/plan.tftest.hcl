# Plan-only runs: what the module would create, and the inputs it refuses. Planning new objects
# calls no API, so this file passes without spirl-mock-api running; the provider still needs
# credentials (the mock's key in the environment is enough). A module that reads data sources
# needs the mock for its plans too.

variables {
  trust_domain_name = "payments.example.org"
  team              = "payments"
  clusters = {
    web   = {}
    nodes = { platform = "linux" }
    eks   = { platform = "eks", keyless = true }
  }
}

run "plans_the_tenant" {
  command = plan

  assert {
    condition     = spirl_trust_domain.this.domain_name == "payments.example.org"
    error_message = "the trust domain must be named after trust_domain_name"
  }

  assert {
    condition     = spirl_realm.team.name == "payments"
    error_message = "the realm must be named after the team"
  }

  assert {
    condition     = toset(keys(spirl_cluster.this)) == toset(["web", "nodes", "eks"])
    error_message = "one cluster per entry of clusters"
  }

  assert {
    condition     = spirl_cluster.this["nodes"].name == "payments-nodes" && spirl_cluster.this["nodes"].platform == "linux"
    error_message = "cluster names carry the team's prefix, and platforms are passed on"
  }

  assert {
    condition     = toset(keys(spirl_key_pair.agent)) == toset(["web", "nodes"])
    error_message = "every cluster but the keyless one gets a key pair"
  }

  assert {
    condition     = spirl_cluster.this["eks"].public_key == null
    error_message = "a keyless cluster registers no public key"
  }
}

run "refuses_a_bare_trust_domain_name" {
  command = plan

  variables {
    trust_domain_name = "payments"
  }

  expect_failures = [var.trust_domain_name]
}

run "refuses_a_team_name_that_is_not_a_slug" {
  command = plan

  variables {
    team = "Payments Team"
  }

  expect_failures = [var.team]
}
