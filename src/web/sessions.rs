//! The page's sessions, bound to the page's own origin.
//!
//! Browsers send cookies to every port of `localhost`, so any local listener
//! the browser is sent to would receive a session cookie. sftoken uses none:
//! 1. the address printed in the terminal carries a launch token in its
//!    fragment, which never reaches a server or a log;
//! 2. the page's script takes it out of the address bar and trades it, in one
//!    Origin-checked POST, for a session key; the launch token is then
//!    replaced, so the address works once, and the terminal shows a fresh one
//!    for another browser;
//! 3. the script keeps the key in `sessionStorage` (bound to scheme, host and
//!    port) and sends it in the [`HEADER`] on every request. A custom header
//!    cannot be sent cross-origin without a CORS preflight, which sftoken never
//!    grants, so the key is also the CSRF token;
//! 4. each sign-in belongs to the session that started it ([`Owner`]);
//! 5. a session keeps what its last sign-in was started with ([`Kept`]), so
//!    that coming back to the page (Back from Salesforce, Start over, Try
//!    again, Start again) needs no typing. The secret stays here: the page is
//!    only told that one is kept. Forgetting the session forgets it.

use crate::client_id::ClientId;
use crate::login_url::LoginUrl;
use crate::salesforce::Credentials;
use crate::secret::{ClientSecret, ServerKey};
use crate::signin::Owner;

/// The request header that carries the session key.
pub const HEADER: &str = "x-sftoken-session";

/// Sessions kept at once; the oldest is forgotten first.
pub(super) const MAX_SESSIONS: usize = 16;

pub(super) struct Sessions {
    launch_token: ServerKey,
    keys: Vec<Session>,
    next: u64,
}

struct Session {
    owner: Owner,
    key: ServerKey,
    kept: Option<Kept>,
}

/// The credentials a session's last sign-in was started with.
#[derive(Debug)]
pub(super) struct Kept {
    pub(super) client_id: ClientId,
    pub(super) login_url: LoginUrl,
    /// None once Salesforce refused it.
    client_secret: Option<ClientSecret>,
}

impl Kept {
    pub(super) fn has_secret(&self) -> bool {
        self.client_secret.is_some()
    }

    /// The kept secret, only for the Consumer Key and the login URL it was
    /// given with: it is never sent to another org.
    pub(super) fn secret_for(
        &self,
        client_id: &ClientId,
        login_url: &LoginUrl,
    ) -> Option<&ClientSecret> {
        let same = self.client_id == *client_id && self.login_url.as_str() == login_url.as_str();
        self.client_secret.as_ref().filter(|_| same)
    }
}

impl Sessions {
    pub(super) fn new() -> Self {
        Self {
            launch_token: ServerKey::generate(),
            keys: Vec::new(),
            next: 1,
        }
    }

    pub(super) fn launch_token(&self) -> &ServerKey {
        &self.launch_token
    }

    /// Trades the launch token for a new session's key, and replaces the
    /// launch token. A wrong or used token gets nothing.
    pub(super) fn trade(&mut self, token: &str) -> Option<ServerKey> {
        if !self.launch_token.matches(token) {
            return None;
        }
        self.launch_token = ServerKey::generate();
        let owner = Owner(self.next);
        self.next += 1;
        let key = ServerKey::generate();
        if self.keys.len() >= MAX_SESSIONS {
            self.keys.remove(0);
        }
        self.keys.push(Session {
            owner,
            key: key.clone(),
            kept: None,
        });
        Some(key)
    }

    /// The session a key belongs to.
    pub(super) fn owner_of(&self, key: &str) -> Option<Owner> {
        self.keys
            .iter()
            .find(|session| session.key.matches(key))
            .map(|session| session.owner)
    }

    fn session(&mut self, owner: Owner) -> Option<&mut Session> {
        self.keys.iter_mut().find(|session| session.owner == owner)
    }

    /// Keeps what `owner`'s sign-in was started with, in place of the last.
    /// The secret sftoken was started with (`configured`) is not kept again:
    /// it stays where it is, with its own rule.
    pub(super) fn keep(
        &mut self,
        owner: Owner,
        credentials: &Credentials,
        configured: Option<&ClientSecret>,
    ) {
        let secret = &credentials.client_secret;
        let given = !configured.is_some_and(|c| c.matches(secret.expose()));
        if let Some(session) = self.session(owner) {
            session.kept = Some(Kept {
                client_id: credentials.client_id.clone(),
                login_url: credentials.login_url.clone(),
                client_secret: given.then(|| secret.clone()),
            });
        }
    }

