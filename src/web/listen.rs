//! Accepting connections, as axum's `serve-with-hyper` example does, so that
//! each connection gets limits `axum::serve` does not expose:
//! - a cap on the request head (64 KB, start line included) and on its
//!   header count (64);
//! - a bounded wait for the client, whatever it is sending or not reading
//!   (`turn::CLIENT_WAIT`: a request's head or body, an unread answer, an
//!   idle kept-alive connection);
//! - a cap on connections open at once, far above what a browser uses; at
//!   the cap, a new connection pushes out the one that has waited longest
//!   for its client (`turn`), and a request sftoken is still answering (a
//!   long poll) is never pushed out. Another local program that holds every
//!   connection it can then only slows the page and the callback down: to
//!   refuse them it would need sftoken to be answering 256 of its requests
//!   at once, and without the session key every route answers at once.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::Request;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::{Service, service_fn};
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio::time::Instant;

use super::turn::{Answer, Conn, Connections, Sent, Watched};

/// Connections open at once; a browser uses six per host.
pub const MAX_CONNECTIONS: usize = 256;

/// Largest request head (start line and headers) hyper accepts; the guard
/// refuses long addresses before this, with a clearer answer.
pub const MAX_HEAD_BYTES: usize = 64 * 1024;

/// The kernel's send buffer of a connection (Linux doubles it): the largest
/// answer, the page, is about 20 KB. Left to itself the kernel grows it to
/// 4 MB for a client that never reads, which a flood of such connections
/// would multiply by the cap; this way an unread answer also shows as a
/// blocked write, which `turn` counts as the client's turn, within 128 KB.
const SEND_BUFFER_BYTES: usize = 64 * 1024;

/// How long answers under way may take to finish once the helper stops. The
/// process exits within 2 s of a stop (docs/SECURITY.md): connections that
/// wait for their client are closed at once, and this bounds the rest.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(1);

/// Serves `router` on `listener` until `stop` turns true, then closes every
/// connection that waits for its client, lets answers under way finish, and
/// drops whatever is still open after [`SHUTDOWN_GRACE`].
pub(super) async fn serve(
    listener: TcpListener,
    router: Router,
    mut stop: watch::Receiver<bool>,
    open: Arc<Connections>,
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
        let Some(conn) = open.admit() else {
            tracing::warn!("Refused a connection: all {MAX_CONNECTIONS} are being answered.");
            continue;
        };
        small_send_buffer(&stream);
        let router = router.clone();
        let stop = stop.clone();
        let open = open.clone();
        connections.spawn(async move {
            connection(stream, router, &conn, stop).await;
            open.remove(&conn);
        });
        // Forget the connections that have ended, so a flood of them leaves
        // nothing behind.
        while connections.try_join_next().is_some() {}
    }
    open.close_waiting();
    let finish = async { while connections.join_next().await.is_some() {} };
    let _ = tokio::time::timeout(SHUTDOWN_GRACE, finish).await;
}

/// Sets [`SEND_BUFFER_BYTES`]; a socket that refuses keeps the kernel's.
fn small_send_buffer(stream: &tokio::net::TcpStream) {
    let _ = socket2::SockRef::from(stream).set_send_buffer_size(SEND_BUFFER_BYTES);
}

/// Serves one connection until it ends, the client keeps sftoken waiting too
/// long, a new connection pushes it out ([`Conn::close`]), or the helper
/// stops (then the answer under way may finish).
pub(super) async fn connection<T>(
    io: T,
    router: Router,
    conn: &Arc<Conn>,
    mut stop: watch::Receiver<bool>,
) where
    T: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let inner = TowerToHyperService::new(router);
    let answering = conn.clone();
    let service = service_fn(move |request: Request<Incoming>| {
        let turn = answering.answer();
        let answered = inner.call(request.map(|body| Sent::new(body, answering.clone())));
        async move {
            let response = answered.await?;
            Ok::<_, Infallible>(response.map(|body| Answer::new(body, turn)))
        }
    });
    let mut builder = http1::Builder::new();
    builder
        // `turn::CLIENT_WAIT` bounds the head too, with the body and the
        // answer: one clock per connection.
        .header_read_timeout(None)
        .max_header_size(MAX_HEAD_BYTES)
        .max_buf_size(MAX_HEAD_BYTES)
        .max_headers(64);
    let served = builder.serve_connection(TokioIo::new(Watched::new(io, conn.clone())), service);
    let mut served = std::pin::pin!(served);
    loop {
        let check = conn.next_check(Instant::now());
        tokio::select! {
            _ = served.as_mut() => return,
            () = conn.closed() => return,
            () = tokio::time::sleep_until(check) => {
                if conn.overdue(Instant::now()) {
                    return;
                }
            }
            _ = stop.wait_for(|stopped| *stopped) => break,
        }
    }
    served.as_mut().graceful_shutdown();
    tokio::select! {
        _ = served => {},
        () = conn.closed() => {},
    }
}

#[cfg(test)]
mod tests;
