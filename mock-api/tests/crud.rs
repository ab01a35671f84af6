//! Create, read, update and delete of trust domains, deployments and keys; listing and paging;
//! the 404s, 405s and 409s. In process, with a manual clock and sequential ids.

mod common;

use std::time::Duration;

use common::{Call, InProcess, Transport as _, ed25519_public_pem};
use serde_json::{Value, json};

const TDS: &str = "/v1/trust-domains";

#[tokio::test]
async fn trust_domain_create_has_every_contract_field_with_defaults() {
    let mock = InProcess::new();
    let api = mock.session().await;
    let reply = api.post(TDS, json!({ "name": "example.org" })).await;
    assert_eq!(reply.status, 201, "{reply:#?}");
    let id = reply.id();
    assert_eq!(
        id, "td-0000000000000002",
        "ids are prefix + suffix (sak- took the first)"
    );
    assert_eq!(
        reply.body,
        json!({
            "id": id,
            "name": "example.org",
            "description": "",
            "self_hosted": true,
            "jwt_issuer": { "mode": "builtin", "url": format!("https://{id}.oidc.spirl.test") },
            "urls": {
                "agent_endpoint": "",
                "spiffe_bundle_endpoint": format!("https://{id}.bundle.spirl.test/"),
                "oidc_discovery_endpoint":
                    format!("https://{id}.oidc.spirl.test/.well-known/openid-configuration"),
                "jwks_endpoint": format!("https://{id}.oidc.spirl.test/keys"),
            },
            "created_at": "2026-11-21T08:00:00Z",
            "updated_at": "2026-11-21T08:00:00Z",
        })
    );
    assert!(reply.headers.get("x-request-id").is_some());
    let read = api.get(&format!("{TDS}/{id}")).await;
    assert_eq!((read.status, &read.body), (200, &reply.body));
}

#[tokio::test]
async fn trust_domain_not_self_hosted_has_an_agent_endpoint_and_custom_issuer_is_kept() {
    let mock = InProcess::new();
    let api = mock.session().await;
    let reply = api
        .post(
            TDS,
            json!({
                "name": "hosted.example",
                "description": "hosted by the control plane",
                "self_hosted": false,
                "jwt_issuer": { "mode": "custom", "url": "https://issuer.example.com/td" },
            }),
        )
        .await;
    assert_eq!(reply.status, 201, "{reply:#?}");
    let id = reply.id();
    assert_eq!(reply.body["self_hosted"], false);
    assert_eq!(reply.body["description"], "hosted by the control plane");
    assert_eq!(
        reply.body["urls"]["agent_endpoint"],
        format!("{id}.agents.spirl.test:443")
    );
    assert_eq!(
        reply.body["jwt_issuer"],
        json!({ "mode": "custom", "url": "https://issuer.example.com/td" })
    );
    let disabled = api
        .post(
            TDS,
            json!({ "name": "nojwt.example", "jwt_issuer": { "mode": "disabled" } }),
        )
        .await;
    assert_eq!(
        disabled.body["jwt_issuer"],
        json!({ "mode": "disabled", "url": "" })
    );
}

#[tokio::test]
async fn trust_domain_computed_urls_follow_the_base_domain() {
    let mock = InProcess::with(spirl_mock_api::MockConfig {
        base_domain: "control.example.net".into(),
        ..Default::default()
    });
    let api = mock.session().await;
    let reply = api.post(TDS, json!({ "name": "a.example" })).await;
    assert_eq!(
        reply.body["urls"]["spiffe_bundle_endpoint"],
        format!("https://{}.bundle.control.example.net/", reply.id())
    );
}

#[tokio::test]
async fn trust_domain_patch_updates_description_and_issuer_and_updated_at() {
    let mock = InProcess::new();
    let api = mock.session().await;
    let id = api.trust_domain("example.org").await;
    mock.clock.advance(Duration::from_secs(90));
    let path = format!("{TDS}/{id}");
    let reply = api
        .patch(&path, json!({ "description": "now described" }))
        .await;
    assert_eq!(reply.status, 200, "{reply:#?}");
    assert_eq!(reply.body["description"], "now described");
    assert_eq!(reply.body["created_at"], "2026-11-21T08:00:00Z");
    assert_eq!(reply.body["updated_at"], "2026-11-21T08:01:30Z");
    let reply = api
        .patch(
            &path,
            json!({ "jwt_issuer": { "mode": "custom", "url": "https://issuer.example.com" } }),
        )
        .await;
    assert_eq!(
        reply.body["jwt_issuer"]["url"],
        "https://issuer.example.com"
    );
    assert_eq!(
        reply.body["description"], "now described",
        "untouched field kept"
    );
    let reply = api
        .patch(&path, json!({ "jwt_issuer": { "mode": "builtin" } }))
        .await;
    assert_eq!(
        reply.body["jwt_issuer"]["url"],
        format!("https://{id}.oidc.spirl.test")
    );
    assert_eq!(api.get(&path).await.body, reply.body);
}

