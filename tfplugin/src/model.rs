//! Models: a resource's state struct, each attribute declared once on its field with
//! `#[derive(Model)]`, in the way terraform-plugin-framework's schema attributes carry their plan
//! modifiers, validators and custom types.
//!
//! ```ignore
//! #[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, Model)]
//! pub struct RealmState {
//!     /// The realm's id, `rlm-…`.
//!     #[tf(computed, keep, data(computed))]
//!     pub id: Attr<String>,
//!     /// The realm's name. Changing it replaces the realm.
//!     #[tf(required, replace, check = name_check, data(required, doc = "The realm's name."))]
//!     pub name: Attr<String>,
//! }
//! ```
//!
//! The `///` comment is the attribute's description. `#[tf(…)]` options: `required`,
//! `optional`, `computed`, `sensitive`, `write_only`, `replace` (a change requires replacement),
//! `keep` (use the prior state for unknown), `default = <expr>` (planned when unset),
//! `deprecated = "…"`, `doc = "…"` (instead of the comment), `omit` (not in this kind of type:
//! the field is null there, and a null field is left out of the values the layer writes);
//! `data(…)` and `ephemeral(…)` give the flags for a data source or ephemeral resource made of
//! the same struct (else the resource's are used); `check = <expr>` runs the function it names
//! (or returns), `Fn(&T, &AttributePath, &mut Diagnostics)`, on the known value at validation; `ty = <expr>`
//! overrides the Terraform type; `nested` and `block` make a field of a `Model` type (`X`,
//! `Attr<X>`, `Vec<X>` or `BTreeMap<String, X>`) nested attributes or a nested block; `skip`
//! leaves a field out; `name = "…"` renames.
//!
//! Value types own their semantic equality ([`TfValue::semantically_equal`]), as
//! terraform-plugin-framework's custom types do: a plan keeps the prior spelling of a value that
//! means the same (a PEM key with other line endings, YAML with other spacing), and so does a
//! refresh and an apply.

use std::collections::{BTreeMap, BTreeSet};
use std::marker::PhantomData;

use crate::diag::{AttributePath, Diagnostics};
use crate::schema::{Attribute, NestedBlock, Schema};
use crate::typed::Attr;
use crate::value::{Number, Type, Value};

pub use tfplugin_derive::Model;

/// The kind of type a model's schema is for: one struct may serve a resource and the data
/// source or ephemeral resource of the same name, with flags per kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A managed resource.
    Resource,
    /// A data source.
    DataSource,
    /// An ephemeral resource.
    Ephemeral,
}

/// A struct whose fields are attributes (derive it with `#[derive(Model)]`).
pub trait Model: TfValue {
    /// Its typed attribute paths (`State::paths().name`).
    type Paths;

    /// The attributes for `kind`.
    fn attributes(kind: Kind) -> Vec<Attribute>;

    /// The nested blocks for `kind`.
    fn blocks(kind: Kind) -> Vec<NestedBlock>;

    /// The paths of its attributes under `at`.
    fn paths_at(at: AttributePath) -> Self::Paths;

    /// The paths of its attributes at the root of a schema.
    fn paths() -> Self::Paths {
        Self::paths_at(AttributePath::new())
    }
}

impl Schema {
    /// The schema of a model for `kind` (add the type's description next).
    pub fn of<M: Model>(kind: Kind) -> Schema {
        let schema = M::attributes(kind)
            .into_iter()
            .fold(Schema::new(), Schema::attribute);
        M::blocks(kind).into_iter().fold(schema, Schema::block)
    }
}

/// The object type of a model's resource attributes and blocks.
pub fn object_type<M: Model>() -> Type {
    Schema::of::<M>(Kind::Resource).value_type()
}

/// A value an attribute holds: its Terraform type, checks of what it contains, and semantic
/// equality.
pub trait TfValue: Clone + PartialEq {
    /// Whether it is an object of nested attributes (a [`Model`]): Terraform checks a plan of
    /// nested attributes attribute by attribute, so spelling is kept per element; a list or map
    /// of plain values is one value, kept whole or not at all.
    const NESTED: bool = false;

