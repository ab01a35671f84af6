//! Every description the provider serves, read over the plugin protocol as Terraform reads it:
//! the provider block, each resource, data source and ephemeral resource with their nested
//! attributes and blocks, resource identities, and function signatures, with the diagnostics
//! that come with them. None may hold a run of two or more spaces except as indentation at a
//! line's start (Markdown code blocks indent): Terraform, the registry and the generated docs
//! show descriptions as written, and such a run is a line once wrapped by hand or two sentences
//! glued with a stray space. (The diagnostics of `src/diagnostics.rs` are checked the same way by
//! the library's unit tests.)

use magma_protocol::tfplugin6 as pb;

use crate::support::Served;

/// What the walk found: `(where, text)` of every description, summary and message.
#[derive(Default)]
struct Texts(Vec<(String, String)>);

impl Texts {
    fn add(&mut self, place: &str, what: &str, text: &str) {
        if !text.is_empty() {
            self.0.push((format!("{place} ({what})"), text.to_owned()));
        }
    }

    fn schema(&mut self, place: &str, schema: Option<&pb::Schema>) {
        if let Some(block) = schema.and_then(|s| s.block.as_ref()) {
            self.block(place, block);
        }
    }

    fn block(&mut self, place: &str, block: &pb::schema::Block) {
        self.add(place, "description", &block.description);
        self.add(place, "deprecation message", &block.deprecation_message);
        for attribute in &block.attributes {
            self.attribute(&format!("{place}.{}", attribute.name), attribute);
        }
        for nested in &block.block_types {
            if let Some(inner) = &nested.block {
                self.block(&format!("{place}.{}", nested.type_name), inner);
            }
        }
    }

    fn attribute(&mut self, place: &str, attribute: &pb::schema::Attribute) {
        self.add(place, "description", &attribute.description);
        self.add(place, "deprecation message", &attribute.deprecation_message);
        for inner in attribute.nested_type.iter().flat_map(|o| &o.attributes) {
            self.attribute(&format!("{place}.{}", inner.name), inner);
        }
    }

    fn function(&mut self, name: &str, function: &pb::Function) {
        let place = format!("function {name}");
        self.add(&place, "summary", &function.summary);
        self.add(&place, "description", &function.description);
        self.add(&place, "deprecation message", &function.deprecation_message);
        for parameter in function
            .parameters
            .iter()
            .chain(&function.variadic_parameter)
        {
            let place = format!("{place} parameter {}", parameter.name);
            self.add(&place, "description", &parameter.description);
        }
    }

    fn diagnostics(&mut self, place: &str, diagnostics: &[pb::Diagnostic]) {
        for d in diagnostics {
            self.add(place, "diagnostic summary", &d.summary);
            self.add(place, "diagnostic detail", &d.detail);
        }
    }
}

/// The lines of `text` with a run of two or more spaces after their indentation.
fn runs_of_spaces(text: &str) -> Vec<&str> {
    text.lines()
        .filter(|line| line.trim_start_matches(' ').contains("  "))
        .collect()
}

#[test]
fn runs_of_spaces_are_found_after_indentation_only() {
    assert!(runs_of_spaces("One.\n\n```hcl\nresource \"a\" \"b\" {\n  x = 1\n}\n```").is_empty());
    assert_eq!(runs_of_spaces("One.  Two."), ["One.  Two."]);
    assert_eq!(runs_of_spaces("  x =  1\nfine"), ["  x =  1"]);
    assert_eq!(runs_of_spaces("a hard break  \nnext"), ["a hard break  "]);
}

#[tokio::test]
async fn schema_descriptions_have_no_runs_of_spaces() {
    let mut served = Served::start().await;
    let schemas = served.schemas().await;
    let client = &mut served.client;
    let identities = client
        .get_resource_identity_schemas(pb::get_resource_identity_schemas::Request {})
        .await
        .expect("GetResourceIdentitySchemas")
        .into_inner();
    let functions = client
        .get_functions(pb::get_functions::Request {})
        .await
        .expect("GetFunctions")
        .into_inner();
    served.stop().await;

    let mut texts = Texts::default();
    texts.schema("provider", schemas.provider.as_ref());
    texts.schema("provider_meta", schemas.provider_meta.as_ref());
    for (kind, map) in [
        ("resource", &schemas.resource_schemas),
        ("data source", &schemas.data_source_schemas),
        ("ephemeral resource", &schemas.ephemeral_resource_schemas),
        ("list resource", &schemas.list_resource_schemas),
        ("state store", &schemas.state_store_schemas),
    ] {
        for (name, schema) in map {
            texts.schema(&format!("{kind} {name}"), Some(schema));
        }
    }
    for (name, action) in &schemas.action_schemas {
        texts.schema(&format!("action {name}"), action.schema.as_ref());
    }
    for (name, identity) in &identities.identity_schemas {
        for attribute in &identity.identity_attributes {
            let place = format!("resource {name} identity {}", attribute.name);
            texts.add(&place, "description", &attribute.description);
        }
    }
    for (name, function) in schemas.functions.iter().chain(&functions.functions) {
        texts.function(name, function);
    }
    texts.diagnostics("GetProviderSchema", &schemas.diagnostics);
    texts.diagnostics("GetResourceIdentitySchemas", &identities.diagnostics);
    texts.diagnostics("GetFunctions", &functions.diagnostics);

    // The walk reached the nested parts: more texts than there are types.
    let types = schemas.resource_schemas.len()
        + schemas.data_source_schemas.len()
        + schemas.ephemeral_resource_schemas.len();
    assert!(
        texts.0.len() > 3 * types,
        "only {} descriptions in {types} types",
        texts.0.len()
    );
    let found: Vec<String> = texts
        .0
        .iter()
        .flat_map(|(place, text)| {
            runs_of_spaces(text)
                .into_iter()
                .map(move |line| format!("{place}: {line:?}"))
        })
        .collect();
    assert!(
        found.is_empty(),
        "runs of spaces in {} descriptions:\n{}",
        found.len(),
        found.join("\n")
    );
}
