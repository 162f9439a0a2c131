//! Load: a bounded burst of valid and hostile requests at the real binary,
//! over loopback only, while a sign-in waits; the sign-in must still
//! complete. Run by hand (not in CI):
//!
//! ```sh
//! cargo test --release --test it -- --ignored --nocapture load_
//! SFTOKEN_LOAD_REQUESTS=100000 SFTOKEN_LOAD_CONNECTIONS=128 cargo test --release --test it -- --ignored --nocapture load_
//! ```
//!
//! 40% of the requests are what the page sends with its session, 60% come
//! from the hostile table (`hostile.rs`). Every answer must have the expected
//! status and headers, no connection may fail, and the memory of the sftoken
//! process is read from `/proc` before, during and after.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use tokio::task::JoinSet;
use tokio::time::timeout;

use crate::bench::percentile_ms;
use crate::helpers::check;
use crate::helpers::{Binary, JsonBody, Visitor, free_port, memory, mock_for_port, port_of};
use crate::hostile::{self, Delivery, Request, Target};
use crate::mock_salesforce::MockOptions;
use crate::raw_http::{self, Connection, Response};
use sftoken::signin::report::CheckKind;
use sftoken::web::{ASSETS, SESSION_HEADER};

const DEFAULT_REQUESTS: usize = 20_000;
const DEFAULT_CONNECTIONS: usize = 64;
/// The burst stops taking requests after this long (and the test fails).
const BURST_LIMIT: Duration = Duration::from_secs(90);
/// The longest one request may take, trickled ones included.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// Proxy variables sftoken must not see: nothing may leave loopback.
const PROXY_VARIABLES: &[&str] = &[
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
];

#[tokio::test]
#[ignore = "load: run by hand with --ignored --nocapture"]
async fn load_a_burst_of_valid_and_hostile_requests_leaves_a_pending_sign_in_working() {
    let total = count_from_env("SFTOKEN_LOAD_REQUESTS", DEFAULT_REQUESTS, 1_000_000);
    let connections = count_from_env("SFTOKEN_LOAD_CONNECTIONS", DEFAULT_CONNECTIONS, 512);
    let port = free_port().to_string();
    let mut binary = Binary::spawn_program(
        &crate::helpers::sftoken_program(),
        &[
            "--no-browser",
            "--port",
            &port,
            "--idle-timeout",
            "0",
            "--allow-any-login-url",
        ],
        &[("NO_PROXY", "127.0.0.1,localhost,::1")],
        PROXY_VARIABLES,
        None,
    );
    let launch_url = binary.launch_url().await;
    let port = port_of(&launch_url);
    let mock = mock_for_port(port, MockOptions::default()).await;
    let visitor = Visitor::launch(&launch_url).await;
    let options = mock.options().clone();
    let started = visitor
        .start_login(&options.client_id, &options.client_secret, &mock.url())
        .await;
    assert_eq!(started.status(), StatusCode::OK, "the sign-in starts");
    let started = started.json_value().await;
    let authorize_url = started["authorize_url"].as_str().expect("authorize_url");
    let target = Target {
        port,
        session: visitor.session.clone().expect("the session key"),
        login_id: started["id"].as_str().expect("the sign-in's id").to_owned(),
        login_url: mock.url(),
    };

    let pid = binary.pid();
    let before = memory(pid);
    let (stop_sampling, peak) = sample_peak_rss(pid);
    let clock = Instant::now();
    let (stats, left_over) = burst(target, total, connections).await;
    let elapsed = clock.elapsed();
    let _ = stop_sampling.send(());
    let peak = peak.await.expect("the memory sampler");
    let after = memory(pid);

    let callback_url = visitor.consent(authorize_url, "allow").await;
    let sign_in = visitor.finish(&callback_url).await;
    let after_sign_in = memory(pid);
    let not_ok: Vec<&str> = CheckKind::ALL
        .into_iter()
        .filter(|kind| check(&sign_in.result, *kind)["status"] != "ok")
        .map(CheckKind::name)
        .collect();
    let refresh_token = sign_in.result["settings"]["refresh_token"]
        .as_str()
        .unwrap_or_default();
    let signed_in = sign_in.result["status"] == "captured"
        && not_ok.is_empty()
        && mock.refresh_token_is_live(refresh_token);

    stats.print(total, connections, elapsed);
    println!(
        "| VmRSS before / sampled peak during / after the burst | {} / {peak} / {} KiB |",
        before.rss_kib, after.rss_kib
    );
    println!(
        "| VmHWM (peak RSS of the whole life) | {} KiB |",
        after_sign_in.hwm_kib
    );
    println!(
        "| VmRSS after the pending sign-in completed | {} KiB |",
        after_sign_in.rss_kib
    );
    println!(
        "| pending sign-in after the burst | {} |",
        if signed_in {
            "captured; token, user, org, licenses and users checks ok; the refresh token works"
        } else {
            "FAILED"
        }
    );
    println!();
    stats.print_kinds();

    assert_eq!(left_over, 0, "the burst ran out of time ({BURST_LIMIT:?})");
    assert_eq!(
        stats.unexpected(),
        0,
        "unexpected statuses: {:#?}",
        stats.unexpected
    );
    assert_eq!(
        stats.failed_checks(),
        0,
        "failed checks: {:#?}",
        stats.failed_checks
    );
    assert_eq!(
        stats.errors(),
        0,
        "connection errors: {:#?}; timeouts: {}",
        stats.connection_errors,
        stats.timeouts
    );
    assert!(
        signed_in,
        "the pending sign-in did not complete: {}",
        sign_in.result
    );
    binary.interrupt();
    assert_eq!(binary.wait().await, 0, "{}", binary.stderr());
}