    /// Its Terraform type.
    fn tf_type() -> Type;

    /// Checks what it contains (a model's declared checks); nothing by default.
    fn check(&self, _at: &AttributePath, _diags: &mut Diagnostics) {}

    /// Whether `self` means the same as `other` (equality by default).
    fn semantically_equal(&self, other: &Self) -> bool {
        self == other
    }

    /// Takes `prior`'s spelling where the two mean the same, so a plan, refresh or apply shows
    /// no change that is only one of form.
    fn keep_spelling(&mut self, prior: &Self) {
        if self != prior && self.semantically_equal(prior) {
            *self = prior.clone();
        }
    }
}

macro_rules! plain {
    ($($t:ty => $ty:expr),* $(,)?) => {$(
        impl TfValue for $t {
            fn tf_type() -> Type {
                $ty
            }
        }

        impl Known for $t {
            type Inner = $t;
            fn known_value(&self) -> Option<&$t> {
                Some(self)
            }
        }
    )*};
}

plain!(
    String => Type::String,
    bool => Type::Bool,
    i64 => Type::Number,
    u32 => Type::Number,
    u64 => Type::Number,
    Number => Type::Number,
    Value => Type::Dynamic,
);

impl<T: TfValue> TfValue for Attr<T> {
    const NESTED: bool = T::NESTED;
    fn tf_type() -> Type {
        T::tf_type()
    }
    fn check(&self, at: &AttributePath, diags: &mut Diagnostics) {
        if let Attr::Value(v) = self {
            v.check(at, diags);
        }
    }
    fn semantically_equal(&self, other: &Self) -> bool {
        match (self, other) {
            (Attr::Value(a), Attr::Value(b)) => a.semantically_equal(b),
            _ => self == other,
        }
    }
    fn keep_spelling(&mut self, prior: &Self) {
        if let (Attr::Value(a), Attr::Value(b)) = (self, prior) {
            a.keep_spelling(b);
        }
    }
}

impl<T: TfValue> TfValue for Option<T> {
    const NESTED: bool = T::NESTED;
    fn tf_type() -> Type {
        T::tf_type()
    }
    fn check(&self, at: &AttributePath, diags: &mut Diagnostics) {
        if let Some(v) = self {
            v.check(at, diags);
        }
    }
    fn semantically_equal(&self, other: &Self) -> bool {
        match (self, other) {
            (Some(a), Some(b)) => a.semantically_equal(b),
            _ => self == other,
        }
    }
    fn keep_spelling(&mut self, prior: &Self) {
        if let (Some(a), Some(b)) = (self, prior) {
            a.keep_spelling(b);
        }
    }
}

impl<T: TfValue> TfValue for Vec<T> {
    fn tf_type() -> Type {
        Type::list(T::tf_type())
    }
    fn check(&self, at: &AttributePath, diags: &mut Diagnostics) {
        for (i, v) in self.iter().enumerate() {
            v.check(&at.clone().index(i as i64), diags);
        }
    }
    fn semantically_equal(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().zip(other).all(|(a, b)| a.semantically_equal(b))
    }
    fn keep_spelling(&mut self, prior: &Self) {
        if !T::NESTED {
            if self != prior && self.semantically_equal(prior) {
                *self = prior.clone();
            }
        } else if self.len() == prior.len() {
            for (a, b) in self.iter_mut().zip(prior) {
                a.keep_spelling(b);
            }
        }
    }
}

impl<T: TfValue + Ord> TfValue for BTreeSet<T> {
    fn tf_type() -> Type {
        Type::set(T::tf_type())
    }
}

