//! URLs that other people's clients open (avatars, attached files, shops): parsed once,
//! http or https only, and never pointing into a private network, so a stored link can run
//! no script (`javascript:`, `data:`), read no local file, and reach no cloud metadata
//! endpoint or intranet host through a viewer's browser or a link preview.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use url::{Host, Url};

use super::user::TextChange;
use super::Invalid;

/// Longest URL kept, in characters.
pub const MAX_URL_LENGTH: usize = 2048;

/// Most origins a tenant may allow files from.
pub const MAX_FILE_ORIGINS: usize = 20;

/// An absolute http or https URL on a public host, in its normalized form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebUrl(Url);

impl WebUrl {
    /// Parses `raw` for the input field `field`.
    pub fn parse(field: &'static str, raw: &str) -> Result<Self, Invalid> {
        let url = parse_http(field, raw)?;
        let public = match url.host() {
            Some(Host::Ipv4(ip)) => public_v4(ip),
            Some(Host::Ipv6(ip)) => public_v6(ip),
            Some(Host::Domain(name)) => !is_local_name(name),
            None => false,
        };
        if !public {
            return Err(Invalid::new(field, "must not point at a loopback, private or link-local address"));
        }
        Ok(WebUrl(url))
    }

    /// `scheme://host[:port]`, the port only when not the scheme's default.
    pub fn origin(&self) -> String {
        self.0.origin().ascii_serialization()
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    pub fn into_string(self) -> String {
        self.0.into()
    }
}

/// An absolute http(s) URL without credentials, of bounded length; where it points is not
/// checked here.
pub fn parse_http(field: &'static str, raw: &str) -> Result<Url, Invalid> {
    let raw = raw.trim();
    if raw.is_empty() || raw.chars().count() > MAX_URL_LENGTH {
        return Err(Invalid::new(field, format!("must be a URL of 1 to {MAX_URL_LENGTH} characters")));
    }
    let url = Url::parse(raw).map_err(|_| Invalid::new(field, "must be an absolute http or https URL"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(Invalid::new(field, "must be an http or https URL"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Invalid::new(field, "must not carry a user name or password"));
    }
    Ok(url)
}

/// Whether `ip` is on the public internet: not loopback, private, link-local, unspecified,
/// multicast, carrier-grade NAT, nor one of those in an IPv4-mapped IPv6 form.
pub fn is_public_ip(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(ip) => public_v4(ip),
        IpAddr::V6(ip) => public_v6(ip),
    }
}

/// Whether a URL's host names this machine by name (`localhost` and its subdomains).
pub fn is_local_name(name: &str) -> bool {
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    name == "localhost" || name.ends_with(".localhost")
}

fn public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    let shared = a == 100 && (64..128).contains(&b); // 100.64.0.0/10, carrier-grade NAT
    !(ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || a == 0
        || shared)
}

fn public_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return public_v4(v4);
    }
    let first = ip.segments()[0];
    let link_local = first & 0xffc0 == 0xfe80; // fe80::/10
    let site_local = first & 0xffc0 == 0xfec0; // fec0::/10, deprecated but still routed inside sites
    let unique_local = first & 0xfe00 == 0xfc00; // fc00::/7
    !(ip.is_loopback() || ip.is_unspecified() || ip.is_multicast() || link_local || site_local || unique_local)
}

/// A change to an optional URL field (see `TextChange`): a URL given must be a `WebUrl`
/// and is kept normalized; `null` or blank still clears.
pub fn web_url_change(field: &'static str, change: TextChange) -> Result<TextChange, Invalid> {
    match change {
        Some(Some(raw)) if !raw.trim().is_empty() => Ok(Some(Some(WebUrl::parse(field, &raw)?.into_string()))),
        Some(_) => Ok(Some(None)),
        None => Ok(None),
    }
}

/// The origin of a configured URL (the server's public URL), if it is one.
pub fn origin_of(raw: &str) -> Option<String> {
    Url::parse(raw).ok().filter(|u| matches!(u.scheme(), "http" | "https")).map(|u| u.origin().ascii_serialization())
}

/// An origin a tenant allows files from: `https://host[:port]` (or http), nothing after it.
pub fn file_origin(raw: &str) -> Result<String, Invalid> {
    const FIELD: &str = "settings.allowed_file_origins";
    let url = WebUrl::parse(FIELD, raw)?;
    let bare = url.0.path() == "/" && url.0.query().is_none() && url.0.fragment().is_none();
    if !bare {
        return Err(Invalid::new(FIELD, "each must be an origin: scheme://host[:port], without a path"));
    }
    Ok(url.origin())
}

/// Where a message's attached file may live: the server's own media, or an origin the
/// tenant allows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileOrigins {
    /// The origin of the server's public URL, when configured.
    pub own: Option<String>,
    /// The tenant's `allowed_file_origins`.
    pub allowed: Vec<String>,
}

impl FileOrigins {
    /// Checks a `file_url`; returns its normalized form.
    pub fn check(&self, raw: &str) -> Result<String, Invalid> {
        const FIELD: &str = "file_url";
        let url = parse_http(FIELD, raw)?;
        // The server's own media is trusted wherever the server itself runs (a development
        // server on localhost included).
        if self.own.as_deref() == Some(url.origin().ascii_serialization().as_str()) {
            return Ok(url.into());
        }
        let url = WebUrl::parse(FIELD, raw)?;
        if !self.allowed.contains(&url.origin()) {
            return Err(Invalid::new(FIELD, "must point at this server's media or an origin the tenant allows"));
        }
        Ok(url.into_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_public_http_urls_pass() {
        assert_eq!(WebUrl::parse("u", " https://cdn.test/a.png ").unwrap().as_str(), "https://cdn.test/a.png");
        for bad in [
            "javascript:alert(1)",
            "data:text/html,<script>",
            "file:///etc/passwd",
            "ftp://files.test/a",
            "http://169.254.169.254/latest/meta-data",
            "http://[fe80::1]/",
            "http://127.0.0.1/",
            "http://0x7f.1/",
            "http://10.1.2.3/",
            "http://192.168.0.1/",
            "http://[::1]/",
            "http://[::ffff:169.254.169.254]/",
            "http://[fd00::1]/",
            "http://localhost:8080/",
            "https://user:pw@cdn.test/",
            "/relative/path",
            "",
        ] {
            assert!(WebUrl::parse("u", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn files_live_on_own_media_or_allowed_origins() {
        let origins = FileOrigins { own: origin_of("http://localhost:8080"), allowed: vec![file_origin("https://cdn.test").unwrap()] };
        assert!(origins.check("http://localhost:8080/v1/media/x").is_ok());
        assert!(origins.check("https://cdn.test/doc.pdf").is_ok());
        assert!(origins.check("https://cdn.test:8443/doc.pdf").is_err());
        assert!(origins.check("https://elsewhere.test/doc.pdf").is_err());
        assert!(origins.check("http://localhost:9999/").is_err());
        assert!(file_origin("https://cdn.test/path").is_err());
        assert_eq!(file_origin("https://CDN.test:443").unwrap(), "https://cdn.test");
    }
}
