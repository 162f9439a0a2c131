//! The mock's REST API: the version list and SOQL queries on the objects the
//! checks read, paged as Salesforce pages them.

use std::sync::Arc;

use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::{MockOptions, ORG_ID, Shared, param, parse_form, rest_error};

/// API versions the mock serves: (version, release label).
const VERSIONS: &[(&str, &str)] = &[
    ("62.0", "Winter '25"),
    ("63.0", "Spring '25"),
    ("64.0", "Summer '25"),
    ("65.0", "Winter '26"),
    ("66.0", "Spring '26"),
];

#[derive(Clone, Copy)]
pub(super) struct Cursor {
    object: SObject,
    active_only: bool,
}

/// `GET /services/data/`: no authentication needed.
pub(super) async fn versions(State(mock): State<Arc<Shared>>) -> Response {
    mock.lock().rest_requests += 1;
    let list: Vec<Value> = VERSIONS
        .iter()
        .map(|(version, label)| {
            json!({"label": label, "url": format!("/services/data/v{version}"), "version": version})
        })
        .collect();
    axum::Json(list).into_response()
}

/// `GET /services/data/v{version}/query?q=SOQL`
pub(super) async fn query(
    State(mock): State<Arc<Shared>>,
    Path(version): Path<String>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    mock.lock().rest_requests += 1;
    if let Some(refusal) = rest_refusal(&mock, &version, &headers) {
        return refusal;
    }
    let params = parse_form(raw.unwrap_or_default().as_bytes());
    let Some(soql) = param(&params, "q") else {
        return rest_error(
            StatusCode::BAD_REQUEST,
            "MALFORMED_QUERY",
            "A query string has to be specified",
        );
    };
    let (status, body) = run_query(&mock, &version, soql);
    (status, axum::Json(body)).into_response()
}

/// Salesforce's REST error body: a JSON array of one error.
fn error_body(code: &str, message: &str) -> Value {
    json!([{"message": message, "errorCode": code, "fields": []}])
}

/// A SOQL query's answer: its status and body (a page, or the error).
fn run_query(mock: &Shared, version: &str, soql: &str) -> (StatusCode, Value) {
    let error = |status, code: &str, message: &str| (status, error_body(code, message));
    let words: Vec<&str> = soql.split_whitespace().collect();
    let Some(from) = words.iter().position(|w| w.eq_ignore_ascii_case("from")) else {
        return error(
            StatusCode::BAD_REQUEST,
            "MALFORMED_QUERY",
            "unexpected token: <EOF>: expecting FROM",
        );
    };
    let Some(name) = words.get(from + 1) else {
        return error(
            StatusCode::BAD_REQUEST,
            "MALFORMED_QUERY",
            "unexpected token: <EOF>",
        );
    };
    let Some(object) = SObject::parse(name) else {
        return error(
            StatusCode::BAD_REQUEST,
            "INVALID_TYPE",
            &format!(
                "sObject type '{name}' is not supported. If you are attempting to use a custom \
                 object, be sure to append the '__c' after the entity name."
            ),
        );
    };
    if object == SObject::PermissionSetLicense && mock.options.permission_set_licenses_refused {
        return error(
            StatusCode::BAD_REQUEST,
            "INVALID_TYPE",
            "sObject type 'PermissionSetLicense' is not supported.",
        );
    }
    if matches!(
        object,
        SObject::ExternalClientApplication | SObject::ExtlClntAppOauthPlcyCnfg
    ) && mock.options.app_policy.is_none()
    {
        return error(
            StatusCode::BAD_REQUEST,
            "INVALID_TYPE",
            &format!("sObject type '{}' is not supported.", object.name()),
        );
    }
    if let (SObject::Profile, Some(code)) = (object, mock.options.profile_refused) {
        return match code {
            "INSUFFICIENT_ACCESS" => error(
                StatusCode::FORBIDDEN,
                code,
                "insufficient access rights on object id",
            ),
            _ => error(
                StatusCode::BAD_REQUEST,
                code,
                "sObject type 'Profile' is not supported.",
            ),
        };
    }
    let compact: String = soql
        .to_ascii_lowercase()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let cursor = Cursor {
        object,
        active_only: object == SObject::User && compact.contains("isactive=true"),
    };
    if compact.starts_with("selectcount()from") {
        let total = count(mock, cursor);
        return (
            StatusCode::OK,
            json!({"totalSize": total, "done": true, "records": []}),
        );
    }
    (StatusCode::OK, page(mock, version, None, cursor, 0))
}

