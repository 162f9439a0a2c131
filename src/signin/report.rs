//! What the checks found, as the page, `--json` and `sftoken check` show it.
//! Each step fills in as it finishes, so the page can show progress; a
//! failed step says why.

use serde::{Deserialize, Serialize};

use crate::salesforce::{Advice, Surface};

/// One check's state. Serialized with a `status` tag for the page and `--json`.
#[derive(Clone, Debug, Default, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Step<T> {
    #[default]
    Pending,
    Running {
        pages: u64,
        records: u64,
    },
    Ok(T),
    Failed(Advice),
    Skipped {
        reason: String,
    },
}

impl<T> Step<T> {
    /// Running, with nothing read yet.
    pub(super) fn started() -> Self {
        Step::Running {
            pages: 0,
            records: 0,
        }
    }

    pub(super) fn skipped(reason: &str) -> Self {
        Step::Skipped {
            reason: reason.to_owned(),
        }
    }

    pub fn is_ok(&self) -> bool {
        matches!(self, Step::Ok(_))
    }

    pub fn value(&self) -> Option<&T> {
        match self {
            Step::Ok(value) => Some(value),
            _ => None,
        }
    }
}

/// Everything the checks found.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Report {
    pub done: bool,
    pub token: Step<TokenCheck>,
    pub user: Step<UserInfo>,
    /// The org, read through the REST API: this step is the API access check.
    pub org: Step<OrgInfo>,
    pub licenses: Step<Licenses>,
    pub users: Step<UserPreview>,
}

impl Report {
    /// Marks every step not yet finished as failed with `advice`.
    pub fn fail_unfinished(&mut self, advice: &Advice) {
        fn fail<T>(step: &mut Step<T>, advice: &Advice) {
            if matches!(step, Step::Pending | Step::Running { .. }) {
                *step = Step::Failed(advice.clone());
            }
        }
        fail(&mut self.token, advice);
        fail(&mut self.user, advice);
        fail(&mut self.org, advice);
        fail(&mut self.licenses, advice);
        fail(&mut self.users, advice);
    }

    /// Do the settings work for the connector? `Err` says why not, in
    /// sentences for the terminal (`surface`). When Salesforce could not be reached, it
    /// says so, and nothing about the settings.
    pub fn verdict(&self, surface: Surface) -> Result<(), String> {
        let failed = |step: &str, advice: &Advice| {
            let advice = advice.on(surface);
            if advice.network {
                format!(
                    "Salesforce could not be reached, so the settings were not checked. {}",
                    advice.one_line()
                )
            } else {
                format!("{step}. {}", advice.one_line())
            }
        };
        match &self.token {
            Step::Ok(token) if !token.scopes_missing.is_empty() => {
                return Err(format!(
                    "The token lacks the scopes {}; add them to the External Client App and sign in again.",
                    token.scopes_missing.join(", ")
                ));
            }
            Step::Ok(_) => {}
            Step::Failed(advice) => return Err(failed("The refresh token does not work", advice)),
            _ => return Err("The token check did not finish.".to_owned()),
        }
        match &self.org {
            Step::Ok(_) => Ok(()),
            Step::Failed(advice) => Err(failed("The API is not usable", advice)),
            _ => Err("The API check did not finish.".to_owned()),
        }
    }
}

impl Report {
    /// The report as plain text, for `sftoken check`.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let mut line = |text: String| {
            out.push_str(&text);
            out.push('\n');
        };
        let mut step =
            |name: &str, status: &str, text: String| line(format!("{status:>7}  {name}: {text}"));
        match &self.token {
            Step::Ok(token) => {
                step(
                    "Token",
                    "ok",
                    format!("the refresh grant works at {}.", token.login_url),
                );
                let scopes = if token.scopes_missing.is_empty() {
                    "ok"
                } else {
                    "MISSING"
                };
                step("Scopes", scopes, token.scopes_granted.join(" "));
                for fix in &token.scope_fixes {
                    step("Scopes", "fix", fix.clone());
                }
                if let Some(warning) = &token.warning {
                    step("Rotation", "warning", warning.clone());
                }
            }
            other => step("Token", status_word(other), step_text(other)),
        }
        match &self.user {
            Step::Ok(user) => step(
                "User",
                "ok",
                format!("{} ({})", user.display_name, user.username),
            ),
            other => step("User", status_word(other), step_text(other)),
        }
        match &self.org {
            Step::Ok(org) => {
                let kind = if org.is_sandbox {
                    "sandbox"
                } else {
                    "production"
                };
                step(
                    "Org",
                    "ok",
                    format!(
                        "{} ({}), {}, {kind}; REST API v{}",
                        org.name, org.id, org.edition, org.api_version
                    ),
                );
                if let Some(warning) = &org.warning {
                    step("Org", "warning", warning.clone());
                }
            }
            other => step("API", status_word(other), step_text(other)),
        }
        match &self.licenses {
            Step::Ok(licenses) => {
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
                        Some(advice) => step(name, "FAILED", advice_text(advice)),
                        None => step(name, "ok", list(table)),
                    }
                }
            }
            other => step("Licenses", status_word(other), step_text(other)),
        }
        match &self.users {
            Step::Ok(users) => {
                let types = users
                    .by_type
                    .iter()
                    .map(|t| {
                        format!(
                            "{} {}{}",
                            t.user_type,
                            t.count,
                            if t.left_out {
                                " (left out by the connector)"
                            } else {
                                ""
                            }
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(", ");
                step(
                    "Active users",
                    "ok",
                    format!(
                        "{} ({types}); {} without an email address",
                        users.active_users, users.without_email
                    ),
                );
                let domains = users
                    .domains
                    .iter()
                    .map(|d| format!("{} {}", d.domain, d.count))
                    .collect::<Vec<_>>()
                    .join(", ");
                step("Email domains", "ok", domains);
            }
            other => step("Active users", status_word(other), step_text(other)),
        }
        out
    }
}

fn status_word<T>(step: &Step<T>) -> &'static str {
    match step {
        Step::Pending | Step::Running { .. } => "pending",
        Step::Ok(_) => "ok",
        Step::Failed(_) => "FAILED",
        Step::Skipped { .. } => "skipped",
    }
}

