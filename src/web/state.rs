//! The state every handler shares: the configuration, the server's own keys,
//! the sign-ins, the one HTTP client, and the signals that stop the helper.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::Duration;

use tokio::sync::{mpsc, watch};

use super::alive::{Alive, StopReason};
use super::sessions::Sessions;
use crate::config::Config;
use crate::flow::{self, Answer};
use crate::salesforce::Http;
use crate::secret::ServerKey;
use crate::signin::{Connection, Logins, Outcome, Owner, Pending, checks};

/// Shared by every handler.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

struct Inner {
    config: Config,
    port: u16,
    sessions: Mutex<Sessions>,
    /// The address for the next browser, announced in the terminal whenever
    /// the launch token changes.
    launch_url: watch::Sender<String>,
    logins: Mutex<Logins>,
    http: Http,
    /// How each sign-in ended, for the terminal (`commands::serve`).
    sign_ins: mpsc::UnboundedSender<Outcome>,
    /// The pages open, for the idle timeout, and why sftoken stops, for them.
    alive: Alive,
    /// Set by the page's "Done" button.
    done: watch::Sender<bool>,
    /// Sign-ins captured in this run.
    captured: AtomicU32,
    /// The last sign-in captured, whose checks count the user's approvals
    /// of the app for the setup page's warning (weak: "Done" still drops it).
    last_captured: Mutex<Weak<Connection>>,
}

impl AppState {
    /// State for a server on `port` (the real one, after binding).
    pub fn new(config: Config, port: u16) -> (Self, mpsc::UnboundedReceiver<Outcome>) {
        let (sign_ins, received) = mpsc::unbounded_channel();
        let http = Http::new(config.http_timeout);
        let sessions = Sessions::new();
        let launch_url = watch::Sender::new(launch_url(port, sessions.launch_token()));
        let state = Self(Arc::new(Inner {
            config,
            port,
            sessions: Mutex::new(sessions),
            launch_url,
            logins: Mutex::default(),
            http,
            sign_ins,
            alive: Alive::new(),
            done: watch::Sender::new(false),
            captured: AtomicU32::new(0),
            last_captured: Mutex::new(Weak::new()),
        }));
        (state, received)
    }

    /// The address to open now: it carries the launch token, which works once.
    pub fn launch_url(&self) -> String {
        self.0.launch_url.borrow().clone()
    }

    /// Changes whenever the launch token was used and replaced.
    pub fn launch_urls(&self) -> watch::Receiver<String> {
        self.0.launch_url.subscribe()
    }

    pub fn port(&self) -> u16 {
        self.0.port
    }

    pub fn config(&self) -> &Config {
        &self.0.config
    }

    pub fn http(&self) -> &Http {
        &self.0.http
    }

    pub(super) fn sessions(&self) -> MutexGuard<'_, Sessions> {
        self.0.sessions.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Trades the launch token for a session key, and announces the fresh
    /// address for the next browser.
    pub(super) fn open_session(&self, launch_token: &str) -> Option<ServerKey> {
        let mut sessions = self.sessions();
        let key = sessions.trade(launch_token)?;
        self.0
            .launch_url
            .send_replace(launch_url(self.0.port, sessions.launch_token()));
        Some(key)
    }

    /// The session a request's key belongs to.
    pub(super) fn owner_of(&self, session_key: &str) -> Option<Owner> {
        self.sessions().owner_of(session_key)
    }

    pub(super) fn logins(&self) -> MutexGuard<'_, Logins> {
        // A panic while holding the lock leaves plain data behind; keep serving.
        self.0.logins.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Forgets every login and its secrets, and what the sessions kept.
    pub fn wipe(&self) {
        self.logins().clear();
        self.sessions().forget_kept();
    }

    /// "Done": wipes the secrets and tells whoever waits on [`Self::done`].
    pub(super) fn press_done(&self) {
        self.wipe();
        self.0.done.send_replace(true);
    }

    /// Resolves when the page's "Done" button was pressed.
    pub async fn done(&self) {
        let mut done = self.0.done.subscribe();
        let _ = done.wait_for(|done| *done).await;
    }