#[tokio::test]
async fn trust_domain_builtin_issuer_accepts_its_own_computed_url_back() {
    let mock = InProcess::new();
    let api = mock.session().await;
    let id = api.trust_domain("example.org").await;
    let reply = api
        .patch(
            &format!("{TDS}/{id}"),
            json!({ "jwt_issuer": { "mode": "builtin", "url": format!("https://{id}.oidc.spirl.test") } }),
        )
        .await;
    assert_eq!(reply.status, 200, "{reply:#?}");
}

#[tokio::test]
async fn trust_domain_delete_then_gone() {
    let mock = InProcess::new();
    let api = mock.session().await;
    let id = api.trust_domain("example.org").await;
    let path = format!("{TDS}/{id}");
    let reply = api.delete(&path).await;
    assert_eq!((reply.status, &reply.body), (204, &Value::Null));
    api.get(&path)
        .await
        .assert_error(404, "not_found", &format!("trust domain {id} not found"));
    api.delete(&path).await.assert_error(404, "not_found", &id);
    // The name is free again.
    assert_eq!(
        api.post(TDS, json!({ "name": "example.org" })).await.status,
        201
    );
}

#[tokio::test]
async fn trust_domain_name_taken_is_409_naming_the_existing_one() {
    let mock = InProcess::new();
    let api = mock.session().await;
    let id = api.trust_domain("example.org").await;
    api.post(TDS, json!({ "name": "example.org" }))
        .await
        .assert_error(409, "already_exists", &format!("already exists: {id}"));
}

#[tokio::test]
async fn trust_domain_delete_with_deployments_is_409_saying_how_many() {
    let mock = InProcess::new();
    let api = mock.session().await;
    let id = api.trust_domain("example.org").await;
    api.deployment(&id, "one").await;
    api.deployment(&id, "two").await;
    api.delete(&format!("{TDS}/{id}")).await.assert_error(
        409,
        "failed_precondition",
        "still has 2 deployments",
    );
}

#[tokio::test]
async fn trust_domain_list_pages_in_creation_order() {
    let mock = InProcess::new();
    let api = mock.session().await;
    let mut created = Vec::new();
    for n in 0..7 {
        created.push(api.trust_domain(&format!("td{n}.example")).await);
    }
    // A deletion between pages neither repeats nor skips the others.
    let mut seen = Vec::new();
    let mut token = String::new();
    let mut pages = 0;
    loop {
        let reply = api
            .get(&format!("{TDS}?page_size=3&page_token={token}"))
            .await;
        assert_eq!(reply.status, 200, "{reply:#?}");
        pages += 1;
        let items = reply.body["trust_domains"].as_array().expect("array");
        assert!(items.len() <= 3);
        seen.extend(
            items
                .iter()
                .map(|t| t["id"].as_str().expect("id").to_owned()),
        );
        if pages == 1 {
            assert_eq!(
                api.delete(&format!("{TDS}/{}", created[4])).await.status,
                204
            );
        }
        token = reply.body["next_page_token"]
            .as_str()
            .expect("next_page_token is a string")
            .to_owned();
        if token.is_empty() {
            break;
        }
    }
    created.remove(4);
    assert_eq!(seen, created);
    assert_eq!(pages, 2);
}

#[tokio::test]
async fn trust_domain_list_page_size_defaults_to_50_and_clamps_to_100() {
    let mock = InProcess::new();
    let api = mock.session().await;
    for n in 0..101 {
        api.trust_domain(&format!("td{n}.example")).await;
    }
    let count = |reply: &common::Reply| reply.body["trust_domains"].as_array().map(Vec::len);
    let default = api.get(TDS).await;
    assert_eq!(count(&default), Some(50));
    assert_ne!(default.body["next_page_token"], "");
    let clamped = api.get(&format!("{TDS}?page_size=1000")).await;
    assert_eq!(count(&clamped), Some(100));
    let token = clamped.body["next_page_token"].as_str().expect("token");
    let last = api
        .get(&format!("{TDS}?page_size=1000&page_token={token}"))
        .await;
    assert_eq!(count(&last), Some(1));
    assert_eq!(last.body["next_page_token"], "");
}

