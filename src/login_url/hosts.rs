//! Salesforce's host names: which domains are Salesforce's, how an address
//! of an org's pages maps to its My Domain login host, which hosts are an
//! instance rather than an org, which My Domain hosts are sandboxes, and which
//! generic login host a My Domain has.
//!
//! The domain families are those of sfdx-core's `SfdcUrl`
//! (`src/util/sfdcUrl.ts`, `toLightningDomain`, and its tests in
//! `test/unit/util/sfdcUrlTest.ts`): commercial, Government Cloud Plus
//! (`.mil`), Salesforce on Alibaba Cloud (China) and the alternative
//! `my-salesforce.com` domains. The sites' hosts and the instances are from
//! Salesforce Help's pages on My Domain. docs/salesforce.md lists them with
//! sources.

/// Domains Salesforce serves OAuth and REST from. A host matches when it is one of
/// these or ends with `.` followed by one of these.
pub const SALESFORCE_DOMAINS: &[&str] = &[
    "salesforce.com",
    "force.com",
    "site.com",
    "cloudforce.com",
    "database.com",
    "salesforce.mil",
    "force.mil",
    "crmforce.mil",
    "sfcrmapps.cn",
    "sfcrmproducts.cn",
    "my-salesforce.com",
];

/// Where an org's pages live, and the My Domain login host each maps to:
/// `(suffix of the page's host, suffix of the My Domain host, what the page is)`.
/// The part before the suffix is the My Domain name, with its partition
/// (`acme--uat.sandbox`), in every family.
const TO_MY_DOMAIN: &[(&str, &str, &str)] = &[
    // Commercial: acme.lightning.force.com, acme--uat.sandbox.lightning.force.com.
    (".lightning.force.com", ".my.salesforce.com", "Lightning"),
    // The Setup domain: acme.my.salesforce-setup.com.
    (".my.salesforce-setup.com", ".my.salesforce.com", "Setup"),
    // With enhanced domains (enforced since Winter '24) the org's sites carry
    // its My Domain name: acme.my.site.com, acme.my.salesforce-sites.com.
    (
        ".my.site.com",
        ".my.salesforce.com",
        "Experience Cloud site",
    ),
    (
        ".my.salesforce-sites.com",
        ".my.salesforce.com",
        "Salesforce Sites",
    ),
    // Government Cloud Plus: acme.lightning.crmforce.mil.
    (".lightning.crmforce.mil", ".my.salesforce.mil", "Lightning"),
    // China (Salesforce on Alibaba Cloud): acme.lightning.sfcrmapps.cn.
    (
        ".lightning.sfcrmapps.cn",
        ".my.sfcrmproducts.cn",
        "Lightning",
    ),
    // Alternative domains: acme.my-lightning.com.
    (".my-lightning.com", ".my-salesforce.com", "Lightning"),
];

/// The My Domain login host suffix of each family.
const MY_DOMAIN_SUFFIXES: &[&str] = &[
    ".my.salesforce.com",
    ".my.salesforce.mil",
    ".my.sfcrmproducts.cn",
    ".my-salesforce.com",
];

/// Partitions of a My Domain that are neither production nor a sandbox
/// (Developer Edition, scratch, demo, patch, Trailhead and free orgs).
const OTHER_PARTITIONS: &[&str] = &[
    ".develop",
    ".scratch",
    ".demo",
    ".patch",
    ".trailblaze",
    ".free",
];

/// The My Domain host suffix of the commercial family, the only family whose
/// generic login hosts Salesforce documents (docs/salesforce.md, "The Login
/// URL shown").
const COMMERCIAL_MY_DOMAIN: &str = ".my.salesforce.com";

/// Which kind of org a login host serves, when the host says so.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Environment {
    Production,
    Sandbox,
}

impl Environment {
    /// As the page and the terminal say it.
    pub fn name(self) -> &'static str {
        match self {
            Environment::Production => "production",
            Environment::Sandbox => "sandbox",
        }
    }
}

pub fn is_salesforce_host(host: &str) -> bool {
    SALESFORCE_DOMAINS.iter().any(|domain| {
        host == *domain
            || host
                .strip_suffix(domain)
                .is_some_and(|rest| rest.ends_with('.'))
    })
}