/// `POST /services/data/v{version}/composite`: up to 25 subrequests, at most
/// 5 of them queries, each a GET at the composite's own version; one REST
/// request for the daily limit, each subrequest answered on its own.
pub(super) async fn composite(
    State(mock): State<Arc<Shared>>,
    Path(version): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    mock.lock().rest_requests += 1;
    if let Some(refusal) = rest_refusal(&mock, &version, &headers) {
        return refusal;
    }
    let subrequests = serde_json::from_slice::<Value>(&body)
        .ok()
        .and_then(|body| body["compositeRequest"].as_array().cloned());
    let Some(subrequests) = subrequests else {
        return rest_error(
            StatusCode::BAD_REQUEST,
            "JSON_PARSER_ERROR",
            "The request body is not a composite request.",
        );
    };
    if subrequests.is_empty() || subrequests.len() > 25 {
        return rest_error(
            StatusCode::BAD_REQUEST,
            "INVALID_INPUT",
            "A composite request holds 1 to 25 subrequests.",
        );
    }
    let prefix = format!("/services/data/{version}/query?");
    let queries = subrequests
        .iter()
        .filter(|sub| sub["url"].as_str().is_some_and(|u| u.contains("/query")))
        .count();
    if queries > 5 {
        return rest_error(
            StatusCode::BAD_REQUEST,
            "INVALID_INPUT",
            "A composite request holds at most 5 queries.",
        );
    }
    let mut answers = Vec::new();
    for sub in &subrequests {
        let url = sub["url"].as_str().unwrap_or_default();
        let (status, body) = match url.strip_prefix(&prefix) {
            Some(query) if sub["method"] == "GET" => {
                let params = parse_form(query.as_bytes());
                match param(&params, "q") {
                    Some(soql) => run_query(&mock, &version, soql),
                    None => (
                        StatusCode::BAD_REQUEST,
                        error_body("MALFORMED_QUERY", "A query string has to be specified"),
                    ),
                }
            }
            _ => (
                StatusCode::BAD_REQUEST,
                error_body(
                    "INVALID_INPUT",
                    "The mock's composite answers only queries at the composite's version.",
                ),
            ),
        };
        answers.push(json!({
            "body": body,
            "httpHeaders": {},
            "httpStatusCode": status.as_u16(),
            "referenceId": sub["referenceId"],
        }));
    }
    axum::Json(json!({"compositeResponse": answers})).into_response()
}

