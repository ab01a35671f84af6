//! `spirl_alb_ingress_annotations`: the AWS Load Balancer Controller annotations the Defakto ALB
//! guide recommends for the trust-domain server's agent endpoint, as a map ready for
//! `ingress.annotations` in `helm_release` values. Rendering and validation live in
//! [`crate::alb`]; this file maps them onto Terraform.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use tfplugin::{Attr, Attribute, Diagnostics, LegacyDataSource, Number, Schema, Type, async_trait};

use crate::alb::{self, AlbInputs};
use crate::diagnostics::{inputs_not_known, report, whole_number};

/// Configuration and result of the data source.
#[derive(Serialize, Deserialize)]
pub struct AlbState {
    scheme: Attr<String>,
    target_type: Attr<String>,
    certificate_arns: Attr<Vec<Attr<String>>>,
    ssl_policy: Attr<String>,
    https_port: Attr<Number>,
    idle_timeout_seconds: Attr<Number>,
    group_name: Attr<String>,
    additional_load_balancer_attributes: Attr<BTreeMap<String, Attr<String>>>,
    extra_annotations: Attr<BTreeMap<String, Attr<String>>>,
    id: Attr<String>,
    annotations: Attr<BTreeMap<String, String>>,
    ingress_class_name: Attr<String>,
    health_check_path: Attr<String>,
}

impl AlbState {
    /// The inputs of [`alb::render`], or `None` after reporting a number that is not a whole one.
    fn inputs(&self, diags: &mut Diagnostics) -> Option<AlbInputs> {
        let https_port = whole_number(diags, "https_port", &self.https_port, "a whole number");
        let idle_timeout_seconds = whole_number(
            diags,
            "idle_timeout_seconds",
            &self.idle_timeout_seconds,
            "a whole number",
        );
        Some(AlbInputs {
            scheme: self.scheme.clone(),
            target_type: self.target_type.clone(),
            certificate_arns: self.certificate_arns.clone(),
            ssl_policy: self.ssl_policy.clone(),
            https_port: https_port?,
            idle_timeout_seconds: idle_timeout_seconds?,
            group_name: self.group_name.clone(),
            additional_load_balancer_attributes: self.additional_load_balancer_attributes.clone(),
            extra_annotations: self.extra_annotations.clone(),
        })
    }
}

/// The `spirl_alb_ingress_annotations` data source.
pub struct AlbIngressAnnotations;

#[async_trait]
impl LegacyDataSource for AlbIngressAnnotations {
    type State = AlbState;

    fn schema(&self) -> Schema {
        let string_map = Type::Map(Box::new(Type::String));
        Schema::new()
            .description(
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
            .attribute(Attribute::string("scheme").optional().description(format!(
                "`internet-facing` (default) or `internal`: whether the ALB is reachable from \
                 the internet or only from private networks. Default `{}`.",
                alb::DEFAULT_SCHEME
            )))
            .attribute(Attribute::string("target_type").optional().description(format!(
                "`ip` (default; routes to pod IPs, as EKS needs) or `instance`. Default `{}`.",
                alb::DEFAULT_TARGET_TYPE
            )))
            .attribute(
                Attribute::new("certificate_arns", Type::List(Box::new(Type::String)))
                    .optional()
                    .description(
                        "ACM (or IAM) certificate ARNs for the HTTPS listener, joined with \
                         commas into `certificate-arn`. Leave unset to let the controller \
                         discover a certificate.",
                    ),
            )
            .attribute(Attribute::string("ssl_policy").optional().description(format!(
                "The ALB TLS security policy. Default `{}`.",
                alb::DEFAULT_SSL_POLICY
            )))
            .attribute(Attribute::number("https_port").optional().description(format!(
                "The HTTPS listener port (`listen-ports`). Default {}.",
                alb::DEFAULT_HTTPS_PORT
            )))
            .attribute(
                Attribute::number("idle_timeout_seconds")
                    .optional()
                    .description(format!(
                        "The ALB idle timeout, 1–{}. Default {}. Below {} seconds (the agents' \
                         30-minute maximum connection lifetime) is a warning: the ALB would \
                         reset idle gRPC streams and agents would reconnect in a storm.",
                        alb::MAX_IDLE_TIMEOUT_SECONDS,
                        alb::DEFAULT_IDLE_TIMEOUT_SECONDS,
                        alb::MIN_RECOMMENDED_IDLE_TIMEOUT_SECONDS
                    )),
            )
            .attribute(Attribute::string("group_name").optional().description(
                "An ingress group (`group.name`) to share one ALB between ingresses.",
            ))
            .attribute(
                Attribute::new("additional_load_balancer_attributes", string_map.clone())
                    .optional()
                    .description(
                        "More ALB attributes, merged into the `load-balancer-attributes` \
                         value (sorted `key=value` pairs joined with commas). The idle timeout \
                         is set with `idle_timeout_seconds`.",
                    ),
            )
            .attribute(
                Attribute::new("extra_annotations", string_map.clone())
                    .optional()
                    .description(
                        "More annotations, merged last. Annotations an input controls must be \
                         set through that input.",
                    ),
            )
            .attribute(
                Attribute::string("id")
                    .computed()
                    .description("A fixed identifier; the data source has no remote object."),
            )
            .attribute(
                Attribute::new("annotations", string_map)
                    .computed()
                    .description("The annotations, for `ingress.annotations`."),
            )
            .attribute(
                Attribute::string("ingress_class_name")
                    .computed()
                    .description("The ingress class: `alb`."),
            )
            .attribute(
                Attribute::string("health_check_path")
                    .computed()
                    .description("The gRPC health-check path the annotations use."),
            )
    }

    async fn validate(&self, diags: &mut Diagnostics, config: AlbState) -> Option<()> {
        let inputs = config.inputs(diags)?;
        report(diags, alb::validate(&inputs))
    }

    async fn read(&self, diags: &mut Diagnostics, mut config: AlbState) -> Option<AlbState> {
        let inputs = config.inputs(diags)?;
        let (output, problems) = alb::render(&inputs);
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
