//! The signed-in user's approvals of this app, read back so that no sign-in
//! silently revokes Snow Atlas's token: Salesforce keeps five approvals per
//! user and app and, at a sixth, revokes the oldest. The user's own
//! `OauthToken` rows list them (every user may read their own). This app's
//! rows are those named as the row used last: the checks' refresh grant has
//! just used this app's token. The sources are in docs/salesforce.md,
//! "Approvals and app policies".

use serde::Deserialize;
use serde_json::Value;

use super::report::{Approvals, Note};
use crate::salesforce::Advice;

/// Approvals Salesforce keeps per user and app; the next one revokes the oldest.
pub const MAX_APPROVALS: usize = 5;

/// Where Salesforce lists a user's approvals (its help, "Manage
/// OAuth-Enabled Connected Apps Access to Your Data").
const WHERE: &str = "Salesforce lists them in the user's personal settings: Advanced User Details, section OAuth Connected Apps.";

/// An `OauthToken` record, as the REST API names its fields.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TokenRow {
    #[serde(default)]
    pub app_name: Option<String>,
    #[serde(default)]
    pub created_date: Option<String>,
    #[serde(default)]
    pub last_used_date: Option<String>,
}

impl TokenRow {
    /// When the row was last touched: used, or else created. Salesforce's
    /// datetimes are all `+0000`, so their text sorts as their time.
    fn touched(&self) -> Option<&str> {
        self.last_used_date
            .as_deref()
            .or(self.created_date.as_deref())
    }
}

/// The query for the user's own tokens: a user with "Customize Application"
/// sees every user's, so it names the user. `None` for an id that is not
/// letters and digits (Salesforce's are 15 or 18), never put into SOQL.
pub fn soql(user_id: &str) -> Option<String> {
    let is_id =
        (1..=24).contains(&user_id.len()) && user_id.bytes().all(|b| b.is_ascii_alphanumeric());
    is_id.then(|| {
        format!("SELECT AppName, CreatedDate, LastUsedDate, UseCount FROM OauthToken WHERE UserId = '{user_id}'")
    })
}

/// The user's approvals of this app, and this app's own row (the one just
/// used), which the app policy check dates a lifetime from.
pub fn read(records: Result<Vec<Value>, Box<Advice>>) -> (Approvals, Option<TokenRow>) {
    let records = match records {
        Ok(records) => records,
        Err(advice) => {
            let text = format!(
                "The user's approvals of this app could not be read ({}). {WHERE}",
                said(&advice)
            );
            let found = Approvals {
                notes: vec![Note::plain(text)],
                read_error: Some(*advice),
                ..Approvals::default()
            };
            return (found, None);
        }
    };
    let rows: Vec<TokenRow> = records
        .into_iter()
        .filter_map(|record| serde_json::from_value(record).ok())
        .collect();
    let Some(ours) = rows
        .iter()
        .filter(|row| row.app_name.is_some())
        .max_by(|a, b| a.touched().cmp(&b.touched()))
        .cloned()
    else {
        let text = format!(
            "Salesforce listed no OAuth token of this user, so the approvals of this app could not be counted. {WHERE}"
        );
        let found = Approvals {
            notes: vec![Note::plain(text)],
            ..Approvals::default()
        };
        return (found, None);
    };
    let name = ours.app_name.clone().unwrap_or_default();
    let mut this_app: Vec<&TokenRow> = rows
        .iter()
        .filter(|row| {
            row.app_name
                .as_deref()
                .is_some_and(|n| n.eq_ignore_ascii_case(&name))
        })
        .collect();
    this_app.sort_by(|a, b| a.created_date.cmp(&b.created_date));
    let count = this_app.len();
    let oldest = this_app.first().filter(|_| count >= MAX_APPROVALS);
    let note = match oldest {
        None => Note::plain(format!(
            "This user holds {count} of the {MAX_APPROVALS} approvals Salesforce keeps per user for {name}."
        )),
        Some(oldest) => Note::warning(
            3,
            format!(
                "This user holds {count} approvals of {name}, as many as Salesforce keeps per user and app: the next sign-in of this user to this app revokes the oldest, created {} and last used {}. If that is Snow Atlas's token, its imports stop.",
                day(oldest.created_date.as_deref()),
                day(oldest.last_used_date.as_deref()),
            ),
            "Sign in for tests as another user, or first revoke the approvals no longer needed: in this user's personal settings, Advanced User Details, section OAuth Connected Apps, click Revoke beside them. Snow Atlas's token is the one last used on its import schedule.".to_owned(),
        ),
    };
    let found = Approvals {
        app_name: Some(name),
        count,
        oldest_created: oldest.and_then(|row| row.created_date.clone()),
        oldest_last_used: oldest.and_then(|row| row.last_used_date.clone()),
        notes: vec![note],
        read_error: None,
    };
    (found, Some(ours))
}

