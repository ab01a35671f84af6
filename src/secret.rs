//! A string that holds a secret: zeroed when dropped, redacted in `Debug`, no `Display`.
//!
//! Private keys and session tokens travel through the provider in this type so that a stray
//! `{:?}` in a log line or an error message cannot print them.

use std::fmt;

use zeroize::Zeroizing;

/// A secret string (a private key PEM, a bearer token).
///
/// `Debug` prints `SecretString(<redacted>)`; there is deliberately no `Display`, so the value
/// only leaves through [`SecretString::expose`], which is easy to grep for.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretString(Zeroizing<String>);

impl SecretString {
    /// Wraps a secret.
    pub fn new(value: impl Into<String>) -> Self {
        Self(Zeroizing::new(value.into()))
    }

    /// The secret itself, for the one place that must send or store it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl From<String> for SecretString {
    fn from(value: String) -> Self {
        Self::new(value)
    }
}

impl fmt::Debug for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretString(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_string_debug_is_redacted() {
        let secret = SecretString::new("hunter2");
        assert_eq!(format!("{secret:?}"), "SecretString(<redacted>)");
        assert_eq!(secret.expose(), "hunter2");
    }
}
