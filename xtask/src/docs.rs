//! Registry docs (`docs/`) generated from the provider's schemas, `examples/` and `templates/`.

/// Writes `docs/` (or, with `check`, fails when the committed docs differ).
pub fn run(check: bool, _args: &[String]) -> Result<(), String> {
    let _ = check;
    Err("not written yet".to_string())
}
