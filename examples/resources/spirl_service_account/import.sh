# A service account is imported by its id or by its name:
terraform import spirl_service_account.ci sa-abc123xyz
terraform import spirl_service_account.ci ci-pipeline