/// `GET /services/data/v{version}/query/{cursor}-{offset}`: the next page.
pub(super) async fn query_more(
    State(mock): State<Arc<Shared>>,
    Path((version, locator)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    mock.lock().rest_requests += 1;
    if let Some(refusal) = rest_refusal(&mock, &version, &headers) {
        return refusal;
    }
    let found = locator.rsplit_once('-').and_then(|(id, offset)| {
        let offset: usize = offset.parse().ok()?;
        let cursor = *mock.lock().cursors.get(id)?;
        Some((id.to_owned(), cursor, offset))
    });
    let Some((id, cursor, offset)) = found else {
        return rest_error(
            StatusCode::BAD_REQUEST,
            "INVALID_QUERY_LOCATOR",
            "invalid query locator",
        );
    };
    axum::Json(page(&mock, &version, Some(id), cursor, offset)).into_response()
}

/// The checks every REST call passes (token, version, API access): the
/// refusal, if any.
fn rest_refusal(mock: &Shared, version: &str, headers: &HeaderMap) -> Option<Response> {
    if !mock.bearer_is_valid(headers) {
        return Some(rest_error(
            StatusCode::UNAUTHORIZED,
            "INVALID_SESSION_ID",
            "Session expired or invalid",
        ));
    }
    let known = version
        .strip_prefix('v')
        .is_some_and(|v| VERSIONS.iter().any(|(known, _)| *known == v));
    if !known {
        return Some(rest_error(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            "The requested resource does not exist",
        ));
    }
    if mock.options.api_disabled {
        return Some(rest_error(
            StatusCode::FORBIDDEN,
            "API_DISABLED_FOR_ORG",
            "The REST API is not enabled for this Organization.",
        ));
    }
    None
}

/// One page of results from `offset`; registers a cursor when more remain.
fn page(
    mock: &Shared,
    version: &str,
    cursor_id: Option<String>,
    cursor: Cursor,
    offset: usize,
) -> Value {
    let options = &mock.options;
    let total = count(mock, cursor);
    let page_size = options.page_size.max(1);
    let records = match cursor.object {
        SObject::OauthToken => oauth_tokens(mock)
            .into_iter()
            .skip(offset)
            .take(page_size)
            .collect(),
        _ => records(options, cursor, version, offset, page_size),
    };
    let next = offset + records.len();
    let done = next >= total;
    let mut answer = json!({"totalSize": total, "done": done, "records": records});
    if !done {
        let id = cursor_id.unwrap_or_else(|| {
            let mut state = mock.lock();
            let id = format!("01gMOCK{:09}AAA", state.cursors.len() + 1);
            state.cursors.insert(id.clone(), cursor);
            id
        });
        answer["nextRecordsUrl"] = json!(format!("/services/data/{version}/query/{id}-{next}"));
    }
    answer
}

/// The objects the mock can query.
#[derive(Clone, Copy, PartialEq, Eq)]
enum SObject {
    Organization,
    UserLicense,
    PermissionSetLicense,
    UserPermissionAccess,
    Profile,
    User,
    OauthToken,
    ExternalClientApplication,
    ExtlClntAppOauthPlcyCnfg,
}

impl SObject {
    const ALL: [SObject; 9] = [
        SObject::Organization,
        SObject::UserLicense,
        SObject::PermissionSetLicense,
        SObject::UserPermissionAccess,
        SObject::Profile,
        SObject::User,
        SObject::OauthToken,
        SObject::ExternalClientApplication,
        SObject::ExtlClntAppOauthPlcyCnfg,
    ];

    /// Object names are case-insensitive in SOQL.
    fn parse(name: &str) -> Option<SObject> {
        Self::ALL
            .into_iter()
            .find(|object| object.name().eq_ignore_ascii_case(name))
    }

    fn name(self) -> &'static str {
        match self {
            SObject::Organization => "Organization",
            SObject::UserLicense => "UserLicense",
            SObject::PermissionSetLicense => "PermissionSetLicense",
            SObject::UserPermissionAccess => "UserPermissionAccess",
            SObject::Profile => "Profile",
            SObject::User => "User",
            SObject::OauthToken => "OauthToken",
            SObject::ExternalClientApplication => "ExternalClientApplication",
            SObject::ExtlClntAppOauthPlcyCnfg => "ExtlClntAppOauthPlcyCnfg",
        }
    }
}

fn count(mock: &Shared, cursor: Cursor) -> usize {
    let options = &mock.options;
    match cursor.object {
        SObject::OauthToken => oauth_tokens(mock).len(),
        SObject::User => (0..options.users)
            .filter(|&i| user_is_listed(options, cursor, i))
            .count(),
        _ => static_records(options, cursor.object, "v62.0").len(),
    }
}

/// Whether a `User` query returns the `i`th user: active ones only when it
/// asks, and, without "View All Users", only the internal users.
fn user_is_listed(options: &MockOptions, cursor: Cursor, i: usize) -> bool {
    (!cursor.active_only || user_is_active(i)) && (options.view_all_users || !user_is_external(i))
}

/// Records `offset..offset + limit`; users are generated on the fly.
fn records(
    options: &MockOptions,
    cursor: Cursor,
    version: &str,
    offset: usize,
    limit: usize,
) -> Vec<Value> {
    match cursor.object {
        SObject::User => (0..options.users)
            .filter(|&i| user_is_listed(options, cursor, i))
            .skip(offset)
            .take(limit)
            .map(|i| user(i, version))
            .collect(),
        object => static_records(options, object, version)
            .into_iter()
            .skip(offset)
            .take(limit)
            .collect(),
    }
}

/// `"attributes": {"type", "url"}` as Salesforce puts on every record.
fn attributes(object: SObject, id: &str, version: &str) -> Value {
    let name = object.name();
    json!({"type": name, "url": format!("/services/data/{version}/sobjects/{name}/{id}")})
}

