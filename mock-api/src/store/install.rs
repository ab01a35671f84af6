//! What `CreateCluster` and `NewClusterVersion` answer for the new version's agents
//! (`oneof deployment`): for the Kubernetes platforms a multi-document YAML for `kubectl apply -f`
//! (namespace, service account, RBAC, the agent's configuration, its DaemonSet), for `linux` the
//! agent's configuration file and a Docker Compose file that runs it. Made from the cluster and
//! version records alone, the same every time, so nothing is stored.
//!
//! Like the real control plane, the mock never has the cluster's private key: the agents read it
//! from a Secret (or a file on the host) that the user creates, or attest with projected service
//! account tokens. See [`crate::assumptions::AGENT_INSTALL_REFERS_TO_THE_KEY`].

use std::fmt::Write as _;

use spirl_api_proto::cluster::{self as pb, Platform};

use super::{AgentAttestationRecord, ClusterRecord, ClusterVersionRecord, Store};
use crate::assumptions::{
    AGENT_CONFIG_FILE, AGENT_IMAGE, AGENT_KEY_FILE, AGENT_KEY_SECRET, AGENT_NAME, AGENT_NAMESPACE,
    AGENT_SOCKET_DIR, AGENT_TOKEN_AUDIENCE, agent_endpoint, control_plane_endpoint,
};

/// What the answer carries, by platform.
pub(crate) enum Deployment {
    Kubernetes(pb::KubernetesDeployment),
    Vm(pb::VmDeployment),
}

/// How the agents prove themselves.
enum Attestation<'a> {
    /// With the cluster's key pair.
    ClusterKey,
    /// With projected service account tokens of this service account.
    Psat(&'a AgentAttestationRecord),
    /// As the cluster's `AgentAttestation` configuration section says (no key, no PSAT).
    Configured,
}

/// Everything the files say, gathered from the records.
struct Facts<'a> {
    platform: Platform,
    trust_domain: &'a str,
    trust_domain_id: &'a str,
    /// The agent endpoint of a SPIRL-hosted trust domain; `None` when self-hosted.
    agent_endpoint: Option<String>,
    control_plane: String,
    cluster: &'a ClusterRecord,
    version: &'a ClusterVersionRecord,
    attestation: Attestation<'a>,
}

impl Store {
    /// What the answer that made `version` of `cluster` carries for its agents.
    pub(super) fn deployment_of(
        &self,
        cluster: &ClusterRecord,
        version: &ClusterVersionRecord,
    ) -> Deployment {
        let td = self.trust_domains.get(&cluster.trust_domain_id);
        let attestation = match self
            .agent_attestations
            .get(&version.agent_attestation_config_id)
        {
            Some(psat) => Attestation::Psat(psat),
            None if version.pkix_der.is_empty() => Attestation::Configured,
            None => Attestation::ClusterKey,
        };
        let facts = Facts {
            platform: Platform::try_from(cluster.platform).unwrap_or(Platform::Kubernetes),
            trust_domain: td.map_or("", |t| t.record.name.as_str()),
            trust_domain_id: &cluster.trust_domain_id,
            agent_endpoint: td
                .filter(|t| !t.record.self_managed)
                .map(|t| agent_endpoint(&t.record.id, &self.base_domain)),
            control_plane: control_plane_endpoint(&self.base_domain),
            cluster,
            version,
            attestation,
        };
        if facts.platform == Platform::Linux {
            Deployment::Vm(pb::VmDeployment {
                agent_configuration_file: facts.agent_config(AGENT_KEY_FILE),
                docker_compose_yaml: facts.docker_compose(),
            })
        } else {
            Deployment::Kubernetes(pb::KubernetesDeployment {
                kubectl_yaml: facts.kubectl_yaml(),
            })
        }
    }
}

