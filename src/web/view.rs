//! The page's JSON: a sign-in as the page sees it, each check a step the page
//! draws a row for. These views borrow from the connection under its lock
//! while the answer is written, so a poll copies nothing. `--json`
//! (`commands/json.rs`) shows the checks through the same [`StepView`].

use std::sync::Arc;

use serde::{Serialize, Serializer};

use super::error::ErrorDetail;
use crate::salesforce::Advice;
use crate::signin::report::{
    CheckKind, DomainCount, Finding, License, Licenses, LoginUrlTried, OrgInfo, Permission,
    PermissionsCheck, Report, Step, TokenCheck, TypeCount, UserInfo, UserPreview,
};
use crate::signin::{Connection, Details, Held, user_type_name};

/// A sign-in as the page sees it, tagged by `status`.
#[derive(Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub(super) enum LoginView {
    Waiting {
        expires_in_seconds: u64,
    },
    Exchanging,
    Failed {
        error: ErrorDetail,
        /// Kept so the page can prefill "Try again" (not secret).
        client_id: String,
        login_url: String,
    },
    Captured(ConnectionView),
}

/// The settings, their formats, the details and the checks, as they are when
/// the answer is written.
pub(super) struct ConnectionView(pub(super) Arc<Connection>);

impl Serialize for ConnectionView {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct View<'a> {
            copy_all: String,
            company_names_text: String,
            settings: SettingsView<'a>,
            details: DetailsView<'a>,
            checks: ChecksView<'a>,
            revoked: bool,
            existing: bool,
            /// Chosen names that match no active user's email domain.
            unmatched_company_names: Vec<String>,
        }
        let credentials = &self.0.credentials;
        self.0.read(|held: &Held| {
            let settings = held.settings(credentials);
            View {
                copy_all: settings.copy_all(),
                company_names_text: settings.company_names_lines(),
                settings: SettingsView {
                    client_id: settings.client_id,
                    client_secret: settings.client_secret,
                    refresh_token: settings.refresh_token,
                    login_url: settings.login_url,
                    company_names: settings.company_names.as_slice(),
                },
                details: DetailsView(&held.details),
                checks: ChecksView(&held.report),
                revoked: held.revoked,
                existing: self.0.existing,
                unmatched_company_names: held.unmatched_company_names(),
            }
            .serialize(serializer)
        })
    }
}

/// The five settings, secrets exposed: the page shows them behind its session.
#[derive(Serialize)]
struct SettingsView<'a> {
    client_id: &'a str,
    client_secret: &'a str,
    refresh_token: &'a str,
    login_url: &'a str,
    company_names: &'a [String],
}

struct DetailsView<'a>(&'a Details);

impl Serialize for DetailsView<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct View<'a> {
            instance_url: Option<&'a str>,
            org_id: Option<&'a str>,
            user_id: Option<&'a str>,
            username: Option<&'a str>,
            scope: Option<&'a str>,
        }
        View {
            instance_url: self.0.instance_url.as_deref(),
            org_id: self.0.org_id.as_deref(),
            user_id: self.0.user_id.as_deref(),
            username: self.0.username.as_deref(),
            scope: self.0.scope.as_deref(),
        }
        .serialize(serializer)
    }
}

/// `{"done": …, "steps": [{"kind", "heading", "status", …}]}`: the page draws
/// one row per step, in this order, and counts them.
struct ChecksView<'a>(&'a Report);

impl Serialize for ChecksView<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Row<'a> {
            kind: &'static str,
            heading: &'static str,
            #[serde(flatten)]
            step: StepView<'a>,
        }
        fn row((kind, step): (CheckKind, &Step)) -> Row<'_> {
            Row {
                kind: kind.name(),
                heading: kind.heading(),
                step: StepView::of(step),
            }
        }
        #[derive(Serialize)]
        struct View<Rows: Serialize> {
            done: bool,
            steps: Rows,
        }
        View {
            done: self.0.done,
            steps: Each(self.0.steps(), row),
        }
        .serialize(serializer)
    }
}

