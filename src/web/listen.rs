//! Accepting connections, as axum's `serve-with-hyper` example does, so that
//! each connection gets hyper's limits, which `axum::serve` does not expose:
//! - a header-read timeout, which also closes a keep-alive connection that
//!   sends nothing (hyper starts it whenever it waits for a request);
//! - a cap on header size and count;
//! - a cap on connections open at once, far above what a browser uses, so
//!   that half-open connections from another local process cannot starve the
//!   page or the callback.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;

/// How long a client may take to send a request's headers, or to start the
/// next request on a kept-alive connection.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// Connections open at once; a browser uses six per host.
pub const MAX_CONNECTIONS: usize = 256;

/// Largest request head hyper buffers; the guard refuses long addresses
/// before this, with a clearer answer.
const MAX_HEAD_BYTES: usize = 64 * 1024;

/// How long requests under way may take to finish once the helper stops.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(2);

/// Serves `router` on `listener` until `stop` turns true, then asks every open
/// connection to finish its request and close, and drops those still open
/// after [`SHUTDOWN_GRACE`] (a client that never finishes its request must not
/// keep the process running).
pub(super) async fn serve(
    listener: TcpListener,
    router: Router,
    mut stop: watch::Receiver<bool>,
    limit: Arc<Semaphore>,
) {
    let mut connections = JoinSet::new();
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = stop.wait_for(|stopped| *stopped) => break,
        };
        // Accepting fails for this connection only (for example too many open
        // files): the listener itself keeps working.
        let Ok((stream, _)) = accepted else {
            continue;
        };
        let Ok(permit) = limit.clone().try_acquire_owned() else {
            tracing::warn!("Refused a connection: {MAX_CONNECTIONS} are already open.");
            continue;
        };
        let service = TowerToHyperService::new(router.clone());
        let mut stop = stop.clone();
        connections.spawn(async move {
            let _permit = permit;
            let mut builder = http1::Builder::new();
            builder
                .timer(TokioTimer::new())
                .header_read_timeout(HEADER_READ_TIMEOUT)
                .max_buf_size(MAX_HEAD_BYTES)
                .max_headers(64);
            let connection = builder.serve_connection(TokioIo::new(stream), service);
            let mut connection = std::pin::pin!(connection);
            let stopped = tokio::select! {
                _ = connection.as_mut() => false,
                _ = stop.wait_for(|stopped| *stopped) => true,
            };
            if stopped {
                connection.as_mut().graceful_shutdown();
                let _ = connection.await;
            }
        });
    }
    let finish = async { while connections.join_next().await.is_some() {} };
    let _ = tokio::time::timeout(SHUTDOWN_GRACE, finish).await;
}
