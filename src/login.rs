//! Pending logins: one per "Sign in with Salesforce" click.
//!
//! Each holds a random `state` (256 bits), a PKCE S256 verifier
//! ([RFC 7636](https://www.rfc-editor.org/rfc/rfc7636)) and the credentials typed
//! for it. A login can be completed once, within 15 minutes. Afterwards its
//! outcome stays behind under the same `state`, so that reloading the callback
//! shows the result again instead of an error. Unknown or forged `state`s never
//! touch any login.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::rand::{SecureRandom, SystemRandom};
use secrecy::{ExposeSecret, SecretString};

use crate::advice::Advice;
use crate::connection::Connection;
use crate::login_url::LoginUrl;

/// How long a sign-in may take, as Salesforce's own codes do.
pub const LOGIN_LIFETIME: Duration = Duration::from_secs(15 * 60);
/// How long a finished login's result stays available to reloads.
const RESULT_LIFETIME: Duration = Duration::from_secs(60 * 60);
/// Bounds memory when something keeps starting logins.
const MAX_LOGINS: usize = 64;

/// 32 random bytes as URL-safe base64: launch tokens, session cookies, CSRF
/// tokens, `state` and PKCE verifiers.
pub fn random_token() -> SecretString {
    let mut bytes = [0u8; 32];
    SystemRandom::new()
        .fill(&mut bytes)
        .expect("the operating system's random number generator failed");
    SecretString::from(URL_SAFE_NO_PAD.encode(bytes))
}

/// The PKCE S256 challenge for a verifier.
pub fn pkce_challenge(verifier: &SecretString) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, verifier.expose_secret().as_bytes());
    URL_SAFE_NO_PAD.encode(digest.as_ref())
}

/// Compares two secrets in time that does not depend on where they differ.
pub fn secrets_match(expected: &SecretString, given: &str) -> bool {
    let a = ring::digest::digest(&ring::digest::SHA256, expected.expose_secret().as_bytes());
    let b = ring::digest::digest(&ring::digest::SHA256, given.as_bytes());
    a.as_ref()
        .iter()
        .zip(b.as_ref())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
}

/// What the user typed on the page for one sign-in.
#[derive(Clone, Debug)]
pub struct Credentials {
    pub client_id: String,
    pub client_secret: SecretString,
    pub login_url: LoginUrl,
}

/// What the callback needs to exchange the code.
#[derive(Debug)]
pub struct Pending {
    pub credentials: Credentials,
    pub verifier: SecretString,
    pub redirect_uri: String,
}

#[derive(Clone, Debug)]
pub enum Outcome {
    Captured(Arc<Connection>),
    Failed {
        advice: Advice,
        /// Kept so the page can prefill "Try again" (not secret).
        client_id: String,
        login_url: String,
    },
}

#[derive(Debug)]
enum Phase {
    Waiting(Pending),
    Exchanging,
    Finished(Outcome),
}

#[derive(Debug)]
struct Login {
    id: String,
    started: Instant,
    phase: Phase,
}

/// What the callback should do with the `state` it received.
#[derive(Debug)]
pub enum Claim {
    /// The login was waiting: the caller now owns it and must call `finish`.
    Claimed { id: String, pending: Pending },
    /// Already being exchanged or finished (a reload): show the result.
    Seen { id: String },
    /// The login waited longer than [`LOGIN_LIFETIME`].
    Expired,
    /// No login has this `state`.
    Unknown,
    /// Paste mode: the pasted `state` is not this login's.
    Mismatch,
}

/// What the page sees of one login.
#[derive(Clone, Debug)]
pub enum Status {
    Waiting { expires_in: Duration },
    Exchanging,
    Finished(Outcome),
}

/// All logins, keyed by their `state`. The `id` is a second random value used in
/// the result page's address, so `state` never appears in the page.
#[derive(Debug, Default)]
pub struct Logins {
    by_state: HashMap<String, Login>,
}

