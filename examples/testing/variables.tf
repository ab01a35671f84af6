variable "trust_domain_name" {
  description = "The team's SPIFFE trust domain, such as payments.example.org."
  type        = string

  validation {
    # This module's policy: a dotted name, so that teams never claim a bare word.
    condition     = can(regex("^[a-z0-9-]+(\\.[a-z0-9-]+)+$", var.trust_domain_name))
    error_message = "trust_domain_name must be a dotted lowercase name such as payments.example.org."
  }
}

variable "team" {
  description = "The team that owns the trust domain: names its realm and prefixes its clusters."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}$", var.team))
    error_message = "team must be a lowercase slug of 2 to 31 letters, digits and dashes, starting with a letter."
  }
}

variable "clusters" {
  description = <<-EOT
    The team's clusters by short name. Each gets an ed25519 key pair for its agents, unless
    `keyless` (agents then attest through the cluster's AgentAttestation configuration).
  EOT
  type = map(object({
    platform = optional(string, "k8s")
    keyless  = optional(bool, false)
  }))
  default = {}
}
