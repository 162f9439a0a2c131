//! The report as plain text, for `sftoken check`: one line per finding, each
//! `status  Name: text`, in the order of [`CheckKind::ALL`]. Each line's text
//! goes through `plain_text::one_line`, since it may quote Salesforce (an org
//! name, an error description): a line break there would forge a line such
//! as `Refresh token: …`.

use super::{Finding, License, Permission, Report, Step};
use crate::plain_text::one_line;
use crate::salesforce::{Advice, Surface};
use crate::signin::user_type_name;

impl Report {
    /// The report as plain text, for `sftoken check`.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let mut line = |name: &str, status: &str, text: &str| {
            out.push_str(&format!("{status:>7}  {name}: {}\n", one_line(text)));
        };
        for (kind, step) in self.steps() {
            match step {
                Step::Ok(finding) => finding_lines(finding, &mut line),
                other => line(kind.label(), status_word(other), &step_text(other)),
            }
        }
        out
    }
}

/// The lines of a passed check.
fn finding_lines(finding: &Finding, line: &mut impl FnMut(&str, &str, &str)) {
    match finding {
        Finding::Token(token) => {
            for tried in &token.login_urls_tried {
                match &tried.refused {
                    None => {
                        let works = format!("token refresh works at {}.", tried.login_url);
                        line("Token", "ok", &works);
                    }
                    Some(refused) => {
                        let text = format!("not at {}: {}.", tried.login_url, said(refused));
                        line("Token", "not ok", &text);
                    }
                }
            }
            if let Some(reason) = &token.login_url_reason {
                line("Login URL", "ok", &format!("{}. {reason}", token.login_url));
            }
            let scopes = if token.scopes_missing.is_empty() {
                "ok"
            } else {
                "MISSING"
            };
            line("Scopes", scopes, &token.scopes_granted.join(" "));
            for fix in &token.scope_fixes {
                line("Scopes", "fix", fix);
            }
            if let Some(warning) = &token.warning {
                line("Rotation", "warning", warning);
            }
        }
        Finding::User(user) => {
            line(
                "User",
                "ok",
                &format!("{} ({})", user.display_name, user.username),
            );
        }
        Finding::Org(org) => {
            let kind = if org.is_sandbox {
                "sandbox"
            } else {
                "production"
            };
            let text = format!(
                "{} ({}), {}, {kind}; REST API v{}",
                org.name, org.id, org.edition, org.api_version
            );
            line("Org", "ok", &text);
            if let Some(warning) = &org.warning {
                line("Org", "warning", warning);
            }
        }
        Finding::Permissions(check) => {
            if check.missing.is_empty() {
                line(
                    "Permissions",
                    "ok",
                    &format!(
                        "the user has {}, as Snow's documentation asks for the connector's user.",
                        names(&check.granted)
                    ),
                );
            } else {
                line(
                    "Permissions",
                    "warning",
                    &format!(
                        "the user lacks {}, which Snow's documentation asks for the connector's user.",
                        names(&check.missing)
                    ),
                );
            }
            for fix in &check.fixes {
                line("Permissions", "fix", fix);
            }
            match &check.profiles_error {
                Some(advice) => line("Profiles", "FAILED", &advice_text(advice)),
                None => line(
                    "Profiles",
                    "ok",
                    &format!("{} read, as the connector reads them.", check.profiles),
                ),
            }
        }
        Finding::Licenses(licenses) => {
            let list = |all: &[License]| {
                all.iter()
                    .map(|l| format!("{} {} of {}", l.name, l.used, l.total))
                    .collect::<Vec<_>>()
                    .join("; ")
            };
            for (name, table, error) in [
                (
                    "Licenses",
                    &licenses.user_licenses,
                    &licenses.user_licenses_error,
                ),
                (
                    "Permission set licenses",
                    &licenses.permission_set_licenses,
                    &licenses.permission_set_licenses_error,
                ),
            ] {
                match error {
                    Some(advice) => line(name, "FAILED", &advice_text(advice)),
                    None => line(name, "ok", &list(table)),
                }
            }
        }
        Finding::Users(users) => {
            let types = users
                .by_type
                .iter()
                .map(|t| {
                    let left_out = if t.left_out {
                        " (left out by the connector)"
                    } else {
                        ""
                    };
                    format!("{} {}{left_out}", user_type_name(&t.user_type), t.count)
                })
                .collect::<Vec<_>>()
                .join(", ");
            let text = format!(
                "{} ({types}); {} without an email address",
                users.active_users, users.without_email
            );
            line("Active users", "ok", &text);
            if let Some(warning) = &users.warning {
                line("Active users", "warning", warning);
            }
            let domains = users
                .domains
                .iter()
                .map(|d| format!("{} {}", d.domain, d.count))
                .collect::<Vec<_>>()
                .join(", ");
            line("Email domains", "ok", &domains);
        }
    }
}

