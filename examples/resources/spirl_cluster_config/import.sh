# A cluster's configuration is imported by the cluster's id:
terraform import spirl_cluster_config.example c-abc123xyz