#[tokio::test]
async fn trust_domain_list_filters_by_exact_name() {
    let mock = InProcess::new();
    let api = mock.session().await;
    api.trust_domain("a.example").await;
    let id = api.trust_domain("b.example").await;
    let reply = api.get(&format!("{TDS}?name=b.example")).await;
    assert_eq!(
        reply.body["trust_domains"].as_array().map(Vec::len),
        Some(1)
    );
    assert_eq!(reply.body["trust_domains"][0]["id"], id.as_str());
    assert_eq!(reply.body["next_page_token"], "");
    let none = api.get(&format!("{TDS}?name=b.exampl")).await;
    assert_eq!(
        none.body,
        json!({ "trust_domains": [], "next_page_token": "" })
    );
}

#[tokio::test]
async fn trust_domain_list_bad_query_is_400() {
    let mock = InProcess::new();
    let api = mock.session().await;
    api.get(&format!("{TDS}?page_token=garbage"))
        .await
        .assert_error(400, "invalid_argument", "page_token `garbage` is not valid");
    api.get(&format!("{TDS}?page_size=-1")).await.assert_error(
        400,
        "invalid_argument",
        "page_size",
    );
    api.get(&format!("{TDS}?page_size=ten")).await.assert_error(
        400,
        "invalid_argument",
        "page_size",
    );
    api.get(&format!("{TDS}?colour=blue")).await.assert_error(
        400,
        "invalid_argument",
        "unknown field `colour`",
    );
}

#[tokio::test]
async fn deployment_lifecycle_with_keys() {
    let mock = InProcess::new();
    let api = mock.session().await;
    let td = api.trust_domain("example.org").await;
    let deployments = format!("{TDS}/{td}/deployments");
    let created = api.post(&deployments, json!({ "name": "prod" })).await;
    assert_eq!(created.status, 201, "{created:#?}");
    let dep = created.id();
    assert!(dep.starts_with("tdd-"), "{dep}");
    assert_eq!(
        created.body,
        json!({
            "id": dep, "trust_domain_id": td, "name": "prod",
            "created_at": "2026-11-21T08:00:00Z", "keys": [],
        })
    );
    let keys = format!("{deployments}/{dep}/keys");
    let pem = ed25519_public_pem(1);
    let key = api
        .post(&keys, json!({ "public_key": pem, "active": true }))
        .await;
    assert_eq!(key.status, 201, "{key:#?}");
    let key_id = key.id();
    assert!(key_id.starts_with("tdk-"), "{key_id}");
    assert_eq!(
        key.body,
        json!({ "id": key_id, "public_key": pem, "active": true, "created_at": "2026-11-21T08:00:00Z" })
    );
    let patched = api
        .patch(&format!("{keys}/{key_id}"), json!({ "active": false }))
        .await;
    assert_eq!(patched.status, 200, "{patched:#?}");
    assert_eq!(patched.body["active"], false);

    let one = api.get(&format!("{deployments}/{dep}")).await;
    assert_eq!(one.status, 200);
    assert_eq!(one.body["keys"], json!([patched.body]));
    let list = api.get(&deployments).await;
    assert_eq!(list.body, json!({ "deployments": [one.body] }));

    assert_eq!(api.delete(&format!("{keys}/{key_id}")).await.status, 204);
    api.patch(&format!("{keys}/{key_id}"), json!({ "active": true }))
        .await
        .assert_error(
            404,
            "not_found",
            &format!("key {key_id} not found in deployment {dep}"),
        );
    assert_eq!(
        api.delete(&format!("{deployments}/{dep}")).await.status,
        204
    );
    api.get(&format!("{deployments}/{dep}"))
        .await
        .assert_error(404, "not_found", &dep);
    assert_eq!(mock.state.stats().objects.deployments, 0);
}

#[tokio::test]
async fn deployment_list_filters_by_name_and_keeps_creation_order() {
    let mock = InProcess::new();
    let api = mock.session().await;
    let td = api.trust_domain("example.org").await;
    let a = api.deployment(&td, "zeta").await;
    let b = api.deployment(&td, "alpha").await;
    let all = api.get(&format!("{TDS}/{td}/deployments")).await;
    let ids: Vec<_> = all.body["deployments"]
        .as_array()
        .expect("array")
        .iter()
        .map(|d| d["id"].as_str().expect("id").to_owned())
        .collect();
    assert_eq!(ids, [a, b.clone()]);
    let one = api.get(&format!("{TDS}/{td}/deployments?name=alpha")).await;
    assert_eq!(one.body["deployments"].as_array().map(Vec::len), Some(1));
    assert_eq!(one.body["deployments"][0]["id"], b.as_str());
}

