//! Proving the settings work before Snow Atlas does: the refresh grant the
//! connector runs, the granted scopes, who and which org the token belongs to,
//! API access, the user's permissions (`permissions.rs`), the user's approvals
//! of the app and the app's OAuth policies (`approvals.rs`, `app_policy.rs`),
//! and a preview of what the connector reads (licenses, active users by type,
//! email domains). The reads that do not page share one Composite request
//! (`checks/one_call.rs`).
//!
//! Each step fills in the [`Report`] as it finishes; a failed step never
//! blocks the others that do not depend on it. Users are counted page by page
//! and never kept, so a 100,000-user org needs no more memory than a small one.

use std::time::Duration;

use serde::Deserialize;

use super::report::{CheckKind, Finding, OrgInfo, Permission, Step, UserInfo, UserPreview};
use super::user_tally::{UserRow, UserTally};
use super::{Connection, Details, permissions};
use crate::login_url::{Environment, LoginUrl};
use crate::salesforce::{self, Advice, Api, Http, SalesforceError};

mod one_call;
mod token;

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

/// All the checks together may take this long; each request has its own
/// timeout too (`--http-timeout`).
pub const CHECKS_DEADLINE: Duration = Duration::from_secs(3 * 60);

/// Runs every check against `connection`, filling in its report.
pub async fn run(http: Http, connection: &Connection) {
    /// Marks the checks finished however the steps end, even by a panic, so
    /// nobody waits for them forever.
    struct Finish<'a>(&'a Connection);
    impl Drop for Finish<'_> {
        fn drop(&mut self) {
            self.0.finish_checks();
        }
    }
    let _finish = Finish(connection);
    if tokio::time::timeout(CHECKS_DEADLINE, run_steps(&http, connection))
        .await
        .is_err()
    {
        let advice = Advice::new(
            "The checks took too long",
            &format!(
                "Salesforce did not finish answering within {} minutes, so sftoken stopped the checks that were still running.",
                CHECKS_DEADLINE.as_secs() / 60
            ),
            "Check your network or proxy, then run the check again. The settings themselves are not affected.",
        );
        connection.update_report(|r| r.fail_unfinished(&advice));
    }
}

async fn run_steps(http: &Http, connection: &Connection) {
    let credentials = &connection.credentials;
    let login_url = &credentials.login_url;
    start(connection, CheckKind::Token);
    let (tokens, token_check) =
        match token::refresh_grants(token::at_salesforce(http), connection).await {
            Ok(granted) => granted,
            Err(e) => return fail(connection, CheckKind::Token, e),
        };
    let mut details = Details::from_tokens(&tokens);
    let user_id = details.user_id.clone();
    connection.update_details(|d| {
        details.username = d.username.take();
        *d = details;
    });
    pass(connection, Finding::Token(token_check));

    let user = async {
        start(connection, CheckKind::User);
        match salesforce::identity(http, login_url, &tokens.id, &tokens.access_token).await {
            Ok(identity) => {
                connection.update_details(|d| d.username = Some(identity.username.clone()));
                pass(
                    connection,
                    Finding::User(UserInfo {
                        user_id: identity.user_id,
                        username: identity.username,
                        display_name: identity.display_name,
                    }),
                );
            }
            Err(e) => fail(connection, CheckKind::User, e),
        }
    };
    let data = async {
        start(connection, CheckKind::Org);
        let api =
            match Api::connect(http, login_url, &tokens.instance_url, &tokens.access_token).await {
                Ok(api) => api,
                Err(e) => return fail(connection, CheckKind::Org, e),
            };
        match org_info(&api, &credentials.login_url).await {
            Ok(org) => pass(connection, Finding::Org(org)),
            Err(e) => return fail(connection, CheckKind::Org, e),
        }
        let (lacks_view_all_users, (), users) = tokio::join!(
            permissions(&api, connection),
            one_call::licenses_and_app(&api, connection, user_id.as_deref()),
            users(&api, connection),
        );
        if let Some(mut users) = users {
            users.warning =
                lacks_view_all_users.then(|| permissions::USERS_MAY_BE_INCOMPLETE.to_owned());
            pass(connection, Finding::Users(users));
        }
    };
    tokio::join!(user, data);
}

fn start(connection: &Connection, kind: CheckKind) {
    connection.update_report(|r| r.set(kind, Step::started()));
}

