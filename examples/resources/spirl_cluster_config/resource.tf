variable "cluster_id" {
  description = "The id (c-…) of the cluster, for example spirl_cluster.example.id."
  type        = string
}

# Agents of this cluster must attest with a Kubernetes service-account token from the EKS
# cluster's OIDC issuer, and only the pod's namespace leaves the cluster in SVID attributes.
resource "spirl_cluster_config" "example" {
  cluster_id = var.cluster_id

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
                  issuerUrl: https://oidc.eks.eu-central-1.amazonaws.com/id/EXAMPLE0123
    YAML

    AttributeRedaction = <<-YAML
      section: AttributeRedaction
      schema: v1
      spec:
        policy:
          allowList:
            filters:
              - kubernetes.pod.namespace
    YAML
  }
}
