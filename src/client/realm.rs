//! The realm service (`com.spirl.api.v1.realm.API`): create, list, delete. The API has no get by
//! id and no update: a realm is found by listing, and a change of name means a new realm.

use spirl_api_proto::realm as wire;
use spirl_api_proto::realm::api_client::ApiClient as RealmApi;
use tokio::time::Instant;
use tonic::transport::Channel;

use super::engine::{MAX_ANSWER_BYTES, Rpc, gone_is_done};
use super::models::rfc3339;
use super::read_back::ReadBack;
use super::{ApiError, Client};

const CREATE_REALM: Rpc = rpc!("create realm", "realm.API/CreateRealm");
const LIST_REALMS: Rpc = rpc!("list realms", "realm.API/ListRealms");
const DELETE_REALM: Rpc = rpc!("delete realm", "realm.API/DeleteRealm");

/// A realm: a named part of a trust domain that clusters belong to.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Realm {
    /// `rlm-…`.
    pub id: String,
    /// `td-…`.
    pub trust_domain_id: String,
    /// A SPIFFE ID path segment, unique in its trust domain.
    pub name: String,
    /// RFC 3339, UTC, whole seconds; empty when the server sent none.
    pub created_at: String,
}

impl From<wire::Realm> for Realm {
    fn from(r: wire::Realm) -> Self {
        Realm {
            created_at: rfc3339(r.created_at.as_ref()),
            id: r.id,
            trust_domain_id: r.trust_domain_id,
            name: r.name,
        }
    }
}

/// The realm service's client on `channel`.
fn realms(channel: Channel) -> RealmApi<Channel> {
    RealmApi::new(channel).max_decoding_message_size(MAX_ANSWER_BYTES)
}

impl Client {
    /// `CreateRealm`: realm `name` in trust domain `trust_domain_id`; returns its id. A create
    /// whose answer was lost is found by trust domain and name, and adopted.
    pub async fn create_realm(
        &self,
        trust_domain_id: &str,
        name: &str,
    ) -> Result<String, ApiError> {
        let request = wire::CreateRealmRequest {
            trust_domain_id: trust_domain_id.to_owned(),
            name: name.to_owned(),
        };
        let lookup = |deadline| async move {
            let found = self
                .list_realms_until(Some(trust_domain_id), Some(name), deadline)
                .await?;
            Ok(found
                .into_iter()
                .find(|r| r.trust_domain_id == trust_domain_id && r.name == name)
                .map(|r| r.id))
        };
        self.create(
            CREATE_REALM,
            request,
            |c, r| async move { realms(c).create_realm(r).await },
            |a: &wire::CreateRealmResponse| a.realm_id.clone(),
            lookup,
        )
        .await
    }

    /// `ListRealms`: the realms of one trust domain, or of the organisation (`None`), optionally
    /// only the one named `name`. The API does not page.
    pub async fn list_realms(
        &self,
        trust_domain_id: Option<&str>,
        name: Option<&str>,
    ) -> Result<Vec<Realm>, ApiError> {
        self.list_realms_until(trust_domain_id, name, self.deadline())
            .await
    }

    async fn list_realms_until(
        &self,
        trust_domain_id: Option<&str>,
        name: Option<&str>,
        deadline: Instant,
    ) -> Result<Vec<Realm>, ApiError> {
        let request = wire::ListRealmsRequest {
            trust_domain_id: trust_domain_id.unwrap_or_default().to_owned(),
            name: name.unwrap_or_default().to_owned(),
            include_dynamic_data: false,
        };
        let answer = self
            .call(LIST_REALMS, deadline, request, |c, r| async move {
                realms(c).list_realms(r).await
            })
            .await?;
        Ok(answer.realms.into_iter().map(Into::into).collect())
    }

    /// The realm with id `id`, found by listing (the API has no get by id): within
    /// `trust_domain_id` when it is known, else across the organisation. `None` when it does not
    /// exist.
    pub async fn find_realm(
        &self,
        id: &str,
        trust_domain_id: Option<&str>,
    ) -> Result<Option<Realm>, ApiError> {
        let found = self.list_realms(trust_domain_id, None).await?;
        Ok(found.into_iter().find(|r| r.id == id))
    }

    /// `DeleteRealm`. `NOT_FOUND` is success; a realm that clusters still use is refused
    /// (`FAILED_PRECONDITION`).
    pub async fn delete_realm(&self, id: &str) -> Result<(), ApiError> {
        let request = wire::DeleteRealmRequest {
            realm_id: id.to_owned(),
        };
        let result = self
            .call(DELETE_REALM, self.deadline(), request, |c, r| async move {
                realms(c).delete_realm(r).await
            })
            .await;
        gone_is_done(result)
    }
}

impl ReadBack {
    /// Realm `id`, just created: read back by listing the realms.
    pub fn realm(id: &str) -> Self {
        Self::created("realm", id, "read the new realm", LIST_REALMS)
    }
}