impl Logins {
    /// Starts a login under a fresh random `state`; returns its id.
    pub fn start(&mut self, state: SecretString, pending: Pending) -> String {
        self.insert(state, Phase::Waiting(pending))
    }

    /// Records settings that did not come from a sign-in ("check an existing
    /// setup"), so they get a result page like a sign-in; returns the id.
    pub fn insert_finished(&mut self, outcome: Outcome) -> String {
        self.insert(random_token(), Phase::Finished(outcome))
    }

    fn insert(&mut self, state: SecretString, phase: Phase) -> String {
        self.prune();
        let id = random_token().expose_secret()[..22].to_owned();
        self.by_state.insert(
            state.expose_secret().to_owned(),
            Login {
                id: id.clone(),
                started: Instant::now(),
                phase,
            },
        );
        id
    }

    /// Takes a waiting login for the callback. Only a known `state` changes
    /// anything, and only once.
    pub fn claim(&mut self, state: &str) -> Claim {
        let Some(login) = self.by_state.get_mut(state) else {
            return Claim::Unknown;
        };
        match login.phase {
            Phase::Waiting(_) if login.started.elapsed() > LOGIN_LIFETIME => {
                self.by_state.remove(state);
                Claim::Expired
            }
            Phase::Waiting(_) => {
                let Phase::Waiting(pending) =
                    std::mem::replace(&mut login.phase, Phase::Exchanging)
                else {
                    unreachable!("matched Waiting above")
                };
                Claim::Claimed {
                    id: login.id.clone(),
                    pending,
                }
            }
            Phase::Exchanging | Phase::Finished(_) => Claim::Seen {
                id: login.id.clone(),
            },
        }
    }

    /// The connection of a finished, successful login.
    pub fn connection(&self, id: &str) -> Option<Arc<Connection>> {
        match self.status(id)? {
            Status::Finished(Outcome::Captured(connection)) => Some(connection),
            _ => None,
        }
    }

    /// Paste mode: takes the login `id`, checking the pasted `state` when
    /// there is one. A mismatch changes nothing.
    pub fn claim_pasted(&mut self, id: &str, pasted_state: Option<&str>) -> Claim {
        let Some(state) = self
            .by_state
            .iter()
            .find(|(_, login)| login.id == id)
            .map(|(state, _)| state.clone())
        else {
            return Claim::Unknown;
        };
        match pasted_state {
            Some(pasted) if !secrets_match(&SecretString::from(state.as_str()), pasted) => {
                Claim::Mismatch
            }
            _ => self.claim(&state),
        }
    }

    pub fn finish(&mut self, id: &str, outcome: Outcome) {
        if let Some(login) = self.by_state.values_mut().find(|l| l.id == id) {
            login.phase = Phase::Finished(outcome);
        }
    }

    pub fn status(&self, id: &str) -> Option<Status> {
        let login = self.by_state.values().find(|l| l.id == id)?;
        Some(match &login.phase {
            Phase::Waiting(_) => Status::Waiting {
                expires_in: LOGIN_LIFETIME.saturating_sub(login.started.elapsed()),
            },
            Phase::Exchanging => Status::Exchanging,
            Phase::Finished(outcome) => Status::Finished(outcome.clone()),
        })
    }

    /// The newest login still waiting for Salesforce: its id, the time left,
    /// and whether it is in paste mode.
    pub fn latest_waiting(&self) -> Option<(String, Duration, bool)> {
        self.by_state
            .values()
            .filter(|l| l.started.elapsed() <= LOGIN_LIFETIME)
            .filter_map(|l| match &l.phase {
                Phase::Waiting(pending) => Some((l, pending)),
                _ => None,
            })
            .max_by_key(|(l, _)| l.started)
            .map(|(l, pending)| {
                let paste = pending.redirect_uri.ends_with(crate::paste::SUCCESS_PATH);
                (
                    l.id.clone(),
                    LOGIN_LIFETIME.saturating_sub(l.started.elapsed()),
                    paste,
                )
            })
    }

