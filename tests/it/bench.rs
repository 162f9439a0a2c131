//! Benchmarks, run by hand (not timed in CI); `scripts/bench` runs them all
//! and prints one table:
//!
//! ```sh
//! cargo test --release --test it -- --ignored --nocapture --test-threads=1 bench_
//! ```
//!
//! Each prints one machine-readable line, `bench_name key=value …`. They run
//! the binary `cargo test` built, or the one named by `SFTOKEN_TEST_BINARY`
//! (scripts/bench passes the one `cargo build --release` made: `cargo test`
//! may link another, as dev-dependencies unify features). All traffic stays
//! on loopback.

use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use reqwest::StatusCode;

use crate::helpers::{
    Binary, DEADLINE, Visitor, free_port, location, memory, mock_for_port, page_and_mock, port_of,
    sftoken_program,
};
use crate::mock_salesforce::{MockOptions, MockSalesforce};
use crate::raw_http::{self, Connection, Response};
use sftoken::web::{ASSETS, SESSION_HEADER};

/// The measured binary, serving the page on a free port; the page may sign
/// in at the mock on loopback.
fn serving_on_a_free_port() -> Binary {
    let port = free_port().to_string();
    Binary::spawn_program(
        &sftoken_program(),
        &["--no-browser", "--port", &port, "--allow-any-login-url"],
        &[],
        &[],
        None,
    )
}

/// Nearest-rank percentile `p` (0–100) of `samples`, in milliseconds.
pub fn percentile_ms(samples: &[Duration], p: usize) -> f64 {
    let mut sorted = samples.to_vec();
    sorted.sort();
    let rank = (sorted.len() * p).div_ceil(100).max(1);
    sorted[rank - 1].as_secs_f64() * 1000.0
}

/// Idle memory is read this long after start.
const IDLE: Duration = Duration::from_secs(1);

/// Exec → listening: from spawning `sftoken --no-browser --port P` (P free) to
/// the first accepted TCP connect on 127.0.0.1:P, `SFTOKEN_BENCH_RUNS` runs
/// (default 30); and VmRSS one second after start, median of the first 5
/// runs. With `SFTOKEN_BENCH_PEER` (a command line, e.g. `rclone authorize
/// drive --auth-no-open-browser`) and `SFTOKEN_BENCH_PEER_PORT` (the port it
/// always listens on, 53682 for rclone), the same for that peer, alternating.
#[tokio::test]
#[ignore = "benchmark: run by hand with --ignored --nocapture"]
async fn bench_start_up_to_listening() {
    let runs: usize = std::env::var("SFTOKEN_BENCH_RUNS")
        .map(|n| n.parse().expect("SFTOKEN_BENCH_RUNS is a number"))
        .unwrap_or(30);
    let sftoken = sftoken_program();
    let peer: Option<(Vec<String>, u16)> = std::env::var("SFTOKEN_BENCH_PEER").ok().map(|line| {
        let port = std::env::var("SFTOKEN_BENCH_PEER_PORT")
            .ok()
            .and_then(|p| p.parse().ok())
            .expect("SFTOKEN_BENCH_PEER_PORT: the port the peer listens on");
        (line.split_whitespace().map(str::to_owned).collect(), port)
    });
    let config =
        std::env::temp_dir().join(format!("sftoken-bench-{}-none.conf", std::process::id()));
    let mut times: [Vec<Duration>; 2] = [Vec::new(), Vec::new()];
    let mut idle: [Vec<u64>; 2] = [Vec::new(), Vec::new()];
    let mut peer_failed = None;
    for run in 0..runs {
        let order = if run % 2 == 0 { [0, 1] } else { [1, 0] };
        for tool in order {
            let (command, port) = match (tool, &peer) {
                (0, _) => {
                    let port = free_port();
                    let args = ["--no-browser", "--port", &port.to_string()].map(str::to_owned);
                    ([vec![sftoken.clone()], args.to_vec()].concat(), port)
                }
                (_, Some((command, port))) if peer_failed.is_none() => (command.clone(), *port),
                _ => continue,
            };
            let measured = start_and_probe(&command, port, run < 5, &config).await;
            match measured {
                Ok((took, rss)) => {
                    times[tool].push(took);
                    idle[tool].extend(rss);
                }
                Err(e) if tool == 0 => panic!("sftoken: {e}"),
                Err(e) => peer_failed = Some(e),
            }
        }
    }
    let mut spawn_true = Vec::new();
    for _ in 0..20 {
        let clock = Instant::now();
        Command::new("/bin/true").status().expect("/bin/true");
        spawn_true.push(clock.elapsed());
    }
    let mut line = format!("bench_start_up runs={runs}");
    let peer_name = peer.as_ref().map(|(command, _)| {
        let program = std::path::Path::new(&command[0]);
        program
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned()
    });
    for (tool, name) in [
        (0, "sftoken".to_owned()),
        (1, peer_name.clone().unwrap_or_default()),
    ] {
        if times[tool].is_empty() {
            continue;
        }
        idle[tool].sort_unstable();
        let min = times[tool].iter().min().copied().unwrap_or_default();
        line.push_str(&format!(
            " {name}_listen_ms_median={:.2} {name}_listen_ms_p90={:.2} {name}_listen_ms_min={:.2} \
             {name}_idle_rss_kib={}",
            percentile_ms(&times[tool], 50),
            percentile_ms(&times[tool], 90),
            min.as_secs_f64() * 1000.0,
            idle[tool][(idle[tool].len() - 1) / 2],
        ));
    }
    line.push_str(&format!(
        " spawn_true_ms_median={:.2}",
        percentile_ms(&spawn_true, 50)
    ));
    println!("{line}");
    if let (Some(name), Some(reason)) = (peer_name, peer_failed) {
        println!("bench_start_up_peer_failed {name}: {reason}");
    }
}

