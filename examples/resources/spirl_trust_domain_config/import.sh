# A trust domain's configuration is imported by the trust domain's id:
terraform import spirl_trust_domain_config.example td-abc123xyz
