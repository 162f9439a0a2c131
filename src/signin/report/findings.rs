//! What each check finds when it passes. Plain data: Salesforce's records are
//! read into their own row types (`checks.rs`), and the wire formats are views
//! elsewhere.

use crate::salesforce::Advice;

#[derive(Clone, Debug)]
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

#[derive(Clone, Debug)]
pub struct UserInfo {
    pub user_id: String,
    pub username: String,
    pub display_name: String,
}

#[derive(Clone, Debug)]
pub struct OrgInfo {
    pub id: String,
    pub name: String,
    /// `OrganizationType`, such as "Enterprise Edition".
    pub edition: String,
    pub is_sandbox: bool,
    pub instance: Option<String>,
    pub api_version: String,
    /// The environment chosen and the org disagree.
    pub warning: Option<String>,
}

/// The two license tables, each read on its own: one that fails (an edition
/// or a user without access to `PermissionSetLicense`) never hides the other.
#[derive(Clone, Debug)]
pub struct Licenses {
    pub user_licenses: Vec<License>,
    pub permission_set_licenses: Vec<License>,
    /// Why the `UserLicense` table could not be read.
    pub user_licenses_error: Option<Advice>,
    /// Why the `PermissionSetLicense` table could not be read.
    pub permission_set_licenses_error: Option<Advice>,
}

#[derive(Clone, Debug)]
pub struct License {
    pub name: String,
    pub status: Option<String>,
    pub used: i64,
    pub total: i64,
}

#[derive(Clone, Debug, Default)]
pub struct UserPreview {
    pub active_users: u64,
    pub by_type: Vec<TypeCount>,
    pub without_email: u64,
    /// Email domains, lower-cased, most users first.
    pub domains: Vec<DomainCount>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TypeCount {
    pub user_type: String,
    pub count: u64,
    /// The connector leaves these users out.
    pub left_out: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DomainCount {
    pub domain: String,
    pub count: u64,
}
