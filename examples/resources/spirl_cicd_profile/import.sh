# A CI/CD profile is imported by its name:
terraform import spirl_cicd_profile.test my-cicd-profile
