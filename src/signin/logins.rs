//! Pending logins: one per "Sign in with Salesforce" click.
//!
//! Each holds a random `state` (256 bits), a PKCE S256 verifier
//! ([RFC 7636](https://www.rfc-editor.org/rfc/rfc7636)) and the credentials typed
//! for it. A login can be completed once, within [`LOGIN_LIFETIME`]. Afterwards its
//! outcome stays behind under the same `state`, so that reloading the callback
//! shows the result again instead of an error. Unknown or forged `state`s never
//! touch any login.

use std::sync::Arc;
use std::time::{Duration, Instant};

use super::Connection;
use crate::client_id::ClientId;
use crate::salesforce::{self, Advice, Credentials};
use crate::secret::{OAuthState, PkceVerifier, random_id};

/// How long a sign-in may take, as Salesforce's own codes do.
pub const LOGIN_LIFETIME: Duration = Duration::from_secs(15 * 60);
/// How long a finished login's result stays available to reloads.
const RESULT_LIFETIME: Duration = Duration::from_secs(60 * 60);
/// Bounds memory when something keeps starting logins. Salesforce keeps five
/// approvals (refresh tokens) per user and app, so older results hold tokens
/// that later sign-ins have revoked; 16 leaves room for several users and
/// pending sign-ins, and keeps a long sitting within the memory budget.
const MAX_LOGINS: usize = 16;

/// What the callback needs to exchange the code.
#[derive(Debug)]
pub struct Pending {
    pub credentials: Credentials,
    pub verifier: PkceVerifier,
    /// Exactly as sent in the authorize request.
    pub redirect_uri: String,
    /// Paste mode: the code comes back pasted, not through `/callback`.
    pub paste: bool,
}

#[derive(Clone, Debug)]
pub enum Outcome {
    Captured(Arc<Connection>),
    Failed {
        advice: Advice,
        /// Kept so the page can prefill "Try again" (not secret).
        client_id: ClientId,
        login_url: String,
    },
}

#[derive(Debug)]
enum Phase {
    Waiting(Pending),
    Exchanging,
    Finished(Outcome),
}

/// Which page session a sign-in belongs to: only that session may read it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Owner(pub u64);

impl Owner {
    /// `sftoken paste`, which has no page.
    pub const TERMINAL: Owner = Owner(0);
}

#[derive(Debug)]
struct Login {
    id: String,
    owner: Owner,
    state: OAuthState,
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

/// A login still waiting for Salesforce, as a page that comes back to it
/// offers it again.
#[derive(Debug)]
pub struct Waiting {
    pub id: String,
    pub expires_in: Duration,
    /// Paste mode: the code comes back pasted.
    pub paste: bool,
    /// Where "Continue to Salesforce" goes: the address the sign-in started with.
    pub authorize_url: String,
}

/// What the page sees of one login.
#[derive(Clone, Debug)]
pub enum Status {
    Waiting { expires_in: Duration },
    Exchanging,
    Finished(Outcome),
}

/// All logins. Each has its `state` and an `id`, a second random value used in
/// the result page's address, so `state` never appears in the page.
#[derive(Debug, Default)]
pub struct Logins {
    all: Vec<Login>,
}

impl Logins {
    /// Starts a login under its `state`; returns its id.
    pub fn start(&mut self, owner: Owner, state: OAuthState, pending: Pending) -> String {
        self.insert(owner, state, Phase::Waiting(pending))
    }

    /// Records settings that did not come from a sign-in ("check an existing
    /// setup"), so they get a result page like a sign-in; returns the id.
    pub fn insert_finished(&mut self, owner: Owner, outcome: Outcome) -> String {
        self.insert(owner, OAuthState::generate(), Phase::Finished(outcome))
    }

    fn insert(&mut self, owner: Owner, state: OAuthState, phase: Phase) -> String {
        self.prune();
        let id = random_id(16);
        self.all.push(Login {
            id: id.clone(),
            owner,
            state,
            started: Instant::now(),
            phase,
        });
        id
    }

    /// Takes a waiting login for the callback. Only a known `state` changes
    /// anything, and only once.
    pub fn claim(&mut self, state: &str) -> Claim {
        match self.all.iter().position(|l| l.state.matches(state)) {
            Some(at) => self.claim_at(at),
            None => Claim::Unknown,
        }
    }

