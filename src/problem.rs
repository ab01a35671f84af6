//! [`Problem`]: one finding about the user's configuration, named by attribute path.
//!
//! Pure validation code (provider configuration, data-source inputs) returns these; the protocol
//! wiring turns them into Terraform diagnostics in one place. A problem's text is shown to the
//! user as is: it says what is wrong and what to do, and never contains a secret.

use std::fmt;

/// Whether a problem stops the operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// Terraform stops.
    Error,
    /// Terraform shows it and carries on.
    Warning,
}

/// One step of an [`AttributePath`], as Terraform's `AttributePath` steps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathStep {
    /// `.name` (the first step is written without the dot).
    Attribute(String),
    /// `["key"]`: an element of a map.
    Key(String),
    /// `[index]`: an element of a list.
    Index(usize),
}

/// Where in the configuration a problem is: `certificate_arns[1]`, `extra_annotations["x"]`.
///
/// Empty means the whole block (the provider block, the data source).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AttributePath(Vec<PathStep>);

impl AttributePath {
    /// The whole block.
    pub fn root() -> Self {
        Self::default()
    }

    /// A top-level attribute.
    pub fn attr(name: &str) -> Self {
        Self(vec![PathStep::Attribute(name.to_owned())])
    }

    /// This path followed by a map key.
    pub fn key(mut self, key: &str) -> Self {
        self.0.push(PathStep::Key(key.to_owned()));
        self
    }

    /// This path followed by a list index.
    pub fn index(mut self, index: usize) -> Self {
        self.0.push(PathStep::Index(index));
        self
    }

    /// The steps, for conversion into Terraform's `AttributePath`.
    pub fn steps(&self) -> &[PathStep] {
        &self.0
    }
}

impl fmt::Display for AttributePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, step) in self.0.iter().enumerate() {
            match step {
                PathStep::Attribute(name) if i == 0 => f.write_str(name)?,
                PathStep::Attribute(name) => write!(f, ".{name}")?,
                PathStep::Key(key) => write!(f, "[{key:?}]")?,
                PathStep::Index(index) => write!(f, "[{index}]")?,
            }
        }
        Ok(())
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attribute_path_display_matches_terraform_notation() {
        assert_eq!(
            AttributePath::attr("certificate_arns").index(1).to_string(),
            "certificate_arns[1]"
        );
        assert_eq!(
            AttributePath::attr("extra_annotations")
                .key("x")
                .to_string(),
            r#"extra_annotations["x"]"#
        );
        assert_eq!(AttributePath::root().to_string(), "");
    }
}
