//! `#[derive(Model)]`: each Terraform attribute declared once, on the field of the struct that
//! holds it. From the field, its `///` comment (the attribute's description) and its `#[tf(…)]`
//! options come the schema, typed attribute paths, the declared checks and semantic equality.
//! See `tfplugin::model` for the traits it implements and the options it reads.

use proc_macro::TokenStream;
use proc_macro2::TokenStream as Tokens;
use quote::{format_ident, quote};
use syn::spanned::Spanned;
use syn::{
    Data, DeriveInput, Error, Expr, Fields, GenericArgument, LitStr, PathArguments, Type,
    parse_macro_input,
};

/// Derives `tfplugin::Model` (and `tfplugin::TfValue`) for a struct with named fields.
#[proc_macro_derive(Model, attributes(tf))]
pub fn derive_model(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand(&input)
        .unwrap_or_else(Error::into_compile_error)
        .into()
}

/// How a field is shown to Terraform in one kind of type (resource, data source, ephemeral).
#[derive(Clone, Default)]
struct Flags {
    required: bool,
    optional: bool,
    computed: bool,
    sensitive: bool,
    write_only: bool,
    replace: bool,
    keep: bool,
    omit: bool,
    default: Option<Expr>,
    doc: Option<LitStr>,
    deprecated: Option<LitStr>,
}

/// Whether a field is a plain attribute, nested attributes or a nested block.
#[derive(Clone, Copy, PartialEq)]
enum Shape {
    Plain,
    Nested,
    Block,
}

struct Field {
    ident: syn::Ident,
    name: String,
    ty: Type,
    doc: String,
    shape: Shape,
    base: Flags,
    data: Option<Flags>,
    ephemeral: Option<Flags>,
    check: Vec<Expr>,
    tf_type: Option<Expr>,
    skip: bool,
}

fn doc_of(attrs: &[syn::Attribute]) -> String {
    let mut lines = Vec::new();
    for a in attrs {
        if !a.path().is_ident("doc") {
            continue;
        }
        if let syn::Meta::NameValue(nv) = &a.meta
            && let Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            }) = &nv.value
        {
            lines.push(s.value());
        }
    }
    // Lines join with a space; an empty line is a paragraph break, as rustdoc reads them.
    let mut out = String::new();
    for line in lines {
        let line = line.trim();
        if line.is_empty() {
            if !out.is_empty() && !out.ends_with("\n\n") {
                out.push_str("\n\n");
            }
        } else {
            if !out.is_empty() && !out.ends_with('\n') {
                out.push(' ');
            }
            out.push_str(line);
        }
    }
    out.trim_end().to_owned()
}

fn parse_flags(meta: &syn::meta::ParseNestedMeta<'_>, f: &mut Flags) -> syn::Result<bool> {
    let p = &meta.path;
    let set = |b: &mut bool| {
        *b = true;
        Ok(true)
    };
    if p.is_ident("required") {
        set(&mut f.required)
    } else if p.is_ident("optional") {
        set(&mut f.optional)
    } else if p.is_ident("computed") {
        set(&mut f.computed)
    } else if p.is_ident("sensitive") {
        set(&mut f.sensitive)
    } else if p.is_ident("write_only") {
        set(&mut f.write_only)
    } else if p.is_ident("replace") {
        set(&mut f.replace)
    } else if p.is_ident("keep") {
        set(&mut f.keep)
    } else if p.is_ident("omit") {
        set(&mut f.omit)
    } else if p.is_ident("default") {
        f.default = Some(meta.value()?.parse()?);
        Ok(true)
    } else if p.is_ident("doc") {
        f.doc = Some(meta.value()?.parse()?);
        Ok(true)
    } else if p.is_ident("deprecated") {
        f.deprecated = Some(meta.value()?.parse()?);
        Ok(true)
    } else {
        Ok(false)
    }
}

fn parse_field(field: &syn::Field) -> syn::Result<Field> {
    let ident = field
        .ident
        .clone()
        .ok_or_else(|| Error::new(field.span(), "Model needs named fields"))?;
    let mut out = Field {
        name: ident.to_string().trim_start_matches("r#").to_owned(),
        ident,
        ty: field.ty.clone(),
        doc: doc_of(&field.attrs),
        shape: Shape::Plain,
        base: Flags::default(),
        data: None,
        ephemeral: None,
        check: Vec::new(),
        tf_type: None,
        skip: false,
    };
    for a in field.attrs.iter().filter(|a| a.path().is_ident("tf")) {
        a.parse_nested_meta(|meta| {
            if parse_flags(&meta, &mut out.base)? {
                return Ok(());
            }
            let p = &meta.path;
            if p.is_ident("nested") {
                out.shape = Shape::Nested;
            } else if p.is_ident("block") {
                out.shape = Shape::Block;
            } else if p.is_ident("skip") {
                out.skip = true;
            } else if p.is_ident("check") {
                out.check.push(meta.value()?.parse()?);
            } else if p.is_ident("ty") {
                out.tf_type = Some(meta.value()?.parse()?);
            } else if p.is_ident("name") {
                out.name = meta.value()?.parse::<LitStr>()?.value();
            } else if p.is_ident("data") || p.is_ident("ephemeral") {
                let mut f = Flags::default();
                meta.parse_nested_meta(|inner| {
                    if parse_flags(&inner, &mut f)? {
                        Ok(())
                    } else {
                        Err(inner.error("unknown option in a kind's flags"))
                    }
                })?;
                if p.is_ident("data") {
                    out.data = Some(f);
                } else {
                    out.ephemeral = Some(f);
                }
            } else {
                return Err(meta.error(
                    "unknown #[tf] option (required, optional, computed, sensitive, write_only, \
                     replace, keep, omit, default, doc, deprecated, nested, block, skip, check, \
                     ty, name, data(..), ephemeral(..))",
                ));
            }
            Ok(())
        })?;
    }
    Ok(out)
}

