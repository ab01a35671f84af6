//! Planning: the standard behaviour Terraform expects of a resource (as terraform-plugin-framework
//! does it), driven by the schema, and the [`Plan`] a resource's own `plan` hook may adjust.
//!
//! The planned state starts as Terraform's proposed new state. On create, every computed
//! attribute the configuration leaves null becomes unknown; on update, the same happens only
//! when something changed, except for attributes marked `use_state_for_unknown`, which keep
//! their prior value. Defaults fill null optional+computed attributes. Write-only attributes are
//! always null. Attributes marked `requires_replace` whose planned value differs from the prior
//! one are reported as requiring replacement.

use serde::de::DeserializeOwned;

use crate::diag::{AttributePath, Diagnostics};
use crate::schema::{AttrType, Attribute, Block, BlockNesting, Nesting};
use crate::typed;
use crate::value::Value;

/// A resource change being planned, as values: what the standard plan makes and the layer turns
/// into the typed [`Change`] a resource's plan hook sees.
#[derive(Clone, Debug)]
pub struct Plan {
    /// The prior state (null on create).
    pub prior: Value,
    /// The configuration (may contain unknowns).
    pub config: Value,
    /// The planned new state: adjust it here (null on destroy).
    pub planned: Value,
    /// Paths whose change requires replacing the resource.
    pub requires_replace: Vec<AttributePath>,
    /// Private data carried from plan to apply.
    pub private: Vec<u8>,
}

impl Plan {
    /// Whether this plans a destroy.
    pub fn is_destroy(&self) -> bool {
        self.planned.is_null()
    }

    /// The prior state as a struct (None on create).
    pub fn prior_as<T: DeserializeOwned>(&self) -> Result<Option<T>, crate::value::ValueError> {
        if self.prior.is_null() {
            Ok(None)
        } else {
            typed::from_value(&self.prior).map(Some)
        }
    }

    /// Asks Terraform to replace the resource because of `path`.
    pub fn require_replace(&mut self, path: AttributePath) {
        if !self.requires_replace.contains(&path) {
            self.requires_replace.push(path);
        }
    }
}

/// A resource change being planned, typed: what a resource's `plan` hook adjusts. Read a field
/// of `config`, `prior` or `planned`, set `planned.x = Attr::Unknown` to plan it known after
/// apply, and `require_replace(State::paths().x)` to replace the resource because of it.
#[derive(Clone, Debug)]
pub struct Change<S> {
    /// The prior state (`None` on create).
    pub prior: Option<S>,
    /// The configuration (unknown values as `Attr::Unknown`).
    pub config: S,
    /// The planned new state, as the standard plan made it.
    pub planned: S,
    /// Paths, beyond the schema's `requires_replace` ones, whose change replaces the resource.
    pub requires_replace: Vec<AttributePath>,
    /// Private data carried from plan to apply.
    pub private: Vec<u8>,
}

impl<S> Change<S> {
    /// Whether this plans a create.
    pub fn is_create(&self) -> bool {
        self.prior.is_none()
    }

    /// Asks Terraform to replace the resource because of `path` (from `State::paths()`).
    pub fn require_replace(&mut self, path: AttributePath) {
        if !self.requires_replace.contains(&path) {
            self.requires_replace.push(path);
        }
    }
}

/// The standard plan for a resource of schema `block`.
pub(crate) fn standard_plan(block: &Block, prior: Value, proposed: Value, config: Value) -> Plan {
    let mut plan = Plan {
        planned: proposed,
        prior,
        config,
        requires_replace: Vec::new(),
        private: Vec::new(),
    };
    if plan.planned.is_null() {
        return plan;
    }
    let create = plan.prior.is_null();
    let root = AttributePath::new();
    // Whether anything changed must count what defaults will set: a default that differs from
    // the prior value (say, an attribute edited out of band, then left unset) is a change, and
    // the computed attributes it affects must be planned unknown. A first pass that changes
    // nothing but defaults tells.
    let changed = create || {
        let mut with_defaults = plan.planned.clone();
        apply_block(
            block,
            &mut with_defaults,
            &plan.config,
            &plan.prior,
            false,
            false,
            &root,
        );
        with_defaults != plan.prior
    };
    apply_block(
        block,
        &mut plan.planned,
        &plan.config,
        &plan.prior,
        create,
        changed,
        &root,
    );
    plan
}

