//! Where a webhook may be sent (DESIGN §14): an `http(s)` URL with a host, no userinfo and nothing hidden in
//! it, delivered only to addresses outside the ranges that reach the service's own network. A URL is checked
//! at registration and every address its host resolves to is checked again at each delivery, so a name that
//! later points inward is caught where the connection is made.

use crate::i18n::msg;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ipnet::IpNet;
use url::{Host, Url};

/// What an address reaches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AddressClass {
    Public,
    Loopback,
    /// RFC 1918, CGNAT (100.64/10), unique-local (fc00::/7).
    Private,
    /// 169.254/16, fe80::/10: where cloud metadata services live. Never allowed.
    LinkLocal,
    /// A cloud metadata address outside link-local (`fd00:ec2::254`). Never allowed.
    Metadata,
    /// `0.0.0.0`, `::`, and 0.0.0.0/8. Never allowed.
    Unspecified,
    Multicast,
    /// 192.0.2/24, 198.51.100/24, 203.0.113/24, 2001:db8::/32.
    Documentation,
    /// Everything else set aside: 240/4, broadcast, 192.0.0/24, 198.18/15, 64:ff9b::/96, ::/96…
    Reserved,
}

impl AddressClass {
    /// Classes that no allow list opens.
    fn never(self) -> bool {
        matches!(self, Self::LinkLocal | Self::Metadata | Self::Unspecified)
    }
}

/// The class of `ip`; an IPv4-mapped IPv6 address is classed as the IPv4 address it carries.
pub fn classify(ip: IpAddr) -> AddressClass {
    match canonical(ip) {
        IpAddr::V4(v4) => classify_v4(v4),
        IpAddr::V6(v6) => classify_v6(v6),
    }
}

fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

fn in_net(ip: IpAddr, nets: &[&str]) -> bool {
    nets.iter()
        .filter_map(|n| n.parse::<IpNet>().ok())
        .any(|n| n.contains(&ip))
}

fn classify_v4(ip: Ipv4Addr) -> AddressClass {
    let addr = IpAddr::V4(ip);
    if ip.is_unspecified() || in_net(addr, &["0.0.0.0/8"]) {
        AddressClass::Unspecified
    } else if ip.is_loopback() {
        AddressClass::Loopback
    } else if ip.is_link_local() {
        AddressClass::LinkLocal
    } else if ip.is_private() || in_net(addr, &["100.64.0.0/10"]) {
        AddressClass::Private
    } else if ip.is_multicast() {
        AddressClass::Multicast
    } else if ip.is_documentation() {
        AddressClass::Documentation
    } else if ip.is_broadcast()
        || in_net(
            addr,
            &[
                "240.0.0.0/4",
                "192.0.0.0/24",
                "198.18.0.0/15",
                "192.88.99.0/24",
            ],
        )
    {
        AddressClass::Reserved
    } else {
        AddressClass::Public
    }
}

fn classify_v6(ip: Ipv6Addr) -> AddressClass {
    let addr = IpAddr::V6(ip);
    if ip.is_unspecified() {
        AddressClass::Unspecified
    } else if ip.is_loopback() {
        AddressClass::Loopback
    } else if in_net(addr, &["fe80::/10"]) {
        AddressClass::LinkLocal
    } else if in_net(addr, &["fd00:ec2::254/128"]) {
        AddressClass::Metadata
    } else if in_net(addr, &["fc00::/7"]) {
        AddressClass::Private
    } else if ip.is_multicast() {
        AddressClass::Multicast
    } else if in_net(addr, &["2001:db8::/32"]) {
        AddressClass::Documentation
    } else if in_net(
        addr,
        &[
            "::/96",
            "64:ff9b::/96",
            "64:ff9b:1::/48",
            "100::/64",
            "2001::/23",
            "2002::/16",
            "fec0::/10",
        ],
    ) {
        AddressClass::Reserved
    } else {
        AddressClass::Public
    }
}

/// Whether a delivery may connect to `ip`: public addresses always; loopback, private and the other set-aside
/// ranges only when `allow` (`MEDCREDIT_WEBHOOK_ALLOW`) lists them; link-local, metadata and unspecified
/// addresses never.
pub fn check_address(ip: IpAddr, allow: &[IpNet]) -> Result<(), crate::i18n::Msg> {
    let ip = canonical(ip);
    let class = classify(ip);
    if class == AddressClass::Public {
        return Ok(());
    }
    if !class.never() && allow.iter().any(|net| net.contains(&ip)) {
        return Ok(());
    }
    Err(msg!(
        "is-a-address-which-webhooks-may-not",
        ip = ip.to_string(),
        detail = (match class {
            AddressClass::Loopback => "loopback",
            AddressClass::Private => "private",
            AddressClass::LinkLocal => "link-local (metadata)",
            AddressClass::Metadata => "metadata",
            AddressClass::Unspecified => "unspecified",
            AddressClass::Multicast => "multicast",
            AddressClass::Documentation => "documentation",
            AddressClass::Reserved | AddressClass::Public => "reserved",
        })
        .to_string()
    ))
}

