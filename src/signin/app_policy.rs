//! The External Client App's OAuth policies, read back and said as what they
//! do to Snow Atlas's token: a fixed lifetime ends it on a date, a period
//! without use ends it when imports pause, `Zero` ends it at once, enforced
//! IP restrictions need Snow Atlas's servers in the trusted ranges, and
//! admin-approved users keep only the assigned ones working. Salesforce
//! marks `ExternalClientApplication` and `ExtlClntAppOauthPlcyCnfg` "for
//! internal use only", so a refused read says so once, with where to look in
//! Setup, and the checks go on. Values are compared without regard to case.
//! The sources are in docs/salesforce.md, "Approvals and app policies".

use std::time::{SystemTime, UNIX_EPOCH};

use serde::Deserialize;
use serde_json::Value;

use super::approvals::{TokenRow, said};
use super::report::{AppPolicy, Note};
use crate::salesforce::Advice;

/// The External Client Apps, to find this app's by its label.
pub const APPS_SOQL: &str = "SELECT Id, MasterLabel, DeveloperName FROM ExternalClientApplication";

/// Every External Client App's OAuth policies.
pub const POLICIES_SOQL: &str = "SELECT ExternalClientApplicationId, RefreshTokenPolicyType, RefreshTokenValidityPeriod, RefreshTokenValidityUnit, IpRelaxationPolicyType, PermittedUsersPolicyType FROM ExtlClntAppOauthPlcyCnfg";

/// Where the policies are in Setup.
const WHERE: &str = "In Setup, enter External Client App Manager in the Quick Find box, open the app, and look under Policies, OAuth Policies: Refresh Token Policy, IP Relaxation and Permitted Users.";

