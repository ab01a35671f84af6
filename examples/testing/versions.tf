terraform {
  # optional() object attributes with defaults; the tests in tests/ need Terraform 1.6 or later.
  required_version = ">= 1.3.0"

  required_providers {
    spirl = {
      source  = "spirl/spirl"
      version = "~> 0.13"
    }
  }
}
