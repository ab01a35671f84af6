//! The schema model: attributes, nested attributes and blocks, with the plan behaviour each
//! attribute asks for (replace on change, keep the prior value, a default), validators, and the
//! conversion to the protocol and to the value [`Type`] used to decode `DynamicValue`s.

use std::fmt;
use std::sync::Arc;

use magma_protocol::tfplugin6 as pb;

use crate::diag::{AttributePath, Diagnostics};
use crate::value::{Type, Value};

/// A validator for one attribute: called with its known, non-null value and its path.
pub type Validator = Arc<dyn Fn(&Value, &AttributePath, &mut Diagnostics) + Send + Sync>;

/// A versioned schema of a provider, resource, data source or ephemeral resource.
#[derive(Clone, Debug, Default)]
pub struct Schema {
    /// The state version; bump it when the state shape changes (see `upgrade_state`).
    pub version: i64,
    /// The top-level block.
    pub block: Block,
}

impl Schema {
    /// An empty version-0 schema.
    pub fn new() -> Schema {
        Schema::default()
    }

    /// Sets the schema version.
    pub fn version(mut self, v: i64) -> Schema {
        self.version = v;
        self
    }

    /// Sets the (markdown) description.
    pub fn description(mut self, d: impl Into<String>) -> Schema {
        self.block.description = d.into();
        self
    }

    /// Adds an attribute.
    pub fn attribute(mut self, a: Attribute) -> Schema {
        self.block.attributes.push(a);
        self
    }

    /// Adds a nested block.
    pub fn block(mut self, b: NestedBlock) -> Schema {
        self.block.blocks.push(b);
        self
    }

    /// Marks the whole resource deprecated.
    pub fn deprecated(mut self, message: impl Into<String>) -> Schema {
        self.block.deprecated = true;
        self.block.deprecation_message = message.into();
        self
    }

    /// The object type of values of this schema.
    pub fn value_type(&self) -> Type {
        self.block.value_type()
    }

    /// The protocol form.
    pub fn to_proto(&self) -> pb::Schema {
        let mut block = self.block.to_proto();
        block.version = self.version;
        pb::Schema {
            version: self.version,
            block: Some(block),
        }
    }
}

/// A block: attributes and nested blocks.
#[derive(Clone, Debug, Default)]
pub struct Block {
    /// Its attributes.
    pub attributes: Vec<Attribute>,
    /// Its nested blocks.
    pub blocks: Vec<NestedBlock>,
    /// Markdown description.
    pub description: String,
    /// Whether it is deprecated.
    pub deprecated: bool,
    /// What to use instead, when deprecated.
    pub deprecation_message: String,
}

impl Block {
    /// The object type of values of this block.
    pub fn value_type(&self) -> Type {
        let mut attrs: Vec<(String, Type)> = self
            .attributes
            .iter()
            .map(|a| (a.name.clone(), a.value_type()))
            .collect();
        for b in &self.blocks {
            let obj = b.block.value_type();
            attrs.push((
                b.type_name.clone(),
                match b.nesting {
                    BlockNesting::Single | BlockNesting::Group => obj,
                    BlockNesting::List => Type::list(obj),
                    BlockNesting::Set => Type::set(obj),
                    BlockNesting::Map => Type::map(obj),
                },
            ));
        }
        Type::object(attrs)
    }

    fn to_proto(&self) -> pb::schema::Block {
        pb::schema::Block {
            version: 0,
            attributes: self.attributes.iter().map(Attribute::to_proto).collect(),
            block_types: self.blocks.iter().map(NestedBlock::to_proto).collect(),
            description: self.description.clone(),
            description_kind: pb::StringKind::Markdown as i32,
            deprecated: self.deprecated,
            deprecation_message: self.deprecation_message.clone(),
        }
    }
}

/// How a nested attribute holds its objects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Nesting {
    /// One object.
    Single,
    /// A list of objects.
    List,
    /// A set of objects.
    Set,
    /// A map of objects.
    Map,
}

/// How a nested block holds its blocks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BlockNesting {
    /// At most one block; null when absent.
    Single,
    /// Exactly one block whose absence means all its attributes are null.
    Group,
    /// A list of blocks.
    List,
    /// A set of blocks.
    Set,
    /// Blocks labelled by a key.
    Map,
}

/// The type of an attribute: a plain type or nested attributes.
#[derive(Clone, Debug)]
pub enum AttrType {
    /// A plain cty type.
    Type(Type),
    /// Nested attributes (protocol 6), each with its own flags.
    Nested(Nesting, Vec<Attribute>),
}

