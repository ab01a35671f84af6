//! Every validation rule, each refused with 400 `invalid_argument` and a message that names the
//! field and says what is wrong. In process.

mod common;

use common::{
    Call, EC_PUBLIC_PEM, ED25519_PRIVATE_PEM, InProcess, RSA_PUBLIC_PEM, Session, Transport as _,
    X25519_PUBLIC_PEM, ed25519_public_pem,
};
use serde_json::{Value, json};

const TDS: &str = "/v1/trust-domains";

async fn refused(api: &Session<&InProcess>, path: &str, body: Value, needle: &str) {
    api.post(path, body)
        .await
        .assert_error(400, "invalid_argument", needle);
}

#[tokio::test]
async fn trust_domain_name_rules() {
    let mock = InProcess::new();
    let api = mock.session().await;
    let cases = [
        (String::new(), "name must not be empty"),
        (
            "a".repeat(256),
            "name is 256 characters long; a trust domain name has at most 255",
        ),
        ("Example.org".into(), "contains 'E' at position 1"),
        ("exa mple.org".into(), "contains ' ' at position 4"),
        ("example.org/path".into(), "contains '/' at position 12"),
        (".example.org".into(), "must not start or end with '.'"),
        ("example.org.".into(), "must not start or end with '.'"),
        ("example..org".into(), "has an empty label ('..')"),
        ("spiffe://example.org".into(), "without `spiffe://`"),
    ];
    for (name, needle) in cases {
        refused(&api, TDS, json!({ "name": name }), needle).await;
    }
    for good in ["a", "td_1-x.example.org", &"a".repeat(255)] {
        assert_eq!(
            api.post(TDS, json!({ "name": good })).await.status,
            201,
            "{good}"
        );
    }
}

#[tokio::test]
async fn deployment_name_rules() {
    let mock = InProcess::new();
    let api = mock.session().await;
    let td = api.trust_domain("example.org").await;
    let path = format!("{TDS}/{td}/deployments");
    let cases = [
        (String::new(), "name must not be empty"),
        (
            "a".repeat(64),
            "name is 64 characters long; a deployment name has at most 63",
        ),
        ("Prod".into(), "contains 'P' at position 1"),
        ("prod_1".into(), "contains '_' at position 5"),
        ("prod.1".into(), "contains '.' at position 5"),
        ("1prod".into(), "must start with a lowercase letter"),
        ("-prod".into(), "must start with a lowercase letter"),
        ("prod-".into(), "must not end with '-'"),
    ];
    for (name, needle) in cases {
        refused(&api, &path, json!({ "name": name }), needle).await;
    }
    for good in ["a", "prod-1", &"a".repeat(63)] {
        assert_eq!(
            api.post(&path, json!({ "name": good })).await.status,
            201,
            "{good}"
        );
    }
}

#[tokio::test]
async fn description_is_at_most_1024_characters() {
    let mock = InProcess::new();
    let api = mock.session().await;
    refused(
        &api,
        TDS,
        json!({ "name": "a.example", "description": "é".repeat(1025) }),
        "description is 1025 characters long; at most 1024 are allowed",
    )
    .await;
    let id = api.trust_domain("b.example").await;
    api.patch(
        &format!("{TDS}/{id}"),
        json!({ "description": "x".repeat(1025) }),
    )
    .await
    .assert_error(
        400,
        "invalid_argument",
        "description is 1025 characters long",
    );
    let reply = api
        .post(
            TDS,
            json!({ "name": "c.example", "description": "é".repeat(1024) }),
        )
        .await;
    assert_eq!(reply.status, 201, "{reply:#?}");
}

#[tokio::test]
async fn jwt_issuer_rules() {
    let mock = InProcess::new();
    let api = mock.session().await;
    let cases = [
        (
            json!({ "mode": "custom" }),
            "jwt_issuer.url is required when jwt_issuer.mode is custom",
        ),
        (
            json!({ "mode": "custom", "url": "" }),
            "jwt_issuer.url is required",
        ),
        (
            json!({ "mode": "custom", "url": "http://issuer.example" }),
            "must be an https:// URL",
        ),
        (
            json!({ "mode": "custom", "url": "https://" }),
            "has no host",
        ),
        (
            json!({ "mode": "disabled", "url": "https://x.example" }),
            "must be empty when jwt_issuer.mode is disabled",
        ),
        (
            json!({ "mode": "builtin", "url": "https://x.example" }),
            "must be empty when jwt_issuer.mode is builtin",
        ),
        (
            json!({ "mode": "external" }),
            "unknown variant `external`, expected one of `builtin`, `custom`, `disabled`",
        ),
        (
            json!({ "url": "https://x.example" }),
            "missing field `mode`",
        ),
    ];
    for (issuer, needle) in cases {
        refused(
            &api,
            TDS,
            json!({ "name": "a.example", "jwt_issuer": issuer }),
            needle,
        )
        .await;
    }
}