    /// Paste mode: takes `owner`'s login `id`, checking the pasted `state`
    /// when there is one. A mismatch changes nothing.
    pub fn claim_pasted(&mut self, owner: Owner, id: &str, pasted_state: Option<&str>) -> Claim {
        let Some(at) = self.position(owner, id) else {
            return Claim::Unknown;
        };
        let login = &self.all[at];
        // A code pasted into a sign-in that waits on /callback would be
        // exchanged with the wrong redirect URI, and use the sign-in up.
        let awaits_callback = matches!(&login.phase, Phase::Waiting(pending) if !pending.paste);
        match pasted_state {
            _ if awaits_callback => Claim::Mismatch,
            Some(pasted) if !login.state.matches(pasted) => Claim::Mismatch,
            _ => self.claim_at(at),
        }
    }

    fn claim_at(&mut self, at: usize) -> Claim {
        let login = &mut self.all[at];
        match login.phase {
            Phase::Waiting(_) if login.started.elapsed() > LOGIN_LIFETIME => {
                self.all.remove(at);
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

    /// Where `owner`'s login `id` is; another session's logins are not found.
    fn position(&self, owner: Owner, id: &str) -> Option<usize> {
        self.all.iter().position(|l| l.id == id && l.owner == owner)
    }

    /// The connection of `owner`'s finished, successful login.
    pub fn connection(&self, owner: Owner, id: &str) -> Option<Arc<Connection>> {
        match self.status(owner, id)? {
            Status::Finished(Outcome::Captured(connection)) => Some(connection),
            _ => None,
        }
    }

    /// The session login `id` belongs to.
    pub fn owner(&self, id: &str) -> Option<Owner> {
        self.all.iter().find(|l| l.id == id).map(|l| l.owner)
    }

    pub fn finish(&mut self, id: &str, outcome: Outcome) {
        if let Some(login) = self.all.iter_mut().find(|l| l.id == id) {
            login.phase = Phase::Finished(outcome);
        }
    }

    /// What `owner` may see of its login `id`.
    pub fn status(&self, owner: Owner, id: &str) -> Option<Status> {
        let login = &self.all[self.position(owner, id)?];
        Some(match &login.phase {
            Phase::Waiting(_) => Status::Waiting {
                expires_in: LOGIN_LIFETIME.saturating_sub(login.started.elapsed()),
            },
            Phase::Exchanging => Status::Exchanging,
            Phase::Finished(outcome) => Status::Finished(outcome.clone()),
        })
    }

    /// `owner`'s newest login, if it still waits for Salesforce, for a page
    /// the admin came back to (Back from Salesforce's login page, a reload).
    /// A login started after it, or settings checked, supersede it.
    pub fn latest_waiting(&self, owner: Owner) -> Option<Waiting> {
        let newest = self
            .all
            .iter()
            .filter(|l| l.owner == owner)
            .max_by_key(|l| l.started)?;
        let age = newest.started.elapsed();
        match &newest.phase {
            Phase::Waiting(pending) if age <= LOGIN_LIFETIME => Some(Waiting {
                id: newest.id.clone(),
                expires_in: LOGIN_LIFETIME - age,
                paste: pending.paste,
                // The same address as at the start (the challenge follows
                // from the verifier), so its `state` still finds this login.
                authorize_url: salesforce::authorize_url(
                    &pending.credentials,
                    &pending.redirect_uri,
                    &newest.state,
                    &pending.verifier,
                ),
            }),
            _ => None,
        }
    }

    /// Forgets everything, for "Done" and shutdown; secrets are zeroized on drop.
    pub fn clear(&mut self) {
        self.all.clear();
    }

    fn prune(&mut self) {
        self.all.retain(|login| match login.phase {
            Phase::Waiting(_) => login.started.elapsed() <= LOGIN_LIFETIME,
            Phase::Exchanging => true,
            Phase::Finished(_) => login.started.elapsed() <= RESULT_LIFETIME,
        });
        while self.all.len() >= MAX_LOGINS {
            let oldest = self
                .all
                .iter()
                .enumerate()
                .filter(|(_, l)| !matches!(l.phase, Phase::Exchanging))
                .min_by_key(|(_, l)| l.started)
                .map(|(at, _)| at);
            match oldest {
                Some(at) => self.all.remove(at),
                None => break,
            };
        }
    }
}

#[cfg(test)]
mod tests;