/// One check's state, tagged by `status`: `running` with `pages` and
/// `records`, `ok` with what it found, `failed` with the advice, `skipped`
/// with the `reason`.
#[derive(Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum StepView<'a> {
    Pending,
    Running { pages: u64, records: u64 },
    Ok(FindingView<'a>),
    Failed(&'a Advice),
    Skipped { reason: &'a str },
}

impl<'a> StepView<'a> {
    pub fn of(step: &'a Step) -> Self {
        match step {
            Step::Pending => Self::Pending,
            Step::Running { pages, records } => Self::Running {
                pages: *pages,
                records: *records,
            },
            Step::Ok(finding) => Self::Ok(FindingView::of(finding)),
            Step::Failed(advice) => Self::Failed(advice),
            Step::Skipped { reason } => Self::Skipped { reason },
        }
    }
}

/// What a passed check found, its fields beside `status`.
#[derive(Serialize)]
#[serde(untagged)]
pub enum FindingView<'a> {
    Token(TokenView<'a>),
    User(UserView<'a>),
    Org(OrgView<'a>),
    Permissions(PermissionsView<'a>),
    Licenses(LicensesView<'a>),
    Users(UsersView<'a>),
}

impl<'a> FindingView<'a> {
    fn of(finding: &'a Finding) -> Self {
        match finding {
            Finding::Token(token) => Self::Token(TokenView::of(token)),
            Finding::User(user) => Self::User(UserView::of(user)),
            Finding::Org(org) => Self::Org(OrgView::of(org)),
            Finding::Permissions(check) => Self::Permissions(PermissionsView::of(check)),
            Finding::Licenses(licenses) => Self::Licenses(LicensesView::of(licenses)),
            Finding::Users(users) => Self::Users(UsersView::of(users)),
        }
    }
}

#[derive(Serialize)]
pub struct TokenView<'a> {
    login_url: &'a str,
    rotated: bool,
    scopes_granted: &'a [String],
    scopes_missing: &'a [String],
    scope_fixes: &'a [String],
    warning: Option<&'a str>,
    login_urls_tried:
        Each<std::slice::Iter<'a, LoginUrlTried>, fn(&'a LoginUrlTried) -> LoginUrlTriedView<'a>>,
    login_url_reason: Option<&'a str>,
}

impl<'a> TokenView<'a> {
    fn of(t: &'a TokenCheck) -> Self {
        Self {
            login_url: &t.login_url,
            rotated: t.rotated,
            scopes_granted: &t.scopes_granted,
            scopes_missing: &t.scopes_missing,
            scope_fixes: &t.scope_fixes,
            warning: t.warning.as_deref(),
            login_urls_tried: Each(t.login_urls_tried.iter(), |tried| LoginUrlTriedView {
                login_url: &tried.login_url,
                works: tried.refused.is_none(),
                refused: tried.refused.as_ref(),
            }),
            login_url_reason: t.login_url_reason.as_deref(),
        }
    }
}

/// Where token refresh ran, whether it worked, and if not, why.
#[derive(Serialize)]
pub struct LoginUrlTriedView<'a> {
    login_url: &'a str,
    works: bool,
    refused: Option<&'a Advice>,
}

#[derive(Serialize)]
pub struct UserView<'a> {
    user_id: &'a str,
    username: &'a str,
    display_name: &'a str,
}

impl<'a> UserView<'a> {
    fn of(u: &'a UserInfo) -> Self {
        Self {
            user_id: &u.user_id,
            username: &u.username,
            display_name: &u.display_name,
        }
    }
}

#[derive(Serialize)]
pub struct OrgView<'a> {
    id: &'a str,
    name: &'a str,
    edition: &'a str,
    is_sandbox: bool,
    instance: Option<&'a str>,
    api_version: &'a str,
    warning: Option<&'a str>,
}

impl<'a> OrgView<'a> {
    fn of(o: &'a OrgInfo) -> Self {
        Self {
            id: &o.id,
            name: &o.name,
            edition: &o.edition,
            is_sandbox: o.is_sandbox,
            instance: o.instance.as_deref(),
            api_version: &o.api_version,
            warning: o.warning.as_deref(),
        }
    }
}

type PermissionNames<'a> =
    Each<std::slice::Iter<'a, Permission>, fn(&'a Permission) -> &'static str>;

/// The permissions by their names in Setup, and the profiles the connector's
/// query returned.
#[derive(Serialize)]
pub struct PermissionsView<'a> {
    granted: PermissionNames<'a>,
    missing: PermissionNames<'a>,
    fixes: &'a [String],
    profiles: u64,
    profiles_error: Option<&'a Advice>,
}