#[tokio::test]
async fn trust_domain_patch_refuses_immutable_and_unknown_fields() {
    let mock = InProcess::new();
    let api = mock.session().await;
    let id = api.trust_domain("example.org").await;
    let path = format!("{TDS}/{id}");
    api.patch(&path, json!({ "name": "other.example" }))
        .await
        .assert_error(
            400,
            "invalid_argument",
            "name cannot be changed after a trust domain is created",
        );
    api.patch(&path, json!({ "self_hosted": false }))
        .await
        .assert_error(400, "invalid_argument", "self_hosted cannot be changed");
    api.patch(&path, json!({ "id": "td-other" }))
        .await
        .assert_error(400, "invalid_argument", "unknown field `id`");
    assert_eq!(api.get(&path).await.body["name"], "example.org");
}

#[tokio::test]
async fn public_key_must_be_a_lone_ed25519_spki_pem() {
    let mock = InProcess::new();
    let api = mock.session().await;
    let td = api.trust_domain("example.org").await;
    let dep = api.deployment(&td, "prod").await;
    let keys = format!("{TDS}/{td}/deployments/{dep}/keys");
    let good = ed25519_public_pem(9);
    let body = good
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect::<String>();
    let cases = [
        (
            RSA_PUBLIC_PEM.to_owned(),
            "public_key is an RSA key (algorithm OID 1.2.840.113549.1.1.1); only ed25519 keys are accepted",
        ),
        (EC_PUBLIC_PEM.to_owned(), "public_key is an EC (ECDSA) key"),
        (X25519_PUBLIC_PEM.to_owned(), "public_key is an X25519 key"),
        (
            ED25519_PRIVATE_PEM.to_owned(),
            "public_key is a private key (`-----BEGIN PRIVATE KEY-----`); send only the public key",
        ),
        (
            ED25519_PRIVATE_PEM.replace("PRIVATE KEY", "ENCRYPTED PRIVATE KEY"),
            "public_key is a private key (`-----BEGIN ENCRYPTED PRIVATE KEY-----`)",
        ),
        (
            ED25519_PRIVATE_PEM.replace("PRIVATE KEY", "OPENSSH PRIVATE KEY"),
            "public_key is a private key",
        ),
        (
            RSA_PUBLIC_PEM.replace("PUBLIC KEY", "RSA PUBLIC KEY"),
            "public_key is an RSA public key (PKCS#1)",
        ),
        (
            good.replace("PUBLIC KEY", "CERTIFICATE"),
            "public_key is a certificate",
        ),
        (
            good.replace("PUBLIC KEY", "SOMETHING"),
            "public_key has PEM label `SOMETHING`",
        ),
        (
            "not a key at all".into(),
            "public_key is not PEM: it has no `-----BEGIN …-----` line",
        ),
        (body.clone(), "public_key is not PEM"),
        (String::new(), "public_key is empty"),
        (
            format!("{good}trailing garbage"),
            "public_key has trailing data after its PEM block",
        ),
        (
            format!("{good}{good}"),
            "public_key has trailing data after its PEM block",
        ),
        (
            format!("hello\n{good}"),
            "public_key has text before its PEM block",
        ),
        (
            good.replace("-----END PUBLIC KEY-----", ""),
            "has no `-----END PUBLIC KEY-----` line",
        ),
        (
            good.replace(&body, "!!!not-base64!!!"),
            "the body of the PEM block is not valid base64",
        ),
        (
            "-----BEGIN PUBLIC KEY-----\naGVsbG8=\n-----END PUBLIC KEY-----\n".to_owned(),
            "does not hold a DER SubjectPublicKeyInfo",
        ),
    ];
    for (pem, needle) in cases {
        refused(
            &api,
            &keys,
            json!({ "public_key": pem, "active": true }),
            needle,
        )
        .await;
    }
    assert_eq!(mock.state.stats().objects.keys, 0);
    let reply = api
        .post(&keys, json!({ "public_key": good, "active": true }))
        .await;
    assert_eq!(reply.status, 201, "{reply:#?}");
    // Surrounding whitespace is no reason to refuse.
    let reply = api
        .post(
            &keys,
            json!({ "public_key": format!("\n  {}  \n", ed25519_public_pem(10)), "active": true }),
        )
        .await;
    assert_eq!(reply.status, 201, "{reply:#?}");
}

