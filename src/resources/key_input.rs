//! A public key given to the control plane either in the state (`public_key`) or write-only
//! (`public_key_wo` with `public_key_wo_version`, Terraform 1.11+), as
//! `spirl_trust_domain_deployment`'s keys and `spirl_service_account_key` take it: the rules
//! both share, and the fingerprints by which the state knows a key it does not hold.

use tfplugin::{AttributePath, Diagnostics, Number};

use crate::keys::{PublicKey, parse_public_key_pem};

/// The attributes of one key input, and how messages name their owner (`keys["k1"]`, or the
/// resource type).
pub struct KeyInput<'a> {
    /// Who sets the attributes, as messages say it: `keys["k1"]` or `spirl_service_account_key`.
    pub subject: &'a str,
    /// What the key is for, in a summary: "deployment", "service account".
    pub what: &'a str,
    /// Where an error about the key as a whole goes (no public key at all).
    pub whole: AttributePath,
    /// `public_key`'s path and value.
    pub public_key: (AttributePath, Option<&'a str>),
    /// Whether `public_key` is set (its value may be unknown).
    pub public_key_set: bool,
    /// `public_key_wo`'s path and value.
    pub public_key_wo: (AttributePath, Option<&'a str>),
    /// Whether `public_key_wo` is set (its value may be unknown).
    pub public_key_wo_set: bool,
    /// `public_key_wo_version`'s path, when it is set.
    pub version_set: Option<AttributePath>,
}

impl KeyInput<'_> {
    /// Exactly one of `public_key` and `public_key_wo`, a version only with `public_key_wo`, and
    /// each key an ed25519 SPKI PEM.
    pub fn check(&self, diags: &mut Diagnostics) {
        let (subject, what) = (self.subject, self.what);
        match (self.public_key_set, self.public_key_wo_set) {
            (false, false) => diags.error_at(
                self.whole.clone(),
                format!("{} key has no public key", capitalized(what)),
                format!(
                    "{subject} sets neither public_key nor public_key_wo. Set public_key (stored \
                     in the state), for example `spirl_key_pair.<name>.public_key_pem`, or \
                     public_key_wo with public_key_wo_version (never stored; Terraform 1.11+), \
                     for example `ephemeral.spirl_key_pair.<name>.public_key_pem`."
                ),
            ),
            (true, true) => diags.error_at(
                self.public_key_wo.0.clone(),
                "Conflicting public keys",
                format!(
                    "{subject} sets both public_key and public_key_wo. Set one: public_key to \
                     keep the key in the state, or public_key_wo to keep it out."
                ),
            ),
            _ => {}
        }
        if let (false, Some(at)) = (self.public_key_wo_set, &self.version_set) {
            diags.error_at(
                at.clone(),
                "public_key_wo_version without public_key_wo",
                format!(
                    "{subject}.public_key_wo_version only says when to register public_key_wo \
                     again, and public_key_wo is not set. Set public_key_wo, or remove \
                     public_key_wo_version."
                ),
            );
        }
        for (attr, (path, pem)) in [
            ("public_key", &self.public_key),
            ("public_key_wo", &self.public_key_wo),
        ] {
            if let Some(Err(e)) = pem.map(parse_public_key_pem) {
                diags.error_at(
                    path.clone(),
                    format!("Invalid {what} public key"),
                    format!(
                        "{subject}.{attr} is not an ed25519 public key in SPKI PEM: {e}. Use \
                         `spirl_key_pair.<name>.public_key_pem`, or the output of `openssl pkey \
                         -pubout` for an ed25519 private key."
                    ),
                );
            }
        }
    }
}

fn capitalized(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// `public_key_wo_version` is a whole number.
pub fn check_version(version: &Number, at: &AttributePath, diags: &mut Diagnostics) {
    if version.as_i64().is_none() {
        diags.error_at(
            at.clone(),
            "Invalid public_key_wo_version",
            format!(
                "{at} must be a whole number (from -2^63 to 2^63-1), for example 1; increment it \
                 to register a new key."
            ),
        );
    }
}

/// The `SHA256:…` fingerprint of a public key PEM; `None` when it does not parse.
pub fn fingerprint(pem: &str) -> Option<String> {
    parse_public_key_pem(pem)
        .ok()
        .map(|key| key.fingerprint_sha256())
}

/// The `SHA256:…` fingerprint of a DER SubjectPublicKeyInfo, or of its bytes when it is not one
/// (the control plane only holds keys it accepted, so that is for robustness only).
pub fn fingerprint_der(der: &[u8]) -> String {
    match PublicKey::from_spki_der(der) {
        Ok(key) => key.fingerprint_sha256(),
        Err(_) => {
            use base64::Engine as _;
            use sha2::Digest as _;
            let digest = sha2::Sha256::digest(der);
            format!(
                "SHA256:{}",
                base64::engine::general_purpose::STANDARD_NO_PAD.encode(digest)
            )
        }
    }
}