/// `acme.lightning.force.com` → `acme.my.salesforce.com` and what the page
/// was ("Lightning"), and the same for the Setup domain, the sites and the
/// other families.
pub fn lightning_to_my_domain(host: &str) -> Option<(String, &'static str)> {
    TO_MY_DOMAIN.iter().find_map(|(page, my_domain, kind)| {
        let prefix = host.strip_suffix(page)?;
        (!prefix.is_empty()).then(|| (format!("{prefix}{my_domain}"), *kind))
    })
}

/// An instance's host, `na1.salesforce.com` or `cs42.salesforce.com`: a
/// server many orgs share, so it does not name the org, and its name changes
/// when the org moves (Salesforce Help, "My Domain Considerations").
pub fn is_instance(host: &str) -> bool {
    let Some(name) = host.strip_suffix(".salesforce.com") else {
        return false;
    };
    // Letters, then a number, then perhaps letters: na1, cs42, usa2s.
    let after_letters = name.trim_start_matches(|c: char| c.is_ascii_lowercase());
    let after_number = after_letters.trim_start_matches(|c: char| c.is_ascii_digit());
    after_letters.len() < name.len()
        && after_number.len() < after_letters.len()
        && after_number.chars().all(|c| c.is_ascii_lowercase())
}

/// Production or sandbox, from the host alone:
/// - `login.salesforce.com` and `test.salesforce.com`;
/// - a My Domain with enhanced domains, `acme--uat.sandbox.my.salesforce.com`;
/// - an older My Domain sandbox, `acme--uat.my.salesforce.com`: the sandbox
///   name follows `--` in the first label;
/// - any other My Domain, `acme.my.salesforce.com`, is production.
///
/// `None` when the host does not say (a Developer Edition or scratch org's
/// partition, an Experience Cloud site, a test server).
pub fn environment_of(host: &str) -> Option<Environment> {
    match host {
        "login.salesforce.com" => return Some(Environment::Production),
        "test.salesforce.com" => return Some(Environment::Sandbox),
        _ => {}
    }
    let prefix = MY_DOMAIN_SUFFIXES
        .iter()
        .find_map(|suffix| host.strip_suffix(suffix))
        .filter(|prefix| !prefix.is_empty())?;
    let first_label = prefix.split('.').next().unwrap_or_default();
    if prefix.ends_with(".sandbox") || first_label.contains("--") {
        Some(Environment::Sandbox)
    } else if OTHER_PARTITIONS.iter().any(|p| prefix.ends_with(p)) {
        None
    } else {
        Some(Environment::Production)
    }
}