fn apply_block(
    block: &Block,
    planned: &mut Value,
    config: &Value,
    prior: &Value,
    create: bool,
    changed: bool,
    path: &AttributePath,
) {
    let Value::Object(fields) = planned else {
        return;
    };
    for a in &block.attributes {
        let c = config.get_attr(&a.name).unwrap_or(&Value::Null);
        let s = prior.get_attr(&a.name).unwrap_or(&Value::Null);
        let Some(p) = fields.get_mut(&a.name) else {
            continue;
        };
        plan_attribute(a, p, c, s, create, changed, &path.clone().attr(&a.name));
    }
    for b in &block.blocks {
        let c = config.get_attr(&b.type_name).unwrap_or(&Value::Null);
        let s = prior.get_attr(&b.type_name).unwrap_or(&Value::Null);
        let Some(p) = fields.get_mut(&b.type_name) else {
            continue;
        };
        let nesting = match b.nesting {
            BlockNesting::Single | BlockNesting::Group => Nesting::Single,
            BlockNesting::List => Nesting::List,
            BlockNesting::Set => Nesting::Set,
            BlockNesting::Map => Nesting::Map,
        };
        apply_nested(
            &b.block,
            nesting,
            p,
            c,
            s,
            create,
            changed,
            &path.clone().attr(&b.type_name),
        );
    }
}

fn plan_attribute(
    a: &Attribute,
    planned: &mut Value,
    config: &Value,
    prior: &Value,
    create: bool,
    changed: bool,
    path: &AttributePath,
) {
    if a.write_only {
        *planned = Value::Null;
        return;
    }
    if a.computed && config.is_null() {
        if let Some(d) = &a.default {
            *planned = d.clone();
            return;
        }
        let keep = !create && a.use_state_for_unknown && !prior.is_null();
        if keep {
            *planned = prior.clone();
        } else if create || changed {
            *planned = Value::Unknown;
        }
        return;
    }
    if let AttrType::Nested(nesting, attrs) = &a.ty {
        let block = Block {
            attributes: attrs.clone(),
            ..Block::default()
        };
        apply_nested(
            &block, *nesting, planned, config, prior, create, changed, path,
        );
    }
}

#[allow(clippy::too_many_arguments)]
fn apply_nested(
    block: &Block,
    nesting: Nesting,
    planned: &mut Value,
    config: &Value,
    prior: &Value,
    create: bool,
    changed: bool,
    path: &AttributePath,
) {
    match (nesting, planned) {
        (Nesting::Single, p @ Value::Object(_)) => {
            let create = create || prior.is_null();
            apply_block(block, p, config, prior, create, changed, path);
        }
        (Nesting::List, Value::List(items)) => {
            for (i, p) in items.iter_mut().enumerate() {
                let c = nth(config, i);
                let s = nth(prior, i);
                apply_block(
                    block,
                    p,
                    c,
                    s,
                    create || s.is_null(),
                    changed,
                    &path.clone().index(i as i64),
                );
            }
        }
        (Nesting::Set, Value::Set(items)) => {
            // Set elements have no identity to match prior ones by: plan them as new.
            for p in items.iter_mut() {
                let c = p.clone();
                apply_block(block, p, &c, &Value::Null, true, changed, path);
            }
        }
        (Nesting::Map, Value::Map(m)) => {
            for (k, p) in m.iter_mut() {
                let c = config.get_attr(k).unwrap_or(&Value::Null);
                let s = prior.get_attr(k).unwrap_or(&Value::Null);
                apply_block(
                    block,
                    p,
                    c,
                    s,
                    create || s.is_null(),
                    changed,
                    &path.clone().key(k),
                );
            }
        }
        _ => {}
    }
}

fn nth(v: &Value, i: usize) -> &Value {
    match v.inner() {
        Value::List(l) => l.get(i).unwrap_or(&Value::Null),
        _ => &Value::Null,
    }
}