/// One attribute, built with chained setters:
/// `Attribute::string("name").required().requires_replace().description("...")`.
#[derive(Clone)]
pub struct Attribute {
    /// Its name.
    pub name: String,
    /// Its type.
    pub ty: AttrType,
    /// Markdown description (the user documentation).
    pub description: String,
    /// Must be set in configuration.
    pub required: bool,
    /// May be set in configuration.
    pub optional: bool,
    /// The provider may set it.
    pub computed: bool,
    /// Hidden in Terraform's output.
    pub sensitive: bool,
    /// Never stored in plan or state (protocol 6.8, Terraform 1.11+).
    pub write_only: bool,
    /// Deprecated, with this message when non-empty.
    pub deprecated: Option<String>,
    /// A change of this attribute replaces the resource.
    pub requires_replace: bool,
    /// On update, an unset computed value keeps its prior value instead of becoming unknown.
    pub use_state_for_unknown: bool,
    /// The planned value when configuration leaves it null (makes it optional and computed).
    pub default: Option<Value>,
    /// Checks of known values, run at validation.
    pub validators: Vec<Validator>,
}

impl fmt::Debug for Attribute {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Attribute")
            .field("name", &self.name)
            .field("ty", &self.ty)
            .field("required", &self.required)
            .field("optional", &self.optional)
            .field("computed", &self.computed)
            .finish_non_exhaustive()
    }
}

impl Attribute {
    /// An attribute of a plain type (set one of required/optional/computed next).
    pub fn new(name: impl Into<String>, ty: Type) -> Attribute {
        Attribute::with_type(name.into(), AttrType::Type(ty))
    }

    fn with_type(name: String, ty: AttrType) -> Attribute {
        Attribute {
            name,
            ty,
            description: String::new(),
            required: false,
            optional: false,
            computed: false,
            sensitive: false,
            write_only: false,
            deprecated: None,
            requires_replace: false,
            use_state_for_unknown: false,
            default: None,
            validators: Vec::new(),
        }
    }

    /// A `string` attribute.
    pub fn string(name: impl Into<String>) -> Attribute {
        Attribute::new(name, Type::String)
    }

    /// A `bool` attribute.
    pub fn bool(name: impl Into<String>) -> Attribute {
        Attribute::new(name, Type::Bool)
    }

    /// A `number` attribute.
    pub fn number(name: impl Into<String>) -> Attribute {
        Attribute::new(name, Type::Number)
    }

    /// Nested attributes.
    pub fn nested(
        name: impl Into<String>,
        nesting: Nesting,
        attributes: Vec<Attribute>,
    ) -> Attribute {
        Attribute::with_type(name.into(), AttrType::Nested(nesting, attributes))
    }

    /// Sets the markdown description.
    pub fn description(mut self, d: impl Into<String>) -> Attribute {
        self.description = d.into();
        self
    }

    /// Must be set.
    pub fn required(mut self) -> Attribute {
        self.required = true;
        self
    }

    /// May be set.
    pub fn optional(mut self) -> Attribute {
        self.optional = true;
        self
    }

    /// Set by the provider.
    pub fn computed(mut self) -> Attribute {
        self.computed = true;
        self
    }

    /// Hidden in output.
    pub fn sensitive(mut self) -> Attribute {
        self.sensitive = true;
        self
    }

    /// Never persisted in plan or state.
    pub fn write_only(mut self) -> Attribute {
        self.write_only = true;
        self
    }

    /// Deprecated, with a message saying what to use instead.
    pub fn deprecated(mut self, message: impl Into<String>) -> Attribute {
        self.deprecated = Some(message.into());
        self
    }

    /// A change replaces the resource.
    pub fn requires_replace(mut self) -> Attribute {
        self.requires_replace = true;
        self
    }

    /// Keeps the prior value on update while configuration leaves it unset.
    pub fn use_state_for_unknown(mut self) -> Attribute {
        self.use_state_for_unknown = true;
        self
    }

    /// The value planned when configuration leaves it null; makes the attribute optional and
    /// computed.
    pub fn default(mut self, v: impl Into<Value>) -> Attribute {
        self.default = Some(v.into());
        self.optional = true;
        self.computed = true;
        self
    }