/// `text` as a YAML double-quoted scalar: any text (a cluster's name is free text) stays one
/// line that parses back to itself.
fn quoted(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}') => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The platform as the official provider spells it.
fn platform_name(platform: Platform) -> &'static str {
    match platform {
        Platform::Istio => "istio",
        Platform::Eks => "eks",
        Platform::EksIstio => "eks-istio",
        Platform::Linux => "linux",
        Platform::Kubernetes | Platform::Unspecified => "k8s",
    }
}

impl Facts<'_> {
    /// Where the agents' service account lives: the PSAT configuration's, or the defaults.
    fn service_account(&self) -> (&str, &str) {
        match &self.attestation {
            Attestation::Psat(p) => (&p.service_account_namespace, &p.service_account_name),
            _ => (AGENT_NAMESPACE, AGENT_NAME),
        }
    }

    fn istio(&self) -> bool {
        matches!(self.platform, Platform::Istio | Platform::EksIstio)
    }

    /// The agent's configuration file; `key_file` is where it finds the cluster's private key
    /// when it attests with it.
    fn agent_config(&self, key_file: &str) -> String {
        let mut c = String::new();
        let _ = writeln!(c, "# SPIRL agent configuration, made by the control plane.");
        let _ = writeln!(c, "trustDomain: {}", self.trust_domain);
        let _ = writeln!(c, "trustDomainID: {}", self.trust_domain_id);
        let _ = writeln!(c, "clusterID: {}", self.cluster.id);
        let _ = writeln!(c, "clusterName: {}", quoted(&self.cluster.name));
        let _ = writeln!(c, "clusterVersionID: {}", self.version.id);
        let _ = writeln!(c, "platform: {}", platform_name(self.platform));
        let _ = writeln!(c, "controlPlane:\n  endpoint: {}", self.control_plane);
        if let Some(endpoint) = &self.agent_endpoint {
            let _ = writeln!(c, "agentEndpoint: {endpoint}");
        }
        c.push_str("attestation:\n");
        match &self.attestation {
            Attestation::ClusterKey => {
                let _ = writeln!(c, "  method: cluster_key\n  privateKeyFile: {key_file}");
            }
            Attestation::Psat(p) => {
                let _ = writeln!(
                    c,
                    "  method: k8s_psat\n  tokenFile: /run/spirl/token/token\n  audience: \
                     {AGENT_TOKEN_AUDIENCE}\n  serviceAccount: {}/{}\n  oidcIssuerURL: {}",
                    p.service_account_namespace,
                    p.service_account_name,
                    quoted(&p.oidc_issuer_url)
                );
            }
            Attestation::Configured => {
                c.push_str("  # As the cluster's AgentAttestation configuration section says.\n");
                c.push_str("  method: configured\n");
            }
        }
        let _ = writeln!(
            c,
            "workloadAPI:\n  socketPath: {AGENT_SOCKET_DIR}/agent.sock"
        );
        if self.istio() {
            // The SVID and bundle names Istio's proxies ask the SDS API for.
            c.push_str("sds:\n  enabled: true\n  defaultSVIDName: default\n");
            c.push_str("  defaultBundleName: ROOTCA\n");
        }
        c
    }

    fn kubectl_yaml(&self) -> String {
        let (ns, sa) = self.service_account();
        let key_file = format!("/run/spirl/agent-key/{AGENT_KEY_FILE_NAME}");
        let config: String = self
            .agent_config(&key_file)
            .lines()
            .map(|l| format!("    {l}\n"))
            .collect();
        let (header, mounts, volumes) = match self.attestation {
            Attestation::ClusterKey => (KEY_HEADER, KEY_MOUNT, KEY_VOLUME),
            Attestation::Psat(_) => ("", TOKEN_MOUNT, TOKEN_VOLUME),
            Attestation::Configured => ("", "", ""),
        };
        let daemon_set = DAEMON_SET
            .replace("{mounts}", mounts)
            .replace("{volumes}", volumes);
        fill(
            &[MANIFEST_HEADER, header, MANIFEST, &daemon_set].concat(),
            &[
                ("{labels}", LABELS),
                ("{ns}", ns),
                ("{sa}", sa),
                ("{name}", AGENT_NAME),
                ("{cluster}", &self.cluster.id),
                ("{version}", &self.version.id),
                ("{trust_domain}", self.trust_domain),
                ("{secret}", AGENT_KEY_SECRET),
                ("{key_name}", AGENT_KEY_FILE_NAME),
                ("{config_name}", AGENT_CONFIG_NAME),
                ("{config_file}", AGENT_CONFIG_FILE),
                ("{image}", AGENT_IMAGE),
                ("{sockets}", AGENT_SOCKET_DIR),
                ("{audience}", AGENT_TOKEN_AUDIENCE),
                // Last: the configuration is free text.
                ("{config}", &config),
            ],
        )
    }

    fn docker_compose(&self) -> String {
        let key = match self.attestation {
            Attestation::ClusterKey => COMPOSE_KEY_VOLUME,
            _ => "",
        };
        fill(
            &COMPOSE.replace("{key_volume}", key),
            &[
                ("{name}", AGENT_NAME),
                ("{cluster}", &self.cluster.id),
                ("{version}", &self.version.id),
                ("{config_file}", AGENT_CONFIG_FILE),
                ("{key_file}", AGENT_KEY_FILE),
                ("{image}", AGENT_IMAGE),
                ("{sockets}", AGENT_SOCKET_DIR),
            ],
        )
    }
}

