//! Proxies as botocore applies them (urllib's environment rules, which botocore uses): `https_proxy`
//! for https endpoints and `http_proxy` for http ones, either case (the lower-case variable wins,
//! and an empty lower-case one removes the other), `user:pass@` in the URL sent as basic
//! `Proxy-Authorization`, a URL without a scheme taken as `http://`. `no_proxy` bypasses the proxy
//! for `*`, a host, a domain suffix (`example.com` and `.example.com` both match `a.example.com`),
//! a `host:port`, an IP address and, beyond urllib, an IP range in CIDR form (`10.0.0.0/8`).
//! Loopback endpoints are proxied unless `no_proxy` says otherwise, as in botocore. Instance
//! metadata and container credential endpoints are never proxied.
//!
//! https goes through a `CONNECT` tunnel; http is sent to the proxy in absolute form. The password
//! is never shown: a proxy is named by its URL without it.

use std::net::IpAddr;

/// A proxy that could not be reached or refused the request, kept as the source of the
/// connector's error so that every layer names the proxy (never its password).
#[derive(Debug)]
pub struct ProxyFailure {
    pub message: String,
    /// Whether the same request may succeed later (the proxy was unreachable or answered 5xx).
    pub retry_safe: bool,
}

impl std::fmt::Display for ProxyFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ProxyFailure {}

/// The addresses of instance metadata and the container credential endpoints: never proxied.
const NEVER_PROXIED: &[&str] = &["169.254.169.254", "fd00:ec2::254", "169.254.170.2", "169.254.170.23"];

/// One proxy.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Proxy {
    pub host: String,
    pub port: u16,
    /// `Basic base64(user:pass)`, when the URL has credentials.
    pub authorization: Option<String>,
    /// The proxy for messages and logs: `http://host:port`, never the password.
    pub shown: String,
    /// An `https://` proxy: rolekit speaks TLS to the proxy itself (trusting the same CAs as
    /// for endpoints), then tunnels through it as through an `http://` one.
    pub tls: bool,
    /// The variable it came from (`HTTPS_PROXY`, `http_proxy`, ...).
    pub from: String,
}

/// The proxies of one client, read from the environment when it is made.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Proxies {
    pub https: Option<Proxy>,
    pub http: Option<Proxy>,
    no_proxy: Vec<String>,
    /// The hosts of the credential endpoints this process is configured with
    /// (`AWS_CONTAINER_CREDENTIALS_FULL_URI`, `AWS_EC2_METADATA_SERVICE_ENDPOINT`): never proxied.
    credential_hosts: Vec<String>,
}

impl Proxy {
    /// Parse a proxy URL (`http://user:pass@host:port`, or `host:port`).
    pub fn parse(url: &str, from: &str) -> Result<Self, String> {
        let (rest, tls) = match url.split_once("://") {
            Some((scheme, rest)) if scheme.eq_ignore_ascii_case("http") => (rest, false),
            Some((scheme, rest)) if scheme.eq_ignore_ascii_case("https") => (rest, true),
            Some((scheme, _)) => {
                return Err(format!(
                    "the proxy in {from} uses {scheme}://; rolekit reaches proxies over http:// or https://"
                ))
            }
            None => (url, false),
        };
        let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
        let (userinfo, hostport) = match authority.rsplit_once('@') {
            Some((u, h)) => (Some(u), h),
            None => (None, authority),
        };
        let (host, port) = if let Some(v6) = hostport.strip_prefix('[') {
            let (h, after) = v6
                .split_once(']')
                .ok_or_else(|| format!("the proxy in {from} is not a URL"))?;
            (h.to_string(), after.strip_prefix(':'))
        } else {
            match hostport.rsplit_once(':') {
                Some((h, p)) => (h.to_string(), Some(p)),
                None => (hostport.to_string(), None),
            }
        };
        if host.is_empty() {
            return Err(format!("the proxy in {from} has no host"));
        }
        let port = match port {
            Some(p) => p
                .parse::<u16>()
                .map_err(|_| format!("the proxy in {from} has an invalid port"))?,
            None if tls => 443,
            None => 80,
        };
        let decode = |s: &str| crate::roles::percent_decode(s);
        let authorization = userinfo.map(|u| {
            let (user, pass) = u.split_once(':').unwrap_or((u, ""));
            format!(
                "Basic {}",
                aws_smithy_types::base64::encode(format!("{}:{}", decode(user), decode(pass)))
            )
        });
        let shown_host = if host.contains(':') {
            format!("[{host}]")
        } else {
            host.clone()
        };
        Ok(Self {
            shown: format!("{}://{shown_host}:{port}", if tls { "https" } else { "http" }),
            tls,
            host,
            port,
            authorization,
            from: from.to_string(),
        })
    }
}

