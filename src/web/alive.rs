//! Whether a page is open, for the idle timeout, and why sftoken stops, for
//! the pages still open.
//!
//! An open page holds one request, `GET /api/alive`, which sftoken answers
//! after [`hold`] (the page asks again at once) or, the moment sftoken stops,
//! with why. So an open page costs one held connection, and about one request
//! a minute (more often only when the idle timeout is under 100 s), none of
//! it logged at the default level. While such a request is held, sftoken does
//! not stop for idleness: an admin may spend a long while in Salesforce Setup
//! with the page open. Idle time counts from when the last page went away:
//! the browser closed its request (a closed tab, or the page left for
//! another address), or it did not ask again within [`hold`] of an answer.
//!
//! A page that is told why sftoken stops shows it and forgets its session
//! key (a dead key, which it would otherwise send to whatever takes the port
//! next). With `--json` and `--print`, sftoken waits, briefly, until the page
//! of the sign-in it printed has been told (`commands::serve`), so the tab
//! ends on "Done" rather than on a page half loaded.

use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use tokio::sync::watch;

use super::AppState;
use super::guard::Session;
use crate::config::describe_duration;
use crate::signin::Owner;

/// Longest a page's request is held before it is answered.
const LONGEST_HOLD: Duration = Duration::from_secs(50);
/// Shortest hold, for the shortest idle timeouts.
const SHORTEST_HOLD: Duration = Duration::from_secs(1);
/// Sessions whose page holds requests, remembered at once (as many as the
/// sessions kept).
const MAX_PAGES: usize = super::sessions::MAX_SESSIONS;

/// How long sftoken holds a page's request: half the idle timeout, so that
/// a page that does not ask again is gone within the timeout, and at most
/// [`LONGEST_HOLD`].
pub(super) fn hold(idle_timeout: Option<Duration>) -> Duration {
    idle_timeout.map_or(LONGEST_HOLD, |timeout| {
        (timeout / 2).clamp(SHORTEST_HOLD, LONGEST_HOLD)
    })
}

/// Why sftoken stops, as the pages still open are told.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StopReason {
    /// Ctrl-C or SIGTERM.
    Signal,
    /// A page's "Done".
    Done,
    /// No page was open for this long.
    Idle(Duration),
    /// `--json` or `--print` wrote the settings: to the terminal, or to
    /// `--output`'s file.
    Printed(Option<PathBuf>),
    /// `--json` or `--print` could not write them.
    NotPrinted,
}

/// What a page shows when sftoken stops: the heading of its "stopped"
/// section and the sentence under it.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub(super) struct StopView {
    title: String,
    text: String,
}

impl StopReason {
    fn view(&self) -> StopView {
        const WIPED: &str = "The secrets it held are wiped from memory.";
        const STOPPED: &str = "sftoken has stopped";
        let (title, text) = match self {
            Self::Printed(None) => (
                "Done: the settings are in your terminal".to_owned(),
                format!("sftoken printed them there and stopped. {WIPED} You can close this tab."),
            ),
            Self::Printed(Some(file)) => (
                format!("Done: the settings are in {}", file.display()),
                format!("sftoken wrote them there and stopped. {WIPED} You can close this tab."),
            ),
            Self::Signal => (
                STOPPED.to_owned(),
                format!(
                    "It was stopped in its terminal (Ctrl-C) or by the system. {WIPED} Run sftoken again to sign in again."
                ),
            ),
            Self::Done => (
                STOPPED.to_owned(),
                format!("Done was pressed on its page. {WIPED} You can close this tab."),
            ),
            Self::Idle(timeout) => (
                STOPPED.to_owned(),
                format!(
                    "sftoken stopped after {} without an open page; run sftoken again. {WIPED}",
                    describe_duration(*timeout)
                ),
            ),
            Self::NotPrinted => (
                STOPPED.to_owned(),
                format!("It could not write the settings; its terminal says why. {WIPED}"),
            ),
        };
        StopView { title, text }
    }
}

/// The pages' requests under way, and when the last page went away.
#[derive(Debug)]
struct Pages {
    /// Requests held now.
    held: usize,
    /// Until when the pages count as open though none holds a request: the
    /// last page request, the moment a page went away, or a hold after an
    /// answer (the page asks again at once).
    open_until: Instant,
    /// Sessions whose page held a request, newest last.
    polled: Vec<Owner>,
    /// The session of the latest capture, and when: with `--json` or
    /// `--print`, its page is on its way from the callback.
    captured: Option<(Owner, Instant)>,
}

impl Pages {
    fn new(now: Instant) -> Self {
        Self {
            held: 0,
            open_until: now,
            polled: Vec::new(),
            captured: None,
        }
    }

    /// How long no page has been open at `now`; zero while one is.
    fn idle_for(&self, now: Instant) -> Duration {
        if self.held > 0 {
            return Duration::ZERO;
        }
        now.saturating_duration_since(self.open_until)
    }

    /// A request of a page's session.
    fn request(&mut self, now: Instant) {
        self.open_until = self.open_until.max(now);
    }

