//! Whose turn it is on each connection: the client's (to send a request's
//! head or body, or to read an answer) or sftoken's (to answer). Another
//! local program can hold a connection for as long as sftoken waits for it,
//! so the wait for a client is bounded ([`CLIENT_WAIT`]), and at the cap the
//! connection sftoken has waited for longest makes room for a new one
//! ([`Connections::admit`]). A request sftoken is still answering (a long
//! poll, a sign-in's code exchange) is sftoken's turn: it is neither timed
//! out nor pushed out, however long it takes. Age alone decides nothing.

use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

use hyper::body::{Body, Frame};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::Notify;
use tokio::time::Instant;

/// How long sftoken waits for a client at a time: for a request's head (or
/// the next one on a kept-alive connection), for a request's body (counted
/// from its head, so trickling does not extend it), or for the client to
/// read an answer. A browser on loopback takes milliseconds.
pub const CLIENT_WAIT: Duration = Duration::from_secs(10);

/// One connection's bookkeeping: a lock, an instant and three small fields,
/// and the signal that closes it.
pub(super) struct Conn {
    turn: Mutex<Turn>,
    closing: Notify,
}

struct Turn {
    /// When the client was last asked for something: the connection opened,
    /// a request's head arrived, or an answer was handed over.
    since: Instant,
    /// Requests being answered (hyper answers one at a time; counting keeps
    /// an answer handed over late from ending the next one's turn).
    answering: u8,
    /// The request's handler waits for more of its body.
    body: bool,
    /// An answer waits for the client to read it (the socket is full).
    unread: bool,
}

impl Conn {
    fn new() -> Self {
        Self {
            turn: Mutex::new(Turn {
                since: Instant::now(),
                answering: 0,
                body: false,
                unread: false,
            }),
            closing: Notify::new(),
        }
    }

    fn turn(&self) -> MutexGuard<'_, Turn> {
        self.turn.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Since when sftoken has waited for the client; `None` while it is
    /// sftoken's turn.
    pub(super) fn waiting_since(&self) -> Option<Instant> {
        let turn = self.turn();
        (turn.answering == 0 || turn.body || turn.unread).then_some(turn.since)
    }

    /// The client has kept sftoken waiting for [`CLIENT_WAIT`] or more.
    pub(super) fn overdue(&self, now: Instant) -> bool {
        self.waiting_since()
            .is_some_and(|since| now.duration_since(since) >= CLIENT_WAIT)
    }

    /// When to look again: when the wait for the client runs out, or, on
    /// sftoken's turn, a whole [`CLIENT_WAIT`] from `now`.
    pub(super) fn next_check(&self, now: Instant) -> Instant {
        self.waiting_since().unwrap_or(now) + CLIENT_WAIT
    }

    /// A request's head has arrived: sftoken's turn until the [`Answering`]
    /// is dropped, which [`Answer`] does when hyper has taken the answer.
    pub(super) fn answer(self: &Arc<Self>) -> Answering {
        let mut turn = self.turn();
        turn.since = Instant::now();
        turn.answering = turn.answering.saturating_add(1);
        Answering(self.clone())
    }

    fn set_body(&self, waiting: bool) {
        self.turn().body = waiting;
    }

    fn set_unread(&self, waiting: bool) {
        self.turn().unread = waiting;
    }

    /// Asks the connection's task to close it, now or at its next turn.
    pub(super) fn close(&self) {
        self.closing.notify_one();
    }

    /// Resolves once [`Conn::close`] was called.
    pub(super) async fn closed(&self) {
        self.closing.notified().await;
    }
}

/// sftoken's turn on a connection, from a request's head until its answer is
/// handed to hyper.
pub(super) struct Answering(Arc<Conn>);

impl Drop for Answering {
    fn drop(&mut self) {
        let mut turn = self.0.turn();
        turn.answering = turn.answering.saturating_sub(1);
        turn.body = false;
        turn.since = Instant::now();
    }
}

/// The connections open at once, up to a cap, shared by both listeners.
pub(super) struct Connections {
    open: Mutex<Vec<Arc<Conn>>>,
    max: usize,
}

impl Connections {
    pub(super) fn new(max: usize) -> Self {
        Self {
            open: Mutex::new(Vec::with_capacity(max)),
            max,
        }
    }

    fn open(&self) -> MutexGuard<'_, Vec<Arc<Conn>>> {
        self.open.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A new connection's bookkeeping. At the cap, the connection that has
    /// waited longest for its client is closed to make room; `None` when
    /// sftoken is answering on every one of them.
    pub(super) fn admit(&self) -> Option<Arc<Conn>> {
        let mut open = self.open();
        if open.len() >= self.max {
            let (_, stalest) = open
                .iter()
                .enumerate()
                .filter_map(|(at, conn)| Some((conn.waiting_since()?, at)))
                .min()?;
            open.swap_remove(stalest).close();
        }
        let conn = Arc::new(Conn::new());
        open.push(conn.clone());
        Some(conn)
    }

    /// A connection has closed.
    pub(super) fn remove(&self, conn: &Arc<Conn>) {
        self.open().retain(|open| !Arc::ptr_eq(open, conn));
    }

    /// On stop: closes every connection that waits for its client, so that
    /// only answers under way are waited for.
    pub(super) fn close_waiting(&self) {
        self.open().retain(|conn| {
            let waiting = conn.waiting_since().is_some();
            if waiting {
                conn.close();
            }
            !waiting
        });
    }

    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.open().len()
    }
}

/// A connection's socket, noting when an answer waits for the client to
/// read it. It keeps the socket's vectored writes: without them hyper copies
/// each answer into a buffer of its own, which costs resident memory.
pub(super) struct Watched<T> {
    io: T,
    conn: Arc<Conn>,
}

impl<T> Watched<T> {
    pub(super) fn new(io: T, conn: Arc<Conn>) -> Self {
        Self { io, conn }
    }

    fn noting<R>(&self, written: Poll<R>) -> Poll<R> {
        self.conn.set_unread(written.is_pending());
        written
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for Watched<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_read(cx, buf)
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Watched<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let written = Pin::new(&mut self.io).poll_write(cx, buf);
        self.noting(written)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        let written = Pin::new(&mut self.io).poll_write_vectored(cx, bufs);
        self.noting(written)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }
}

/// A request's body, noting when its handler waits for the client to send
/// more of it. It gives no size hint and no early end: sftoken's extractors
/// read frames to the end, and the body limit counts the bytes.
pub(super) struct Sent<B> {
    body: B,
    conn: Arc<Conn>,
}

impl<B> Sent<B> {
    pub(super) fn new(body: B, conn: Arc<Conn>) -> Self {
        Self { body, conn }
    }
}

impl<B: Body + Unpin> Body for Sent<B> {
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        let frame = Pin::new(&mut self.body).poll_frame(cx);
        self.conn.set_body(frame.is_pending());
        frame
    }
}

/// An answer, which keeps sftoken's turn until hyper has taken all of it
/// (an answer that streams is still sftoken's to give). It needs no size
/// hint: the router has already set `Content-Length` from the answer's own,
/// and hyper learns the end from the last frame.
pub(super) struct Answer<B> {
    body: B,
    _turn: Answering,
}

impl<B> Answer<B> {
    pub(super) fn new(body: B, turn: Answering) -> Self {
        Self { body, _turn: turn }
    }
}

impl<B: Body + Unpin> Body for Answer<B> {
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        Pin::new(&mut self.body).poll_frame(cx)
    }
}

#[cfg(test)]
mod tests;
