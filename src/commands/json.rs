//! The `--json` object, a contract (`../shared/design.md`, "Contract"): the
//! five settings, where they lead, and the checks keyed by their names. Its
//! field names are pinned by a golden test; extend it, never rename. It is
//! written by [`to_json`], the one JSON writer of the terminal commands.

use std::io::Write;

use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

use crate::plain_text::hides_or_moves;
use crate::salesforce::Credentials;
use crate::signin::Held;
use crate::signin::report::Report;
use crate::web::StepView;

#[derive(Serialize)]
pub(super) struct JsonOutput<'a> {
    client_id: &'a str,
    client_secret: &'a str,
    refresh_token: &'a str,
    login_url: &'a str,
    company_names: &'a [String],
    instance_url: Option<&'a str>,
    org_id: Option<&'a str>,
    username: Option<&'a str>,
    checks: ChecksByName<'a>,
}

impl<'a> JsonOutput<'a> {
    pub(super) fn new(held: &'a Held, credentials: &'a Credentials) -> Self {
        let settings = held.settings(credentials);
        Self {
            client_id: settings.client_id,
            client_secret: settings.client_secret,
            refresh_token: settings.refresh_token,
            login_url: settings.login_url,
            company_names: settings.company_names.as_slice(),
            instance_url: held.details.instance_url.as_deref(),
            org_id: held.details.org_id.as_deref(),
            username: held.details.username.as_deref(),
            checks: ChecksByName(&held.report),
        }
    }
}

/// `value` as compact JSON, as `--json` prints it and `--output` writes it.
/// serde_json escapes only U+0000 to U+001F, so an org or user name from
/// Salesforce could carry a C1 control (U+009B starts a terminal command),
/// DEL, a bidi override or a line separator raw to a terminal that shows the
/// JSON; here each character of [`hides_or_moves`] is written as `\uXXXX`,
/// which any JSON reader turns back into the same text.
pub(super) fn to_json(value: &impl Serialize) -> String {
    let mut out = Vec::new();
    value
        .serialize(&mut serde_json::Serializer::with_formatter(
            &mut out,
            EscapeHidden,
        ))
        .expect("settings serialize");
    String::from_utf8(out).expect("serde_json writes UTF-8")
}

/// serde_json's compact format, with [`hides_or_moves`] escaped in strings.
struct EscapeHidden;

impl serde_json::ser::Formatter for EscapeHidden {
    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        let mut start = 0;
        for (at, c) in fragment.char_indices().filter(|(_, c)| hides_or_moves(*c)) {
            writer.write_all(&fragment.as_bytes()[start..at])?;
            // Each is in the Basic Multilingual Plane: one `\u` escape.
            write!(writer, "\\u{:04x}", u32::from(c))?;
            start = at + c.len_utf8();
        }
        writer.write_all(&fragment.as_bytes()[start..])
    }
}

/// `{"done": …, "token": {"status": …}, "user": …}`: each check under its name.
struct ChecksByName<'a>(&'a Report);