impl Proxies {
    /// From the process environment, by urllib's rules (see the module's text).
    pub fn from_env() -> Result<Self, String> {
        Self::from_vars(std::env::vars())
    }

    /// From `vars` (name, value), by urllib's rules.
    pub fn from_vars(vars: impl IntoIterator<Item = (String, String)>) -> Result<Self, String> {
        let vars: Vec<(String, String)> = vars.into_iter().collect();
        let find = |key: &str| -> Option<(String, String)> {
            let lower = vars.iter().find(|(k, _)| k == key);
            match lower {
                Some((_, v)) if v.is_empty() => None,
                Some((k, v)) => Some((k.clone(), v.clone())),
                None => vars
                    .iter()
                    .find(|(k, v)| k.eq_ignore_ascii_case(key) && !v.is_empty())
                    .cloned(),
            }
        };
        let proxy = |key: &str| find(key).map(|(k, v)| Proxy::parse(&v, &k)).transpose();
        let cgi = vars.iter().any(|(k, _)| k == "REQUEST_METHOD");
        let credential_hosts = [
            "AWS_CONTAINER_CREDENTIALS_FULL_URI",
            "AWS_EC2_METADATA_SERVICE_ENDPOINT",
        ]
        .iter()
        .filter_map(|name| vars.iter().find(|(k, _)| k == name))
        .filter_map(|(_, url)| url.parse::<http::Uri>().ok())
        .filter_map(|uri| {
            uri.host()
                .map(|h| h.trim_start_matches('[').trim_end_matches(']').to_ascii_lowercase())
        })
        .collect();
        Ok(Self {
            https: proxy("https_proxy")?,
            // As urllib: a CGI script's HTTP_PROXY may come from the request's Proxy header.
            http: if cgi { None } else { proxy("http_proxy")? },
            no_proxy: find("no_proxy")
                .map(|(_, v)| {
                    v.split(',')
                        .map(|e| e.trim().trim_start_matches('.').to_ascii_lowercase())
                        .filter(|e| !e.is_empty())
                        .collect()
                })
                .unwrap_or_default(),
            credential_hosts,
        })
    }

    /// The proxy for a request to `host:port` over TLS or not; `None`: connect directly.
    pub fn for_target(&self, tls: bool, host: &str, port: u16) -> Option<&Proxy> {
        let proxy = if tls { self.https.as_ref() } else { self.http.as_ref() }?;
        let host = host.trim_start_matches('[').trim_end_matches(']').to_ascii_lowercase();
        if NEVER_PROXIED.contains(&host.as_str()) || self.credential_hosts.contains(&host) || self.bypassed(&host, port)
        {
            return None;
        }
        Some(proxy)
    }

    fn bypassed(&self, host: &str, port: u16) -> bool {
        let with_port = format!("{host}:{port}");
        let ip: Option<IpAddr> = host.parse().ok();
        self.no_proxy.iter().any(|entry| {
            entry == "*"
                || entry == host
                || *entry == with_port
                || host.ends_with(&format!(".{entry}"))
                || ip.is_some_and(|ip| in_cidr(ip, entry))
        })
    }
}

