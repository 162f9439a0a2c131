//! The five Snow Atlas connector settings and the text formats they are
//! handed over in: "Copy all" and the Company names field. These formats are
//! a contract: Snow Atlas admins, scripts and tests rely on them (README,
//! "Command line"). The JSON views are `web/view.rs` and `commands/json.rs`.

use crate::company_names::CompanyNames;

/// The settings in Snow Atlas's order, with the secrets exposed: only built when
/// handing them to the user (the page behind its session, or `--json`).
pub struct Settings<'a> {
    pub client_id: &'a str,
    pub client_secret: &'a str,
    pub refresh_token: &'a str,
    pub login_url: &'a str,
    pub company_names: &'a CompanyNames,
}

/// Settings read back from "Copy all" text (as pasted into `sftoken check`).
/// Lines that are not `Name: value` for one of the five settings are ignored.
#[derive(Default, PartialEq, Eq)]
pub struct PastedSettings {
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    pub refresh_token: Option<String>,
    pub login_url: Option<String>,
    pub company_names: Option<Vec<String>>,
}

impl std::fmt::Debug for PastedSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let redacted = |value: &Option<String>| value.as_ref().map(|_| "[redacted]");
        f.debug_struct("PastedSettings")
            .field("client_id", &self.client_id)
            .field("client_secret", &redacted(&self.client_secret))
            .field("refresh_token", &redacted(&self.refresh_token))
            .field("login_url", &self.login_url)
            .field("company_names", &self.company_names)
            .finish()
    }
}

impl PastedSettings {
    /// All five settings are in.
    pub fn is_complete(&self) -> bool {
        self.client_id.is_some()
            && self.client_secret.is_some()
            && self.refresh_token.is_some()
            && self.login_url.is_some()
            && self.company_names.is_some()
    }

    /// How many of the five settings are in.
    pub fn count(&self) -> usize {
        [
            self.client_id.is_some(),
            self.client_secret.is_some(),
            self.refresh_token.is_some(),
            self.login_url.is_some(),
            self.company_names.is_some(),
        ]
        .into_iter()
        .filter(|known| *known)
        .count()
    }

    /// Fills in what is missing here from `other`.
    pub fn fill_from(&mut self, other: Self) {
        self.client_id = self.client_id.take().or(other.client_id);
        self.client_secret = self.client_secret.take().or(other.client_secret);
        self.refresh_token = self.refresh_token.take().or(other.refresh_token);
        self.login_url = self.login_url.take().or(other.login_url);
        self.company_names = self.company_names.take().or(other.company_names);
    }

    pub fn parse(text: &str) -> Self {
        let mut pasted = Self::default();
        for line in text.lines() {
            let Some((name, value)) = line.split_once(':') else {
                continue;
            };
            let value = value.trim();
            if value.is_empty() {
                continue;
            }
            let slot = match name.trim().to_ascii_lowercase().as_str() {
                "client id" => &mut pasted.client_id,
                "client secret" => &mut pasted.client_secret,
                "refresh token" => &mut pasted.refresh_token,
                "login url" => &mut pasted.login_url,
                "company names" => {
                    pasted.company_names =
                        Some(value.split(',').map(|n| n.trim().to_owned()).collect());
                    continue;
                }
                _ => continue,
            };
            *slot = Some(value.to_owned());
        }
        pasted
    }
}

impl Settings<'_> {
    /// "Copy all": one `Name: value` line per setting, company names joined with `, `.
    pub fn copy_all(&self) -> String {
        format!(
            "Client ID: {}\nClient secret: {}\nRefresh token: {}\nLogin URL: {}\nCompany names: {}\n",
            self.client_id,
            self.client_secret,
            self.refresh_token,
            self.login_url,
            self.company_names.joined()
        )
    }

    /// The Company names field's own copy button: one name per line, as Snow
    /// Atlas takes one per row.
    pub fn company_names_lines(&self) -> String {
        self.company_names.lines()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(company_names: &CompanyNames) -> Settings<'_> {
        Settings {
            client_id: "3MVG9id",
            client_secret: "secret",
            refresh_token: "5Aep861token",
            login_url: "https://login.salesforce.com",
            company_names,
        }
    }

    fn names(names: &[&str]) -> CompanyNames {
        CompanyNames::parse(names).expect("names")
    }

    #[test]
    fn copy_all_is_five_lines_in_snow_atlas_order() {
        assert_eq!(
            settings(&names(&["*"])).copy_all(),
            "Client ID: 3MVG9id\nClient secret: secret\nRefresh token: 5Aep861token\nLogin URL: https://login.salesforce.com\nCompany names: *\n"
        );
    }

    #[test]
    fn copy_all_text_reads_back_into_the_five_settings() {
        let chosen = names(&["acme.com", "acme.co.uk"]);
        let text = format!("  {}\r\nnoise line\n", settings(&chosen).copy_all());
        assert_eq!(
            PastedSettings::parse(&text),
            PastedSettings {
                client_id: Some("3MVG9id".into()),
                client_secret: Some("secret".into()),
                refresh_token: Some("5Aep861token".into()),
                login_url: Some("https://login.salesforce.com".into()),
                company_names: Some(chosen.as_slice().to_vec()),
            }
        );
        assert_eq!(
            PastedSettings::parse("nothing here"),
            PastedSettings::default()
        );
    }

    #[test]
    fn a_block_is_complete_with_all_five_and_fills_only_what_is_missing() {
        let full = PastedSettings::parse(&settings(&names(&["*"])).copy_all());
        assert!(full.is_complete());
        assert_eq!(full.count(), 5);
        let four = PastedSettings::parse(
            "Client ID: a\nClient secret: b\nRefresh token: c\nLogin URL: d\n",
        );
        assert!(!four.is_complete());
        assert_eq!(four.count(), 4);

        let mut typed = PastedSettings {
            client_id: Some("typed".into()),
            ..PastedSettings::default()
        };
        typed.fill_from(full);
        assert_eq!(typed.client_id.as_deref(), Some("typed"));
        assert_eq!(typed.refresh_token.as_deref(), Some("5Aep861token"));
        assert!(typed.is_complete());
    }

    #[test]
    fn several_company_names_are_joined_with_a_comma_in_copy_all_and_lines_in_the_field() {
        let chosen = names(&["acme.com", "acme.co.uk"]);
        let s = settings(&chosen);
        assert!(
            s.copy_all()
                .ends_with("Company names: acme.com, acme.co.uk\n")
        );
        assert_eq!(s.company_names_lines(), "acme.com\nacme.co.uk");
    }
}
