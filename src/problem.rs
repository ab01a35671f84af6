//! [`Problem`]: one finding about the user's configuration, named by attribute path.
//!
//! Pure validation code (provider configuration, data-source inputs) returns these; the protocol
//! wiring turns them into Terraform diagnostics in one place. A problem's text is shown to the
//! user as is: it says what is wrong and what to do, and never contains a secret.

use std::fmt;

pub use tfplugin::{AttributePath, Severity};

/// One finding about a configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Error or warning.
    pub severity: Severity,
    /// The attribute it is about.
    pub path: AttributePath,
    /// One line: what is wrong.
    pub summary: String,
    /// Why it matters and what to do.
    pub detail: String,
}

impl Problem {
    /// An error about `path`.
    pub fn error(
        path: AttributePath,
        summary: impl Into<String>,
        detail: impl Into<String>,
    ) -> Self {
        Self {
            severity: Severity::Error,
            path,
            summary: summary.into(),
            detail: detail.into(),
        }
    }

    /// A warning about `path`.
    pub fn warning(
        path: AttributePath,
        summary: impl Into<String>,
        detail: impl Into<String>,
    ) -> Self {
        Self {
            severity: Severity::Warning,
            path,
            summary: summary.into(),
            detail: detail.into(),
        }
    }

    /// Whether this problem stops the operation.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let severity = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(
            f,
            "{severity}: {}: {}: {}",
            self.path, self.summary, self.detail
        )
    }
}

/// Whether any of `problems` is an error.
pub fn has_errors(problems: &[Problem]) -> bool {
    problems.iter().any(Problem::is_error)
}

/// A user value for a message: escaped (control characters made visible) and cut to a sane length.
pub fn quote(value: &str) -> String {
    const MAX: usize = 80;
    match value.char_indices().nth(MAX) {
        Some((cut, _)) => format!(
            "{:?}… ({} characters)",
            &value[..cut],
            value.chars().count()
        ),
        None => format!("{value:?}"),
    }
}
