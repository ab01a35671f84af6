//! The typed layer: serde between [`Value`] and Rust structs, so a resource reads and writes its
//! configuration, plan and state as structs.
//!
//! Per attribute: `Option<T>` for "null or known", [`Attr<T>`] for "null, unknown or known", and
//! plain `T` for an attribute that is always known and set. A [`Number`] field keeps numbers
//! exact; a [`Value`] field takes anything. Struct fields map to attributes by name (serde
//! `rename` works); every attribute of the schema must exist as a field when writing state.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, DeserializeSeed, IntoDeserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{self, Serialize};
use serde::{Deserialize, de::DeserializeOwned};

use crate::diag::PathStep;
use crate::value::{Number, Type, Value, ValueError};

const ATTR_TOKEN: &str = "$tfplugin::Attr";
const NUMBER_TOKEN: &str = "$tfplugin::Number";
const UNKNOWN_TOKEN: &str = "$tfplugin::Unknown";
const VALUE_TOKEN: &str = "$tfplugin::Value";
/// Marks a [`Value::Tuple`] being serialized, so it stays a tuple: in a `dynamic` attribute a
/// tuple of differently shaped objects has a type, a list of them does not.
const TUPLE_TOKEN: &str = "$tfplugin::Tuple";

/// An attribute that may be null, unknown (known only after apply) or known.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub enum Attr<T> {
    /// Null: not set.
    #[default]
    Null,
    /// Unknown until apply.
    Unknown,
    /// A known value.
    Value(T),
}

impl<T> Attr<T> {
    /// The known value, if any.
    pub fn known(&self) -> Option<&T> {
        match self {
            Attr::Value(v) => Some(v),
            _ => None,
        }
    }

    /// The known value, to change in place, if any.
    pub fn known_mut(&mut self) -> Option<&mut T> {
        match self {
            Attr::Value(v) => Some(v),
            _ => None,
        }
    }

    /// Takes the known value, if any.
    pub fn into_known(self) -> Option<T> {
        match self {
            Attr::Value(v) => Some(v),
            _ => None,
        }
    }

    /// Whether the value is unknown.
    pub fn is_unknown(&self) -> bool {
        matches!(self, Attr::Unknown)
    }

    /// Whether the value is null.
    pub fn is_null(&self) -> bool {
        matches!(self, Attr::Null)
    }
}

impl<T> From<Option<T>> for Attr<T> {
    fn from(v: Option<T>) -> Attr<T> {
        v.map_or(Attr::Null, Attr::Value)
    }
}

impl<T: Serialize> Serialize for Attr<T> {
    fn serialize<S: ser::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Attr::Null => s.serialize_none(),
            Attr::Unknown => s.serialize_unit_struct(UNKNOWN_TOKEN),
            Attr::Value(v) => s.serialize_some(v),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Attr<T> {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Attr<T>, D::Error> {
        struct V<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = Attr<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an attribute value")
            }
            fn visit_none<E: de::Error>(self) -> Result<Attr<T>, E> {
                Ok(Attr::Null)
            }
            fn visit_unit<E: de::Error>(self) -> Result<Attr<T>, E> {
                Ok(Attr::Unknown)
            }
            fn visit_some<D: de::Deserializer<'de>>(self, d: D) -> Result<Attr<T>, D::Error> {
                T::deserialize(d).map(Attr::Value)
            }
            fn visit_newtype_struct<D: de::Deserializer<'de>>(
                self,
                d: D,
            ) -> Result<Attr<T>, D::Error> {
                // Another data format: it has no unknowns, so this is just an Option.
                Option::<T>::deserialize(d).map(Attr::from)
            }
        }
        d.deserialize_newtype_struct(ATTR_TOKEN, V(std::marker::PhantomData))
    }
}

impl Serialize for Number {
    fn serialize<S: ser::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_newtype_struct(NUMBER_TOKEN, &self.to_string())
    }
}

