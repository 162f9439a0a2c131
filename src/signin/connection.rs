//! One set of connector settings being handed over: from a sign-in, or typed in
//! to check an existing setup. It holds the credentials and refresh token (which
//! rotation may replace), the chosen company names, what Salesforce said about
//! the org, and the check report as it fills in.

use std::sync::{Mutex, MutexGuard};

use tokio::sync::watch;

use super::report::Report;
use super::settings::Settings;
use crate::company_names::CompanyNames;
use crate::salesforce::{Credentials, Tokens, ids_from_identity_url};
use crate::secret::RefreshToken;

/// Where the token came from and where it leads, as far as known.
#[derive(Clone, Debug, Default)]
pub struct Details {
    pub instance_url: Option<String>,
    pub org_id: Option<String>,
    pub user_id: Option<String>,
    pub username: Option<String>,
    /// Granted scopes, space separated.
    pub scope: Option<String>,
}

impl Details {
    /// What a token response says: instance, scopes and the identity URL's ids.
    pub fn from_tokens(tokens: &Tokens) -> Self {
        let (org_id, user_id) = ids_from_identity_url(&tokens.id);
        Self {
            instance_url: Some(tokens.instance_url.clone()),
            org_id: Some(org_id),
            user_id: Some(user_id),
            username: None,
            scope: Some(tokens.scope.clone()),
        }
    }
}

/// What a connection holds that changes as the checks run and the page
/// chooses; read under its lock with [`Connection::read`].
#[derive(Debug)]
pub struct Held {
    pub refresh_token: RefreshToken,
    pub company_names: CompanyNames,
    pub details: Details,
    pub report: Report,
    pub revoked: bool,
}

#[derive(Debug)]
pub struct Connection {
    pub credentials: Credentials,
    /// Settings an admin already had, checked, not a sign-in: the page says
    /// "Checked as", not "Signed in as".
    pub existing: bool,
    state: Mutex<Held>,
    checked: watch::Sender<bool>,
}

impl Connection {
    pub fn new(
        credentials: Credentials,
        refresh_token: RefreshToken,
        company_names: CompanyNames,
        details: Details,
    ) -> Self {
        Self {
            credentials,
            existing: false,
            state: Mutex::new(Held {
                refresh_token,
                company_names,
                details,
                report: Report::default(),
                revoked: false,
            }),
            checked: watch::Sender::new(false),
        }
    }

    /// Settings an admin already has, each already parsed by its type: the
    /// page's "Check an existing setup" and `sftoken check` both start here,
    /// so the checks see them exactly as they see a sign-in. Nothing is known
    /// of the org until the checks run.
    pub fn existing(
        credentials: Credentials,
        refresh_token: RefreshToken,
        company_names: CompanyNames,
    ) -> Self {
        Self {
            existing: true,
            ..Self::new(
                credentials,
                refresh_token,
                company_names,
                Details::default(),
            )
        }
    }

    fn lock(&self) -> MutexGuard<'_, Held> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Reads what the connection holds, consistently and without copying it:
    /// `read` runs under the connection's lock, so keep it short (no await).
    pub fn read<R>(&self, read: impl FnOnce(&Held) -> R) -> R {
        read(&self.lock())
    }

    pub fn refresh_token(&self) -> RefreshToken {
        self.lock().refresh_token.clone()
    }

    /// Refresh Token Rotation handed out a new token; the old one is dead.
    pub fn replace_refresh_token(&self, token: RefreshToken) {
        self.lock().refresh_token = token;
    }

    pub fn update_details(&self, change: impl FnOnce(&mut Details)) {
        change(&mut self.lock().details);
    }

    pub fn update_report(&self, change: impl FnOnce(&mut Report)) {
        change(&mut self.lock().report);
    }

    /// Marks the checks finished and wakes whoever waits for them.
    pub fn finish_checks(&self) {
        self.lock().report.done = true;
        self.checked.send_replace(true);
    }

    pub async fn checks_finished(&self) {
        let mut finished = self.checked.subscribe();
        let _ = finished.wait_for(|done| *done).await;
    }

    pub fn set_company_names(&self, names: CompanyNames) {
        self.lock().company_names = names;
    }

    pub fn mark_revoked(&self) {
        self.lock().revoked = true;
    }
}

impl Held {
    /// The five settings, secrets exposed, for handing to the user. The Login
    /// URL is the one the token check recommends once it has passed (the
    /// generic host only where the refresh grant worked), else the sign-in's.
    pub fn settings<'a>(&'a self, credentials: &'a Credentials) -> Settings<'a> {
        Settings {
            client_id: credentials.client_id.as_str(),
            client_secret: credentials.client_secret.expose(),
            refresh_token: self.refresh_token.expose(),
            login_url: self
                .report
                .token()
                .map_or(credentials.login_url.as_str(), |token| &token.login_url),
            company_names: &self.company_names,
        }
    }

    /// Company names that no active user's email domain matches: Snow Atlas
    /// would import nobody for them. None for `*`, and none until the user
    /// preview has finished.
    pub fn unmatched_company_names(&self) -> Vec<String> {
        let Some(users) = self.report.users() else {
            return Vec::new();
        };
        if self.company_names.is_all() {
            return Vec::new();
        }
        self.company_names
            .as_slice()
            .iter()
            .filter(|name| !users.domains.iter().any(|d| &d.domain == *name))
            .cloned()
            .collect()
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::client_id::ClientId;
    use crate::login_url::{HostPolicy, LoginUrl};
    use crate::secret::ClientSecret;

    /// Settings an admin has, with Consumer Key `3MVG9key`, at `login_url`.
    pub(in crate::signin) fn connection_at(
        login_url: &str,
        secret: &str,
        refresh_token: &str,
    ) -> Connection {
        Connection::existing(
            Credentials {
                client_id: ClientId::parse("3MVG9key").expect("a key"),
                client_secret: ClientSecret::new(secret),
                login_url: LoginUrl::parse(login_url, HostPolicy::Salesforce).expect("url"),
            },
            RefreshToken::new(refresh_token),
            CompanyNames::all(),
        )
    }

    #[test]
    fn the_settings_show_the_login_url_the_token_check_recommends_once_it_passed() {
        use crate::signin::report::{Finding, TokenCheck};
        let connection = connection_at("https://acme.my.salesforce.com", "s", "5Aep");
        let shown = || connection.read(|held| held.settings(&connection.credentials).copy_all());
        assert!(shown().contains("Login URL: https://acme.my.salesforce.com\n"));
        connection.update_report(|report| {
            report.pass(Finding::Token(TokenCheck {
                login_url: "https://login.salesforce.com".to_owned(),
                login_urls_tried: Vec::new(),
                login_url_reason: None,
                rotated: false,
                scopes_granted: Vec::new(),
                scopes_missing: Vec::new(),
                scope_fixes: Vec::new(),
                warning: None,
            }));
        });
        assert!(shown().contains("Login URL: https://login.salesforce.com\n"));
    }

    #[test]
    fn debug_output_never_shows_a_secret() {
        let connection = connection_at(
            "https://login.salesforce.com",
            "the-client-secret",
            "5Aep-the-refresh-token",
        );
        let printed = format!("{connection:?}");
        assert!(printed.contains("3MVG9key"), "{printed}");
        assert!(!printed.contains("the-client-secret"), "{printed}");
        assert!(!printed.contains("5Aep-the-refresh-token"), "{printed}");
    }
}
