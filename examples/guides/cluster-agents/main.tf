# A Kubernetes cluster registered with the control plane, and its SPIRL agents installed in the
# same apply. Needs Terraform 1.4 or later (terraform_data) and, where Terraform runs, kubectl
# configured for the cluster.
terraform {
  required_version = ">= 1.4"
  required_providers {
    spirl = {
      source = "spirl/spirl"
    }
  }
}

# Credentials from SPIRL_SA_KEY_ID and SPIRL_SA_PRIVATE_KEY.
provider "spirl" {}

resource "spirl_trust_domain" "example" {
  domain_name = "agents.example.com"
}

# The cluster's key pair: the control plane gets the public key, the agents the private key.
# Terraform stores the private key in the state (sensitive).
resource "spirl_key_pair" "cluster" {}

resource "spirl_cluster" "prod" {
  trust_domain_id = spirl_trust_domain.example.id
  name            = "prod"
  platform        = "k8s"
  public_key      = spirl_key_pair.cluster.public_key_pem
}

locals {
  # The Secret the manifest's DaemonSet mounts, holding the cluster's private key. Its name,
  # namespace and key must be those the manifest names (see its first lines).
  agent_key_secret = yamlencode({
    apiVersion = "v1"
    kind       = "Secret"
    type       = "Opaque"
    metadata = {
      name      = "spirl-agent-key"
      namespace = "spirl-system"
    }
    data = {
      "agent-key.pem" = base64encode(spirl_key_pair.cluster.private_key_pem)
    }
  })
}

# Installs the agents and their key: now, and again whenever the cluster gets a new version
# (a new key, template or attestation), since the manifest names the version.
resource "terraform_data" "agents" {
  triggers_replace = [spirl_cluster.prod.version_id]

  provisioner "local-exec" {
    command = <<-EOT
      printf '%s\n---\n%s\n' "$MANIFEST" "$AGENT_KEY" | kubectl apply -f -
    EOT
    environment = {
      MANIFEST  = spirl_cluster.prod.kubernetes_manifest
      AGENT_KEY = local.agent_key_secret
    }
  }
}

# Uninstalls the agents when the cluster is destroyed, before it is deleted: the control plane
# refuses to delete a cluster whose agents are connected.
resource "terraform_data" "agents_uninstall" {
  input = spirl_cluster.prod.kubernetes_manifest

  provisioner "local-exec" {
    when    = destroy
    command = <<-EOT
      printf '%s\n' "$MANIFEST" | kubectl delete --ignore-not-found -f -
    EOT
    environment = {
      MANIFEST = self.output
    }
  }
}

output "agent_objects" {
  description = "The kinds of the objects the manifest installs."
  value       = [for doc in spirl_cluster.prod.kubernetes_manifests : yamldecode(doc).kind]
}
