# A link is imported by the CI/CD profile's id and the cluster's id, separated by a colon:
terraform import spirl_cicd_profile_link.test cicdp-abc123xyz:c-abc123xyz
