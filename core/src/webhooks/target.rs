//! Where Kassa may send a webhook. A merchant's endpoint URL makes Kassa's server open a
//! connection, so a URL that names a loopback, private, link-local or otherwise internal
//! address would let anyone with an API key probe the network Kassa runs in (server-side
//! request forgery). Such targets are refused when an endpoint is registered (for literal
//! addresses and names like `localhost`) and again at every delivery, after DNS resolution,
//! and the connection then goes to the address that was checked, so a name that resolves
//! elsewhere the second time (DNS rebinding) gains nothing. Live endpoints must use https.
//!
//! `allow_private` (the server's `--webhook-allow-private-targets`) lifts the address check for
//! development and tests, where the receiver runs on the same machine.

use std::net::{IpAddr, SocketAddr};

use kassa_domain::Problem;
use url::{Host, Url};

use crate::principal::Mode;

/// Parses and checks an endpoint URL as far as it can be checked without the network.
pub fn check_url(text: &str, mode: Mode, allow_private: bool) -> Result<Url, Problem> {
    let text = text.trim();
    // The URL parser drops tabs and line breaks and encodes spaces: what was sent would not be
    // what is called. Refused instead.
    if text.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(Problem::WebhookUrlInvalid);
    }
    let url = Url::parse(text).ok().filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some());
    let url = url.filter(|_| text.len() <= 2000).ok_or(Problem::WebhookUrlInvalid)?;
    if url.username() != "" || url.password().is_some() {
        return Err(Problem::WebhookUrlInvalid);
    }
    if mode == Mode::Live && url.scheme() != "https" && !allow_private {
        return Err(Problem::WebhookUrlNotHttps);
    }
    if !allow_private {
        let host = url.host_str().unwrap_or_default().to_string();
        let internal = match url.host() {
            Some(Host::Ipv4(ip)) => !is_public(IpAddr::V4(ip)),
            Some(Host::Ipv6(ip)) => !is_public(IpAddr::V6(ip)),
            Some(Host::Domain(d)) => {
                let d = d.trim_end_matches('.').to_ascii_lowercase();
                d == "localhost" || d.ends_with(".localhost") || d.ends_with(".internal") || d.ends_with(".local")
            }
            None => true,
        };
        if internal {
            return Err(Problem::WebhookTargetPrivate { host });
        }
    }
    Ok(url)
}

/// The addresses a delivery may connect to: the URL's host resolved, every address public
/// (unless `allow_private`). `Err` says why not, for the delivery's log.
pub async fn resolve(url: &Url, allow_private: bool) -> Result<Vec<SocketAddr>, String> {
    let host = url.host_str().ok_or("the URL has no host")?;
    let port = url.port_or_known_default().ok_or("the URL has no port")?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let addrs: Vec<SocketAddr> =
        tokio::net::lookup_host((host, port)).await.map_err(|e| format!("cannot resolve {host}: {e}"))?.collect();
    if addrs.is_empty() {
        return Err(format!("{host} resolves to no address"));
    }
    if !allow_private {
        if let Some(bad) = addrs.iter().find(|a| !is_public(a.ip())) {
            return Err(format!(
                "{host} resolves to {}, an internal address; Kassa sends webhooks to public addresses only",
                bad.ip()
            ));
        }
    }
    Ok(addrs)
}

/// Whether an address is on the public internet: not loopback, private, link-local, site-local,
/// shared (CGNAT), documentation, discard, multicast, unspecified or reserved; IPv4-mapped IPv6
/// as its IPv4; no NAT64 (`64:ff9b::/96`, `64:ff9b:1::/48`), 6to4 (`2002::/16`), Teredo
/// (`2001::/32`) or IPv4-compatible (`::a.b.c.d`) address.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v) => {
            let [a, b, ..] = v.octets();
            !(v.is_private()
                || v.is_loopback()
                || v.is_link_local()
                || v.is_broadcast()
                || v.is_documentation()
                || v.is_unspecified()
                || v.is_multicast()
                || a == 0
                || a >= 240
                || (a == 100 && (b & 0xc0) == 64)
                || (a == 192 && b == 0)
                || (a == 198 && (b & 0xfe) == 18))
        }
        IpAddr::V6(v) => {
            if let Some(mapped) = v.to_ipv4_mapped() {
                return is_public(IpAddr::V4(mapped));
            }
            let s = v.segments();
            let first = s[0];
            // Addresses that carry an IPv4 address a gateway may translate to (NAT64, 6to4,
            // the deprecated IPv4-compatible form, Teredo) are refused outright rather than
            // judged by the address inside: the gateway, not Kassa, decides where they go.
            let nat64 = s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] || (s[0] == 0x64 && s[1] == 0xff9b && s[2] == 1);
            let ipv4_compatible = s[..6] == [0; 6];
            !(v.is_loopback()
                || v.is_unspecified()
                || v.is_multicast()
                || nat64
                || ipv4_compatible
                || first == 0x2002
                || (first == 0x2001 && s[1] == 0)
                || (first == 0x0100 && s[1..4] == [0, 0, 0])
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                || (first & 0xffc0) == 0xfec0
                || first == 0x2001 && s[1] == 0x0db8)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_addresses_are_refused_and_public_ones_pass() {
        for bad in [
            "http://127.0.0.1:8080/hook",
            "https://localhost/hook",
            "https://api.localhost/hook",
            "https://10.1.2.3/",
            "https://172.16.0.1/",
            "https://192.168.1.10/",
            "https://169.254.169.254/latest/meta-data",
            "https://100.64.0.1/",
            "https://[::1]/",
            "https://[fd00::1]/",
            "https://[fe80::1]/",
            "https://[::ffff:127.0.0.1]/",
            "https://0.0.0.0/",
            "https://[64:ff9b::7f00:1]/",
            "https://[64:ff9b:1::a00:1]/",
            "https://[2002:7f00:1::1]/",
            "https://[::127.0.0.1]/",
            "https://[::8.8.8.8]/",
            "https://[fec0::1]/",
            "https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/",
            "https://[100::1]/",
        ] {
            assert!(matches!(check_url(bad, Mode::Test, false), Err(Problem::WebhookTargetPrivate { .. })), "{bad}");
        }
        for good in ["https://erp.example.com/kassa", "https://93.184.216.34/hook", "https://[2a00:1450::1]/"] {
            assert!(check_url(good, Mode::Live, false).is_ok(), "{good}");
        }
        assert_eq!(check_url("http://erp.example.com/", Mode::Live, false), Err(Problem::WebhookUrlNotHttps));
        assert!(check_url("http://erp.example.com/", Mode::Test, false).is_ok());
        // Whitespace inside a URL is not dropped or encoded silently (schemathesis found it).
        let inside = ["https://erp.example.com/a b", "https://erp.example.com/\n\tx", "https://erp.exa\u{b}mple.com/"];
        for nonsense in ["", "erp.example.com/hook", "ftp://erp.example.com/", "https://user:pw@erp.example.com/"]
            .into_iter()
            .chain(inside)
        {
            assert_eq!(check_url(nonsense, Mode::Test, false), Err(Problem::WebhookUrlInvalid), "{nonsense}");
        }
        assert!(check_url("http://127.0.0.1:8080/hook", Mode::Live, true).is_ok());
    }

    #[tokio::test]
    async fn a_name_is_checked_after_it_resolves() {
        let url = Url::parse("http://localhost:9/").unwrap();
        assert!(resolve(&url, false).await.unwrap_err().contains("internal address"));
        assert!(!resolve(&url, true).await.unwrap().is_empty());
    }
}