#[tokio::test]
async fn deployment_delete_with_keys_is_409_unless_forced() {
    let mock = InProcess::new();
    let api = mock.session().await;
    let td = api.trust_domain("example.org").await;
    let dep = api.deployment(&td, "prod").await;
    let path = format!("{TDS}/{td}/deployments/{dep}");
    for n in 1..=2 {
        let reply = api
            .post(
                &format!("{path}/keys"),
                json!({ "public_key": ed25519_public_pem(n), "active": true }),
            )
            .await;
        assert_eq!(reply.status, 201, "{reply:#?}");
    }
    api.delete(&path)
        .await
        .assert_error(409, "failed_precondition", "still has 2 keys");
    api.delete(&format!("{path}?force=false"))
        .await
        .assert_error(409, "failed_precondition", "force=true");
    api.delete(&format!("{path}?force=maybe"))
        .await
        .assert_error(400, "invalid_argument", "force");
    assert_eq!(mock.state.stats().objects.keys, 2);
    assert_eq!(api.delete(&format!("{path}?force=true")).await.status, 204);
    assert_eq!(mock.state.stats().objects.keys, 0);
    assert_eq!(api.delete(&format!("{TDS}/{td}")).await.status, 204);
}

#[tokio::test]
async fn deployment_name_taken_in_the_same_trust_domain_is_409_but_free_in_another() {
    let mock = InProcess::new();
    let api = mock.session().await;
    let td = api.trust_domain("a.example").await;
    let other = api.trust_domain("b.example").await;
    let dep = api.deployment(&td, "prod").await;
    api.post(
        &format!("{TDS}/{td}/deployments"),
        json!({ "name": "prod" }),
    )
    .await
    .assert_error(409, "already_exists", &format!("named `prod`: {dep}"));
    api.deployment(&other, "prod").await;
}

#[tokio::test]
async fn key_same_public_key_twice_in_a_deployment_is_409() {
    let mock = InProcess::new();
    let api = mock.session().await;
    let td = api.trust_domain("example.org").await;
    let dep = api.deployment(&td, "prod").await;
    let keys = format!("{TDS}/{td}/deployments/{dep}/keys");
    let pem = ed25519_public_pem(3);
    let first = api
        .post(&keys, json!({ "public_key": pem, "active": true }))
        .await;
    // The same key with other line endings is still the same key.
    let again = pem.replace('\n', "\r\n");
    api.post(&keys, json!({ "public_key": again, "active": false }))
        .await
        .assert_error(409, "already_exists", &first.id());
    // Another deployment may register it.
    let other = api.deployment(&td, "staging").await;
    let reply = api
        .post(
            &format!("{TDS}/{td}/deployments/{other}/keys"),
            json!({ "public_key": pem, "active": true }),
        )
        .await;
    assert_eq!(reply.status, 201, "{reply:#?}");
}

#[tokio::test]
async fn missing_parents_are_404_naming_the_parent() {
    let mock = InProcess::new();
    let api = mock.session().await;
    api.post(
        &format!("{TDS}/td-nope/deployments"),
        json!({ "name": "prod" }),
    )
    .await
    .assert_error(404, "not_found", "trust domain td-nope not found");
    api.get(&format!("{TDS}/td-nope/deployments"))
        .await
        .assert_error(404, "not_found", "td-nope");
    let td = api.trust_domain("example.org").await;
    api.post(
        &format!("{TDS}/{td}/deployments/tdd-nope/keys"),
        json!({ "public_key": ed25519_public_pem(1), "active": true }),
    )
    .await
    .assert_error(
        404,
        "not_found",
        &format!("deployment tdd-nope not found in trust domain {td}"),
    );
    // A deployment is only found under its own trust domain.
    let dep = api.deployment(&td, "prod").await;
    let other = api.trust_domain("other.example").await;
    api.get(&format!("{TDS}/{other}/deployments/{dep}"))
        .await
        .assert_error(
            404,
            "not_found",
            &format!("deployment {dep} not found in trust domain {other}"),
        );
}

#[tokio::test]
async fn unknown_route_is_404_json_with_request_id() {
    let mock = InProcess::new();
    for path in ["/v1/nothing-here", "/", "/v2/trust-domains"] {
        mock.call(Call {
            method: "GET",
            path,
            ..Call::default()
        })
        .await
        .assert_error(404, "not_found", &format!("no route for GET {path}"));
    }
}

#[tokio::test]
async fn wrong_method_is_405_json_with_request_id() {
    let mock = InProcess::new();
    let api = mock.session().await;
    api.send("PUT", TDS, Some(json!({}))).await.assert_error(
        405,
        "invalid_argument",
        "PUT is not allowed on /v1/trust-domains",
    );
}

#[tokio::test]
async fn request_ids_differ_per_request() {
    let mock = InProcess::new();
    let api = mock.session().await;
    let a = api.get(TDS).await;
    let b = api.get(TDS).await;
    let id = |r: &common::Reply| {
        r.headers["x-request-id"]
            .to_str()
            .expect("ascii")
            .to_owned()
    };
    assert_ne!(id(&a), id(&b));
    assert!(id(&a).starts_with("req-"));
}
