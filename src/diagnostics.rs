//! The one place where the provider's failures become Terraform diagnostics: configuration
//! [`Problem`]s from the pure validation modules, and [`ApiError`]s from the client, each with a
//! summary, a detail and the next step for the user.

use tfplugin::{Attr, AttributePath, Diagnostics, Number};

use crate::client::{ApiError, CreatedButUnreadable};
use crate::problem::{Problem, Severity, quote};

/// Reports every problem; returns `Some(())` when none of them is an error. A problem with an
/// empty path is about the whole block.
pub fn report(diags: &mut Diagnostics, problems: Vec<Problem>) -> Option<()> {
    let mut failed = false;
    for p in problems {
        let path = (!p.path.is_empty()).then_some(p.path);
        match (p.severity, path) {
            (Severity::Error, Some(path)) => diags.error_at(path, p.summary, p.detail),
            (Severity::Error, None) => diags.error(p.summary, p.detail),
            (Severity::Warning, Some(path)) => diags.warning_at(path, p.summary, p.detail),
            (Severity::Warning, None) => diags.warning(p.summary, p.detail),
        }
        failed |= p.severity == Severity::Error;
    }
    (!failed).then_some(())
}

/// Reads a number attribute that must be a whole number (`what` says which, for the message),
/// keeping null and unknown as they are; `None` after reporting one that is not.
pub fn whole_number(
    diags: &mut Diagnostics,
    name: &str,
    value: &Attr<Number>,
    what: &str,
) -> Option<Attr<i64>> {
    match value {
        Attr::Value(n) => match n.as_i64() {
            Some(i) => Some(Attr::Value(i)),
            None => {
                whole(what)(n, &AttributePath::root(name), diags);
                None
            }
        },
        Attr::Unknown => Some(Attr::Unknown),
        Attr::Null => Some(Attr::Null),
    }
}

/// The declared check (`#[tf(check = whole("a whole number"))]`) of a number attribute that
/// must be `what`, a whole number.
pub fn whole(what: &str) -> impl Fn(&Number, &AttributePath, &mut Diagnostics) + '_ {
    move |n, at, diags| {
        if n.as_i64().is_none() {
            diags.error_at(
                at.clone(),
                format!("Invalid {at}"),
                format!("{at} must be {what}; it is {n}."),
            );
        }
    }
}

/// A pure data source was read before all of its inputs were known (Terraform defers the read
/// to apply until they are, so this is a bug).
pub fn inputs_not_known(diags: &mut Diagnostics) {
    diags.error(
        "Inputs not known",
        "Terraform read the data source before all of its inputs were known. This is a bug in \
         Terraform or the provider; please report it.",
    );
}

/// Reports an API failure as an error diagnostic that says what failed, what the server said,
/// and what to do next. `about` names the attribute the failure concerns, when there is one.
pub fn api_error(diags: &mut Diagnostics, err: &ApiError, about: Option<AttributePath>) {
    let next = match err {
        ApiError::NotFound(_) => {
            "The object no longer exists on the control plane. Run `terraform apply` again to recreate it, or remove it from the configuration."
        }
        ApiError::AlreadyExists(_) => {
            "Choose another name, or bring the existing object under Terraform with `terraform import`."
        }
        ApiError::FailedPrecondition(_) => {
            "Remove what still depends on the object first, then retry."
        }
        ApiError::Conflict(_) => {
            "Someone changed it outside this Terraform run. Run `terraform plan` again: the refresh reads the new version and the plan shows what differs from your configuration; apply that if it is what you want."
        }
        ApiError::InvalidArgument(_) => "Correct the value the control plane refused and retry.",
        ApiError::Unauthenticated(_) if err.needs_spirlctl_login() => {
            "Run `spirlctl login` again to renew the session, or set a service-account key (`sa_key_id` and `sa_private_key`, or SPIRL_SA_KEY_ID and SPIRL_SA_PRIVATE_KEY), which the provider uses instead when set."
        }
        ApiError::Unauthenticated(_) => {
            "Check `sa_key_id` and `sa_private_key` (or SPIRL_SA_KEY_ID and SPIRL_SA_PRIVATE_KEY): the service-account key must exist and be active."
        }
        ApiError::PermissionDenied(_) => {
            "Grant the service account the role this operation needs, or use another service account."
        }
        ApiError::RateLimited(_) | ApiError::Unavailable(_) => {
            "The control plane is busy or unavailable. Retry later, or raise `max_retries` and `request_timeout` in the provider block."
        }
        ApiError::Timeout(_) => {
            "The control plane did not answer within `request_timeout`. Retry, or raise `request_timeout` in the provider block; the next apply reconciles whatever was done."
        }
        ApiError::Transport(_) => {
            "Check `endpoint` and `use_tls` in the provider block, and that the control plane is reachable from this machine (proxies: HTTPS_PROXY, NO_PROXY). The control plane speaks gRPC over TLS; `use_tls = false` is for a local mock."
        }
        ApiError::Tls(_) => {
            "Check `endpoint`: the certificate must be valid for that host. For a control plane behind a private CA, point the SSL_CERT_FILE environment variable at the CA's PEM certificate."
        }
        ApiError::Decode(_) | ApiError::Internal(_) => {
            "This is a control-plane or provider bug. Retry; if it persists, report it with the request id."
        }
    };
    api_error_then(diags, err, about, next);
}