    /// Adds a validator, run on known, non-null values.
    pub fn validate(
        mut self,
        f: impl Fn(&Value, &AttributePath, &mut Diagnostics) + Send + Sync + 'static,
    ) -> Attribute {
        self.validators.push(Arc::new(f));
        self
    }

    /// The value type of this attribute.
    pub fn value_type(&self) -> Type {
        match &self.ty {
            AttrType::Type(t) => t.clone(),
            AttrType::Nested(nesting, attrs) => {
                let obj = Type::object(attrs.iter().map(|a| (a.name.clone(), a.value_type())));
                match nesting {
                    Nesting::Single => obj,
                    Nesting::List => Type::list(obj),
                    Nesting::Set => Type::set(obj),
                    Nesting::Map => Type::map(obj),
                }
            }
        }
    }

    fn to_proto(&self) -> pb::schema::Attribute {
        let (ty, nested_type) = match &self.ty {
            AttrType::Type(t) => (t.to_json().into_bytes(), None),
            AttrType::Nested(nesting, attrs) => (
                Vec::new(),
                Some(pb::schema::Object {
                    attributes: attrs.iter().map(Attribute::to_proto).collect(),
                    nesting: match nesting {
                        Nesting::Single => pb::schema::object::NestingMode::Single,
                        Nesting::List => pb::schema::object::NestingMode::List,
                        Nesting::Set => pb::schema::object::NestingMode::Set,
                        Nesting::Map => pb::schema::object::NestingMode::Map,
                    } as i32,
                    ..Default::default()
                }),
            ),
        };
        pb::schema::Attribute {
            name: self.name.clone(),
            r#type: ty,
            nested_type,
            description: self.description.clone(),
            required: self.required,
            optional: self.optional,
            computed: self.computed,
            sensitive: self.sensitive,
            description_kind: pb::StringKind::Markdown as i32,
            deprecated: self.deprecated.is_some(),
            write_only: self.write_only,
            deprecation_message: self.deprecated.clone().unwrap_or_default(),
        }
    }
}

/// A nested block.
#[derive(Clone, Debug)]
pub struct NestedBlock {
    /// The block type name.
    pub type_name: String,
    /// Its content.
    pub block: Block,
    /// How many and how they are held.
    pub nesting: BlockNesting,
    /// Minimum number of blocks (0 = none).
    pub min_items: i64,
    /// Maximum number of blocks (0 = unlimited).
    pub max_items: i64,
}

impl NestedBlock {
    /// A nested block of the given nesting.
    pub fn new(type_name: impl Into<String>, nesting: BlockNesting, block: Block) -> NestedBlock {
        NestedBlock {
            type_name: type_name.into(),
            block,
            nesting,
            min_items: 0,
            max_items: 0,
        }
    }

    /// Sets the minimum and maximum number of blocks.
    pub fn items(mut self, min: i64, max: i64) -> NestedBlock {
        self.min_items = min;
        self.max_items = max;
        self
    }

    fn to_proto(&self) -> pb::schema::NestedBlock {
        use pb::schema::nested_block::NestingMode as M;
        pb::schema::NestedBlock {
            type_name: self.type_name.clone(),
            block: Some(self.block.to_proto()),
            nesting: match self.nesting {
                BlockNesting::Single => M::Single,
                BlockNesting::Group => M::Group,
                BlockNesting::List => M::List,
                BlockNesting::Set => M::Set,
                BlockNesting::Map => M::Map,
            } as i32,
            min_items: self.min_items,
            max_items: self.max_items,
        }
    }
}

/// Runs the validators of every attribute on the known values of `config`.
pub(crate) fn run_validators(
    block: &Block,
    config: &Value,
    path: &AttributePath,
    diags: &mut Diagnostics,
) {
    for a in &block.attributes {
        let v = config.get_attr(&a.name).unwrap_or(&Value::Null);
        let p = path.clone().attr(&a.name);
        if v.is_null() || v.is_unknown() {
            continue;
        }
        if let Some(msg) = &a.deprecated {
            diags.warning_at(
                p.clone(),
                format!("Argument {} is deprecated", a.name),
                msg.clone(),
            );
        }
        if v.is_wholly_known() {
            for f in &a.validators {
                f(v, &p, diags);
            }
        }
        if let AttrType::Nested(_, attrs) = &a.ty {
            let nested = Block {
                attributes: attrs.clone(),
                ..Block::default()
            };
            for_each_element(v, &p, |ev, ep| run_validators(&nested, ev, &ep, diags));
        }
    }
    for b in &block.blocks {
        let v = config.get_attr(&b.type_name).unwrap_or(&Value::Null);
        let p = path.clone().attr(&b.type_name);
        for_each_element(v, &p, |ev, ep| run_validators(&b.block, ev, &ep, diags));
    }
}