    /// The page's session made a request: the helper is in use.
    pub(super) fn touch(&self) {
        self.0.alive.request();
    }

    pub(super) fn alive(&self) -> &Alive {
        &self.0.alive
    }

    /// Resolves once no page has been open for `timeout` (see `alive`).
    pub async fn idle(&self, timeout: Duration) {
        loop {
            let idle_for = self.0.alive.idle_for();
            if idle_for >= timeout {
                return;
            }
            tokio::time::sleep(timeout - idle_for).await;
        }
    }

    /// sftoken stops: wipes the secrets, and tells the pages still open why
    /// (see `alive::Alive::stop`).
    pub fn stop(&self, why: StopReason) {
        self.wipe();
        self.0.alive.stop(why);
    }

    /// sftoken is about to exit: every page still held hears why.
    pub(super) fn tell_every_page(&self) {
        self.0.alive.tell_everyone();
    }

    /// Resolves once the page of the latest capture was told why sftoken
    /// stops, or at once when no page of that session is open.
    pub async fn told_the_captured_page(&self) {
        self.0.alive.told_the_captured_page().await;
    }

    /// Sign-ins captured in this run. Each is an approval of the app, and
    /// Salesforce keeps five per user and app: a sixth revokes the oldest.
    pub(super) fn captured(&self) -> u32 {
        self.0.captured.load(Ordering::Relaxed)
    }

    /// How many approvals of the app the last signed-in user holds, once
    /// that sign-in's checks have counted them.
    pub(super) fn approvals_held(&self) -> Option<usize> {
        let last = self
            .0
            .last_captured
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        let connection = last.upgrade()?;
        connection.read(|held| held.report.approvals().map(|found| found.count))
    }

    pub(super) fn redirect_uri(&self) -> String {
        flow::loopback_redirect_uri(self.0.port)
    }

    /// Runs a new connection's checks in the background: the page shows each
    /// as it finishes.
    pub(super) fn start_checks(&self, connection: &Arc<Connection>) {
        let checked = connection.clone();
        let http = self.0.http.clone();
        tokio::spawn(async move { checks::run(http, &checked).await });
    }

    /// Finishes a claimed login with [`flow::complete`], starts the checks,
    /// tells the terminal and records the outcome. Returns whether it
    /// captured. It runs as its own task, so a browser that goes away
    /// mid-exchange never leaves the login half-finished.
    pub(super) async fn complete(&self, id: &str, pending: Pending, answer: Answer) -> bool {
        let state = self.clone();
        let id = id.to_owned();
        let task = async move {
            let company_names = state.0.config.company_names.clone();
            let outcome = flow::complete(&state.0.http, pending, answer, company_names).await;
            let captured = match &outcome {
                Outcome::Captured(connection) => {
                    state.0.captured.fetch_add(1, Ordering::Relaxed);
                    *state
                        .0
                        .last_captured
                        .lock()
                        .unwrap_or_else(|e| e.into_inner()) = Arc::downgrade(connection);
                    if let Some(owner) = state.logins().owner(&id) {
                        state.0.alive.captured_by(owner);
                    }
                    state.start_checks(connection);
                    true
                }
                Outcome::Failed { advice, .. } => {
                    // A refused secret is not offered again.
                    let owner = state.logins().owner(&id);
                    if let Some(owner) = owner.filter(|_| advice.wrong_secret) {
                        state.sessions().forget_secret(owner);
                    }
                    false
                }
            };
            // The terminal hears of it (nobody listening is fine).
            let _ = state.0.sign_ins.send(outcome.clone());
            state.logins().finish(&id, outcome);
            captured
        };
        tokio::spawn(task).await.unwrap_or(false)
    }
}

/// `http://localhost:PORT/#token=…`: the token rides in the fragment, which the
/// browser never sends to any server.
fn launch_url(port: u16, token: &ServerKey) -> String {
    format!("http://localhost:{port}/#token={}", token.expose())
}
