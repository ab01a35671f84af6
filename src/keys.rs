//! Ed25519 key material: generation, the encodings `spirl_key_pair` exposes, and the parsers that
//! tell a user precisely why a PEM is not the key we need.
//!
//! Encodings, chosen to be what other tools read and write:
//! - private key: PKCS#8 v1 (`PRIVATE KEY`) PEM, byte for byte what `openssl genpkey -algorithm
//!   ed25519` writes. We deliberately omit the optional embedded public key (PKCS#8 v2): not every
//!   consumer (older OpenSSL, some Go code) accepts v2, and the public key is derivable anyway;
//! - public key: SPKI (`PUBLIC KEY`) PEM, as `openssl pkey -pubout` writes it;
//! - OpenSSH: `ssh-ed25519 AAAA…`, one line with no comment and no trailing newline, so the value
//!   compares and interpolates cleanly (append `"\n"` when writing an `authorized_keys` file);
//! - fingerprint: `SHA256:` + unpadded base64 of SHA-256 over the SSH wire-format public key, as
//!   `ssh-keygen -l` prints it.

use std::collections::BTreeMap;
use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use ed25519_dalek::SigningKey;
use ed25519_dalek::pkcs8::spki::SubjectPublicKeyInfoRef;
use ed25519_dalek::pkcs8::spki::der::Decode as _;
use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use ed25519_dalek::pkcs8::{EncodePrivateKey as _, KeypairBytes, ObjectIdentifier, PrivateKeyInfo};
use rand::rngs::OsRng;
use sha2::{Digest as _, Sha256};
use zeroize::Zeroizing;

use crate::secret::SecretString;

/// Why a text is not the ed25519 PEM key that was expected.
///
/// The messages are written for a Terraform user: they say what was found and what to supply
/// instead. They never quote the input, which may be a private key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// Nothing but whitespace.
    #[error("the value is empty; expected a PEM block starting with `-----BEGIN {expected}-----`")]
    Empty {
        /// The PEM label that was expected.
        expected: &'static str,
    },
    /// An OpenSSH `ssh-ed25519 AAAA…` line where PEM was expected.
    #[error(
        "this is an OpenSSH public key (`ssh-…`), not PEM; supply the key as a `-----BEGIN {expected}-----` PEM block (for example `public_key_pem` of `spirl_key_pair`, or `ssh-keygen -e -m PKCS8 -f KEY.pub`)"
    )]
    OpenSsh {
        /// The PEM label that was expected.
        expected: &'static str,
    },
    /// No PEM armor at all.
    #[error("the value is not PEM: expected a block starting with `-----BEGIN {expected}-----`")]
    NotPem {
        /// The PEM label that was expected.
        expected: &'static str,
    },
    /// PEM armor that does not parse (mismatched BEGIN/END lines, bad base64, ...).
    #[error("the PEM block is malformed ({reason}); expected a `-----BEGIN {expected}-----` block")]
    MalformedPem {
        /// The PEM label that was expected.
        expected: &'static str,
        /// What is wrong, in general terms (never the offending bytes).
        reason: &'static str,
    },
    /// A private key where a public key belongs.
    #[error(
        "this is a private key (`{label}`), but a public key is expected here; supply the public half as a `-----BEGIN PUBLIC KEY-----` block (for example `public_key_pem` of `spirl_key_pair`, or `openssl pkey -pubout`) and keep the private key out of this attribute"
    )]
    PrivateKeyGiven {
        /// The label found.
        label: String,
    },
    /// A public key where a private key belongs.
    #[error(
        "this is a public key (`{label}`), but a private key is expected here; supply the service account's `-----BEGIN PRIVATE KEY-----` block"
    )]
    PublicKeyGiven {
        /// The label found.
        label: String,
    },
    /// An encrypted PKCS#8 key.
    #[error(
        "the private key is encrypted (`ENCRYPTED PRIVATE KEY`); supply it unencrypted (`openssl pkey -in KEY -out PLAIN`) and mark the variable sensitive"
    )]
    Encrypted,
    /// A certificate or another PEM type.
    #[error("the PEM block is a `{label}`, not a `{expected}`")]
    WrongLabel {
        /// The PEM label that was expected.
        expected: &'static str,
        /// The label found.
        label: String,
    },
    /// A key of another algorithm.
    #[error(
        "this is {algorithm} key, but an ed25519 key is required (create one with `openssl genpkey -algorithm ed25519` or the `spirl_key_pair` resource)"
    )]
    WrongAlgorithm {
        /// A human name of the algorithm found, with its article ("an RSA", "an EC P-256").
        algorithm: String,
    },
    /// The right armor around DER that does not decode as the expected structure.
    #[error("the `{expected}` block does not contain a valid ed25519 key ({reason})")]
    Malformed {
        /// The PEM label that was expected.
        expected: &'static str,
        /// What is wrong, in general terms.
        reason: &'static str,
    },
}