/// A create or update answered `NOT_FOUND`: the object `path` refers to does not exist (the one
/// being written cannot be missing). Says so at that attribute, with what to do.
pub fn missing_reference(diags: &mut Diagnostics, err: &ApiError, path: AttributePath) {
    let next = format!(
        "`{path}` names an object the control plane does not have (ids and names are exact). \
         Check the value, or create the object first: refer to its resource (such as \
         `spirl_trust_domain.<name>.id`) so that Terraform creates it before this one."
    );
    api_error_then(diags, err, Some(path), &next);
}

/// Like [`api_error`] for a call that sent configured values: an `INVALID_ARGUMENT` is reported at
/// the attribute whose request field its message names ([`refused_attribute`]), so a value the
/// control plane refuses reads like a plan-time check of ours; anything else, and a refusal that
/// names no known field, at `about`.
pub fn api_error_at_field(
    diags: &mut Diagnostics,
    err: &ApiError,
    fields: &[(&str, AttributePath)],
    about: Option<AttributePath>,
) {
    let at = refused_attribute(err, fields).or(about);
    api_error(diags, err, at);
}

/// The attribute an `INVALID_ARGUMENT` refuses: of `fields` (request field name, attribute), the
/// one whose field name its message mentions first, as a whole word
/// ([`crate::client::assumptions::INVALID_ARGUMENT_NAMES_THE_FIELD`]). Of the fields one dotted
/// path names (`aws.role_arn`), the last is the one refused; the ones before it lead there.
pub fn refused_attribute(
    err: &ApiError,
    fields: &[(&str, AttributePath)],
) -> Option<AttributePath> {
    let ApiError::InvalidArgument(ctx) = err else {
        return None;
    };
    let message = ctx.message.as_str();
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    // Where the dotted path holding the name at `at` starts.
    let path_start = |at: usize| {
        message[..at]
            .trim_end_matches(|c: char| word(c) || c == '.')
            .len()
    };
    fields
        .iter()
        .filter_map(|(field, path)| {
            message
                .match_indices(field)
                .find(|(at, _)| {
                    !message[..*at].ends_with(word)
                        && !message[at + field.len()..].starts_with(word)
                })
                .map(|(at, _)| (path_start(at), std::cmp::Reverse(at), path))
        })
        .min_by_key(|(start, deeper, _)| (*start, *deeper))
        .map(|(_, _, path)| path.clone())
}

/// Like [`api_error`], with a next step the caller knows better than the error alone: who holds
/// a name, what still depends on an object.
fn api_error_then(
    diags: &mut Diagnostics,
    err: &ApiError,
    about: Option<AttributePath>,
    next: &str,
) {
    let ctx = err.context();
    let summary = format!("Could not {}", ctx.operation);
    let detail = format!("{ctx}.\n\n{next}");
    match about {
        Some(path) => diags.error_at(path, summary, detail),
        None => diags.error(summary, detail),
    }
}