/// Starts `command`, times it until 127.0.0.1:`port` accepts a connection,
/// reads its VmRSS one second after start if `rss`, and kills it.
async fn start_and_probe(
    command: &[String],
    port: u16,
    rss: bool,
    config: &std::path::Path,
) -> Result<(Duration, Option<u64>), String> {
    // The last run's port (a peer's fixed one) may still be held.
    let free_by = Instant::now() + Duration::from_secs(90);
    while std::net::TcpListener::bind(("127.0.0.1", port)).is_err() {
        if Instant::now() > free_by {
            return Err(format!("port {port} stayed busy"));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let address = SocketAddr::from(([127, 0, 0, 1], port));
    let mut spawn = Command::new(&command[0]);
    for (name, _) in std::env::vars() {
        if name.starts_with("SFTOKEN_") || name.starts_with("RCLONE_") || name == "RUST_LOG" {
            spawn.env_remove(name);
        }
    }
    // rclone: a config file that does not exist, so no real one is read or written.
    spawn.env("RCLONE_CONFIG", config);
    spawn
        .args(&command[1..])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let clock = Instant::now();
    let mut child = spawn.spawn().map_err(|e| format!("{}: {e}", command[0]))?;
    let result = async {
        loop {
            if probe(address).await {
                return Ok(clock.elapsed());
            }
            // Give the core back at once if the child is waiting for it.
            std::thread::yield_now();
            if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
                let mut stderr = String::new();
                if let Some(mut pipe) = child.stderr.take() {
                    let _ = std::io::Read::read_to_string(&mut pipe, &mut stderr);
                }
                return Err(format!("exited ({status}) before listening: {stderr}"));
            }
            if clock.elapsed() > Duration::from_secs(10) {
                return Err("not listening after 10 s".to_owned());
            }
        }
    }
    .await;
    let rss = match (&result, rss) {
        (Ok(_), true) => {
            tokio::time::sleep(IDLE.saturating_sub(clock.elapsed())).await;
            Some(memory(child.id()).rss_kib)
        }
        _ => None,
    };
    let _ = child.kill();
    let _ = child.wait();
    result.map(|took| (took, rss))
}

/// Whether `address` accepts a connection. The probe connects from
/// 127.0.0.2: from 127.0.0.1, a connect to a port in the ephemeral range that
/// nothing listens on yet can pick that same port as its source and connect
/// to itself (TCP simultaneous open), which fakes a listener and then holds
/// the port.
async fn probe(address: SocketAddr) -> bool {
    let Ok(socket) = tokio::net::TcpSocket::new_v4() else {
        return false;
    };
    socket.bind(SocketAddr::from(([127, 0, 0, 2], 0))).is_ok()
        && socket.connect(address).await.is_ok()
}

/// The page as a browser loads it: GET / (gzip accepted), then every asset
/// of the table in `web/pages.rs` (the HTML names only the stylesheet and the
/// entry module, which imports the others); bytes on the wire, bodies and
/// uncompressed; and anything loaded from another host (the static files
/// themselves are checked by
/// `security::the_page_loads_nothing_from_other_hosts_and_has_no_inline_script`).
#[tokio::test]
#[ignore = "benchmark: run by hand with --ignored --nocapture"]
async fn bench_page_weight() {
    let binary = serving_on_a_free_port();
    let port = port_of(&binary.launch_url().await);
    let page = fetch(port, "/", true).await;
    assert_eq!(page.status, 200, "GET /");
    let html = fetch(port, "/", false).await.text();
    let mut fetched = vec![("/".to_owned(), page, html.len())];
    let mut external = Vec::new();
    for resource in loaded_resources(&html) {
        if resource.starts_with("data:") {
            continue;
        }
        if is_absolute(&resource) {
            external.push(resource);
            continue;
        }
        assert!(
            ASSETS.iter().any(|asset| asset.path == resource),
            "the page loads {resource}, which is not in the asset table"
        );
    }
    for asset in ASSETS {
        let answer = fetch(port, asset.path, true).await;
        assert_eq!(answer.status, 200, "GET {}", asset.path);
        let plain = fetch(port, asset.path, false).await;
        for call in external_calls(&plain.text()) {
            external.push(format!("{}: {call}", asset.path));
        }
        fetched.push((asset.path.to_owned(), answer, plain.body.len()));
    }
    let csp = fetched[0]
        .1
        .header("content-security-policy")
        .unwrap_or_default();
    let csp_self = csp.contains("default-src 'self'") && !csp.contains("http");
    let sum =
        |bytes: fn(&(String, Response, usize)) -> usize| fetched.iter().map(bytes).sum::<usize>();
    let mut encodings: Vec<&str> = fetched
        .iter()
        .map(|(_, answer, _)| answer.header("content-encoding").unwrap_or("none"))
        .collect();
    encodings.sort_unstable();
    encodings.dedup();
    let paths: Vec<&str> = fetched.iter().map(|(path, _, _)| path.as_str()).collect();
    println!(
        "bench_page requests={} paths={} wire_bytes={} body_bytes={} plain_bytes={} encodings={} \
         external={} csp_self={} icon_link={}",
        fetched.len(),
        paths.join(","),
        sum(|(_, answer, _)| answer.wire_bytes),
        sum(|(_, answer, _)| answer.body.len()),
        sum(|(_, _, plain)| *plain),
        encodings.join(","),
        external.len(),
        if csp_self { "yes" } else { "no" },
        // Without one, the browser also asks for /favicon.ico.
        if html.contains("rel=\"icon\"") {
            "yes"
        } else {
            "no"
        },
    );
    for resource in &external {
        println!("  loaded from another host: {resource}");
    }
}

/// GET `path` on a new connection, with a browser's `Accept-Encoding`
/// (`compressed`) or asking for `identity`.
async fn fetch(port: u16, path: &str, compressed: bool) -> Response {
    let host = format!("localhost:{port}");
    let encoding = if compressed {
        "gzip, deflate, br, zstd"
    } else {
        "identity"
    };
    let headers = [
        ("Accept", "*/*"),
        ("Accept-Encoding", encoding),
        ("Connection", "close"),
    ];
    let request = raw_http::request("GET", path, Some(&host), &headers, b"");
    let mut connection = Connection::open(port).await.expect("connect");
    connection.send(&request).await.expect("GET")
}

/// What the HTML makes a browser fetch (not links): the values of `link
/// href`, `script src`, `img src` and the like.
fn loaded_resources(html: &str) -> Vec<String> {
    const LOADS: &[(&str, &str)] = &[
        ("link", "href"),
        ("script", "src"),
        ("img", "src"),
        ("img", "srcset"),
        ("iframe", "src"),
        ("source", "src"),
        ("source", "srcset"),
        ("video", "src"),
        ("video", "poster"),
        ("audio", "src"),
        ("embed", "src"),
        ("object", "data"),
        ("input", "src"),
        ("track", "src"),
        ("frame", "src"),
    ];
    let mut found = Vec::new();
    for tag in html.split('<').skip(1) {
        let tag = tag.split('>').next().unwrap_or_default();
        let name: String = tag
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect();
        let name = name.to_ascii_lowercase();
        for (attribute, value) in attributes(&tag[name.len()..]) {
            if LOADS.contains(&(name.as_str(), attribute.as_str())) && !value.is_empty() {
                found.push(value);
            }
        }
    }
    found
}

/// `name="value"`, `name='value'`, `name=value` and bare names of one tag.
fn attributes(mut text: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    loop {
        text = text.trim_start_matches(|c: char| c.is_whitespace() || c == '/');
        let name_end = text
            .find(|c: char| c.is_whitespace() || c == '=' || c == '/')
            .unwrap_or(text.len());
        if name_end == 0 {
            return found;
        }
        let name = text[..name_end].to_ascii_lowercase();
        text = text[name_end..].trim_start();
        let Some(rest) = text.strip_prefix('=') else {
            found.push((name, String::new()));
            continue;
        };
        let rest = rest.trim_start();
        let (value, after) = match rest.chars().next() {
            Some(quote @ ('"' | '\'')) => {
                let end = rest[1..].find(quote).map_or(rest.len(), |at| at + 1);
                (&rest[1..end], rest.get(end + 1..).unwrap_or_default())
            }
            _ => rest.split_at(rest.find(char::is_whitespace).unwrap_or(rest.len())),
        };
        found.push((name, value.to_owned()));
        text = after;
    }
}

/// `//host/…` or `scheme://…`.
fn is_absolute(url: &str) -> bool {
    url.starts_with("//")
        || url.split_once(':').is_some_and(|(scheme, rest)| {
            scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c))
                && rest.starts_with("//")
        })
}

