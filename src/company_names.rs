//! The Company names setting: email domains whose users Snow Atlas imports, or
//! `*` for every user (including those without an email). The rule "no names
//! means `*`" lives here and nowhere else.

/// Company names meaning "every domain, including users without email".
pub const ALL: &str = "*";

/// Most names one choice may hold.
pub const MAX_NAMES: usize = 1000;

/// Trimmed, lower-cased domains without duplicates, or exactly `["*"]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompanyNames(Vec<String>);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CompanyNamesError {
    #[error("Choose at most 1,000 company names.")]
    TooMany,
    #[error("\"{0}\" is not an email domain such as acme.com.")]
    NotADomain(String),
}

impl Default for CompanyNames {
    fn default() -> Self {
        Self::all()
    }
}

impl CompanyNames {
    /// `*`: every user.
    pub fn all() -> Self {
        Self(vec![ALL.to_owned()])
    }

    /// Checks and normalizes a choice. An empty choice, or one with `*`, means all.
    pub fn parse<S: AsRef<str>>(names: &[S]) -> Result<Self, CompanyNamesError> {
        if names.len() > MAX_NAMES {
            return Err(CompanyNamesError::TooMany);
        }
        let mut chosen: Vec<String> = Vec::new();
        for name in names {
            let name = name.as_ref().trim().to_ascii_lowercase();
            if name == ALL {
                return Ok(Self::all());
            }
            let valid = !name.is_empty()
                && name.len() <= 253
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
            if !valid {
                return Err(CompanyNamesError::NotADomain(
                    name.chars().take(60).collect(),
                ));
            }
            if !chosen.contains(&name) {
                chosen.push(name);
            }
        }
        if chosen.is_empty() {
            return Ok(Self::all());
        }
        Ok(Self(chosen))
    }

    pub fn is_all(&self) -> bool {
        self.0 == [ALL]
    }

    pub fn as_slice(&self) -> &[String] {
        &self.0
    }

    /// As on the Copy all line: joined with `, `.
    pub fn joined(&self) -> String {
        self.0.join(", ")
    }

    /// As the field's own copy button gives them: one per line, as Snow Atlas
    /// takes one per row.
    pub fn lines(&self) -> String {
        self.0.join("\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(names: &[&str]) -> Vec<String> {
        CompanyNames::parse(names)
            .expect("valid names")
            .as_slice()
            .to_vec()
    }

    #[test]
    fn company_names_are_normalized_and_checked() {
        assert_eq!(parsed(&[]), ["*"]);
        assert_eq!(
            parsed(&[" ACME.com", "acme.com", "acme.co.uk"]),
            ["acme.com", "acme.co.uk"]
        );
        assert_eq!(parsed(&["acme.com", "*"]), ["*"]);
        assert!(CompanyNames::parse(&["<b>x</b>"]).is_err());
        assert!(CompanyNames::parse(&["acme.com, acme.co.uk"]).is_err());
    }

    #[test]
    fn at_most_a_thousand_names_are_taken() {
        let names: Vec<String> = (0..MAX_NAMES).map(|n| format!("d{n}.com")).collect();
        assert_eq!(
            CompanyNames::parse(&names)
                .expect("at the limit")
                .as_slice()
                .len(),
            MAX_NAMES
        );
        let over: Vec<String> = (0..=MAX_NAMES).map(|n| format!("d{n}.com")).collect();
        assert_eq!(CompanyNames::parse(&over), Err(CompanyNamesError::TooMany));
    }

    #[test]
    fn several_names_are_joined_with_a_comma_or_one_per_line() {
        let names = CompanyNames::parse(&["acme.com", "acme.co.uk"]).expect("names");
        assert_eq!(names.joined(), "acme.com, acme.co.uk");
        assert_eq!(names.lines(), "acme.com\nacme.co.uk");
        assert!(!names.is_all());
        assert!(CompanyNames::default().is_all());
    }
}