/// Removing what a failed create had made failed too: say what is left and how to clean up.
pub fn cleanup_failed(diags: &mut Diagnostics, err: &ApiError, what: &str, id: &str) {
    let next = format!(
        "The {what} {id} was created, but the rest of the create failed and removing it failed \
         too, so it is not in the Terraform state. Import it (`terraform import`) or delete it in \
         the Defakto console before applying again."
    );
    api_error_then(diags, err, None, &next);
}

/// A create whose object could not be read back (the client removed it): the error, at the
/// attribute an `INVALID_ARGUMENT` names among `fields`, and what is left when removing it failed
/// too.
pub fn created_but_unreadable(
    diags: &mut Diagnostics,
    failed: &CreatedButUnreadable,
    fields: &[(&str, AttributePath)],
) {
    api_error_at_field(diags, &failed.error, fields, None);
    if let Some(cleanup) = &failed.cleanup {
        cleanup_failed(diags, cleanup, failed.kind, &failed.id);
    }
}

/// What a create read back, or `None` after reporting why it could not be read
/// ([`created_but_unreadable`]).
pub fn read_back<T>(
    diags: &mut Diagnostics,
    result: Result<T, CreatedButUnreadable>,
    fields: &[(&str, AttributePath)],
) -> Option<T> {
    result
        .map_err(|failed| created_but_unreadable(diags, &failed, fields))
        .ok()
}

/// A trust domain could not be created because its name is taken. `existing_id` is the trust
/// domain that holds the name, when the provider could look it up: the user can then import it.
pub fn trust_domain_name_taken(
    diags: &mut Diagnostics,
    err: &ApiError,
    name: &str,
    existing_id: Option<&str>,
) {
    let next = match existing_id {
        Some(id) => format!(
            "The trust domain `{name}` already exists as {id}. To manage it with Terraform, \
             import it instead of creating it: `terraform import <address> {id}` (for example \
             `terraform import spirl_trust_domain.example {id}`), or use the \
             `spirl_trust_domain` data source to read it. Otherwise choose another `domain_name`."
        ),
        None => format!(
            "A trust domain named `{name}` already exists. Import it with `terraform import \
             <address> {name}` (the domain name works as an import id), or choose another \
             `domain_name`."
        ),
    };
    api_error_then(diags, err, Some(AttributePath::root("domain_name")), &next);
}

/// `jwt_issuer` names another issuer than the built-in one the control plane gave the trust
/// domain, while `jwt_issuer_mode` is "builtin": the issuer cannot be chosen in that mode.
pub fn builtin_issuer_mismatch(diags: &mut Diagnostics, wanted: &str, builtin: &str) {
    diags.error_at(
        AttributePath::root("jwt_issuer"),
        "jwt_issuer is not the built-in issuer",
        format!(
            "jwt_issuer is {}, but with jwt_issuer_mode = \"builtin\" the issuer is the control \
             plane's own, {}, for this trust domain. Remove jwt_issuer (or set it to that \
             value), or set jwt_issuer_mode = \"custom\" to use your own issuer.",
            quote(wanted),
            quote(builtin)
        ),
    );
}

/// A realm role could not be assigned because the principal holds it already; `existing` is
/// that assignment's id when the provider could find it.
pub fn role_assignment_exists(diags: &mut Diagnostics, err: &ApiError, existing: Option<&str>) {
    let next = match existing {
        Some(id) => format!(
            "The principal already has this role in this realm, as assignment {id}. Import it \
             instead of creating it: `terraform import <address> {id}`."
        ),
        None => "The principal already has this role in this realm. Import the assignment \
                 (`terraform import <address> ra-…`) instead of creating it."
            .to_owned(),
    };
    api_error_then(diags, err, None, &next);
}