/// Salesforce's refusal in a few words: its code, or what went wrong.
pub fn said(advice: &Advice) -> String {
    match &advice.code {
        Some(code) => format!("Salesforce answered {code}"),
        None => advice.title.clone(),
    }
}

/// `2026-12-07T14:12:16.000+0000` → `2026-12-07 14:12 UTC`; "never" without one.
pub fn day(datetime: Option<&str>) -> String {
    let Some(text) = datetime else {
        return "never".to_owned();
    };
    // `get`, not slicing: text from Salesforce that is not ASCII there must
    // not panic.
    match (text.get(..10), text.get(11..16)) {
        (Some(date), Some(time)) => format!("{date} {time} UTC"),
        _ => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn row(app: &str, created: &str, used: Option<&str>) -> Value {
        json!({"AppName": app, "CreatedDate": created, "LastUsedDate": used, "UseCount": 3})
    }

    #[test]
    fn a_datetime_is_shown_to_the_minute_and_anything_else_as_it_came() {
        assert_eq!(
            day(Some("2026-12-07T14:12:16.000+0000")),
            "2026-12-07 14:12 UTC"
        );
        assert_eq!(day(None), "never");
        assert_eq!(day(Some("yesterday")), "yesterday");
        // A character of several bytes across the cut: no panic.
        assert_eq!(day(Some("2026-12-0éT14:12:16")), "2026-12-0éT14:12:16");
    }

    #[test]
    fn only_a_salesforce_id_goes_into_the_query() {
        assert_eq!(
            soql("005MOCK000000001AAA").as_deref(),
            Some(
                "SELECT AppName, CreatedDate, LastUsedDate, UseCount FROM OauthToken WHERE UserId = '005MOCK000000001AAA'"
            )
        );
        assert_eq!(soql("005' OR Id != '"), None);
        assert_eq!(soql(""), None);
    }

    #[test]
    fn the_app_is_the_one_used_last_and_its_rows_are_counted_without_regard_to_case() {
        let (found, ours) = read(Ok(vec![
            row(
                "Salesforce CLI",
                "2026-01-01T00:00:00.000+0000",
                Some("2026-11-01T00:00:00.000+0000"),
            ),
            row(
                "Snow Atlas",
                "2026-02-01T00:00:00.000+0000",
                Some("2026-03-01T00:00:00.000+0000"),
            ),
            row(
                "snow atlas",
                "2026-12-07T10:00:00.000+0000",
                Some("2026-12-07T10:00:05.000+0000"),
            ),
        ]));
        assert_eq!(found.app_name.as_deref(), Some("snow atlas"));
        assert_eq!(found.count, 2);
        assert_eq!(found.notes[0].severity, 0, "{found:?}");
        assert!(found.notes[0].text.contains("holds 2 of the 5 approvals"));
        assert_eq!(
            ours.and_then(|r| r.created_date).as_deref(),
            Some("2026-12-07T10:00:00.000+0000")
        );
    }

    #[test]
    fn at_five_the_oldest_is_named_with_when_it_was_last_used() {
        let rows = (1..=5)
            .map(|n| {
                row(
                    "Snow Atlas",
                    &format!("2026-0{n}-01T08:30:00.000+0000"),
                    Some(&format!("2026-1{}-0{n}T02:00:00.000+0000", n % 2)),
                )
            })
            .collect();
        let (found, _) = read(Ok(rows));
        assert_eq!(found.count, 5);
        assert_eq!(
            found.oldest_created.as_deref(),
            Some("2026-01-01T08:30:00.000+0000")
        );
        let note = &found.notes[0];
        assert!(note.severity > 0);
        assert!(
            note.text.contains("revokes the oldest, created 2026-01-01 08:30 UTC and last used 2026-11-01 02:00 UTC"),
            "{note:?}"
        );
    }

    #[test]
    fn a_refused_read_and_no_rows_say_where_to_look() {
        let refused = Advice {
            code: Some("INVALID_TYPE".to_owned()),
            ..Advice::new("Refused", "Why.", "Fix.")
        };
        let (found, ours) = read(Err(Box::new(refused)));
        assert!(ours.is_none());
        assert!(found.read_error.is_some());
        assert!(
            found.notes[0]
                .text
                .contains("could not be read (Salesforce answered INVALID_TYPE)")
        );
        assert!(found.notes[0].text.contains("Advanced User Details"));
        let (none, _) = read(Ok(Vec::new()));
        assert_eq!(none.count, 0);
        assert!(none.notes[0].text.contains("Advanced User Details"));
    }
}
