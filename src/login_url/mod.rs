//! The login URL policy: which Salesforce authorization servers sftoken talks to.
//!
//! Tokens and the client secret are only ever sent to a host this module accepts:
//! https on a Salesforce domain. Anything else, a loopback address (a local
//! mock) included, needs the explicit `--allow-any-login-url` opt-out, which a
//! [`LoginUrl`] carries with it as its [`HostPolicy`], so every later decision
//! about where a token may go asks the URL itself.

mod hosts;

use url::{Host, Url};

pub use hosts::{Environment, SALESFORCE_DOMAINS};
use hosts::{generic_host_of, is_instance, is_salesforce_host, lightning_to_my_domain};

pub const PRODUCTION: &str = "https://login.salesforce.com";
pub const SANDBOX: &str = "https://test.salesforce.com";

/// Which hosts sftoken talks to and sends tokens to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum HostPolicy {
    /// https on a Salesforce domain.
    #[default]
    Salesforce,
    /// `--allow-any-login-url`: any http(s) host, for a server the user
    /// controls (a local mock); tokens then go wherever Salesforce's answers
    /// point.
    Any,
    /// `--allow-any-login-url --loopback-generic-host`, for tests: as
    /// [`Self::Any`], and `http://localhost:PORT` is the generic login host
    /// of `http://127.0.0.1:PORT`, as the test mock plays login.salesforce.com
    /// beside a My Domain. The second host is the same port on this computer.
    AnyWithLoopbackGeneric,
}

/// A login URL that passed the policy: an origin such as `https://acme.my.salesforce.com`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoginUrl {
    origin: String,
    policy: HostPolicy,
    /// What was changed from the input, said to the user (for example a Lightning URL).
    pub note: Option<String>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum LoginUrlError {
    #[error(
        "No login URL was given: give the address of any Salesforce page of your org, such as its Setup page, or https://login.salesforce.com (production) or https://test.salesforce.com (sandbox)."
    )]
    Empty,
    #[error(
        "The login URL \"{0}\" is not a web address; use https://login.salesforce.com, https://test.salesforce.com or your My Domain URL."
    )]
    NotAUrl(String),
    #[error("The login URL must use https; got \"{0}\".")]
    NotHttps(String),
    #[error(
        "\"{0}\" is this computer, not Salesforce, so sftoken will not send your secret there; pass --allow-any-login-url only to test against a server you control."
    )]
    Loopback(String),
    #[error(
        "\"{0}\" is not a Salesforce host, so sftoken will not send your secret there; use your My Domain URL (ending in .my.salesforce.com), or pass --allow-any-login-url if you really mean it."
    )]
    NotSalesforce(String),
}

