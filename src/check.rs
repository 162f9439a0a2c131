//! Proving the settings work before Snow Atlas does: the refresh grant the
//! connector runs, the granted scopes, who and which org the token belongs to,
//! API access, and a preview of what the connector reads (licenses, active
//! users by type, email domains).
//!
//! Each step fills in the [`Report`] as it finishes, so the page can show it
//! progressively; a failed step says why and never blocks the others that do
//! not depend on it. Users are counted page by page and never kept, so a
//! 100,000-user org needs no more memory than a small one.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use crate::advice::Advice;
use crate::connection::Connection;
use crate::login_url::{PRODUCTION, SANDBOX};
use crate::salesforce::{self, Api, Http, Trust};

/// The scopes the Snow Atlas connector needs, with the name the External
/// Client App screen shows for each.
pub const NEEDED_SCOPES: [(&str, &str); 3] = [
    (
        "refresh_token",
        "Perform requests at any time (refresh_token, offline_access)",
    ),
    ("api", "Manage user data via APIs (api)"),
    ("full", "Full access (full)"),
];

/// User types the connector leaves out of its consolidated user data.
pub const LEFT_OUT_USER_TYPES: [&str; 4] = [
    "PowerPartner",
    "CSPLitePortal",
    "CustomerSuccess",
    "PowerCustomerSuccess",
];

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
    fn skipped(reason: &str) -> Self {
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
    /// Do the settings work for the connector? `Err` says why not, in one sentence.
    pub fn verdict(&self) -> Result<(), String> {
        let failed =
            |step: &str, advice: &Advice| format!("{step}: {} {}", advice.title, advice.fix);
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
                step("Token", "ok", "the refresh grant works.".to_owned());
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
                step("Licenses", "ok", list(&licenses.user_licenses));
                step(
                    "Permission set licenses",
                    "ok",
                    list(&licenses.permission_set_licenses),
                );
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
        Step::Failed(advice) => {
            let said = match (&advice.code, &advice.description) {
                (Some(code), Some(description)) => {
                    format!(" (Salesforce said: {code}: {description})")
                }
                (Some(code), None) => format!(" (Salesforce said: {code})"),
                _ => String::new(),
            };
            format!(
                "{}. {} What to do: {}{said}",
                advice.title, advice.cause, advice.fix
            )
        }
        Step::Skipped { reason } => reason.clone(),
        _ => "did not finish.".to_owned(),
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct TokenCheck {
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
pub struct Licenses {
    pub user_licenses: Vec<License>,
    pub permission_set_licenses: Vec<License>,
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

/// The fields of a user the preview needs; the rest of each record is skipped.
#[derive(Deserialize)]
struct UserRow {
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
    fn add(&mut self, user: UserRow) {
        self.active += 1;
        let user_type = user.user_type.unwrap_or_else(|| "Unknown".to_owned());
        *self.by_type.entry(user_type).or_default() += 1;
        match user.email.as_deref().and_then(email_domain) {
            Some(domain) => *self.domains.entry(domain).or_default() += 1,
            None => self.without_email += 1,
        }
    }

    fn preview(&self) -> UserPreview {
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
                    left_out: LEFT_OUT_USER_TYPES.contains(&user_type.as_str()),
                    user_type: user_type.clone(),
                    count,
                })
                .collect(),
            without_email: self.without_email,
            domains,
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

/// Runs every check against `connection`, filling in its report.
pub async fn run(http: Http, connection: &Connection, allow_any_host: bool) {
    /// Marks the checks finished however the steps end, even by a panic, so
    /// nobody waits for them forever.
    struct Finish<'a>(&'a Connection);
    impl Drop for Finish<'_> {
        fn drop(&mut self) {
            self.0.finish_checks();
        }
    }
    let _finish = Finish(connection);
    run_steps(&http, connection, allow_any_host).await;
}

async fn run_steps(http: &Http, connection: &Connection, allow_any_host: bool) {
    let credentials = &connection.credentials;
    let trust = Trust {
        login_url: &credentials.login_url,
        allow_any_host,
    };
    connection.update_report(|r| {
        r.token = Step::Running {
            pages: 0,
            records: 0,
        }
    });
    let tokens = match salesforce::refresh(http, credentials, &connection.refresh_token()).await {
        Ok(tokens) => tokens,
        Err(e) => {
            const WHY: &str = "The refresh token did not work, so nothing else could be checked.";
            connection.update_report(|r| {
                r.token = Step::Failed(e.advice());
                r.user = Step::skipped(WHY);
                r.org = Step::skipped(WHY);
                r.licenses = Step::skipped(WHY);
                r.users = Step::skipped(WHY);
            });
            return;
        }
    };
    let rotated = tokens.refresh_token.is_some();
    if let Some(new_token) = &tokens.refresh_token {
        connection.replace_refresh_token(new_token.clone());
    }
    let mut details = crate::connection::Details::from_tokens(&tokens);
    connection.update_details(|d| {
        details.username = d.username.take();
        *d = details;
    });
    connection.update_report(|r| r.token = Step::Ok(token_check(&tokens.scope, rotated)));

    let user = async {
        connection.update_report(|r| {
            r.user = Step::Running {
                pages: 0,
                records: 0,
            }
        });
        let step = match salesforce::identity(http, &tokens.id, &tokens.access_token, &trust).await
        {
            Ok(identity) => {
                connection.update_details(|d| d.username = Some(identity.username.clone()));
                Step::Ok(UserInfo {
                    user_id: identity.user_id,
                    username: identity.username,
                    display_name: identity.display_name,
                })
            }
            Err(e) => Step::Failed(e.advice()),
        };
        connection.update_report(|r| r.user = step);
    };
    let data = async {
        connection.update_report(|r| {
            r.org = Step::Running {
                pages: 0,
                records: 0,
            }
        });
        let api = match Api::connect(http, &tokens.instance_url, &tokens.access_token, &trust).await
        {
            Ok(api) => api,
            Err(e) => return refuse_api(connection, e.advice()),
        };
        match org_info(&api, &credentials.login_url).await {
            Ok(org) => connection.update_report(|r| r.org = Step::Ok(org)),
            Err(e) => return refuse_api(connection, e.advice()),
        }
        tokio::join!(licenses(&api, connection), users(&api, connection));
    };
    tokio::join!(user, data);
}

/// The API refused: say why, and skip what needs it.
fn refuse_api(connection: &Connection, advice: Advice) {
    const WHY: &str = "Needs API access.";
    connection.update_report(|r| {
        r.org = Step::Failed(advice);
        r.licenses = Step::skipped(WHY);
        r.users = Step::skipped(WHY);
    });
}

fn token_check(granted: &str, rotated: bool) -> TokenCheck {
    let scopes_granted: Vec<String> = granted.split_whitespace().map(str::to_owned).collect();
    let has = |scope: &str| {
        scopes_granted
            .iter()
            .any(|g| g == scope || (scope == "refresh_token" && g == "offline_access"))
    };
    let missing: Vec<(&str, &str)> = NEEDED_SCOPES
        .iter()
        .copied()
        .filter(|(scope, _)| !has(scope))
        .collect();
    TokenCheck {
        rotated,
        scopes_granted,
        scopes_missing: missing.iter().map(|(scope, _)| (*scope).to_owned()).collect(),
        scope_fixes: missing
            .iter()
            .map(|(_, label)| {
                format!("In the External Client App's OAuth Settings, add the scope \"{label}\", save, wait up to 10 minutes and sign in again.")
            })
            .collect(),
        warning: rotated.then(|| {
            "Refresh Token Rotation is on: every refresh returns a new refresh token and the old one stops working. The token shown here is the newest; once Snow Atlas refreshes, this one dies too, and the connector can lose its token. Turn rotation off in the External Client App's settings for the connector.".to_owned()
        }),
    }
}

async fn org_info(
    api: &Api<'_>,
    login_url: &crate::login_url::LoginUrl,
) -> Result<OrgInfo, salesforce::SalesforceError> {
    let mut org = None;
    api.query::<OrgInfo>(
        "SELECT Id, Name, OrganizationType, IsSandbox, InstanceName FROM Organization",
        |records| org = org.take().or_else(|| records.into_iter().next()),
    )
    .await?;
    let mut org = org.ok_or_else(|| salesforce::SalesforceError::Rest {
        status: 200,
        code: "NO_ORGANIZATION".to_owned(),
        message: "The Organization query returned no record.".to_owned(),
    })?;
    org.api_version = api.version.clone();
    org.warning = environment_warning(login_url.as_str(), org.is_sandbox);
    Ok(org)
}

/// Warns when the login URL says production but the org is a sandbox, or the
/// other way round.
fn environment_warning(login_url: &str, is_sandbox: bool) -> Option<String> {
    let expects_sandbox = match login_url {
        SANDBOX => Some(true),
        PRODUCTION => Some(false),
        url if url.contains(".sandbox.my.salesforce.com") => Some(true),
        url if url.contains(".my.salesforce.com") => Some(false),
        _ => None,
    }?;
    match (expects_sandbox, is_sandbox) {
        (false, true) => Some(format!(
            "This org is a sandbox, but the login URL {login_url} is for production. Snow Atlas will read the sandbox; if you meant production, sign in again with Production chosen."
        )),
        (true, false) => Some(format!(
            "This org is a production org, but the login URL {login_url} is for a sandbox. Check that Snow Atlas gets the login URL you mean."
        )),
        _ => None,
    }
}

async fn licenses(api: &Api<'_>, connection: &Connection) {
    connection.update_report(|r| {
        r.licenses = Step::Running {
            pages: 0,
            records: 0,
        }
    });
    let read = |soql: &'static str| async move {
        let mut all = Vec::new();
        api.query::<License>(soql, |records| all.extend(records))
            .await
            .map(|_| all)
    };
    let (user_licenses, permission_set_licenses) = tokio::join!(
        read("SELECT MasterLabel, Status, UsedLicenses, TotalLicenses FROM UserLicense"),
        read("SELECT MasterLabel, Status, UsedLicenses, TotalLicenses FROM PermissionSetLicense"),
    );
    let step = match (user_licenses, permission_set_licenses) {
        (Ok(user_licenses), Ok(permission_set_licenses)) => Step::Ok(Licenses {
            user_licenses,
            permission_set_licenses,
        }),
        (Err(e), _) | (_, Err(e)) => Step::Failed(e.advice()),
    };
    connection.update_report(|r| r.licenses = step);
}

async fn users(api: &Api<'_>, connection: &Connection) {
    connection.update_report(|r| {
        r.users = Step::Running {
            pages: 0,
            records: 0,
        }
    });
    let mut tally = UserTally::default();
    let mut pages = 0;
    let result = api
        .query::<UserRow>(
            "SELECT Email, UserType FROM User WHERE IsActive = true",
            |records| {
                records.into_iter().for_each(|user| tally.add(user));
                pages += 1;
                let records = tally.active;
                connection.update_report(|r| r.users = Step::Running { pages, records });
            },
        )
        .await;
    let step = match result {
        Ok(()) => Step::Ok(tally.preview()),
        Err(e) => Step::Failed(e.advice()),
    };
    connection.update_report(|r| r.users = step);
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn missing_scopes_are_named_with_their_screen_label() {
        let check = token_check("api refresh_token", false);
        assert_eq!(check.scopes_missing, ["full"]);
        assert!(check.scope_fixes[0].contains("Full access (full)"));
        assert!(
            token_check("offline_access api full", false)
                .scopes_missing
                .is_empty()
        );
        assert!(
            token_check("api full refresh_token", true)
                .warning
                .is_some()
        );
    }

    #[test]
    fn a_sandbox_org_behind_a_production_login_url_is_flagged() {
        assert!(environment_warning(PRODUCTION, true).is_some());
        assert!(environment_warning(SANDBOX, false).is_some());
        assert!(environment_warning(PRODUCTION, false).is_none());
        assert!(environment_warning("https://acme--uat.sandbox.my.salesforce.com", true).is_none());
        assert!(environment_warning("http://127.0.0.1:9", true).is_none());
    }
}