/// A webhook URL's shape: `http` or `https`, a host, no userinfo, at most 2000 characters, and no control
/// character or whitespace anywhere (a URL parser would silently drop a tab, and show a different URL than the
/// one stored). Numeric host spellings (decimal, octal, hex) come back as the address they mean.
pub fn check_url(raw: &str) -> Result<Url, crate::i18n::Msg> {
    if raw.len() > 2000 {
        return Err(msg!("must-be-at-most-2000-characters"));
    }
    if raw.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(msg!("must-not-contain-whitespace-or-control-characters"));
    }
    // A parser reads `http:///hook` as the host `hook`: the authority must be written, not inferred.
    let (_, rest) = raw
        .split_once("://")
        .ok_or_else(|| msg!("must-be-an-http-or-https-url"))?;
    if rest.is_empty() || rest.starts_with(['/', '?', '#', ':', '@']) {
        return Err(msg!("must-name-a-host"));
    }
    let url = Url::parse(raw).map_err(|e| msg!("url-invalid", detail = e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(msg!("must-be-an-http-or-https-url"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(msg!("must-not-carry-a-user-name-or"));
    }
    match url.host() {
        None => Err(msg!("must-name-a-host")),
        Some(Host::Domain("")) => Err(msg!("must-name-a-host")),
        Some(_) => Ok(url),
    }
}

/// The address a URL names literally, if its host is one.
pub fn literal_address(url: &Url) -> Option<IpAddr> {
    match url.host()? {
        Host::Ipv4(v4) => Some(IpAddr::V4(v4)),
        Host::Ipv6(v6) => Some(IpAddr::V6(v6)),
        Host::Domain(_) => None,
    }
}

/// `MEDCREDIT_WEBHOOK_ALLOW`: CIDRs separated by commas or spaces.
pub fn parse_allow_list(text: &str) -> Result<Vec<IpNet>, String> {
    text.split([',', ' '])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<IpNet>()
                .or_else(|_| s.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| format!("{s:?} is not a CIDR such as 10.0.0.0/8"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(url: &str, allow: &[IpNet]) -> bool {
        match check_url(url) {
            Err(_) => true,
            Ok(u) => literal_address(&u).is_some_and(|ip| check_address(ip, allow).is_err()),
        }
    }

    #[test]
    fn the_metadata_service_is_refused_however_it_is_spelt() {
        let loopback: Vec<IpNet> =
            parse_allow_list("127.0.0.0/8, 169.254.0.0/16, 0.0.0.0/0").unwrap();
        for url in [
            "http://169.254.169.254/latest/meta-data/",
            "http://2852039166/",
            "http://0251.0376.0251.0376/",
            "http://0xa9.0xfe.0xa9.0xfe/",
            "http://0xA9FEA9FE/",
            "http://[::ffff:169.254.169.254]/",
            "http://[::ffff:a9fe:a9fe]/",
            "http://partner.example.com@169.254.169.254/",
            "http://[fe80::1]/",
            "http://0.0.0.0/",
            "http://[::]/",
            "http:///hook",
            "http://\texample.com/",
            "http://exa mple.com/",
            "file:///etc/passwd",
            "gopher://example.com/",
            "http://[fd00:ec2::254]/",
        ] {
            assert!(refused(url, &loopback), "{url} passed");
        }
    }

    #[test]
    fn private_and_loopback_pass_only_when_allowed() {
        for url in [
            "http://127.0.0.1:9000/hook",
            "http://10.1.2.3/",
            "http://192.168.0.9/",
            "http://[fc00::1]/",
            "http://100.64.0.1/",
        ] {
            assert!(refused(url, &[]), "{url} passed with no allow list");
        }
        let allow = parse_allow_list("127.0.0.0/8 10.0.0.0/8").unwrap();
        assert!(!refused("http://127.0.0.1:9000/hook", &allow));
        assert!(!refused("http://10.1.2.3/", &allow));
        assert!(refused("http://192.168.0.9/", &allow));
        assert!(!refused("https://93.184.216.34/hook", &[]));
        assert!(!refused("https://partner.example.com/hook", &[]));
    }
}
