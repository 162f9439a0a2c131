use serde_json::json;

use super::*;

fn app() -> Vec<Value> {
    vec![
        json!({"Id": "0xIOTHER", "MasterLabel": "Other", "DeveloperName": "Other"}),
        json!({"Id": "0xIMOCK", "MasterLabel": "Snow Atlas", "DeveloperName": "Snow_Atlas"}),
    ]
}

fn policy(
    kind: &str,
    period: Option<i64>,
    unit: Option<&str>,
    ip: &str,
    users: &str,
) -> Vec<Value> {
    vec![
        json!({"ExternalClientApplicationId": "0xIOTHER", "RefreshTokenPolicyType": "Zero"}),
        json!({
            "ExternalClientApplicationId": "0xIMOCK",
            "RefreshTokenPolicyType": kind,
            "RefreshTokenValidityPeriod": period,
            "RefreshTokenValidityUnit": unit,
            "IpRelaxationPolicyType": ip,
            "PermittedUsersPolicyType": users,
        }),
    ]
}

fn ours() -> TokenRow {
    TokenRow {
        app_name: Some("snow atlas".to_owned()),
        created_date: Some("2026-01-31T14:12:16.000+0000".to_owned()),
        last_used_date: None,
    }
}

fn read_with(policies: Vec<Value>) -> AppPolicy {
    read(Ok(app()), Ok(policies), Some(&ours()))
}

#[test]
fn a_fixed_lifetime_names_the_day_the_token_stops_and_the_fix() {
    let found = read_with(policy(
        "specificlifetime",
        Some(1),
        Some("DAYS"),
        "Bypass",
        "AllSelfAuthorized",
    ));
    assert_eq!(found.app_name.as_deref(), Some("Snow Atlas"));
    assert_eq!(found.expires_on.as_deref(), Some("2026-02-01T14:12Z"));
    assert_eq!(found.notes.len(), 1, "{found:?}");
    let note = &found.notes[0];
    assert_eq!(
        note.text,
        "Snow Atlas's token stops working on 1 February 2026, 14:12 UTC (the app's refresh token policy: expire after 1 day)."
    );
    assert!(
        note.fix
            .as_deref()
            .unwrap_or_default()
            .contains("\"Refresh token is valid until revoked\"")
    );
    let months = read_with(policy(
        "SpecificLifetime",
        Some(1),
        Some("Months"),
        "Bypass",
        "AllSelfAuthorized",
    ));
    assert_eq!(
        months.expires_on.as_deref(),
        Some("2026-02-28T14:12Z"),
        "the month's last day"
    );
    let hours = read_with(policy(
        "SpecificLifetime",
        Some(24),
        Some("Hours"),
        "Bypass",
        "AllSelfAuthorized",
    ));
    assert!(hours.notes[0].text.contains(
        "on 1 February 2026, 14:12 UTC (the app's refresh token policy: expire after 24 hours)"
    ));
}

#[test]
fn each_policy_is_said_as_its_consequence() {
    let idle = read_with(policy(
        "SpecificInactivity",
        Some(30),
        Some("Days"),
        "Enforce_RelaxRefresh",
        "AllSelfAuthorized",
    ));
    assert!(
        idle.notes[0].text.contains("goes unused for 30 days"),
        "{idle:?}"
    );
    assert_eq!(
        idle.notes.len(),
        1,
        "relaxed for refresh tokens: no IP warning"
    );
    let zero = read_with(policy(
        "Zero",
        None,
        None,
        "ENFORCE",
        "adminapprovedpreauthorized",
    ));
    assert!(zero.notes[0].text.contains("cannot work at all"));
    assert!(zero.notes[1].text.contains("trusted IP ranges"));
    assert!(
        zero.notes[2]
            .text
            .contains("Only users assigned to the app keep working")
    );
    assert_eq!(
        crate::signin::report::worst(&zero.notes).map(|n| n.severity),
        Some(5)
    );
    let infinite = read_with(policy(
        "Infinite",
        None,
        None,
        "Bypass",
        "AllSelfAuthorized",
    ));
    assert_eq!(infinite.notes.len(), 1);
    assert_eq!(infinite.notes[0].severity, 0);
    assert!(
        infinite.notes[0]
            .text
            .starts_with("Refresh token is valid until revoked")
    );
}

#[test]
fn a_refused_read_says_once_that_it_could_not_be_read_and_where_to_look() {
    let refused = Advice {
        code: Some("INVALID_TYPE".to_owned()),
        ..Advice::new("Refused", "Why.", "Fix.")
    };
    let found = read(Ok(app()), Err(Box::new(refused)), Some(&ours()));
    assert_eq!(found.notes.len(), 1);
    let text = &found.notes[0].text;
    assert!(
        text.starts_with(
            "The app's OAuth policies could not be read (Salesforce answered INVALID_TYPE)"
        ),
        "{text}"
    );
    assert!(text.contains("\"for internal use only\""), "{text}");
    assert!(text.contains("External Client App Manager"), "{text}");
    assert!(found.read_error.is_some());
    let unnamed = read(Ok(app()), Ok(Vec::new()), None);
    assert!(
        unnamed.notes[0]
            .text
            .contains("External Client App Manager")
    );
    let other = TokenRow {
        app_name: Some("A connected app".to_owned()),
        ..ours()
    };
    let elsewhere = read(Ok(app()), Ok(Vec::new()), Some(&other));
    assert!(
        elsewhere.notes[0]
            .text
            .starts_with("No External Client App of this org is named A connected app")
    );
}

#[test]
fn civil_dates_round_trip() {
    for text in [
        "1970-01-01T00:00",
        "2024-02-29T23:59",
        "2026-12-31T12:00",
        "2100-03-01T00:00",
    ] {
        let moment = parse(text).expect("parses");
        assert_eq!(Moment::from_minutes(moment.minutes()), moment, "{text}");
    }
    assert_eq!(
        parse("1970-01-02T00:00").map(Moment::minutes),
        Some(24 * 60)
    );
    assert_eq!(days_in_month(2024, 2), 29);
    assert_eq!(days_in_month(2026, 12), 31);
}