/// `name` from the environment, or `default`; at least 1, at most `max`.
fn count_from_env(name: &str, default: usize, max: usize) -> usize {
    let Ok(text) = std::env::var(name) else {
        return default;
    };
    match text.trim().parse() {
        Ok(count) if (1..=max).contains(&count) => count,
        _ => panic!("{name}={text:?}: write a number from 1 to {max}"),
    }
}

/// What the page itself sends with its session: the valid 40%.
fn valid_requests(target: &Target) -> Vec<Request> {
    let host = format!("localhost:{}", target.port);
    let numeric_host = format!("127.0.0.1:{}", target.port);
    let session = [(SESSION_HEADER, target.session.as_str())];
    let get = |path: &str, host: &str, headers: &[(&str, &str)]| {
        raw_http::request("GET", path, Some(host), headers, b"")
    };
    let login_path = format!("/api/login/{}", target.login_id);
    // Each file the page loads, as its variants of one kind.
    let assets = ASSETS.iter().map(|asset| {
        Request::new(
            "GET /assets/…",
            format!("{} (no session key)", asset.path),
            get(asset.path, &host, &[]),
            200,
        )
    });
    let mut requests = vec![Request::new(
        "GET /",
        "no session key",
        get("/", &host, &[]),
        200,
    )];
    requests.extend(assets);
    requests.extend([
        Request {
            check: Some(the_session_keeps_its_token_and_sign_in),
            ..Request::new(
                "GET /api/session",
                "with the session key",
                get("/api/session", &host, &session),
                200,
            )
        },
        Request::new(
            "GET /health",
            "Host localhost",
            get("/health", &host, &[]),
            200,
        ),
        Request::new(
            "GET /health",
            "Host 127.0.0.1",
            get("/health", &numeric_host, &[]),
            200,
        ),
        Request {
            check: Some(the_sign_in_is_still_waiting),
            ..Request::new(
                "GET /api/login/ID",
                "with the session key",
                get(&login_path, &host, &session),
                200,
            )
        },
    ]);
    requests
}

fn the_session_keeps_its_token_and_sign_in(
    target: &Target,
    answer: &Response,
) -> Result<(), String> {
    let body = answer.text();
    if body.contains("callback_url") && body.contains(&target.login_id) {
        Ok(())
    } else {
        Err("/api/session lost the session or the pending sign-in".to_owned())
    }
}

fn the_sign_in_is_still_waiting(_: &Target, answer: &Response) -> Result<(), String> {
    if answer.text().contains(r#""status":"waiting""#) {
        Ok(())
    } else {
        Err(format!(
            "the sign-in is no longer waiting: {:.120}",
            answer.text()
        ))
    }
}