/// A trust domain could not be deleted because deployments still exist in it; `deployments`
/// names them when the provider could list them.
pub fn trust_domain_has_deployments(
    diags: &mut Diagnostics,
    err: &ApiError,
    name: &str,
    id: &str,
    deployments: &[String],
) {
    let which = if deployments.is_empty() {
        "deployments".to_owned()
    } else {
        format!(
            "deployments ({})",
            deployments
                .iter()
                .map(|d| format!("`{d}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let next = format!(
        "The trust domain `{name}` ({id}) still has {which}, and the control plane refuses \
         to delete a trust domain with deployments. Delete them first: destroy the \
         `spirl_trust_domain_deployment` resources that use {id} (or remove them from the \
         configuration, and make them depend on this trust domain so Terraform orders the \
         deletes), or delete deployments created outside Terraform in the Defakto console; then \
         run `terraform destroy` (or `apply`) again."
    );
    api_error_then(diags, err, None, &next);
}

/// A `what` (realm, cluster, …) could not be created because `name` is taken where names are
/// unique. `existing_id` holds it, when the provider could look it up; `import` is the import
/// command for it (with `<id>` standing for the id), and `attr` the attribute that names it.
pub fn name_taken(
    diags: &mut Diagnostics,
    err: &ApiError,
    what: &str,
    name: &str,
    existing_id: Option<&str>,
    attr: AttributePath,
    import: &str,
) {
    let next = match existing_id {
        Some(id) => format!(
            "A {what} named `{name}` already exists as {id}. To manage it with Terraform, import it instead of creating it: `{}`. Otherwise choose another `{attr}`.",
            import.replace("<id>", id)
        ),
        None => format!(
            "A {what} named `{name}` already exists. Import it (`{import}`), or choose another `{attr}`."
        ),
    };
    api_error_then(diags, err, Some(attr), &next);
}

/// The control plane refused to make a service account, or to give one a role (`at` is
/// `role_name`): only users create service accounts, and a service account's role is at most
/// that of whoever makes it or changes its role.
pub fn service_account_refused(diags: &mut Diagnostics, err: &ApiError, at: AttributePath) {
    let next = "The control plane lets users, not service accounts, create service accounts, and gives a service account at most the role of whoever creates it or changes its role (never `Owner`). Apply with a user's session: run `spirlctl login` and leave `sa_key_id` and `sa_private_key` (and SPIRL_SA_KEY_ID, SPIRL_SA_PRIVATE_KEY) unset, so that the provider uses `spirlctl_config_path`; or choose a less permissive `role_name`.";
    api_error_then(diags, err, Some(at), next);
}

/// The control plane refused to delete the `what` `name` (`id`) because `dependents` (names, when
/// the provider could list them) still depend on it; `how` says how to remove them.
pub fn still_in_use(
    diags: &mut Diagnostics,
    err: &ApiError,
    what: &str,
    name: &str,
    id: &str,
    dependents: &[String],
    how: &str,
) {
    let which = if dependents.is_empty() {
        String::new()
    } else {
        format!(
            " ({})",
            dependents
                .iter()
                .map(|d| format!("`{d}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let next = format!(
        "The {what} `{name}` ({id}) is still in use{which}, and the control plane refuses to delete it while it is. {how} Then run `terraform destroy` (or `apply`) again."
    );
    api_error_then(diags, err, None, &next);
}

/// A realm named `name` exists already in the trust domain.
pub fn realm_name_taken(
    diags: &mut Diagnostics,
    err: &ApiError,
    name: &str,
    existing: Option<&str>,
) {
    name_taken(
        diags,
        err,
        "realm",
        name,
        existing,
        AttributePath::root("name"),
        "terraform import spirl_realm.<name> <id>",
    );
}

/// A realm that clusters still belong to cannot be deleted.
pub fn realm_has_clusters(
    diags: &mut Diagnostics,
    err: &ApiError,
    name: &str,
    id: &str,
    clusters: &[String],
) {
    still_in_use(
        diags,
        err,
        "realm",
        name,
        id,
        clusters,
        "Delete its clusters first: destroy the `spirl_cluster` resources whose `realm_name` is this realm (make them depend on it so Terraform orders the deletes), or delete clusters created outside Terraform in the Defakto console.",
    );
}

/// A trust domain with clusters or realms cannot be deleted.
pub fn trust_domain_has_clusters(
    diags: &mut Diagnostics,
    err: &ApiError,
    name: &str,
    id: &str,
    clusters: &[String],
    realms: &[String],
) {
    let mut dependents: Vec<String> = clusters.iter().map(|c| format!("cluster {c}")).collect();
    dependents.extend(realms.iter().map(|r| format!("realm {r}")));
    still_in_use(
        diags,
        err,
        "trust domain",
        name,
        id,
        &dependents,
        "Delete its clusters, then its realms: destroy the `spirl_cluster` and `spirl_realm` \
         resources that use this trust domain (they refer to it, so Terraform orders the \
         deletes), or delete those created outside Terraform in the Defakto console.",
    );
}

/// A cluster with active agents cannot be deleted.
pub fn cluster_has_agents(diags: &mut Diagnostics, err: &ApiError, name: &str, id: &str) {
    let next = format!(
        "The control plane refuses to delete cluster `{name}` ({id}) while SPIRL agents are connected to it: deleting it would cut every workload in it off from its identity. Uninstall the SPIRL agent from the cluster (for example `helm uninstall` or `kubectl delete` of its DaemonSet) and wait until the Defakto console shows no active agents; then run `terraform destroy` (or `apply`) again."
    );
    api_error_then(diags, err, None, &next);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::ErrorContext;

    fn refused(message: &str) -> ApiError {
        ApiError::InvalidArgument(ErrorContext {
            operation: "create cluster",
            method: "cluster.API/CreateCluster",
            code: Some("INVALID_ARGUMENT"),
            message: message.to_owned(),
            attempts: 1,
        })
    }

    #[test]
    fn messages_have_no_runs_of_spaces() {
        // Every string literal of the provider's source, as Rust reads it: a `\` line
        // continuation drops the next line's indentation, a line break without one keeps it. So a
        // run of spaces inside a line, or a line break in the source followed by indentation, is
        // a continuation gone wrong, in a diagnostic and a description alike. (Text laid out on
        // purpose, YAML or PromQL, spells its line breaks `\n`.)
        // The provider's, the protocol layer's and the mock's messages.
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = vec![
            root.join("src"),
            root.join("tfplugin/src"),
            root.join("mock-api/src"),
        ];
        let mut checked = 0;
        while let Some(path) = files.pop() {
            if path.is_dir() {
                let entries = std::fs::read_dir(&path).expect("read src");
                files.extend(entries.map(|e| e.expect("entry").path()));
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let source = std::fs::read_to_string(&path).expect("read a source file");
            for (line, text) in string_literals(&source) {
                checked += 1;
                let inside = text
                    .split(['\n', BROKEN])
                    .any(|l| l.trim_start().contains("  "));
                let broken = text.contains(&format!("{BROKEN} ")[..]);
                assert!(!inside && !broken, "{}:{line}: {text:?}", path.display());
            }
        }
        assert!(checked > 1000, "only {checked} literals found");
    }

    /// Stands for a line break written as one in the source (not as `\n`).
    const BROKEN: char = '\u{1}';

    /// The plain string literals of `source` (not raw strings, chars or comments), with the
    /// line each starts on, their escapes and line continuations applied.
    fn string_literals(source: &str) -> Vec<(usize, String)> {
        let mut out = Vec::new();
        let chars: Vec<char> = source.chars().collect();
        let line_of = |at: usize| 1 + chars[..at].iter().filter(|c| **c == '\n').count();
        let mut i = 0;
        while i < chars.len() {
            match chars[i] {
                '/' if chars.get(i + 1) == Some(&'/') => {
                    while i < chars.len() && chars[i] != '\n' {
                        i += 1;
                    }
                    continue;
                }
                // A char literal ('"', '\'') or a lifetime ('a).
                '\'' if chars.get(i + 1) == Some(&'\\') => i += 3,
                '\'' if chars.get(i + 2) == Some(&'\'') => i += 2,
                'r' if !chars[i.saturating_sub(1)].is_alphanumeric()
                    && matches!(chars.get(i + 1), Some('"' | '#')) =>
                {
                    // A raw string: to its closing quote and as many hashes.
                    let hashes = chars[i + 1..].iter().take_while(|c| **c == '#').count();
                    let mut end = i + 1 + hashes + 1;
                    let close: Vec<char> = std::iter::once('"')
                        .chain(std::iter::repeat_n('#', hashes))
                        .collect();
                    while end < chars.len() && !chars[end..].starts_with(&close) {
                        end += 1;
                    }
                    i = end + close.len();
                    continue;
                }
                '"' => {
                    let start = line_of(i);
                    let mut text = String::new();
                    i += 1;
                    while i < chars.len() && chars[i] != '"' {
                        match chars[i] {
                            '\\' => {
                                i += 1;
                                match chars.get(i) {
                                    Some('\n') => {
                                        while chars.get(i + 1).is_some_and(|c| c.is_whitespace()) {
                                            i += 1;
                                        }
                                    }
                                    Some('n') => text.push('\n'),
                                    Some(other) => {
                                        text.push('\\');
                                        text.push(*other);
                                    }
                                    None => {}
                                }
                            }
                            '\n' => text.push(BROKEN),
                            c => text.push(c),
                        }
                        i += 1;
                    }
                    out.push((start, text));
                }
                _ => {}
            }
            i += 1;
        }
        out
    }

    #[test]
    fn invalid_argument_is_reported_at_the_field_it_names() {
        let at = AttributePath::root;
        let fields = [
            ("cluster_name", at("name")),
            ("name", at("name")),
            ("path_template", at("path_template")),
            ("description", at("description")),
        ];
        for (message, expected) in [
            ("cluster_name: must be a DNS label", Some(at("name"))),
            (
                "invalid path_template \"x\": must start with /",
                Some(at("path_template")),
            ),
            ("field 'description' is too long", Some(at("description"))),
            // The first field the message names wins; a field inside a longer word is no match.
            ("path_template refers to name", Some(at("path_template"))),
            ("trust_domain_name is unknown", None),
            ("request malformed", None),
        ] {
            assert_eq!(
                refused_attribute(&refused(message), &fields),
                expected,
                "{message}"
            );
        }
        // In a dotted path the last name is the field refused, whichever comes first.
        let fields = [
            ("aws", at("aws")),
            ("role_arn", AttributePath::root("aws").attr("role_arn")),
        ];
        for (message, expected) in [
            (
                "aws.role_arn `x` is not an IAM role ARN; expected arn:aws:iam::1:role/N",
                Some(AttributePath::root("aws").attr("role_arn")),
            ),
            ("aws is required.", Some(at("aws"))),
            ("config.aws: missing", Some(at("aws"))),
            // A path deeper than the fields known stands at the deepest known one.
            (
                "aws.role_arn.partition: unknown",
                Some(AttributePath::root("aws").attr("role_arn")),
            ),
            ("aws.external_id: too long", Some(at("aws"))),
        ] {
            assert_eq!(
                refused_attribute(&refused(message), &fields),
                expected,
                "{message}"
            );
        }
        let other = ApiError::FailedPrecondition(ErrorContext {
            message: "name is in use".into(),
            ..match refused("") {
                ApiError::InvalidArgument(c) => c,
                _ => unreachable!(),
            }
        });
        assert_eq!(refused_attribute(&other, &fields), None);
        let mut diags = Diagnostics::new();
        api_error_at_field(
            &mut diags,
            &refused("x: bad"),
            &fields,
            Some(at("platform")),
        );
        assert_eq!(diags.items[0].attribute, Some(at("platform")));
    }

    #[test]
    fn problems_keep_their_paths_and_severities() {
        let mut diags = Diagnostics::new();
        let ok = report(
            &mut diags,
            vec![
                Problem::warning(AttributePath::root("idle_timeout_seconds"), "low", "why"),
                Problem::error(
                    AttributePath::root("extra_annotations").key("k"),
                    "bad",
                    "fix",
                ),
                Problem::error(
                    AttributePath::root("certificate_arns").index(1),
                    "arn",
                    "fix",
                ),
                Problem::error(AttributePath::new(), "whole block", "fix"),
            ],
        );
        assert_eq!(ok, None);
        let paths: Vec<_> = diags
            .items
            .iter()
            .map(|d| d.attribute.as_ref().map(ToString::to_string))
            .collect();
        assert_eq!(
            paths,
            [
                Some("idle_timeout_seconds".to_owned()),
                Some(r#"extra_annotations["k"]"#.to_owned()),
                Some("certificate_arns[1]".to_owned()),
                None
            ]
        );
        assert_eq!(diags.items[0].severity, Severity::Warning);
    }

    #[test]
    fn warnings_alone_do_not_fail() {
        let mut diags = Diagnostics::new();
        let w = Problem::warning(AttributePath::root("a"), "s", "d");
        assert_eq!(report(&mut diags, vec![w]), Some(()));
        assert!(!diags.has_errors());
    }
}
