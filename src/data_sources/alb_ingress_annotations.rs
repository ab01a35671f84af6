//! `spirl_alb_ingress_annotations`: the AWS Load Balancer Controller annotations the Defakto ALB
//! guide recommends for the trust-domain server's agent endpoint, as a map ready for
//! `ingress.annotations` in `helm_release` values. Rendering and validation live in
//! [`crate::alb`]; this file maps them onto Terraform.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use tfplugin::{Attr, DataSource, Diagnostics, Kind, Model, Number, Schema, async_trait};

use crate::alb::{self, AlbInputs};
use crate::diagnostics::{inputs_not_known, report, whole};

/// Configuration and result of the data source.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, Model)]
pub struct AlbState {
    /// `internet-facing` (default) or `internal`: whether the ALB is reachable from the internet
    /// or only from private networks. Default `internet-facing`.
    #[tf(optional)]
    scheme: Attr<String>,
    /// `ip` (default; routes to pod IPs, as EKS needs) or `instance`. Default `ip`.
    #[tf(optional)]
    target_type: Attr<String>,
    /// ACM (or IAM) certificate ARNs for the HTTPS listener, joined with commas into
    /// `certificate-arn`. Leave unset to let the controller discover a certificate.
    #[tf(optional)]
    certificate_arns: Attr<Vec<Attr<String>>>,
    /// The ALB TLS security policy. Default `ELBSecurityPolicy-TLS13-1-3-PQ-2025-09`.
    #[tf(optional)]
    ssl_policy: Attr<String>,
    /// The HTTPS listener port (`listen-ports`). Default 443.
    #[tf(optional, check = whole("a whole number"))]
    https_port: Attr<Number>,
    /// The ALB idle timeout, 1–4000. Default 4000. Below 1800 seconds (the agents' 30-minute
    /// maximum connection lifetime) is a warning: the ALB would reset idle gRPC streams and
    /// agents would reconnect in a storm.
    #[tf(optional, check = whole("a whole number"))]
    idle_timeout_seconds: Attr<Number>,
    /// An ingress group (`group.name`) to share one ALB between ingresses.
    #[tf(optional)]
    group_name: Attr<String>,
    /// More ALB attributes, merged into the `load-balancer-attributes` value (sorted
    /// `key=value` pairs joined with commas). The idle timeout is set with
    /// `idle_timeout_seconds`.
    #[tf(optional)]
    additional_load_balancer_attributes: Attr<BTreeMap<String, Attr<String>>>,
    /// More annotations, merged last. Annotations an input controls must be set through that
    /// input.
    #[tf(optional)]
    extra_annotations: Attr<BTreeMap<String, Attr<String>>>,
    /// A fixed identifier; the data source has no remote object.
    #[tf(computed)]
    id: Attr<String>,
    /// The annotations, for `ingress.annotations`.
    #[tf(computed)]
    annotations: Attr<BTreeMap<String, String>>,
    /// The ingress class: `alb`.
    #[tf(computed)]
    ingress_class_name: Attr<String>,
    /// The gRPC health-check path the annotations use.
    #[tf(computed)]
    health_check_path: Attr<String>,
}

/// A number attribute as a whole number (one that is not was reported by its declared check).
fn whole_value(n: &Attr<Number>) -> Option<Attr<i64>> {
    match n {
        Attr::Value(n) => n.as_i64().map(Attr::Value),
        Attr::Unknown => Some(Attr::Unknown),
        Attr::Null => Some(Attr::Null),
    }
}

impl AlbState {
    /// The inputs of [`alb::render`], or `None` when a number is not a whole one.
    fn inputs(&self) -> Option<AlbInputs> {
        Some(AlbInputs {
            scheme: self.scheme.clone(),
            target_type: self.target_type.clone(),
            certificate_arns: self.certificate_arns.clone(),
            ssl_policy: self.ssl_policy.clone(),
            https_port: whole_value(&self.https_port)?,
            idle_timeout_seconds: whole_value(&self.idle_timeout_seconds)?,
            group_name: self.group_name.clone(),
            additional_load_balancer_attributes: self.additional_load_balancer_attributes.clone(),
            extra_annotations: self.extra_annotations.clone(),
        })
    }
}

/// The `spirl_alb_ingress_annotations` data source.
pub struct AlbIngressAnnotations;

#[async_trait]
impl DataSource for AlbIngressAnnotations {
    type State = AlbState;

    fn schema(&self) -> Schema {
        Schema::of::<AlbState>(Kind::DataSource).description(
            "Renders the AWS Load Balancer Controller ingress annotations the Defakto ALB \
             guide recommends for the trust-domain server's agent endpoint (gRPC over \
             HTTP/2, gRPC health checks, TLS 1.3 policy, and the 4000-second idle timeout), \
             ready for `ingress.annotations` in `helm_release` values. With no inputs the \
             map equals the guide's annotation set exactly. No API calls.\n\n\
             **Why the idle timeout matters:** agents keep long-lived HTTP/2 gRPC streams to \
             the servers for trust-bundle and configuration updates. The ALB's default idle \
             timeout of 60 seconds resets those streams (`stream terminated by RST_STREAM`) \
             and agents reconnect constantly. 4000 seconds (66 minutes) outlasts the agents' \
             30-minute maximum connection lifetime, so they reconnect on their own schedule.",
        )
    }

    async fn validate(&self, diags: &mut Diagnostics, config: AlbState) -> Option<()> {
        report(diags, alb::validate(&config.inputs()?))
    }

    async fn read(&self, diags: &mut Diagnostics, mut config: AlbState) -> Option<AlbState> {
        let (output, problems) = alb::render(&config.inputs()?);
        report(diags, problems)?;
        let Some(output) = output else {
            inputs_not_known(diags);
            return None;
        };
        config.id = Attr::Value("alb-ingress-annotations".to_owned());
        config.annotations = Attr::Value(output.annotations);
        config.ingress_class_name = Attr::Value(output.ingress_class_name.to_owned());
        config.health_check_path = Attr::Value(output.health_check_path.to_owned());
        Some(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alb_descriptions_state_the_defaults() {
        let schema = AlbIngressAnnotations.schema();
        let docs: Vec<&str> = schema
            .block
            .attributes
            .iter()
            .map(|a| a.description.as_str())
            .collect();
        let (max, default, min) = (
            alb::MAX_IDLE_TIMEOUT_SECONDS,
            alb::DEFAULT_IDLE_TIMEOUT_SECONDS,
            alb::MIN_RECOMMENDED_IDLE_TIMEOUT_SECONDS,
        );
        for text in [
            format!("Default `{}`.", alb::DEFAULT_SCHEME),
            format!("Default `{}`.", alb::DEFAULT_TARGET_TYPE),
            format!("Default `{}`.", alb::DEFAULT_SSL_POLICY),
            format!("Default {}.", alb::DEFAULT_HTTPS_PORT),
            format!("1–{max}. Default {default}. Below {min} seconds"),
        ] {
            assert!(docs.iter().any(|d| d.contains(&text)), "{text}");
        }
    }
}