/// The paths whose planned change requires replacement, by the schema's `requires_replace`
/// (inside nested attributes and blocks too); none on create or destroy.
pub(crate) fn replacements(block: &Block, prior: &Value, planned: &Value) -> Vec<AttributePath> {
    let mut out = Vec::new();
    if !prior.is_null() && !planned.is_null() {
        collect_replace(block, prior, planned, &AttributePath::new(), &mut out);
    }
    out
}

fn collect_replace(
    block: &Block,
    prior: &Value,
    planned: &Value,
    path: &AttributePath,
    out: &mut Vec<AttributePath>,
) {
    for b in &block.blocks {
        let s = prior.get_attr(&b.type_name).unwrap_or(&Value::Null);
        let p = planned.get_attr(&b.type_name).unwrap_or(&Value::Null);
        let nesting = match b.nesting {
            BlockNesting::Single | BlockNesting::Group => Nesting::Single,
            BlockNesting::List => Nesting::List,
            BlockNesting::Set => Nesting::Set,
            BlockNesting::Map => Nesting::Map,
        };
        collect_nested(
            &b.block,
            nesting,
            s,
            p,
            &path.clone().attr(&b.type_name),
            out,
        );
    }
    for a in &block.attributes {
        let s = prior.get_attr(&a.name).unwrap_or(&Value::Null);
        let p = planned.get_attr(&a.name).unwrap_or(&Value::Null);
        let here = path.clone().attr(&a.name);
        if a.requires_replace && s != p {
            out.push(here);
            continue;
        }
        if let AttrType::Nested(nesting, attrs) = &a.ty {
            let nested = Block {
                attributes: attrs.clone(),
                ..Block::default()
            };
            collect_nested(&nested, *nesting, s, p, &here, out);
        }
    }
}

/// [`collect_replace`] inside nested attributes or a nested block.
fn collect_nested(
    block: &Block,
    nesting: Nesting,
    s: &Value,
    p: &Value,
    here: &AttributePath,
    out: &mut Vec<AttributePath>,
) {
    match nesting {
        // A block added or removed as a whole changes each of its attributes (from or to null).
        Nesting::Single => collect_replace(block, s, p, here, out),
        Nesting::List => {
            if let (Value::List(ss), Value::List(ps)) = (s.inner(), p.inner()) {
                for (i, (se, pe)) in ss.iter().zip(ps).enumerate() {
                    collect_replace(block, se, pe, &here.clone().index(i as i64), out);
                }
            }
        }
        Nesting::Map => {
            if let (Value::Map(ss), Value::Map(ps)) = (s.inner(), p.inner()) {
                for (k, pe) in ps {
                    if let Some(se) = ss.get(k) {
                        collect_replace(block, se, pe, &here.clone().key(k), out);
                    }
                }
            }
        }
        Nesting::Set => {}
    }
}

/// Checks a new state against the plan it was applied from: every value known in the plan
/// must come back unchanged and nothing may stay unknown. Reports the provider bugs Terraform
/// would otherwise call "Provider produced inconsistent result", with the path.
pub(crate) fn check_applied(
    planned: &Value,
    new: &Value,
    path: &AttributePath,
    diags: &mut Diagnostics,
) {
    match (planned.inner(), new.inner()) {
        (_, Value::Unknown) => diags.error_at(
            path.clone(),
            "Provider returned an unknown value after apply",
            format!("The provider left {path} unknown after apply. This is a bug in the provider."),
        ),
        (Value::Unknown, _) => check_no_unknown(new, path, diags),
        (Value::Object(pm), Value::Object(nm)) | (Value::Map(pm), Value::Map(nm))
            if pm.len() == nm.len() =>
        {
            let map = matches!(planned.inner(), Value::Map(_));
            for (k, pv) in pm {
                let sub = if map {
                    path.clone().key(k)
                } else {
                    path.clone().attr(k)
                };
                match nm.get(k) {
                    Some(nv) => check_applied(pv, nv, &sub, diags),
                    None => mismatch(planned, new, path, diags),
                }
            }
        }
        (Value::List(pl), Value::List(nl)) | (Value::Tuple(pl), Value::Tuple(nl))
            if pl.len() == nl.len() =>
        {
            for (i, (pv, nv)) in pl.iter().zip(nl).enumerate() {
                check_applied(pv, nv, &path.clone().index(i as i64), diags);
            }
        }
        (Value::Set(_), Value::Set(_)) if planned.is_wholly_known() && planned != new => {
            mismatch(planned, new, path, diags);
        }
        (Value::Set(_), Value::Set(_)) if planned.is_wholly_known() => {}
        (Value::Set(_), Value::Set(_)) => check_no_unknown(new, path, diags),
        _ if planned != new => mismatch(planned, new, path, diags),
        _ => {}
    }
}

