//! The connector's user, checked before Snow Atlas finds out: the
//! permissions Snow's documentation asks for, read from
//! `UserPermissionAccess` (the signed-in user's own, readable without "View
//! Setup and Configuration", API 41.0 and later), and `Profile` read as the
//! connector reads it, so that a refusal shows here first. Two API requests
//! (one more per 2,000 profiles). The sources are in docs/salesforce.md, "The
//! connector's user".

use serde::de::IgnoredAny;
use serde_json::{Map, Value};

use super::report::{Permission, PermissionsCheck};
use crate::salesforce::{Advice, Api, SalesforceError};

/// The `Profile` fields Snow's "Data retrieved by Salesforce Sales Cloud
/// connector" lists, so the query is refused wherever the connector's is.
const PROFILE_SOQL: &str = "SELECT Id, Name, Description, UserType, UserLicenseId, CreatedById, CreatedDate, LastModifiedById, LastModifiedDate FROM Profile";

/// What the user counts say when the user lacks "View All Users".
pub const USERS_MAY_BE_INCOMPLETE: &str = "These counts may be incomplete: the user who signed in lacks \"View All Users\", so Salesforce returns only the users that the org's sharing settings let this user see (by default, external users' records are private). The connector, acting as the same user, sees the same users.";

/// How `UserPermissionAccess` (and `PermissionSet`) name a permission.
fn field(permission: Permission) -> &'static str {
    match permission {
        Permission::ApiEnabled => "PermissionsApiEnabled",
        Permission::ViewSetup => "PermissionsViewSetup",
        Permission::ViewAllUsers => "PermissionsViewAllUsers",
    }
}

fn permissions_soql() -> String {
    let fields: Vec<&str> = Permission::ALL.into_iter().map(field).collect();
    format!("SELECT {} FROM UserPermissionAccess", fields.join(", "))
}

/// Reads the user's permissions and, at the same time, the profiles. The
/// check is the permissions': it fails when they cannot be read (every API
/// user may read its own), and reports a refused `Profile` read beside them.
pub async fn read(api: &Api<'_>) -> Result<PermissionsCheck, SalesforceError> {
    let (access, profiles) = tokio::join!(user_permissions(api), profiles(api));
    let row = access?;
    let (granted, missing): (Vec<_>, Vec<_>) = Permission::ALL
        .into_iter()
        .partition(|p| row.get(field(*p)) == Some(&Value::Bool(true)));
    let (profiles, profiles_error) = match profiles {
        Ok(count) => (count, None),
        Err(e) => (0, Some(profile_refused(e))),
    };
    Ok(PermissionsCheck {
        fixes: missing.iter().copied().map(fix).collect(),
        granted,
        missing,
        profiles,
        profiles_error,
    })
}

/// The one `UserPermissionAccess` record: the session's own permissions.
async fn user_permissions(api: &Api<'_>) -> Result<Map<String, Value>, SalesforceError> {
    let mut row = None;
    api.query::<Map<String, Value>>(&permissions_soql(), |records| {
        row = row.take().or_else(|| records.into_iter().next())
    })
    .await?;
    row.ok_or_else(|| SalesforceError::Rest {
        status: 200,
        code: "NO_USER_PERMISSION_ACCESS".to_owned(),
        message: "The UserPermissionAccess query returned no record.".to_owned(),
    })
}

/// Counts the profiles, page by page, keeping none of them.
async fn profiles(api: &Api<'_>) -> Result<u64, SalesforceError> {
    let mut count = 0;
    api.query::<IgnoredAny>(PROFILE_SOQL, |records| count += records.len() as u64)
        .await
        .map(|()| count)
}

/// Why a missing permission matters, and how to add it.
fn fix(permission: Permission) -> String {
    let why = match permission {
        Permission::ApiEnabled => {
            "Salesforce allows no API call without it, and the connector reads everything through the API."
        }
        Permission::ViewSetup => "the connector reads user licenses and profiles.",
        Permission::ViewAllUsers => {
            "without it, Salesforce returns only the users that the org's sharing settings let this user see, so the connector's user counts may be incomplete."
        }
    };
    let name = permission.name();
    format!(
        "Add \"{name}\": {why} In Setup, enter Permission Sets in the Quick Find box, click New (or open a permission set), turn on \"{name}\" under System Permissions and save; then, under Manage Assignments, assign the permission set to the user who signed in, and run the check again."
    )
}

/// Salesforce refused the connector's query on `Profile`: say so in the
/// connector's terms, keeping Salesforce's own code and words.
fn profile_refused(error: SalesforceError) -> Advice {
    let advice = error.advice();
    if !matches!(error, SalesforceError::Rest { .. }) {
        return advice;
    }
    Advice {
        title: "Salesforce refused to read profiles, which the connector reads".to_owned(),
        cause: "The query on Profile that the connector also runs was refused for the user who signed in, so the connector's read of profiles may fail the same way.".to_owned(),
        fix: "Check the user's access to profiles: Salesforce needs \"View Setup and Configuration\" for a profile's permissions and settings (Snow's documentation asks for it too), and, with Profile Filtering on, \"View All Profiles\" for other profiles than the user's own. Add them with a permission set assigned to this user, then run the check again.".to_owned(),
        ..advice
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_permissions_are_read_by_the_field_names_salesforce_gives_them() {
        assert_eq!(
            permissions_soql(),
            "SELECT PermissionsApiEnabled, PermissionsViewSetup, PermissionsViewAllUsers FROM UserPermissionAccess"
        );
    }

    #[test]
    fn each_fix_names_the_permission_as_setup_does_and_says_where_to_add_it() {
        for permission in Permission::ALL {
            let fix = fix(permission);
            assert!(
                fix.starts_with(&format!("Add \"{}\": ", permission.name())),
                "{fix}"
            );
            assert!(fix.contains("Permission Sets"), "{fix}");
            assert!(fix.contains("Manage Assignments"), "{fix}");
        }
        assert!(fix(Permission::ViewAllUsers).contains("sharing settings"));
        assert!(
            fix(Permission::ViewSetup)
                .starts_with("Add \"View Setup and Configuration\": the connector reads")
        );
    }

    #[test]
    fn a_refused_profile_read_keeps_salesforces_words_and_a_network_failure_stays_one() {
        let refused = profile_refused(SalesforceError::Rest {
            status: 403,
            code: "INSUFFICIENT_ACCESS".to_owned(),
            message: "insufficient access rights on object id".to_owned(),
        });
        assert!(refused.title.contains("profiles"), "{refused:?}");
        assert_eq!(refused.code.as_deref(), Some("INSUFFICIENT_ACCESS"));
        assert_eq!(
            refused.description.as_deref(),
            Some("insufficient access rights on object id")
        );
        let timeout = profile_refused(SalesforceError::Timeout {
            host: "acme.my.salesforce.com".to_owned(),
            seconds: 30,
        });
        assert!(timeout.network, "{timeout:?}");
        assert!(!timeout.title.contains("profiles"), "{timeout:?}");
    }
}
