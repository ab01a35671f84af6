# The runbook's alerts for every trust-domain server namespace (tdd-…), latency alerts
# included: the servers run with telemetry.collectors.grpc.emitLatencyMetrics = true.
data "spirl_server_monitoring" "servers" {
  latency_metrics_enabled = true

  extra_labels = {
    team = "identity"
  }

  # Where the Prometheus Operator of kube-prometheus-stack finds it.
  prometheus_rule_namespace = "monitoring"
  prometheus_rule_labels = {
    release = "kube-prometheus-stack"
  }
}

# One deployment, with a lower CPU threshold held longer, and SVID failures paging.
data "spirl_server_monitoring" "prod" {
  deployment_id           = "tdd-abc123xyz"
  latency_metrics_enabled = true
  cpu_limit_percent       = 60

  for_durations = {
    SpirlServerCpuNearLimit = "30m"
  }
  severities = {
    SpirlServerSvidIssuanceFailing = "page"
  }
}

# With the kubernetes provider, the PrometheusRule object goes straight to the cluster:
#
#   resource "kubernetes_manifest" "spirl_server_rules" {
#     manifest = data.spirl_server_monitoring.servers.prometheus_rule
#   }

# Or into kube-prometheus-stack's values, for its helm_release.
output "kube_prometheus_stack_values" {
  value = yamlencode({
    additionalPrometheusRulesMap = {
      "spirl-server" = {
        groups = data.spirl_server_monitoring.servers.rule_groups
      }
    }
  })
}

# Or as a Prometheus rules file.
output "prod_rules_yaml" {
  value = data.spirl_server_monitoring.prod.rules_yaml
}

output "alert_names" {
  value = data.spirl_server_monitoring.servers.alert_names
}

output "health_queries" {
  value = data.spirl_server_monitoring.servers.health_queries
}
