//! Release artifacts in the Terraform Registry's naming.

/// Builds and packages the release artifacts into `dist/`.
pub fn run(_args: &[String]) -> Result<(), String> {
    Err("not written yet".to_string())
}
