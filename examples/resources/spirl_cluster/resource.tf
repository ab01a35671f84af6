# The trust domain the clusters join, managed elsewhere here (a spirl_trust_domain resource's id
# works the same way).
data "spirl_trust_domain" "existing_domain" {
  domain_name = "example.com"
}

# A Kubernetes cluster whose agents authenticate with a key pair made beforehand:
#   openssl genpkey -algorithm ED25519 -out private-key.pem
#   openssl pkey -pubout -in private-key.pem -out cluster-public-key.pem
resource "spirl_cluster" "my_cluster" {
  trust_domain_id = data.spirl_trust_domain.existing_domain.id
  name            = "my-cluster"
  description     = "A cluster created with terraform"
  platform        = "k8s"
  public_key      = file("cluster-public-key.pem")
}

# Linux hosts instead of Kubernetes: a node group in spirlctl's words.
resource "spirl_cluster" "linux_cluster" {
  trust_domain_id = data.spirl_trust_domain.existing_domain.id
  name            = "linux-cluster"
  description     = "A nodepool cluster created with terraform"
  platform        = "linux"
  public_key      = file("cluster-public-key.pem")
}

# Customized SVIDs: a changed template is a new cluster version, made in place.
resource "spirl_cluster" "customized" {
  trust_domain_id             = data.spirl_trust_domain.existing_domain.id
  name                        = "customized-cluster"
  platform                    = "k8s"
  public_key                  = file("cluster-public-key.pem")
  x509_customization_template = "CN=Test"
  jwt_customization_template  = "namespace={{kubernetes.pod.namespace}},pod_service_account={{kubernetes.pod.service_account}}"
}

# A cluster in a team's realm, with its own SPIFFE ID paths.
resource "spirl_realm" "production" {
  trust_domain_id = data.spirl_trust_domain.existing_domain.id
  name            = "production"
}

resource "spirl_cluster" "prod_cluster" {
  trust_domain_id = data.spirl_trust_domain.existing_domain.id
  realm_name      = spirl_realm.production.name
  name            = "prod-k8s-cluster"
  description     = "A cluster in the production realm"
  platform        = "k8s"
  public_key      = file("cluster-public-key.pem")
  path_template   = "/prod/{{kubernetes.pod.namespace}}/{{kubernetes.pod.service_account}}"
}

# Agents that prove themselves with Kubernetes projected service account tokens: no key pair.
resource "spirl_cluster" "eks_cluster" {
  trust_domain_id     = data.spirl_trust_domain.existing_domain.id
  name                = "eks-cluster"
  description         = "An EKS cluster with PSAT agent attestation"
  platform            = "k8s"
  num_version_history = 5

  k8s_psat {
    # The cluster's OIDC issuer; on EKS https://oidc.eks.<region>.amazonaws.com/id/<cluster-id>.
    issuer_url = "https://oidc.eks.us-west-2.amazonaws.com/id/EXAMPLE123"

    # Both default to these values.
    service_account_name      = "spirl-agent"
    service_account_namespace = "spirl-system"
  }
}

# No key pair and no k8s_psat block: the cluster's agents attest as its AgentAttestation
# configuration section says (official provider v0.12.1: `public_key` is only needed when agents
# authenticate with a cluster key pair).
resource "spirl_cluster" "attested_cluster" {
  trust_domain_id = data.spirl_trust_domain.existing_domain.id
  name            = "attested-cluster"
  description     = "Agents attest through the cluster's AgentAttestation section"
  platform        = "eks"
}

resource "spirl_cluster_config" "attested_cluster" {
  cluster_id = spirl_cluster.attested_cluster.id

  sections = {
    AgentAttestation = <<-YAML
      section: AgentAttestation
      schema: v1
      spec:
        policies:
          - name: eks
            requiredAttestors:
              - type: k8s_token
                config:
                  issuerUrl: https://oidc.eks.us-west-2.amazonaws.com/id/EXAMPLE123
    YAML
  }
}

# What installs the agents, from the apply that created the cluster or its latest version:
# `kubectl apply -f` it (see the "Install a cluster's SPIRL agents" guide).
output "my_cluster_agent_manifest" {
  value = spirl_cluster.my_cluster.kubernetes_manifest
}

# A Linux node group's agent configuration and the Docker Compose file that runs it.
output "linux_cluster_agent_files" {
  value = {
    config  = spirl_cluster.linux_cluster.vm_agent_config
    compose = spirl_cluster.linux_cluster.vm_docker_compose_yaml
  }
}