const PUBLIC_LABEL: &str = "PUBLIC KEY";
const PRIVATE_LABEL: &str = "PRIVATE KEY";
const SSH_KEY_TYPE: &str = "ssh-ed25519";

/// An ed25519 key pair.
///
/// `Debug` shows only the public key; the secret half is zeroed on drop (ed25519-dalek's
/// `zeroize` support).
#[derive(Clone)]
pub struct KeyPair {
    signing_key: SigningKey,
}

/// The attributes `spirl_key_pair` exposes, computed once per generated key.
#[derive(Clone, Debug)]
pub struct EncodedKeyPair {
    /// PKCS#8 `PRIVATE KEY` PEM, with a trailing newline.
    pub private_key_pem: SecretString,
    /// SPKI `PUBLIC KEY` PEM, with a trailing newline.
    pub public_key_pem: String,
    /// `ssh-ed25519 AAAA…`, no comment, no trailing newline.
    pub public_key_openssh: String,
    /// `SHA256:…` as `ssh-keygen -l` prints it.
    pub public_key_fingerprint_sha256: String,
}

/// An ed25519 public key: the 32 bytes of an ed25519 SPKI. They are not required to decode to a
/// point on the curve: the provider never verifies with a public key, and the control plane has
/// accepted keys that do not (a placeholder key of a keyless deployment, in a configuration that
/// works with the official provider), so refusing them would be stricter than the API.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct PublicKey {
    bytes: [u8; 32],
}

/// The DER of an ed25519 `SubjectPublicKeyInfo` up to its 32 key bytes (RFC 8410 §4): SEQUENCE,
/// AlgorithmIdentifier { id-Ed25519 }, BIT STRING with no unused bits.
const ED25519_SPKI_PREFIX: [u8; 12] = [
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
];

impl KeyPair {
    /// Draws a new key pair from the operating system's CSPRNG.
    pub fn generate() -> Self {
        Self {
            signing_key: SigningKey::generate(&mut OsRng),
        }
    }

    /// Parses an unencrypted PKCS#8 ed25519 private key PEM (the provider's `sa_private_key`).
    pub fn from_private_key_pem(text: &str) -> Result<Self, KeyError> {
        parse_private_key_pem(text)
    }

    /// The private key as PKCS#8 v1 `PRIVATE KEY` PEM (LF line endings, trailing newline).
    pub fn private_key_pem(&self) -> SecretString {
        let bytes = KeypairBytes {
            secret_key: self.signing_key.to_bytes(),
            public_key: None,
        };
        // Encoding 32 known-good bytes into a fixed ASN.1 structure cannot fail.
        #[allow(clippy::expect_used)]
        let pem = bytes
            .to_pkcs8_pem(LineEnding::LF)
            .expect("PKCS#8 encoding of an ed25519 key");
        SecretString::new(pem.as_str())
    }

    /// The public half.
    pub fn public_key(&self) -> PublicKey {
        PublicKey {
            bytes: self.signing_key.verifying_key().to_bytes(),
        }
    }

    /// The signing key, for the service-account login proof.
    pub fn signing_key(&self) -> &SigningKey {
        &self.signing_key
    }

    /// All encodings `spirl_key_pair` exposes.
    pub fn encode(&self) -> EncodedKeyPair {
        let public = self.public_key();
        EncodedKeyPair {
            private_key_pem: self.private_key_pem(),
            public_key_pem: public.to_pem(),
            public_key_openssh: public.to_openssh(),
            public_key_fingerprint_sha256: public.fingerprint_sha256(),
        }
    }
}

impl fmt::Debug for KeyPair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyPair")
            .field("public_key", &self.public_key())
            .field("private_key", &"<redacted>")
            .finish()
    }
}

impl PublicKey {
    /// Parses an SPKI `PUBLIC KEY` PEM holding an ed25519 key.
    pub fn from_pem(text: &str) -> Result<Self, KeyError> {
        parse_public_key_pem(text)
    }

    /// The 32 raw key bytes.
    pub fn to_bytes(&self) -> [u8; 32] {
        self.bytes
    }

