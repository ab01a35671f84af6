//! Handlers of the protocol's features this provider does not offer: list resources, state
//! storage and actions. Each answers with an error diagnostic that says so; the streaming RPCs
//! among them answer `UNIMPLEMENTED` in the service's trait implementation.

use magma_protocol::tfplugin6 as pb;

use super::{ProviderService, unsupported};
use crate::diag::Diagnostics;

impl ProviderService {
    pub(super) async fn validate_list_resource_config(
        &self,
        _: pb::validate_list_resource_config::Request,
    ) -> pb::validate_list_resource_config::Response {
        let mut diags = Diagnostics::new();
        unsupported(&mut diags, "Listing resources (list blocks)");
        pb::validate_list_resource_config::Response {
            diagnostics: diags.to_proto(),
        }
    }

    pub(super) async fn validate_state_store_config(
        &self,
        _: pb::validate_state_store::Request,
    ) -> pb::validate_state_store::Response {
        let mut diags = Diagnostics::new();
        unsupported(&mut diags, "State storage");
        pb::validate_state_store::Response {
            diagnostics: diags.to_proto(),
        }
    }

    pub(super) async fn configure_state_store(
        &self,
        _: pb::configure_state_store::Request,
    ) -> pb::configure_state_store::Response {
        let mut diags = Diagnostics::new();
        unsupported(&mut diags, "State storage");
        pb::configure_state_store::Response {
            diagnostics: diags.to_proto(),
            capabilities: None,
        }
    }

    pub(super) async fn write_state_bytes(
        &self,
        _: tonic::Streaming<pb::write_state_bytes::RequestChunk>,
    ) -> pb::write_state_bytes::Response {
        let mut diags = Diagnostics::new();
        unsupported(&mut diags, "State storage");
        pb::write_state_bytes::Response {
            diagnostics: diags.to_proto(),
        }
    }

    pub(super) async fn lock_state(&self, _: pb::lock_state::Request) -> pb::lock_state::Response {
        let mut diags = Diagnostics::new();
        unsupported(&mut diags, "State storage");
        pb::lock_state::Response {
            lock_id: String::new(),
            diagnostics: diags.to_proto(),
        }
    }

    pub(super) async fn unlock_state(
        &self,
        _: pb::unlock_state::Request,
    ) -> pb::unlock_state::Response {
        let mut diags = Diagnostics::new();
        unsupported(&mut diags, "State storage");
        pb::unlock_state::Response {
            diagnostics: diags.to_proto(),
        }
    }

    pub(super) async fn get_states(&self, _: pb::get_states::Request) -> pb::get_states::Response {
        let mut diags = Diagnostics::new();
        unsupported(&mut diags, "State storage");
        pb::get_states::Response {
            state_id: Vec::new(),
            diagnostics: diags.to_proto(),
        }
    }

    pub(super) async fn delete_state(
        &self,
        _: pb::delete_state::Request,
    ) -> pb::delete_state::Response {
        let mut diags = Diagnostics::new();
        unsupported(&mut diags, "State storage");
        pb::delete_state::Response {
            diagnostics: diags.to_proto(),
        }
    }

    pub(super) async fn plan_action(
        &self,
        _: pb::plan_action::Request,
    ) -> pb::plan_action::Response {
        let mut diags = Diagnostics::new();
        unsupported(&mut diags, "Actions");
        pb::plan_action::Response {
            diagnostics: diags.to_proto(),
            deferred: None,
        }
    }

    pub(super) async fn validate_action_config(
        &self,
        _: pb::validate_action_config::Request,
    ) -> pb::validate_action_config::Response {
        let mut diags = Diagnostics::new();
        unsupported(&mut diags, "Actions");
        pb::validate_action_config::Response {
            diagnostics: diags.to_proto(),
        }
    }
}