/// `template` with each placeholder replaced by its value, in order.
fn fill(template: &str, values: &[(&str, &str)]) -> String {
    values
        .iter()
        .fold(template.to_owned(), |text, (placeholder, value)| {
            text.replace(placeholder, value)
        })
}

const MANIFEST_HEADER: &str = r#"# SPIRL agent for cluster {cluster}, version {version}, of trust domain {trust_domain}.
# Apply with `kubectl apply -f`.
"#;

const KEY_HEADER: &str = r#"# The agents read the cluster's private key from Secret {ns}/{secret} (key {key_name}),
# which you create: kubectl create secret generic {secret} -n {ns} --from-file={key_name}=FILE
"#;

/// The labels of every object but the namespace (placeholders filled after it is put in).
const LABELS: &str = r#"  labels:
    app.kubernetes.io/name: {name}
    spirl.com/cluster-id: {cluster}
"#;

const MANIFEST: &str = r#"---
apiVersion: v1
kind: Namespace
metadata:
  name: {ns}
  labels:
    app.kubernetes.io/part-of: spirl
    spirl.com/cluster-id: {cluster}
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {sa}
  namespace: {ns}
{labels}---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: {name}
{labels}rules:
  - apiGroups: [""]
    resources: ["pods", "nodes", "nodes/proxy"]
    verbs: ["get", "list", "watch"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: {name}
{labels}roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: {name}
subjects:
  - kind: ServiceAccount
    name: {sa}
    namespace: {ns}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: {name}
  namespace: {ns}
{labels}data:
  {config_name}: |
{config}"#;

const DAEMON_SET: &str = r#"---
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: {name}
  namespace: {ns}
{labels}spec:
  selector:
    matchLabels:
      app.kubernetes.io/name: {name}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: {name}
      annotations:
        spirl.com/cluster-version-id: {version}
    spec:
      serviceAccountName: {sa}
      hostPID: true
      containers:
        - name: {name}
          image: {image}
          args: ["--config", "{config_file}"]
          volumeMounts:
            - name: config
              mountPath: /etc/spirl
              readOnly: true
{mounts}            - name: sockets
              mountPath: {sockets}
      volumes:
        - name: config
          configMap:
            name: {name}
{volumes}        - name: sockets
          hostPath:
            path: {sockets}
            type: DirectoryOrCreate
"#;

const KEY_MOUNT: &str = r#"            - name: agent-key
              mountPath: /run/spirl/agent-key
              readOnly: true
"#;

const KEY_VOLUME: &str = r#"        - name: agent-key
          secret:
            secretName: {secret}
"#;

const TOKEN_MOUNT: &str = r#"            - name: agent-token
              mountPath: /run/spirl/token
              readOnly: true
"#;

const TOKEN_VOLUME: &str = r#"        - name: agent-token
          projected:
            sources:
              - serviceAccountToken:
                  path: token
                  audience: {audience}
                  expirationSeconds: 3600
"#;

const COMPOSE: &str = r#"# Runs the SPIRL agent of cluster {cluster}, version {version}: its configuration file
# (vm_agent_config) goes to {config_file}, the cluster's private key (when the agents use it)
# to {key_file}, which you create.
services:
  {name}:
    image: {image}
    restart: unless-stopped
    pid: host
    network_mode: host
    command: ["--config", "{config_file}"]
    labels:
      com.spirl.cluster-id: {cluster}
      com.spirl.cluster-version-id: {version}
    volumes:
      - {config_file}:{config_file}:ro
{key_volume}      - {sockets}:{sockets}
"#;

const COMPOSE_KEY_VOLUME: &str = r#"      - {key_file}:{key_file}:ro
"#;

/// The file name of [`AGENT_KEY_FILE`], the key of the Secret that holds it.
const AGENT_KEY_FILE_NAME: &str = "agent-key.pem";
/// The file name of [`AGENT_CONFIG_FILE`], the key of the ConfigMap that holds it.
const AGENT_CONFIG_NAME: &str = "agent.yaml";

#[cfg(test)]
mod tests {
    use std::time::SystemTime;

    use yaml_rust2::{Yaml, YamlLoader};

    use super::super::{JwtIssuer, TrustDomainEntry, TrustDomainRecord};
    use super::*;

    /// A store with trust domain `td-1` (`example.org`, hosted unless `self_managed`) and a
    /// PSAT configuration `aac-1`.
    fn store(self_managed: bool) -> Store {
        let mut store = Store::new("spirl.test");
        let record = TrustDomainRecord {
            id: "td-1".into(),
            name: "example.org".into(),
            description: String::new(),
            self_managed,
            jwt_issuer: JwtIssuer::Builtin,
            created_at: SystemTime::UNIX_EPOCH,
            updated_at: SystemTime::UNIX_EPOCH,
            available_at: SystemTime::UNIX_EPOCH,
        };
        store.trust_domains.insert(
            "td-1".into(),
            TrustDomainEntry {
                record,
                seq: 0,
                deployments: Vec::new(),
            },
        );
        store.agent_attestations.insert(
            "aac-1".into(),
            AgentAttestationRecord {
                id: "aac-1".into(),
                oidc_issuer_url: "https://oidc.eks.us-west-2.amazonaws.com/id/EXAMPLE".into(),
                service_account_name: "agent".into(),
                service_account_namespace: "identity".into(),
            },
        );
        store
    }

    fn cluster(platform: Platform) -> ClusterRecord {
        ClusterRecord {
            id: "c-1".into(),
            trust_domain_id: "td-1".into(),
            name: "Prod \"EU\" #1".into(),
            description: String::new(),
            platform: platform.into(),
            realm_id: String::new(),
            created_at: SystemTime::UNIX_EPOCH,
            active_agents: 0,
        }
    }

    fn version(id: &str, key: bool, attestation: &str) -> ClusterVersionRecord {
        ClusterVersionRecord {
            id: id.into(),
            cluster_id: "c-1".into(),
            pkix_der: if key { vec![1; 44] } else { Vec::new() },
            path_template: "/x".into(),
            x509_customization_template: String::new(),
            jwt_customization_template: String::new(),
            provider_attestation_config_id: String::new(),
            agent_attestation_config_id: attestation.into(),
            active: true,
            created_at: SystemTime::UNIX_EPOCH,
        }
    }

    fn kubectl_yaml(store: &Store, platform: Platform, v: &ClusterVersionRecord) -> String {
        match store.deployment_of(&cluster(platform), v) {
            Deployment::Kubernetes(k) => k.kubectl_yaml,
            Deployment::Vm(_) => panic!("{platform:?} is a Kubernetes platform"),
        }
    }

    fn parse(text: &str) -> Vec<Yaml> {
        YamlLoader::load_from_str(text).unwrap_or_else(|e| panic!("{e}:\n{text}"))
    }

    fn of_kind<'a>(documents: &'a [Yaml], kind: &str) -> &'a Yaml {
        documents
            .iter()
            .find(|d| d["kind"].as_str() == Some(kind))
            .unwrap_or_else(|| panic!("no {kind}"))
    }

    /// The agent configuration the manifest's ConfigMap holds, parsed.
    fn agent_config(documents: &[Yaml]) -> Yaml {
        let text = of_kind(documents, "ConfigMap")["data"]["agent.yaml"]
            .as_str()
            .expect("agent.yaml")
            .to_owned();
        parse(&text).remove(0)
    }

    #[test]
    fn kubernetes_manifest_with_the_cluster_key_refers_to_the_secret() {
        let store = store(false);
        let yaml = kubectl_yaml(&store, Platform::Kubernetes, &version("cv-1", true, ""));
        let documents = parse(&yaml);
        let kinds: Vec<&str> = documents
            .iter()
            .filter_map(|d| d["kind"].as_str())
            .collect();
        assert_eq!(
            kinds,
            [
                "Namespace",
                "ServiceAccount",
                "ClusterRole",
                "ClusterRoleBinding",
                "ConfigMap",
                "DaemonSet"
            ]
        );
        assert_eq!(
            of_kind(&documents, "Namespace")["metadata"]["name"].as_str(),
            Some("spirl-system")
        );
        let config = agent_config(&documents);
        assert_eq!(config["trustDomain"].as_str(), Some("example.org"));
        assert_eq!(config["clusterID"].as_str(), Some("c-1"));
        assert_eq!(config["clusterName"].as_str(), Some("Prod \"EU\" #1"));
        assert_eq!(config["clusterVersionID"].as_str(), Some("cv-1"));
        assert_eq!(config["platform"].as_str(), Some("k8s"));
        assert_eq!(
            config["controlPlane"]["endpoint"].as_str(),
            Some("api.spirl.test:443")
        );
        assert_eq!(
            config["agentEndpoint"].as_str(),
            Some("td-1.agents.spirl.test:443")
        );
        assert_eq!(
            config["attestation"]["method"].as_str(),
            Some("cluster_key")
        );
        assert!(config["sds"].is_badvalue(), "not Istio");
        let pod = &of_kind(&documents, "DaemonSet")["spec"]["template"];
        assert_eq!(
            pod["metadata"]["annotations"]["spirl.com/cluster-version-id"].as_str(),
            Some("cv-1")
        );
        let volumes = pod["spec"]["volumes"].as_vec().expect("volumes");
        assert!(
            volumes
                .iter()
                .any(|v| v["secret"]["secretName"].as_str() == Some(AGENT_KEY_SECRET)),
            "{yaml}"
        );
        assert!(!yaml.contains("PRIVATE KEY"), "{yaml}");
    }

    #[test]
    fn kubernetes_manifest_with_psat_uses_the_configured_service_account_and_no_secret() {
        let store = store(true);
        let yaml = kubectl_yaml(&store, Platform::Eks, &version("cv-1", false, "aac-1"));
        let documents = parse(&yaml);
        assert_eq!(
            of_kind(&documents, "Namespace")["metadata"]["name"].as_str(),
            Some("identity")
        );
        let account = &of_kind(&documents, "ServiceAccount")["metadata"];
        assert_eq!(account["name"].as_str(), Some("agent"));
        assert_eq!(account["namespace"].as_str(), Some("identity"));
        let config = agent_config(&documents);
        assert_eq!(config["platform"].as_str(), Some("eks"));
        assert_eq!(config["attestation"]["method"].as_str(), Some("k8s_psat"));
        assert_eq!(
            config["attestation"]["serviceAccount"].as_str(),
            Some("identity/agent")
        );
        assert!(config["agentEndpoint"].is_badvalue(), "self-hosted: none");
        assert!(!yaml.contains(AGENT_KEY_SECRET), "{yaml}");
        assert!(yaml.contains("serviceAccountToken"), "{yaml}");
    }

    #[test]
    fn istio_platforms_add_the_sds_names() {
        let store = store(false);
        for platform in [Platform::Istio, Platform::EksIstio] {
            let yaml = kubectl_yaml(&store, platform, &version("cv-1", true, ""));
            let config = agent_config(&parse(&yaml));
            assert_eq!(config["sds"]["defaultSVIDName"].as_str(), Some("default"));
            assert_eq!(config["sds"]["defaultBundleName"].as_str(), Some("ROOTCA"));
        }
    }

    #[test]
    fn linux_gets_an_agent_configuration_and_a_compose_file() {
        let store = store(false);
        let vm = |v: &ClusterVersionRecord| match store.deployment_of(&cluster(Platform::Linux), v)
        {
            Deployment::Vm(vm) => vm,
            Deployment::Kubernetes(_) => panic!("linux is no Kubernetes platform"),
        };
        let keyed = vm(&version("cv-1", true, ""));
        let config = parse(&keyed.agent_configuration_file).remove(0);
        assert_eq!(config["clusterVersionID"].as_str(), Some("cv-1"));
        assert_eq!(config["platform"].as_str(), Some("linux"));
        assert_eq!(
            config["attestation"]["privateKeyFile"].as_str(),
            Some(AGENT_KEY_FILE)
        );
        let compose = parse(&keyed.docker_compose_yaml).remove(0);
        let agent = &compose["services"]["spirl-agent"];
        assert_eq!(agent["image"].as_str(), Some(AGENT_IMAGE));
        let volumes: Vec<&str> = agent["volumes"]
            .as_vec()
            .expect("volumes")
            .iter()
            .filter_map(Yaml::as_str)
            .collect();
        assert!(volumes.contains(&"/etc/spirl/agent-key.pem:/etc/spirl/agent-key.pem:ro"));
        // Keyless: attested as configured, no key file.
        let keyless = vm(&version("cv-2", false, ""));
        assert!(
            !keyless.docker_compose_yaml.contains("agent-key.pem:ro"),
            "{}",
            keyless.docker_compose_yaml
        );
        let config = parse(&keyless.agent_configuration_file).remove(0);
        assert_eq!(config["attestation"]["method"].as_str(), Some("configured"));
    }

    #[test]
    fn the_same_records_give_the_same_files_and_a_new_version_other_ones() {
        let store = store(false);
        let v1 = version("cv-1", true, "");
        let first = kubectl_yaml(&store, Platform::Kubernetes, &v1);
        assert_eq!(kubectl_yaml(&store, Platform::Kubernetes, &v1), first);
        assert_ne!(
            kubectl_yaml(&store, Platform::Kubernetes, &version("cv-2", true, "")),
            first
        );
    }

    #[test]
    fn quoted_text_stays_one_line() {
        assert_eq!(quoted("my-cluster"), "\"my-cluster\"");
        assert_eq!(
            quoted("a \"b\"\\\n\u{85}"),
            "\"a \\\"b\\\"\\\\\\u000a\\u0085\""
        );
        let parsed = parse(&format!("k: {}", quoted("a \"b\"\\\n\u{85} #c")));
        assert_eq!(parsed[0]["k"].as_str(), Some("a \"b\"\\\n\u{85} #c"));
    }

    #[test]
    fn key_file_names_match() {
        assert!(AGENT_KEY_FILE.ends_with(AGENT_KEY_FILE_NAME));
        assert!(AGENT_CONFIG_FILE.ends_with(AGENT_CONFIG_NAME));
    }
}
