//! `terraform-provider-spirl`: Terraform starts this binary as a plugin.

fn main() -> std::process::ExitCode {
    terraform_provider_spirl::provider::serve()
}