impl<T: TfValue> TfValue for BTreeMap<String, T> {
    fn tf_type() -> Type {
        Type::map(T::tf_type())
    }
    fn check(&self, at: &AttributePath, diags: &mut Diagnostics) {
        for (k, v) in self {
            v.check(&at.clone().key(k), diags);
        }
    }
    fn semantically_equal(&self, other: &Self) -> bool {
        self.len() == other.len()
            && self
                .iter()
                .all(|(k, a)| other.get(k).is_some_and(|b| a.semantically_equal(b)))
    }
    fn keep_spelling(&mut self, prior: &Self) {
        if !T::NESTED {
            if self != prior && self.semantically_equal(prior) {
                *self = prior.clone();
            }
            return;
        }
        for (k, a) in self.iter_mut() {
            if let Some(b) = prior.get(k) {
                a.keep_spelling(b);
            }
        }
    }
}

/// The known value of a field (`Attr<T>`, `Option<T>` or a plain value), for declared checks.
pub trait Known {
    /// The value's type.
    type Inner;
    /// The value when known and set.
    fn known_value(&self) -> Option<&Self::Inner>;
}

impl<T> Known for Attr<T> {
    type Inner = T;
    fn known_value(&self) -> Option<&T> {
        self.known()
    }
}

impl<T> Known for Option<T> {
    type Inner = T;
    fn known_value(&self) -> Option<&T> {
        self.as_ref()
    }
}

/// The paths of a list's or map's elements.
pub trait ElementPaths {
    /// The paths under the collection at `at`.
    fn under(at: AttributePath) -> Self;
}

/// The paths of a list of nested objects: `paths.items.index(0).name`.
#[derive(Clone, Debug)]
pub struct ListPaths<M> {
    /// The list itself.
    pub root: AttributePath,
    model: PhantomData<M>,
}

impl<M: Model> ListPaths<M> {
    /// The paths of element `i`.
    pub fn index(&self, i: usize) -> M::Paths {
        M::paths_at(self.root.clone().index(i as i64))
    }
}

impl<M> ElementPaths for ListPaths<M> {
    fn under(at: AttributePath) -> Self {
        ListPaths {
            root: at,
            model: PhantomData,
        }
    }
}

/// The paths of a map of nested objects: `paths.keys.key("primary").public_key`.
#[derive(Clone, Debug)]
pub struct MapPaths<M> {
    /// The map itself.
    pub root: AttributePath,
    model: PhantomData<M>,
}

impl<M: Model> MapPaths<M> {
    /// The paths of the element at `key`.
    pub fn key(&self, key: &str) -> M::Paths {
        M::paths_at(self.root.clone().key(key))
    }
}

impl<M> ElementPaths for MapPaths<M> {
    fn under(at: AttributePath) -> Self {
        MapPaths {
            root: at,
            model: PhantomData,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{AttrType, Nesting};
    use serde::{Deserialize, Serialize};

    /// A key spelt in any case: the same key.
    #[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
    #[serde(transparent)]
    struct Caseless(String);

    impl TfValue for Caseless {
        fn tf_type() -> Type {
            Type::String
        }
        fn semantically_equal(&self, other: &Self) -> bool {
            self.0.eq_ignore_ascii_case(&other.0)
        }
    }

    fn not_empty(v: &str, at: &AttributePath, diags: &mut Diagnostics) {
        if v.is_empty() {
            diags.error_at(at.clone(), "Empty", "Set it.");
        }
    }

    #[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, Model)]
    struct Entry {
        /// The key.
        #[tf(required)]
        key: Attr<Caseless>,
        /// Its id.
        #[tf(computed)]
        id: Attr<String>,
    }

    #[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, Model)]
    struct Timeouts {
        /// How long a create may take.
        #[tf(optional)]
        create: Attr<String>,
    }

    #[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, Model)]
    struct State {
        /// The id.
        #[tf(computed, keep, data(computed))]
        id: Attr<String>,
        /// The name.
        ///
        /// Changing it replaces the thing.
        #[tf(required, replace, check = not_empty, data(required, doc = "The name."))]
        name: Attr<String>,
        /// Entries.
        #[tf(optional, nested, data(omit))]
        entries: Attr<BTreeMap<String, Entry>>,
        /// Limits.
        #[tf(block)]
        timeouts: Attr<Timeouts>,
        /// Not an attribute.
        #[tf(skip)]
        #[serde(skip)]
        scratch: u32,
    }

    #[test]
    fn one_declaration_gives_the_schema_per_kind() {
        let attrs = State::attributes(Kind::Resource);
        let names: Vec<&str> = attrs.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["id", "name", "entries"]);
        let name = &attrs[1];
        assert!(name.required && name.requires_replace);
        assert_eq!(
            name.description,
            "The name.\n\nChanging it replaces the thing."
        );
        assert!(attrs[0].use_state_for_unknown && attrs[0].computed);
        assert!(matches!(&attrs[2].ty, AttrType::Nested(Nesting::Map, inner) if inner.len() == 2));
        let blocks = State::blocks(Kind::Resource);
        assert_eq!(blocks[0].type_name, "timeouts");
        assert_eq!(blocks[0].block.attributes[0].name, "create");

        let data = State::attributes(Kind::DataSource);
        let names: Vec<&str> = data.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["id", "name"]);
        assert_eq!(data[1].description, "The name.");
        assert!(!data[1].requires_replace && !data[0].use_state_for_unknown);
        // The struct's object type is the resource schema's.
        assert_eq!(
            State::tf_type(),
            Schema::of::<State>(Kind::Resource).value_type()
        );
    }