/// `"API Enabled", "View All Users"`: permissions by their names in Setup.
fn names(permissions: &[Permission]) -> String {
    permissions
        .iter()
        .map(|p| format!("\"{}\"", p.name()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn status_word(step: &Step) -> &'static str {
    match step {
        Step::Pending | Step::Running { .. } => "pending",
        Step::Ok(_) => "ok",
        Step::Failed(_) => "FAILED",
        Step::Skipped { .. } => "skipped",
    }
}

fn step_text(step: &Step) -> String {
    match step {
        Step::Failed(advice) => advice_text(&advice.on(Surface::Terminal)),
        Step::Skipped { reason } => reason.clone(),
        _ => "did not finish.".to_owned(),
    }
}

/// Why a grant did not work at a Login URL, on one line: Salesforce's own
/// code and words, or that it could not be reached. No advice: another Login
/// URL worked, so there is nothing to do.
pub fn said(refused: &Advice) -> String {
    match (&refused.code, &refused.description) {
        _ if refused.network => "Salesforce could not be reached".to_owned(),
        (Some(code), Some(description)) => format!(
            "Salesforce answered {}: {}",
            one_line(code),
            one_line(description)
        ),
        (Some(code), None) => format!("Salesforce answered {}", one_line(code)),
        (None, _) => format!("the grant failed ({})", refused.title),
    }
}

/// Advice as one line: what happened, why, what to do, and Salesforce's words.
fn advice_text(advice: &Advice) -> String {
    let said = match (&advice.code, &advice.description) {
        (Some(code), Some(description)) => format!(" (Salesforce said: {code}: {description})"),
        (Some(code), None) => format!(" (Salesforce said: {code})"),
        _ => String::new(),
    };
    format!(
        "{}. {} What to do: {}{said}",
        advice.title, advice.cause, advice.fix
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signin::report::{CheckKind, PermissionsCheck, UserPreview};

    fn permissions(missing: Vec<Permission>, profiles_error: Option<Advice>) -> PermissionsCheck {
        PermissionsCheck {
            granted: Permission::ALL
                .into_iter()
                .filter(|p| !missing.contains(p))
                .collect(),
            fixes: missing
                .iter()
                .map(|p| format!("Add {}.", p.name()))
                .collect(),
            missing,
            profiles: 4,
            profiles_error,
        }
    }

    /// The text of a report where only `finding` passed.
    fn text_of(finding: Finding) -> String {
        let mut report = Report::default();
        report.pass(finding);
        report.to_text()
    }

    #[test]
    fn permissions_are_named_as_in_setup_with_a_warning_and_a_fix_for_each_missing_one() {
        let all = text_of(Finding::Permissions(permissions(Vec::new(), None)));
        assert!(
            all.contains("     ok  Permissions: the user has \"API Enabled\", \"View Setup and Configuration\", \"View All Users\", as Snow's documentation asks for the connector's user.\n"),
            "{all}"
        );
        assert!(
            all.contains("     ok  Profiles: 4 read, as the connector reads them.\n"),
            "{all}"
        );
        assert!(!all.contains("warning"), "{all}");

        let missing = text_of(Finding::Permissions(permissions(
            vec![Permission::ViewAllUsers],
            None,
        )));
        assert!(
            missing.contains("warning  Permissions: the user lacks \"View All Users\", which Snow's documentation asks for the connector's user.\n"),
            "{missing}"
        );
        assert!(
            missing.contains("    fix  Permissions: Add View All Users.\n"),
            "{missing}"
        );
    }

    #[test]
    fn a_refused_profile_read_is_a_failed_line_with_salesforces_words() {
        let refused = Advice {
            code: Some("INSUFFICIENT_ACCESS".to_owned()),
            description: Some("insufficient access".to_owned()),
            ..Advice::new("Salesforce refused to read profiles", "Why.", "Fix it.")
        };
        let text = text_of(Finding::Permissions(permissions(Vec::new(), Some(refused))));
        assert!(
            text.contains(" FAILED  Profiles: Salesforce refused to read profiles. Why. What to do: Fix it. (Salesforce said: INSUFFICIENT_ACCESS: insufficient access)\n"),
            "{text}"
        );
    }

    #[test]
    fn user_counts_that_may_be_incomplete_say_so_after_the_counts() {
        let preview = UserPreview {
            active_users: 3,
            warning: Some("These counts may be incomplete.".to_owned()),
            ..UserPreview::default()
        };
        let text = text_of(Finding::Users(preview));
        assert!(
            text.contains(
                "     ok  Active users: 3 (); 0 without an email address\nwarning  Active users: These counts may be incomplete.\n"
            ),
            "{text}"
        );
        let complete = text_of(Finding::Users(UserPreview::default()));
        assert!(!complete.contains("warning"), "{complete}");
    }

    #[test]
    fn a_login_url_that_did_not_work_is_said_in_salesforces_words_on_one_line() {
        let mut not_installed = Advice::new("Unknown", "Why.", "Fix.");
        not_installed.code = Some("app_not_found".to_owned());
        not_installed.description = Some("External client app\nis not installed".to_owned());
        assert_eq!(
            said(&not_installed),
            "Salesforce answered app_not_found: External client app is not installed"
        );
        let unreachable = Advice::network("Could not reach Salesforce", "Why.", "Fix.");
        assert_eq!(said(&unreachable), "Salesforce could not be reached");
        assert_eq!(
            said(&Advice::new(
                "Salesforce's answer was not JSON",
                "Why.",
                "Fix."
            )),
            "the grant failed (Salesforce's answer was not JSON)"
        );
    }

    #[test]
    fn every_check_has_a_line_whatever_its_state() {
        let mut report = Report::default();
        report.fail(CheckKind::Token, Advice::new("Refused", "Why.", "Fix it."));
        let text = report.to_text();
        assert_eq!(text.lines().count(), CheckKind::ALL.len(), "{text}");
        assert!(text.starts_with(" FAILED  Token: Refused. Why. What to do: Fix it.\n"));
        for kind in CheckKind::ALL.into_iter().skip(1) {
            assert!(
                text.contains(&format!("skipped  {}: ", kind.label())),
                "{kind:?}: {text}"
            );
        }
    }
}
