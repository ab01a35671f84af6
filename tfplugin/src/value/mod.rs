//! Terraform values: cty [`Type`]s, [`Value`]s with null and unknown kept apart from empty, and
//! their wire encodings (msgpack for `DynamicValue`, JSON for raw state).

mod json;
mod msgpack;
mod number;
mod types;

use std::collections::BTreeMap;
use std::fmt;

use crate::diag::{AttributePath, PathStep};

pub(crate) use json::write_json_string;
pub use number::Number;
pub use types::Type;

/// How deep values and types may nest before decoding refuses them (guards the stack).
pub(crate) const MAX_DEPTH: usize = 256;

/// Why a value could not be decoded, encoded or converted; carries the attribute path when known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueError {
    /// What went wrong.
    pub message: String,
    /// Where, relative to the value being handled.
    pub path: AttributePath,
}

impl ValueError {
    /// An error with this message.
    pub fn new(msg: impl Into<String>) -> ValueError {
        ValueError {
            message: msg.into(),
            path: AttributePath::new(),
        }
    }

    /// The same error, one step further down from the caller's point of view.
    pub fn within(mut self, step: PathStep) -> ValueError {
        self.path.0.insert(0, step);
        self
    }
}

impl fmt::Display for ValueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

impl std::error::Error for ValueError {}

/// A cty value. The type lives beside it (in the schema); only dynamic positions carry their
/// own type, in [`Value::Dynamic`].
///
/// `Null` and `Unknown` may appear anywhere, including inside collections; an empty list, map or
/// string is a known, non-null value.
#[derive(Clone, Debug, Default)]
pub enum Value {
    /// A null value (unset).
    #[default]
    Null,
    /// A value not known until apply.
    Unknown,
    /// A bool.
    Bool(bool),
    /// A number.
    Number(Number),
    /// A string.
    String(String),
    /// A list.
    List(Vec<Value>),
    /// A set (order is not significant).
    Set(Vec<Value>),
    /// A map.
    Map(BTreeMap<String, Value>),
    /// An object: one entry per attribute of its type.
    Object(BTreeMap<String, Value>),
    /// A tuple.
    Tuple(Vec<Value>),
    /// A value in a `dynamic` position, with the concrete type it was sent with.
    Dynamic(Box<(Type, Value)>),
}

impl Value {
    /// Decodes a msgpack `DynamicValue` of type `ty`.
    pub fn from_msgpack(bytes: &[u8], ty: &Type) -> Result<Value, ValueError> {
        msgpack::decode(bytes, ty)
    }

    /// Encodes as msgpack for type `ty`.
    pub fn to_msgpack(&self, ty: &Type) -> Result<Vec<u8>, ValueError> {
        msgpack::encode(self, ty)
    }

    /// Decodes Terraform's JSON value encoding (raw state) for type `ty`.
    pub fn from_json(bytes: &[u8], ty: &Type) -> Result<Value, ValueError> {
        json::decode(bytes, ty)
    }

    /// Encodes as Terraform's JSON value encoding for type `ty` (unknowns are an error).
    pub fn to_json(&self, ty: &Type) -> Result<String, ValueError> {
        json::encode(self, ty)
    }

    /// A value in a dynamic position with its concrete type.
    pub fn dynamic(ty: Type, value: Value) -> Value {
        Value::Dynamic(Box::new((ty, value)))
    }

