//! Registry docs (`docs/`) generated from the provider's schemas, `examples/` and `templates/`,
//! in the layout the Terraform Registry reads and HashiCorp's tfplugindocs writes. `make docs`
//! writes them; `make docs-check` (part of `make test`) regenerates them in memory and fails,
//! naming each file, when `docs/` differs.
//!
//! The schemas come from the provider library itself ([`SpirlProvider`] through tfplugin's
//! [`tfplugin::Provider`] trait), so a page cannot describe an attribute the provider does not have. Every
//! attribute must have a description; one without is an error here, not a blank in the docs.
//!
//! | page | written to | template, when the default does not do | example / import |
//! |---|---|---|---|
//! | provider | `docs/index.md` | `templates/index.md.tmpl` | `examples/provider/provider.tf` |
//! | resource `spirl_x` | `docs/resources/x.md` | `templates/resources/x.md.tmpl` | `examples/resources/spirl_x/resource.tf`, `import.sh` |
//! | data source | `docs/data-sources/x.md` | `templates/data-sources/x.md.tmpl` | `examples/data-sources/spirl_x/data-source.tf` |
//! | ephemeral resource | `docs/ephemeral-resources/x.md` | `templates/ephemeral-resources/x.md.tmpl` | `examples/ephemeral-resources/spirl_x/ephemeral-resource.tf` |
//! | guide | `docs/guides/NAME.md` | `templates/guides/NAME.md.tmpl` (required) | whatever it includes |
//!
//! Every type needs its example; `import.sh` is optional (a resource without one is not
//! importable). A template, or an example directory, that matches no type is an error, so
//! renames cannot leave stale pages behind.
//!
//! ## Templates
//!
//! A template is the whole page, frontmatter included. Placeholders, `{{ … }}`
//! (see [`template`]):
//!
//! | placeholder | becomes |
//! |---|---|
//! | `{{ .Name }}`, `{{ .Type }}`, `{{ .ProviderName }}` | `spirl_key_pair`, `Resource`, `spirl` |
//! | `{{ .Description }}` | the schema's markdown description |
//! | `{{ .Summary }}` | its first paragraph on one line (for the frontmatter `description`) |
//! | `{{ .SchemaMarkdown }}` | the `## Schema` section ([`schema_md`]) |
//! | `{{ .Example }}`, `{{ .Import }}` | the type's example / `import.sh`, fenced |
//! | `{{ tffile "PATH" }}`, `{{ codefile "LANG" "PATH" }}` | any workspace file, fenced |
//!
//! Guides have only `.ProviderName`, `tffile` and `codefile`. Types without a template use
//! [`default_template`], tfplugindocs' layout: frontmatter, title, description, Example Usage,
//! Schema, Import. Output is deterministic: sorted, no timestamps, one trailing newline.

mod schema_md;
mod template;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use terraform_provider_spirl::provider::{NAME, SpirlProvider};
use tfplugin::{Provider as _, Schema};

use crate::workspace_root;

/// Writes `docs/` (or, with `check`, fails when the committed docs differ).
pub fn run(check: bool, args: &[String]) -> Result<(), String> {
    if let Some(arg) = args.first() {
        return Err(format!(
            "unexpected argument `{arg}`: docs and docs-check take none"
        ));
    }
    let root = workspace_root();
    let pages = generate(&root, &spirl_types(), NAME)?;
    let docs = root.join("docs");
    if check {
        let drift = drift(&docs, &pages)?;
        if drift.is_empty() {
            eprintln!("docs-check: docs/ is up to date ({} files)", pages.len());
            return Ok(());
        }
        for d in &drift {
            eprintln!("docs-check: {d}");
        }
        Err(format!(
            "docs/ differs from what the generator writes ({} file(s) above); run `make docs` \
             and commit docs/",
            drift.len()
        ))
    } else {
        let changed = write(&docs, &pages)?;
        eprintln!(
            "docs: {} files in docs/, {changed} written or removed",
            pages.len()
        );
        Ok(())
    }
}

/// What kind of Terraform type a page documents.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// The provider block.
    Provider,
    /// A managed resource.
    Resource,
    /// A data source.
    DataSource,
    /// An ephemeral resource.
    EphemeralResource,
}

impl Kind {
    const TYPES: [Kind; 3] = [Kind::Resource, Kind::DataSource, Kind::EphemeralResource];

