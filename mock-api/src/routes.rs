//! Handlers of the resource routes. Each is thin: parse, then hand a plan or a query to the
//! state; the rules live in [`crate::store`].

use axum::Json;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;

use crate::error::ApiError;
use crate::extract::{Body, Path, Post, Query};
use crate::state::{MockState, Principal};
use crate::wire::{
    CreateDeploymentRequest, CreateKeyRequest, CreateTrustDomainRequest, Deployment,
    ListDeploymentsResponse, ListTrustDomainsResponse, TrustDomain, UpdateKeyRequest,
    UpdateTrustDomainRequest,
};

/// `?name=&page_size=&page_token=` of `GET /v1/trust-domains`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ListTrustDomainsQuery {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    page_size: Option<u32>,
    #[serde(default)]
    page_token: Option<String>,
}

/// `?name=` of `GET .../deployments`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ListDeploymentsQuery {
    #[serde(default)]
    name: Option<String>,
}

/// `?force=` of `DELETE .../deployments/{deployment_id}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct DeleteDeploymentQuery {
    #[serde(default)]
    force: Option<bool>,
}

/// An empty `?name=` means no filter, like an absent one.
fn filter(name: &Option<String>) -> Option<&str> {
    name.as_deref().filter(|n| !n.is_empty())
}

pub(crate) async fn create_trust_domain(
    State(state): State<MockState>,
    principal: Principal,
    request: Post<CreateTrustDomainRequest>,
) -> Result<Response, ApiError> {
    state.write(&principal, request.idempotency, |store, ctx| {
        store.plan_create_trust_domain(&request.body, ctx)
    })
}

pub(crate) async fn list_trust_domains(
    State(state): State<MockState>,
    Query(query): Query<ListTrustDomainsQuery>,
) -> Result<Json<ListTrustDomainsResponse>, ApiError> {
    state
        .read(|store| {
            store.list_trust_domains(
                filter(&query.name),
                query.page_size,
                query.page_token.as_deref(),
            )
        })
        .map(Json)
}

pub(crate) async fn get_trust_domain(
    State(state): State<MockState>,
    Path(id): Path<String>,
) -> Result<Json<TrustDomain>, ApiError> {
    state.read(|store| store.get_trust_domain(&id)).map(Json)
}

pub(crate) async fn update_trust_domain(
    State(state): State<MockState>,
    principal: Principal,
    Path(id): Path<String>,
    request: Body<UpdateTrustDomainRequest>,
) -> Result<Response, ApiError> {
    state.write(&principal, None, |store, ctx| {
        store.plan_update_trust_domain(&id, &request.body, ctx)
    })
}

pub(crate) async fn delete_trust_domain(
    State(state): State<MockState>,
    principal: Principal,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    state.write(&principal, None, |store, _| {
        store.plan_delete_trust_domain(&id)
    })
}

pub(crate) async fn create_deployment(
    State(state): State<MockState>,
    principal: Principal,
    Path(trust_domain_id): Path<String>,
    request: Post<CreateDeploymentRequest>,
) -> Result<Response, ApiError> {
    state.write(&principal, request.idempotency, |store, ctx| {
        store.plan_create_deployment(&trust_domain_id, &request.body, ctx)
    })
}

pub(crate) async fn list_deployments(
    State(state): State<MockState>,
    Path(trust_domain_id): Path<String>,
    Query(query): Query<ListDeploymentsQuery>,
) -> Result<Json<ListDeploymentsResponse>, ApiError> {
    state
        .read(|store| store.list_deployments(&trust_domain_id, filter(&query.name)))
        .map(Json)
}

pub(crate) async fn get_deployment(
    State(state): State<MockState>,
    Path((trust_domain_id, id)): Path<(String, String)>,
) -> Result<Json<Deployment>, ApiError> {
    state
        .read(|store| store.get_deployment(&trust_domain_id, &id))
        .map(Json)
}

pub(crate) async fn delete_deployment(
    State(state): State<MockState>,
    principal: Principal,
    Path((trust_domain_id, id)): Path<(String, String)>,
    Query(query): Query<DeleteDeploymentQuery>,
) -> Result<Response, ApiError> {
    state.write(&principal, None, |store, _| {
        store.plan_delete_deployment(&trust_domain_id, &id, query.force.unwrap_or(false))
    })
}

pub(crate) async fn create_key(
    State(state): State<MockState>,
    principal: Principal,
    Path((trust_domain_id, deployment_id)): Path<(String, String)>,
    request: Post<CreateKeyRequest>,
) -> Result<Response, ApiError> {
    state.write(&principal, request.idempotency, |store, ctx| {
        store.plan_create_key(&trust_domain_id, &deployment_id, &request.body, ctx)
    })
}

pub(crate) async fn update_key(
    State(state): State<MockState>,
    principal: Principal,
    Path((trust_domain_id, deployment_id, id)): Path<(String, String, String)>,
    request: Body<UpdateKeyRequest>,
) -> Result<Response, ApiError> {
    state.write(&principal, None, |store, _| {
        store.plan_update_key(&trust_domain_id, &deployment_id, &id, &request.body)
    })
}

pub(crate) async fn delete_key(
    State(state): State<MockState>,
    principal: Principal,
    Path((trust_domain_id, deployment_id, id)): Path<(String, String, String)>,
) -> Result<Response, ApiError> {
    state.write(&principal, None, |store, _| {
        store.plan_delete_key(&trust_domain_id, &deployment_id, &id)
    })
}
