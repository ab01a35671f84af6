# The agents installed one object at a time with the gavinbunney/kubectl provider, so that
# Terraform tracks each object. for_each needs its keys when planning, and the manifest is known
# only after the apply that creates the cluster or makes a new version: apply those with
# `terraform apply -target=spirl_cluster.prod` first, then `terraform apply`.
terraform {
  required_providers {
    spirl = {
      source = "spirl/spirl"
    }
    kubectl = {
      source  = "gavinbunney/kubectl"
      version = ">= 1.14"
    }
  }
}

# Credentials from SPIRL_SA_KEY_ID and SPIRL_SA_PRIVATE_KEY; kubectl from your kubeconfig.
provider "spirl" {}

provider "kubectl" {}

resource "spirl_trust_domain" "example" {
  domain_name = "agents.example.com"
}

resource "spirl_key_pair" "cluster" {}

resource "spirl_cluster" "prod" {
  trust_domain_id = spirl_trust_domain.example.id
  name            = "prod"
  platform        = "k8s"
  public_key      = spirl_key_pair.cluster.public_key_pem
}

locals {
  # Each document by kind, namespace and name: a new version changes objects in place.
  agent_objects = {
    for doc in spirl_cluster.prod.kubernetes_manifests :
    join("/", compact([
      yamldecode(doc).kind,
      try(yamldecode(doc).metadata.namespace, ""),
      yamldecode(doc).metadata.name,
    ])) => doc
  }
}

resource "kubectl_manifest" "agent" {
  for_each  = local.agent_objects
  yaml_body = each.value
}

# The Secret the DaemonSet mounts, once its namespace exists.
resource "kubectl_manifest" "agent_key" {
  yaml_body = yamlencode({
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
  depends_on = [kubectl_manifest.agent]
}
