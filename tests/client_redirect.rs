//! Credentials never follow a redirect. `client_retry.rs` proves that a redirect of the first
//! (unauthenticated) login call is not followed; here the redirects come where a follower would
//! carry a secret: an authenticated call after a successful login (the bearer token) and the
//! session request (the login signature), with every redirect status. The redirect target is a
//! second listener that records whatever reaches it: it must see nothing at all.
#![allow(clippy::unwrap_used)]

mod client_support;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use client_support::{config_for, json_answer, mock_and_client, scripted_server};
use spirl_mock_api::MockConfig;
use terraform_provider_spirl::client::{ApiError, Client};

const CHALLENGE_ROUTE: &str = "POST /v1/auth/service-account/challenge";
const SESSION_ROUTE: &str = "POST /v1/auth/service-account/session";
/// The token the scripted server hands out; a follower would send it to the target.
const TOKEN: &str = "scripted-bearer-token-that-must-stay-home";

/// A server that lets anyone log in and answers the requests `redirect` picks with `status`
/// to the same path on `target`. Returns its address and the request heads it saw.
async fn redirecting_server(
    status: &'static str,
    target: SocketAddr,
    redirect: fn(&str) -> bool,
) -> (SocketAddr, Arc<Mutex<Vec<String>>>) {
    scripted_server(move |head| {
        let path = head.split_whitespace().nth(1).unwrap_or("/").to_owned();
        if redirect(head) {
            format!(
                "HTTP/1.1 {status}\r\nlocation: http://{target}{path}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
            )
        } else if head.starts_with(CHALLENGE_ROUTE) {
            let nonce = "A".repeat(43) + "=";
            json_answer(
                "200 OK",
                &format!(r#"{{"challenge_id":"ch-1","server_nonce":"{nonce}","expires_at":"2099-01-01T00:00:00Z"}}"#),
            )
        } else if head.starts_with(SESSION_ROUTE) {
            json_answer(
                "200 OK",
                &format!(r#"{{"token":"{TOKEN}","expires_at":"2099-01-01T00:00:00Z"}}"#),
            )
        } else {
            json_answer("500 Internal Server Error", "{}")
        }
    })
    .await
}

/// The first line of each recorded request head.
fn request_lines(seen: &Mutex<Vec<String>>) -> Vec<String> {
    seen.lock()
        .unwrap()
        .iter()
        .map(|head| head.lines().next().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test]
async fn client_redirect_of_an_authenticated_call_sends_the_target_nothing() {
    let (mock, _) = mock_and_client(MockConfig::default()).await;
    for status in [
        "301 Moved Permanently",
        "302 Found",
        "303 See Other",
        "307 Temporary Redirect",
        "308 Permanent Redirect",
    ] {
        let (target, reached) = scripted_server(|_| json_answer("200 OK", "{}")).await;
        let (front, seen) =
            redirecting_server(status, target, |head| head.contains("/v1/trust-domains")).await;
        let client = Client::new(&config_for(&format!("http://{front}"), &mock), "1.0.3").unwrap();
        let err = client
            .create_trust_domain(&client_support::trust_domain("example.org"))
            .await
            .unwrap_err();
        assert!(matches!(err, ApiError::Redirect(_)), "{status}: {err}");
        let message = err.to_string();
        assert!(
            message.contains(&format!("host `{}`", target.ip()))
                && message.contains("never followed"),
            "{status}: {message}"
        );
        assert!(!message.contains(TOKEN), "{status}: {message}");
        // The redirected call was the authenticated one: a follower would have sent the token.
        let heads = seen.lock().unwrap().clone();
        let create = heads
            .iter()
            .find(|h| h.starts_with("POST /v1/trust-domains "))
            .unwrap_or_else(|| panic!("{status}: {heads:?}"));
        assert!(
            create.to_ascii_lowercase().contains(&format!(
                "authorization: bearer {}",
                TOKEN.to_ascii_lowercase()
            )),
            "{status}: the redirected request carried the token"
        );
        assert_eq!(
            request_lines(&seen),
            [
                "POST /v1/auth/service-account/challenge HTTP/1.1",
                "POST /v1/auth/service-account/session HTTP/1.1",
                "POST /v1/trust-domains HTTP/1.1",
            ],
            "{status}: no retry, no second login"
        );
        assert!(
            reached.lock().unwrap().is_empty(),
            "{status}: the redirect target received {:?}",
            request_lines(&reached)
        );
    }
}

#[tokio::test]
async fn client_redirect_of_the_session_request_keeps_the_signature_home() {
    let (mock, _) = mock_and_client(MockConfig::default()).await;
    for status in ["307 Temporary Redirect", "308 Permanent Redirect"] {
        let (target, reached) = scripted_server(|_| json_answer("200 OK", "{}")).await;
        let (front, seen) =
            redirecting_server(status, target, |head| head.starts_with(SESSION_ROUTE)).await;
        let client = Client::new(&config_for(&format!("http://{front}"), &mock), "1.0.3").unwrap();
        let err = client.get_trust_domain("td-a").await.unwrap_err();
        assert!(matches!(err, ApiError::Redirect(_)), "{status}: {err}");
        assert_eq!(err.context().route, SESSION_ROUTE, "{status}");
        assert_eq!(
            request_lines(&seen),
            [
                "POST /v1/auth/service-account/challenge HTTP/1.1",
                "POST /v1/auth/service-account/session HTTP/1.1",
            ],
            "{status}: no retry, no call without a token"
        );
        assert!(
            reached.lock().unwrap().is_empty(),
            "{status}: the redirect target received {:?}",
            request_lines(&reached)
        );
    }
}