/// How often each kind comes up, in thousandths (valid kinds: 400).
fn weight(kind: &str) -> u64 {
    match kind {
        "GET /" | "GET /api/session" | "GET /api/login/ID" => 70,
        "GET /health" => 60,
        "GET /assets/…" => 130,
        "foreign Host" | "forged callback" => 80,
        "OPTIONS /callback"
        | "missing session key"
        | "foreign Origin"
        | "URI > 8 KB"
        | "bad JSON"
        | "unknown path or method" => 50,
        "body > 64 KB" => 40,
        "> 100 headers" | "no or wrong session key" | "wrong launch token" => 30,
        "half-sent request" => 7,
        "trickled request" => 3,
        other => panic!("the kind {other:?} has no load weight; give it one"),
    }
}

/// `total` indexes into `requests`, drawn by kind weight, then a variant of
/// the kind at random. Trickled requests (over a second each) are moved into
/// the first half, so they overlap the burst instead of trailing after it.
fn plan(requests: &[Request], total: usize) -> Vec<usize> {
    let mut kinds: Vec<(&str, Vec<usize>)> = Vec::new();
    for (index, request) in requests.iter().enumerate() {
        match kinds.iter_mut().find(|(kind, _)| *kind == request.kind) {
            Some((_, variants)) => variants.push(index),
            None => kinds.push((request.kind, vec![index])),
        }
    }
    let sum: u64 = kinds.iter().map(|(kind, _)| weight(kind)).sum();
    assert_eq!(sum, 1000, "the weights add up to 1000");
    let mut random = SplitMix64(1);
    let mut plan: Vec<usize> = (0..total)
        .map(|_| {
            let mut pick = random.below(sum);
            let (_, variants) = kinds
                .iter()
                .find(|(kind, _)| {
                    let found = pick < weight(kind);
                    pick = pick.saturating_sub(weight(kind));
                    found
                })
                .expect("a pick below the sum falls in a kind");
            variants[random.below(variants.len() as u64) as usize]
        })
        .collect();
    let half = (total / 2).max(1);
    for at in half..total {
        if requests[plan[at]].delivery == Delivery::Trickled {
            let to = random.below(half as u64) as usize;
            plan.swap(at, to);
        }
    }
    plan
}

/// A small deterministic generator, so a run's mix can be repeated.
struct SplitMix64(u64);

impl SplitMix64 {
    fn below(&mut self, bound: u64) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        (z ^ (z >> 31)) % bound
    }
}

/// Samples the process's VmRSS every 50 ms until told to stop; the peak.
fn sample_peak_rss(
    pid: u32,
) -> (
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<u64>,
) {
    let (stop, mut stopped) = tokio::sync::oneshot::channel::<()>();
    let peak = tokio::spawn(async move {
        let mut peak = 0;
        let mut ticks = tokio::time::interval(Duration::from_millis(50));
        loop {
            tokio::select! {
                _ = &mut stopped => return peak,
                _ = ticks.tick() => peak = peak.max(memory(pid).rss_kib),
            }
        }
    });
    (stop, peak)
}

/// What the burst shares between its connections.
struct Burst {
    target: Target,
    requests: Vec<Request>,
    plan: Vec<usize>,
    next: AtomicUsize,
    deadline: Instant,
}

/// `total` requests over `connections` keep-alive connections; the merged
/// statistics, and how many requests were left when the time ran out.
async fn burst(target: Target, total: usize, connections: usize) -> (Stats, usize) {
    let mut requests = valid_requests(&target);
    requests.extend(hostile::table(&target));
    let plan = plan(&requests, total);
    let burst = Arc::new(Burst {
        target,
        requests,
        plan,
        next: AtomicUsize::new(0),
        deadline: Instant::now() + BURST_LIMIT,
    });
    let mut workers = JoinSet::new();
    for _ in 0..connections {
        workers.spawn(worker(Arc::clone(&burst)));
    }
    let mut stats = Stats::default();
    while let Some(done) = workers.join_next().await {
        stats.merge(done.expect("a load worker"));
    }
    let taken = burst.next.load(Ordering::Relaxed).min(total);
    (stats, total - taken)
}

