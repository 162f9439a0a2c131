//! Another local program floods sftoken's port (issue 21 §1) while a real
//! headless Chromium signs in against the mock Salesforce: it holds more
//! connections than sftoken's cap, stalled in one way each, and reopens each
//! one sftoken closes. The sign-in must complete, its callback served, while
//! the flood is still on. Each flood is bounded in connections and time and
//! stops by itself; one runs at a time.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};
use tokio::sync::Mutex;
use tokio::task::JoinSet;

use crate::browser::sign_in_on_page;
use crate::helpers::{Binary, DEADLINE, Visitor, binary_and_mock, port_of};
use crate::mock_salesforce::MockSalesforce;
use crate::webdriver::Browser;

/// sftoken's cap (`web/listen.rs`), and the flood's connections: more.
const CAP: usize = 256;
const HOLDERS: usize = CAP + 44;
/// The flood's bounds: connections opened in all, and its length.
const MOST_CONNECTIONS: usize = 400_000;
const LONGEST: Duration = Duration::from_secs(90);

/// One flood at a time: each holds hundreds of sockets and a busy core.
static ONE_AT_A_TIME: Mutex<()> = Mutex::const_new(());

/// How each of the flood's connections keeps sftoken waiting.
#[derive(Clone, Copy, Debug)]
pub enum Stall {
    /// Connects and sends nothing.
    Idle,
    /// Sends half a request head.
    Head,
    /// Sends a launch-token trade with its allowed Origin, and one byte of
    /// its body.
    Body,
    /// Pipelines 100 requests for the page and never reads an answer.
    Unread,
}

impl Stall {
    fn request(self, port: u16) -> Vec<u8> {
        let host = format!("Host: localhost:{port}\r\n");
        match self {
            Self::Idle => Vec::new(),
            Self::Head => format!("GET / HTTP/1.1\r\n{host}").into_bytes(),
            Self::Body => format!(
                "POST /api/session HTTP/1.1\r\n{host}Origin: http://localhost:{port}\r\n\
                 Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{{"
            )
            .into_bytes(),
            Self::Unread => format!("GET / HTTP/1.1\r\n{host}\r\n")
                .repeat(100)
                .into_bytes(),
        }
    }
}

/// What the flood's connections share.
struct Shared {
    stall: Stall,
    port: u16,
    started: Instant,
    opened: AtomicUsize,
    closed_by_sftoken: AtomicUsize,
    /// Set when a bound stopped the flood.
    ran_out: AtomicBool,
}

impl Shared {
    fn may_go_on(&self) -> bool {
        let within = self.opened.load(Ordering::Relaxed) < MOST_CONNECTIONS
            && self.started.elapsed() < LONGEST;
        if !within {
            self.ran_out.store(true, Ordering::Relaxed);
        }
        within
    }
}

/// A running flood; dropping it closes every connection it holds.
pub struct Flood {
    shared: Arc<Shared>,
    _holders: JoinSet<()>,
}