/// Absolute URLs a stylesheet or script would fetch: CSS `url(…)` and
/// `@import`, and JS `fetch`, `import`, `WebSocket`, `EventSource`, `Worker`,
/// `sendBeacon` and `importScripts` called with a literal absolute URL.
fn external_calls(text: &str) -> Vec<String> {
    const CALLS: &[&str] = &[
        "url(",
        "@import",
        "fetch(",
        "import(",
        "WebSocket(",
        "EventSource(",
        "Worker(",
        "sendBeacon(",
        "importScripts(",
    ];
    let mut found = Vec::new();
    for call in CALLS {
        for (at, _) in text.match_indices(call) {
            let argument = text[at + call.len()..]
                .trim_start_matches(|c: char| c.is_whitespace() || "('\"`".contains(c));
            let url: String = argument
                .chars()
                .take_while(|c| !"'\"`) \n".contains(*c))
                .collect();
            if is_absolute(&url) {
                found.push(format!("{call} {url}"));
            }
        }
    }
    found
}

/// `sftoken check` previews a 100,000-user org: wall time, and the peak memory
/// of the sftoken process alone (from `/usr/bin/time`), which must stay flat
/// because users are counted page by page and never kept.
#[tokio::test]
#[ignore = "benchmark: run by hand with --ignored --nocapture"]
async fn bench_preview_of_a_100000_user_org() {
    for users in [1_000, 100_000] {
        let (mock, token) = crate::helpers::mock_with_token(MockOptions {
            users,
            ..MockOptions::default()
        })
        .await;
        let secret = mock.options().client_secret.clone();
        let mut args = vec![
            "-f".to_owned(),
            "peak_rss_kib=%M".to_owned(),
            sftoken_program(),
        ];
        args.extend(crate::helpers::check_args(&mock));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let started = Instant::now();
        let mut binary = Binary::spawn_program(
            "/usr/bin/time",
            &args,
            &[
                ("SFTOKEN_CLIENT_SECRET", &secret),
                ("SFTOKEN_REFRESH_TOKEN", &token),
            ],
            &[],
            None,
        );
        assert_eq!(binary.wait().await, 0, "{}", binary.stderr());
        let elapsed = started.elapsed();
        let stderr = binary.stderr();
        let rss = stderr
            .lines()
            .find_map(|l| l.strip_prefix("peak_rss_kib="))
            .expect("/usr/bin/time's peak_rss_kib line");
        let stdout = binary.stdout();
        let active = stdout
            .lines()
            .find(|l| l.contains("Active users"))
            .expect("the Active users line");
        println!(
            "bench_preview users={users} wall_s={:.2} peak_rss_kib={rss}\n  {}",
            elapsed.as_secs_f64(),
            active.trim()
        );
    }
}

