# A federation link is imported by its trust domain's id and the foreign trust domain's name:
terraform import spirl_federation_link.payments_trusts_partner td-abc123xyz/partner.example.com