/// The generic login host of a commercial My Domain's environment:
/// `login.salesforce.com` for production, `test.salesforce.com` for a
/// sandbox. `None` for a generic host itself, for a partition that is neither
/// (Developer Edition, scratch, …), and for the other families, whose generic
/// hosts no Salesforce source names.
pub fn generic_host_of(host: &str) -> Option<&'static str> {
    if !host.ends_with(COMMERCIAL_MY_DOMAIN) {
        return None;
    }
    match environment_of(host)? {
        Environment::Production => Some(super::PRODUCTION),
        Environment::Sandbox => Some(super::SANDBOX),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_lightning_family_of_sfdx_core_maps_to_its_my_domain() {
        for (lightning, my_domain) in [
            ("acme.lightning.force.com", "acme.my.salesforce.com"),
            (
                "acme--uat.sandbox.lightning.force.com",
                "acme--uat.sandbox.my.salesforce.com",
            ),
            ("acme.my.salesforce-setup.com", "acme.my.salesforce.com"),
            ("acme.lightning.crmforce.mil", "acme.my.salesforce.mil"),
            (
                "acme--sbx.sandbox.lightning.crmforce.mil",
                "acme--sbx.sandbox.my.salesforce.mil",
            ),
            ("acme.lightning.sfcrmapps.cn", "acme.my.sfcrmproducts.cn"),
            (
                "acme--sbx.sandbox.lightning.sfcrmapps.cn",
                "acme--sbx.sandbox.my.sfcrmproducts.cn",
            ),
            ("acme.my-lightning.com", "acme.my-salesforce.com"),
        ] {
            assert_eq!(
                lightning_to_my_domain(lightning)
                    .map(|(host, _)| host)
                    .as_deref(),
                Some(my_domain),
                "{lightning}"
            );
            assert!(is_salesforce_host(my_domain), "{my_domain}");
        }
        assert_eq!(lightning_to_my_domain("acme.my.salesforce.com"), None);
        assert_eq!(lightning_to_my_domain("lightning.force.com"), None);
    }

    #[test]
    fn the_orgs_sites_map_to_its_my_domain_in_every_partition() {
        for (site, my_domain, kind) in [
            (
                "acme.my.site.com",
                "acme.my.salesforce.com",
                "Experience Cloud site",
            ),
            (
                "acme--uat.sandbox.my.site.com",
                "acme--uat.sandbox.my.salesforce.com",
                "Experience Cloud site",
            ),
            (
                "acme-dev-ed.develop.my.site.com",
                "acme-dev-ed.develop.my.salesforce.com",
                "Experience Cloud site",
            ),
            (
                "acme.my.salesforce-sites.com",
                "acme.my.salesforce.com",
                "Salesforce Sites",
            ),
            (
                "acme--uat.sandbox.my.salesforce-setup.com",
                "acme--uat.sandbox.my.salesforce.com",
                "Setup",
            ),
        ] {
            assert_eq!(
                lightning_to_my_domain(site),
                Some((my_domain.to_owned(), kind)),
                "{site}"
            );
        }
        assert_eq!(lightning_to_my_domain("my.site.com"), None);
        assert_eq!(lightning_to_my_domain("acme.site.com"), None);
    }

    #[test]
    fn instances_are_told_from_login_hosts_and_my_domains() {
        for instance in [
            "na1.salesforce.com",
            "cs42.salesforce.com",
            "eu12.salesforce.com",
            "usa2s.salesforce.com",
        ] {
            assert!(is_instance(instance), "{instance}");
        }
        for host in [
            "login.salesforce.com",
            "test.salesforce.com",
            "acme.my.salesforce.com",
            "acme1.my.salesforce.com",
            "na1.force.com",
            "1na.salesforce.com",
            "na.salesforce.com",
            "salesforce.com",
            ".salesforce.com",
            "na1-x.salesforce.com",
        ] {
            assert!(!is_instance(host), "{host}");
        }
    }

    #[test]
    fn sandboxes_are_told_by_host_in_both_my_domain_formats() {
        use Environment::{Production, Sandbox};
        for (host, expected) in [
            ("login.salesforce.com", Some(Production)),
            ("test.salesforce.com", Some(Sandbox)),
            ("acme.my.salesforce.com", Some(Production)),
            ("acme--uat.sandbox.my.salesforce.com", Some(Sandbox)),
            ("acme--uat.my.salesforce.com", Some(Sandbox)),
            ("acme.my.salesforce.mil", Some(Production)),
            ("acme--uat.sandbox.my.salesforce.mil", Some(Sandbox)),
            ("acme--uat.sandbox.my.sfcrmproducts.cn", Some(Sandbox)),
            ("uat.acme.sandbox.my-salesforce.com", Some(Sandbox)),
            ("acme-dev-ed.develop.my.salesforce.com", None),
            ("acme.scratch.my.salesforce.com", None),
            ("acme.my.site.com", None),
            ("127.0.0.1", None),
        ] {
            assert_eq!(environment_of(host), expected, "{host}");
        }
    }

    #[test]
    fn a_commercial_my_domain_has_its_environments_generic_host_and_no_other_host_has_one() {
        for (host, generic) in [
            (
                "acme.my.salesforce.com",
                Some("https://login.salesforce.com"),
            ),
            (
                "acme--uat.sandbox.my.salesforce.com",
                Some("https://test.salesforce.com"),
            ),
            (
                "acme--uat.my.salesforce.com",
                Some("https://test.salesforce.com"),
            ),
            ("login.salesforce.com", None),
            ("test.salesforce.com", None),
            ("acme-dev-ed.develop.my.salesforce.com", None),
            ("acme.scratch.my.salesforce.com", None),
            ("acme.my.salesforce.mil", None),
            ("acme--uat.sandbox.my.salesforce.mil", None),
            ("acme.my.sfcrmproducts.cn", None),
            ("acme.my-salesforce.com", None),
            ("acme.my.site.com", None),
            ("na1.salesforce.com", None),
            ("127.0.0.1", None),
        ] {
            assert_eq!(generic_host_of(host), generic, "{host}");
        }
    }

    #[test]
    fn salesforce_domains_match_whole_labels_only() {
        assert!(is_salesforce_host("acme.my.salesforce.com"));
        assert!(is_salesforce_host("salesforce.com"));
        assert!(!is_salesforce_host("notsalesforce.com"));
        assert!(!is_salesforce_host("salesforce.com.evil.example"));
    }
}