/// The single generic argument of `Name<…>` when `ty` is spelt that way.
fn generic_of<'a>(ty: &'a Type, names: &[&str]) -> Option<&'a Type> {
    let Type::Path(tp) = ty else { return None };
    let seg = tp.path.segments.last()?;
    if !names.iter().any(|n| seg.ident == n) {
        return None;
    }
    let PathArguments::AngleBracketed(args) = &seg.arguments else {
        return None;
    };
    args.args.iter().rev().find_map(|a| match a {
        GenericArgument::Type(t) => Some(t),
        _ => None,
    })
}

/// For a nested field: the nesting (`Single`, `List`, `Map`) and the model type inside.
fn nesting_of(ty: &Type) -> (&'static str, &Type) {
    let inner = generic_of(ty, &["Attr", "Option"]).unwrap_or(ty);
    if let Some(t) = generic_of(inner, &["Vec"]) {
        ("List", t)
    } else if let Some(t) = generic_of(inner, &["BTreeMap", "HashMap"]) {
        ("Map", t)
    } else {
        ("Single", inner)
    }
}

fn flags_tokens(f: &Flags, doc: &str) -> Tokens {
    let mut t = quote! {};
    if f.required {
        t.extend(quote! { .required() });
    }
    if f.optional {
        t.extend(quote! { .optional() });
    }
    if f.computed {
        t.extend(quote! { .computed() });
    }
    if f.sensitive {
        t.extend(quote! { .sensitive() });
    }
    if f.write_only {
        t.extend(quote! { .write_only() });
    }
    if f.replace {
        t.extend(quote! { .requires_replace() });
    }
    if f.keep {
        t.extend(quote! { .use_state_for_unknown() });
    }
    if let Some(d) = &f.default {
        t.extend(quote! { .default(#d) });
    }
    if let Some(d) = &f.deprecated {
        t.extend(quote! { .deprecated(#d) });
    }
    let doc = f.doc.as_ref().map_or_else(|| doc.to_owned(), LitStr::value);
    t.extend(quote! { .description(#doc) });
    t
}

fn expand(input: &DeriveInput) -> syn::Result<Tokens> {
    let name = &input.ident;
    let Data::Struct(data) = &input.data else {
        return Err(Error::new(input.span(), "Model is derived for structs"));
    };
    let Fields::Named(named) = &data.fields else {
        return Err(Error::new(input.span(), "Model needs named fields"));
    };
    let fields = named
        .named
        .iter()
        .map(parse_field)
        .collect::<syn::Result<Vec<_>>>()?;
    let fields: Vec<&Field> = fields.iter().filter(|f| !f.skip).collect();
    let paths_name = format_ident!("{}Paths", name);
    let vis = &input.vis;

    let mut attrs = Vec::new();
    let mut blocks = Vec::new();
    let mut path_fields = Vec::new();
    let mut path_inits = Vec::new();
    let mut checks = Vec::new();
    let mut spellings = Vec::new();
    let mut equal = Vec::new();
    for f in &fields {
        let ident = &f.ident;
        let attr_name = &f.name;
        let ty = &f.ty;
        let kinds = [
            (quote! { ::tfplugin::Kind::Resource }, Some(&f.base)),
            (quote! { ::tfplugin::Kind::DataSource }, f.data.as_ref()),
            (quote! { ::tfplugin::Kind::Ephemeral }, f.ephemeral.as_ref()),
        ];
        let mut arms = Vec::new();
        for (kind, flags) in kinds {
            let flags = flags.unwrap_or(&f.base);
            if flags.omit {
                arms.push(quote! { #kind => {} });
                continue;
            }
            let set = flags_tokens(flags, &f.doc);
            let push = match f.shape {
                Shape::Plain => {
                    let tf_type = f.tf_type.as_ref().map_or_else(
                        || quote! { <#ty as ::tfplugin::TfValue>::tf_type() },
                        |e| quote! { #e },
                    );
                    quote! { attrs.push(::tfplugin::Attribute::new(#attr_name, #tf_type) #set); }
                }
                Shape::Nested => {
                    let (nesting, inner) = nesting_of(ty);
                    let nesting = format_ident!("{}", nesting);
                    quote! {
                        attrs.push(::tfplugin::Attribute::nested(
                            #attr_name,
                            ::tfplugin::Nesting::#nesting,
                            <#inner as ::tfplugin::Model>::attributes(kind),
                        ) #set);
                    }
                }
                Shape::Block => {
                    let (nesting, inner) = nesting_of(ty);
                    let nesting = format_ident!("{}", nesting);
                    let doc = flags
                        .doc
                        .as_ref()
                        .map_or_else(|| f.doc.clone(), LitStr::value);
                    quote! {
                        blocks.push(::tfplugin::NestedBlock::new(
                            #attr_name,
                            ::tfplugin::BlockNesting::#nesting,
                            ::tfplugin::Block {
                                attributes: <#inner as ::tfplugin::Model>::attributes(kind),
                                blocks: <#inner as ::tfplugin::Model>::blocks(kind),
                                description: #doc.into(),
                                ..::tfplugin::Block::default()
                            },
                        ));
                    }
                }
            };
            arms.push(quote! { #kind => { #push } });
        }
        let arms = quote! { match kind { #(#arms)* } };
        if f.shape == Shape::Block {
            blocks.push(arms);
        } else {
            attrs.push(arms);
        }

        // Typed paths: a nested model's own paths, under this attribute.
        let path_doc = format!("The path of `{attr_name}`.");
        if f.shape == Shape::Plain {
            path_fields.push(quote! { #[doc = #path_doc] pub #ident: ::tfplugin::AttributePath });
            path_inits.push(quote! { #ident: at.clone().attr(#attr_name) });
        } else {
            let (nesting, inner) = nesting_of(ty);
            let paths_ty = match nesting {
                "List" => quote! { ::tfplugin::model::ListPaths<#inner> },
                "Map" => quote! { ::tfplugin::model::MapPaths<#inner> },
                _ => quote! { <#inner as ::tfplugin::Model>::Paths },
            };
            let init = match nesting {
                "List" | "Map" => {
                    quote! { ::tfplugin::model::ElementPaths::under(at.clone().attr(#attr_name)) }
                }
                _ => {
                    quote! { <#inner as ::tfplugin::Model>::paths_at(at.clone().attr(#attr_name)) }
                }
            };
            path_fields.push(quote! { #[doc = #path_doc] pub #ident: #paths_ty });
            path_inits.push(quote! { #ident: #init });
        }

        for c in &f.check {
            checks.push(quote! {
                if let Some(v) = ::tfplugin::model::Known::known_value(&self.#ident) {
                    (#c)(v, &at.clone().attr(#attr_name), diags);
                }
            });
        }
        checks.push(quote! {
            ::tfplugin::TfValue::check(&self.#ident, &at.clone().attr(#attr_name), diags);
        });
        spellings.push(quote! {
            ::tfplugin::TfValue::keep_spelling(&mut self.#ident, &prior.#ident);
        });
        equal.push(quote! {
            ::tfplugin::TfValue::semantically_equal(&self.#ident, &other.#ident)
        });
    }
    let doc = format!("Typed attribute paths of [`{name}`]: one field per attribute.");
    Ok(quote! {
        #[doc = #doc]
        #[derive(Clone, Debug)]
        #vis struct #paths_name {
            #(#path_fields,)*
            /// The path of the object itself.
            pub root: ::tfplugin::AttributePath,
        }

        impl ::tfplugin::Model for #name {
            type Paths = #paths_name;

            fn attributes(kind: ::tfplugin::Kind) -> ::std::vec::Vec<::tfplugin::Attribute> {
                let mut attrs = ::std::vec::Vec::new();
                #(#attrs)*
                attrs
            }

            fn blocks(kind: ::tfplugin::Kind) -> ::std::vec::Vec<::tfplugin::NestedBlock> {
                let mut blocks = ::std::vec::Vec::new();
                #(#blocks)*
                blocks
            }

            fn paths_at(at: ::tfplugin::AttributePath) -> #paths_name {
                #paths_name { #(#path_inits,)* root: at }
            }
        }

        impl ::tfplugin::TfValue for #name {
            const NESTED: bool = true;

            fn tf_type() -> ::tfplugin::Type {
                ::tfplugin::model::object_type::<#name>()
            }

            fn check(
                &self,
                at: &::tfplugin::AttributePath,
                diags: &mut ::tfplugin::Diagnostics,
            ) {
                #(#checks)*
            }

            fn keep_spelling(&mut self, prior: &Self) {
                #(#spellings)*
            }

            fn semantically_equal(&self, other: &Self) -> bool {
                true #(&& #equal)*
            }
        }
    })
}