fn step_text<T>(step: &Step<T>) -> String {
    match step {
        Step::Failed(advice) => advice_text(&advice.on(Surface::Terminal)),
        Step::Skipped { reason } => reason.clone(),
        _ => "did not finish.".to_owned(),
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

#[derive(Clone, Debug, Serialize)]
pub struct TokenCheck {
    /// Where the refresh grant ran: the Login URL Snow Atlas will use.
    pub login_url: String,
    /// Salesforce handed out a new refresh token (Refresh Token Rotation is on).
    pub rotated: bool,
    pub scopes_granted: Vec<String>,
    pub scopes_missing: Vec<String>,
    /// What to add in the External Client App, one line per missing scope.
    pub scope_fixes: Vec<String>,
    pub warning: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct UserInfo {
    pub user_id: String,
    pub username: String,
    pub display_name: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct OrgInfo {
    #[serde(rename(deserialize = "Id"))]
    pub id: String,
    #[serde(rename(deserialize = "Name"))]
    pub name: String,
    #[serde(rename(deserialize = "OrganizationType"))]
    pub edition: String,
    #[serde(rename(deserialize = "IsSandbox"))]
    pub is_sandbox: bool,
    #[serde(rename(deserialize = "InstanceName"), default)]
    pub instance: Option<String>,
    #[serde(skip_deserializing)]
    pub api_version: String,
    /// The environment chosen and the org disagree.
    #[serde(skip_deserializing)]
    pub warning: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
/// The two license tables, each read on its own: one that fails (an edition
/// or a user without access to `PermissionSetLicense`) never hides the other.
pub struct Licenses {
    pub user_licenses: Vec<License>,
    pub permission_set_licenses: Vec<License>,
    /// Why the `UserLicense` table could not be read.
    pub user_licenses_error: Option<Advice>,
    /// Why the `PermissionSetLicense` table could not be read.
    pub permission_set_licenses_error: Option<Advice>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct License {
    #[serde(rename(deserialize = "MasterLabel"))]
    pub name: String,
    #[serde(rename(deserialize = "Status"), default)]
    pub status: Option<String>,
    #[serde(rename(deserialize = "UsedLicenses"), default)]
    pub used: i64,
    #[serde(rename(deserialize = "TotalLicenses"), default)]
    pub total: i64,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct UserPreview {
    pub active_users: u64,
    pub by_type: Vec<TypeCount>,
    pub without_email: u64,
    /// Email domains, lower-cased, most users first.
    pub domains: Vec<DomainCount>,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct TypeCount {
    pub user_type: String,
    pub count: u64,
    /// The connector leaves these users out.
    pub left_out: bool,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct DomainCount {
    pub domain: String,
    pub count: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_deadline_fails_only_the_steps_still_under_way() {
        let mut report = Report {
            token: Step::Ok(TokenCheck {
                rotated: false,
                scopes_granted: Vec::new(),
                scopes_missing: Vec::new(),
                scope_fixes: Vec::new(),
                warning: None,
                login_url: String::new(),
            }),
            user: Step::started(),
            org: Step::skipped("needs the token"),
            ..Report::default()
        };
        let late = Advice::new("The checks took too long", "cause", "fix");
        report.fail_unfinished(&late);
        assert!(report.token.is_ok());
        assert!(matches!(&report.user, Step::Failed(a) if *a == late));
        assert!(matches!(report.org, Step::Skipped { .. }));
        assert!(matches!(&report.licenses, Step::Failed(a) if *a == late));
        assert!(matches!(&report.users, Step::Failed(a) if *a == late));
    }
}
