# A cluster is imported by its trust domain's id and its name, separated by a slash:
terraform import spirl_cluster.my_cluster td-abc123xyz/my-cluster
