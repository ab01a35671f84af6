# The ALB guide with the deployment's private key never in the Terraform state or plan:
# Terraform 1.11 or later (ephemeral resources and write-only arguments) and the
# hashicorp/helm provider 3.x (set_wo).
terraform {
  required_version = ">= 1.11"
  required_providers {
    spirl = {
      source = "spirl/spirl"
    }
    helm = {
      source  = "hashicorp/helm"
      version = ">= 3.0"
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

variable "key_version" {
  description = "Increment to rotate the deployment key: a new key is registered and sent to the servers, then the old one is deleted."
  type        = number
  default     = 1
}

# ============================================================================
# Register the Defakto server deployment and its key
# ============================================================================

resource "spirl_trust_domain" "prod" {
  domain_name = "acm.example.com"
  description = "EKS ALB demo trust domain"
}

# A fresh key pair at every run, never stored. Only the run that changes key_version uses it:
# the deployment registers its public key and the Helm release receives its private key in
# that same apply.
ephemeral "spirl_key_pair" "deployment" {
  algorithm = "ed25519"
}

resource "spirl_trust_domain_deployment" "deployment" {
  trust_domain_id = spirl_trust_domain.prod.id
  name            = "eks-alb-demo"
  keys = {
    "key1" = {
      public_key_wo         = ephemeral.spirl_key_pair.deployment.public_key_pem
      public_key_wo_version = var.key_version
      active                = true
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
            id = spirl_trust_domain_deployment.deployment.keys["key1"].id
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

  # The private key, write-only: sent to Helm, never stored by Terraform. It is sent again
  # when the revision changes, together with the key the deployment registers.
  set_wo = [
    {
      name  = "controlPlane.auth.key.pem"
      value = ephemeral.spirl_key_pair.deployment.private_key_pem
    },
  ]
  set_wo_revision = var.key_version
}

# ============================================================================
# The server runbook's alerts, deployed with the server
# ============================================================================

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

output "key_fingerprint" {
  description = "The registered key's SHA-256 fingerprint: how to tell which key the servers must hold."
  value       = spirl_trust_domain_deployment.deployment.keys["key1"].public_key_fingerprint_sha256
}
