//! The loopback web server: the router, the listeners and shutdown. The
//! shared state is in `state`, the checks every request passes in `guard`,
//! the pages and the OAuth callback in `pages`, and the JSON API in `api`,
//! whose errors all have the one shape of `error`; `alive` knows which pages
//! are open and tells them why sftoken stops.

mod alive;
mod api;
mod bind_error;
mod error;
mod guard;
mod listen;
mod pages;
mod results;
mod sessions;
mod state;
#[cfg(test)]
mod strip;
mod turn;
mod view;

use std::net::{Ipv4Addr, Ipv6Addr};
use std::sync::Arc;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::StatusCode;
use axum::middleware;
use axum::routing::{get, post};
use tokio::net::TcpListener;
use tokio::sync::{mpsc, watch};
use tower_http::trace::TraceLayer;

pub use alive::StopReason;
pub use bind_error::BindError;
pub use pages::{ASSETS, Asset, INDEX_HTML, PAGE};
pub use sessions::HEADER as SESSION_HEADER;
pub use state::AppState;
pub use view::StepView;

use crate::config::Config;
use crate::signin::Outcome;

/// Largest request body accepted; the sign-in form is well under 4 KB.
const MAX_BODY_BYTES: usize = 64 * 1024;

/// The router with every route and security layer.
pub fn app(state: AppState) -> Router {
    // The page's files, gzipped at build time (`pages::asset`).
    let page = ASSETS.iter().fold(
        Router::new()
            .route("/", get(|headers| pages::asset(&PAGE, headers)))
            .route("/result/{id}", get(|headers| pages::asset(&PAGE, headers))),
        |page, asset| page.route(asset.path, get(move |headers| pages::asset(asset, headers))),
    );
    Router::new()
        .merge(page)
        .route("/callback", get(pages::callback).options(pages::preflight))
        .route("/health", get(pages::health))
        .route(
            guard::LAUNCH_PATH,
            get(api::session_info).post(api::open_session),
        )
        .route("/api/login-url", get(api::check_login_url))
        .route("/api/alive", get(alive::alive))
        .route("/api/done", post(api::done))
        .route("/api/login", post(api::start_login))
        .route("/api/login/{id}", get(results::login_status))
        .route(
            "/api/login/{id}/company-names",
            post(results::choose_company_names),
        )
        .route("/api/login/{id}/revoke", post(results::revoke))
        .route("/api/login/{id}/paste", post(api::paste))
        .route("/api/check", post(results::check_existing))
        .fallback(|| async { (StatusCode::NOT_FOUND, "Not found.\n") })
        .layer(middleware::from_fn_with_state(state.clone(), guard::guard))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(
            // Only method and path: the query of /callback carries the code.
            TraceLayer::new_for_http().make_span_with(|req: &Request| {
                tracing::info_span!("request", method = %req.method(), path = %req.uri().path())
            }),
        )
        .with_state(state)
}

/// A bound, not yet serving, server.
pub struct Server {
    listeners: Vec<TcpListener>,
    state: AppState,
    sign_ins: mpsc::UnboundedReceiver<Outcome>,
}

impl Server {
    /// Binds `127.0.0.1` and, where the machine has it, `[::1]`, on the configured
    /// port (0 picks a free one, for tests).
    pub async fn bind(config: Config) -> Result<Self, BindError> {
        let wanted = config.port;
        let v4 = TcpListener::bind((Ipv4Addr::LOCALHOST, wanted))
            .await
            .map_err(|e| BindError::new(wanted, e))?;
        let port = v4
            .local_addr()
            .map_err(|e| BindError::new(wanted, e))?
            .port();
        let mut listeners = vec![v4];
        match TcpListener::bind((Ipv6Addr::LOCALHOST, port)).await {
            Ok(v6) => listeners.push(v6),
            Err(e) if e.kind() == std::io::ErrorKind::AddrInUse && wanted != 0 => {
                return Err(BindError::PortTaken(port));
            }
            Err(e) => tracing::debug!(error = %e, "not listening on [::1]"),
        }
        let (state, sign_ins) = AppState::new(config, port);
        Ok(Self {
            listeners,
            state,
            sign_ins,
        })
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// How each sign-in on the page ends, as it happens: a captured
    /// connection, or the advice that explains the failure.
    pub fn take_sign_ins(&mut self) -> mpsc::UnboundedReceiver<Outcome> {
        let (_, empty) = mpsc::unbounded_channel();
        std::mem::replace(&mut self.sign_ins, empty)
    }

    /// Serves until `stop` resolves, then finishes the requests under way.
    pub async fn serve(
        self,
        stop: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let Self {
            listeners: bound,
            state,
            sign_ins,
        } = self;
        // Nobody took them: drop the channel, so no connection (and no
        // secret) waits in it.
        drop(sign_ins);
        let (stop_tx, stop_rx) = watch::channel(false);
        let router = app(state.clone());
        let open = Arc::new(turn::Connections::new(listen::MAX_CONNECTIONS));
        let mut listeners = tokio::task::JoinSet::new();
        for listener in bound {
            listeners.spawn(listen::serve(
                listener,
                router.clone(),
                stop_rx.clone(),
                open.clone(),
            ));
        }
        stop.await;
        // Wipe first: a client that never finishes its request must not keep
        // the secrets alive.
        state.wipe();
        state.tell_every_page();
        let _ = stop_tx.send(true);
        while listeners.join_next().await.is_some() {}
        Ok(())
    }
}