    #[test]
    fn typed_paths_reach_nested_attributes() {
        let p = State::paths();
        assert_eq!(p.name, AttributePath::root("name"));
        assert_eq!(
            p.entries.key("a").key,
            AttributePath::root("entries").key("a").attr("key")
        );
        assert_eq!(
            p.timeouts.create,
            AttributePath::root("timeouts").attr("create")
        );
    }

    #[test]
    fn declared_checks_run_on_known_values_with_their_path() {
        let mut diags = Diagnostics::new();
        let s = State {
            name: Attr::Value(String::new()),
            ..State::default()
        };
        s.check(&AttributePath::new(), &mut diags);
        assert!(diags.has_errors());
        let mut diags = Diagnostics::new();
        State {
            name: Attr::Unknown,
            ..State::default()
        }
        .check(&AttributePath::new(), &mut diags);
        assert!(!diags.has_errors());
    }

    #[test]
    fn semantic_equality_keeps_the_prior_spelling_inside_nested_values() {
        let entry = |k: &str, id: &str| Entry {
            key: Attr::Value(Caseless(k.into())),
            id: Attr::Value(id.into()),
        };
        let prior = State {
            entries: Attr::Value(BTreeMap::from([("a".into(), entry("KEY", "1"))])),
            ..State::default()
        };
        let mut new = State {
            entries: Attr::Value(BTreeMap::from([("a".into(), entry("key", "2"))])),
            ..State::default()
        };
        new.keep_spelling(&prior);
        let a = &new.entries.known().expect("entries")["a"];
        assert_eq!(a.key, Attr::Value(Caseless("KEY".into())));
        assert_eq!(a.id, Attr::Value("2".into()), "other values stay");
        assert!(!new.semantically_equal(&prior));
    }

    #[test]
    fn a_map_of_plain_values_keeps_its_spelling_whole_or_not_at_all() {
        let map = |pairs: &[(&str, &str)]| -> BTreeMap<String, Caseless> {
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), Caseless((*v).to_owned())))
                .collect()
        };
        let prior = map(&[("a", "X"), ("b", "Y")]);
        let mut same = map(&[("a", "x"), ("b", "y")]);
        same.keep_spelling(&prior);
        assert_eq!(same, prior);
        // One entry changed: Terraform takes a planned map only whole, so nothing is kept.
        let mut changed = map(&[("a", "x"), ("b", "z")]);
        changed.keep_spelling(&prior);
        assert_eq!(changed, map(&[("a", "x"), ("b", "z")]));
    }
}
