resource "spirl_trust_domain" "example" {
  domain_name = "example.org"
}

# Each value is one self-describing YAML document: `section` repeats the map key, `schema`
# names the section's schema version, `spec` holds the settings.
resource "spirl_trust_domain_config" "example" {
  trust_domain_id = spirl_trust_domain.example.id

  sections = {
    AttributeRedaction = <<-YAML
      section: AttributeRedaction
      schema: v1
      spec:
        policy:
          allowList:
            filters:
              - kubernetes.pod.namespace
              - kubernetes.pod.service_account
    YAML
  }
}
