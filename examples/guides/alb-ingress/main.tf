terraform {
  required_providers {
    spirl = {
      source = "spirl/spirl"
    }
    helm = {
      source  = "hashicorp/helm"
      version = ">= 2.12"
    }
    kubernetes = {
      source  = "hashicorp/kubernetes"
      version = ">= 2.23"
    }
  }
}

# Credentials from SPIRL_SA_KEY_ID and SPIRL_SA_PRIVATE_KEY; the helm provider from your
# kubeconfig (or configure it explicitly for the EKS cluster).
provider "spirl" {}

provider "helm" {}

provider "kubernetes" {}

variable "agent_endpoint_host" {
  description = "The DNS name agents reach the ALB at, covered by the certificate."
  type        = string
  default     = "agents.acm.example.com"
}

variable "certificate_arns" {
  description = "ACM certificate ARNs for the HTTPS listener; empty lets the controller discover one."
  type        = list(string)
  default     = []
}

# ============================================================================
# Register the Defakto server deployment and its key
# ============================================================================

resource "spirl_trust_domain" "prod" {
  domain_name = "acm.example.com"
  description = "EKS ALB demo trust domain"
}

# The private key is stored unencrypted in the Terraform state: keep the state in an
# encrypted backend with tight access.
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

# The guide's recommended ALB annotations, with the 4000-second idle timeout.
data "spirl_alb_ingress_annotations" "agents" {
  certificate_arns = var.certificate_arns
}

# ============================================================================
# Defakto server Helm release with the ALB ingress
# ============================================================================

resource "helm_release" "spirl_server" {
  name             = spirl_trust_domain_deployment.deployment.id
  repository       = "oci://ghcr.io/spirl/charts"
  chart            = "spirl-server"
  namespace        = spirl_trust_domain_deployment.deployment.id
  create_namespace = true
  wait             = false

  values = [
    yamlencode({
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
        ingress = {
          enabled     = true
          className   = data.spirl_alb_ingress_annotations.agents.ingress_class_name
          annotations = data.spirl_alb_ingress_annotations.agents.annotations
          hosts = [
            {
              host = var.agent_endpoint_host
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
            id  = spirl_trust_domain_deployment.deployment.keys["key1"].id
            pem = spirl_key_pair.deployment.private_key_pem
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
    })
  ]
}

# ============================================================================
# The server runbook's alerts, deployed with the server
# ============================================================================

# The release above sets telemetry.collectors.grpc.emitLatencyMetrics, so the latency alerts
# have data. The rules watch every trust-domain server namespace (tdd-…): a deployment_id
# from this same apply would leave the manifest unknown at plan time, which
# kubernetes_manifest does not accept.
data "spirl_server_monitoring" "server" {
  latency_metrics_enabled = true

  prometheus_rule_namespace = "monitoring"
  prometheus_rule_labels = {
    release = "kube-prometheus-stack"
  }
}

# Needs the Prometheus Operator's CRDs in the cluster (kube-prometheus-stack installs them).
resource "kubernetes_manifest" "server_alerts" {
  manifest = data.spirl_server_monitoring.server.prometheus_rule
}

output "deployment_id" {
  description = "The Helm release name and namespace; `kubectl get ingress -n <id>` shows the ALB address."
  value       = spirl_trust_domain_deployment.deployment.id
}
