//! Who is asking, by network address: the peer of the connection, or, when that peer is a
//! reverse proxy Kassa was told to trust (`--trusted-proxy`), the client that proxy names in
//! `X-Forwarded-For`. The per-address limits (staff sign-in) and the audit log read the result
//! ([`ClientIp`], put on every request); nothing else reads the peer directly.
//!
//! `X-Forwarded-For` is a list each proxy appends its own peer to, so only its right end is
//! written by proxies Kassa trusts: the address is the rightmost entry that is not a trusted
//! proxy. Anything to the left of it was written by the client and is ignored, so a client
//! cannot choose its address by sending the header itself. Without trusted proxies the header
//! is ignored entirely.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use http::HeaderMap;
use ipnet::IpNet;
use kassa_core::audit::ClientIp;

/// The proxies whose `X-Forwarded-For` is believed.
#[derive(Clone, Debug, Default)]
pub struct TrustedProxies(pub Vec<IpNet>);

impl TrustedProxies {
    fn trusts(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.0.iter().any(|net| net.contains(&ip))
    }
}

/// An IPv4 address mapped into IPv6 (`::ffff:203.0.113.7`, as a dual-stack listener sees IPv4
/// peers) is that IPv4 address.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
        v4 => v4,
    }
}

/// The client's address, given the connection's peer and the request's headers.
pub fn client_ip(peer: IpAddr, headers: &HeaderMap, trusted: &TrustedProxies) -> IpAddr {
    let mut client = canonical(peer);
    if !trusted.trusts(client) {
        return client;
    }
    let hops: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    for hop in hops.iter().rev() {
        // A hop that is not an address ends what can be believed: the last trusted one stays.
        let Some(ip) = parse_hop(hop) else { break };
        client = ip;
        if !trusted.trusts(ip) {
            break;
        }
    }
    client
}

/// `203.0.113.7`, `2001:db8::1`, and the forms some proxies write: `[2001:db8::1]:443`,
/// `203.0.113.7:51234`.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    if let Ok(ip) = hop.parse::<IpAddr>() {
        return Some(canonical(ip));
    }
    hop.parse::<SocketAddr>().ok().map(|s| canonical(s.ip()))
}

/// Puts the [`ClientIp`] on the request.
pub async fn mark(State(trusted): State<TrustedProxies>, mut req: Request, next: Next) -> Response {
    if let Some(ConnectInfo(peer)) = req.extensions().get::<ConnectInfo<SocketAddr>>().copied() {
        let ip = client_ip(peer.ip(), req.headers(), &trusted);
        req.extensions_mut().insert(ClientIp(ip));
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn forwarded(values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append("x-forwarded-for", v.parse().unwrap());
        }
        h
    }

    #[test]
    fn the_client_is_the_rightmost_address_no_trusted_proxy_wrote() {
        let trusted = TrustedProxies(vec!["10.0.0.0/8".parse().unwrap(), "2001:db8:ffff::/48".parse().unwrap()]);
        let proxy = ip("10.0.0.2");
        // Behind one proxy.
        assert_eq!(client_ip(proxy, &forwarded(&["203.0.113.7"]), &trusted), ip("203.0.113.7"));
        // The client wrote its own header first: only what the proxies appended counts.
        let spoofed = forwarded(&["198.51.100.1, 203.0.113.7"]);
        assert_eq!(client_ip(proxy, &spoofed, &trusted), ip("203.0.113.7"));
        // Two proxies, in one header and in two.
        assert_eq!(client_ip(proxy, &forwarded(&["203.0.113.7, 10.0.0.9"]), &trusted), ip("203.0.113.7"));
        assert_eq!(client_ip(proxy, &forwarded(&["203.0.113.7", "10.0.0.9"]), &trusted), ip("203.0.113.7"));
        // Ports, brackets and IPv4 mapped into IPv6.
        assert_eq!(client_ip(proxy, &forwarded(&["[2001:db8::1]:443"]), &trusted), ip("2001:db8::1"));
        assert_eq!(client_ip(proxy, &forwarded(&["203.0.113.7:51234"]), &trusted), ip("203.0.113.7"));
        assert_eq!(client_ip(ip("::ffff:10.0.0.2"), &forwarded(&["::ffff:203.0.113.7"]), &trusted), ip("203.0.113.7"));
        // Garbage stops the walk at the last trusted hop.
        assert_eq!(client_ip(proxy, &forwarded(&["203.0.113.7, unknown"]), &trusted), proxy);
        assert_eq!(client_ip(proxy, &forwarded(&[]), &trusted), proxy);
        // Only trusted hops: the leftmost of them.
        assert_eq!(client_ip(proxy, &forwarded(&["10.0.0.7, 10.0.0.9"]), &trusted), ip("10.0.0.7"));
    }

    #[test]
    fn without_a_trusted_proxy_the_header_is_ignored() {
        let header = forwarded(&["203.0.113.7"]);
        assert_eq!(client_ip(ip("198.51.100.1"), &header, &TrustedProxies::default()), ip("198.51.100.1"));
        let trusted = TrustedProxies(vec!["10.0.0.0/8".parse().unwrap()]);
        assert_eq!(client_ip(ip("198.51.100.1"), &header, &trusted), ip("198.51.100.1"));
    }
}
