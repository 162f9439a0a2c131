//! The five Snow Atlas connector settings and the formats they are handed over
//! in: "Copy all" text, the Company names field, and the `--json` object.
//! These formats are part of the contract in `shared/design.md`.

use secrecy::ExposeSecret;
use serde::Serialize;

use crate::salesforce::Capture;

/// Company names meaning "every domain, including users without email".
pub const ALL_COMPANIES: &str = "*";

/// The settings in Snow Atlas's order, with the secrets exposed: only built when
/// handing them to the user (the page behind its cookie, or `--json`).
#[derive(Serialize, Debug, PartialEq, Eq)]
pub struct Settings<'a> {
    pub client_id: &'a str,
    pub client_secret: &'a str,
    pub refresh_token: &'a str,
    pub login_url: &'a str,
    pub company_names: Vec<String>,
}

/// The `--json` object: the settings plus where they came from.
#[derive(Serialize, Debug)]
pub struct JsonOutput<'a> {
    #[serde(flatten)]
    pub settings: Settings<'a>,
    pub instance_url: &'a str,
    pub org_id: &'a str,
    pub username: Option<&'a str>,
}

impl<'a> Settings<'a> {
    pub fn from_capture(capture: &'a Capture) -> Self {
        Self {
            client_id: &capture.credentials.client_id,
            client_secret: capture.credentials.client_secret.expose_secret(),
            refresh_token: capture.refresh_token.expose_secret(),
            login_url: capture.credentials.login_url.as_str(),
            company_names: vec![ALL_COMPANIES.to_owned()],
        }
    }

    /// "Copy all": one `Name: value` line per setting, company names joined with `, `.
    pub fn copy_all(&self) -> String {
        format!(
            "Client ID: {}\nClient secret: {}\nRefresh token: {}\nLogin URL: {}\nCompany names: {}\n",
            self.client_id,
            self.client_secret,
            self.refresh_token,
            self.login_url,
            self.company_names.join(", ")
        )
    }

    /// The Company names field's own copy button: one name per line, as Snow
    /// Atlas takes one per row.
    pub fn company_names_lines(&self) -> String {
        self.company_names.join("\n")
    }
}

impl<'a> JsonOutput<'a> {
    pub fn from_capture(capture: &'a Capture) -> Self {
        Self {
            settings: Settings::from_capture(capture),
            instance_url: &capture.instance_url,
            org_id: &capture.org_id,
            username: capture.username.as_deref(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(company_names: &[&str]) -> Settings<'static> {
        Settings {
            client_id: "3MVG9id",
            client_secret: "secret",
            refresh_token: "5Aep861token",
            login_url: "https://login.salesforce.com",
            company_names: company_names.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn copy_all_is_five_lines_in_snow_atlas_order() {
        assert_eq!(
            settings(&["*"]).copy_all(),
            "Client ID: 3MVG9id\nClient secret: secret\nRefresh token: 5Aep861token\nLogin URL: https://login.salesforce.com\nCompany names: *\n"
        );
    }

    #[test]
    fn several_company_names_are_joined_with_a_comma_in_copy_all_and_lines_in_the_field() {
        let s = settings(&["acme.com", "acme.co.uk"]);
        assert!(
            s.copy_all()
                .ends_with("Company names: acme.com, acme.co.uk\n")
        );
        assert_eq!(s.company_names_lines(), "acme.com\nacme.co.uk");
    }
}
