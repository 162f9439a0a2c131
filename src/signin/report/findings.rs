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

/// One thing a check says in words: plain, or a warning with what to do.
/// `severity` ranks the warnings, so the banner shows the worst one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note {
    pub text: String,
    pub fix: Option<String>,
    /// 0 for a plain note; the higher, the sooner Snow Atlas's token dies.
    pub severity: u8,
}

impl Note {
    pub fn plain(text: String) -> Self {
        Self {
            text,
            fix: None,
            severity: 0,
        }
    }

    pub fn warning(severity: u8, text: String, fix: String) -> Self {
        Self {
            text,
            fix: Some(fix),
            severity,
        }
    }
}

/// The worst warning of `notes`, if any.
pub fn worst(notes: &[Note]) -> Option<&Note> {
    notes
        .iter()
        .filter(|note| note.severity > 0)
        .max_by_key(|note| note.severity)
}

/// The signed-in user's approvals of this app, read from the user's own
/// `OauthToken` rows (docs/salesforce.md, "Approvals and app policies").
#[derive(Clone, Debug, Default)]
pub struct Approvals {
    /// The app as the rows name it (`AppName`), when a row was found.
    pub app_name: Option<String>,
    pub count: usize,
    /// At five: when the approval the next sign-in revokes (the oldest) was
    /// created and last used, as Salesforce gives them.
    pub oldest_created: Option<String>,
    pub oldest_last_used: Option<String>,
    /// What it means, in words, plain notes first.
    pub notes: Vec<Note>,
    /// Why the rows could not be read.
    pub read_error: Option<Advice>,
}

/// The External Client App's OAuth policies, as Salesforce gives them
/// (`ExtlClntAppOauthPlcyCnfg`), and what they mean for Snow Atlas.
#[derive(Clone, Debug, Default)]
pub struct AppPolicy {
    /// The External Client App matched, by its label.
    pub app_name: Option<String>,
    pub refresh_token_policy: Option<String>,
    pub validity_period: Option<i64>,
    pub validity_unit: Option<String>,
    pub ip_relaxation: Option<String>,
    pub permitted_users: Option<String>,
    /// A fixed lifetime: the day Snow Atlas's token stops working, `YYYY-MM-DD`.
    pub expires_on: Option<String>,
    pub notes: Vec<Note>,
    /// Why the policies could not be read.
    pub read_error: Option<Advice>,
}