/// Calls `f` with the path and value of every write-only attribute set in `v`, at any depth:
/// top level, nested attributes and nested blocks alike.
pub(crate) fn visit_write_only(
    block: &Block,
    v: &mut Value,
    path: &AttributePath,
    f: &mut impl FnMut(&AttributePath, &mut Value),
) {
    let Value::Object(fields) = v else { return };
    for a in &block.attributes {
        let Some(x) = fields.get_mut(&a.name) else {
            continue;
        };
        let p = path.clone().attr(&a.name);
        if a.write_only {
            f(&p, x);
        } else if let AttrType::Nested(_, attrs) = &a.ty {
            let nested = Block {
                attributes: attrs.clone(),
                ..Block::default()
            };
            for_each_element_mut(x, &p, |e, ep| visit_write_only(&nested, e, &ep, f));
        }
    }
    for b in &block.blocks {
        if let Some(x) = fields.get_mut(&b.type_name) {
            let p = path.clone().attr(&b.type_name);
            for_each_element_mut(x, &p, |e, ep| visit_write_only(&b.block, e, &ep, f));
        }
    }
}

/// Nulls every write-only attribute in `v`, nested ones included: what Terraform gets back
/// for plan or state never holds one.
pub(crate) fn null_write_only(block: &Block, v: &mut Value) {
    visit_write_only(block, v, &AttributePath::new(), &mut |_, x| {
        *x = Value::Null
    });
}

/// The paths of the write-only attributes `config` sets (to a known or unknown value).
pub(crate) fn write_only_set(block: &Block, config: &Value) -> Vec<AttributePath> {
    let mut found = Vec::new();
    visit_write_only(
        block,
        &mut config.clone(),
        &AttributePath::new(),
        &mut |p, x| {
            if !x.is_null() {
                found.push(p.clone());
            }
        },
    );
    found
}

/// [`for_each_element`] with mutable access.
fn for_each_element_mut(
    v: &mut Value,
    path: &AttributePath,
    mut f: impl FnMut(&mut Value, AttributePath),
) {
    match v {
        Value::Object(_) => f(v, path.clone()),
        Value::List(items) | Value::Set(items) => {
            for (i, e) in items.iter_mut().enumerate() {
                f(e, path.clone().index(i as i64));
            }
        }
        Value::Map(m) => {
            for (k, e) in m.iter_mut() {
                f(e, path.clone().key(k));
            }
        }
        _ => {}
    }
}

/// Calls `f` on each object inside a nested value (the object itself, or each element).
pub(crate) fn for_each_element(
    v: &Value,
    path: &AttributePath,
    mut f: impl FnMut(&Value, AttributePath),
) {
    match v.inner() {
        Value::Object(_) => f(v, path.clone()),
        Value::List(items) | Value::Set(items) => {
            for (i, e) in items.iter().enumerate() {
                f(e, path.clone().index(i as i64));
            }
        }
        Value::Map(m) => {
            for (k, e) in m {
                f(e, path.clone().key(k));
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_type_and_proto_follow_the_schema() {
        let s = Schema::new()
            .version(2)
            .attribute(Attribute::string("id").computed())
            .attribute(
                Attribute::nested(
                    "keys",
                    Nesting::Map,
                    vec![
                        Attribute::string("public_key").required(),
                        Attribute::string("id").computed(),
                    ],
                )
                .optional(),
            )
            .block(NestedBlock::new(
                "rule",
                BlockNesting::List,
                Block {
                    attributes: vec![Attribute::bool("on").optional()],
                    ..Block::default()
                },
            ));
        assert_eq!(
            s.value_type().to_json(),
            r#"["object",{"id":"string","keys":["map",["object",{"id":"string","public_key":"string"}]],"rule":["list",["object",{"on":"bool"}]]}]"#
        );
        let p = s.to_proto();
        assert_eq!(p.version, 2);
        let block = p.block.expect("block");
        assert_eq!(
            block.attributes[1].nested_type.as_ref().map(|o| o.nesting),
            Some(4)
        );
        assert_eq!(block.attributes[0].r#type, br#""string""#);
        assert_eq!(block.description_kind, pb::StringKind::Markdown as i32);
    }
}