    /// SPKI `PUBLIC KEY` PEM (LF line endings, trailing newline), as `openssl pkey -pubout`.
    pub fn to_pem(&self) -> String {
        // 44 bytes of DER are 60 base64 characters: one line, under PEM's 64.
        format!(
            "-----BEGIN {PUBLIC_LABEL}-----\n{}\n-----END {PUBLIC_LABEL}-----\n",
            STANDARD.encode(self.to_spki_der())
        )
    }

    /// DER `SubjectPublicKeyInfo`: what the control plane takes and returns (`pkix_pubkey`).
    pub fn to_spki_der(&self) -> Vec<u8> {
        let mut der = Vec::with_capacity(ED25519_SPKI_PREFIX.len() + self.bytes.len());
        der.extend_from_slice(&ED25519_SPKI_PREFIX);
        der.extend_from_slice(&self.bytes);
        der
    }

    /// Reads DER `SubjectPublicKeyInfo` holding an ed25519 key, as the control plane returns it.
    pub fn from_spki_der(der: &[u8]) -> Result<Self, KeyError> {
        let malformed = KeyError::Malformed {
            expected: PUBLIC_LABEL,
            reason: "not a DER SubjectPublicKeyInfo of an ed25519 key",
        };
        let spki = SubjectPublicKeyInfoRef::from_der(der).map_err(|_| malformed.clone())?;
        check_algorithm(spki.algorithm.oid, spki.algorithm.parameters_oid().ok())
            .map_err(|_| malformed.clone())?;
        let bytes = spki
            .subject_public_key
            .as_bytes()
            .and_then(|b| <[u8; 32]>::try_from(b).ok())
            .ok_or(malformed)?;
        Ok(PublicKey { bytes })
    }

    /// `ssh-ed25519 AAAA…` with no comment and no trailing newline.
    pub fn to_openssh(&self) -> String {
        format!("{SSH_KEY_TYPE} {}", STANDARD.encode(self.ssh_wire()))
    }

    /// `SHA256:` + unpadded base64 of SHA-256 over the SSH wire-format key (`ssh-keygen -l`).
    pub fn fingerprint_sha256(&self) -> String {
        let digest = Sha256::digest(self.ssh_wire());
        format!("SHA256:{}", STANDARD_NO_PAD.encode(digest))
    }

    /// RFC 8709 wire format: string "ssh-ed25519", string key.
    fn ssh_wire(&self) -> Vec<u8> {
        let key = &self.bytes;
        let mut wire = Vec::with_capacity(4 + SSH_KEY_TYPE.len() + 4 + key.len());
        for field in [SSH_KEY_TYPE.as_bytes(), key.as_slice()] {
            // Both fields are tiny constants; their lengths fit in u32.
            wire.extend_from_slice(&(field.len() as u32).to_be_bytes());
            wire.extend_from_slice(field);
        }
        wire
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey({})", self.to_openssh())
    }
}

/// Whether two PEM texts hold the same public key (line endings, wrapping and the text around
/// the block do not matter); texts that do not parse compare as text.
pub fn same_public_key(a: &str, b: &str) -> bool {
    match (parse_public_key_pem(a), parse_public_key_pem(b)) {
        (Ok(a), Ok(b)) => a.to_bytes() == b.to_bytes(),
        _ => a == b,
    }
}

/// Whether two DER `SubjectPublicKeyInfo`s hold the same ed25519 key; ones that do not parse
/// compare as bytes.
pub fn same_der_key(a: &[u8], b: &[u8]) -> bool {
    match (PublicKey::from_spki_der(a), PublicKey::from_spki_der(b)) {
        (Ok(a), Ok(b)) => a.to_bytes() == b.to_bytes(),
        _ => a == b,
    }
}

/// A public key attribute's value: SPKI `PUBLIC KEY` PEM text that compares as the key it holds
/// ([`same_public_key`]), so plans, refreshes and applies keep the configured spelling of the
/// same key (as terraform-plugin-framework-jsontypes' normalized type does for JSON).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct PublicKeyPem(pub String);

impl std::ops::Deref for PublicKeyPem {
    type Target = String;
    fn deref(&self) -> &String {
        &self.0
    }
}

impl From<String> for PublicKeyPem {
    fn from(s: String) -> Self {
        PublicKeyPem(s)
    }
}

impl From<&str> for PublicKeyPem {
    fn from(s: &str) -> Self {
        PublicKeyPem(s.to_owned())
    }
}

impl tfplugin::TfValue for PublicKeyPem {
    fn tf_type() -> tfplugin::Type {
        tfplugin::Type::String
    }
    fn semantically_equal(&self, other: &Self) -> bool {
        same_public_key(self, other)
    }
}

