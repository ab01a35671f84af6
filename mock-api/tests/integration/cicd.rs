//! CI/CD profiles at the wire: an issuer is optional (the SDK: "If unset, a default value will
//! be provided"), a given one is judged, and the JWKS URL follows the issuer.

use crate::common::{Api, assert_status, channel};
use spirl_api_proto::cicd::api_client::ApiClient as CicdClient;
use spirl_api_proto::cicd::*;
use spirl_mock_api::assumptions::{DEFAULT_JWKS_PATH, default_cicd_issuer};
use spirl_mock_api::{MockOptions, spawn};
use tonic::Code;

fn create(name: &str, issuer: &str, jwks_url: &str) -> CreateCicdProfileRequest {
    CreateCicdProfileRequest {
        name: name.to_owned(),
        issuer: issuer.to_owned(),
        jwks_url: jwks_url.to_owned(),
    }
}

#[tokio::test]
async fn cicd_profile_without_issuer_gets_the_default_and_a_given_one_is_judged() {
    let mock = spawn(MockOptions::default()).await.expect("mock");
    let api = Api::of(&mock).await;
    let mut cicd = CicdClient::new(channel(&mock.endpoint).await);

    // Unset, as the SDK sends an issuer nobody set: the default, and its JWKS URL.
    let defaulted = cicd
        .create_cicd_profile(api.req(create("defaulted", "", "")))
        .await
        .expect("a profile without an issuer")
        .into_inner()
        .profile
        .expect("profile");
    assert_eq!(defaulted.issuer, "https://gitlab.com");
    assert_eq!(defaulted.issuer, default_cicd_issuer());
    assert_eq!(
        defaulted.jwks_url,
        format!("https://gitlab.com{DEFAULT_JWKS_PATH}")
    );
    // A JWKS URL of its own is kept, the issuer still defaulted.
    let own_jwks = cicd
        .create_cicd_profile(api.req(create("own-jwks", "", "https://keys.example.com/jwks")))
        .await
        .expect("a profile with only a JWKS URL")
        .into_inner()
        .profile
        .expect("profile");
    assert_eq!(own_jwks.issuer, default_cicd_issuer());
    assert_eq!(own_jwks.jwks_url, "https://keys.example.com/jwks");
    // A given issuer is kept as given.
    let github = cicd
        .create_cicd_profile(api.req(create(
            "github",
            "https://token.actions.githubusercontent.com",
            "",
        )))
        .await
        .expect("a profile with an issuer")
        .into_inner()
        .profile
        .expect("profile");
    assert_eq!(github.issuer, "https://token.actions.githubusercontent.com");

    // What is read back is what was answered.
    let listed = cicd
        .list_cicd_profiles(api.req(ListCicdProfilesRequest {}))
        .await
        .expect("list")
        .into_inner()
        .profiles;
    let by_name = |name: &str| listed.iter().find(|p| p.name == name).cloned();
    assert_eq!(by_name("defaulted"), Some(defaulted));
    assert_eq!(by_name("own-jwks"), Some(own_jwks));
    assert_eq!(by_name("github"), Some(github));

    // Given, an issuer must be an https URL: refused naming the field, nothing created.
    for bad in ["http://gitlab.example.com", "gitlab.com", "https://", " "] {
        assert_status(
            cicd.create_cicd_profile(api.req(create("bad", bad, "")))
                .await,
            Code::InvalidArgument,
            &["issuer"],
        );
    }
    assert_eq!(
        mock.stats().objects.cicd_profiles,
        3,
        "nothing more created"
    );
}