impl LoginUrl {
    /// Checks and normalizes what a user typed or pasted: trims spaces, paths,
    /// queries and trailing slashes, and turns the address of any of an org's
    /// pages (Lightning, Setup, its sites) into its My Domain.
    pub fn parse(input: &str, policy: HostPolicy) -> Result<Self, LoginUrlError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(LoginUrlError::Empty);
        }
        let has_scheme = trimmed.split_once("://").is_some_and(|(scheme, _)| {
            !scheme.is_empty()
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '.' | '-'))
        });
        let with_scheme = if has_scheme {
            trimmed.to_owned()
        } else {
            format!("https://{trimmed}")
        };
        let url = Url::parse(&with_scheme).map_err(|_| LoginUrlError::NotAUrl(shown(input)))?;
        // The URL crate's own serialization, so the origin is the browser's.
        let Some(host) = url.host_str().map(str::to_ascii_lowercase) else {
            return Err(LoginUrlError::NotAUrl(shown(input)));
        };
        let loopback = is_loopback(url.host());
        let (host, note) = match lightning_to_my_domain(&host) {
            Some((my_domain, kind)) => {
                let note = format!(
                    "{host} is a {kind} address; sftoken uses its org's My Domain login URL https://{my_domain} instead."
                );
                (my_domain, Some(note))
            }
            None => (host, None),
        };
        if policy == HostPolicy::Salesforce {
            if loopback {
                return Err(LoginUrlError::Loopback(shown(input)));
            }
            match url.scheme() {
                "https" => {}
                "http" => return Err(LoginUrlError::NotHttps(shown(input))),
                _ => return Err(LoginUrlError::NotAUrl(shown(input))),
            }
            if !is_salesforce_host(&host) {
                return Err(LoginUrlError::NotSalesforce(host));
            }
        } else if !matches!(url.scheme(), "http" | "https") {
            return Err(LoginUrlError::NotAUrl(shown(input)));
        }
        let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
        Ok(Self {
            origin: format!("{}://{host}{port}", url.scheme()),
            policy,
            note,
        })
    }

    pub fn as_str(&self) -> &str {
        &self.origin
    }

    pub fn policy(&self) -> HostPolicy {
        self.policy
    }

    /// `https://login.salesforce.com/services/oauth2/token` and friends.
    pub fn endpoint(&self, path: &str) -> String {
        format!("{}{path}", self.origin)
    }

    /// Production or sandbox, when the host says so (see [`hosts::environment_of`]).
    pub fn environment(&self) -> Option<Environment> {
        let host = Url::parse(&self.origin).ok()?.host_str()?.to_owned();
        hosts::environment_of(&host)
    }

    /// The generic login host of this login URL's environment, when this is
    /// a My Domain that has one: `https://login.salesforce.com` for a
    /// production My Domain, `https://test.salesforce.com` for a sandbox's
    /// (see [`hosts::generic_host_of`]). The token check runs the refresh
    /// grant there too, and shows it only if it works.
    pub fn generic_host(&self) -> Option<LoginUrl> {
        let url = Url::parse(&self.origin).ok()?;
        let host = url.host_str()?;
        let origin = match (self.policy, url.port()) {
            (HostPolicy::AnyWithLoopbackGeneric, Some(port)) if host == "127.0.0.1" => {
                format!("{}://localhost:{port}", url.scheme())
            }
            _ => generic_host_of(host)?.to_owned(),
        };
        Some(Self {
            origin,
            policy: self.policy,
            note: None,
        })
    }

    /// What to say about a login URL that is taken but not advised: an
    /// instance (`na1.salesforce.com`) is a Salesforce host, so the contract
    /// accepts it, but it names no org.
    pub fn warning(&self) -> Option<String> {
        let host = Url::parse(&self.origin).ok()?.host_str()?.to_owned();
        is_instance(&host).then(|| format!(
            "{host} is a Salesforce instance, shared by many orgs: it does not name your org's My Domain, and Salesforce advises against signing in through it. If signing in fails, give the address of a Lightning or Setup page of your org, or its My Domain (Setup → My Domain)."
        ))
    }

    /// May sftoken send a token to `url`? Asked of the `instance_url` and the
    /// identity URL that come back from Salesforce, before a bearer token goes
    /// there.
    pub fn may_receive_token(&self, url: &str) -> bool {
        let Ok(parsed) = Url::parse(url) else {
            return false;
        };
        if self.policy != HostPolicy::Salesforce
            || parsed.origin().ascii_serialization() == self.origin
        {
            return true;
        }
        // Besides the login host itself, only https Salesforce hosts.
        match (parsed.scheme(), parsed.host()) {
            ("https", Some(Host::Domain(d))) => is_salesforce_host(&d.to_ascii_lowercase()),
            _ => false,
        }
    }
}

impl std::fmt::Display for LoginUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.origin)
    }
}

fn is_loopback(host: Option<Host<&str>>) -> bool {
    match host {
        Some(Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// The user's input, shortened for an error message.
fn shown(input: &str) -> String {
    let trimmed = input.trim();
    match trimmed.char_indices().nth(80) {
        Some((cut, _)) => format!("{}…", &trimmed[..cut]),
        None => trimmed.to_owned(),
    }
}

#[cfg(test)]
mod tests;