fn pass(connection: &Connection, finding: Finding) {
    connection.update_report(|r| r.pass(finding));
}

/// Salesforce refused `kind`: say why, and skip what needs it.
fn fail(connection: &Connection, kind: CheckKind, error: SalesforceError) {
    fail_with(connection, kind, error.advice());
}

fn fail_with(connection: &Connection, kind: CheckKind, advice: Advice) {
    connection.update_report(|r| r.fail(kind, advice));
}

/// An `Organization` record, as the REST API names its fields.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct OrganizationRow {
    id: String,
    name: String,
    organization_type: String,
    is_sandbox: bool,
    #[serde(default)]
    instance_name: Option<String>,
}

async fn org_info(api: &Api<'_>, login_url: &LoginUrl) -> Result<OrgInfo, SalesforceError> {
    let mut org = None;
    api.query::<OrganizationRow>(
        "SELECT Id, Name, OrganizationType, IsSandbox, InstanceName FROM Organization",
        |records| org = org.take().or_else(|| records.into_iter().next()),
    )
    .await?;
    let org = org.ok_or_else(|| SalesforceError::Rest {
        status: 200,
        code: "NO_ORGANIZATION".to_owned(),
        message: "The Organization query returned no record.".to_owned(),
    })?;
    Ok(OrgInfo {
        warning: environment_warning(login_url, org.is_sandbox),
        id: org.id,
        name: org.name,
        edition: org.organization_type,
        is_sandbox: org.is_sandbox,
        instance: org.instance_name,
        api_version: api.version.clone(),
    })
}

/// Warns when the login URL says production but the org is a sandbox, or the
/// other way round. The host tells: `test.salesforce.com`, and a My Domain
/// such as `acme--uat.sandbox.my.salesforce.com` or the older
/// `acme--uat.my.salesforce.com`, are sandboxes.
fn environment_warning(login_url: &LoginUrl, is_sandbox: bool) -> Option<String> {
    let expects_sandbox = login_url.environment()? == Environment::Sandbox;
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

/// The user's permissions; says whether "View All Users" is missing, which
/// the user counts then warn about.
async fn permissions(api: &Api<'_>, connection: &Connection) -> bool {
    start(connection, CheckKind::Permissions);
    match permissions::read(api).await {
        Ok(found) => {
            let lacks = found.lacks(Permission::ViewAllUsers);
            pass(connection, Finding::Permissions(found));
            lacks
        }
        Err(e) => {
            fail(connection, CheckKind::Permissions, e);
            false
        }
    }
}

/// Counts the active users; the caller passes the preview once the
/// permissions say whether it may be incomplete.
async fn users(api: &Api<'_>, connection: &Connection) -> Option<UserPreview> {
    start(connection, CheckKind::Users);
    let mut tally = UserTally::default();
    let mut pages = 0;
    let result = api
        .query::<UserRow>(
            "SELECT Email, UserType FROM User WHERE IsActive = true",
            |records| {
                records.into_iter().for_each(|user| tally.add(user));
                pages += 1;
                let records = tally.active();
                let running = Step::Running { pages, records };
                connection.update_report(|r| r.set(CheckKind::Users, running));
            },
        )
        .await;
    match result {
        Ok(()) => Some(tally.preview()),
        Err(e) => {
            fail(connection, CheckKind::Users, e);
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sandbox_org_behind_a_production_login_url_is_flagged() {
        use crate::login_url::{HostPolicy, PRODUCTION, SANDBOX};
        let url = |text: &str| LoginUrl::parse(text, HostPolicy::Any).expect("url");
        assert!(environment_warning(&url(PRODUCTION), true).is_some());
        assert!(environment_warning(&url(SANDBOX), false).is_some());
        assert!(environment_warning(&url(PRODUCTION), false).is_none());
        let enhanced = url("https://acme--uat.sandbox.my.salesforce.com");
        assert!(environment_warning(&enhanced, true).is_none());
        assert!(environment_warning(&enhanced, false).is_some());
        let older = url("https://acme--uat.my.salesforce.com");
        assert!(environment_warning(&older, true).is_none());
        assert!(environment_warning(&older, false).is_some());
        assert!(environment_warning(&url("https://acme.my.salesforce.com"), true).is_some());
        assert!(environment_warning(&url("http://127.0.0.1:9"), true).is_none());
    }
}
