# A service-account key is imported by its id (`spirlctl iam service-account key list`):
terraform import spirl_service_account_key.ci sak-abc123xyz