    pub(super) fn kept(&self, owner: Owner) -> Option<&Kept> {
        let session = self.keys.iter().find(|session| session.owner == owner)?;
        session.kept.as_ref()
    }

    /// Salesforce refused `owner`'s kept secret: it is not offered again.
    pub(super) fn forget_secret(&mut self, owner: Owner) {
        if let Some(kept) = self.session(owner).and_then(|s| s.kept.as_mut()) {
            kept.client_secret = None;
        }
    }

    /// Forgets what every session kept, for "Done" and shutdown; secrets are
    /// zeroized on drop.
    pub(super) fn forget_kept(&mut self) {
        for session in &mut self.keys {
            session.kept = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_launch_token_works_once_and_is_replaced() {
        let mut sessions = Sessions::new();
        let token = sessions.launch_token().expose().to_owned();
        let key = sessions.trade(&token).expect("first use");
        assert!(sessions.trade(&token).is_none(), "second use");
        assert_ne!(sessions.launch_token().expose(), token);
        let fresh = sessions.launch_token().expose().to_owned();
        let second = sessions.trade(&fresh).expect("the fresh token");
        assert_ne!(
            sessions.owner_of(key.expose()),
            sessions.owner_of(second.expose())
        );
    }

    #[test]
    fn only_a_known_key_has_an_owner() {
        let mut sessions = Sessions::new();
        assert!(sessions.trade("guessed").is_none());
        let token = sessions.launch_token().expose().to_owned();
        let key = sessions.trade(&token).expect("trade");
        assert_eq!(sessions.owner_of(key.expose()), Some(Owner(1)));
        assert_eq!(sessions.owner_of(""), None);
        let mut wrong = key.expose().to_owned();
        wrong.replace_range(..1, if wrong.starts_with('A') { "B" } else { "A" });
        assert_eq!(sessions.owner_of(&wrong), None);
    }

    fn credentials(client_id: &str, login_url: &str, secret: &str) -> Credentials {
        Credentials {
            client_id: ClientId::parse(client_id).expect("key"),
            client_secret: ClientSecret::new(secret),
            login_url: LoginUrl::parse(login_url, crate::login_url::HostPolicy::Salesforce)
                .expect("url"),
        }
    }

    #[test]
    fn a_session_keeps_its_own_secret_for_its_key_and_org_until_refused_or_wiped() {
        let mut sessions = Sessions::new();
        let mut open = || {
            let token = sessions.launch_token().expose().to_owned();
            let key = sessions.trade(&token).expect("trade");
            sessions.owner_of(key.expose()).expect("owner")
        };
        let (mine, theirs) = (open(), open());
        let acme = credentials("key", "https://acme.my.salesforce.com", "s3cret");
        sessions.keep(mine, &acme, None);

        let kept = sessions.kept(mine).expect("kept");
        let secret = kept.secret_for(&acme.client_id, &acme.login_url);
        assert_eq!(secret.map(ClientSecret::expose), Some("s3cret"));
        let other_org = credentials("key", "https://other.my.salesforce.com", "x");
        assert!(
            kept.secret_for(&other_org.client_id, &other_org.login_url)
                .is_none()
        );
        let other_key = credentials("other", "https://acme.my.salesforce.com", "x");
        assert!(
            kept.secret_for(&other_key.client_id, &other_key.login_url)
                .is_none()
        );
        assert!(!format!("{kept:?}").contains("s3cret"), "redacted");
        assert!(sessions.kept(theirs).is_none(), "each session its own");

        sessions.forget_secret(mine);
        let kept = sessions.kept(mine).expect("the key and org stay");
        assert!(!kept.has_secret());
        assert_eq!(kept.client_id, acme.client_id);

        sessions.keep(mine, &acme, Some(&ClientSecret::new("s3cret")));
        assert!(
            !sessions.kept(mine).expect("kept").has_secret(),
            "the configured one is not kept again"
        );
        sessions.keep(mine, &acme, None);
        sessions.forget_kept();
        assert!(sessions.kept(mine).is_none());
    }

    #[test]
    fn at_most_sixteen_sessions_are_kept() {
        let mut sessions = Sessions::new();
        let mut keys = Vec::new();
        for _ in 0..=MAX_SESSIONS {
            let token = sessions.launch_token().expose().to_owned();
            keys.push(sessions.trade(&token).expect("trade"));
        }
        assert_eq!(MAX_SESSIONS, 16);
        assert_eq!(sessions.owner_of(keys[0].expose()), None, "oldest dropped");
        assert!(sessions.owner_of(keys[1].expose()).is_some());
        assert!(sessions.owner_of(keys[MAX_SESSIONS].expose()).is_some());
    }
}
