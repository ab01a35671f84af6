# A deployment's configuration is imported by the deployment's id:
terraform import spirl_trust_domain_deployment_config.example tdd-abc123xyz