/// One connection's share of the burst: it takes the next request of the
/// plan until none is left, reconnecting when sftoken closes the connection.
async fn worker(burst: Arc<Burst>) -> Stats {
    let port = burst.target.port;
    let mut stats = Stats::default();
    let mut connection: Option<Connection> = None;
    while Instant::now() < burst.deadline {
        let Some(&index) = burst.plan.get(burst.next.fetch_add(1, Ordering::Relaxed)) else {
            break;
        };
        let request = &burst.requests[index];
        stats.sent += 1;
        if request.delivery == Delivery::HalfThenClose {
            let sent = timeout(REQUEST_TIMEOUT, async {
                let mut fresh = Connection::open(port).await?;
                request.send(&mut fresh).await
            })
            .await;
            match sent {
                Ok(Ok(_)) => stats.half_sent += 1,
                Ok(Err(e)) => stats.connection_error(request, &e),
                Err(_) => stats.timeouts += 1,
            }
            continue;
        }
        for attempt in 0..2 {
            let fresh = connection.is_none();
            if fresh {
                match timeout(REQUEST_TIMEOUT, Connection::open(port)).await {
                    Ok(Ok(opened)) => connection = Some(opened),
                    Ok(Err(e)) => {
                        stats.connection_error(request, &e);
                        break;
                    }
                    Err(_) => {
                        stats.timeouts += 1;
                        break;
                    }
                }
                stats.connects += 1;
            }
            let open = connection.as_mut().expect("a connection");
            let clock = Instant::now();
            match timeout(REQUEST_TIMEOUT, request.send(open)).await {
                Ok(Ok(answer)) => {
                    if answer.as_ref().is_none_or(|a| a.close) || request.closes {
                        connection = None;
                    }
                    stats.record(&burst.target, request, answer.as_ref(), clock.elapsed());
                }
                Ok(Err(e)) => {
                    connection = None;
                    let stale = matches!(
                        e.kind(),
                        std::io::ErrorKind::ConnectionAborted | std::io::ErrorKind::BrokenPipe
                    );
                    if stale && !fresh && attempt == 0 {
                        // sftoken closed an idle keep-alive connection
                        // before this request: legal HTTP; once more, anew.
                        stats.stale_retries += 1;
                        continue;
                    }
                    stats.connection_error(request, &e);
                }
                Err(_) => {
                    connection = None;
                    stats.timeouts += 1;
                }
            }
            break;
        }
    }
    stats
}

/// What a burst saw, per connection and then merged.
#[derive(Default)]
struct Stats {
    sent: usize,
    half_sent: usize,
    connects: usize,
    stale_retries: usize,
    timeouts: usize,
    by_status: BTreeMap<u16, usize>,
    /// Per kind: statuses seen, and latencies.
    by_kind: BTreeMap<&'static str, (BTreeMap<u16, usize>, Vec<Duration>)>,
    latencies: Vec<Duration>,
    trickled: Vec<Duration>,
    unexpected: BTreeMap<String, usize>,
    failed_checks: BTreeMap<String, usize>,
    connection_errors: BTreeMap<String, usize>,
}

impl Stats {
    fn record(
        &mut self,
        target: &Target,
        request: &Request,
        answer: Option<&Response>,
        took: Duration,
    ) {
        let Some(answer) = answer else {
            return;
        };
        *self.by_status.entry(answer.status).or_default() += 1;
        let (statuses, latencies) = self.by_kind.entry(request.kind).or_default();
        *statuses.entry(answer.status).or_default() += 1;
        if request.delivery == Delivery::Trickled {
            self.trickled.push(took);
        } else {
            latencies.push(took);
            self.latencies.push(took);
        }
        if Some(answer.status) != request.expect {
            let key = format!("{}: {} -> {}", request.kind, request.what, answer.status);
            *self.unexpected.entry(key).or_default() += 1;
        } else if let Err(problem) = request.verify(target, Some(answer)) {
            *self.failed_checks.entry(problem).or_default() += 1;
        }
    }

    fn connection_error(&mut self, request: &Request, error: &std::io::Error) {
        let key = format!("{}: {} ({:?})", request.kind, request.what, error.kind());
        *self.connection_errors.entry(key).or_default() += 1;
    }