/// The fix for a refresh token policy that ends the token.
const VALID_UNTIL_REVOKED: &str = "In Setup, External Client App Manager, open the app, edit its Policies and, under OAuth Policies, set Refresh Token Policy to \"Refresh token is valid until revoked\"; save, then sign in again for a new token.";

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct AppRow {
    id: String,
    #[serde(default)]
    master_label: Option<String>,
    #[serde(default)]
    developer_name: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PolicyRow {
    #[serde(default)]
    external_client_application_id: Option<String>,
    #[serde(default)]
    refresh_token_policy_type: Option<String>,
    #[serde(default)]
    refresh_token_validity_period: Option<i64>,
    #[serde(default)]
    refresh_token_validity_unit: Option<String>,
    #[serde(default)]
    ip_relaxation_policy_type: Option<String>,
    #[serde(default)]
    permitted_users_policy_type: Option<String>,
}

/// The app's policies, from the two reads and this app's approval (`ours`,
/// which names the app and dates a lifetime).
pub fn read(
    apps: Result<Vec<Value>, Box<Advice>>,
    policies: Result<Vec<Value>, Box<Advice>>,
    ours: Option<&TokenRow>,
) -> AppPolicy {
    let unread = |text: String, read_error: Option<Advice>| AppPolicy {
        notes: vec![Note::plain(format!("{text} {WHERE}"))],
        read_error,
        ..AppPolicy::default()
    };
    let (apps, policies) = match (apps, policies) {
        (Ok(apps), Ok(policies)) => (rows::<AppRow>(apps), rows::<PolicyRow>(policies)),
        (Err(advice), _) | (_, Err(advice)) => {
            let text = format!(
                "The app's OAuth policies could not be read ({}): Salesforce marks the objects that hold them \"for internal use only\", and this org did not give them.",
                said(&advice)
            );
            return unread(text, Some(*advice));
        }
    };
    let Some(name) = ours.and_then(|row| row.app_name.as_deref()) else {
        return unread(
            "The app's OAuth policies were not read: no approval of this user names the app."
                .to_owned(),
            None,
        );
    };
    let same = |text: &Option<String>| {
        text.as_deref()
            .is_some_and(|t| t.eq_ignore_ascii_case(name))
    };
    let Some(app) = apps
        .iter()
        .find(|app| same(&app.master_label) || same(&app.developer_name))
    else {
        return unread(
            format!(
                "No External Client App of this org is named {name}, so its OAuth policies were not read (a connected app keeps them elsewhere)."
            ),
            None,
        );
    };
    let Some(policy) = policies
        .into_iter()
        .find(|p| p.external_client_application_id.as_deref() == Some(app.id.as_str()))
    else {
        return unread(
            format!("Salesforce gave no OAuth policies for {name}."),
            None,
        );
    };
    let label = app.master_label.clone().unwrap_or_else(|| name.to_owned());
    let created = ours.and_then(|row| row.created_date.as_deref());
    let mut found = AppPolicy {
        app_name: Some(label),
        expires_on: None,
        notes: Vec::new(),
        read_error: None,
        refresh_token_policy: policy.refresh_token_policy_type,
        validity_period: policy.refresh_token_validity_period,
        validity_unit: policy.refresh_token_validity_unit,
        ip_relaxation: policy.ip_relaxation_policy_type,
        permitted_users: policy.permitted_users_policy_type,
    };
    refresh_token_notes(&mut found, created);
    other_notes(&mut found);
    found
}

fn rows<T: for<'de> Deserialize<'de>>(records: Vec<Value>) -> Vec<T> {
    records
        .into_iter()
        .filter_map(|record| serde_json::from_value(record).ok())
        .collect()
}

fn is(value: &Option<String>, expected: &str) -> bool {
    value
        .as_deref()
        .is_some_and(|v| v.eq_ignore_ascii_case(expected))
}

/// "1 day", "24 hours", "3 months".
fn period(found: &AppPolicy) -> Option<(i64, Unit, String)> {
    let n = found.validity_period?;
    let unit = Unit::parse(found.validity_unit.as_deref()?)?;
    let word = unit.word();
    Some((
        n,
        unit,
        format!("{n} {word}{}", if n == 1 { "" } else { "s" }),
    ))
}

fn refresh_token_notes(found: &mut AppPolicy, created: Option<&str>) {
    let policy = &found.refresh_token_policy;
    let note = if is(policy, "Infinite") {
        Note::plain("Refresh token is valid until revoked: the app's policy does not end Snow Atlas's token.".to_owned())
    } else if is(policy, "Zero") {
        Note::warning(
            5,
            "Snow Atlas's token cannot work at all: the app's refresh token policy is \"Immediately expire refresh token\".".to_owned(),
            VALID_UNTIL_REVOKED.to_owned(),
        )
    } else if let (true, Some((n, unit, words))) = (is(policy, "SpecificLifetime"), period(found)) {
        let start = created.and_then(parse).unwrap_or_else(now);
        let end = unit.add(start, n);
        found.expires_on = Some(end.iso());
        Note::warning(
            4,
            format!(
                "Snow Atlas's token stops working on {} (the app's refresh token policy: expire after {words}).",
                end.words()
            ),
            VALID_UNTIL_REVOKED.to_owned(),
        )
    } else if let (true, Some((_, _, words))) = (is(policy, "SpecificInactivity"), period(found)) {
        Note::warning(
            2,
            format!(
                "Snow Atlas's token stops working if it goes unused for {words} (the app's refresh token policy: expire if not used for {words}): the connector's imports may pause for less than that, never more."
            ),
            format!(
                "{VALID_UNTIL_REVOKED} Or keep Snow Atlas's import schedule shorter than {words}."
            ),
        )
    } else {
        let value = policy.as_deref().unwrap_or("not given");
        Note::plain(format!(
            "The app's refresh token policy is {value}, which sftoken does not know; check it in Setup."
        ))
    };
    found.notes.push(note);
}

fn other_notes(found: &mut AppPolicy) {
    if is(&found.ip_relaxation, "Enforce") {
        found.notes.push(Note::warning(
            2,
            "The app enforces IP restrictions, without relaxing them for refresh tokens: Snow Atlas's servers must be in the org's trusted IP ranges, or its imports are refused.".to_owned(),
            "Ask Snow for the addresses its servers use and add them to the trusted IP ranges, or, in the app's OAuth Policies, set IP Relaxation to \"Enforce IP restrictions, but relax for refresh tokens\" or \"Relax IP restrictions\".".to_owned(),
        ));
    }
    if is(&found.permitted_users, "AdminApprovedPreAuthorized") {
        found.notes.push(Note::warning(
            1,
            "Only users assigned to the app keep working: its Permitted Users is \"Admin approved users are pre-authorized\". If this user loses the profile or permission set assigned to the app, Snow Atlas's token stops working.".to_owned(),
            "Keep this user's profile, or a permission set assigned to this user, selected in the app's OAuth Policies (Select Profiles, Select Permission Sets).".to_owned(),
        ));
    }
}

/// `RefreshTokenValidityUnit`: `Hours`, `Days`, `Months`.
#[derive(Clone, Copy)]
enum Unit {
    Hours,
    Days,
    Months,
}

impl Unit {
    fn parse(text: &str) -> Option<Self> {
        [Self::Hours, Self::Days, Self::Months]
            .into_iter()
            .find(|unit| format!("{}s", unit.word()).eq_ignore_ascii_case(text))
    }

    fn word(self) -> &'static str {
        match self {
            Self::Hours => "hour",
            Self::Days => "day",
            Self::Months => "month",
        }
    }

    /// `n` units after `start`; a month later is the same day of the month,
    /// or the month's last day.
    fn add(self, start: Moment, n: i64) -> Moment {
        match self {
            Self::Hours => Moment::from_minutes(start.minutes() + n * 60),
            Self::Days => Moment::from_minutes(start.minutes() + n * 24 * 60),
            Self::Months => {
                let months = start.year * 12 + (start.month - 1) + n;
                let (year, month) = (months.div_euclid(12), months.rem_euclid(12) + 1);
                let day = start.day.min(days_in_month(year, month));
                Moment {
                    year,
                    month,
                    day,
                    ..start
                }
            }
        }
    }
}

