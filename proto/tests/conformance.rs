//! Our `.proto` files against the real API's: every message, enum and method this crate declares
//! must match, field for field, the descriptors embedded in the public Go SDK (rendered in
//! `../shared/api/descriptors`). The client and the mock share this crate, so a transcription
//! error here would pass every other test and fail only against the real control plane.
//!
//! The reference is read from `SPIRL_API_DESCRIPTORS` or `<workspace>/../shared/api/descriptors`.
//! Where neither exists the comparison is skipped with a message (the crate builds without it).

use std::collections::BTreeMap;
use std::path::PathBuf;

use prost::Message as _;
use prost_types::{
    DescriptorProto, EnumDescriptorProto, FileDescriptorProto, FileDescriptorSet,
    ServiceDescriptorProto,
};

/// One deliberate transcription error, and the words its report must contain.
type Mutation = (&'static str, Box<dyn Fn(&mut Index)>);

/// Every message, enum and service of a set of files, by fully qualified name (`.pkg.Name`).
#[derive(Default)]
struct Index {
    messages: BTreeMap<String, DescriptorProto>,
    enums: BTreeMap<String, EnumDescriptorProto>,
    services: BTreeMap<String, ServiceDescriptorProto>,
}

impl Index {
    fn add_file(&mut self, file: &FileDescriptorProto) {
        let scope = format!(".{}", file.package());
        for message in &file.message_type {
            self.add_message(&scope, message);
        }
        for e in &file.enum_type {
            self.enums
                .insert(format!("{scope}.{}", e.name()), e.clone());
        }
        for s in &file.service {
            self.services
                .insert(format!("{scope}.{}", s.name()), s.clone());
        }
    }

    fn add_message(&mut self, scope: &str, message: &DescriptorProto) {
        let name = format!("{scope}.{}", message.name());
        for nested in &message.nested_type {
            self.add_message(&name, nested);
        }
        for e in &message.enum_type {
            self.enums.insert(format!("{name}.{}", e.name()), e.clone());
        }
        self.messages.insert(name, message.clone());
    }
}

/// One field as the wire sees it; `oneof` by name, since indexes depend on declaration order.
fn field_facts(message: &DescriptorProto) -> BTreeMap<i32, String> {
    message
        .field
        .iter()
        .map(|f| {
            let oneof = f
                .oneof_index
                .filter(|_| !f.proto3_optional())
                .and_then(|i| message.oneof_decl.get(usize::try_from(i).ok()?))
                .map(|o| o.name().to_owned());
            let facts = format!(
                "name={} label={:?} type={:?} type_name={} oneof={:?} proto3_optional={}",
                f.name(),
                f.label(),
                f.r#type(),
                f.type_name(),
                oneof,
                f.proto3_optional()
            );
            (f.number(), facts)
        })
        .collect()
}

/// Every way `ours` differs from `reference`, one line each; empty when they agree.
fn differences(ours: &Index, reference: &Index) -> Vec<String> {
    let mut found = Vec::new();
    for (name, message) in &ours.messages {
        let Some(real) = reference.messages.get(name) else {
            found.push(format!("message {name}: not in the real API"));
            continue;
        };
        let (mine, theirs) = (field_facts(message), field_facts(real));
        for (number, facts) in &theirs {
            match mine.get(number) {
                None => found.push(format!("message {name}: field {number} missing ({facts})")),
                Some(m) if m != facts => found.push(format!(
                    "message {name}: field {number} is {m}, real: {facts}"
                )),
                Some(_) => {}
            }
        }
        for (number, facts) in &mine {
            if !theirs.contains_key(number) {
                found.push(format!(
                    "message {name}: field {number} not in the real API ({facts})"
                ));
            }
        }
    }
    for (name, e) in &ours.enums {
        let Some(real) = reference.enums.get(name) else {
            found.push(format!("enum {name}: not in the real API"));
            continue;
        };
        let values = |e: &EnumDescriptorProto| -> Vec<(String, i32)> {
            let mut v: Vec<_> = e
                .value
                .iter()
                .map(|v| (v.name().to_owned(), v.number()))
                .collect();
            v.sort();
            v
        };
        if values(e) != values(real) {
            found.push(format!(
                "enum {name}: values {:?}, real: {:?}",
                values(e),
                values(real)
            ));
        }
    }
    for (name, service) in &ours.services {
        let Some(real) = reference.services.get(name) else {
            found.push(format!("service {name}: not in the real API"));
            continue;
        };
        for method in &service.method {
            let facts = |m: &prost_types::MethodDescriptorProto| {
                format!(
                    "({}{}) returns ({}{})",
                    if m.client_streaming() { "stream " } else { "" },
                    m.input_type(),
                    if m.server_streaming() { "stream " } else { "" },
                    m.output_type()
                )
            };
            match real.method.iter().find(|m| m.name() == method.name()) {
                None => found.push(format!(
                    "method {name}/{}: not in the real API",
                    method.name()
                )),
                Some(r) if facts(r) != facts(method) => found.push(format!(
                    "method {name}/{}: {}, real: {}",
                    method.name(),
                    facts(method),
                    facts(r)
                )),
                Some(_) => {}
            }
        }
    }
    found
}

fn ours() -> Index {
    let set = FileDescriptorSet::decode(spirl_api_proto::FILE_DESCRIPTOR_SET)
        .expect("the crate's own descriptor set decodes");
    let mut index = Index::default();
    // The well-known types come from prost-types, not from us: only our own packages count.
    for file in set
        .file
        .iter()
        .filter(|f| f.package().starts_with("com.spirl."))
    {
        index.add_file(file);
    }
    index
}

fn reference_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("SPIRL_API_DESCRIPTORS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/api/descriptors")
        });
    dir.is_dir().then_some(dir)
}