/// One sign-in's timings, as the page sees them.
#[derive(Clone, Copy)]
enum Timing {
    /// GET /callback (its 303) and then at once the first `/api/login/{id}`
    /// JSON, which carries the settings and Copy all; and from that JSON
    /// until `/api/login/{id}` says `checks.done`.
    Direct {
        callback_to_settings: Duration,
        copy_all_to_checks_done: Duration,
    },
    /// GET /callback, then what a browser fetches before it asks for the
    /// JSON: the result page, its CSS and every JS module (the server says
    /// `no-store`, so they are fetched every time) and `/api/session`; then
    /// the JSON.
    WithPage { callback_to_settings: Duration },
}

/// One sign-in against `mock`, timed from Salesforce's redirect back.
async fn timed_sign_in(visitor: &Visitor, mock: &MockSalesforce, with_page: bool) -> Timing {
    let secret = mock.options().client_secret.clone();
    let authorize_url = visitor.authorize_url(mock, &secret).await;
    let callback_url = visitor.consent(&authorize_url, "allow").await;

    let started = Instant::now();
    let answer = visitor.get(&callback_url).await;
    assert_eq!(answer.status(), StatusCode::SEE_OTHER, "callback redirects");
    let result_path = location(&answer);
    drop(answer);
    if with_page {
        let assets = ASSETS.iter().map(|asset| asset.path);
        for path in std::iter::once(result_path.as_str()).chain(assets) {
            let response = visitor.get(path).await;
            assert_eq!(response.status(), StatusCode::OK, "GET {path}");
            response.bytes().await.expect("body");
        }
        visitor.get_json("/api/session").await;
    }
    let id = result_path
        .strip_prefix("/result/")
        .expect("callback redirects to a result page");
    let status_path = format!("/api/login/{id}");
    let mut result = visitor.get_json(&status_path).await;
    let ready = Instant::now();
    assert_eq!(result["status"], "captured", "{result}");
    assert!(
        result["copy_all"].is_string(),
        "Copy all is ready: {result}"
    );

    // Poll every millisecond (the page polls less often; this measures the
    // checks, not the page's polling interval).
    while result["checks"]["done"] != true {
        assert!(
            ready.elapsed() < DEADLINE,
            "checks did not finish: {result}"
        );
        tokio::time::sleep(Duration::from_millis(1)).await;
        result = visitor.get_json(&status_path).await;
    }
    if with_page {
        Timing::WithPage {
            callback_to_settings: ready - started,
        }
    } else {
        Timing::Direct {
            callback_to_settings: ready - started,
            copy_all_to_checks_done: ready.elapsed(),
        }
    }
}

