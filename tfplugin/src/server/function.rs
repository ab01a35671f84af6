//! Handlers of provider-defined functions: their signatures and calls.

use magma_protocol::tfplugin6 as pb;

use super::{ProviderService, decode, encode};
use crate::diag::Diagnostics;
use crate::provider::Function;

impl ProviderService {
    pub(super) async fn get_functions(
        &self,
        _: pb::get_functions::Request,
    ) -> pb::get_functions::Response {
        pb::get_functions::Response {
            functions: self
                .inner
                .functions
                .iter()
                .map(|(n, f)| (n.clone(), function_proto(&**f)))
                .collect(),
            diagnostics: Vec::new(),
        }
    }

    pub(super) async fn call_function(
        &self,
        req: pb::call_function::Request,
    ) -> pb::call_function::Response {
        let fail = |text: String, argument: Option<i64>| pb::call_function::Response {
            result: None,
            error: Some(pb::FunctionError {
                text,
                function_argument: argument,
            }),
        };
        let Some(f) = self.inner.functions.get(&req.name) else {
            return fail(
                format!("This provider has no function named {:?}.", req.name),
                None,
            );
        };
        let sig = f.signature();
        let mut args = Vec::with_capacity(req.arguments.len());
        for (i, a) in req.arguments.iter().enumerate() {
            let Some(p) = sig.parameters.get(i).or(sig.variadic.as_ref()) else {
                return fail(
                    format!(
                        "Too many arguments: the function takes {}.",
                        sig.parameters.len()
                    ),
                    None,
                );
            };
            let mut d = Diagnostics::new();
            match decode(Some(a), &p.ty, "function argument", &mut d) {
                Some(v) => args.push(v),
                None => {
                    return fail(
                        d.items
                            .first()
                            .map(|x| x.detail.clone())
                            .unwrap_or_default(),
                        Some(i as i64),
                    );
                }
            }
        }
        match self.guard("CallFunction", f.call(args)).await {
            Ok(Ok(v)) => {
                let mut d = Diagnostics::new();
                match encode(&v, &sig.returns, &mut d) {
                    Some(result) => pb::call_function::Response {
                        result: Some(result),
                        error: None,
                    },
                    None => fail(
                        d.items
                            .first()
                            .map(|x| x.detail.clone())
                            .unwrap_or_default(),
                        None,
                    ),
                }
            }
            Ok(Err(e)) => fail(e.text, e.argument),
            Err(d) => fail(
                d.items
                    .first()
                    .map(|x| x.detail.clone())
                    .unwrap_or_default(),
                None,
            ),
        }
    }
}

/// A function's signature as the protocol describes it.
pub(super) fn function_proto(f: &dyn Function) -> pb::Function {
    let sig = f.signature();
    let param = |p: &crate::provider::Parameter| pb::function::Parameter {
        name: p.name.clone(),
        r#type: p.ty.to_json().into_bytes(),
        allow_null_value: p.allow_null,
        allow_unknown_values: p.allow_unknown,
        description: p.description.clone(),
        description_kind: pb::StringKind::Markdown as i32,
    };
    pb::Function {
        parameters: sig.parameters.iter().map(param).collect(),
        variadic_parameter: sig.variadic.as_ref().map(param),
        r#return: Some(pb::function::Return {
            r#type: sig.returns.to_json().into_bytes(),
        }),
        summary: sig.summary.clone(),
        description: sig.description.clone(),
        description_kind: pb::StringKind::Markdown as i32,
        deprecation_message: String::new(),
    }
}