/// `ip` is in `entry` when it is `a.b.c.d/n` (or an IPv6 `x::/n`) and the first `n` bits agree.
fn in_cidr(ip: IpAddr, entry: &str) -> bool {
    let Some((net, bits)) = entry.split_once('/') else {
        return false;
    };
    let (Ok(net), Ok(bits)) = (net.parse::<IpAddr>(), bits.parse::<u32>()) else {
        return false;
    };
    match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(b)) if bits <= 32 => {
            let mask = u32::MAX.checked_shl(32 - bits).unwrap_or(0);
            u32::from(a) & mask == u32::from(b) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(b)) if bits <= 128 => {
            let mask = u128::MAX.checked_shl(128 - bits).unwrap_or(0);
            u128::from(a) & mask == u128::from(b) & mask
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
            .collect()
    }

    #[test]
    fn urls_credentials_and_names() {
        let p = Proxy::parse("http://ana:p%40ss@proxy.corp:3128/", "HTTPS_PROXY").expect("a proxy");
        assert_eq!(
            (p.host.as_str(), p.port, p.shown.as_str()),
            ("proxy.corp", 3128, "http://proxy.corp:3128")
        );
        // base64("ana:p@ss")
        assert_eq!(p.authorization.as_deref(), Some("Basic YW5hOnBAc3M="));
        let bare = Proxy::parse("10.0.0.1:8080", "http_proxy").expect("a proxy");
        assert_eq!(
            (bare.host.as_str(), bare.port, bare.authorization),
            ("10.0.0.1", 8080, None)
        );
        let v6 = Proxy::parse("http://[::1]:3128", "HTTPS_PROXY").expect("a proxy");
        assert_eq!((v6.host.as_str(), v6.shown.as_str()), ("::1", "http://[::1]:3128"));
        let tls = Proxy::parse("https://ana:pw@proxy.corp", "HTTPS_PROXY").expect("https proxy");
        assert!(tls.tls && tls.port == 443 && tls.shown == "https://proxy.corp:443");
        assert!(!Proxy::parse("HTTP://proxy.corp", "HTTP_PROXY").expect("http proxy").tls);
        assert!(Proxy::parse("socks5://x:1", "HTTPS_PROXY")
            .unwrap_err()
            .contains("socks5"));
        assert!(Proxy::parse("http://x:port", "HTTPS_PROXY")
            .unwrap_err()
            .contains("port"));
    }

    #[test]
    fn urllibs_variable_rules() {
        let both = Proxies::from_vars(vars(&[
            ("HTTPS_PROXY", "http://upper:1"),
            ("https_proxy", "http://lower:2"),
        ]))
        .expect("proxies");
        assert_eq!(both.https.map(|p| p.host), Some("lower".to_string()));
        let cleared = Proxies::from_vars(vars(&[("HTTPS_PROXY", "http://upper:1"), ("https_proxy", "")])).expect("ok");
        assert_eq!(cleared.https, None);
        let cgi = Proxies::from_vars(vars(&[("HTTP_PROXY", "http://p:1"), ("REQUEST_METHOD", "GET")])).expect("ok");
        assert_eq!(cgi.http, None);
    }

    #[test]
    fn no_proxy_entries() {
        let p = Proxies::from_vars(vars(&[
            ("HTTPS_PROXY", "http://p:3128"),
            ("HTTP_PROXY", "http://p:3128"),
            (
                "NO_PROXY",
                "internal.corp, .example.com,10.0.0.0/8,192.168.1.7,localhost:8080,fd00::/8",
            ),
        ]))
        .expect("proxies");
        for (host, port) in [
            ("internal.corp", 443),
            ("a.internal.corp", 443),
            ("example.com", 443),
            ("x.example.com", 443),
            ("10.20.30.40", 443),
            ("192.168.1.7", 443),
            ("localhost", 8080),
            ("[fd00::1]", 443),
            ("169.254.169.254", 80),
            ("169.254.170.2", 80),
        ] {
            assert!(p.for_target(true, host, port).is_none(), "{host}:{port} is not proxied");
        }
        for (host, port) in [
            ("iam.amazonaws.com", 443),
            ("notexample.com", 443),
            ("11.0.0.1", 443),
            ("localhost", 9000),
            ("127.0.0.1", 5000),
        ] {
            assert!(p.for_target(true, host, port).is_some(), "{host}:{port} is proxied");
        }
        let container = Proxies::from_vars(vars(&[
            ("HTTP_PROXY", "http://p:1"),
            ("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1:8123/creds"),
        ]))
        .expect("ok");
        assert!(
            container.for_target(false, "127.0.0.1", 8123).is_none(),
            "the container endpoint"
        );
        let all = Proxies::from_vars(vars(&[("HTTPS_PROXY", "http://p:1"), ("no_proxy", "*")])).expect("ok");
        assert!(all.for_target(true, "iam.amazonaws.com", 443).is_none());
        assert!(
            all.for_target(false, "iam.amazonaws.com", 80).is_none(),
            "no http proxy set"
        );
    }
}