    fn label(self) -> &'static str {
        match self {
            Kind::Provider => "Provider",
            Kind::Resource => "Resource",
            Kind::DataSource => "Data Source",
            Kind::EphemeralResource => "Ephemeral Resource",
        }
    }

    /// The directory under `docs/`, `templates/` and `examples/`.
    fn dir(self) -> &'static str {
        match self {
            Kind::Provider => "provider",
            Kind::Resource => "resources",
            Kind::DataSource => "data-sources",
            Kind::EphemeralResource => "ephemeral-resources",
        }
    }

    fn example_file(self) -> &'static str {
        match self {
            Kind::Provider => "provider.tf",
            Kind::Resource => "resource.tf",
            Kind::DataSource => "data-source.tf",
            Kind::EphemeralResource => "ephemeral-resource.tf",
        }
    }
}

/// One documented type and its schema.
pub struct TypeDoc {
    /// What it is.
    pub kind: Kind,
    /// Its full name (`spirl_trust_domain`), or the provider's name.
    pub name: String,
    /// Its schema.
    pub schema: Schema,
}

/// The provider's own types, straight from the library.
fn spirl_types() -> Vec<TypeDoc> {
    let provider = SpirlProvider::default();
    let mut types = vec![TypeDoc {
        kind: Kind::Provider,
        name: NAME.to_owned(),
        schema: provider.schema(),
    }];
    let doc = |kind, name: &str, schema: &Schema| TypeDoc {
        kind,
        name: name.to_owned(),
        schema: schema.clone(),
    };
    types.extend(
        provider
            .resources()
            .iter()
            .map(|r| doc(Kind::Resource, r.name(), r.schema())),
    );
    types.extend(
        provider
            .data_sources()
            .iter()
            .map(|d| doc(Kind::DataSource, d.name(), d.schema())),
    );
    types.extend(
        provider
            .ephemeral_resources()
            .iter()
            .map(|e| doc(Kind::EphemeralResource, e.name(), e.schema())),
    );
    types
}

/// Where one type's page and inputs live, relative to the workspace root (`docs/` for `page`).
struct Paths {
    page: String,
    template: String,
    example_dir: String,
    example: String,
    import: Option<String>,
}

fn paths(t: &TypeDoc, provider_name: &str) -> Result<Paths, String> {
    if t.kind == Kind::Provider {
        return Ok(Paths {
            page: "index.md".to_owned(),
            template: "templates/index.md.tmpl".to_owned(),
            example_dir: "examples/provider".to_owned(),
            example: "examples/provider/provider.tf".to_owned(),
            import: None,
        });
    }
    let short = t
        .name
        .strip_prefix(provider_name)
        .and_then(|s| s.strip_prefix('_'))
        .filter(|s| !s.is_empty())
        .ok_or_else(|| {
            format!(
                "{} `{}` does not start with `{provider_name}_`",
                t.kind.label(),
                t.name
            )
        })?;
    let dir = t.kind.dir();
    let example_dir = format!("examples/{dir}/{}", t.name);
    Ok(Paths {
        page: format!("{dir}/{short}.md"),
        template: format!("templates/{dir}/{short}.md.tmpl"),
        example: format!("{example_dir}/{}", t.kind.example_file()),
        import: (t.kind == Kind::Resource).then(|| format!("{example_dir}/import.sh")),
        example_dir,
    })
}

/// tfplugindocs' page layout, for types without a template of their own.
pub fn default_template(kind: Kind, has_example: bool, has_import: bool) -> String {
    let (title, heading) = match kind {
        Kind::Provider => (
            "{{ .ProviderName }} Provider",
            "{{ .ProviderName }} Provider",
        ),
        _ => (
            "{{ .Name }} {{ .Type }} - {{ .ProviderName }}",
            "{{ .Name }} ({{ .Type }})",
        ),
    };
    let mut t = format!(
        "---\npage_title: \"{title}\"\nsubcategory: \"\"\ndescription: |-\n  {{{{ .Summary }}}}\n---\n\n\
         # {heading}\n\n{{{{ .Description }}}}\n\n"
    );
    if has_example {
        t.push_str("## Example Usage\n\n{{ .Example }}\n\n");
    }
    t.push_str("{{ .SchemaMarkdown }}\n");
    if has_import {
        t.push_str(
            "\n## Import\n\nImport is supported using the following syntax:\n\n{{ .Import }}\n",
        );
    }
    t
}