    fn poll_started(&mut self, owner: Owner, now: Instant) {
        self.held += 1;
        self.open_until = now;
        if !self.polled.contains(&owner) {
            if self.polled.len() >= MAX_PAGES {
                self.polled.remove(0);
            }
            self.polled.push(owner);
        }
    }

    /// A held request ended: answered after a hold (`asks_again_within`,
    /// the page asks again at once), or given up by the browser (the page
    /// went away now).
    fn poll_ended(&mut self, now: Instant, asks_again_within: Option<Duration>) {
        self.held = self.held.saturating_sub(1);
        self.open_until = now + asks_again_within.unwrap_or_default();
    }
}

/// Why sftoken stops, once it does, and who may hear it yet.
#[derive(Default)]
struct Stopping {
    why: Option<StopReason>,
    /// Whether the captured session's requests from before the capture hear
    /// it too. After `--print` they wait until sftoken is about to exit: one
    /// may come from the tab whose next page is on its way from the callback
    /// (paste mode navigates from it), and a tab told forgets the session
    /// key that next page needs.
    everyone: bool,
}

/// The pages of this run: which are open, and why sftoken stops.
pub(super) struct Alive {
    pages: Mutex<Pages>,
    stopping: watch::Sender<Stopping>,
    /// Whether a page of the captured session, loaded since the capture,
    /// has been told why sftoken stops (a page that left for Salesforce
    /// may still hold a request from before).
    told: watch::Sender<bool>,
}

impl Alive {
    pub(super) fn new() -> Self {
        Self {
            pages: Mutex::new(Pages::new(Instant::now())),
            stopping: watch::Sender::new(Stopping::default()),
            told: watch::Sender::new(false),
        }
    }

    fn pages(&self) -> MutexGuard<'_, Pages> {
        self.pages.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(super) fn request(&self) {
        self.pages().request(Instant::now());
    }

    pub(super) fn idle_for(&self) -> Duration {
        self.pages().idle_for(Instant::now())
    }

    pub(super) fn captured_by(&self, owner: Owner) {
        self.pages().captured = Some((owner, Instant::now()));
    }

    /// Tells the pages held now, and those that ask from now on, why
    /// sftoken stops; after `--print` or `--json`, all but the captured
    /// session's requests from before the capture (see [`Stopping`]).
    pub(super) fn stop(&self, why: StopReason) {
        let everyone = !matches!(why, StopReason::Printed(_));
        self.stopping.send_replace(Stopping {
            why: Some(why),
            everyone,
        });
    }

    /// sftoken is about to exit: every page held hears why.
    pub(super) fn tell_everyone(&self) {
        self.stopping
            .send_modify(|stopping| stopping.everyone = true);
    }

    /// Why sftoken stops, for a request of `owner`'s page that arrived at
    /// `asked`: `None` while it runs, or while that request must wait.
    pub(super) fn tell(&self, owner: Owner, asked: Instant) -> Option<StopView> {
        let stopping = self.stopping.borrow();
        let why = stopping.why.as_ref()?;
        let captured = self.pages().captured;
        match captured.map(|(by, at)| (by == owner, asked >= at)) {
            Some((true, true)) => {
                self.told.send_replace(true);
            }
            Some((true, false)) if !stopping.everyone => return None,
            _ => {}
        }
        Some(why.view())
    }

    /// Resolves once the page of the latest capture has been told why
    /// sftoken stops; at once when that session never held a request (no
    /// page of sftoken's is coming: a script, or a test's client).
    pub(super) async fn told_the_captured_page(&self) {
        {
            let pages = self.pages();
            match pages.captured {
                Some((owner, _)) if pages.polled.contains(&owner) => {}
                _ => return,
            }
        }
        let _ = self.told.subscribe().wait_for(|told| *told).await;
    }
}

/// A held request: counts the page open until it ends.
struct Held<'a> {
    alive: &'a Alive,
    /// Set when sftoken answered after the hold: the page asks again.
    asks_again_within: Option<Duration>,
}

impl Drop for Held<'_> {
    fn drop(&mut self) {
        self.alive
            .pages()
            .poll_ended(Instant::now(), self.asks_again_within);
    }
}

#[derive(Serialize)]
pub(super) struct AliveView {
    /// Why sftoken stops; `null`: it runs on, ask again.
    stopped: Option<StopView>,
}

/// `GET /api/alive`: held while the page is open; answered after [`hold`],
/// or at once with why sftoken stops.
pub(super) async fn alive(
    Session(owner): Session,
    State(state): State<AppState>,
) -> Json<AliveView> {
    let hold = hold(state.config().idle_timeout);
    let alive = state.alive();
    let asked = Instant::now();
    alive.pages().poll_started(owner, asked);
    let mut held = Held {
        alive,
        asks_again_within: None,
    };
    let mut stopping = alive.stopping.subscribe();
    let told = async {
        loop {
            if let Some(why) = alive.tell(owner, asked) {
                return why;
            }
            if stopping.changed().await.is_err() {
                std::future::pending::<()>().await;
            }
        }
    };
    let stopped = tokio::time::timeout(hold, told).await.ok();
    if stopped.is_none() {
        held.asks_again_within = Some(hold);
    }
    Json(AliveView { stopped })
}

#[cfg(test)]
mod tests;