/// Reads the SPKI `PUBLIC KEY` PEM block in `text` (text around it is ignored, as Go's
/// `pem.Decode` ignores it) holding an ed25519 key, and says precisely what it is otherwise (an
/// RSA or EC key, a private key, not PEM).
pub fn parse_public_key_pem(text: &str) -> Result<PublicKey, KeyError> {
    let block = key_block(text, PUBLIC_LABEL)?;
    match block.label.as_str() {
        PUBLIC_LABEL => {}
        "RSA PUBLIC KEY" => {
            return Err(KeyError::WrongAlgorithm {
                algorithm: "an RSA".into(),
            });
        }
        label if label.contains("PRIVATE KEY") => {
            return Err(KeyError::PrivateKeyGiven {
                label: label.into(),
            });
        }
        label => {
            return Err(KeyError::WrongLabel {
                expected: PUBLIC_LABEL,
                label: label.into(),
            });
        }
    }
    let spki = SubjectPublicKeyInfoRef::from_der(&block.der).map_err(|_| KeyError::Malformed {
        expected: PUBLIC_LABEL,
        reason: "not a DER SubjectPublicKeyInfo",
    })?;
    check_algorithm(spki.algorithm.oid, spki.algorithm.parameters_oid().ok())?;
    let raw: [u8; 32] = spki
        .subject_public_key
        .as_bytes()
        .and_then(|b| b.try_into().ok())
        .ok_or(KeyError::Malformed {
            expected: PUBLIC_LABEL,
            reason: "the key is not 32 bytes long",
        })?;
    Ok(PublicKey { bytes: raw })
}

/// Reads the unencrypted PKCS#8 `PRIVATE KEY` PEM block in `text` (text around it is ignored)
/// holding an ed25519 key (v1, or v2 with a matching public key), and says precisely what it is
/// otherwise.
pub fn parse_private_key_pem(text: &str) -> Result<KeyPair, KeyError> {
    let block = key_block(text, PRIVATE_LABEL)?;
    match block.label.as_str() {
        PRIVATE_LABEL => {}
        "ENCRYPTED PRIVATE KEY" => return Err(KeyError::Encrypted),
        "RSA PRIVATE KEY" => {
            return Err(KeyError::WrongAlgorithm {
                algorithm: "an RSA".into(),
            });
        }
        "EC PRIVATE KEY" => {
            return Err(KeyError::WrongAlgorithm {
                algorithm: "an EC".into(),
            });
        }
        "OPENSSH PRIVATE KEY" => {
            return Err(KeyError::WrongLabel {
                expected: PRIVATE_LABEL,
                label: "OPENSSH PRIVATE KEY (convert it with `ssh-keygen -p -m PKCS8 -f KEY`)"
                    .into(),
            });
        }
        label if label.contains("PUBLIC KEY") => {
            return Err(KeyError::PublicKeyGiven {
                label: label.into(),
            });
        }
        label => {
            return Err(KeyError::WrongLabel {
                expected: PRIVATE_LABEL,
                label: label.into(),
            });
        }
    }
    let info = PrivateKeyInfo::from_der(&block.der).map_err(|_| KeyError::Malformed {
        expected: PRIVATE_LABEL,
        reason: "not a DER PKCS#8 PrivateKeyInfo",
    })?;
    check_algorithm(info.algorithm.oid, info.algorithm.parameters_oid().ok())?;
    let signing_key = SigningKey::try_from(info).map_err(|_| KeyError::Malformed {
        expected: PRIVATE_LABEL,
        reason: "the key bytes are malformed or the embedded public key does not match",
    })?;
    Ok(KeyPair { signing_key })
}

/// One decoded PEM block: its label and the DER between its armor lines.
struct PemBlock {
    label: String,
    /// Zeroed on drop: it may be a private key.
    der: Zeroizing<Vec<u8>>,
}

/// Go's `base64.StdEncoding`, which `encoding/pem` decodes with: padding required, non-zero
/// trailing bits allowed.
const PEM_BASE64: base64::engine::GeneralPurpose = base64::engine::GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    base64::engine::GeneralPurposeConfig::new().with_decode_allow_trailing_bits(true),
);

