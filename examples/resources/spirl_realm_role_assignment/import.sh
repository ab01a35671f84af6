# A realm role assignment is imported by its id:
terraform import spirl_realm_role_assignment.user_admin ra-abc123xyz