impl Flood {
    /// Starts [`HOLDERS`] connections of one `stall` at sftoken on `port`,
    /// and returns once each has connected.
    pub async fn start(port: u16, stall: Stall) -> Flood {
        let shared = Arc::new(Shared {
            stall,
            port,
            started: Instant::now(),
            opened: AtomicUsize::new(0),
            closed_by_sftoken: AtomicUsize::new(0),
            ran_out: AtomicBool::new(false),
        });
        let mut holders = JoinSet::new();
        for _ in 0..HOLDERS {
            holders.spawn(hold(shared.clone()));
        }
        while shared.opened.load(Ordering::Relaxed) < HOLDERS {
            assert!(shared.started.elapsed() < DEADLINE, "the flood connects");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        Flood {
            shared,
            _holders: holders,
        }
    }

    /// Fails unless the flood is still on, and says what it did.
    pub fn assert_still_on(&self) {
        let opened = self.shared.opened.load(Ordering::Relaxed);
        let closed = self.shared.closed_by_sftoken.load(Ordering::Relaxed);
        println!(
            "flood of {:?}: {opened} connections opened, {closed} closed by sftoken, in {:?}",
            self.shared.stall,
            self.shared.started.elapsed()
        );
        assert!(
            !self.shared.ran_out.load(Ordering::Relaxed),
            "the flood ran out before the sign-in ended: it proves nothing"
        );
        assert!(closed > 0, "sftoken closed none of the flood's connections");
    }
}

/// One of the flood's connections, reopened each time sftoken closes it.
async fn hold(shared: Arc<Shared>) {
    let request = shared.stall.request(shared.port);
    while shared.may_go_on() {
        let Ok(mut stream) = connect(&shared).await else {
            tokio::time::sleep(Duration::from_millis(10)).await;
            continue;
        };
        shared.opened.fetch_add(1, Ordering::Relaxed);
        if stream.write_all(&request).await.is_err() {
            continue;
        }
        let left = LONGEST.saturating_sub(shared.started.elapsed());
        let closed = match shared.stall {
            Stall::Unread => tokio::time::timeout(left, closed_without_reading(&stream)).await,
            _ => tokio::time::timeout(left, closed(&mut stream)).await,
        };
        if closed.is_ok() {
            shared.closed_by_sftoken.fetch_add(1, Ordering::Relaxed);
        }
    }
}

async fn connect(shared: &Shared) -> std::io::Result<TcpStream> {
    let socket = TcpSocket::new_v4()?;
    if let Stall::Unread = shared.stall {
        // A small window, so sftoken's answers back up at once.
        socket.set_recv_buffer_size(4096)?;
    }
    socket
        .connect((std::net::Ipv4Addr::LOCALHOST, shared.port).into())
        .await
}

/// Waits until sftoken closes the connection, reading what it sends.
async fn closed(stream: &mut TcpStream) {
    let mut buffer = [0; 1024];
    while let Ok(1..) = stream.read(&mut buffer).await {}
}

/// Waits until sftoken closes the connection, reading nothing: a write
/// fails once it has.
async fn closed_without_reading(stream: &TcpStream) {
    let more = b"GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n";
    loop {
        tokio::time::sleep(Duration::from_millis(100)).await;
        if !matches!(stream.take_error(), Ok(None)) {
            return;
        }
        match stream.try_write(more) {
            Err(e) if e.kind() != std::io::ErrorKind::WouldBlock => return,
            _ => {}
        }
    }
}

/// The whole sign-in in a real Chromium, from the launch address to the
/// result page, which the callback sends it to; the refresh token on the page
/// works at the mock.
async fn browser_signs_in(binary: &Binary, mock: &MockSalesforce) -> Duration {
    let started = Instant::now();
    let launch_url = binary.launch_url().await;
    let port = port_of(&launch_url);
    let browser = Browser::start().await;
    browser.goto(&launch_url).await;
    browser.find("#setup:not([hidden])").await;
    sign_in_on_page(&browser, mock, &mock.options().client_secret).await;
    browser.click("#allow").await;
    browser
        .wait_for_url(|url| url.starts_with(&format!("http://localhost:{port}/result/")))
        .await;
    browser.find("#result:not([hidden])").await;
    let refresh_token = browser.value("#s-refresh_token").await;
    assert!(
        mock.refresh(&refresh_token).await.is_ok(),
        "the token works"
    );
    browser.quit().await;
    started.elapsed()
}

async fn a_sign_in_completes_during_a_flood_of(stall: Stall) {
    let _alone = ONE_AT_A_TIME.lock().await;
    let (binary, mock) = binary_and_mock(&[], &[]).await;
    let port = port_of(&binary.launch_url().await);
    let flood = Flood::start(port, stall).await;

    let took = browser_signs_in(&binary, &mock).await;

    println!("the sign-in took {took:?}");
    flood.assert_still_on();
}

#[tokio::test]
async fn a_sign_in_completes_while_a_local_program_holds_every_connection_idle() {
    a_sign_in_completes_during_a_flood_of(Stall::Idle).await;
}

#[tokio::test]
async fn a_sign_in_completes_while_a_local_program_stalls_every_request_head() {
    a_sign_in_completes_during_a_flood_of(Stall::Head).await;
}

#[tokio::test]
async fn a_sign_in_completes_while_a_local_program_stalls_every_request_body() {
    a_sign_in_completes_during_a_flood_of(Stall::Body).await;
}

#[tokio::test]
async fn a_sign_in_completes_while_a_local_program_reads_no_answer_it_asked_for() {
    a_sign_in_completes_during_a_flood_of(Stall::Unread).await;
}

#[tokio::test]
async fn sigterm_wipes_and_exits_within_two_seconds_whatever_the_connections_do() {
    let _alone = ONE_AT_A_TIME.lock().await;
    let (mut binary, _mock) = binary_and_mock(&[], &[]).await;
    let launch_url = binary.launch_url().await;
    let port = port_of(&launch_url);
    // An open page's held request (`web::alive`), answered only when sftoken
    // stops: the server's turn, which the stop must answer, not wait out.
    let page = Visitor::launch(&launch_url).await;
    let held = tokio::spawn(async move { page.get("/api/alive").await.text().await });
    // Let the held request reach sftoken before the floods and the signal.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let floods = [
        Flood::start(port, Stall::Head).await,
        Flood::start(port, Stall::Body).await,
        Flood::start(port, Stall::Unread).await,
    ];

    let signalled = Instant::now();
    binary.signal("TERM");
    assert_eq!(binary.wait().await, 0, "{}", binary.stderr());
    let took = signalled.elapsed();

    println!("SIGTERM to exit: {took:?}");
    assert!(took < Duration::from_secs(2), "took {took:?}");
    assert!(binary.stderr().contains("the secrets it held are wiped"));
    let told = held.await.expect("the held request").expect("its answer");
    assert!(
        told.contains("\"stopped\""),
        "the open page was not told: {told}"
    );
    drop(floods);
}
