# A deployment is imported by its trust domain's id and its name, `<td-…>/<name>`. Imported
# keys are named by their ids until the next apply renames them to the configuration's names,
# so this fails while the configuration refers to a key by name (`keys["key1"]`); use an
# import block then.
terraform import spirl_trust_domain_deployment.example td-abc123xyz/production
