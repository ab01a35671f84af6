//! `make bench`: the provider against the Go `hashicorp/null` provider, side by side in one run.

fn main() {}