    /// Forgets everything, for "Done" and shutdown; secrets are zeroized on drop.
    pub fn clear(&mut self) {
        self.by_state.clear();
    }

    fn prune(&mut self) {
        self.by_state.retain(|_, login| match login.phase {
            Phase::Waiting(_) => login.started.elapsed() <= LOGIN_LIFETIME,
            Phase::Exchanging => true,
            Phase::Finished(_) => login.started.elapsed() <= RESULT_LIFETIME,
        });
        while self.by_state.len() >= MAX_LOGINS {
            let oldest = self
                .by_state
                .iter()
                .filter(|(_, l)| !matches!(l.phase, Phase::Exchanging))
                .min_by_key(|(_, l)| l.started)
                .map(|(state, _)| state.clone());
            match oldest {
                Some(state) => self.by_state.remove(&state),
                None => break,
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pending() -> Pending {
        Pending {
            credentials: Credentials {
                client_id: "key".into(),
                client_secret: SecretString::from("secret"),
                login_url: LoginUrl::parse("https://login.salesforce.com", false).expect("url"),
            },
            verifier: random_token(),
            redirect_uri: "http://localhost:8719/callback".into(),
        }
    }

    #[test]
    fn tokens_are_long_random_and_url_safe() {
        let a = random_token();
        let b = random_token();
        assert_eq!(a.expose_secret().len(), 43);
        assert_ne!(a.expose_secret(), b.expose_secret());
        assert!(
            a.expose_secret()
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        );
    }

    #[test]
    fn pkce_challenge_matches_rfc_7636_appendix_b() {
        let verifier = SecretString::from("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
        assert_eq!(
            pkce_challenge(&verifier),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn secrets_match_only_when_equal() {
        let secret = SecretString::from("abc");
        assert!(secrets_match(&secret, "abc"));
        assert!(!secrets_match(&secret, "abd"));
        assert!(!secrets_match(&secret, ""));
    }

    #[test]
    fn a_login_is_claimed_once_then_seen() {
        let mut logins = Logins::default();
        let state = random_token();
        let id = logins.start(state.clone(), pending());
        assert!(matches!(logins.status(&id), Some(Status::Waiting { .. })));
        assert!(
            matches!(logins.claim(state.expose_secret()), Claim::Claimed { id: got, .. } if got == id)
        );
        assert!(
            matches!(logins.claim(state.expose_secret()), Claim::Seen { id: got } if got == id)
        );
        assert!(matches!(logins.status(&id), Some(Status::Exchanging)));
    }

    #[test]
    fn an_unknown_state_changes_nothing() {
        let mut logins = Logins::default();
        let id = logins.start(random_token(), pending());
        assert!(matches!(logins.claim("forged"), Claim::Unknown));
        assert!(matches!(logins.status(&id), Some(Status::Waiting { .. })));
    }

    #[test]
    fn a_login_older_than_15_minutes_is_refused_and_forgotten() {
        let mut logins = Logins::default();
        let state = random_token();
        let id = logins.start(state.clone(), pending());
        let login = logins.by_state.values_mut().next().expect("login");
        login.started = Instant::now()
            .checked_sub(LOGIN_LIFETIME + Duration::from_secs(1))
            .expect("the clock goes back 15 minutes");
        assert!(matches!(
            logins.claim(state.expose_secret()),
            Claim::Expired
        ));
        assert!(logins.status(&id).is_none());
        assert!(matches!(
            logins.claim(state.expose_secret()),
            Claim::Unknown
        ));
    }

    #[test]
    fn logins_are_bounded() {
        let mut logins = Logins::default();
        for _ in 0..(MAX_LOGINS * 2) {
            logins.start(random_token(), pending());
        }
        assert!(logins.by_state.len() <= MAX_LOGINS);
    }
}