impl Serialize for ChecksByName<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("done", &self.0.done)?;
        for (kind, step) in self.0.steps() {
            map.serialize_entry(kind.name(), &StepView::of(step))?;
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client_id::ClientId;
    use crate::company_names::CompanyNames;
    use crate::login_url::{HostPolicy, LoginUrl};
    use crate::salesforce::Advice;
    use crate::secret::{ClientSecret, RefreshToken};
    use crate::signin::report::{
        CheckKind, DomainCount, Finding, License, Licenses, LoginUrlTried, OrgInfo, Permission,
        PermissionsCheck, Step, TokenCheck, TypeCount, UserInfo, UserPreview,
    };
    use crate::signin::{Connection, Details};

    /// The fields `../shared/design.md` names in its contract, in its order.
    const CONTRACT: [&str; 8] = [
        "client_id",
        "client_secret",
        "refresh_token",
        "login_url",
        "company_names",
        "instance_url",
        "org_id",
        "username",
    ];

    const GOLDEN: &str = "tests/golden/json-output.json";

    fn connection() -> Connection {
        Connection::new(
            Credentials {
                client_id: ClientId::parse("3MVG9key").expect("a key"),
                client_secret: ClientSecret::new("the-secret"),
                login_url: LoginUrl::parse(
                    "https://acme.my.salesforce.com",
                    HostPolicy::Salesforce,
                )
                .expect("url"),
            },
            RefreshToken::new("5Aep-token"),
            CompanyNames::parse(&["acme.com"]).expect("names"),
            Details {
                instance_url: Some("https://acme.my.salesforce.com".into()),
                org_id: Some("00Dxx0000001gPL".into()),
                user_id: Some("005xx000001Sv6e".into()),
                username: Some("ada@acme.com".into()),
                scope: Some("api full refresh_token".into()),
            },
        )
    }

    fn every_check_passed(report: &mut Report) {
        let license = |name: &str| License {
            name: name.to_owned(),
            status: Some("Active".to_owned()),
            used: 3,
            total: 10,
        };
        report.pass(Finding::Token(token(None)));
        report.pass(Finding::User(UserInfo {
            user_id: "005xx000001Sv6e".into(),
            username: "ada@acme.com".into(),
            display_name: "Ada Admin".into(),
        }));
        report.pass(Finding::Org(OrgInfo {
            id: "00Dxx0000001gPL".into(),
            name: "Acme".into(),
            edition: "Enterprise Edition".into(),
            is_sandbox: false,
            instance: Some("NA1".into()),
            api_version: "66.0".into(),
            warning: None,
        }));
        report.pass(Finding::Permissions(PermissionsCheck {
            granted: vec![Permission::ApiEnabled, Permission::ViewSetup],
            missing: vec![Permission::ViewAllUsers],
            fixes: vec!["Add \"View All Users\".".into()],
            profiles: 4,
            profiles_error: None,
        }));
        report.pass(Finding::Licenses(Licenses {
            user_licenses: vec![license("Salesforce")],
            permission_set_licenses: Vec::new(),
            user_licenses_error: None,
            permission_set_licenses_error: Some(Advice::new("Refused", "Why.", "Fix.")),
        }));
        report.pass(Finding::Users(UserPreview {
            active_users: 2,
            by_type: vec![TypeCount {
                user_type: "Standard".into(),
                count: 2,
                left_out: false,
            }],
            without_email: 0,
            domains: vec![DomainCount {
                domain: "acme.com".into(),
                count: 2,
            }],
            warning: Some("These counts may be incomplete.".into()),
        }));
        report.done = true;
    }

    /// The token check after the refresh grant at the sign-in's My Domain
    /// and at login.salesforce.com, which refused with `refused` if given.
    fn token(refused: Option<Advice>) -> TokenCheck {
        let (my_domain, generic) = (
            "https://acme.my.salesforce.com",
            "https://login.salesforce.com",
        );
        let shown = if refused.is_some() {
            my_domain
        } else {
            generic
        };
        TokenCheck {
            login_url: shown.into(),
            login_urls_tried: vec![
                LoginUrlTried {
                    login_url: my_domain.into(),
                    refused: None,
                },
                LoginUrlTried {
                    login_url: generic.into(),
                    refused,
                },
            ],
            login_url_reason: Some("Why this one.".into()),
            rotated: false,
            scopes_granted: vec!["api".into(), "full".into(), "refresh_token".into()],
            scopes_missing: Vec::new(),
            scope_fixes: Vec::new(),
            warning: None,
        }
    }

    /// The generic host refused the refresh grant, then the API refused after
    /// the token worked: failed, skipped and running.
    fn api_refused(report: &mut Report) {
        every_check_passed(report);
        report.pass(Finding::Token(token(Some(Advice::new(
            "Not here", "Why.", "Fix.",
        )))));
        report.set(
            CheckKind::User,
            Step::Running {
                pages: 1,
                records: 2,
            },
        );
        report.fail(CheckKind::Org, Advice::new("Refused", "Why.", "Fix."));
    }

    /// The `--json` text of a connection whose checks `fill` sets.
    fn json(fill: fn(&mut Report)) -> String {
        let connection = connection();
        connection.update_report(fill);
        connection.read(|held| {
            serde_json::to_string_pretty(&JsonOutput::new(held, &connection.credentials))
                .expect("json")
        })
    }

    #[test]
    fn the_json_object_keeps_the_contract_fields_in_order_then_the_checks_by_name() {
        let text = json(every_check_passed);
        let at = |key: &str| {
            text.find(&format!("\n  \"{key}\": "))
                .unwrap_or_else(|| panic!("no top-level {key}: {text}"))
        };
        let places: Vec<usize> = CONTRACT.iter().map(|key| at(key)).collect();
        assert!(places.is_sorted(), "the contract's order: {text}");
        assert!(at("checks") > places[CONTRACT.len() - 1], "{text}");
        let json: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
        assert_eq!(json.as_object().expect("object").len(), CONTRACT.len() + 1);
        for kind in CheckKind::ALL {
            assert_eq!(json["checks"][kind.name()]["status"], "ok", "{kind:?}");
        }
        assert_eq!(json["company_names"], serde_json::json!(["acme.com"]));
    }

    #[test]
    fn json_escapes_what_could_drive_a_terminal_and_reads_back_the_same() {
        let hidden: String = ('\u{7f}'..='\u{9f}')
            .chain(['\u{2028}', '\u{2029}'])
            .chain('\u{202a}'..='\u{202e}')
            .chain('\u{2066}'..='\u{2069}')
            .collect();
        let name = format!("Ada{hidden}\u{1b}[0m \\ \"é\" 語 🦀");
        let value = serde_json::json!({ "username": name, hidden.as_str(): [hidden] });

        let text = to_json(&value);

        assert!(!text.chars().any(hides_or_moves), "{text:?}");
        for escape in [
            "\\u007f", "\\u0085", "\\u009b", "\\u2028", "\\u202e", "\\u2069",
        ] {
            assert!(text.contains(escape), "{escape}: {text}");
        }
        assert!(text.contains(r#"\u001b[0m \\ \"é\" 語 🦀"#), "{text}");
        let read: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
        assert_eq!(read, value);
    }

    proptest::proptest! {
        #[test]
        fn any_text_is_written_as_json_that_reads_back_the_same(
            text in "(.|[\\x00-\\x{a0}]|[\\x{2028}-\\x{2069}])*"
        ) {
            let value = serde_json::json!({ text.as_str(): [text] });
            let written = to_json(&value);
            proptest::prop_assert!(!written.chars().any(hides_or_moves));
            proptest::prop_assert_eq!(serde_json::from_str::<serde_json::Value>(&written).ok(), Some(value));
        }
    }

    /// Every field name, its place and its shape in `--json`, pinned: a
    /// rename fails here. After adding a field on purpose, rewrite the file
    /// with `SFTOKEN_UPDATE_GOLDEN=1 cargo test --lib golden`.
    #[test]
    fn the_json_object_matches_its_golden_file() {
        let text = format!("{}\n{}\n", json(every_check_passed), json(api_refused));
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(GOLDEN);
        if std::env::var_os("SFTOKEN_UPDATE_GOLDEN").is_some() {
            std::fs::write(&path, &text).expect("write the golden file");
        }
        let golden = std::fs::read_to_string(&path).expect("the golden file");
        assert_eq!(
            text, golden,
            "--json changed; extend it, never rename (SFTOKEN_UPDATE_GOLDEN=1 rewrites {GOLDEN})"
        );
    }
}
