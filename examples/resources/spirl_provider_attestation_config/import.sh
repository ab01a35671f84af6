# A provider attestation configuration is imported by its name:
terraform import spirl_provider_attestation_config.test my-attestation-config