#[tokio::test]
async fn key_fields_are_required_and_typed() {
    let mock = InProcess::new();
    let api = mock.session().await;
    let td = api.trust_domain("example.org").await;
    let dep = api.deployment(&td, "prod").await;
    let keys = format!("{TDS}/{td}/deployments/{dep}/keys");
    refused(
        &api,
        &keys,
        json!({ "public_key": ed25519_public_pem(1) }),
        "missing field `active`",
    )
    .await;
    refused(
        &api,
        &keys,
        json!({ "public_key": ed25519_public_pem(1), "active": "yes" }),
        "field `active`: invalid type: string \"yes\", expected a boolean",
    )
    .await;
    refused(
        &api,
        &keys,
        json!({ "public_key": 12, "active": true }),
        "field `public_key`: invalid type: integer `12`",
    )
    .await;
    let key = api
        .post(
            &keys,
            json!({ "public_key": ed25519_public_pem(1), "active": true }),
        )
        .await
        .id();
    api.patch(&format!("{keys}/{key}"), json!({ "active": 1 }))
        .await
        .assert_error(
            400,
            "invalid_argument",
            "field `active`: invalid type: integer `1`, expected a boolean",
        );
    api.patch(&format!("{keys}/{key}"), json!({}))
        .await
        .assert_error(400, "invalid_argument", "missing field `active`");
}

#[tokio::test]
async fn trust_domain_fields_are_typed_and_unknown_fields_refused() {
    let mock = InProcess::new();
    let api = mock.session().await;
    refused(
        &api,
        TDS,
        json!({ "name": "a.example", "self_hosted": "no" }),
        "field `self_hosted`: invalid type",
    )
    .await;
    refused(
        &api,
        TDS,
        json!({ "name": 5 }),
        "field `name`: invalid type: integer `5`, expected a string",
    )
    .await;
    refused(&api, TDS, json!({}), "missing field `name`").await;
    refused(
        &api,
        TDS,
        json!(["a.example", null, null, null]),
        "must be a JSON object",
    )
    .await;
    refused(&api, TDS, json!("a.example"), "must be a JSON object").await;
    refused(
        &api,
        TDS,
        json!({ "name": "a.example", "colour": "blue" }),
        "unknown field `colour`",
    )
    .await;
    refused(
        &api,
        TDS,
        json!({ "name": "a.example", "jwt_issuer": { "mode": "builtin", "extra": 1 } }),
        "field `jwt_issuer.extra`: unknown field `extra`",
    )
    .await;
}

async fn raw_post(
    api: &Session<&InProcess>,
    content_type: Option<&str>,
    body: Vec<u8>,
) -> common::Reply {
    api.transport
        .call(Call {
            method: "POST",
            path: TDS,
            token: Some(&api.token),
            raw: Some((content_type, body)),
            ..Call::default()
        })
        .await
}

#[tokio::test]
async fn malformed_bodies_are_400_never_413_415_422_or_500() {
    let mock = InProcess::new();
    let api = mock.session().await;
    let json_type = Some("application/json");
    raw_post(&api, json_type, b"{\"name\": ".to_vec())
        .await
        .assert_error(
            400,
            "invalid_argument",
            "request body is not valid JSON: EOF while parsing",
        );
    raw_post(&api, json_type, b"{'name': 'a'}".to_vec())
        .await
        .assert_error(400, "invalid_argument", "request body is not valid JSON");
    raw_post(&api, json_type, Vec::new()).await.assert_error(
        400,
        "invalid_argument",
        "request body is not valid JSON",
    );
    raw_post(&api, json_type, vec![0xff, 0xfe, 0x00])
        .await
        .assert_error(400, "invalid_argument", "request body is not valid JSON");
    raw_post(&api, None, b"{\"name\":\"a.example\"}".to_vec())
        .await
        .assert_error(
            400,
            "invalid_argument",
            "missing Content-Type; send `Content-Type: application/json`",
        );
    raw_post(
        &api,
        Some("text/plain"),
        b"{\"name\":\"a.example\"}".to_vec(),
    )
    .await
    .assert_error(
        400,
        "invalid_argument",
        "Content-Type `text/plain` is not accepted",
    );
    let mut big = b"{\"name\":\"a.example\",\"description\":\"".to_vec();
    big.resize(spirl_mock_api::MAX_BODY_BYTES + 1, b'x');
    raw_post(&api, json_type, big).await.assert_error(
        400,
        "invalid_argument",
        "request body is larger than 1 MiB",
    );
    // A parameter on the media type is fine.
    let reply = raw_post(
        &api,
        Some("application/json; charset=utf-8"),
        b"{\"name\":\"a.example\"}".to_vec(),
    )
    .await;
    assert_eq!(reply.status, 201, "{reply:#?}");
    assert_eq!(mock.state.stats().objects.trust_domains, 1);
}

#[tokio::test]
async fn idempotency_key_must_be_printable_ascii() {
    let mock = InProcess::new();
    let api = mock.session().await;
    for key in ["", "has space", &"k".repeat(256)] {
        api.post_idempotent(TDS, key, json!({ "name": "a.example" }))
            .await
            .assert_error(
                400,
                "invalid_argument",
                "Idempotency-Key must be 1 to 255 printable ASCII characters",
            );
    }
}