fn static_records(options: &MockOptions, object: SObject, version: &str) -> Vec<Value> {
    let with_attributes = |id: &str, mut fields: Value| {
        fields["attributes"] = attributes(object, id, version);
        fields["Id"] = json!(id);
        fields
    };
    match object {
        SObject::Organization => vec![with_attributes(
            ORG_ID,
            json!({
                "Name": options.org_name,
                "OrganizationType": "Enterprise Edition",
                "IsSandbox": options.is_sandbox,
                "InstanceName": "MOCK1",
            }),
        )],
        SObject::UserLicense => {
            let used = (0..options.users)
                .filter(|&i| user_is_active(i) && user_type(i) == "Standard")
                .count();
            let licenses = [
                ("Salesforce", "SFDC", used.max(50), used),
                ("Salesforce Platform", "AUL", 100, 3),
                ("Partner Community", "PID_Partner_Community", 500, 12),
                ("Chatter Free", "PID_Chatter", 5000, 0),
            ];
            licenses
                .iter()
                .enumerate()
                .map(|(n, (label, key, total, used))| {
                    with_attributes(
                        &format!("100MOCK{:09}AAA", n + 1),
                        json!({
                            "MasterLabel": label,
                            "Name": label,
                            "Status": "Active",
                            "TotalLicenses": total,
                            "UsedLicenses": used,
                            "LicenseDefinitionKey": key,
                            "CreatedDate": "2019-04-12T09:31:07.000+0000",
                        }),
                    )
                })
                .collect()
        }
        SObject::PermissionSetLicense => vec![
            with_attributes(
                "0PLMOCK000000001AAA",
                json!({
                    "MasterLabel": "Sales Console User",
                    "DeveloperName": "SalesConsoleUser",
                    "Status": "Active",
                    "TotalLicenses": 10,
                    "UsedLicenses": 2,
                    "ExpirationDate": null,
                }),
            ),
            with_attributes(
                "0PLMOCK000000002AAA",
                json!({
                    "MasterLabel": "Identity Connect",
                    "DeveloperName": "IdentityConnect",
                    "Status": "Active",
                    "TotalLicenses": 20,
                    "UsedLicenses": 0,
                    "ExpirationDate": "2026-12-31",
                }),
            ),
        ],
        // The session's own permissions: one record, its Id a fixed one.
        SObject::UserPermissionAccess => vec![with_attributes(
            "000000000000000AAA",
            json!({
                "PermissionsApiEnabled": true,
                "PermissionsViewSetup": options.view_setup,
                "PermissionsViewAllUsers": options.view_all_users,
                "PermissionsModifyAllData": false,
            }),
        )],
        SObject::Profile => [
            ("System Administrator", "Standard", 1),
            ("Standard User", "Standard", 1),
            ("Partner Community User", "PowerPartner", 3),
            ("Chatter Free User", "CsnOnly", 4),
        ]
        .iter()
        .enumerate()
        .map(|(n, (name, user_type, license))| {
            with_attributes(
                &format!("00eMOCK{:09}AAA", n + 1),
                json!({
                    "Name": name,
                    "Description": null,
                    "UserType": user_type,
                    "UserLicenseId": format!("100MOCK{license:09}AAA"),
                    "CreatedById": "005MOCK000000001AAA",
                    "CreatedDate": "2019-04-12T09:31:07.000+0000",
                    "LastModifiedById": "005MOCK000000001AAA",
                    "LastModifiedDate": "2024-02-01T10:00:00.000+0000",
                }),
            )
        })
        .collect(),
        SObject::User | SObject::OauthToken => Vec::new(),
        SObject::ExternalClientApplication => [
            (
                "0xIMOCK000000001AAA",
                options.app_name.as_str(),
                "Snow_Atlas",
            ),
            ("0xIMOCK000000002AAA", "Reporting Tool", "Reporting_Tool"),
        ]
        .iter()
        .map(|(id, label, name)| {
            with_attributes(id, json!({"MasterLabel": label, "DeveloperName": name}))
        })
        .collect(),
        SObject::ExtlClntAppOauthPlcyCnfg => {
            let Some(policy) = &options.app_policy else {
                return Vec::new();
            };
            vec![
                // Another app's policies first: the app is matched by its Id.
                with_attributes(
                    "0xCMOCK000000002AAA",
                    json!({
                        "ExternalClientApplicationId": "0xIMOCK000000002AAA",
                        "RefreshTokenPolicyType": "Zero",
                        "RefreshTokenValidityPeriod": null,
                        "RefreshTokenValidityUnit": null,
                        "IpRelaxationPolicyType": "Enforce",
                        "PermittedUsersPolicyType": "AdminApprovedPreAuthorized",
                    }),
                ),
                with_attributes(
                    "0xCMOCK000000001AAA",
                    json!({
                        "ExternalClientApplicationId": "0xIMOCK000000001AAA",
                        "RefreshTokenPolicyType": policy.refresh_token,
                        "RefreshTokenValidityPeriod": policy.period,
                        "RefreshTokenValidityUnit": policy.unit,
                        "IpRelaxationPolicyType": policy.ip_relaxation,
                        "PermittedUsersPolicyType": policy.permitted_users,
                    }),
                ),
            ]
        }
    }
}