/// Every page, by path under `docs/` (with `/`), rendered in memory. All problems at once.
pub fn generate(
    root: &Path,
    types: &[TypeDoc],
    provider_name: &str,
) -> Result<BTreeMap<String, String>, String> {
    let mut pages = BTreeMap::new();
    let mut errors = Vec::new();
    let mut used_templates = BTreeSet::new();
    let mut example_dirs = BTreeSet::new();
    for t in types {
        let p = match paths(t, provider_name) {
            Ok(p) => p,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        used_templates.insert(p.template.clone());
        example_dirs.insert(p.example_dir.clone());
        match type_page(root, t, &p, provider_name) {
            Ok(text) => {
                pages.insert(p.page, text);
            }
            Err(e) => errors.push(e),
        }
    }
    for rel in files_under(root, "templates/guides")? {
        let Some(name) = rel.strip_suffix(".md.tmpl") else {
            errors.push(format!(
                "templates/guides/{rel}: guide templates end in .md.tmpl"
            ));
            continue;
        };
        let origin = format!("templates/guides/{rel}");
        let ctx = template::Context {
            root,
            provider_name,
            page: None,
        };
        match read(root, &origin).and_then(|t| template::render(&t, &origin, &ctx)) {
            Ok(text) => {
                pages.insert(format!("guides/{name}.md"), finish(&text));
            }
            Err(e) => errors.push(e),
        }
        used_templates.insert(origin);
    }
    for rel in files_under(root, "templates")? {
        let path = format!("templates/{rel}");
        if !used_templates.contains(&path) {
            errors.push(format!(
                "{path} matches no provider, resource, data source or ephemeral resource \
                 (expected templates/<kind>/<name without {provider_name}_>.md.tmpl)"
            ));
        }
    }
    for kind in Kind::TYPES {
        let base = format!("examples/{}", kind.dir());
        for dir in dirs_under(root, &base)? {
            let path = format!("{base}/{dir}");
            if !example_dirs.contains(&path) {
                errors.push(format!(
                    "{path}/ matches no {} of the provider",
                    kind.label().to_lowercase()
                ));
            }
        }
    }
    if errors.is_empty() {
        Ok(pages)
    } else {
        Err(errors.join("\n"))
    }
}

/// One type's page, from its template or the default one.
fn type_page(root: &Path, t: &TypeDoc, p: &Paths, provider_name: &str) -> Result<String, String> {
    let what = format!("{} `{}`", t.kind.label(), t.name);
    if t.schema.block.description.trim().is_empty() {
        return Err(format!("{what} has no description in its schema"));
    }
    let undocumented = schema_md::undocumented(&t.schema.block);
    if !undocumented.is_empty() {
        return Err(format!(
            "{what}: no description for {}; write one in its schema",
            undocumented
                .iter()
                .map(|a| format!("`{a}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if !root.join(&p.example).is_file() {
        return Err(format!("{what} has no example: write {}", p.example));
    }
    let import = p.import.as_deref().filter(|i| root.join(i).is_file());
    let (text, template) = if root.join(&p.template).is_file() {
        (read(root, &p.template)?, Some(p.template.clone()))
    } else {
        (default_template(t.kind, true, import.is_some()), None)
    };
    let mut description = t.schema.block.description.trim().to_owned();
    if t.schema.block.deprecated {
        description = format!(
            "~> **Deprecated:** {}\n\n{description}",
            t.schema.block.deprecation_message.trim()
        );
    }
    let schema_markdown = schema_md::render(&t.schema.block);
    let ctx = template::Context {
        root,
        provider_name,
        page: Some(template::Page {
            name: &t.name,
            label: t.kind.label(),
            description: &description,
            schema_markdown: &schema_markdown,
            example: Some(&p.example),
            import,
        }),
    };
    let origin = template.unwrap_or_else(|| format!("the default template for {what}"));
    Ok(finish(&template::render(&text, &origin, &ctx)?))
}

/// One trailing newline, no trailing spaces, at most one blank line in a row outside code.
fn finish(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank_run = 0;
    let mut in_code = false;
    for line in text.trim().lines() {
        let line = line.trim_end();
        if line.starts_with("```") {
            in_code = !in_code;
        }
        if line.is_empty() && !in_code {
            blank_run += 1;
            if blank_run > 1 {
                continue;
            }
        } else {
            blank_run = 0;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

fn read(root: &Path, rel: &str) -> Result<String, String> {
    std::fs::read_to_string(root.join(rel)).map_err(|e| format!("{rel}: {e}"))
}

/// Files under `root/rel`, recursively, as sorted `/`-separated paths relative to it; none
/// when it does not exist.
fn files_under(root: &Path, rel: &str) -> Result<Vec<String>, String> {
    let mut files = Vec::new();
    walk(&root.join(rel), "", &mut files, true)?;
    files.sort();
    Ok(files)
}

/// The names of the directories directly under `root/rel`, sorted.
fn dirs_under(root: &Path, rel: &str) -> Result<Vec<String>, String> {
    let mut dirs = Vec::new();
    walk(&root.join(rel), "", &mut dirs, false)?;
    dirs.sort();
    Ok(dirs)
}

/// Collects files (recursively) or, with `files` false, the immediate subdirectories.
fn walk(dir: &Path, prefix: &str, out: &mut Vec<String>, files: bool) -> Result<(), String> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(format!("{}: {e}", dir.display())),
    };
    for entry in entries {
        let entry = entry.map_err(|e| format!("{}: {e}", dir.display()))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let rel = format!("{prefix}{name}");
        let is_dir = entry
            .file_type()
            .map_err(|e| format!("{}: {e}", entry.path().display()))?
            .is_dir();
        match (is_dir, files) {
            (true, true) => walk(&entry.path(), &format!("{rel}/"), out, true)?,
            (false, true) | (true, false) => out.push(rel),
            (false, false) => {}
        }
    }
    Ok(())
}

/// How `docs/` differs from `pages`: one line per file that differs, is missing or is extra.
pub fn drift(docs: &Path, pages: &BTreeMap<String, String>) -> Result<Vec<String>, String> {
    let mut found = Vec::new();
    for (rel, text) in pages {
        match std::fs::read(docs.join(rel)) {
            Ok(bytes) if bytes == text.as_bytes() => {}
            Ok(_) => found.push(format!("docs/{rel} differs")),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                found.push(format!("docs/{rel} is missing"));
            }
            Err(e) => return Err(format!("docs/{rel}: {e}")),
        }
    }
    let mut existing = Vec::new();
    walk(docs, "", &mut existing, true)?;
    existing.sort();
    for rel in existing {
        if !pages.contains_key(&rel) {
            found.push(format!(
                "docs/{rel} is extra (the generator does not write it)"
            ));
        }
    }
    Ok(found)
}

/// Makes `docs/` exactly `pages`: writes what differs, removes files it does not write (and
/// directories left empty). Returns how many files it wrote or removed.
pub fn write(docs: &Path, pages: &BTreeMap<String, String>) -> Result<usize, String> {
    let mut changed = 0;
    for (rel, text) in pages {
        let path = docs.join(rel);
        if std::fs::read(&path).is_ok_and(|b| b == text.as_bytes()) {
            continue;
        }
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
        }
        std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
        changed += 1;
    }
    let mut existing = Vec::new();
    walk(docs, "", &mut existing, true)?;
    for rel in existing {
        if pages.contains_key(&rel) {
            continue;
        }
        let path = docs.join(&rel);
        std::fs::remove_file(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        changed += 1;
        let mut dir = path.parent();
        while let Some(d) = dir.filter(|d| *d != docs) {
            // Stops at the first directory that still holds something.
            if std::fs::remove_dir(d).is_err() {
                break;
            }
            dir = d.parent();
        }
    }
    Ok(changed)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::path::PathBuf;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use tfplugin::{Attribute, Nesting};

    /// A directory under the system temp dir, removed on drop.
    pub(crate) struct TempTree(PathBuf);

    impl TempTree {
        pub(crate) fn new(name: &str) -> TempTree {
            static NEXT: AtomicUsize = AtomicUsize::new(0);
            let n = NEXT.fetch_add(1, Ordering::Relaxed);
            let dir =
                std::env::temp_dir().join(format!("xtask-docs-{name}-{}-{n}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).expect("create temp dir");
            TempTree(dir)
        }

        pub(crate) fn path(&self) -> &Path {
            &self.0
        }

        pub(crate) fn write(&self, rel: &str, text: &str) {
            let path = self.0.join(rel);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(path, text).expect("write");
        }
    }

    impl Drop for TempTree {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn thing() -> TypeDoc {
        TypeDoc {
            kind: Kind::Resource,
            name: "demo_thing".to_owned(),
            schema: Schema::new()
                .description("A thing.\n\nIt does things.")
                .attribute(Attribute::string("id").computed().description("The id."))
                .attribute(
                    Attribute::nested(
                        "keys",
                        Nesting::Map,
                        vec![Attribute::string("pem").required().description("A PEM.")],
                    )
                    .optional()
                    .description("Keys."),
                ),
        }
    }

    fn provider() -> TypeDoc {
        TypeDoc {
            kind: Kind::Provider,
            name: "demo".to_owned(),
            schema: Schema::new().description("The demo provider.").attribute(
                Attribute::string("token")
                    .optional()
                    .sensitive()
                    .description("The token."),
            ),
        }
    }

    /// A workspace with examples for both types, an import, a provider template and a guide.
    fn tree(name: &str) -> TempTree {
        let t = TempTree::new(name);
        t.write("examples/provider/provider.tf", "provider \"demo\" {}\n");
        t.write(
            "examples/resources/demo_thing/resource.tf",
            "resource \"demo_thing\" \"x\" {}\n",
        );
        t.write(
            "examples/resources/demo_thing/import.sh",
            "terraform import demo_thing.x id-1\n",
        );
        t.write(
            "templates/index.md.tmpl",
            "---\npage_title: \"{{ .ProviderName }} Provider\"\n---\n\n# Hand-written intro\n\n\n\n{{ .SchemaMarkdown }}\n",
        );
        t.write(
            "templates/guides/start.md.tmpl",
            "---\npage_title: \"Start\"\n---\n\n{{ tffile \"examples/resources/demo_thing/resource.tf\" }}\n",
        );
        t
    }

    #[test]
    fn generate_writes_registry_layout_from_schemas_examples_and_templates() {
        let t = tree("layout");
        let pages = generate(t.path(), &[provider(), thing()], "demo").expect("generates");
        assert_eq!(
            pages.keys().collect::<Vec<_>>(),
            ["guides/start.md", "index.md", "resources/thing.md"]
        );
        let thing_page = &pages["resources/thing.md"];
        assert!(
            thing_page.starts_with(
                "---\npage_title: \"demo_thing Resource - demo\"\nsubcategory: \"\"\n\
                 description: |-\n  A thing.\n---\n\n# demo_thing (Resource)\n\nA thing.\n\nIt does things.\n\n\
                 ## Example Usage\n\n```terraform\nresource \"demo_thing\" \"x\" {}\n```\n\n"
            ),
            "{thing_page}"
        );
        assert!(thing_page.contains(
            "- `keys` (Attributes Map) Keys. (see [below for nested schema](#nestedatt--keys))"
        ));
        assert!(thing_page.ends_with(
            "## Import\n\nImport is supported using the following syntax:\n\n```shell\nterraform import demo_thing.x id-1\n```\n"
        ), "{thing_page}");
        // The template's extra blank lines are folded; the schema is in.
        assert!(pages["index.md"].contains("# Hand-written intro\n\n<!-- schema generated"));
        assert!(pages["index.md"].contains("- `token` (String, Sensitive) The token."));
        assert!(pages["guides/start.md"].contains("```terraform\nresource \"demo_thing\""));
        // Deterministic.
        assert_eq!(
            generate(t.path(), &[provider(), thing()], "demo"),
            Ok(pages)
        );
    }

    #[test]
    fn generate_refuses_missing_descriptions_examples_and_stray_inputs() {
        let t = tree("refusals");
        t.write("templates/resources/gone.md.tmpl", "x");
        t.write("examples/data-sources/demo_gone/data-source.tf", "");
        let mut bare = thing();
        bare.schema = Schema::new()
            .description("A thing.")
            .attribute(Attribute::string("id").computed());
        let other = TypeDoc {
            kind: Kind::DataSource,
            name: "demo_other".to_owned(),
            schema: Schema::new().description("Other."),
        };
        let err = generate(t.path(), &[provider(), bare, other], "demo").expect_err("refuses");
        let lines: Vec<&str> = err.lines().collect();
        assert_eq!(
            lines,
            [
                "Resource `demo_thing`: no description for `id`; write one in its schema",
                "Data Source `demo_other` has no example: write examples/data-sources/demo_other/data-source.tf",
                "templates/resources/gone.md.tmpl matches no provider, resource, data source or ephemeral resource (expected templates/<kind>/<name without demo_>.md.tmpl)",
                "examples/data-sources/demo_gone/ matches no data source of the provider",
            ],
            "{err}"
        );
    }

    #[test]
    fn check_names_each_file_that_differs_is_missing_or_extra() {
        let t = tree("drift");
        let pages = generate(t.path(), &[provider(), thing()], "demo").expect("generates");
        let docs = t.path().join("docs");
        assert_eq!(write(&docs, &pages), Ok(3));
        assert_eq!(drift(&docs, &pages), Ok(Vec::new()));
        assert_eq!(write(&docs, &pages), Ok(0), "nothing to rewrite");

        // Someone edits a page by hand, deletes one, and leaves a stale one behind.
        t.write("docs/resources/thing.md", "edited by hand\n");
        std::fs::remove_file(docs.join("guides/start.md")).expect("remove");
        t.write("docs/resources/old.md", "stale\n");
        assert_eq!(
            drift(&docs, &pages),
            Ok(vec![
                "docs/guides/start.md is missing".to_owned(),
                "docs/resources/thing.md differs".to_owned(),
                "docs/resources/old.md is extra (the generator does not write it)".to_owned(),
            ])
        );
        // A changed schema description is drift too.
        let mut changed = thing();
        changed.schema.block.description = "A renamed thing.".to_owned();
        write(&docs, &pages).expect("write");
        let new_pages = generate(t.path(), &[provider(), changed], "demo").expect("generates");
        assert_eq!(
            drift(&docs, &new_pages),
            Ok(vec!["docs/resources/thing.md differs".to_owned()])
        );
        // `make docs` repairs everything, the stale page and its emptied directory included.
        assert_eq!(write(&docs, &new_pages), Ok(1));
        assert_eq!(drift(&docs, &new_pages), Ok(Vec::new()));
        assert!(!docs.join("resources/old.md").exists());
    }

    #[test]
    fn finish_folds_blank_lines_outside_code_only() {
        assert_eq!(
            finish("\n# T  \n\n\n\ntext\n```hcl\na\n\n\nb\n```\n\n\n"),
            "# T\n\ntext\n```hcl\na\n\n\nb\n```\n"
        );
    }

    #[test]
    fn the_spirl_provider_documents_every_type_from_its_schema() {
        let root = workspace_root();
        let types = spirl_types();
        let pages = generate(&root, &types, NAME).expect("the committed examples and templates");
        for t in &types {
            let p = paths(t, NAME).expect("paths");
            let page = &pages[&p.page];
            assert!(page.contains(schema_md::MARKER), "{} has a schema", p.page);
            assert!(page.contains("## Example Usage"), "{}", p.page);
        }
        assert!(pages.contains_key("guides/alb-ingress.md"));
        // The auth section names the variables the provider actually reads.
        use terraform_provider_spirl::settings;
        for var in [
            settings::ENV_ENDPOINT,
            settings::ENV_SA_KEY_ID,
            settings::ENV_SA_PRIVATE_KEY,
            settings::ENV_USE_TLS,
        ] {
            assert!(pages["index.md"].contains(var), "index.md mentions {var}");
        }
        // The annotation table states the guide's set, value for value.
        let seed: BTreeMap<String, String> =
            serde_json::from_str(include_str!("../../tests/fixtures/seed_annotations.json"))
                .expect("the fixture is a JSON object of strings");
        let alb = &pages["data-sources/alb_ingress_annotations.md"];
        for (name, value) in &seed {
            assert!(
                alb.contains(&format!("| `{name}` | `{value}` |")),
                "{name} = {value} in the annotation table"
            );
        }
        // Importable resources show how; spirl_key_pair is not importable.
        assert!(pages["resources/trust_domain.md"].contains("## Import"));
        assert!(pages["resources/trust_domain_deployment.md"].contains("## Import"));
        assert!(!pages["resources/key_pair.md"].contains("terraform import"));
    }
}