/// The PEM blocks of `text`, in order, found as Go's `encoding/pem.Decode` (which the official
/// provider's Go toolchain reads keys with) finds them: text before, between and after blocks is
/// skipped, RFC 1421 header lines (`Key: value`) are skipped, and a block that does not decode
/// is skipped too. With no block, the error says why the first attempt failed. Leading
/// whitespace on a line is tolerated (a heredoc's indentation), which Go is not: never stricter.
fn pem_blocks(text: &str, expected: &'static str) -> Result<Vec<PemBlock>, KeyError> {
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    // Where each label's END lines are, so that a text of many BEGIN lines reads in linear time.
    let mut ends: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (at, line) in lines.iter().enumerate() {
        let label = line
            .strip_prefix("-----END ")
            .and_then(|l| l.strip_suffix("-----"));
        if let Some(label) = label {
            ends.entry(label).or_default().push(at);
        }
    }
    let last_end = ends.values().filter_map(|at| at.last()).max().copied();
    // Lines of armor (`-----…`): a body holding one cannot be base64.
    let armor: Vec<usize> = (0..lines.len())
        .filter(|&at| lines[at].starts_with("-----"))
        .collect();
    let mut blocks = Vec::new();
    let mut failure = None;
    let mut i = 0;
    while i < lines.len() {
        let label = lines[i]
            .strip_prefix("-----BEGIN ")
            .and_then(|l| l.strip_suffix("-----"));
        let Some(label) = label else {
            i += 1;
            continue;
        };
        let end = ends
            .get(label)
            .and_then(|at| at.get(at.partition_point(|&end| end <= i)));
        let Some(&end) = end else {
            failure.get_or_insert(if last_end.is_some_and(|end| end > i) {
                "the BEGIN and END labels differ"
            } else {
                "the END line is missing"
            });
            i += 1;
            continue;
        };
        // `end` is armor after `i`, so there is one.
        let next_armor = armor
            .get(armor.partition_point(|&at| at <= i))
            .copied()
            .unwrap_or(end);
        if next_armor < end {
            failure.get_or_insert("another `-----` line comes before the END line");
            i = next_armor;
            continue;
        }
        let body: Zeroizing<String> = lines[i + 1..end]
            .iter()
            .skip_while(|l| l.contains(':'))
            .flat_map(|l| l.chars().filter(|c| !c.is_whitespace()))
            .collect::<String>()
            .into();
        // The decoder's errors can quote input; only their kind is reported.
        match PEM_BASE64.decode(body.as_bytes()) {
            Ok(der) => {
                blocks.push(PemBlock {
                    label: label.to_owned(),
                    der: Zeroizing::new(der),
                });
                i = end + 1;
            }
            Err(_) => {
                failure.get_or_insert("the base64 body is invalid");
                i += 1;
            }
        }
    }
    if blocks.is_empty() {
        if let Some(reason) = failure {
            return Err(KeyError::MalformedPem { expected, reason });
        }
        let trimmed = text.trim();
        return Err(if trimmed.is_empty() {
            KeyError::Empty { expected }
        } else if trimmed.starts_with("ssh-") || trimmed.starts_with("ecdsa-sha2-") {
            KeyError::OpenSsh { expected }
        } else if trimmed.contains("-----BEGIN ") {
            KeyError::MalformedPem {
                expected,
                reason: "the armor lines are malformed",
            }
        } else {
            KeyError::NotPem { expected }
        });
    }
    Ok(blocks)
}

/// The block to read a key from: the first labelled `expected`, never stricter than Go's
/// `pem.Decode` followed by a check of the label (which reads the first block only); else the
/// first block, whose label the caller names in its error.
fn key_block(text: &str, expected: &'static str) -> Result<PemBlock, KeyError> {
    let mut blocks = pem_blocks(text, expected)?;
    let index = blocks.iter().position(|b| b.label == expected).unwrap_or(0);
    Ok(blocks.swap_remove(index))
}