/// The user's `OauthToken` rows: one per approval of the app, oldest first,
/// and one of another app (the Salesforce CLI, used earlier today).
fn oauth_tokens(mock: &Shared) -> Vec<Value> {
    let options = &mock.options;
    if !options.oauth_tokens_listed {
        return Vec::new();
    }
    let state = mock.lock();
    let row = |app: &str, created: &str, used: &str| {
        json!({
            "attributes": {"type": "OauthToken"},
            "AppName": app,
            "CreatedDate": created,
            "LastUsedDate": used,
            "UseCount": 7,
        })
    };
    let mut rows = vec![row(
        "Salesforce CLI",
        "2026-03-02T10:00:00.000+0000",
        "2026-12-07T08:30:00.000+0000",
    )];
    for token in &state.approvals {
        if let Some((created, used)) = state.approval_times.get(token) {
            rows.push(row(&options.app_name, created, used));
        }
    }
    rows
}

// Users are a pure function of their index, with odd data on purpose.

fn user_is_active(i: usize) -> bool {
    i % 7 != 3
}

/// External users (partners, portal and community customers): their
/// records are Private by the org-wide default.
fn user_is_external(i: usize) -> bool {
    matches!(
        user_type(i),
        "PowerPartner" | "CspLitePortal" | "CustomerSuccess" | "PowerCustomerSuccess"
    )
}

/// Real `User.UserType` values, spelled as the API spells them.
fn user_type(i: usize) -> &'static str {
    match i % 20 {
        2 => "PowerPartner",
        4 => "CsnOnly",
        6 => "CspLitePortal",
        8 => "CustomerSuccess",
        10 => "PowerCustomerSuccess",
        12 => "Guest",
        _ => "Standard",
    }
}

/// The `i`th generated user record, as the REST API returns it.
pub fn user(i: usize, version: &str) -> Value {
    const FIRST: [&str; 6] = ["Ada", "Bram", "Chloé", "Dev", "Eitan", "Fiona"];
    const LAST: [&str; 5] = ["Okafor", "Lindqvist", "O'Brien", "Nakamura", "Smith"];
    // Mixed-case domains on purpose: `x@ACME.COM` and `x@acme.com` are one domain.
    const DOMAINS: [&str; 6] = [
        "acme.com",
        "ACME.COM",
        "acme.co.uk",
        "example.org",
        "Acme.Co.UK",
        "example.org",
    ];
    let first = FIRST[i % FIRST.len()];
    let last = LAST[i % LAST.len()];
    let id = format!("005MOCK{:09}AAA", i + 2); // 005MOCK000000001AAA is the admin
    let local = format!(
        "{}.{}{i}",
        first.to_lowercase(),
        last.to_lowercase().replace('\'', "")
    );
    // User 0 has no email at all.
    let email = (i != 0).then(|| format!("{local}@{}", DOMAINS[i % DOMAINS.len()]));
    json!({
        "attributes": attributes(SObject::User, &id, version),
        "Id": id,
        "Username": format!("{local}@acme-mock.example"),
        "Email": email,
        "IsActive": user_is_active(i),
        "UserType": user_type(i),
        "FirstName": first,
        "LastName": last,
        "Name": format!("{first} {last}"),
    })
}
