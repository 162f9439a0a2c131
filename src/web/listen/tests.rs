//! One connection served by hyper over an in-memory pipe, on a paused clock:
//! when it is closed for keeping sftoken waiting, and when it never is; then
//! the listener at its cap and at a stop, over loopback.

use std::future::pending;

use axum::routing::{get, post};
use tokio::io::{AsyncReadExt, AsyncWriteExt, DuplexStream};
use tokio::net::TcpStream;

use super::*;
use crate::web::turn::CLIENT_WAIT;

const SECOND: Duration = Duration::from_secs(1);

fn router() -> Router {
    Router::new()
        .route("/quick", get(|| async { "ok" }))
        .route("/echo", post(|body: String| async move { body }))
        .route("/big", get(|| async { "x".repeat(256 * 1024) }))
        .route("/long-poll", get(pending::<&str>))
}

/// A connection whose client end is returned, served until it closes.
struct Served {
    client: DuplexStream,
    conn: Arc<Conn>,
    /// Ends when the connection does, with the instant it ended.
    task: tokio::task::JoinHandle<Instant>,
    stop: watch::Sender<bool>,
    opened: Instant,
}

fn serve_one(pipe: usize) -> Served {
    let (client, server) = tokio::io::duplex(pipe);
    let open = Connections::new(4);
    let conn = open.admit().expect("room");
    let (stop, stopped) = watch::channel(false);
    let served = conn.clone();
    let task = tokio::spawn(async move {
        connection(server, router(), &served, stopped).await;
        Instant::now()
    });
    Served {
        client,
        conn,
        task,
        stop,
        opened: Instant::now(),
    }
}

impl Served {
    async fn send(&mut self, bytes: &[u8]) {
        self.client.write_all(bytes).await.expect("send");
    }

    /// Reads until `text` has arrived; everything read so far.
    async fn read_until(&mut self, text: &str) -> String {
        let mut read = Vec::new();
        while !String::from_utf8_lossy(&read).contains(text) {
            let mut buffer = [0; 4096];
            let n = self.client.read(&mut buffer).await.expect("read");
            assert!(
                n > 0,
                "closed before {text:?}: {}",
                String::from_utf8_lossy(&read)
            );
            read.extend_from_slice(&buffer[..n]);
        }
        String::from_utf8_lossy(&read).into_owned()
    }

    /// How long after `from` sftoken closed the connection.
    async fn closed_after(self, from: Instant) -> Duration {
        self.task.await.expect("the connection's task") - from
    }

    async fn still_open_after(&mut self, wait: Duration) -> bool {
        tokio::time::sleep(wait).await;
        !self.task.is_finished()
    }
}

