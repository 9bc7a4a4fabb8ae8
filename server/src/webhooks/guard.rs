//! The network guard of webhook endpoints: a URL's host is resolved, at registration and
//! again before every delivery, and refused when any address it resolves to is loopback,
//! private, link-local, unspecified, multicast or carrier-grade NAT (IPv4-mapped forms
//! included), unless the operator allows private addresses. A delivery then connects only
//! to the addresses checked here, so a name that changes its answer in between (DNS
//! rebinding) cannot slip through.

use std::net::SocketAddr;

use url::Host;

use crate::domain::web_url::is_public_ip;
use crate::domain::webhook::{refused, EndpointUrl};
use crate::domain::Invalid;

/// The addresses a delivery to `url` may connect to.
pub async fn resolve(url: &EndpointUrl, allow_private: bool) -> Result<Vec<SocketAddr>, Invalid> {
    let port = url.url().port_or_known_default().unwrap_or(80);
    let addrs: Vec<SocketAddr> = match url.url().host() {
        Some(Host::Ipv4(ip)) => vec![SocketAddr::new(ip.into(), port)],
        Some(Host::Ipv6(ip)) => vec![SocketAddr::new(ip.into(), port)],
        Some(Host::Domain(name)) => match tokio::net::lookup_host((name, port)).await {
            Ok(found) => found.collect(),
            Err(_) => Vec::new(),
        },
        None => Vec::new(),
    };
    if addrs.is_empty() {
        return Err(Invalid::new("url", "its host does not resolve"));
    }
    if !allow_private && addrs.iter().any(|addr| !is_public_ip(addr.ip())) {
        return Err(refused());
    }
    Ok(addrs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn loopback_is_refused_unless_allowed() {
        let url = EndpointUrl::parse("http://127.0.0.1:9/hook", true).unwrap();
        assert_eq!(resolve(&url, false).await.unwrap_err().field, "url");
        assert_eq!(resolve(&url, true).await.unwrap(), vec!["127.0.0.1:9".parse().unwrap()]);
    }

    #[tokio::test]
    async fn mapped_addresses_count_as_what_they_map() {
        let url = EndpointUrl::parse("http://[::ffff:10.0.0.1]/", true).unwrap();
        assert!(resolve(&url, false).await.is_err());
    }
}