/// `SIGN_INS` sign-ins of each kind, alternating, after one warm-up; prints
/// one machine-readable line: `name n=… key_ms_median=… key_ms_p90=…`.
async fn run_sign_ins(name: &str, visitor: &Visitor, mock: &MockSalesforce) {
    timed_sign_in(visitor, mock, true).await;
    let mut direct = Vec::with_capacity(SIGN_INS);
    let mut checks = Vec::with_capacity(SIGN_INS);
    let mut with_page = Vec::with_capacity(SIGN_INS);
    for _ in 0..SIGN_INS {
        for page in [false, true] {
            match timed_sign_in(visitor, mock, page).await {
                Timing::Direct {
                    callback_to_settings,
                    copy_all_to_checks_done,
                } => {
                    direct.push(callback_to_settings);
                    checks.push(copy_all_to_checks_done);
                }
                Timing::WithPage {
                    callback_to_settings,
                } => with_page.push(callback_to_settings),
            }
        }
    }
    let mut line = format!("{name} n={SIGN_INS}");
    for (key, samples) in [
        ("callback_to_settings", &direct),
        ("callback_to_settings_with_page", &with_page),
        ("copy_all_to_checks_done", &checks),
    ] {
        line.push_str(&format!(
            " {key}_ms_median={:.3} {key}_ms_p90={:.3}",
            percentile_ms(samples, 50),
            percentile_ms(samples, 90)
        ));
    }
    println!("{line}");
}

