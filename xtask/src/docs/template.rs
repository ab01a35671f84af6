//! The page templates: text with `{{ … }}` placeholders, in the spirit of tfplugindocs but
//! without its Go template language (no pipes, no conditionals). A placeholder that is unknown,
//! not available on the page, or names a missing file is an error naming the template and line.

use std::fmt::Write as _;
use std::path::{Component, Path};

/// What a type's page (provider, resource, data source, ephemeral resource) offers templates.
pub struct Page<'a> {
    /// The full type name (`spirl_trust_domain`), or the provider's name.
    pub name: &'a str,
    /// `Resource`, `Data Source`, `Ephemeral Resource` or `Provider`.
    pub label: &'static str,
    /// The schema's markdown description.
    pub description: &'a str,
    /// The rendered `## Schema` section.
    pub schema_markdown: &'a str,
    /// The example's path from the workspace root, when there is one.
    pub example: Option<&'a str>,
    /// The import commands' path from the workspace root, when there are some.
    pub import: Option<&'a str>,
}

/// Everything a template can refer to.
pub struct Context<'a> {
    /// The workspace root, which `tffile`/`codefile` paths are relative to.
    pub root: &'a Path,
    /// The provider's local name (`spirl`).
    pub provider_name: &'a str,
    /// The type the page documents; `None` for guides.
    pub page: Option<Page<'a>>,
}

