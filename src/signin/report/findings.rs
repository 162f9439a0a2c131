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

/// A permission that Snow's documentation asks for the connector's user
/// (Snow Integration Manager's "Configuration of Salesforce Sales Cloud").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Permission {
    ApiEnabled,
    ViewSetup,
    ViewAllUsers,
}

impl Permission {
    pub const ALL: [Self; 3] = [Self::ApiEnabled, Self::ViewSetup, Self::ViewAllUsers];

    /// The permission's name in Setup (a permission set's System Permissions).
    pub fn name(self) -> &'static str {
        match self {
            Self::ApiEnabled => "API Enabled",
            Self::ViewSetup => "View Setup and Configuration",
            Self::ViewAllUsers => "View All Users",
        }
    }
}

/// The signed-in user's own permissions, and the connector's read of
/// `Profile`, which may fail on its own.
#[derive(Clone, Debug)]
pub struct PermissionsCheck {
    pub granted: Vec<Permission>,
    pub missing: Vec<Permission>,
    /// Why each missing permission matters and how to add it, in its order.
    pub fixes: Vec<String>,
    /// Profiles read, as the connector reads them.
    pub profiles: u64,
    /// Why `Profile` could not be read.
    pub profiles_error: Option<Advice>,
}

impl PermissionsCheck {
    /// Whether the user lacks `permission`.
    pub fn lacks(&self, permission: Permission) -> bool {
        self.missing.contains(&permission)
    }
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
    /// Why the counts may be incomplete (the user lacks "View All Users").
    pub warning: Option<String>,
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
