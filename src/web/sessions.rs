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
//! 4. each sign-in belongs to the session that started it ([`Owner`]).

use crate::secret::ServerKey;
use crate::signin::Owner;

/// The request header that carries the session key.
pub const HEADER: &str = "x-sftoken-session";

/// Sessions kept at once; the oldest is forgotten first.
const MAX_SESSIONS: usize = 16;

pub(super) struct Sessions {
    launch_token: ServerKey,
    keys: Vec<(Owner, ServerKey)>,
    next: u64,
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
        self.keys.push((owner, key.clone()));
        Some(key)
    }

    /// The session a key belongs to.
    pub(super) fn owner_of(&self, key: &str) -> Option<Owner> {
        self.keys
            .iter()
            .find(|(_, known)| known.matches(key))
            .map(|(owner, _)| *owner)
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