    /// An object from attribute names and values.
    pub fn object<K: Into<String>>(attrs: impl IntoIterator<Item = (K, Value)>) -> Value {
        Value::Object(attrs.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    /// A map from keys and values.
    pub fn map<K: Into<String>>(entries: impl IntoIterator<Item = (K, Value)>) -> Value {
        Value::Map(entries.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    /// The value itself, looking through a [`Value::Dynamic`] wrapper.
    pub fn inner(&self) -> &Value {
        match self {
            Value::Dynamic(d) => d.1.inner(),
            v => v,
        }
    }

    /// Whether the value is null.
    pub fn is_null(&self) -> bool {
        matches!(self.inner(), Value::Null)
    }

    /// Whether the value itself is unknown (elements may still be unknown when this is false).
    pub fn is_unknown(&self) -> bool {
        matches!(self.inner(), Value::Unknown)
    }

    /// Whether neither the value nor anything inside it is unknown.
    pub fn is_wholly_known(&self) -> bool {
        match self.inner() {
            Value::Unknown => false,
            Value::List(v) | Value::Set(v) | Value::Tuple(v) => {
                v.iter().all(Value::is_wholly_known)
            }
            Value::Map(m) | Value::Object(m) => m.values().all(Value::is_wholly_known),
            _ => true,
        }
    }

    /// An attribute of an object (or an entry of a map).
    pub fn get_attr(&self, name: &str) -> Option<&Value> {
        match self.inner() {
            Value::Object(m) | Value::Map(m) => m.get(name),
            _ => None,
        }
    }

    /// The value at `path`, if every step exists.
    pub fn get_path(&self, path: &AttributePath) -> Option<&Value> {
        path.0
            .iter()
            .try_fold(self, |v, step| match (v.inner(), step) {
                (Value::Object(m), PathStep::Attr(a)) => m.get(a),
                (Value::Map(m), PathStep::Key(k)) => m.get(k),
                (Value::List(l) | Value::Tuple(l), PathStep::Index(i)) => {
                    usize::try_from(*i).ok().and_then(|i| l.get(i))
                }
                _ => None,
            })
    }

    /// Replaces every unknown value inside with the value at the same place in `other` (null
    /// where `other` has none).
    pub fn fill_unknown_from(&mut self, other: &Value) {
        match self {
            Value::Unknown => *self = other.clone(),
            Value::Object(m) | Value::Map(m) => {
                for (k, v) in m.iter_mut() {
                    v.fill_unknown_from(other.get_attr(k).unwrap_or(&Value::Null));
                }
            }
            Value::List(l) | Value::Tuple(l) => {
                for (i, v) in l.iter_mut().enumerate() {
                    let o = match other.inner() {
                        Value::List(o) | Value::Tuple(o) => o.get(i),
                        _ => None,
                    };
                    v.fill_unknown_from(o.unwrap_or(&Value::Null));
                }
            }
            Value::Set(l) => {
                for v in l.iter_mut() {
                    v.fill_unknown_from(&Value::Null);
                }
            }
            Value::Dynamic(d) => d.1.fill_unknown_from(other),
            _ => {}
        }
    }

    /// Replaces the value at `path`; false when the path does not exist.
    pub fn set_path(&mut self, path: &AttributePath, new: Value) -> bool {
        let mut v = self;
        for step in &path.0 {
            if let Value::Dynamic(d) = v {
                v = &mut d.1;
            }
            let next = match (v, step) {
                (Value::Object(m), PathStep::Attr(a)) => m.get_mut(a),
                (Value::Map(m), PathStep::Key(k)) => m.get_mut(k),
                (Value::List(l) | Value::Tuple(l), PathStep::Index(i)) => {
                    usize::try_from(*i).ok().and_then(|i| l.get_mut(i))
                }
                _ => None,
            };
            match next {
                Some(n) => v = n,
                None => return false,
            }
        }
        *v = new;
        true
    }

    /// The string, if this is a known string.
    pub fn as_str(&self) -> Option<&str> {
        match self.inner() {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The bool, if this is a known bool.
    pub fn as_bool(&self) -> Option<bool> {
        match self.inner() {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The number, if this is a known number.
    pub fn as_number(&self) -> Option<&Number> {
        match self.inner() {
            Value::Number(n) => Some(n),
            _ => None,
        }
    }

    /// A short name of the value's kind, for messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Unknown => "unknown",
            Value::Bool(_) => "bool",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::List(_) => "list",
            Value::Set(_) => "set",
            Value::Map(_) => "map",
            Value::Object(_) => "object",
            Value::Tuple(_) => "tuple",
            Value::Dynamic(_) => "dynamic",
        }
    }

    /// The type this value most plausibly has, for encoding it in a dynamic position.
    pub fn infer_type(&self) -> Type {
        fn common(items: &[Value]) -> Type {
            let mut it = items
                .iter()
                .filter(|v| !matches!(v, Value::Null | Value::Unknown));
            match it.next() {
                None => Type::Dynamic,
                Some(first) => {
                    let t = first.infer_type();
                    if it.all(|v| v.infer_type() == t) {
                        t
                    } else {
                        Type::Dynamic
                    }
                }
            }
        }
        match self {
            Value::Null | Value::Unknown => Type::Dynamic,
            Value::Bool(_) => Type::Bool,
            Value::Number(_) => Type::Number,
            Value::String(_) => Type::String,
            Value::List(v) => Type::list(common(v)),
            Value::Set(v) => Type::set(common(v)),
            Value::Tuple(v) => Type::Tuple(v.iter().map(Value::infer_type).collect()),
            Value::Map(m) => Type::map(common(&m.values().cloned().collect::<Vec<_>>())),
            Value::Object(m) => Type::object(m.iter().map(|(k, v)| (k.clone(), v.infer_type()))),
            Value::Dynamic(d) => d.0.clone(),
        }
    }
}

impl PartialEq for Value {
    /// Structural equality; sets compare regardless of order; a dynamic wrapper is transparent.
    fn eq(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Dynamic(a), Value::Dynamic(b)) => a.0 == b.0 && a.1 == b.1,
            (Value::Dynamic(a), b) | (b, Value::Dynamic(a)) => &a.1 == b,
            (Value::Null, Value::Null) | (Value::Unknown, Value::Unknown) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Number(a), Value::Number(b)) => a == b,
            (Value::String(a), Value::String(b)) => a == b,
            (Value::List(a), Value::List(b)) | (Value::Tuple(a), Value::Tuple(b)) => a == b,
            (Value::Map(a), Value::Map(b)) | (Value::Object(a), Value::Object(b)) => a == b,
            (Value::Set(a), Value::Set(b)) => {
                a.len() == b.len() && {
                    let mut used = vec![false; b.len()];
                    a.iter().all(|x| {
                        b.iter().enumerate().any(|(i, y)| {
                            let hit = !used[i] && x == y;
                            if hit {
                                used[i] = true;
                            }
                            hit
                        })
                    })
                }
            }
            _ => false,
        }
    }
}

impl fmt::Display for Value {
    /// A compact, HCL-like rendering for messages.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("null"),
            Value::Unknown => f.write_str("(known after apply)"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Number(n) => write!(f, "{n}"),
            Value::String(s) => write!(f, "{s:?}"),
            Value::List(v) | Value::Set(v) | Value::Tuple(v) => {
                f.write_str("[")?;
                for (i, x) in v.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{x}")?;
                }
                f.write_str("]")
            }
            Value::Map(m) | Value::Object(m) => {
                f.write_str("{")?;
                for (i, (k, x)) in m.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{k} = {x}")?;
                }
                f.write_str("}")
            }
            Value::Dynamic(d) => write!(f, "{}", d.1),
        }
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::String(s.to_owned())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::String(s)
    }
}

impl From<i64> for Value {
    fn from(i: i64) -> Value {
        Value::Number(i.into())
    }
}

impl From<Number> for Value {
    fn from(n: Number) -> Value {
        Value::Number(n)
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Value {
        v.map_or(Value::Null, Into::into)
    }
}
