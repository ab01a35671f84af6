# The Defakto ALB guide's Terraform, applied by `make demo` against the local mock control plane.
# It is the guide's flow unchanged except for `helm_release`: with no Kubernetes cluster here, the
# chart's values are rendered with `yamlencode` into outputs instead of being installed.

terraform {
  # spirl_trust_domain_deployment needs 1.0.6+ (hashicorp/terraform#29473, see README).
  required_version = ">= 1.0.6"
  required_providers {
    spirl = {
      source = "spirl/spirl"
    }
  }
}

variable "credentials_file" {
  description = "JSON with endpoint, sa_key_id, sa_private_key and use_tls: the file the mock writes with --credentials-out (scripts/demo.sh sets this). Against the real control plane, drop it and set SPIRL_SA_KEY_ID and SPIRL_SA_PRIVATE_KEY instead."
  type        = string
}

locals {
  control_plane = jsondecode(file(var.credentials_file))
}

# The mock serves gRPC over plaintext HTTP/2 on loopback (`use_tls` is false in its credentials
# file); the real control plane, api.spirl.com:443, speaks TLS, the provider's default.
provider "spirl" {
  endpoint       = local.control_plane.endpoint
  use_tls        = local.control_plane.use_tls
  sa_key_id      = local.control_plane.sa_key_id
  sa_private_key = local.control_plane.sa_private_key
}

# ============================================================================
# Register the Defakto Server and Deployment
# ============================================================================
resource "spirl_trust_domain" "prod" {
  domain_name = "acm.example.com"
  description = "EKS ALB demo trust domain"
}

# Note: spirl_key_pair is not recommended without careful consideration.
# spirl_key_pair stores the private key is stored in terraform state files.
resource "spirl_key_pair" "deployment" {
  algorithm = "ed25519"
}

resource "spirl_trust_domain_deployment" "deployment" {
  trust_domain_id = spirl_trust_domain.prod.id
  name            = "eks-alb-demo"
  keys = {
    "key1" = {
      public_key = spirl_key_pair.deployment.public_key_pem
      active     = true
    }
  }
}

# The annotations the guide recommends, with its defaults (idle timeout 4000 s and so on).
data "spirl_alb_ingress_annotations" "agents" {}

# The server runbook's alerts for this deployment. The Helm values below turn on
# telemetry.collectors.grpc.emitLatencyMetrics, so the latency alerts are included.
data "spirl_server_monitoring" "server" {
  deployment_id           = spirl_trust_domain_deployment.deployment.id
  latency_metrics_enabled = true
}

# ============================================================================
# The Defakto Server Helm values (what helm_release's `values` would receive)
# ============================================================================
locals {
  helm_values = {
    trustDomainDeployment = {
      trustDomainName = spirl_trust_domain.prod.domain_name
      trustDomainID   = spirl_trust_domain.prod.id
      id              = spirl_trust_domain_deployment.deployment.id
      name            = spirl_trust_domain_deployment.deployment.name
      deployment = {
        replicaCount = 2
      }
      serviceAccount = {
        create = true
      }
      service = {
        type = "ClusterIP"
        port = 80
      }
      # ALB Ingress Configuration
      ingress = {
        enabled     = true
        className   = data.spirl_alb_ingress_annotations.agents.ingress_class_name
        annotations = data.spirl_alb_ingress_annotations.agents.annotations
        hosts = [
          {
            host = "agents.acm.example.com" # Your agent endpoint domain
            paths = [
              {
                path     = "/"
                pathType = "Prefix"
              }
            ]
          }
        ]
      }
    }
    controlPlane = {
      auth = {
        key = {
          id = spirl_trust_domain_deployment.deployment.keys["key1"].id
          # The key's PEM goes to helm_release through set_sensitive, so that the rendered
          # values stay printable:
          #   set_sensitive {
          #     name  = "controlPlane.auth.key.pem"
          #     value = spirl_key_pair.deployment.private_key_pem
          #   }
        }
      }
    }
    telemetry = {
      enabled = true
      collectors = {
        grpc = {
          emitLatencyMetrics = true
        }
      }
      metricsAPI = {
        port = 9090
      }
    }
  }
}

output "trust_domain_id" {
  description = "The trust domain's id (td-…)."
  value       = spirl_trust_domain.prod.id
}

output "deployment_id" {
  description = "The deployment's id (tdd-…), also the helm release's name and namespace in the guide."
  value       = spirl_trust_domain_deployment.deployment.id
}

output "deployment_key_id" {
  description = "The id (tdk-…) the control plane gave the deployment's key."
  value       = spirl_trust_domain_deployment.deployment.keys["key1"].id
}

output "public_key_fingerprint_sha256" {
  description = "Fingerprint of the deployment key's public half."
  value       = spirl_key_pair.deployment.public_key_fingerprint_sha256
}

output "helm_values" {
  description = "The spirl-server chart's values, as helm_release would receive them (the key's PEM goes in with set_sensitive)."
  value       = yamlencode(local.helm_values)
}

output "prometheus_rule" {
  description = "The runbook's alerts as a PrometheusRule, beside the Helm release: with a cluster, `kubernetes_manifest` takes `data.spirl_server_monitoring.server.prometheus_rule` (the object) instead."
  value       = data.spirl_server_monitoring.server.prometheus_rule_yaml
}

output "private_key_pem" {
  description = "The deployment key's private half (PKCS#8 PEM). Read it with `terraform output -raw private_key_pem`."
  value       = spirl_key_pair.deployment.private_key_pem
  sensitive   = true
}
