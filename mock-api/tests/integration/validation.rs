//! Every refusal names its field and carries the code the real API gives.

use crate::common::{Api, assert_status, key_der};
use ed25519_dalek::pkcs8::EncodePublicKey as _;
use spirl_api_proto::trustdomain::*;
use spirl_mock_api::{MockOptions, spawn};
use tonic::Code;

#[tokio::test]
async fn validation_trust_domain_fields() {
    let mock = spawn(MockOptions::default()).await.expect("mock");
    let api = Api::of(&mock).await;
    let register = async |name: &str, description: &str, jwt: Option<JwtIssuerConfig>| {
        api.register_with(name, description, jwt).await
    };
    for bad in [
        "",
        "Upper.example",
        "spiffe://a.example",
        "sp ace",
        &"a".repeat(256),
    ] {
        assert_status(
            register(bad, "", None).await,
            Code::InvalidArgument,
            &["name"],
        );
    }
    // The SPIFFE spec's character set includes '.', with no rule on where it stands.
    for good in ["a..b", ".a", "b."] {
        register(good, "", None).await.expect(good);
    }
    assert_status(
        register("d.example", &"x".repeat(1025), None).await,
        Code::InvalidArgument,
        &["description", "1024"],
    );
    assert_status(
        register("d.example", "nul\0", None).await,
        Code::InvalidArgument,
        &["description"],
    );
    for bad in [
        "http://i.example",
        "ftp://i.example",
        "https://",
        "https://u@i.example",
        "not a url",
    ] {
        let jwt = Some(JwtIssuerConfig {
            set: true,
            issuer: bad.to_owned(),
        });
        assert_status(
            register("d.example", "", jwt).await,
            Code::InvalidArgument,
            &["jwt_issuer.issuer"],
        );
    }
    assert_status(api.create("BAD").await, Code::InvalidArgument, &["name"]);
    for (id, code) in [("", Code::InvalidArgument), ("td-nope", Code::NotFound)] {
        assert_status(api.info(id).await, code, &["trust_domain_id"]);
    }
    assert_eq!(
        mock.stats().objects.trust_domains,
        3,
        "only the three dotted names were created"
    );
}

#[tokio::test]
async fn validation_key_fields() {
    let mock = spawn(MockOptions::default()).await.expect("mock");
    let api = Api::of(&mock).await;
    let td = api.register("v.example").await.expect("td");
    // Deployment names are required and bounded, nothing more (no DNS-label rule).
    for bad in ["", &"a".repeat(256)] {
        assert_status(
            api.add_key(&td, bad, key_der(1)).await,
            Code::InvalidArgument,
            &["deployment_name"],
        );
    }
    for (n, good) in ["Prod", "1prod", "prod-", "pr_od", &"a".repeat(255)]
        .into_iter()
        .enumerate()
    {
        api.add_key(&td, good, key_der(100 + n as u8))
            .await
            .unwrap_or_else(|e| panic!("{good}: {e:?}"));
    }
    let key = ed25519_dalek::SigningKey::from_bytes(&[1; 32]).verifying_key();
    let pem = key
        .to_public_key_pem(Default::default())
        .expect("pem")
        .into_bytes();
    let mut trailing = key_der(1);
    trailing.extend_from_slice(b"\0\0");
    let rsa_like = {
        // An SPKI with the rsaEncryption OID: the key itself does not matter.
        let mut der = vec![0x30, 0x11, 0x30, 0x0d, 0x06, 0x09];
        der.extend_from_slice(&[
            0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00,
        ]);
        der.extend_from_slice(&[0x03, 0x00]);
        der[1] = (der.len() - 2) as u8;
        der
    };
    for bad in [
        Vec::new(),
        pem,
        trailing,
        rsa_like,
        b"garbage".to_vec(),
        key_der(1)[..20].to_vec(),
    ] {
        assert_status(
            api.add_key(&td, "prod", bad).await,
            Code::InvalidArgument,
            &["pkix_pubkey"],
        );
    }
    let no_key = api
        .c()
        .create_trust_domain_key(api.req(CreateTrustDomainKeyRequest {
            trust_domain_id: td.clone(),
            deployment_name: "prod".into(),
            pubkey: None,
        }))
        .await;
    assert_status(no_key, Code::InvalidArgument, &["pkix_pubkey"]);
    assert_status(
        api.add_key("", "prod", key_der(1)).await,
        Code::InvalidArgument,
        &["trust_domain_id"],
    );
    assert_status(
        api.add_key("td-nope", "prod", key_der(1)).await,
        Code::NotFound,
        &["trust_domain_id", "td-nope"],
    );
    assert_eq!(
        mock.stats().objects.keys,
        5,
        "only the five good names made keys"
    );
    let delete = api
        .c()
        .delete_trust_domain_key(api.req(DeleteTrustDomainKeyRequest {
            trust_domain_id: td.clone(),
            trust_domain_key_id: String::new(),
            force: true,
        }))
        .await;
    assert_status(delete, Code::InvalidArgument, &["trust_domain_key_id"]);
    let delete = api
        .c()
        .delete_trust_domain_deployment(api.req(DeleteTrustDomainDeploymentRequest {
            deployment_name: String::new(),
            trust_domain_id: td,
            force: true,
        }))
        .await;
    assert_status(delete, Code::InvalidArgument, &["deployment_name"]);
}
