//! The loopback web server: the router, the listeners and shutdown. The
//! shared state is in `state`, the checks every request passes in `guard`,
//! the pages and the OAuth callback in `pages`, and the JSON API in `api`,
//! whose errors all have the one shape of `error`.

mod api;
mod error;
mod guard;
mod pages;
mod results;
mod state;

use std::net::{Ipv4Addr, Ipv6Addr};
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::StatusCode;
use axum::middleware;
use axum::routing::{get, post};
use tokio::net::TcpListener;
use tokio::sync::{mpsc, watch};
use tower_http::compression::CompressionLayer;
use tower_http::trace::TraceLayer;

pub use state::AppState;

use crate::config::Config;
use crate::session::Connection;

/// How long requests under way may take to finish once the helper stops.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(2);

/// Largest request body accepted; the sign-in form is well under 4 KB.
const MAX_BODY_BYTES: usize = 64 * 1024;

/// The router with every route and security layer.
pub fn app(state: AppState) -> Router {
    Router::new()
        .merge(
            // The page's files are gzipped (a third of their size). Answers that
            // carry secrets are not, so no secret shares a compressed body with
            // anything else (BREACH).
            Router::new()
                .route("/", get(pages::index))
                .route("/result/{id}", get(pages::page))
                .route(
                    "/assets/app.js",
                    get(|| pages::asset("text/javascript", pages::APP_JS)),
                )
                .route(
                    "/assets/app.css",
                    get(|| pages::asset("text/css", pages::APP_CSS)),
                )
                .layer(CompressionLayer::new()),
        )
        .route("/callback", get(pages::callback).options(pages::preflight))
        .route("/health", get(pages::health))
        .route("/api/session", get(api::session_info))
        .route("/api/login-url", get(api::check_login_url))
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

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum BindError {
    #[error(
        "Port {0} is already in use. Close the program using it, or start sftoken with --port N and change the External Client App's Callback URL to http://localhost:N/callback."
    )]
    PortTaken(u16),
    #[error("Could not listen on port {port} ({source}). Try another port with --port N.")]
    Other { port: u16, source: std::io::Error },
}

/// A bound, not yet serving, server.
pub struct Server {
    listeners: Vec<TcpListener>,
    state: AppState,
    captures: mpsc::UnboundedReceiver<Arc<Connection>>,
}

impl Server {
    /// Binds `127.0.0.1` and, where the machine has it, `[::1]`, on the configured
    /// port (0 picks a free one, for tests).
    pub async fn bind(config: Config) -> Result<Self, BindError> {
        let wanted = config.port;
        let to_error = |port: u16, source: std::io::Error| match source.kind() {
            std::io::ErrorKind::AddrInUse => BindError::PortTaken(port),
            _ => BindError::Other { port, source },
        };
        let v4 = TcpListener::bind((Ipv4Addr::LOCALHOST, wanted))
            .await
            .map_err(|e| to_error(wanted, e))?;
        let port = v4.local_addr().map_err(|e| to_error(wanted, e))?.port();
        let mut listeners = vec![v4];
        match TcpListener::bind((Ipv6Addr::LOCALHOST, port)).await {
            Ok(v6) => listeners.push(v6),
            Err(e) if e.kind() == std::io::ErrorKind::AddrInUse && wanted != 0 => {
                return Err(BindError::PortTaken(port));
            }
            Err(e) => tracing::debug!(error = %e, "not listening on [::1]"),
        }
        let (state, captures) = AppState::new(config, port);
        Ok(Self {
            listeners,
            state,
            captures,
        })
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Successful sign-ins, as they happen.
    pub fn take_captures(&mut self) -> mpsc::UnboundedReceiver<Arc<Connection>> {
        let (_, empty) = mpsc::unbounded_channel();
        std::mem::replace(&mut self.captures, empty)
    }

    /// Serves until `stop` resolves, then finishes the requests under way.
    pub async fn serve(
        self,
        stop: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let (stop_tx, stop_rx) = watch::channel(false);
        let router = app(self.state.clone());
        let mut tasks = tokio::task::JoinSet::new();
        for listener in self.listeners {
            let mut stop_rx = stop_rx.clone();
            let router = router.clone();
            tasks.spawn(async move {
                axum::serve(listener, router)
                    .with_graceful_shutdown(async move {
                        let _ = stop_rx.wait_for(|stopped| *stopped).await;
                    })
                    .await
            });
        }
        stop.await;
        // Wipe first: a client that never finishes its request must not keep
        // the secrets alive, nor the process running.
        self.state.wipe();
        let _ = stop_tx.send(true);
        let finish = async {
            let mut result = Ok(());
            while let Some(joined) = tasks.join_next().await {
                if let Ok(Err(e)) = joined {
                    result = Err(e);
                }
            }
            result
        };
        match tokio::time::timeout(SHUTDOWN_GRACE, finish).await {
            Ok(result) => result,
            // Connections still open (a half-sent request): drop them.
            Err(_) => Ok(()),
        }
    }
}
