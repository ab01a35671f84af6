data "spirl_service_account" "automation" {
  name = "automation-sa"
}

output "automation_service_account_id" {
  value = data.spirl_service_account.automation.id
}
