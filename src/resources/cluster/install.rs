//! What installs a cluster's agents: the Kubernetes manifest, or the Linux agent's configuration
//! file and Docker Compose file, as `CreateCluster` and `NewClusterVersion` answer them for the
//! version they make. No call reads them again, so the state keeps them from the apply that made
//! the version until the next one: a refresh keeps them while the active version is the one
//! they were made for, and an import leaves them null.

use tfplugin::{Attr, Diagnostics};

use super::ClusterState;
use crate::client::assumptions::DEPLOYMENT_FOLLOWS_PLATFORM;
use crate::client::{AgentDeployment, Platform};

/// Which of the install attributes a platform's clusters have.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Kubernetes,
    Vm,
}

impl Kind {
    /// The kind a cluster on `platform` gets ([`DEPLOYMENT_FOLLOWS_PLATFORM`]); `None` when the
    /// platform is not known yet (or not one this provider knows), or either kind may come.
    fn of(platform: &Attr<String>) -> Option<Kind> {
        if !DEPLOYMENT_FOLLOWS_PLATFORM {
            return None;
        }
        let platform = Platform::parse(platform.known()?)?;
        Some(if platform == Platform::Linux {
            Kind::Vm
        } else {
            Kind::Kubernetes
        })
    }
}

impl ClusterState {
    /// Sets the four install attributes unknown (`unknown`) or null: those of `kind`, the
    /// others null; all four when the kind is not known.
    fn set_install(&mut self, kind: Option<Kind>, unknown: bool) {
        let k8s = unknown && kind != Some(Kind::Vm);
        let vm = unknown && kind != Some(Kind::Kubernetes);
        self.kubernetes_manifest = unknown_or_null(k8s);
        self.kubernetes_manifests = unknown_or_null(k8s);
        self.vm_agent_config = unknown_or_null(vm);
        self.vm_docker_compose_yaml = unknown_or_null(vm);
    }

    /// Takes the install attributes of `other`.
    pub(super) fn install_from(&mut self, other: &ClusterState) {
        self.kubernetes_manifest = other.kubernetes_manifest.clone();
        self.kubernetes_manifests = other.kubernetes_manifests.clone();
        self.vm_agent_config = other.vm_agent_config.clone();
        self.vm_docker_compose_yaml = other.vm_docker_compose_yaml.clone();
    }

    /// Plans the install attributes: on create, and when a new version is made, known only
    /// after apply (those of the platform's kind; the other kind's are null); otherwise as they
    /// were, null included.
    pub(super) fn plan_install(&mut self, prior: Option<&ClusterState>, new_version: bool) {
        match prior {
            Some(prior) if !new_version => {
                self.install_from(prior);
            }
            _ => self.set_install(Kind::of(&self.platform), true),
        }
    }

    /// Keeps `prior`'s install attributes when the state's active version is the one they were
    /// made for; otherwise (a version made or activated elsewhere, none active, an import) they
    /// are null: nothing can read them again.
    pub(super) fn keep_install(&mut self, prior: &ClusterState) {
        if self.version_id.known().is_some() && self.version_id == prior.version_id {
            self.install_from(prior);
        } else {
            self.set_install(None, false);
        }
    }

    /// Records what the control plane answered for the version just made. An answer of the
    /// other kind than the platform's is not recorded (the plan said null), and a missing one
    /// leaves the attributes null; both are warnings. (A platform not known here takes either.)
    pub(super) fn record_install(
        &mut self,
        diags: &mut Diagnostics,
        deployment: Option<AgentDeployment>,
    ) {
        self.set_install(None, false);
        let kind = Kind::of(&self.platform);
        match deployment {
            Some(AgentDeployment::Kubernetes { kubectl_yaml }) if kind != Some(Kind::Vm) => {
                self.kubernetes_manifests = Attr::Value(split_documents(&kubectl_yaml));
                self.kubernetes_manifest = Attr::Value(kubectl_yaml);
            }
            Some(AgentDeployment::Vm {
                agent_configuration_file,
                docker_compose_yaml,
            }) if kind != Some(Kind::Kubernetes) => {
                self.vm_agent_config = Attr::Value(agent_configuration_file);
                self.vm_docker_compose_yaml = Attr::Value(docker_compose_yaml);
            }
            Some(other) => {
                let (got, attributes) = match other {
                    AgentDeployment::Kubernetes { .. } => (
                        "a Kubernetes manifest",
                        "`vm_agent_config` and `vm_docker_compose_yaml`",
                    ),
                    AgentDeployment::Vm { .. } => (
                        "a VM agent configuration",
                        "`kubernetes_manifest` and `kubernetes_manifests`",
                    ),
                };
                diags.warning(
                    "Agent installation not recorded",
                    format!(
                        "The control plane answered the new cluster version with {got}, which \
                         does not fit platform {}; it is not recorded, and {attributes} stay \
                         null until the cluster's next version. Please report this to the \
                         provider's maintainers.",
                        self.platform.known().map_or("", String::as_str)
                    ),
                );
            }
            None => diags.warning(
                "Agent installation not known",
                "The control plane's answer to the new cluster version did not arrive (the \
                 version was made, found and adopted) or carried no agent installation, and \
                 the API cannot read it again: `kubernetes_manifest`, `kubernetes_manifests`, \
                 `vm_agent_config` and `vm_docker_compose_yaml` stay null until the cluster's \
                 next version (a change of its key, templates or attestation).",
            ),
        }
    }
}

