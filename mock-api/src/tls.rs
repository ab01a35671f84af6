//! The certificate a mock serves TLS with (`--tls`): a throw-away CA made at start, and a server
//! certificate it signs for `localhost`, `127.0.0.1`, `::1` and the listen address. Clients trust
//! the CA's PEM, which the credentials carry as `ca_cert_pem`. ALPN offers `h2` only.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::Arc;

use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

use crate::error::MockError;

/// A CA and the rustls configuration of a server whose certificate it signed.
pub(crate) struct TlsMaterial {
    /// The CA certificate clients trust, PEM.
    pub ca_cert_pem: String,
    /// The server side, with ALPN `h2`.
    pub server_config: Arc<rustls::ServerConfig>,
    /// The IP addresses the server certificate names (loopback ones included).
    pub ips: Vec<IpAddr>,
}

impl TlsMaterial {
    /// A fresh CA and server certificate naming `localhost`, the loopback addresses and `ips`.
    pub fn new(mut ips: Vec<IpAddr>) -> Result<TlsMaterial, MockError> {
        let tls = |e: rcgen::Error| MockError::Tls(e.to_string());
        for loopback in [
            IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V6(Ipv6Addr::LOCALHOST),
        ] {
            if !ips.contains(&loopback) {
                ips.push(loopback);
            }
        }
        let ca_key = rcgen::KeyPair::generate().map_err(tls)?;
        let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).map_err(tls)?;
        ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "spirl-mock-api CA (test only)");
        let ca_cert = ca_params.self_signed(&ca_key).map_err(tls)?;
        let issuer = rcgen::Issuer::new(ca_params, ca_key);

        let mut names = vec!["localhost".to_owned()];
        names.extend(ips.iter().map(IpAddr::to_string));
        let server_key = rcgen::KeyPair::generate().map_err(tls)?;
        let mut server_params = rcgen::CertificateParams::new(names).map_err(tls)?;
        server_params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "spirl-mock-api (test only)");
        let server_cert = server_params.signed_by(&server_key, &issuer).map_err(tls)?;

        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| MockError::Tls(e.to_string()))?
            .with_no_client_auth()
            .with_single_cert(
                vec![
                    CertificateDer::from(server_cert.der().to_vec()),
                    CertificateDer::from(ca_cert.der().to_vec()),
                ],
                PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(server_key.serialize_der())),
            )
            .map_err(|e| MockError::Tls(e.to_string()))?;
        config.alpn_protocols = vec![b"h2".to_vec()];
        Ok(TlsMaterial {
            ca_cert_pem: certificate_pem(ca_cert.der()),
            server_config: Arc::new(config),
            ips,
        })
    }
}

/// A DER certificate as PEM (rcgen's own PEM output needs a feature the workspace leaves off).
fn certificate_pem(der: &[u8]) -> String {
    use base64::Engine as _;
    let body = base64::engine::general_purpose::STANDARD.encode(der);
    let mut pem = String::from("-----BEGIN CERTIFICATE-----\n");
    for line in body.as_bytes().chunks(64) {
        pem.push_str(&String::from_utf8_lossy(line));
        pem.push('\n');
    }
    pem.push_str("-----END CERTIFICATE-----\n");
    pem
}
