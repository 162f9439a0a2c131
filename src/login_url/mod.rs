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
use hosts::{is_salesforce_host, lightning_to_my_domain};

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
    /// queries and trailing slashes, and turns a Lightning address into its My Domain.
    pub fn parse(input: &str, policy: HostPolicy) -> Result<Self, LoginUrlError> {
        let trimmed = input.trim();
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
            Some(my_domain) => {
                let note = format!(
                    "{host} is a Lightning address; sftoken uses its My Domain login URL https://{my_domain} instead."
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

    /// May sftoken send a token to `url`? Asked of the `instance_url` and the
    /// identity URL that come back from Salesforce, before a bearer token goes
    /// there.
    pub fn may_receive_token(&self, url: &str) -> bool {
        let Ok(parsed) = Url::parse(url) else {
            return false;
        };
        if self.policy == HostPolicy::Any || parsed.origin().ascii_serialization() == self.origin {
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
mod tests {
    use super::*;

    fn ok(input: &str) -> String {
        LoginUrl::parse(input, HostPolicy::Salesforce)
            .map(|u| u.to_string())
            .unwrap_or_else(|e| panic!("{input}: {e}"))
    }

    #[test]
    fn production_sandbox_and_my_domain_are_kept_as_origins() {
        assert_eq!(ok("https://login.salesforce.com"), PRODUCTION);
        assert_eq!(ok("https://test.salesforce.com/"), SANDBOX);
        assert_eq!(
            ok("  https://Acme.my.salesforce.com/services/oauth2/authorize?x=1 "),
            "https://acme.my.salesforce.com"
        );
        assert_eq!(
            ok("acme--uat.sandbox.my.salesforce.com"),
            "https://acme--uat.sandbox.my.salesforce.com"
        );
    }

    #[test]
    fn lightning_urls_become_my_domain_with_a_note() {
        let url = LoginUrl::parse(
            "https://acme.lightning.force.com/lightning/setup/Home",
            HostPolicy::Salesforce,
        )
        .expect("lightning URL");
        assert_eq!(url.as_str(), "https://acme.my.salesforce.com");
        assert!(url.note.expect("note").contains("Lightning"));
        for (lightning, login) in [
            (
                "https://acme.lightning.crmforce.mil/lightning/page/home",
                "https://acme.my.salesforce.mil",
            ),
            (
                "acme.lightning.sfcrmapps.cn",
                "https://acme.my.sfcrmproducts.cn",
            ),
            (
                "https://acme.my-lightning.com",
                "https://acme.my-salesforce.com",
            ),
        ] {
            assert_eq!(ok(lightning), login, "{lightning}");
        }
    }

    #[test]
    fn the_environment_comes_from_the_login_host() {
        let environment = |input: &str| {
            LoginUrl::parse(input, HostPolicy::Any)
                .expect("url")
                .environment()
        };
        assert_eq!(environment(PRODUCTION), Some(Environment::Production));
        assert_eq!(environment(SANDBOX), Some(Environment::Sandbox));
        assert_eq!(
            environment("https://acme--uat.my.salesforce.com"),
            Some(Environment::Sandbox)
        );
        assert_eq!(environment("http://127.0.0.1:4000"), None);
    }

    #[test]
    fn loopback_is_refused_without_the_opt_out() {
        for input in [
            "http://127.0.0.1:4000/",
            "http://localhost:4000",
            "http://[::1]:4000",
            "https://127.0.0.2",
            "localhost",
        ] {
            assert!(
                matches!(
                    LoginUrl::parse(input, HostPolicy::Salesforce),
                    Err(LoginUrlError::Loopback(_))
                ),
                "{input}"
            );
            assert!(LoginUrl::parse(input, HostPolicy::Any).is_ok(), "{input}");
        }
        let mock = LoginUrl::parse("http://127.0.0.1:4000/", HostPolicy::Any).expect("opt-out");
        assert_eq!(mock.as_str(), "http://127.0.0.1:4000");
    }

    #[test]
    fn foreign_hosts_and_plain_http_are_refused() {
        assert!(matches!(
            LoginUrl::parse("https://evil.example.com", HostPolicy::Salesforce),
            Err(LoginUrlError::NotSalesforce(_))
        ));
        assert!(matches!(
            LoginUrl::parse(
                "https://salesforce.com.evil.example",
                HostPolicy::Salesforce
            ),
            Err(LoginUrlError::NotSalesforce(_))
        ));
        assert!(matches!(
            LoginUrl::parse("https://notsalesforce.com", HostPolicy::Salesforce),
            Err(LoginUrlError::NotSalesforce(_))
        ));
        assert!(matches!(
            LoginUrl::parse("http://login.salesforce.com", HostPolicy::Salesforce),
            Err(LoginUrlError::NotHttps(_))
        ));
        assert!(matches!(
            LoginUrl::parse("ftp://login.salesforce.com", HostPolicy::Salesforce),
            Err(LoginUrlError::NotAUrl(_))
        ));
        assert!(LoginUrl::parse("", HostPolicy::Salesforce).is_err());
    }

    #[test]
    fn the_opt_out_accepts_any_http_host() {
        let url = LoginUrl::parse("http://mock.internal:8080/x", HostPolicy::Any).expect("allowed");
        assert_eq!(url.as_str(), "http://mock.internal:8080");
    }

    #[test]
    fn an_address_without_a_scheme_may_carry_one_later_in_its_query() {
        assert_eq!(
            ok("acme.my.salesforce.com/login?next=https://x"),
            "https://acme.my.salesforce.com"
        );
    }

    #[test]
    fn the_policy_travels_with_the_url() {
        let any = LoginUrl::parse("http://127.0.0.1:4000", HostPolicy::Any).expect("opt-out");
        assert_eq!(any.policy(), HostPolicy::Any);
        let strict = LoginUrl::parse(PRODUCTION, HostPolicy::Salesforce).expect("production");
        assert_eq!(strict.policy(), HostPolicy::Salesforce);
    }

    #[test]
    fn a_refusal_names_what_was_typed_shortened_to_80_characters() {
        let typed = "http://login.salesforce.com/x";
        let said = LoginUrl::parse(typed, HostPolicy::Salesforce)
            .expect_err("plain http")
            .to_string();
        assert!(said.contains(typed), "{said}");
        let long = format!("http://{}.salesforce.com", "a".repeat(100));
        let said = LoginUrl::parse(&long, HostPolicy::Salesforce)
            .expect_err("plain http")
            .to_string();
        assert!(said.contains(&format!("{}…", &long[..80])), "{said}");
        assert!(!said.contains(&long), "{said}");
    }

    #[test]
    fn tokens_only_go_to_salesforce_or_the_login_host() {
        let login = LoginUrl::parse("https://acme.my.salesforce.com", HostPolicy::Salesforce)
            .expect("login");
        assert!(login.may_receive_token("https://acme.my.salesforce.com/id/00D/005"));
        assert!(login.may_receive_token("https://na1.salesforce.com/services/data/"));
        assert!(!login.may_receive_token("https://evil.example/id"));
        assert!(!login.may_receive_token("http://acme.my.salesforce.com"));
        assert!(!login.may_receive_token("http://127.0.0.1:4001/id"));
        assert!(!login.may_receive_token("not a url"));
        let production = LoginUrl::parse(PRODUCTION, HostPolicy::Salesforce).expect("production");
        assert!(!production.may_receive_token("http://127.0.0.1:4000/id"));
        let mock = LoginUrl::parse("http://127.0.0.1:4000", HostPolicy::Any).expect("mock");
        assert!(mock.may_receive_token("http://127.0.0.1:4000/id/1/2"));
        assert!(mock.may_receive_token("https://evil.example/id"));
    }
}
