//! Realms: named parts of a trust domain that clusters belong to. No update; found by listing.

use spirl_api_proto::realm as pb;

use super::{Change, Ctx, RealmRecord, Store};
use crate::assumptions::{
    DELETE_REALM_NEEDS_NO_CLUSTERS, LIST_REALMS_UNFILTERED_LISTS_ALL, ORG_ID, REALM_ID_PREFIX,
};
use crate::error::ApiError;
use crate::validate;

impl Store {
    /// The realm `id` (field `realm_id`): `INVALID_ARGUMENT` when empty, `NOT_FOUND` when
    /// unknown.
    pub(super) fn realm(&self, id: &str) -> Result<&RealmRecord, ApiError> {
        validate::required("realm_id", id)?;
        self.realms
            .get(id)
            .map(|(_, r)| r)
            .ok_or_else(|| ApiError::NotFound(format!("realm_id: realm {id} not found")))
    }

    /// The ids of the realms of trust domain `trust_domain_id`, in creation order.
    pub(super) fn realms_of(&self, trust_domain_id: &str) -> Vec<String> {
        self.realm_order
            .values()
            .filter_map(|id| self.realms.get(id))
            .filter(|(_, r)| r.trust_domain_id == trust_domain_id)
            .map(|(_, r)| r.id.clone())
            .collect()
    }

    /// Forgets realm `id` and its role assignments; `false` when there is no such realm.
    pub(super) fn remove_realm(&mut self, id: &str) -> bool {
        let Some((seq, realm)) = self.realms.remove(id) else {
            return false;
        };
        self.realm_order.remove(&seq);
        self.realm_by_name
            .remove(&(realm.trust_domain_id, realm.name));
        self.assignments.retain(|_, a| a.realm_id != id);
        true
    }

    /// `ListRealms`: in creation order, filtered by trust domain and name when given.
    /// `include_dynamic_data` adds each realm's clusters.
    pub fn list_realms(
        &self,
        trust_domain_id: &str,
        name: &str,
        include_dynamic_data: bool,
    ) -> Vec<pb::Realm> {
        // An empty filter is no filter: see the assumption.
        let _ = LIST_REALMS_UNFILTERED_LISTS_ALL;
        self.realm_order
            .values()
            .filter_map(|id| self.realms.get(id))
            .map(|(_, r)| r)
            .filter(|r| trust_domain_id.is_empty() || r.trust_domain_id == trust_domain_id)
            .filter(|r| name.is_empty() || r.name == name)
            .map(|r| {
                let components = include_dynamic_data.then(|| {
                    let clusters = self.realm_clusters(&r.id);
                    pb::RealmComponents {
                        clusters_total: clusters.len() as i64,
                        clusters,
                        ..pb::RealmComponents::default()
                    }
                });
                pb::Realm {
                    id: r.id.clone(),
                    org_id: ORG_ID.to_owned(),
                    trust_domain_id: r.trust_domain_id.clone(),
                    name: r.name.clone(),
                    created_at: Some(r.created_at.into()),
                    components,
                }
            })
            .collect()
    }

    /// `CreateRealm`. Returns the change and the new id.
    pub fn plan_create_realm(
        &self,
        trust_domain_id: &str,
        name: &str,
        ctx: &Ctx<'_>,
    ) -> Result<(Change, String), ApiError> {
        self.trust_domain(trust_domain_id)?;
        validate::realm_name(name)?;
        if let Some(existing) = self
            .realm_by_name
            .get(&(trust_domain_id.to_owned(), name.to_owned()))
        {
            return Err(ApiError::AlreadyExists(format!(
                "name: trust domain {trust_domain_id} already has a realm named `{name}`: \
                 {existing}"
            )));
        }
        let id = self.fresh_id(REALM_ID_PREFIX, ctx);
        let change = Change::RealmCreated {
            realm: RealmRecord {
                id: id.clone(),
                trust_domain_id: trust_domain_id.to_owned(),
                name: name.to_owned(),
                created_at: ctx.now,
            },
        };
        Ok((change, id))
    }

    /// `DeleteRealm`: refused while clusters belong to the realm.
    pub fn plan_delete_realm(&self, id: &str) -> Result<Change, ApiError> {
        let realm = self.realm(id)?;
        let clusters = self.realm_clusters(id);
        if DELETE_REALM_NEEDS_NO_CLUSTERS && !clusters.is_empty() {
            return Err(ApiError::FailedPrecondition(format!(
                "realm {id} (`{}`) has clusters: {}; delete them first",
                realm.name,
                clusters.join(", ")
            )));
        }
        Ok(Change::RealmDeleted { id: id.to_owned() })
    }
}
