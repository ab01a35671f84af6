# A trust domain can be imported by its id:
terraform import spirl_trust_domain.example td-abc123xyz

# or by its domain name:
terraform import spirl_trust_domain.example example.org