fn unknown_or_null<T>(unknown: bool) -> Attr<T> {
    if unknown { Attr::Unknown } else { Attr::Null }
}

/// The documents of a multi-document YAML stream, each as its text: the stream is split at
/// document markers (`---` at the start of a line; what follows it on that line starts the
/// document), document end markers (`...`) are dropped, and so are documents of nothing but
/// blank lines and comments. Each document keeps its lines as written, without the blank lines
/// around them, and ends with a newline.
pub fn split_documents(yaml: &str) -> Vec<String> {
    let mut documents = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    for line in yaml.lines() {
        if let Some(rest) = marker(line, "---") {
            finish(&mut documents, &mut current);
            if !rest.is_empty() {
                current.push(rest);
            }
        } else if marker(line, "...").is_some() {
            finish(&mut documents, &mut current);
        } else {
            current.push(line);
        }
    }
    finish(&mut documents, &mut current);
    documents
}

/// What follows marker `m` on `line` when the line is that marker (alone, or followed by
/// whitespace and more).
fn marker<'a>(line: &'a str, m: &str) -> Option<&'a str> {
    let rest = line.strip_prefix(m)?;
    if rest.is_empty() {
        Some(rest)
    } else if rest.starts_with([' ', '\t']) {
        Some(rest.trim())
    } else {
        None
    }
}

/// Ends the document of `lines`: kept when it says anything.
fn finish(documents: &mut Vec<String>, lines: &mut Vec<&str>) {
    let says_something = lines.iter().any(|l| {
        let l = l.trim();
        !l.is_empty() && !l.starts_with('#')
    });
    if says_something {
        let blank = |l: &&str| l.trim().is_empty();
        let start = lines.iter().position(|l| !blank(l)).unwrap_or(0);
        let end = lines.iter().rposition(|l| !blank(l)).map_or(0, |i| i + 1);
        let mut text = lines[start..end].join("\n");
        text.push('\n');
        documents.push(text);
    }
    lines.clear();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_documents_at_line_start_markers_dropping_empty_and_comment_only_ones() {
        let yaml = "# made by the control plane\n---\napiVersion: v1\nkind: Namespace\n\n---\n\
                    # only a comment\n--- \t\n\n--- # the agent\nkind: ConfigMap\ndata:\n  \
                    agent.yaml: |\n    a: ---\n    b: 1\n...\n---\r\nkind: DaemonSet\r\n";
        assert_eq!(
            split_documents(yaml),
            [
                "apiVersion: v1\nkind: Namespace\n",
                "# the agent\nkind: ConfigMap\ndata:\n  agent.yaml: |\n    a: ---\n    b: 1\n",
                "kind: DaemonSet\n",
            ]
        );
    }

    #[test]
    fn split_documents_of_a_single_document_or_nothing() {
        assert_eq!(split_documents("kind: Secret\n"), ["kind: Secret\n"]);
        assert_eq!(split_documents("key: v"), ["key: v\n"]);
        assert!(split_documents("").is_empty());
        assert!(split_documents("---\n# nothing\n---\n").is_empty());
        // Not markers: more dashes, or text right after them.
        assert_eq!(
            split_documents("----\nx: 1\n---x: 2\n"),
            ["----\nx: 1\n---x: 2\n"]
        );
        // A document starting on its marker line keeps that text.
        assert_eq!(split_documents("--- |\n  text\n"), ["|\n  text\n"]);
    }
}
