//! The active-user preview: users counted by type and email domain as each
//! page of the query arrives, keeping only the totals.

use std::collections::{BTreeMap, HashMap};

use serde::Deserialize;

use super::report::{DomainCount, TypeCount, UserPreview};

/// User types the connector leaves out of its consolidated user data, as the
/// API spells them (`User.UserType`); compare with [`is_left_out`].
pub const LEFT_OUT_USER_TYPES: [&str; 4] = [
    "PowerPartner",
    "CspLitePortal",
    "CustomerSuccess",
    "PowerCustomerSuccess",
];

/// Does the connector leave users of this type out? Without regard to case:
/// the connector's guide and the API spell `CspLitePortal` differently.
pub fn is_left_out(user_type: &str) -> bool {
    LEFT_OUT_USER_TYPES
        .iter()
        .any(|left_out| left_out.eq_ignore_ascii_case(user_type))
}

/// Salesforce's own label for each `User.UserType` value, the name an admin
/// sees in Setup (docs/salesforce.md, "User types").
const USER_TYPE_LABELS: [(&str, &str); 5] = [
    ("PowerPartner", "Partner"),
    ("CspLitePortal", "High Volume Portal"),
    ("CustomerSuccess", "Customer Portal User"),
    ("PowerCustomerSuccess", "Customer Portal Manager"),
    ("CsnOnly", "Chatter Free"),
];

/// A user type by its everyday name first, then as the API spells it:
/// `CspLitePortal` → "High Volume Portal (CspLitePortal)"; a value without
/// a label of its own (`Standard`) stays as it is.
pub fn user_type_name(user_type: &str) -> String {
    USER_TYPE_LABELS
        .iter()
        .find(|(value, _)| value.eq_ignore_ascii_case(user_type))
        .map_or_else(
            || user_type.to_owned(),
            |(_, label)| format!("{label} ({user_type})"),
        )
}

/// The fields of a user the preview needs; the rest of each record is skipped.
#[derive(Deserialize)]
pub(super) struct UserRow {
    #[serde(rename = "Email")]
    email: Option<String>,
    #[serde(rename = "UserType")]
    user_type: Option<String>,
}

/// Counts users as pages arrive, keeping only the totals.
#[derive(Default)]
pub struct UserTally {
    active: u64,
    without_email: u64,
    by_type: BTreeMap<String, u64>,
    domains: HashMap<String, u64>,
}

impl UserTally {
    pub(super) fn add(&mut self, user: UserRow) {
        self.active += 1;
        let user_type = user.user_type.unwrap_or_else(|| "Unknown".to_owned());
        *self.by_type.entry(user_type).or_default() += 1;
        match user.email.as_deref().and_then(email_domain) {
            Some(domain) => *self.domains.entry(domain).or_default() += 1,
            None => self.without_email += 1,
        }
    }

    /// Users counted so far.
    pub(super) fn active(&self) -> u64 {
        self.active
    }

    pub(super) fn preview(&self) -> UserPreview {
        let mut domains: Vec<DomainCount> = self
            .domains
            .iter()
            .map(|(domain, &count)| DomainCount {
                domain: domain.clone(),
                count,
            })
            .collect();
        domains.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.domain.cmp(&b.domain)));
        UserPreview {
            active_users: self.active,
            by_type: self
                .by_type
                .iter()
                .map(|(user_type, &count)| TypeCount {
                    left_out: is_left_out(user_type),
                    user_type: user_type.clone(),
                    count,
                })
                .collect(),
            without_email: self.without_email,
            domains,
            warning: None,
        }
    }
}

/// `Ada@ACME.com ` → `acme.com`; no `@` or nothing after it → no domain.
pub fn email_domain(email: &str) -> Option<String> {
    let (_, domain) = email.trim().rsplit_once('@')?;
    let domain = domain
        .trim()
        .trim_end_matches('.')
        .trim()
        .to_ascii_lowercase();
    (!domain.is_empty()).then_some(domain)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn left_out_user_types_are_compared_without_regard_to_case() {
        for user_type in [
            "CspLitePortal",
            "CSPLitePortal",
            "powerpartner",
            "PowerCustomerSuccess",
            "CustomerSuccess",
        ] {
            assert!(is_left_out(user_type), "{user_type}");
        }
        for user_type in ["Standard", "CsnOnly", "Guest", "CspLite"] {
            assert!(!is_left_out(user_type), "{user_type}");
        }
    }

    #[test]
    fn user_types_go_by_salesforces_label_before_the_api_value() {
        assert_eq!(
            user_type_name("CspLitePortal"),
            "High Volume Portal (CspLitePortal)"
        );
        assert_eq!(
            user_type_name("CSPLitePortal"),
            "High Volume Portal (CSPLitePortal)"
        );
        assert_eq!(user_type_name("PowerPartner"), "Partner (PowerPartner)");
        assert_eq!(user_type_name("Standard"), "Standard");
        assert_eq!(user_type_name("Unknown"), "Unknown");
    }

    #[test]
    fn email_domains_are_lower_cased_and_trimmed() {
        assert_eq!(email_domain("Ada@ACME.com").as_deref(), Some("acme.com"));
        assert_eq!(
            email_domain(" x@Sub.Acme.CO.UK. ").as_deref(),
            Some("sub.acme.co.uk")
        );
        assert_eq!(email_domain("no-at-sign"), None);
        assert_eq!(email_domain("x@"), None);
    }

    #[test]
    fn the_tally_counts_types_domains_and_missing_emails() {
        let mut tally = UserTally::default();
        for (email, user_type) in [
            (Some("a@acme.com"), "Standard"),
            (Some("b@ACME.COM"), "Standard"),
            (None, "Standard"),
            (Some("p@partner.example"), "PowerPartner"),
        ] {
            tally.add(UserRow {
                email: email.map(str::to_owned),
                user_type: Some(user_type.to_owned()),
            });
        }
        let preview = tally.preview();
        assert_eq!(preview.active_users, 4);
        assert_eq!(preview.without_email, 1);
        assert_eq!(
            preview.domains,
            [
                DomainCount {
                    domain: "acme.com".into(),
                    count: 2
                },
                DomainCount {
                    domain: "partner.example".into(),
                    count: 1
                },
            ]
        );
        assert!(preview.by_type.contains(&TypeCount {
            user_type: "PowerPartner".into(),
            count: 1,
            left_out: true
        }));
    }
}
