//! Which servers a client trusts, and how a refusal is told. botocore's order: a CA bundle given
//! to the client (`Client(ca_bundle=...)`), then `AWS_CA_BUNDLE`, then the profile's `ca_bundle`;
//! without one, the system's store (with `SSL_CERT_FILE`, as rustls-native-certs reads it). A
//! bundle replaces the system store, as `verify=path` does in botocore, so rolekit and the boto3
//! sessions it hands out trust the same servers.
//!
//! A certificate the client refuses (unknown issuer, expired, another name) is its own error,
//! never retried: the message names the problem and the settings that add a CA.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// Where the trusted certificates come from.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Trust {
    /// A PEM bundle and the setting that named it; `None`: the system's store.
    pub bundle: Option<(PathBuf, &'static str)>,
}

/// The setting each source is, for messages.
pub const FROM_ARGUMENT: &str = "the ca_bundle argument";
pub const FROM_ENV: &str = "AWS_CA_BUNDLE";
pub const FROM_PROFILE: &str = "the profile's ca_bundle";

/// How to add a CA, said after every refusal.
pub const HINT: &str = "If a proxy or firewall inspects TLS, or the endpoint has a private CA, give its CA \
                        certificate: AWS_CA_BUNDLE=/path/to/ca.pem, ca_bundle = /path/to/ca.pem in the profile, \
                        or Client(ca_bundle=...)";

impl Trust {
    /// botocore's order: the argument, `AWS_CA_BUNDLE`, the profile's `ca_bundle`, the system.
    pub fn resolve(argument: Option<&Path>, env: Option<&str>, profile: Option<&str>) -> Self {
        let bundle = argument
            .map(|p| (p.to_path_buf(), FROM_ARGUMENT))
            .or_else(|| env.filter(|v| !v.is_empty()).map(|v| (PathBuf::from(v), FROM_ENV)))
            .or_else(|| {
                profile
                    .filter(|v| !v.is_empty())
                    .map(|v| (PathBuf::from(v), FROM_PROFILE))
            });
        Self { bundle }
    }

    /// The bundle's path, if one is used.
    pub fn path(&self) -> Option<&Path> {
        self.bundle.as_ref().map(|(p, _)| p.as_path())
    }

    /// What this client trusts, in words.
    pub fn describe(&self) -> String {
        match &self.bundle {
            Some((path, from)) => format!("the CA bundle {} (from {from})", path.display()),
            None => "the system's trusted certificates".into(),
        }
    }

    /// The TLS configuration, built once per bundle (a bundle that failed to load is read again
    /// next time, so a fixed file is picked up).
    pub fn config(&self) -> Result<Arc<rustls::ClientConfig>, String> {
        static BUILT: Mutex<Option<HashMap<Option<PathBuf>, Arc<rustls::ClientConfig>>>> = Mutex::new(None);
        let key = self.path().map(Path::to_path_buf);
        let mut built = BUILT.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(config) = built.as_ref().and_then(|m| m.get(&key)) {
            return Ok(config.clone());
        }
        let config = Arc::new(self.build()?);
        built.get_or_insert_with(HashMap::new).insert(key, config.clone());
        Ok(config)
    }

    fn build(&self) -> Result<rustls::ClientConfig, String> {
        let mut roots = rustls::RootCertStore::empty();
        if let Some((path, from)) = &self.bundle {
            use rustls::pki_types::pem::PemObject;
            {
                let bytes = std::fs::read(path)
                    .map_err(|e| format!("the CA bundle {} (from {from}) cannot be read: {e}", path.display()))?;
                let certs: Vec<_> = rustls::pki_types::CertificateDer::pem_slice_iter(&bytes)
                    .filter_map(Result::ok)
                    .collect();
                let (added, _) = roots.add_parsable_certificates(certs);
                if added == 0 {
                    return Err(format!(
                        "the CA bundle {} (from {from}) holds no usable PEM certificate",
                        path.display()
                    ));
                }
            }
        } else {
            {
                let found = rustls_native_certs::load_native_certs();
                let (_added, _ignored) = roots.add_parsable_certificates(found.certs);
                if roots.is_empty() {
                    let why = found.errors.first().map_or_else(String::new, |e| format!(": {e}"));
                    return Err(format!("no trusted root certificates found on this system{why}"));
                }
            }
        }
        let mut config =
            rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
                .with_safe_default_protocol_versions()
                .map_err(|e| format!("TLS setup failed: {e}"))?
                .with_root_certificates(roots)
                .with_no_client_auth();
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(config)
    }
}

/// A refused TLS handshake, kept as the source of the connector's error so that every layer
/// can tell it from a network failure (it is not retried).
#[derive(Debug)]
pub struct TlsRefused(pub String);

impl std::fmt::Display for TlsRefused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for TlsRefused {}

/// Name a failed handshake with `host` in words, when it is the certificate that was refused.
pub fn name_refusal(err: &std::io::Error, host: &str, trust: &Trust) -> Option<String> {
    use rustls::CertificateError as C;
    let tls = err.get_ref()?.downcast_ref::<rustls::Error>()?;
    let problem = match tls {
        rustls::Error::InvalidCertificate(c) => match c {
            C::UnknownIssuer => format!("its issuer is unknown: no CA in {} signed it", trust.describe()),
            C::Expired | C::ExpiredContext { .. } => "it has expired".to_string(),
            C::NotValidYet | C::NotValidYetContext { .. } => "it is not valid yet".to_string(),
            C::NotValidForName | C::NotValidForNameContext { .. } => {
                format!("it is not for the name {host}")
            }
            C::Revoked => "it has been revoked".to_string(),
            C::BadSignature | C::BadEncoding => "it is malformed or badly signed".to_string(),
            other => format!("{other:?}"),
        },
        rustls::Error::NoCertificatesPresented => "it presented no certificate".to_string(),
        _ => return None,
    };
    Some(format!("the TLS certificate of {host} was refused: {problem}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn botocores_order() {
        let arg = PathBuf::from("/a.pem");
        assert_eq!(
            Trust::resolve(Some(&arg), Some("/b.pem"), Some("/c.pem")).bundle,
            Some((arg.clone(), FROM_ARGUMENT))
        );
        assert_eq!(
            Trust::resolve(None, Some("/b.pem"), Some("/c.pem")).bundle,
            Some((PathBuf::from("/b.pem"), FROM_ENV))
        );
        assert_eq!(
            Trust::resolve(None, Some(""), Some("/c.pem")).bundle,
            Some((PathBuf::from("/c.pem"), FROM_PROFILE))
        );
        assert_eq!(Trust::resolve(None, None, None).bundle, None);
    }

    #[test]
    fn a_bad_bundle_is_named() {
        let missing = Trust::resolve(Some(Path::new("/no/such/ca.pem")), None, None);
        let e = missing.config().expect_err("unreadable");
        assert!(
            e.contains("/no/such/ca.pem") && e.contains("the ca_bundle argument"),
            "{e}"
        );
        let dir = std::env::temp_dir().join(format!("rolekit-empty-{}.pem", std::process::id()));
        std::fs::write(&dir, "not a certificate").expect("write");
        let empty = Trust::resolve(None, Some(dir.to_str().expect("utf-8")), None);
        let e = empty.config().expect_err("no certificate");
        assert!(
            e.contains("no usable PEM certificate") && e.contains("AWS_CA_BUNDLE"),
            "{e}"
        );
        let _ = std::fs::remove_file(dir);
        assert!(Trust::default().config().is_ok(), "the system store loads");
    }
}