/// How many timed sign-ins of each kind a latency benchmark runs.
const SIGN_INS: usize = 50;

/// Callback → settings and Copy all → checks done, for 2 × 50 sign-ins (after
/// one warm-up) against an in-process sftoken and the mock (client, app and mock
/// share one thread, like the binary's single-threaded runtime; the figures
/// include the client's work).
#[tokio::test]
#[ignore = "benchmark: run by hand with --ignored --nocapture"]
async fn bench_capture_latency() {
    let (app, mock, visitor) = page_and_mock(MockOptions::default()).await;
    run_sign_ins("bench_capture_latency", &visitor, &mock).await;
    app.stop().await;
}

/// The real binary: resident memory idle (one second after start), after
/// one complete capture (checks finished), and after 101 more; and the same
/// latencies as `bench_capture_latency`, measured from this separate process.
#[tokio::test]
#[ignore = "benchmark: run by hand with --ignored --nocapture"]
async fn bench_binary_memory_and_latency() {
    let started = Instant::now();
    let binary = serving_on_a_free_port();
    let launch_url = binary.launch_url().await;
    let mock = mock_for_port(port_of(&launch_url), MockOptions::default()).await;
    let pid = binary.pid();
    tokio::time::sleep(IDLE.saturating_sub(started.elapsed())).await;
    let idle = memory(pid);

    let visitor = Visitor::launch(&launch_url).await;
    // The page open from here on: the one request it holds (`web::alive`),
    // asked again whenever it is answered.
    let page = {
        let request = visitor
            .http
            .get(visitor.url("/api/alive"))
            .header(SESSION_HEADER, visitor.session.clone().expect("a key"));
        tokio::spawn(async move {
            while let Some(again) = request.try_clone() {
                let answered = again.send().await.is_ok_and(|r| r.status().is_success());
                assert!(answered, "the page's held request was refused");
            }
        })
    };
    tokio::time::sleep(IDLE).await;
    let with_page = memory(pid);
    let secret = mock.options().client_secret.clone();
    let sign_in = visitor.sign_in(&mock, &secret, "allow").await;
    assert_eq!(sign_in.result["checks"]["done"], true, "{}", sign_in.result);
    let capture = memory(pid);

    run_sign_ins("bench_binary_latency", &visitor, &mock).await;
    let many = memory(pid);
    let more = 2 * SIGN_INS + 1;
    println!(
        "bench_binary_memory pid={pid} idle_rss_kib={} idle_with_page_rss_kib={} \
         capture_rss_kib={} capture_hwm_kib={} \
         after_{more}_more_rss_kib={} after_{more}_more_hwm_kib={}",
        idle.rss_kib,
        with_page.rss_kib,
        capture.rss_kib,
        capture.hwm_kib,
        many.rss_kib,
        many.hwm_kib
    );
    page.abort();
    drop(binary);
}
