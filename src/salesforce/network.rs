//! Telling network failures apart, so that a DNS failure, a refused
//! connection, TLS, a proxy that said no, and a timeout each get their own
//! advice, and none of them reads as "Salesforce refused the token".
//!
//! reqwest reports all of them as one "error sending request"; what failed
//! is in the chain of causes (hyper-util's "dns error", an `io::Error`'s
//! kind, a rustls error, hyper-util's "tunnel error"). A proxy's refusal does
//! not carry the proxy's answer, so sftoken asks the same proxy once more, with
//! a bare `CONNECT`, to name its status.

use std::error::Error;
use std::io::ErrorKind;
use std::time::Duration;

use hyper_util::client::proxy::matcher::Matcher;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// What went wrong on the way to Salesforce.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Failure {
    Timeout,
    Dns,
    Refused,
    /// The proxy would not open a tunnel (`CONNECT`) to the host.
    Proxy,
    Tls(String),
    Other(String),
}

/// Classifies a transport error by its chain of causes.
pub(super) fn classify(error: &(dyn Error + 'static)) -> Failure {
    let causes = causes(error);
    let innermost = causes.last().map(ToString::to_string).unwrap_or_default();
    let io_kind = |kind: ErrorKind| {
        causes.iter().any(|e| {
            e.downcast_ref::<std::io::Error>()
                .is_some_and(|io| io.kind() == kind)
        })
    };
    if io_kind(ErrorKind::TimedOut) {
        Failure::Timeout
    } else if causes
        .iter()
        .any(|e| e.to_string().starts_with("tunnel error"))
    {
        Failure::Proxy
    } else if causes
        .iter()
        .any(|e| e.downcast_ref::<rustls::Error>().is_some())
    {
        Failure::Tls(innermost)
    } else if io_kind(ErrorKind::ConnectionReset) && connecting(error) {
        // Cut after the TCP connection was made, before any answer: during
        // the TLS handshake, by a firewall that inspects HTTPS or a server
        // that does not speak it. Windows drops the unread bytes on a reset,
        // so there a plain-HTTP answer never reaches rustls as it does on
        // Linux ("corrupt message"): both are the same failed handshake.
        Failure::Tls(innermost)
    } else if causes.iter().any(|e| e.to_string() == "dns error") {
        Failure::Dns
    } else if io_kind(ErrorKind::ConnectionRefused) {
        Failure::Refused
    } else {
        Failure::Other(innermost)
    }
}

/// Whether reqwest failed while connecting (TCP, a proxy's tunnel, TLS),
/// before any request was sent.
fn connecting(error: &(dyn Error + 'static)) -> bool {
    error
        .downcast_ref::<reqwest::Error>()
        .is_some_and(reqwest::Error::is_connect)
}

/// The error and its causes, outermost first. An `io::Error` hides the error
/// it wraps from `source()`, so look inside those too.
fn causes<'a>(error: &'a (dyn Error + 'static)) -> Vec<&'a (dyn Error + 'static)> {
    let mut all = Vec::new();
    let mut next = Some(error);
    while let Some(error) = next {
        all.push(error);
        next = error.source().or_else(|| {
            error
                .downcast_ref::<std::io::Error>()
                .and_then(|io| io.get_ref())
                .map(|inner| inner as &(dyn Error + 'static))
        });
    }
    all
}

/// The proxy that requests to `url` go through (from `HTTPS_PROXY`,
/// `ALL_PROXY` or the system's settings, unless `NO_PROXY` exempts the host),
/// named as `host:port` without any user name or password, and its answer to
/// a `CONNECT` for that host, such as "HTTP 403 Forbidden".
pub(super) async fn ask_proxy(url: &str, timeout: Duration) -> Option<(String, Option<String>)> {
    let target: hyper::Uri = url.parse().ok()?;
    let proxy = Matcher::from_system().intercept(&target)?;
    let proxy_host = proxy.uri().host()?.to_owned();
    let default_port = if proxy.uri().scheme_str() == Some("https") {
        443
    } else {
        80
    };
    let proxy_port = proxy.uri().port_u16().unwrap_or(default_port);
    let name = format!("{proxy_host}:{proxy_port}");
    let authority = format!("{}:{}", target.host()?, target.port_u16().unwrap_or(443));
    let auth = proxy
        .basic_auth()
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let address = (proxy_host.trim_matches(['[', ']']).to_owned(), proxy_port);
    let answer = tokio::time::timeout(timeout, async move {
        let mut stream = tokio::net::TcpStream::connect(address).await.ok()?;
        let mut request = format!("CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\n");
        if let Some(auth) = auth {
            request.push_str(&format!("Proxy-Authorization: {auth}\r\n"));
        }
        request.push_str("\r\n");
        stream.write_all(request.as_bytes()).await.ok()?;
        let mut head = Vec::new();
        let mut buffer = [0u8; 256];
        while !head.contains(&b'\n') && head.len() < 1024 {
            let read = stream.read(&mut buffer).await.ok()?;
            if read == 0 {
                break;
            }
            head.extend_from_slice(&buffer[..read]);
        }
        status_of(&String::from_utf8_lossy(&head))
    })
    .await
    .ok()
    .flatten();
    Some((name, answer))
}

/// "HTTP 403 Forbidden" from a status line `HTTP/1.1 403 Forbidden`; the
/// reason phrase is the proxy's, so only a short printable part of it.
fn status_of(head: &str) -> Option<String> {
    let status = head
        .lines()
        .next()?
        .strip_prefix("HTTP/")?
        .split_once(' ')?
        .1;
    status.get(..3)?.parse::<u16>().ok()?;
    let status: String = status
        .chars()
        .filter(|c| c.is_ascii_graphic() || *c == ' ')
        .take(60)
        .collect();
    Some(format!("HTTP {}", status.trim()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An error with a message and a cause, as hyper-util's `ConnectError` is.
    #[derive(Debug)]
    struct Wrapped(&'static str, Option<std::io::Error>);

    impl std::fmt::Display for Wrapped {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(self.0)
        }
    }

    impl Error for Wrapped {
        fn source(&self) -> Option<&(dyn Error + 'static)> {
            self.1.as_ref().map(|e| e as _)
        }
    }

    #[test]
    fn a_failed_name_lookup_is_a_dns_failure() {
        let lookup = std::io::Error::other(
            "failed to lookup address information: Name or service not known",
        );
        let error = std::io::Error::other(Wrapped("dns error", Some(lookup)));

        assert_eq!(classify(&error), Failure::Dns);
    }

    #[test]
    fn each_cause_is_told_apart() {
        let refused = Wrapped(
            "tcp connect error",
            Some(std::io::Error::from(ErrorKind::ConnectionRefused)),
        );
        assert_eq!(classify(&refused), Failure::Refused);
        let timed_out = Wrapped("tcp connect error", Some(ErrorKind::TimedOut.into()));
        assert_eq!(classify(&timed_out), Failure::Timeout);
        let tunnel = Wrapped("tunnel error: unsuccessful", None);
        assert_eq!(classify(&tunnel), Failure::Proxy);
        let tls = std::io::Error::new(
            ErrorKind::InvalidData,
            rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer),
        );
        assert!(matches!(classify(&tls), Failure::Tls(reason) if reason.contains("UnknownIssuer")));
        let other = Wrapped("connection reset", Some(ErrorKind::ConnectionReset.into()));
        assert!(matches!(classify(&other), Failure::Other(_)));
    }

    #[test]
    fn a_proxy_status_line_is_read_and_trimmed() {
        assert_eq!(
            status_of("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n").as_deref(),
            Some("HTTP 403 Forbidden")
        );
        assert_eq!(
            status_of("HTTP/1.0 407 Proxy Authentication Required\r\n").as_deref(),
            Some("HTTP 407 Proxy Authentication Required")
        );
        assert_eq!(
            status_of("HTTP/1.1 502 Bad\u{1b}[2J Gateway\r\n").as_deref(),
            Some("HTTP 502 Bad[2J Gateway")
        );
        assert_eq!(status_of("SSH-2.0-OpenSSH\r\n"), None);
        assert_eq!(status_of(""), None);
    }
}
