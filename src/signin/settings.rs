//! The five Snow Atlas connector settings and the text formats they are
//! handed over in: "Copy all" and the Company names field. These formats are
//! a contract: Snow Atlas admins, scripts and tests rely on them (README,
//! "Command line"). The JSON views are `web/view.rs` and `commands/json.rs`.

use crate::client_id::{ClientId, ClientIdError};
use crate::company_names::CompanyNames;
use crate::secret::{ClientSecret, ClientSecretError, RefreshToken, RefreshTokenError};

/// The settings in Snow Atlas's order, with the secrets exposed: only built when
/// handing them to the user (the page behind its session, or `--json`).
pub struct Settings<'a> {
    pub client_id: &'a str,
    pub client_secret: &'a str,
    pub refresh_token: &'a str,
    pub login_url: &'a str,
    pub company_names: &'a CompanyNames,
}

/// One of the five settings, by the name its Copy all line gives it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Setting {
    ClientId,
    ClientSecret,
    RefreshToken,
    LoginUrl,
    CompanyNames,
}

impl Setting {
    /// In Snow Atlas's order.
    pub const ALL: [Self; 5] = [
        Self::ClientId,
        Self::ClientSecret,
        Self::RefreshToken,
        Self::LoginUrl,
        Self::CompanyNames,
    ];

    /// The setting a Copy all line's name stands for, in any case.
    fn named(name: &str) -> Option<Self> {
        match name.trim().to_ascii_lowercase().as_str() {
            "client id" => Some(Self::ClientId),
            "client secret" => Some(Self::ClientSecret),
            "refresh token" => Some(Self::RefreshToken),
            "login url" => Some(Self::LoginUrl),
            "company names" => Some(Self::CompanyNames),
            _ => None,
        }
    }
}

/// Settings read back from "Copy all" text (as pasted into `sftoken check`),
/// or typed at its prompts. The Client ID and the secrets are parsed by their
/// types as they are read, so the secrets are never a bare `String`; one that
/// breaks its rule keeps the reason, for the command to refuse it in the
/// page's words if it is used. The login URL and company names wait for the
/// configuration, which decides whether they are used, and under which
/// policy.
#[derive(Debug, Default)]
pub struct PastedSettings {
    pub client_id: Option<Result<ClientId, ClientIdError>>,
    pub client_secret: Option<Result<ClientSecret, ClientSecretError>>,
    pub refresh_token: Option<Result<RefreshToken, RefreshTokenError>>,
    pub login_url: Option<String>,
    pub company_names: Option<Vec<String>>,
}

impl PastedSettings {
    /// Whether `setting` was read.
    pub fn has(&self, setting: Setting) -> bool {
        match setting {
            Setting::ClientId => self.client_id.is_some(),
            Setting::ClientSecret => self.client_secret.is_some(),
            Setting::RefreshToken => self.refresh_token.is_some(),
            Setting::LoginUrl => self.login_url.is_some(),
            Setting::CompanyNames => self.company_names.is_some(),
        }
    }

    /// Reads one value into `setting`, replacing what was there.
    pub fn set(&mut self, setting: Setting, value: &str) {
        let value = value.trim();
        match setting {
            Setting::ClientId => self.client_id = Some(ClientId::parse(value)),
            Setting::ClientSecret => self.client_secret = Some(ClientSecret::parse(value)),
            Setting::RefreshToken => self.refresh_token = Some(RefreshToken::parse(value)),
            Setting::LoginUrl => self.login_url = Some(value.to_owned()),
            Setting::CompanyNames => {
                self.company_names = Some(value.split(',').map(|n| n.trim().to_owned()).collect());
            }
        }
    }

    /// All five settings are in.
    pub fn is_complete(&self) -> bool {
        self.count() == Setting::ALL.len()
    }

    /// How many of the five settings are in.
    pub fn count(&self) -> usize {
        Setting::ALL
            .into_iter()
            .filter(|setting| self.has(*setting))
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

    /// Reads the `Name: value` lines of the five settings; other lines, and
    /// empty values, are ignored.
    pub fn parse(text: &str) -> Self {
        let mut pasted = Self::default();
        for line in text.lines() {
            let Some((name, value)) = line.split_once(':') else {
                continue;
            };
            if let Some(setting) = Setting::named(name)
                && !value.trim().is_empty()
            {
                pasted.set(setting, value);
            }
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

    impl PastedSettings {
        /// What was read, in Snow Atlas's order: the secrets exposed, a value
        /// its type refused as `refused: ` and the words, company names
        /// joined with `|`. For tests here and in `commands`.
        pub(crate) fn exposed(&self) -> [Option<String>; 5] {
            fn shown<T, E: std::fmt::Display>(
                value: &Option<Result<T, E>>,
                text: impl Fn(&T) -> &str,
            ) -> Option<String> {
                value.as_ref().map(|read| match read {
                    Ok(value) => text(value).to_owned(),
                    Err(refused) => format!("refused: {refused}"),
                })
            }
            [
                shown(&self.client_id, ClientId::as_str),
                shown(&self.client_secret, ClientSecret::expose),
                shown(&self.refresh_token, RefreshToken::expose),
                self.login_url.clone(),
                self.company_names.as_ref().map(|names| names.join("|")),
            ]
        }
    }

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
            PastedSettings::parse(&text).exposed(),
            [
                "3MVG9id",
                "secret",
                "5Aep861token",
                "https://login.salesforce.com",
                "acme.com|acme.co.uk"
            ]
            .map(|value| Some(value.to_owned()))
        );
        assert_eq!(
            PastedSettings::parse("nothing here\nClient ID:  \n").exposed(),
            [None, None, None, None, None]
        );
    }

    #[test]
    fn pasted_values_are_read_by_their_types_and_a_refusal_keeps_the_page_words() {
        let long_secret = "s".repeat(1025);
        let text = format!(
            "Client ID: 3MVG9 two words\nClient secret: {long_secret}\nRefresh token: {}\n",
            "5".repeat(4097)
        );

        let pasted = PastedSettings::parse(&text);

        assert_eq!(
            pasted.exposed()[..3],
            [
                "refused: The Client ID looks wrong: it is one word of letters and digits. Copy it again.",
                "refused: The Consumer Secret is too long. Copy it again.",
                "refused: Paste the refresh token that Snow Atlas uses (it often starts with 5Aep).",
            ]
            .map(|value| Some(value.to_owned()))
        );
        let printed = format!("{pasted:?}");
        assert!(!printed.contains(&long_secret), "{printed}");
        let typed = PastedSettings::parse("Client secret: the-secret\nRefresh token: 5Aep-token");
        let printed = format!("{typed:?}");
        assert!(!printed.contains("the-secret"), "{printed}");
        assert!(!printed.contains("5Aep-token"), "{printed}");
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

        let mut typed = PastedSettings::default();
        typed.set(Setting::ClientId, " typed ");
        typed.fill_from(full);
        let read = typed.exposed();
        assert_eq!(read[0].as_deref(), Some("typed"));
        assert_eq!(read[2].as_deref(), Some("5Aep861token"));
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