impl<'de> Deserialize<'de> for Number {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Number, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Number;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Number, E> {
                Ok(v.into())
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Number, E> {
                Ok(v.into())
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Number, E> {
                Number::from_f64(v).map_err(E::custom)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Number, E> {
                v.parse().map_err(E::custom)
            }
            fn visit_newtype_struct<D: de::Deserializer<'de>>(
                self,
                d: D,
            ) -> Result<Number, D::Error> {
                d.deserialize_any(self)
            }
        }
        d.deserialize_newtype_struct(NUMBER_TOKEN, V)
    }
}

impl Serialize for Value {
    fn serialize<S: ser::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use ser::{SerializeMap, SerializeSeq};
        match self {
            Value::Null => s.serialize_none(),
            Value::Unknown => s.serialize_unit_struct(UNKNOWN_TOKEN),
            Value::Bool(b) => s.serialize_bool(*b),
            Value::Number(n) => n.serialize(s),
            Value::String(v) => s.serialize_str(v),
            Value::List(v) | Value::Set(v) => {
                let mut seq = s.serialize_seq(Some(v.len()))?;
                for x in v {
                    seq.serialize_element(x)?;
                }
                seq.end()
            }
            Value::Tuple(v) => {
                use ser::SerializeTupleStruct;
                let mut seq = s.serialize_tuple_struct(TUPLE_TOKEN, v.len())?;
                for x in v {
                    seq.serialize_field(x)?;
                }
                seq.end()
            }
            Value::Map(m) | Value::Object(m) => {
                let mut map = s.serialize_map(Some(m.len()))?;
                for (k, x) in m {
                    map.serialize_entry(k, x)?;
                }
                map.end()
            }
            Value::Dynamic(d) => d.1.serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Value, D::Error> {
        struct Top;
        impl<'de> Visitor<'de> for Top {
            type Value = Value;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any value")
            }
            fn visit_none<E: de::Error>(self) -> Result<Value, E> {
                Ok(Value::Null)
            }
            fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
                Ok(Value::Unknown)
            }
            fn visit_some<D: de::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
                d.deserialize_any(Any)
            }
            fn visit_newtype_struct<D: de::Deserializer<'de>>(
                self,
                d: D,
            ) -> Result<Value, D::Error> {
                d.deserialize_any(Any)
            }
        }
        struct Any;
        impl<'de> Visitor<'de> for Any {
            type Value = Value;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any value")
            }
            fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
                Ok(Value::Null)
            }
            fn visit_none<E: de::Error>(self) -> Result<Value, E> {
                Ok(Value::Null)
            }
            fn visit_some<D: de::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
                Value::deserialize(d)
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
                Ok(Value::Bool(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
                Ok(Value::Number(v.into()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
                Ok(Value::Number(v.into()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
                Number::from_f64(v).map(Value::Number).map_err(E::custom)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
                Ok(Value::String(v.to_owned()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Value, A::Error> {
                let mut v = Vec::new();
                while let Some(x) = a.next_element::<Value>()? {
                    v.push(x);
                }
                Ok(Value::List(v))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Value, A::Error> {
                let mut m = BTreeMap::new();
                while let Some((k, x)) = a.next_entry::<String, Value>()? {
                    m.insert(k, x);
                }
                Ok(Value::Object(m))
            }
        }
        d.deserialize_newtype_struct(VALUE_TOKEN, Top)
    }
}

impl de::Error for ValueError {
    fn custom<T: fmt::Display>(msg: T) -> ValueError {
        ValueError::new(msg.to_string())
    }
}

impl ser::Error for ValueError {
    fn custom<T: fmt::Display>(msg: T) -> ValueError {
        ValueError::new(msg.to_string())
    }
}

/// Reads a struct (or any `Deserialize` type) from a value. Unknown values are only accepted by
/// [`Attr`] and [`Value`] fields.
pub fn from_value<T: DeserializeOwned>(value: &Value) -> Result<T, ValueError> {
    T::deserialize(ValueDeserializer {
        v: value,
        unknown_as_null: false,
    })
}

/// Like [`from_value`], but an unknown value reads as null for `Option` fields: for a planned
/// state, where unknown means "the provider decides".
pub fn from_value_lenient<T: DeserializeOwned>(value: &Value) -> Result<T, ValueError> {
    T::deserialize(ValueDeserializer {
        v: value,
        unknown_as_null: true,
    })
}

/// Writes a struct (or any `Serialize` type) as a value of type `ty`.
pub fn to_value<T: Serialize + ?Sized>(v: &T, ty: &Type) -> Result<Value, ValueError> {
    let raw = v.serialize(ValueSerializer)?;
    conform(raw, ty)
}

/// Converts a value produced without a type (lists for every sequence, objects for every
/// mapping) to the shape of `ty`: sets, tuples and maps where the type says so, missing object
/// attributes as null. Attributes not in the type are an error.
pub fn conform(value: Value, ty: &Type) -> Result<Value, ValueError> {
    let mismatch =
        |v: &Value| ValueError::new(format!("a {} value cannot be used as {ty}", v.kind()));
    Ok(match (value, ty) {
        (v @ (Value::Null | Value::Unknown), _) => v,
        (v, Type::Dynamic) => v,
        (Value::Dynamic(d), t) => conform(d.1, t)?,
        (v @ Value::Bool(_), Type::Bool) => v,
        (v @ Value::Number(_), Type::Number) => v,
        (v @ Value::String(_), Type::String) => v,
        (Value::List(v) | Value::Set(v) | Value::Tuple(v), Type::List(t) | Type::Set(t)) => {
            let items = v
                .into_iter()
                .enumerate()
                .map(|(i, x)| conform(x, t).map_err(|e| e.within(PathStep::Index(i as i64))))
                .collect::<Result<Vec<_>, _>>()?;
            if matches!(ty, Type::Set(_)) {
                let mut unique: Vec<Value> = Vec::with_capacity(items.len());
                for x in items {
                    if !unique.contains(&x) {
                        unique.push(x);
                    }
                }
                Value::Set(unique)
            } else {
                Value::List(items)
            }
        }
        (Value::List(v) | Value::Tuple(v), Type::Tuple(ts)) if v.len() == ts.len() => Value::Tuple(
            v.into_iter()
                .zip(ts)
                .enumerate()
                .map(|(i, (x, t))| conform(x, t).map_err(|e| e.within(PathStep::Index(i as i64))))
                .collect::<Result<_, _>>()?,
        ),
        (Value::Map(m) | Value::Object(m), Type::Map(t)) => Value::Map(
            m.into_iter()
                .map(|(k, x)| {
                    let x = conform(x, t).map_err(|e| e.within(PathStep::Key(k.clone())))?;
                    Ok((k, x))
                })
                .collect::<Result<_, ValueError>>()?,
        ),
        (Value::Map(mut m) | Value::Object(mut m), Type::Object { attrs, .. }) => {
            if let Some(extra) = m.keys().find(|k| !attrs.contains_key(*k)) {
                return Err(ValueError::new(format!(
                    "{extra:?} is not an attribute of the schema"
                )));
            }
            let mut out = BTreeMap::new();
            for (k, t) in attrs {
                let x = m.remove(k).unwrap_or(Value::Null);
                out.insert(
                    k.clone(),
                    conform(x, t).map_err(|e| e.within(PathStep::Attr(k.clone())))?,
                );
            }
            Value::Object(out)
        }
        (v, _) => return Err(mismatch(&v)),
    })
}

/// Deserializes from a borrowed [`Value`].
struct ValueDeserializer<'a> {
    v: &'a Value,
    unknown_as_null: bool,
}

impl<'a> ValueDeserializer<'a> {
    fn at(&self, v: &'a Value) -> ValueDeserializer<'a> {
        ValueDeserializer {
            v,
            unknown_as_null: self.unknown_as_null,
        }
    }

    fn unknown_error(&self) -> ValueError {
        ValueError::new(
            "the value is unknown here (known only after apply); read it into a tfplugin::Attr to handle that",
        )
    }

    fn number(&self) -> Result<&'a Number, ValueError> {
        match self.v.inner() {
            Value::Number(n) => Ok(n),
            Value::Unknown => Err(self.unknown_error()),
            Value::Null => Err(ValueError::new(
                "a number is required, but the value is null",
            )),
            other => Err(ValueError::new(format!(
                "a number is required, not a {}",
                other.kind()
            ))),
        }
    }
}

macro_rules! deserialize_int {
    ($($method:ident => $visit:ident($conv:ident, $t:ty)),*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ValueError> {
            let n = self.number()?;
            let v = n.$conv().ok_or_else(|| ValueError::new(format!("{n} does not fit {}", stringify!($t))))?;
            visitor.$visit(v)
        }
    )*};
}

impl<'de, 'a> de::Deserializer<'de> for ValueDeserializer<'a> {
    type Error = ValueError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ValueError> {
        match self.v {
            Value::Null => visitor.visit_unit(),
            Value::Unknown if self.unknown_as_null => visitor.visit_unit(),
            Value::Unknown => Err(self.unknown_error()),
            Value::Bool(b) => visitor.visit_bool(*b),
            Value::Number(n) => match (n.as_i64(), n.as_u64()) {
                (Some(i), _) => visitor.visit_i64(i),
                (None, Some(u)) => visitor.visit_u64(u),
                _ => visitor.visit_f64(n.as_f64()),
            },
            Value::String(s) => visitor.visit_str(s),
            Value::List(v) | Value::Set(v) | Value::Tuple(v) => visitor.visit_seq(Seq {
                items: v.iter(),
                index: 0,
                parent: &self,
            }),
            Value::Map(m) | Value::Object(m) => visitor.visit_map(Map {
                entries: m.iter(),
                absent: [].iter(),
                pending: None,
                parent: &self,
            }),
            Value::Dynamic(d) => self.at(&d.1).deserialize_any(visitor),
        }
    }

    /// A struct from an object: a field the object lacks reads as null, as [`conform`] writes a
    /// missing attribute (a field that one kind of type omits from its schema, such as a
    /// resource's argument its data source does not have, is null there).
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, ValueError> {
        match self.v {
            Value::Object(m) => visitor.visit_map(Map {
                entries: m.iter(),
                absent: fields.iter(),
                pending: None,
                parent: &self,
            }),
            _ => self.deserialize_any(visitor),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ValueError> {
        match self.v.inner() {
            Value::Null => visitor.visit_none(),
            Value::Unknown if self.unknown_as_null => visitor.visit_none(),
            Value::Unknown => Err(self.unknown_error()),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, ValueError> {
        match name {
            ATTR_TOKEN | VALUE_TOKEN => match self.v.inner() {
                Value::Null => visitor.visit_none(),
                Value::Unknown => visitor.visit_unit(),
                _ => visitor.visit_some(self),
            },
            NUMBER_TOKEN => {
                let n = self.number()?;
                match n.as_i64() {
                    Some(i) => visitor.visit_i64(i),
                    None => visitor.visit_str(&n.to_string()),
                }
            }
            _ => visitor.visit_newtype_struct(self),
        }
    }

    deserialize_int!(
        deserialize_i8 => visit_i64(as_i64, i8),
        deserialize_i16 => visit_i64(as_i64, i16),
        deserialize_i32 => visit_i64(as_i64, i32),
        deserialize_i64 => visit_i64(as_i64, i64),
        deserialize_u8 => visit_u64(as_u64, u8),
        deserialize_u16 => visit_u64(as_u64, u16),
        deserialize_u32 => visit_u64(as_u64, u32),
        deserialize_u64 => visit_u64(as_u64, u64)
    );

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ValueError> {
        self.deserialize_f64(visitor)
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ValueError> {
        visitor.visit_f64(self.number()?.as_f64())
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ValueError> {
        match self.v.inner() {
            Value::Bool(b) => visitor.visit_bool(*b),
            Value::Unknown => Err(self.unknown_error()),
            other => Err(ValueError::new(format!(
                "a bool is required, not {}",
                other.kind()
            ))),
        }
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ValueError> {
        match self.v.inner() {
            Value::String(s) => visitor.visit_str(s),
            Value::Unknown => Err(self.unknown_error()),
            other => Err(ValueError::new(format!(
                "a string is required, not {}",
                other.kind()
            ))),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ValueError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ValueError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, ValueError> {
        match self.v.inner() {
            Value::String(s) => visitor.visit_enum(s.as_str().into_deserializer()),
            Value::Unknown => Err(self.unknown_error()),
            other => Err(ValueError::new(format!(
                "a string is required, not {}",
                other.kind()
            ))),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ValueError> {
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        bytes byte_buf unit unit_struct seq tuple tuple_struct map identifier
    }
}

struct Seq<'a, 'p> {
    items: std::slice::Iter<'a, Value>,
    index: i64,
    parent: &'p ValueDeserializer<'a>,
}

impl<'de, 'a> SeqAccess<'de> for Seq<'a, '_> {
    type Error = ValueError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, ValueError> {
        let Some(v) = self.items.next() else {
            return Ok(None);
        };
        let i = self.index;
        self.index += 1;
        seed.deserialize(self.parent.at(v))
            .map(Some)
            .map_err(|e| e.within(PathStep::Index(i)))
    }
}

/// The value of a struct field its object lacks.
static NULL: Value = Value::Null;

struct Map<'a, 'p> {
    entries: std::collections::btree_map::Iter<'a, String, Value>,
    /// A struct's fields, of which those the object lacks follow its entries as nulls.
    absent: std::slice::Iter<'a, &'static str>,
    pending: Option<(&'a str, &'a Value)>,
    parent: &'p ValueDeserializer<'a>,
}

impl<'de, 'a> MapAccess<'de> for Map<'a, '_> {
    type Error = ValueError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, ValueError> {
        let next = match self.entries.next() {
            Some((k, v)) => Some((k.as_str(), v)),
            None => {
                let present = |k: &&&str| match self.parent.v {
                    Value::Object(m) => m.contains_key(**k),
                    _ => false,
                };
                self.absent.find(|k| !present(k)).map(|k| (*k, &NULL))
            }
        };
        let Some((k, v)) = next else {
            return Ok(None);
        };
        self.pending = Some((k, v));
        seed.deserialize(k.into_deserializer()).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, ValueError> {
        let Some((k, v)) = self.pending.take() else {
            return Err(ValueError::new("value requested before key"));
        };
        seed.deserialize(self.parent.at(v)).map_err(|e| {
            let step = match self.parent.v.inner() {
                Value::Map(_) => PathStep::Key(k.to_owned()),
                _ => PathStep::Attr(k.to_owned()),
            };
            e.within(step)
        })
    }
}

/// Serializes to an untyped [`Value`] (see [`conform`]).
struct ValueSerializer;

fn num(n: Number) -> Result<Value, ValueError> {
    Ok(Value::Number(n))
}

impl ser::Serializer for ValueSerializer {
    type Ok = Value;
    type Error = ValueError;
    type SerializeSeq = SeqOut;
    type SerializeTuple = SeqOut;
    type SerializeTupleStruct = SeqOut;
    type SerializeTupleVariant = ser::Impossible<Value, ValueError>;
    type SerializeMap = MapOut;
    type SerializeStruct = MapOut;
    type SerializeStructVariant = ser::Impossible<Value, ValueError>;

    fn serialize_bool(self, v: bool) -> Result<Value, ValueError> {
        Ok(Value::Bool(v))
    }
    fn serialize_i8(self, v: i8) -> Result<Value, ValueError> {
        num(i64::from(v).into())
    }
    fn serialize_i16(self, v: i16) -> Result<Value, ValueError> {
        num(i64::from(v).into())
    }
    fn serialize_i32(self, v: i32) -> Result<Value, ValueError> {
        num(i64::from(v).into())
    }
    fn serialize_i64(self, v: i64) -> Result<Value, ValueError> {
        num(v.into())
    }
    fn serialize_u8(self, v: u8) -> Result<Value, ValueError> {
        num(i64::from(v).into())
    }
    fn serialize_u16(self, v: u16) -> Result<Value, ValueError> {
        num(i64::from(v).into())
    }
    fn serialize_u32(self, v: u32) -> Result<Value, ValueError> {
        num(i64::from(v).into())
    }
    fn serialize_u64(self, v: u64) -> Result<Value, ValueError> {
        num(v.into())
    }
    fn serialize_f32(self, v: f32) -> Result<Value, ValueError> {
        num(Number::from_f64(f64::from(v))?)
    }
    fn serialize_f64(self, v: f64) -> Result<Value, ValueError> {
        num(Number::from_f64(v)?)
    }
    fn serialize_char(self, v: char) -> Result<Value, ValueError> {
        Ok(Value::String(v.to_string()))
    }
    fn serialize_str(self, v: &str) -> Result<Value, ValueError> {
        Ok(Value::String(v.to_owned()))
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<Value, ValueError> {
        String::from_utf8(v.to_vec())
            .map(Value::String)
            .map_err(|_| ValueError::new("bytes are not UTF-8 text"))
    }
    fn serialize_none(self) -> Result<Value, ValueError> {
        Ok(Value::Null)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, v: &T) -> Result<Value, ValueError> {
        v.serialize(self)
    }
    fn serialize_unit(self) -> Result<Value, ValueError> {
        Ok(Value::Null)
    }
    fn serialize_unit_struct(self, name: &'static str) -> Result<Value, ValueError> {
        Ok(if name == UNKNOWN_TOKEN {
            Value::Unknown
        } else {
            Value::Null
        })
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<Value, ValueError> {
        Ok(Value::String(variant.to_owned()))
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        v: &T,
    ) -> Result<Value, ValueError> {
        let inner = v.serialize(self)?;
        if name == NUMBER_TOKEN
            && let Value::String(s) = &inner
        {
            return s.parse().map(Value::Number);
        }
        Ok(inner)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        v: &T,
    ) -> Result<Value, ValueError> {
        Ok(Value::object([(variant, v.serialize(self)?)]))
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<SeqOut, ValueError> {
        Ok(SeqOut(Vec::with_capacity(len.unwrap_or(0)), false))
    }
    fn serialize_tuple(self, len: usize) -> Result<SeqOut, ValueError> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(self, name: &'static str, len: usize) -> Result<SeqOut, ValueError> {
        Ok(SeqOut(Vec::with_capacity(len), name == TUPLE_TOKEN))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, ValueError> {
        Err(ValueError::new("tuple variants have no Terraform form"))
    }
    fn serialize_map(self, _: Option<usize>) -> Result<MapOut, ValueError> {
        Ok(MapOut(BTreeMap::new(), None))
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<MapOut, ValueError> {
        self.serialize_map(None)
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, ValueError> {
        Err(ValueError::new("struct variants have no Terraform form"))
    }
}

/// A sequence being serialized; `true` when it is a [`Value::Tuple`].
struct SeqOut(Vec<Value>, bool);

impl ser::SerializeSeq for SeqOut {
    type Ok = Value;
    type Error = ValueError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), ValueError> {
        self.0.push(v.serialize(ValueSerializer)?);
        Ok(())
    }
    fn end(self) -> Result<Value, ValueError> {
        Ok(if self.1 {
            Value::Tuple(self.0)
        } else {
            Value::List(self.0)
        })
    }
}

impl ser::SerializeTuple for SeqOut {
    type Ok = Value;
    type Error = ValueError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), ValueError> {
        ser::SerializeSeq::serialize_element(self, v)
    }
    fn end(self) -> Result<Value, ValueError> {
        ser::SerializeSeq::end(self)
    }
}

impl ser::SerializeTupleStruct for SeqOut {
    type Ok = Value;
    type Error = ValueError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), ValueError> {
        ser::SerializeSeq::serialize_element(self, v)
    }
    fn end(self) -> Result<Value, ValueError> {
        ser::SerializeSeq::end(self)
    }
}

/// A map or struct being serialized.
struct MapOut(BTreeMap<String, Value>, Option<String>);

impl ser::SerializeMap for MapOut {
    type Ok = Value;
    type Error = ValueError;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, k: &T) -> Result<(), ValueError> {
        match k.serialize(ValueSerializer)? {
            Value::String(s) => self.1 = Some(s),
            Value::Number(n) => self.1 = Some(n.to_string()),
            other => {
                return Err(ValueError::new(format!(
                    "map keys must be strings, not {}",
                    other.kind()
                )));
            }
        }
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), ValueError> {
        let k = self
            .1
            .take()
            .ok_or_else(|| ValueError::new("map value without a key"))?;
        let v = v
            .serialize(ValueSerializer)
            .map_err(|e| e.within(PathStep::Key(k.clone())))?;
        self.0.insert(k, v);
        Ok(())
    }
    fn end(self) -> Result<Value, ValueError> {
        Ok(Value::Object(self.0))
    }
}

impl ser::SerializeStruct for MapOut {
    type Ok = Value;
    type Error = ValueError;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        k: &'static str,
        v: &T,
    ) -> Result<(), ValueError> {
        let v = v
            .serialize(ValueSerializer)
            .map_err(|e| e.within(PathStep::Attr(k.to_owned())))?;
        // A null field is left out: `conform` writes every attribute the type has that the
        // object lacks as null, and a field the type lacks (omitted from this kind's schema)
        // holds nothing to lose. A field with a value the type lacks is still an error.
        if !matches!(v, Value::Null) {
            self.0.insert(k.to_owned(), v);
        }
        Ok(())
    }
    fn end(self) -> Result<Value, ValueError> {
        Ok(Value::Object(self.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::{Deserialize, Serialize};

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    enum Mode {
        Builtin,
        Custom,
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Key {
        public_key: String,
        active: Option<bool>,
        id: Attr<String>,
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct State {
        id: Attr<String>,
        name: String,
        count: Option<i64>,
        mode: Option<Mode>,
        big: Option<Number>,
        tags: Option<Vec<String>>,
        keys: BTreeMap<String, Key>,
        any: Value,
    }

    fn ty() -> Type {
        Type::object([
            ("id", Type::String),
            ("name", Type::String),
            ("count", Type::Number),
            ("mode", Type::String),
            ("big", Type::Number),
            ("tags", Type::set(Type::String)),
            (
                "keys",
                Type::map(Type::object([
                    ("public_key", Type::String),
                    ("active", Type::Bool),
                    ("id", Type::String),
                ])),
            ),
            ("any", Type::Dynamic),
        ])
    }

    #[test]
    fn structs_round_trip_with_null_unknown_and_known() {
        let v = Value::object([
            ("id", Value::Unknown),
            ("name", "n".into()),
            ("count", Value::Null),
            ("mode", "custom".into()),
            (
                "big",
                Value::Number("18446744073709551615".parse().expect("n")),
            ),
            ("tags", Value::Set(vec!["a".into(), "b".into()])),
            (
                "keys",
                Value::map([(
                    "k1",
                    Value::object([
                        ("public_key", "pk".into()),
                        ("active", true.into()),
                        ("id", Value::Unknown),
                    ]),
                )]),
            ),
            ("any", Value::Unknown),
        ]);
        let s: State = from_value(&v).expect("reads");
        assert_eq!(s.id, Attr::Unknown);
        assert_eq!(s.mode, Some(Mode::Custom));
        assert_eq!(s.keys["k1"].id, Attr::Unknown);
        assert_eq!(s.big.as_ref().and_then(Number::as_u64), Some(u64::MAX));
        let back = to_value(&s, &ty()).expect("writes");
        assert_eq!(back, v);
        // The set stays a set and re-encodes.
        assert!(matches!(back.get_attr("tags"), Some(Value::Set(_))));
        back.to_msgpack(&ty()).expect("encodes");
    }

    #[test]
    fn a_field_its_type_omits_reads_as_null_and_is_left_out_while_null() {
        #[derive(Debug, PartialEq, Serialize, Deserialize)]
        struct Both {
            name: Attr<String>,
            // In the resource's schema only, as `#[tf(data(omit))]` declares.
            force: Attr<bool>,
        }
        let data = Type::object([("name", Type::String)]);
        let read: Both = from_value(&Value::object([("name", "n".into())])).expect("reads");
        assert_eq!(read.force, Attr::Null);
        assert_eq!(
            to_value(&read, &data).expect("writes"),
            Value::object([("name", "n".into())])
        );
        // A null attribute the type has is still written as null.
        let unnamed = Both {
            name: Attr::Null,
            force: Attr::Null,
        };
        assert_eq!(
            to_value(&unnamed, &data).expect("writes"),
            Value::object([("name", Value::Null)])
        );
        // A value where the type has no attribute is still an error.
        let forced = Both {
            force: Attr::Value(true),
            ..read
        };
        let err = to_value(&forced, &data).expect_err("not in the schema");
        assert!(
            err.message.contains("\"force\" is not an attribute"),
            "{err}"
        );
    }

    #[test]
    fn unknown_into_a_plain_field_is_a_clear_error_with_its_path() {
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct Strict {
            keys: BTreeMap<String, StrictKey>,
        }
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct StrictKey {
            id: Option<String>,
        }
        let v = Value::object([(
            "keys",
            Value::map([("k1", Value::object([("id", Value::Unknown)]))]),
        )]);
        let err = from_value::<Strict>(&v).expect_err("unknown is refused");
        assert_eq!(err.path.to_string(), r#"keys["k1"].id"#);
        assert!(err.message.contains("unknown"), "{err}");
        let lenient: Strict = from_value_lenient(&v).expect("lenient reads unknown as null");
        assert_eq!(lenient.keys["k1"].id, None);
    }

    #[test]
    fn tuples_in_a_dynamic_attribute_stay_tuples_and_encode() {
        #[derive(Serialize)]
        struct Out {
            any: Value,
        }
        let mixed = Value::Tuple(vec![
            Value::object([("alert", Value::from("A"))]),
            Value::object([("record", Value::from("r")), ("expr", Value::from("e"))]),
        ]);
        let ty = Type::object([("any", Type::Dynamic)]);
        let v = to_value(&Out { any: mixed.clone() }, &ty).expect("writes");
        assert_eq!(v.get_attr("any"), Some(&mixed));
        assert!(matches!(v.get_attr("any"), Some(Value::Tuple(_))));
        let back = Value::from_msgpack(&v.to_msgpack(&ty).expect("encodes"), &ty).expect("decodes");
        assert_eq!(back.get_attr("any"), Some(&mixed));
    }

    #[test]
    fn writing_a_field_the_schema_lacks_is_an_error() {
        #[derive(Serialize)]
        struct Extra {
            name: String,
            typo: String,
        }
        let err = to_value(
            &Extra {
                name: "a".into(),
                typo: "b".into(),
            },
            &Type::object([("name", Type::String)]),
        )
        .expect_err("extra field");
        assert!(err.to_string().contains("typo"), "{err}");
    }
}