/// Accepts ed25519 and names every other algorithm a user is likely to paste.
fn check_algorithm(oid: ObjectIdentifier, curve: Option<ObjectIdentifier>) -> Result<(), KeyError> {
    let algorithm = match oid.to_string().as_str() {
        "1.3.101.112" => return Ok(()),
        "1.2.840.113549.1.1.1" | "1.2.840.113549.1.1.10" => "an RSA".to_string(),
        "1.2.840.10045.2.1" => {
            let curve = curve.map(|c| c.to_string());
            match curve.as_deref() {
                Some("1.2.840.10045.3.1.7") => "an EC P-256".to_string(),
                Some("1.3.132.0.34") => "an EC P-384".to_string(),
                Some("1.3.132.0.35") => "an EC P-521".to_string(),
                Some("1.3.132.0.10") => "an EC secp256k1".to_string(),
                _ => "an EC".to_string(),
            }
        }
        "1.3.101.110" => "an X25519".to_string(),
        "1.3.101.111" => "an X448".to_string(),
        "1.3.101.113" => "an Ed448".to_string(),
        "1.2.840.10040.4.1" => "a DSA".to_string(),
        other => format!("an unknown-algorithm (OID {other})"),
    };
    Err(KeyError::WrongAlgorithm { algorithm })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn key_pair_generate_round_trips_through_pem() {
        let pair = KeyPair::generate();
        let encoded = pair.encode();
        let again = parse_private_key_pem(encoded.private_key_pem.expose()).unwrap();
        assert_eq!(again.public_key(), pair.public_key());
        assert_eq!(
            parse_public_key_pem(&encoded.public_key_pem).unwrap(),
            pair.public_key()
        );
        assert!(
            encoded
                .private_key_pem
                .expose()
                .starts_with("-----BEGIN PRIVATE KEY-----\n")
        );
        assert!(
            encoded
                .private_key_pem
                .expose()
                .ends_with("-----END PRIVATE KEY-----\n")
        );
        assert!(
            encoded
                .public_key_pem
                .starts_with("-----BEGIN PUBLIC KEY-----\n")
        );
        assert!(
            encoded
                .public_key_pem
                .ends_with("-----END PUBLIC KEY-----\n")
        );
    }

    #[test]
    fn key_pair_private_pem_is_pkcs8_v1_like_openssl_genpkey() {
        let pem = KeyPair::generate().private_key_pem();
        let der = pem::parse(pem.expose()).unwrap();
        // 48 bytes with the fixed prefix OpenSSL writes: v1, no embedded public key.
        assert_eq!(der.contents().len(), 48);
        assert_eq!(
            &der.contents()[..16],
            &[
                0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22,
                0x04, 0x20
            ]
        );
    }

    #[test]
    fn key_pair_openssh_matches_public_key() {
        let pair = KeyPair::generate();
        let line = pair.public_key().to_openssh();
        let (kind, b64) = line.split_once(' ').unwrap();
        assert_eq!(kind, "ssh-ed25519");
        assert!(!b64.contains(' ') && !line.ends_with('\n'));
        let wire = STANDARD.decode(b64).unwrap();
        assert_eq!(&wire[..4], &[0, 0, 0, 11]);
        assert_eq!(&wire[4..15], b"ssh-ed25519");
        assert_eq!(&wire[15..19], &[0, 0, 0, 32]);
        assert_eq!(&wire[19..], &pair.public_key().to_bytes());
    }

    #[test]
    fn key_pair_debug_is_redacted() {
        let pair = KeyPair::generate();
        let encoded = pair.encode();
        let body: String = encoded
            .private_key_pem
            .expose()
            .lines()
            .filter(|l| !l.starts_with("-----"))
            .collect();
        for debug in [format!("{pair:?}"), format!("{encoded:?}")] {
            assert!(!debug.contains(&body), "{debug}");
            assert!(debug.contains("redacted"), "{debug}");
        }
    }

    /// `ssh-keygen -l` of a fixed test-only key (RFC 8032 test vector 1's public key).
    #[test]
    fn public_key_fingerprint_known_vector() {
        let pem = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\n-----END PUBLIC KEY-----\n";
        let key = parse_public_key_pem(pem).unwrap();
        assert_eq!(
            key.to_openssh(),
            "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINdamAGCsQq31Uv+08lkBzoO4XLz2qYjJa8CGmj3B1Ea"
        );
        assert_eq!(key.to_pem(), pem);
        assert_eq!(
            key.fingerprint_sha256(),
            "SHA256:bbXpuKG6zhzdmnxq256TlqzFBzRl2f6OOg722cYNbU8"
        );
    }

    // Test-only keys of other kinds, made with `openssl genpkey`; never used for anything.
    const RSA_PUBLIC: &str = "-----BEGIN PUBLIC KEY-----\nMFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBAOYd27XYLtHLj2pafwpOy/99UwtXAonz\n7mtEHmpLEm9hG0ciKivAtPDKYlKNoQJdVus0mdPhUdTkdQTmJNmUTIcCAwEAAQ==\n-----END PUBLIC KEY-----\n";
    const EC_PUBLIC: &str = "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEmpDysX7rVaO48Vz0y3/espQCZZW0\nHfPIT2HhCz3n5MxSiMZdtg19x+q7v9Rv+RdKKXkjT+cMXv0zitP5VnNn0A==\n-----END PUBLIC KEY-----\n";
    const X25519_PUBLIC: &str = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VuAyEAjqtXrJqsyyDdxKPxh7y6+JQI2MbQE/+TYBh5zVCqJ0I=\n-----END PUBLIC KEY-----\n";
    const ED448_PUBLIC: &str = "-----BEGIN PUBLIC KEY-----\nMEMwBQYDK2VxAzoAluDdri3YjrFfLUcmHPzWE8oVfzaWLKoAn49VgNlsOxBVwttm\nf2hAIWuO2J9Dkl0LwAh4scFuE2iA\n-----END PUBLIC KEY-----\n";
    const EC_PRIVATE: &str = "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgo07+zIIdlJkLq6o8\nCHMMSipX7rd9Xg86rUewSAi8gKuhRANCAATUNY0f2SDZGu4EajwAOFW43nI1JzQ2\ntAc0EW2n6SFGQ9coxYJqUUthJzpvuh37bYCcnh2WXo1+nG/xNaU4zyPm\n-----END PRIVATE KEY-----\n";

    fn public_err(text: &str) -> KeyError {
        parse_public_key_pem(text).unwrap_err()
    }

    #[test]
    fn parse_public_key_pem_accepts_bytes_that_are_no_curve_point() {
        // A placeholder key from a configuration that works with the official provider: an
        // ed25519 SPKI whose 32 bytes do not decode to a point. The control plane took it, so we
        // take it too, and it round-trips through PEM and DER unchanged.
        let pem = "-----BEGIN PUBLIC KEY-----\n\
                   MCowBQYDK2VwAyEANoPrivateKeyExistsForThisPlaceholderKeyless=\n\
                   -----END PUBLIC KEY-----\n";
        let key = parse_public_key_pem(pem).unwrap();
        assert!(ed25519_dalek::VerifyingKey::from_bytes(&key.to_bytes()).is_err());
        assert_eq!(key.to_pem(), pem);
        assert_eq!(PublicKey::from_spki_der(&key.to_spki_der()).unwrap(), key);
        // A generated key encodes exactly as the pkcs8 crate does.
        let generated = KeyPair::generate();
        use ed25519_dalek::pkcs8::EncodePublicKey as _;
        let verifying = generated.signing_key().verifying_key();
        assert_eq!(
            generated.public_key().to_pem(),
            verifying.to_public_key_pem(LineEnding::LF).unwrap()
        );
        assert_eq!(
            generated.public_key().to_spki_der(),
            verifying.to_public_key_der().unwrap().into_vec()
        );
    }

    #[test]
    fn parse_public_key_pem_rejections_say_why() {
        let pair = KeyPair::generate();
        let public = pair.public_key().to_pem();
        let private = pair.private_key_pem();
        assert!(matches!(public_err(""), KeyError::Empty { .. }));
        assert!(matches!(public_err("hello"), KeyError::NotPem { .. }));
        assert!(matches!(
            public_err(&pair.public_key().to_openssh()),
            KeyError::OpenSsh { .. }
        ));
        let err = public_err(private.expose());
        assert!(matches!(err, KeyError::PrivateKeyGiven { .. }));
        let body = private.expose().lines().nth(1).unwrap();
        assert!(!err.to_string().contains(body));
        let rsa = public_err(RSA_PUBLIC);
        assert_eq!(
            rsa,
            KeyError::WrongAlgorithm {
                algorithm: "an RSA".into()
            }
        );
        assert!(
            rsa.to_string()
                .starts_with("this is an RSA key, but an ed25519 key is required")
        );
        assert_eq!(
            public_err(EC_PUBLIC),
            KeyError::WrongAlgorithm {
                algorithm: "an EC P-256".into()
            }
        );
        for (pem, algorithm) in [(X25519_PUBLIC, "an X25519"), (ED448_PUBLIC, "an Ed448")] {
            assert_eq!(
                public_err(pem),
                KeyError::WrongAlgorithm {
                    algorithm: algorithm.into()
                }
            );
        }
        assert!(matches!(
            public_err("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"),
            KeyError::Malformed { .. }
        ));
        assert!(matches!(
            public_err("-----BEGIN PUBLIC KEY-----\nMCow\n-----END PRIVATE KEY-----\n"),
            KeyError::MalformedPem { .. }
        ));
        assert!(matches!(
            public_err("-----BEGIN CERTIFICATE-----\nMCow\n-----END CERTIFICATE-----\n"),
            KeyError::WrongLabel { .. }
        ));
        // Surrounding whitespace (a heredoc's indentation, a trailing newline) is fine.
        assert!(parse_public_key_pem(&format!("\n  {public}\n\n")).is_ok());
    }

    #[test]
    fn parse_public_key_pem_reads_the_key_block_as_go_pem_decode_finds_it() {
        let pair = KeyPair::generate();
        let key = pair.public_key();
        let public = key.to_pem();
        let other = KeyPair::generate().public_key().to_pem();
        let body = public.lines().nth(1).unwrap();
        let with_headers = format!(
            "-----BEGIN PUBLIC KEY-----\nComment: ours\n\n{body}\n-----END PUBLIC KEY-----\n"
        );
        let certificate = "-----BEGIN CERTIFICATE-----\nMCow\n-----END CERTIFICATE-----\n";
        for text in [
            format!("# the cluster's key\n{public}kept in vault\n"),
            format!("{public}{other}"),
            format!("{public}garbage"),
            with_headers,
            // Go's pem.Decode skips a block that does not decode; so do we.
            format!("-----BEGIN PUBLIC KEY-----\n!!!\n-----END PUBLIC KEY-----\n{public}"),
            // Go's decoder would return the certificate first; we take the key after it.
            format!("{certificate}{public}"),
            format!("{}\n{public}", pair.private_key_pem().expose()),
        ] {
            assert_eq!(parse_public_key_pem(&text), Ok(key), "{text}");
            assert!(same_public_key(&text, &public), "{text}");
        }
        assert!(!same_public_key(&format!("{other}{public}"), &public));
        // With no key block, the first block's label says what was given instead.
        assert!(matches!(
            public_err(&format!("{certificate}{certificate}")),
            KeyError::WrongLabel { .. }
        ));
        assert!(matches!(
            public_err("text\n-----BEGIN PUBLIC KEY-----\n!!!\n-----END PUBLIC KEY-----\n"),
            KeyError::MalformedPem {
                reason: "the base64 body is invalid",
                ..
            }
        ));
        assert!(matches!(
            public_err("-----BEGIN PUBLIC KEY-----\nMCow\n"),
            KeyError::MalformedPem {
                reason: "the END line is missing",
                ..
            }
        ));
        // Many BEGIN lines with no END read in linear time.
        let started = std::time::Instant::now();
        let many = "-----BEGIN PUBLIC KEY-----\n".repeat(100_000);
        assert!(matches!(public_err(&many), KeyError::MalformedPem { .. }));
        assert!(parse_public_key_pem(&format!("{many}{public}")).is_ok());
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }

    #[test]
    fn parse_private_key_pem_rejections_say_why() {
        let pair = KeyPair::generate();
        assert!(matches!(
            parse_private_key_pem(&pair.public_key().to_pem()).unwrap_err(),
            KeyError::PublicKeyGiven { .. }
        ));
        assert_eq!(
            parse_private_key_pem(
                "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMCow\n-----END ENCRYPTED PRIVATE KEY-----\n"
            )
            .unwrap_err(),
            KeyError::Encrypted
        );
        assert!(matches!(
            parse_private_key_pem(
                "-----BEGIN RSA PRIVATE KEY-----\nMCow\n-----END RSA PRIVATE KEY-----\n"
            )
            .unwrap_err(),
            KeyError::WrongAlgorithm { .. }
        ));
        assert_eq!(
            parse_private_key_pem(EC_PRIVATE).unwrap_err(),
            KeyError::WrongAlgorithm {
                algorithm: "an EC P-256".into()
            }
        );
        // Text around the key is ignored, as Go's pem.Decode ignores it; a public key before
        // it is passed over.
        let private = pair.private_key_pem();
        let public = pair.public_key().to_pem();
        for text in [
            format!("# service account key\n{}trailing", private.expose()),
            format!("{public}{}", private.expose()),
        ] {
            let parsed = parse_private_key_pem(&text).unwrap();
            assert_eq!(parsed.public_key(), pair.public_key());
        }
        // A private key's bytes never appear in an error.
        let broken = private.expose().replace("-----END PRIVATE KEY-----", "");
        let err = parse_private_key_pem(&broken).unwrap_err();
        let body = private.expose().lines().nth(1).unwrap();
        assert!(!err.to_string().contains(body), "{err}");
    }

    #[test]
    fn parse_private_key_pem_accepts_pkcs8_v2_with_matching_public_key() {
        let pair = KeyPair::generate();
        // ed25519-dalek's own encoder writes v2 (with the public key).
        let v2 = pair.signing_key().to_pkcs8_pem(LineEnding::LF).unwrap();
        let parsed = parse_private_key_pem(&v2).unwrap();
        assert_eq!(parsed.public_key(), pair.public_key());
    }
}
