//! What each check finds when it passes. Plain data: Salesforce's records are
//! read into their own row types (`checks.rs`), and the wire formats are views
//! elsewhere.

use crate::salesforce::Advice;

#[derive(Clone, Debug)]
pub struct TokenCheck {
    /// The Login URL shown in the settings: one where the refresh grant just
    /// worked, the generic host only when it worked there.
    pub login_url: String,
    /// Each Login URL the refresh grant ran at, in order: the sign-in's, then
    /// its environment's generic host when it is a My Domain that has one.
    pub login_urls_tried: Vec<LoginUrlTried>,
    /// Why `login_url` is the one shown, in one line, when two were tried.
    pub login_url_reason: Option<String>,
    /// Salesforce handed out a new refresh token (Refresh Token Rotation is on).
    pub rotated: bool,
    pub scopes_granted: Vec<String>,
    pub scopes_missing: Vec<String>,
    /// What to add in the External Client App, one line per missing scope.
    pub scope_fixes: Vec<String>,
    pub warning: Option<String>,
}

/// The refresh grant at one Login URL.
#[derive(Clone, Debug)]
pub struct LoginUrlTried {
    pub login_url: String,
    /// Why it did not work there; `None` when it worked.
    pub refused: Option<Advice>,
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
