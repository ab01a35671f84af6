//! [`Value`]: a configuration value as Terraform hands it over: unset, not known yet, or known.

/// A configuration value.
///
/// At validate and plan time a value derived from another resource is `Unknown`; validation
/// skips such values instead of rejecting them, and rendering reports the result as unknown.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Value<T> {
    /// Not set in the configuration (`null`).
    #[default]
    Null,
    /// Set, but only known after apply.
    Unknown,
    /// Set and known.
    Known(T),
}

impl<T> Value<T> {
    /// The value when it is known.
    pub fn known(&self) -> Option<&T> {
        match self {
            Value::Known(value) => Some(value),
            Value::Null | Value::Unknown => None,
        }
    }

    /// Whether the value is not known yet.
    pub fn is_unknown(&self) -> bool {
        matches!(self, Value::Unknown)
    }
}

impl<T> From<Option<T>> for Value<T> {
    fn from(value: Option<T>) -> Self {
        value.map_or(Value::Null, Value::Known)
    }
}