fn check_no_unknown(v: &Value, path: &AttributePath, diags: &mut Diagnostics) {
    if !v.is_wholly_known() {
        diags.error_at(
            path.clone(),
            "Provider returned an unknown value after apply",
            format!("The provider left part of {path} unknown after apply. This is a bug in the provider."),
        );
    }
}

fn mismatch(planned: &Value, new: &Value, path: &AttributePath, diags: &mut Diagnostics) {
    let at = if path.is_empty() {
        "the resource".to_owned()
    } else {
        path.to_string()
    };
    diags.error_at(
        path.clone(),
        "Provider produced inconsistent result after apply",
        format!("The provider planned {at} as {planned} but applying it produced {new}. This is a bug in the provider."),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{Attribute, Schema};

    fn schema() -> Schema {
        Schema::new()
            .attribute(Attribute::string("id").computed().use_state_for_unknown())
            .attribute(Attribute::string("name").required().requires_replace())
            .attribute(Attribute::string("description").optional())
            .attribute(Attribute::string("updated_at").computed())
            .attribute(Attribute::bool("self_hosted").default(true))
            .attribute(Attribute::string("secret").optional().write_only())
            .attribute(
                Attribute::nested(
                    "keys",
                    Nesting::Map,
                    vec![
                        Attribute::string("public_key").required(),
                        Attribute::string("id").computed().use_state_for_unknown(),
                    ],
                )
                .optional(),
            )
    }

    fn obj(
        id: Value,
        name: &str,
        desc: Value,
        updated: Value,
        hosted: Value,
        keys: Value,
    ) -> Value {
        Value::object([
            ("id", id),
            ("name", name.into()),
            ("description", desc),
            ("updated_at", updated),
            ("self_hosted", hosted),
            ("secret", Value::Null),
            ("keys", keys),
        ])
    }

    fn key(pk: &str, id: Value) -> Value {
        Value::object([("public_key", pk.into()), ("id", id)])
    }

    #[test]
    fn create_marks_unset_computed_unknown_and_fills_defaults() {
        let config = obj(
            Value::Null,
            "a",
            Value::Null,
            Value::Null,
            Value::Null,
            Value::map([("k", key("pk", Value::Null))]),
        );
        let plan = standard_plan(&schema().block, Value::Null, config.clone(), config);
        assert_eq!(plan.planned.get_attr("id"), Some(&Value::Unknown));
        assert_eq!(plan.planned.get_attr("updated_at"), Some(&Value::Unknown));
        assert_eq!(
            plan.planned.get_attr("self_hosted"),
            Some(&Value::Bool(true))
        );
        assert_eq!(
            plan.planned
                .get_path(&AttributePath::root("keys").key("k").attr("id")),
            Some(&Value::Unknown)
        );
        assert!(plan.requires_replace.is_empty());
    }

    #[test]
    fn update_keeps_state_for_unknown_and_requires_replace_on_name() {
        let prior = obj(
            "td-1".into(),
            "a",
            "old".into(),
            "t1".into(),
            true.into(),
            Value::map([("k", key("pk", "tdk-1".into()))]),
        );
        // Terraform's proposed state: config values, prior values for unset computed ones.
        let config = obj(
            Value::Null,
            "b",
            "new".into(),
            Value::Null,
            Value::Null,
            Value::map([
                ("k", key("pk", Value::Null)),
                ("k2", key("pk2", Value::Null)),
            ]),
        );
        let proposed = obj(
            "td-1".into(),
            "b",
            "new".into(),
            "t1".into(),
            true.into(),
            Value::map([
                ("k", key("pk", "tdk-1".into())),
                ("k2", key("pk2", Value::Null)),
            ]),
        );
        let plan = standard_plan(&schema().block, prior, proposed, config);
        assert_eq!(plan.planned.get_attr("id"), Some(&"td-1".into()));
        assert_eq!(plan.planned.get_attr("updated_at"), Some(&Value::Unknown));
        let k = AttributePath::root("keys");
        assert_eq!(
            plan.planned.get_path(&k.clone().key("k").attr("id")),
            Some(&"tdk-1".into())
        );
        assert_eq!(
            plan.planned.get_path(&k.key("k2").attr("id")),
            Some(&Value::Unknown)
        );
        assert_eq!(
            replacements(&schema().block, &plan.prior, &plan.planned),
            vec![AttributePath::root("name")]
        );
    }

    #[test]
    fn a_default_that_changes_a_value_counts_as_a_change() {
        // Out of band, self_hosted became false; the configuration leaves it to its default.
        let prior = obj(
            "td-1".into(),
            "a",
            Value::Null,
            "t1".into(),
            false.into(),
            Value::Null,
        );
        let config = obj(
            Value::Null,
            "a",
            Value::Null,
            Value::Null,
            Value::Null,
            Value::Null,
        );
        let plan = standard_plan(&schema().block, prior.clone(), prior, config);
        assert_eq!(
            plan.planned.get_attr("self_hosted"),
            Some(&Value::Bool(true))
        );
        assert_eq!(plan.planned.get_attr("updated_at"), Some(&Value::Unknown));
        assert_eq!(plan.planned.get_attr("id"), Some(&"td-1".into()));
    }

    #[test]
    fn an_unchanged_resource_plans_no_change() {
        let prior = obj(
            "td-1".into(),
            "a",
            Value::Null,
            "t1".into(),
            true.into(),
            Value::Null,
        );
        let config = obj(
            Value::Null,
            "a",
            Value::Null,
            Value::Null,
            Value::Null,
            Value::Null,
        );
        let plan = standard_plan(&schema().block, prior.clone(), prior.clone(), config);
        assert_eq!(plan.planned, prior);
    }

    #[test]
    fn check_applied_reports_changed_known_values() {
        let planned = Value::object([("id", Value::Unknown), ("name", "a".into())]);
        let mut d = Diagnostics::new();
        check_applied(
            &planned,
            &Value::object([("id", "x".into()), ("name", "a".into())]),
            &AttributePath::new(),
            &mut d,
        );
        assert!(!d.has_errors());
        check_applied(
            &planned,
            &Value::object([("id", "x".into()), ("name", "b".into())]),
            &AttributePath::new(),
            &mut d,
        );
        assert_eq!(d.items[0].attribute, Some(AttributePath::root("name")));
        let mut d = Diagnostics::new();
        check_applied(
            &planned,
            &Value::object([("id", Value::Unknown), ("name", "a".into())]),
            &AttributePath::new(),
            &mut d,
        );
        assert!(d.has_errors());
    }

    #[test]
    fn requires_replace_inside_a_nested_block_is_honoured() {
        use crate::schema::{BlockNesting, NestedBlock};
        let block = Schema::new()
            .attribute(Attribute::string("name").required())
            .block(NestedBlock::new(
                "aws",
                BlockNesting::Single,
                Block {
                    attributes: vec![Attribute::string("role_arn").optional().requires_replace()],
                    ..Block::default()
                },
            ))
            .block;
        let state = |role: Value| {
            Value::object([
                ("name", Value::from("n")),
                ("aws", Value::object([("role_arn", role)])),
            ])
        };
        let role = AttributePath::root("aws").attr("role_arn");
        assert_eq!(
            replacements(&block, &state("a".into()), &state("b".into())),
            vec![role.clone()]
        );
        assert!(replacements(&block, &state("a".into()), &state("a".into())).is_empty());
        // The block removed: its attribute goes from a value to null.
        let without = Value::object([("name", Value::from("n")), ("aws", Value::Null)]);
        assert_eq!(
            replacements(&block, &state("a".into()), &without),
            vec![role]
        );
        // Nothing is replaced on create.
        assert!(replacements(&block, &Value::Null, &state("a".into())).is_empty());
    }
}