/// A word of a placeholder: a bare word or a `"quoted string"`.
#[derive(Debug, PartialEq)]
enum Word<'a> {
    Bare(&'a str),
    Quoted(&'a str),
}

/// Substitutes every placeholder of `template` (read from `origin`, for messages).
pub fn render(template: &str, origin: &str, ctx: &Context<'_>) -> Result<String, String> {
    let mut out = String::with_capacity(template.len() * 2);
    let mut rest = template;
    let mut consumed = 0;
    while let Some(start) = rest.find("{{") {
        let line = 1 + template[..consumed + start].matches('\n').count();
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after
            .find("}}")
            .ok_or_else(|| format!("{origin}:{line}: `{{{{` without a closing `}}}}`"))?;
        let expr = after[..end].trim();
        let value =
            eval(expr, ctx).map_err(|e| format!("{origin}:{line}: {{{{ {expr} }}}}: {e}"))?;
        out.push_str(&value);
        consumed += start + 2 + end + 2;
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

fn eval(expr: &str, ctx: &Context<'_>) -> Result<String, String> {
    let words = words(expr)?;
    match words.as_slice() {
        [Word::Bare(".ProviderName")] => Ok(ctx.provider_name.to_owned()),
        [Word::Bare(field)] if field.starts_with('.') => {
            let page = ctx.page.as_ref().ok_or_else(|| {
                format!("`{field}` exists only on provider, resource and data source pages")
            })?;
            match *field {
                ".Name" => Ok(page.name.to_owned()),
                ".Type" => Ok(page.label.to_owned()),
                ".Description" => Ok(page.description.trim().to_owned()),
                ".Summary" => Ok(summary(page.description)),
                ".SchemaMarkdown" => Ok(page.schema_markdown.trim_end().to_owned()),
                ".Example" => {
                    let path = page
                        .example
                        .ok_or("this type has no example in examples/")?;
                    fenced(ctx.root, "terraform", path)
                }
                ".Import" => {
                    let path = page
                        .import
                        .ok_or("this type has no import.sh in examples/")?;
                    fenced(ctx.root, "shell", path)
                }
                other => Err(format!(
                    "unknown field `{other}`; known: .Name .Type .Description .Summary \
                     .SchemaMarkdown .Example .Import .ProviderName"
                )),
            }
        }
        [Word::Bare("tffile"), Word::Quoted(path)] => fenced(ctx.root, "terraform", path),
        [
            Word::Bare("codefile"),
            Word::Quoted(lang),
            Word::Quoted(path),
        ] => fenced(ctx.root, lang, path),
        _ => Err(
            "unknown placeholder; expected a field such as `.Name`, `tffile \"PATH\"` or \
             `codefile \"LANG\" \"PATH\"`"
                .to_owned(),
        ),
    }
}

fn words(expr: &str) -> Result<Vec<Word<'_>>, String> {
    let mut words = Vec::new();
    let mut rest = expr.trim_start();
    while !rest.is_empty() {
        if let Some(quoted) = rest.strip_prefix('"') {
            let end = quoted.find('"').ok_or("unterminated string")?;
            words.push(Word::Quoted(&quoted[..end]));
            rest = &quoted[end + 1..];
        } else {
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            words.push(Word::Bare(&rest[..end]));
            rest = &rest[end..];
        }
        rest = rest.trim_start();
    }
    Ok(words)
}

/// The description's first paragraph on one line: the page's frontmatter `description`.
pub fn summary(description: &str) -> String {
    let first = description.trim().split("\n\n").next().unwrap_or_default();
    first.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A file of the workspace as a fenced code block.
fn fenced(root: &Path, lang: &str, path: &str) -> Result<String, String> {
    let rel = Path::new(path);
    if path.is_empty() || !rel.components().all(|c| matches!(c, Component::Normal(_))) {
        return Err(format!(
            "`{path}` must be a plain relative path inside the workspace"
        ));
    }
    let text = std::fs::read_to_string(root.join(rel)).map_err(|e| format!("{path}: {e}"))?;
    let mut out = String::new();
    let _ = write!(
        out,
        "```{lang}\n{}\n```",
        text.trim_end_matches(['\n', '\r'])
    );
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::docs::tests::TempTree;

    fn page<'a>(example: Option<&'a str>, import: Option<&'a str>) -> Page<'a> {
        Page {
            name: "spirl_thing",
            label: "Resource",
            description: "A thing that does\nstuff.\n\nMore detail.",
            schema_markdown: "## Schema\n\n- `id` (String) The id.\n",
            example,
            import,
        }
    }

    #[test]
    fn fields_and_files_are_substituted() {
        let tree = TempTree::new("template-fields");
        tree.write(
            "examples/resources/spirl_thing/resource.tf",
            "resource \"spirl_thing\" \"x\" {}\n\n",
        );
        tree.write(
            "examples/resources/spirl_thing/import.sh",
            "terraform import spirl_thing.x id\n",
        );
        tree.write("examples/extra.sh", "echo hi\n");
        let ctx = Context {
            root: tree.path(),
            provider_name: "spirl",
            page: Some(page(
                Some("examples/resources/spirl_thing/resource.tf"),
                Some("examples/resources/spirl_thing/import.sh"),
            )),
        };
        let template = "---\ndescription: |-\n  {{ .Summary }}\n---\n# {{.Name}} ({{ .Type }}) of {{ .ProviderName }}\n\n{{ .Description }}\n\n{{ .Example }}\n\n{{ .SchemaMarkdown }}\n\n{{ .Import }}\n{{ codefile \"sh\" \"examples/extra.sh\" }}\n{{ tffile \"examples/resources/spirl_thing/resource.tf\" }}";
        let out = render(template, "t.md.tmpl", &ctx).expect("renders");
        assert_eq!(
            out,
            "---\ndescription: |-\n  A thing that does stuff.\n---\n# spirl_thing (Resource) of spirl\n\n\
             A thing that does\nstuff.\n\nMore detail.\n\n```terraform\nresource \"spirl_thing\" \"x\" {}\n```\n\n\
             ## Schema\n\n- `id` (String) The id.\n\n```shell\nterraform import spirl_thing.x id\n```\n\
             ```sh\necho hi\n```\n```terraform\nresource \"spirl_thing\" \"x\" {}\n```"
        );
    }

    #[test]
    fn problems_name_the_template_and_line() {
        let tree = TempTree::new("template-errors");
        let ctx = Context {
            root: tree.path(),
            provider_name: "spirl",
            page: Some(page(None, None)),
        };
        let err = |t: &str| render(t, "templates/x.md.tmpl", &ctx).expect_err(t);
        assert!(
            err("a\n{{ .Nope }}").starts_with("templates/x.md.tmpl:2: {{ .Nope }}: unknown field")
        );
        assert!(err("{{ .Example }}").contains("no example"));
        assert!(err("{{ .Import }}").contains("no import.sh"));
        assert!(err("\n\n{{ .Name ").starts_with("templates/x.md.tmpl:3:"));
        assert!(err("{{ tffile examples/a.tf }}").contains("unknown placeholder"));
        assert!(err("{{ tffile \"examples/missing.tf\" }}").contains("examples/missing.tf"));
        assert!(err("{{ tffile \"../secret\" }}").contains("plain relative path"));
        assert!(err("{{ tffile \"/etc/passwd\" }}").contains("plain relative path"));
        let guide = Context {
            root: tree.path(),
            provider_name: "spirl",
            page: None,
        };
        let e =
            render("{{ .ProviderName }} {{ .SchemaMarkdown }}", "g", &guide).expect_err("guide");
        assert!(
            e.contains("only on provider, resource and data source pages"),
            "{e}"
        );
        assert_eq!(
            render("{{ .ProviderName }}", "g", &guide).as_deref(),
            Ok("spirl")
        );
    }
}