fn reference(dir: &std::path::Path) -> Index {
    let mut index = Index::default();
    for entry in std::fs::read_dir(dir).expect("reference directory readable") {
        let path = entry.expect("directory entry").path();
        if path.extension().is_some_and(|e| e == "binpb") {
            let bytes = std::fs::read(&path).expect("reference descriptor readable");
            let file = FileDescriptorProto::decode(bytes.as_slice())
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            index.add_file(&file);
        }
    }
    index
}

#[test]
fn proto_conformance_every_declared_message_enum_and_method_matches_the_real_api() {
    let Some(dir) = reference_dir() else {
        eprintln!(
            "skipped: no reference descriptors (set SPIRL_API_DESCRIPTORS or put shared/ beside the workspace)"
        );
        return;
    };
    let (ours, reference) = (ours(), reference(&dir));
    assert!(
        ours.messages.len() >= 35,
        "expected our messages, got {}",
        ours.messages.len()
    );
    for service in [
        ".com.spirl.api.v1.session.API",
        ".com.spirl.api.v1.trustdomain.API",
        ".com.spirl.api.v1.realm.API",
        ".com.spirl.api.v1.cluster.API",
        ".com.spirl.api.v1.agentattestation.API",
        ".com.spirl.api.v1.providerattestation.API",
        ".com.spirl.api.v1.cicd.API",
        ".com.spirl.api.v1.config.API",
        ".com.spirl.api.v1.access.API",
        ".com.spirl.api.v1.federation.API",
    ] {
        assert!(ours.services.contains_key(service), "{service} is declared");
    }
    let found = differences(&ours, &reference);
    assert!(
        found.is_empty(),
        "our .proto files differ from the real API:\n{}",
        found.join("\n")
    );
}

/// The comparison itself must catch each kind of transcription error.
#[test]
fn proto_conformance_detects_each_kind_of_mismatch() {
    let Some(dir) = reference_dir() else {
        eprintln!("skipped: no reference descriptors");
        return;
    };
    let reference = reference(&dir);
    let mutations: Vec<Mutation> = vec![
        (
            "field 2 is",
            Box::new(|i: &mut Index| {
                let m = i
                    .messages
                    .get_mut(".com.spirl.api.v1.trustdomain.CreateTrustDomainKeyRequest")
                    .expect("declared");
                m.field[1].name = Some("deployment".into());
            }),
        ),
        (
            "field 3 missing",
            Box::new(|i: &mut Index| {
                let m = i
                    .messages
                    .get_mut(".com.spirl.api.v1.trustdomain.DeleteTrustDomainKeyRequest")
                    .expect("declared");
                m.field.retain(|f| f.number() != 3);
            }),
        ),
        (
            "not in the real API",
            Box::new(|i: &mut Index| {
                let m = i
                    .messages
                    .get_mut(".com.spirl.api.v1.trustdomain.TrustDomainInfoRequest")
                    .expect("declared");
                m.field[0].number = Some(1);
            }),
        ),
        (
            "oneof=None",
            Box::new(|i: &mut Index| {
                let m = i
                    .messages
                    .get_mut(".com.spirl.api.v1.session.AuthenticateServiceAccountRequest")
                    .expect("declared");
                for f in &mut m.field {
                    f.oneof_index = None;
                }
            }),
        ),
        (
            "enum .com.spirl.api.v1.trustdomain.JwtIssuerStatus.Mode",
            Box::new(|i: &mut Index| {
                let e = i
                    .enums
                    .get_mut(".com.spirl.api.v1.trustdomain.JwtIssuerStatus.Mode")
                    .expect("declared");
                e.value[1].number = Some(2);
            }),
        ),
        (
            "method .com.spirl.api.v1.session.API/AuthenticateServiceAccount",
            Box::new(|i: &mut Index| {
                let s = i
                    .services
                    .get_mut(".com.spirl.api.v1.session.API")
                    .expect("declared");
                s.method[0].server_streaming = Some(false);
            }),
        ),
    ];
    for (expected, mutate) in mutations {
        let mut mutated = ours();
        mutate(&mut mutated);
        let found = differences(&mutated, &reference);
        assert!(
            found.iter().any(|d| d.contains(expected)),
            "a mutation expected to report {expected:?} gave {found:?}"
        );
    }
}
