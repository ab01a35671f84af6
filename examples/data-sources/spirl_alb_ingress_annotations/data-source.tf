# The ALB guide's annotation set, unchanged.
data "spirl_alb_ingress_annotations" "agents" {}

# An internal ALB with a pre-provisioned certificate, shared with other ingresses.
data "spirl_alb_ingress_annotations" "internal" {
  scheme           = "internal"
  certificate_arns = ["arn:aws:acm:us-east-1:123456789012:certificate/abcd-1234"]
  group_name       = "spirl"

  additional_load_balancer_attributes = {
    "deletion_protection.enabled" = "true"
  }
}

output "annotations" {
  value = data.spirl_alb_ingress_annotations.agents.annotations
}

output "internal_annotations" {
  value = data.spirl_alb_ingress_annotations.internal.annotations
}