impl<'a> PermissionsView<'a> {
    fn of(p: &'a PermissionsCheck) -> Self {
        let names =
            |all: &'a [Permission]| Each(all.iter(), (|p: &Permission| p.name()) as fn(_) -> _);
        Self {
            granted: names(&p.granted),
            missing: names(&p.missing),
            fixes: &p.fixes,
            profiles: p.profiles,
            profiles_error: p.profiles_error.as_ref(),
        }
    }
}

type LicenseRows<'a> = Each<std::slice::Iter<'a, License>, fn(&'a License) -> LicenseView<'a>>;

#[derive(Serialize)]
pub struct LicensesView<'a> {
    user_licenses: LicenseRows<'a>,
    permission_set_licenses: LicenseRows<'a>,
    user_licenses_error: Option<&'a Advice>,
    permission_set_licenses_error: Option<&'a Advice>,
}

impl<'a> LicensesView<'a> {
    fn of(l: &'a Licenses) -> Self {
        let rows = |table: &'a [License]| Each(table.iter(), LicenseView::of as fn(_) -> _);
        Self {
            user_licenses: rows(&l.user_licenses),
            permission_set_licenses: rows(&l.permission_set_licenses),
            user_licenses_error: l.user_licenses_error.as_ref(),
            permission_set_licenses_error: l.permission_set_licenses_error.as_ref(),
        }
    }
}

#[derive(Serialize)]
pub struct LicenseView<'a> {
    name: &'a str,
    status: Option<&'a str>,
    used: i64,
    total: i64,
}

impl<'a> LicenseView<'a> {
    fn of(l: &'a License) -> Self {
        Self {
            name: &l.name,
            status: l.status.as_deref(),
            used: l.used,
            total: l.total,
        }
    }
}

#[derive(Serialize)]
pub struct UsersView<'a> {
    active_users: u64,
    by_type: Each<std::slice::Iter<'a, TypeCount>, fn(&'a TypeCount) -> TypeCountView<'a>>,
    without_email: u64,
    domains: Each<std::slice::Iter<'a, DomainCount>, fn(&'a DomainCount) -> DomainView<'a>>,
    warning: Option<&'a str>,
}

impl<'a> UsersView<'a> {
    fn of(u: &'a UserPreview) -> Self {
        Self {
            active_users: u.active_users,
            by_type: Each(u.by_type.iter(), |t| TypeCountView {
                user_type: &t.user_type,
                name: user_type_name(&t.user_type),
                count: t.count,
                left_out: t.left_out,
            }),
            without_email: u.without_email,
            domains: Each(u.domains.iter(), |d| DomainView {
                domain: &d.domain,
                count: d.count,
            }),
            warning: u.warning.as_deref(),
        }
    }
}

#[derive(Serialize)]
pub struct TypeCountView<'a> {
    user_type: &'a str,
    name: String,
    count: u64,
    left_out: bool,
}

#[derive(Serialize)]
pub struct DomainView<'a> {
    domain: &'a str,
    count: u64,
}

/// A sequence serialized item by item through a view, without collecting it.
pub struct Each<I, F>(I, F);

impl<I: Iterator + Clone, F: Fn(I::Item) -> V, V: Serialize> Serialize for Each<I, F> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.clone().map(&self.1))
    }
}
