//! Diagnostics: errors and warnings with a summary, a detail and an optional attribute path,
//! the way Terraform shows them.

use std::fmt;

use magma_protocol::tfplugin6 as pb;

/// One step of an [`AttributePath`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum PathStep {
    /// An attribute (or nested block) by name.
    Attr(String),
    /// A map element by key.
    Key(String),
    /// A list or tuple element by index.
    Index(i64),
}

/// Where in a configuration or state a diagnostic points, for example
/// `AttributePath::root("keys").key("key1").attr("public_key")`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct AttributePath(pub Vec<PathStep>);

impl AttributePath {
    /// The empty path (the whole object).
    pub fn new() -> AttributePath {
        AttributePath(Vec::new())
    }

    /// A path starting at a top-level attribute.
    pub fn root(name: impl Into<String>) -> AttributePath {
        AttributePath(vec![PathStep::Attr(name.into())])
    }

    /// This path, then an attribute.
    pub fn attr(mut self, name: impl Into<String>) -> AttributePath {
        self.0.push(PathStep::Attr(name.into()));
        self
    }

    /// This path, then a map key.
    pub fn key(mut self, key: impl Into<String>) -> AttributePath {
        self.0.push(PathStep::Key(key.into()));
        self
    }

    /// This path, then a list index.
    pub fn index(mut self, i: i64) -> AttributePath {
        self.0.push(PathStep::Index(i));
        self
    }

    /// Whether the path is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// This path with `prefix` in front of it.
    pub fn prefixed(mut self, prefix: &AttributePath) -> AttributePath {
        let mut steps = prefix.0.clone();
        steps.append(&mut self.0);
        AttributePath(steps)
    }

    /// The protocol form.
    pub fn to_proto(&self) -> pb::AttributePath {
        use pb::attribute_path::step::Selector;
        pb::AttributePath {
            steps: self
                .0
                .iter()
                .map(|s| pb::attribute_path::Step {
                    selector: Some(match s {
                        PathStep::Attr(a) => Selector::AttributeName(a.clone()),
                        PathStep::Key(k) => Selector::ElementKeyString(k.clone()),
                        PathStep::Index(i) => Selector::ElementKeyInt(*i),
                    }),
                })
                .collect(),
        }
    }
}

impl fmt::Display for AttributePath {
    /// `keys["key1"].public_key`, `list[0]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, s) in self.0.iter().enumerate() {
            match s {
                PathStep::Attr(a) if i == 0 => f.write_str(a)?,
                PathStep::Attr(a) => write!(f, ".{a}")?,
                PathStep::Key(k) => write!(f, "[{k:?}]")?,
                PathStep::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

/// How serious a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    /// The operation failed.
    Error,
    /// The operation went on; the user should know.
    Warning,
}

/// One error or warning.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// One line saying what is wrong.
    pub summary: String,
    /// What happened in full, and what to do next.
    pub detail: String,
    /// The attribute it is about, if any.
    pub attribute: Option<AttributePath>,
}

impl Diagnostic {
    /// The protocol form.
    pub fn to_proto(&self) -> pb::Diagnostic {
        pb::Diagnostic {
            severity: match self.severity {
                Severity::Error => pb::diagnostic::Severity::Error,
                Severity::Warning => pb::diagnostic::Severity::Warning,
            } as i32,
            summary: self.summary.clone(),
            detail: self.detail.clone(),
            attribute: self.attribute.as_ref().map(AttributePath::to_proto),
        }
    }
}

/// The diagnostics an operation collects; handed to every provider method as `&mut Diagnostics`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Diagnostics {
    /// Everything reported so far, in order.
    pub items: Vec<Diagnostic>,
}

impl Diagnostics {
    /// No diagnostics yet.
    pub fn new() -> Diagnostics {
        Diagnostics::default()
    }

    fn push(
        &mut self,
        severity: Severity,
        summary: String,
        detail: String,
        attribute: Option<AttributePath>,
    ) {
        self.items.push(Diagnostic {
            severity,
            summary,
            detail,
            attribute,
        });
    }

    /// Reports an error.
    pub fn error(&mut self, summary: impl Into<String>, detail: impl Into<String>) {
        self.push(Severity::Error, summary.into(), detail.into(), None);
    }

    /// Reports an error about an attribute.
    pub fn error_at(
        &mut self,
        path: AttributePath,
        summary: impl Into<String>,
        detail: impl Into<String>,
    ) {
        self.push(Severity::Error, summary.into(), detail.into(), Some(path));
    }

    /// Reports a warning.
    pub fn warning(&mut self, summary: impl Into<String>, detail: impl Into<String>) {
        self.push(Severity::Warning, summary.into(), detail.into(), None);
    }

    /// Reports a warning about an attribute.
    pub fn warning_at(
        &mut self,
        path: AttributePath,
        summary: impl Into<String>,
        detail: impl Into<String>,
    ) {
        self.push(Severity::Warning, summary.into(), detail.into(), Some(path));
    }

    /// Whether any error was reported.
    pub fn has_errors(&self) -> bool {
        self.items.iter().any(|d| d.severity == Severity::Error)
    }

    /// Appends another set of diagnostics.
    pub fn extend(&mut self, other: Diagnostics) {
        self.items.extend(other.items);
    }

    /// The protocol form.
    pub fn to_proto(&self) -> Vec<pb::Diagnostic> {
        self.items.iter().map(Diagnostic::to_proto).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_reach_map_keys_and_list_indexes() {
        let p = AttributePath::root("keys").key("key1").attr("public_key");
        assert_eq!(p.to_string(), r#"keys["key1"].public_key"#);
        assert_eq!(AttributePath::root("l").index(3).to_string(), "l[3]");
        let proto = p.to_proto();
        assert_eq!(proto.steps.len(), 3);
        use pb::attribute_path::step::Selector;
        assert_eq!(
            proto.steps[1].selector,
            Some(Selector::ElementKeyString("key1".into()))
        );
        let mut d = Diagnostics::new();
        d.warning("w", "");
        assert!(!d.has_errors());
        d.error_at(p, "bad key", "detail");
        assert!(d.has_errors());
        assert_eq!(
            d.to_proto()[1].severity,
            pb::diagnostic::Severity::Error as i32
        );
    }
}