fn assert_closed_at_client_wait(closed_after: Duration) {
    assert!(
        closed_after >= CLIENT_WAIT && closed_after < CLIENT_WAIT + Duration::from_millis(50),
        "closed after {closed_after:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_client_that_sends_nothing_is_closed_after_ten_seconds() {
    let served = serve_one(1024);
    let opened = served.opened;
    assert_closed_at_client_wait(served.closed_after(opened).await);
}

#[tokio::test(start_paused = true)]
async fn a_head_trickled_byte_by_byte_is_closed_ten_seconds_after_the_connection_opened() {
    let mut served = serve_one(1024);
    // 31 bytes, one every half second: the head would take 15.5 s.
    for byte in b"GET /quick HTTP/1.1\r\nHost: x\r\n\r\n" {
        if served.client.write_all(&[*byte]).await.is_err() {
            break;
        }
        tokio::time::sleep(SECOND / 2).await;
    }
    let opened = served.opened;
    assert_closed_at_client_wait(served.closed_after(opened).await);
}

#[tokio::test(start_paused = true)]
async fn a_body_trickled_too_slowly_is_closed_ten_seconds_after_its_head() {
    let mut served = serve_one(1024);
    tokio::time::sleep(3 * SECOND).await;
    let head = Instant::now();
    served
        .send(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc")
        .await;
    for byte in b"defg" {
        tokio::time::sleep(2 * SECOND).await;
        served.send(&[*byte]).await;
    }
    assert_closed_at_client_wait(served.closed_after(head).await);
}

#[tokio::test(start_paused = true)]
async fn a_body_sent_in_time_is_answered_with_its_length() {
    let mut served = serve_one(1024);
    served
        .send(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhel")
        .await;
    tokio::time::sleep(9 * SECOND).await;
    served.send(b"lo").await;

    let answer = served.read_until("hello").await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains("content-length: 5\r\n"), "{answer}");
}

#[tokio::test(start_paused = true)]
async fn a_kept_alive_connection_is_closed_ten_seconds_after_its_last_answer() {
    let mut served = serve_one(1024);
    tokio::time::sleep(7 * SECOND).await;
    served.send(b"GET /quick HTTP/1.1\r\nHost: x\r\n\r\n").await;
    served.read_until("ok").await;
    let answered = Instant::now();
    tokio::time::sleep(9 * SECOND).await;
    served.send(b"GET /quick HTTP/1.1\r\nHost: x\r\n\r\n").await;
    served.read_until("ok").await;
    let answered_again = Instant::now();
    assert!(answered_again > answered);

    assert_closed_at_client_wait(served.closed_after(answered_again).await);
}

#[tokio::test(start_paused = true)]
async fn answers_left_unread_are_closed_ten_seconds_after_they_were_given() {
    let mut served = serve_one(1024);
    served
        .send(&b"GET /big HTTP/1.1\r\nHost: x\r\n\r\n".repeat(4))
        .await;
    tokio::task::yield_now().await;
    let given = Instant::now();
    assert!(served.still_open_after(CLIENT_WAIT / 2).await);
    assert!(served.conn.waiting_since().is_some());

    assert_closed_at_client_wait(served.closed_after(given).await);
}

#[tokio::test(start_paused = true)]
async fn a_long_poll_is_never_closed_and_never_pushed_out() {
    let mut served = serve_one(1024);
    served
        .send(b"GET /long-poll HTTP/1.1\r\nHost: x\r\n\r\n")
        .await;
    assert!(served.still_open_after(3600 * SECOND).await);
    assert_eq!(served.conn.waiting_since(), None, "sftoken's turn");
}

#[tokio::test(start_paused = true)]
async fn a_head_of_64_kb_is_read_and_one_byte_more_is_refused() {
    for (bytes, status) in [(64 * 1024, "200"), (64 * 1024 + 1, "431")] {
        let mut served = serve_one(256 * 1024);
        let start = "GET /quick HTTP/1.1\r\nHost: x\r\nPad: ";
        let pad = bytes - start.len() - "\r\n\r\n".len();
        let head = format!("{start}{}\r\n\r\n", "p".repeat(pad));
        served.send(head.as_bytes()).await;

        let answer = served.read_until("\r\n").await;
        assert!(
            answer.starts_with(&format!("HTTP/1.1 {status}")),
            "{bytes}: {answer}"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn at_a_stop_an_idle_connection_is_closed_and_an_answer_under_way_may_finish() {
    let idle = serve_one(1024);
    let mut answering = serve_one(1024);
    answering
        .send(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nh")
        .await;
    tokio::task::yield_now().await;

    let stopped = Instant::now();
    idle.stop.send(true).expect("stop");
    answering.stop.send(true).expect("stop");

    assert!(idle.task.await.is_ok());
    // Stopping waits for this answer (the listener bounds the wait).
    assert!(answering.still_open_after(SECOND).await);
    answering.send(b"i").await;
    let answer = answering.read_until("hi").await;
    assert!(answer.contains("connection: close"), "{answer}");
    assert!(answering.task.await.is_ok());
    assert!(Instant::now() - stopped < 2 * SECOND);
}

/// A listener on loopback with room for `max` connections, on a real clock.
async fn listening(max: usize) -> (u16, Arc<Connections>, watch::Sender<bool>, JoinHandle) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("address").port();
    let open = Arc::new(Connections::new(max));
    let (stop, stopped) = watch::channel(false);
    let task = tokio::spawn(serve(listener, router(), stopped, open.clone()));
    (port, open, stop, task)
}

type JoinHandle = tokio::task::JoinHandle<()>;

async fn connect(port: u16, send: &str) -> TcpStream {
    let mut stream = TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("connect");
    stream.write_all(send.as_bytes()).await.expect("send");
    stream
}

/// Reads what the server sends until it closes the connection.
async fn read_to_close(stream: &mut TcpStream) -> String {
    let mut read = Vec::new();
    let _ = tokio::time::timeout(5 * SECOND, stream.read_to_end(&mut read))
        .await
        .expect("closed within 5 s");
    String::from_utf8_lossy(&read).into_owned()
}

async fn is_open(stream: &mut TcpStream) -> bool {
    let mut byte = [0; 1];
    tokio::time::timeout(SECOND / 5, stream.read(&mut byte))
        .await
        .is_err()
}

const QUICK: &str = "GET /quick HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
const LONG_POLL: &str = "GET /long-poll HTTP/1.1\r\nHost: x\r\n\r\n";

#[tokio::test]
async fn at_the_cap_a_new_connection_pushes_out_the_stalest_and_is_answered() {
    let (port, open, stop, task) = listening(2).await;
    let mut long_poll = connect(port, LONG_POLL).await;
    let mut stalled = connect(port, "GET /quick HTTP/1.1\r\n").await;
    tokio::time::sleep(SECOND / 10).await;

    let mut new = connect(port, QUICK).await;

    assert!(read_to_close(&mut new).await.ends_with("ok"));
    assert_eq!(read_to_close(&mut stalled).await, "", "pushed out");
    assert!(is_open(&mut long_poll).await);
    assert_eq!(
        open.len(),
        1,
        "only the long poll is left in the bookkeeping"
    );
    stop.send(true).expect("stop");
    task.await.expect("the listener");
}

#[tokio::test]
async fn at_the_cap_with_every_connection_being_answered_a_new_one_is_refused() {
    let (port, _, stop, task) = listening(2).await;
    let mut polls = [
        connect(port, LONG_POLL).await,
        connect(port, LONG_POLL).await,
    ];
    tokio::time::sleep(SECOND / 10).await;

    let mut new = connect(port, QUICK).await;

    assert_eq!(read_to_close(&mut new).await, "");
    for poll in &mut polls {
        assert!(is_open(poll).await);
    }
    stop.send(true).expect("stop");
    task.await.expect("the listener");
}

#[tokio::test]
async fn a_stop_closes_stalled_connections_at_once_and_long_polls_after_the_grace() {
    let (port, _, stop, task) = listening(8).await;
    let mut long_poll = connect(port, LONG_POLL).await;
    let mut stalled = connect(port, "POST /echo HTTP/1.1\r\nContent-Length: 9\r\n\r\n").await;
    tokio::time::sleep(SECOND / 10).await;

    let stopped = std::time::Instant::now();
    stop.send(true).expect("stop");

    assert_eq!(read_to_close(&mut stalled).await, "");
    assert!(stopped.elapsed() < SECOND / 2, "{:?}", stopped.elapsed());
    task.await.expect("the listener");
    let served = stopped.elapsed();
    assert!(
        served >= SHUTDOWN_GRACE && served < SHUTDOWN_GRACE + SECOND / 2,
        "{served:?}"
    );
    assert_eq!(read_to_close(&mut long_poll).await, "");
}

#[tokio::test]
async fn an_accepted_connection_buffers_at_most_128_kb_of_answers() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("address").port();
    let _client = TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("connect");
    let (accepted, _) = listener.accept().await.expect("accept");

    small_send_buffer(&accepted);

    let size = socket2::SockRef::from(&accepted)
        .send_buffer_size()
        .expect("SO_SNDBUF");
    // 64 KB; Linux doubles what it is given, for its own bookkeeping.
    assert!((64 * 1024..=128 * 1024).contains(&size), "{size}");
}