    fn merge(&mut self, other: Stats) {
        self.sent += other.sent;
        self.half_sent += other.half_sent;
        self.connects += other.connects;
        self.stale_retries += other.stale_retries;
        self.timeouts += other.timeouts;
        self.latencies.extend(other.latencies);
        self.trickled.extend(other.trickled);
        for (status, n) in other.by_status {
            *self.by_status.entry(status).or_default() += n;
        }
        for (kind, (statuses, latencies)) in other.by_kind {
            let (mine, my_latencies) = self.by_kind.entry(kind).or_default();
            for (status, n) in statuses {
                *mine.entry(status).or_default() += n;
            }
            my_latencies.extend(latencies);
        }
        for (mine, theirs) in [
            (&mut self.unexpected, other.unexpected),
            (&mut self.failed_checks, other.failed_checks),
            (&mut self.connection_errors, other.connection_errors),
        ] {
            for (key, n) in theirs {
                *mine.entry(key).or_default() += n;
            }
        }
    }

    fn unexpected(&self) -> usize {
        self.unexpected.values().sum()
    }

    fn failed_checks(&self) -> usize {
        self.failed_checks.values().sum()
    }

    fn errors(&self) -> usize {
        self.connection_errors.values().sum::<usize>() + self.timeouts
    }

    fn print(&self, total: usize, connections: usize, elapsed: Duration) {
        let answered: usize = self.by_status.values().sum();
        let statuses: Vec<String> = self
            .by_status
            .iter()
            .map(|(s, n)| format!("{s}: {n}"))
            .collect();
        let seconds = elapsed.as_secs_f64();
        let max = self.latencies.iter().max().copied().unwrap_or_default();
        println!();
        println!("| load: {total} requests over {connections} connections | value |");
        println!("|---|---|");
        println!(
            "| requests sent | {} in {seconds:.2} s ({:.0} requests/s); {answered} answered, {} half-sent and closed on purpose |",
            self.sent,
            self.sent as f64 / seconds,
            self.half_sent
        );
        println!("| responses by status | {} |", statuses.join(", "));
        println!("| unexpected statuses | {} |", self.unexpected());
        println!(
            "| failed checks (content, no-store and CSP headers) | {} |",
            self.failed_checks()
        );
        println!(
            "| connection errors / timeouts | {} / {} |",
            self.errors() - self.timeouts,
            self.timeouts
        );
        println!(
            "| keep-alive connections closed by sftoken (retried) | {} |",
            self.stale_retries
        );
        println!("| TCP connections opened | {} |", self.connects);
        if !self.latencies.is_empty() {
            println!(
                "| latency p50 / p99 / max | {:.2} / {:.2} / {:.2} ms |",
                percentile_ms(&self.latencies, 50),
                percentile_ms(&self.latencies, 99),
                max.as_secs_f64() * 1000.0
            );
        }
        if let Some(slowest) = self.trickled.iter().max() {
            println!(
                "| trickled requests (n, max; {:.1} s of trickling included) | {}, {:.0} ms |",
                (hostile::TRICKLE_PAUSE * (hostile::TRICKLE_PIECES as u32 - 1)).as_secs_f64(),
                self.trickled.len(),
                slowest.as_secs_f64() * 1000.0
            );
        }
    }

    fn print_kinds(&self) {
        println!("| kind | n | statuses | p50 ms | p99 ms |");
        println!("|---|---|---|---|---|");
        for (kind, (statuses, latencies)) in &self.by_kind {
            let n: usize = statuses.values().sum();
            let statuses: Vec<String> = statuses.iter().map(|(s, n)| format!("{s}: {n}")).collect();
            let (p50, p99) = if latencies.is_empty() {
                ("-".to_owned(), "-".to_owned())
            } else {
                (
                    format!("{:.2}", percentile_ms(latencies, 50)),
                    format!("{:.2}", percentile_ms(latencies, 99)),
                )
            };
            println!("| {kind} | {n} | {} | {p50} | {p99} |", statuses.join(", "));
        }
        if self.half_sent > 0 {
            println!(
                "| half-sent request | {} | (no answer read) | - | - |",
                self.half_sent
            );
        }
    }
}
