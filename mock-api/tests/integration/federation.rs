//! Federation links: SetLink upserts by foreign name, refusals, delete, and links going with
//! their trust domain.

use crate::common::{Api, assert_status, channel};
use spirl_api_proto::federation::api_client::ApiClient;
use spirl_api_proto::federation::*;
use spirl_mock_api::{MockOptions, spawn};
use tonic::Code;

fn link(foreign: &str, url: &str) -> Option<Link> {
    Some(Link {
        trust_domain_name: foreign.to_owned(),
        endpoint: Some(Endpoint {
            url: url.to_owned(),
            profile: Some(endpoint::Profile::HttpsWeb(HttpsWebProfile {})),
        }),
    })
}

#[tokio::test]
async fn federation_links_upsert_refuse_delete_and_go_with_their_trust_domain() {
    let mock = spawn(MockOptions::default()).await.expect("mock");
    let api = Api::of(&mock).await;
    let links = ApiClient::new(channel(&mock.endpoint).await);
    let td = api.register("home.example").await.expect("td");
    let set = |foreign: &str, url: &str| {
        let request = api.req(SetLinkRequest {
            trust_domain_id: td.clone(),
            link: link(foreign, url),
        });
        let mut links = links.clone();
        async move { links.set_link(request).await.map(|r| r.into_inner().id) }
    };
    let id = set("partner.example", "https://bundle.partner.example/")
        .await
        .expect("create");
    assert!(id.starts_with("fl-"), "{id}");
    let again = set("partner.example", "https://bundle2.partner.example/")
        .await
        .expect("update");
    assert_eq!(again, id, "an upsert keeps the id");
    let listed = links
        .clone()
        .list_links(api.req(ListLinksRequest {
            trust_domain_id: td.clone(),
        }))
        .await
        .expect("list")
        .into_inner()
        .link_statuses;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].trust_domain_name, "home.example");
    let url = listed[0]
        .link
        .as_ref()
        .and_then(|l| l.endpoint.as_ref())
        .map(|e| e.url.as_str());
    assert_eq!(url, Some("https://bundle2.partner.example/"));

    for (foreign, url, needle) in [
        ("home.example", "https://x.example/", "itself"),
        ("Partner.Example", "https://x.example/", "trust_domain_name"),
        ("other.example", "http://x.example/", "https://"),
        (
            "other.example",
            "https://user@x.example/",
            "user information",
        ),
        ("other.example", "https:// x.example/", "whitespace"),
    ] {
        assert_status(set(foreign, url).await, Code::InvalidArgument, &[needle]);
    }
    let request = api.req(SetLinkRequest {
        trust_domain_id: "td-unknown".into(),
        link: link("other.example", "https://x.example/"),
    });
    assert_status(
        links.clone().set_link(request).await,
        Code::NotFound,
        &["td-unknown"],
    );

    let delete = |foreign: &str| {
        let request = api.req(DeleteLinkRequest {
            trust_domain_id: td.clone(),
            foreign_trust_domain_name: foreign.to_owned(),
        });
        let mut links = links.clone();
        async move { links.delete_link(request).await }
    };
    assert_status(
        delete("nobody.example").await,
        Code::NotFound,
        &["nobody.example"],
    );
    delete("partner.example").await.expect("delete");
    assert_eq!(mock.stats().objects.federation_links, 0);

    set("partner.example", "https://bundle.partner.example/")
        .await
        .expect("again");
    let request = api.req(spirl_api_proto::trustdomain::DeleteTrustDomainRequest {
        trust_domain_id: td.clone(),
    });
    api.c()
        .delete_trust_domain(request)
        .await
        .expect("delete td");
    assert_eq!(mock.stats().objects.federation_links, 0, "links go with it");
}
