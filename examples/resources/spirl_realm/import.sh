# A realm is imported by its id (the Defakto console shows it; so does the spirl_realm data source):
terraform import spirl_realm.production rlm-abc123xyz
