# The organisation's configuration is a singleton; its import id is always ORG:
terraform import spirl_org_config.org ORG
