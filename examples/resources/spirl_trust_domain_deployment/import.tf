# Terraform 1.5+: an import block imports during plan, where the configuration's key names
# already apply, so it also works when the configuration refers to keys by name.
import {
  to = spirl_trust_domain_deployment.example
  id = "td-abc123xyz/production"
}
