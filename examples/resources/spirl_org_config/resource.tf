# The organisation's configuration has one instance. An empty map states that Terraform
# manages it and that no section is set: sections added in the console show up as a change.
resource "spirl_org_config" "org" {
  sections = {}
}

output "org_config_version" {
  value = spirl_org_config.org.version
}
