//! The checks' reads that do not page, in one Composite request, which
//! Salesforce counts as one call against the org's daily API limit: the two
//! license tables, the user's approvals (`OauthToken`) and the app's OAuth
//! policies (`ExternalClientApplication`, `ExtlClntAppOauthPlcyCnfg`). Each
//! answers on its own: a refused one never hides the others, and the
//! approvals and policies never fail (docs/salesforce.md, "Composite").

use serde::Deserialize;
use serde_json::Value;

use super::{fail_with, pass, start};
use crate::salesforce::{Advice, Api};
use crate::signin::report::{CheckKind, Finding, License, Licenses};
use crate::signin::{Connection, app_policy, approvals};

const USER_LICENSES: &str =
    "SELECT MasterLabel, Status, UsedLicenses, TotalLicenses FROM UserLicense";
const PERMISSION_SET_LICENSES: &str =
    "SELECT MasterLabel, Status, UsedLicenses, TotalLicenses FROM PermissionSetLicense";

/// A `UserLicense` or `PermissionSetLicense` record, as the REST API names
/// its fields.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct LicenseRow {
    master_label: String,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    used_licenses: i64,
    #[serde(default)]
    total_licenses: i64,
}

/// A query's records, or Salesforce's advice on why not (boxed: it is large).
type Read = Result<Vec<Value>, Box<Advice>>;

/// Reads the licenses, the approvals and the policies in one request and
/// fills their three checks. `user_id` names whose approvals to count.
pub(super) async fn licenses_and_app(
    api: &Api<'_>,
    connection: &Connection,
    user_id: Option<&str>,
) {
    for kind in [
        CheckKind::Approvals,
        CheckKind::AppPolicy,
        CheckKind::Licenses,
    ] {
        start(connection, kind);
    }
    let tokens_soql = user_id.and_then(approvals::soql).unwrap_or_default();
    let mut soqls = vec![
        USER_LICENSES,
        PERMISSION_SET_LICENSES,
        app_policy::APPS_SOQL,
        app_policy::POLICIES_SOQL,
    ];
    if !tokens_soql.is_empty() {
        soqls.push(&tokens_soql);
    }
    let mut reads: Vec<Read> = match api.queries(&soqls).await {
        Ok(reads) => reads
            .into_iter()
            .map(|r| r.map_err(|e| Box::new(e.advice())))
            .collect(),
        Err(e) => {
            let advice = Box::new(e.advice());
            soqls.iter().map(|_| Err(advice.clone())).collect()
        }
    };
    let tokens = if tokens_soql.is_empty() {
        Err(Box::new(Advice::new(
            "The user is not known",
            "Salesforce's identity URL named no user whose approvals sftoken could read.",
            "Run the check again.",
        )))
    } else {
        reads.pop().unwrap_or(Ok(Vec::new()))
    };
    let mut next = || reads.remove(0);
    let (user_licenses, permission_set_licenses, apps, policies) = (next(), next(), next(), next());
    licenses(connection, user_licenses, permission_set_licenses);
    let (found, ours) = approvals::read(tokens);
    pass(connection, Finding::Approvals(found));
    let policy = app_policy::read(apps, policies, ours.as_ref());
    pass(connection, Finding::AppPolicy(policy));
}

/// The two license tables, each on its own: the check fails only when
/// neither could be read.
fn licenses(connection: &Connection, user_licenses: Read, permission_set_licenses: Read) {
    let table = |read: Read| match read {
        Ok(records) => (
            records
                .into_iter()
                .filter_map(|r| serde_json::from_value::<LicenseRow>(r).ok())
                .map(|row| License {
                    name: row.master_label,
                    status: row.status,
                    used: row.used_licenses,
                    total: row.total_licenses,
                })
                .collect(),
            None,
        ),
        Err(advice) => (Vec::new(), Some(*advice)),
    };
    match (user_licenses, permission_set_licenses) {
        (Err(advice), Err(_)) => fail_with(connection, CheckKind::Licenses, *advice),
        (user_licenses, permission_set_licenses) => {
            let (user_licenses, user_licenses_error) = table(user_licenses);
            let (permission_set_licenses, permission_set_licenses_error) =
                table(permission_set_licenses);
            pass(
                connection,
                Finding::Licenses(Licenses {
                    user_licenses,
                    permission_set_licenses,
                    user_licenses_error,
                    permission_set_licenses_error,
                }),
            );
        }
    }
}
