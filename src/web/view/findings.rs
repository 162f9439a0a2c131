//! What each passed check found, as the page and `--json` show it: one view
//! per [`Finding`], its fields beside the step's `status`. Kept apart from
//! `view.rs`, which holds the sign-in and the steps around these.

use serde::Serialize;

use super::Each;
use crate::salesforce::Advice;
use crate::signin::report::{
    AppPolicy, Approvals, DomainCount, Finding, License, Licenses, LoginUrlTried, Note, OrgInfo,
    Permission, PermissionsCheck, TokenCheck, TypeCount, UserInfo, UserPreview, worst,
};
use crate::signin::user_type_name;

/// What a passed check found, its fields beside `status`.
#[derive(Serialize)]
#[serde(untagged)]
pub enum FindingView<'a> {
    Token(TokenView<'a>),
    User(UserView<'a>),
    Org(OrgView<'a>),
    Permissions(PermissionsView<'a>),
    Approvals(ApprovalsView<'a>),
    AppPolicy(AppPolicyView<'a>),
    Licenses(LicensesView<'a>),
    Users(UsersView<'a>),
}

impl<'a> FindingView<'a> {
    pub(super) fn of(finding: &'a Finding) -> Self {
        match finding {
            Finding::Token(token) => Self::Token(TokenView::of(token)),
            Finding::User(user) => Self::User(UserView::of(user)),
            Finding::Org(org) => Self::Org(OrgView::of(org)),
            Finding::Permissions(check) => Self::Permissions(PermissionsView::of(check)),
            Finding::Approvals(found) => Self::Approvals(ApprovalsView::of(found)),
            Finding::AppPolicy(found) => Self::AppPolicy(AppPolicyView::of(found)),
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

type Notes<'a> = Each<std::slice::Iter<'a, Note>, fn(&'a Note) -> NoteView<'a>>;

/// What a check says in words; the worst warning goes into the page's banner.
#[derive(Serialize)]
pub struct NoteView<'a> {
    text: &'a str,
    fix: Option<&'a str>,
    severity: u8,
}

impl<'a> NoteView<'a> {
    fn of(n: &'a Note) -> Self {
        Self {
            text: &n.text,
            fix: n.fix.as_deref(),
            severity: n.severity,
        }
    }
}

fn notes(all: &[Note]) -> Notes<'_> {
    Each(all.iter(), NoteView::of)
}

fn worst_of(all: &[Note]) -> Option<NoteView<'_>> {
    worst(all).map(NoteView::of)
}

/// The user's approvals of this app: how many, and the oldest at five.
#[derive(Serialize)]
pub struct ApprovalsView<'a> {
    app_name: Option<&'a str>,
    count: usize,
    oldest_created: Option<&'a str>,
    oldest_last_used: Option<&'a str>,
    notes: Notes<'a>,
    worst: Option<NoteView<'a>>,
    read_error: Option<&'a Advice>,
}

impl<'a> ApprovalsView<'a> {
    fn of(a: &'a Approvals) -> Self {
        Self {
            app_name: a.app_name.as_deref(),
            count: a.count,
            oldest_created: a.oldest_created.as_deref(),
            oldest_last_used: a.oldest_last_used.as_deref(),
            notes: notes(&a.notes),
            worst: worst_of(&a.notes),
            read_error: a.read_error.as_ref(),
        }
    }
}

/// The app's OAuth policies as Salesforce names them, and what they mean.
#[derive(Serialize)]
pub struct AppPolicyView<'a> {
    app_name: Option<&'a str>,
    refresh_token_policy: Option<&'a str>,
    validity_period: Option<i64>,
    validity_unit: Option<&'a str>,
    ip_relaxation: Option<&'a str>,
    permitted_users: Option<&'a str>,
    expires_on: Option<&'a str>,
    notes: Notes<'a>,
    worst: Option<NoteView<'a>>,
    read_error: Option<&'a Advice>,
}

impl<'a> AppPolicyView<'a> {
    fn of(p: &'a AppPolicy) -> Self {
        Self {
            app_name: p.app_name.as_deref(),
            refresh_token_policy: p.refresh_token_policy.as_deref(),
            validity_period: p.validity_period,
            validity_unit: p.validity_unit.as_deref(),
            ip_relaxation: p.ip_relaxation.as_deref(),
            permitted_users: p.permitted_users.as_deref(),
            expires_on: p.expires_on.as_deref(),
            notes: notes(&p.notes),
            worst: worst_of(&p.notes),
            read_error: p.read_error.as_ref(),
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