/// A UTC time to the minute.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Moment {
    year: i64,
    month: i64,
    day: i64,
    hour: i64,
    minute: i64,
}

/// Salesforce's `2026-12-07T14:12:16.000+0000` (always UTC in the REST API).
fn parse(text: &str) -> Option<Moment> {
    let number = |range: std::ops::Range<usize>| text.get(range)?.parse::<i64>().ok();
    Some(Moment {
        year: number(0..4)?,
        month: number(5..7)?,
        day: number(8..10)?,
        hour: number(11..13)?,
        minute: number(14..16)?,
    })
}

fn now() -> Moment {
    let seconds = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    Moment::from_minutes(i64::try_from(seconds / 60).unwrap_or(0))
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

impl Moment {
    /// Minutes since 1970-01-01 (days from the civil date, as in Howard
    /// Hinnant's `days_from_civil`).
    fn minutes(self) -> i64 {
        let y = if self.month <= 2 {
            self.year - 1
        } else {
            self.year
        };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let mp = (self.month + 9) % 12;
        let doy = (153 * mp + 2) / 5 + self.day - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        let days = era * 146_097 + doe - 719_468;
        (days * 24 + self.hour) * 60 + self.minute
    }

    fn from_minutes(minutes: i64) -> Self {
        let days = minutes.div_euclid(24 * 60);
        let of_day = minutes.rem_euclid(24 * 60);
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        Moment {
            year,
            month,
            day,
            hour: of_day / 60,
            minute: of_day % 60,
        }
    }

    fn iso(self) -> String {
        let Moment {
            year,
            month,
            day,
            hour,
            minute,
        } = self;
        format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}Z")
    }

    /// "8 December 2026, 14:12 UTC".
    fn words(self) -> String {
        let month = MONTHS[usize::try_from(self.month - 1).unwrap_or(0).min(11)];
        format!(
            "{} {month} {}, {:02}:{:02} UTC",
            self.day, self.year, self.hour, self.minute
        )
    }
}

fn days_in_month(year: i64, month: i64) -> i64 {
    let next = if month == 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    };
    let first = |(year, month)| {
        Moment {
            year,
            month,
            day: 1,
            hour: 0,
            minute: 0,
        }
        .minutes()
    };
    (first(next) - first((year, month))) / (24 * 60)
}

#[cfg(test)]
mod tests;
