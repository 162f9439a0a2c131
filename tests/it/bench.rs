//! Benchmarks, run by hand (not timed in CI):
//!
//! ```sh
//! cargo test --release --test it -- --ignored --nocapture bench_
//! ```

use std::time::{Duration, Instant};

use reqwest::StatusCode;

use crate::helpers::{Binary, DEADLINE, Visitor, app_and_mock, location, mock_for_port};
use crate::mock_salesforce::{MockOptions, MockSalesforce};

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
        let mock_url = mock.url();
        let client_id = mock.options().client_id.clone();
        let started = Instant::now();
        let mut binary = Binary::spawn_program(
            "/usr/bin/time",
            &[
                "-f",
                "peak_rss_kib=%M",
                env!("CARGO_BIN_EXE_sftoken"),
                "check",
                "--login-url",
                &mock_url,
                "--client-id",
                &client_id,
            ],
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
            .unwrap_or("?");
        let active = binary
            .stdout()
            .lines()
            .find(|l| l.contains("Active users"))
            .unwrap_or_default()
            .to_owned();
        println!(
            "bench_preview users={users} wall={:.2}s peak_rss={rss} KiB\n  {active}",
            elapsed.as_secs_f64()
        );
    }
}

/// Nearest-rank percentile `p` (0–100) of `samples`, in milliseconds.
fn percentile_ms(samples: &[Duration], p: usize) -> f64 {
    let mut sorted = samples.to_vec();
    sorted.sort();
    let rank = (sorted.len() * p).div_ceil(100).max(1);
    sorted[rank - 1].as_secs_f64() * 1000.0
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
    /// JSON: the result page, its CSS and JS (the server says `no-store`, so
    /// they are fetched every time) and `/api/session`; then the JSON.
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
        for path in [result_path.as_str(), "/assets/app.css", "/assets/app.js"] {
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
    let (app, mock) = app_and_mock(MockOptions::default()).await;
    let visitor = Visitor::launch(&app.launch_url).await;
    run_sign_ins("bench_capture_latency", &visitor, &mock).await;
    app.stop().await;
}

/// `VmRSS` and `VmHWM` of a process, in KiB.
fn rss_kib(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("/proc status");
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("a kB field in /proc status")
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// The real binary (the release one under `cargo test --release`, or the one
/// named by `SFTOKEN_BENCH_BIN`): resident memory idle, after one complete
/// capture (checks finished), and after 101 more; and the same latencies as
/// `bench_capture_latency`, measured from this separate process.
#[tokio::test]
#[ignore = "benchmark: run by hand with --ignored --nocapture"]
async fn bench_binary_memory_and_latency() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let mock = mock_for_port(port, MockOptions::default()).await;
    let port_arg = port.to_string();
    let mock_url = mock.url();
    // scripts/bench passes the binary `cargo build --release` made: the one
    // cargo test builds may differ (dev-dependencies unify features).
    let program = std::env::var("SFTOKEN_BENCH_BIN")
        .unwrap_or_else(|_| env!("CARGO_BIN_EXE_sftoken").to_owned());
    // `sh` prints its pid, then becomes sftoken with `exec`: same pid.
    let binary = Binary::spawn_program(
        "/bin/sh",
        &[
            "-c",
            "echo \"bench_pid=$$\" >&2; exec \"$0\" \"$@\"",
            &program,
            "--no-browser",
            "--port",
            &port_arg,
            "--login-url",
            &mock_url,
        ],
        &[],
        &[],
        None,
    );
    let launch_url = binary.launch_url().await;
    let pid: u32 = binary
        .stderr()
        .lines()
        .find_map(|l| l.strip_prefix("bench_pid="))
        .and_then(|p| p.parse().ok())
        .expect("the pid line");
    tokio::time::sleep(Duration::from_secs(1)).await;
    let (idle_rss, _) = rss_kib(pid);

    let visitor = Visitor::launch(&launch_url).await;
    let secret = mock.options().client_secret.clone();
    let sign_in = visitor.sign_in(&mock, &secret, "allow").await;
    assert_eq!(sign_in.result["checks"]["done"], true, "{}", sign_in.result);
    let (capture_rss, capture_hwm) = rss_kib(pid);

    run_sign_ins("bench_binary_latency", &visitor, &mock).await;
    let (many_rss, many_hwm) = rss_kib(pid);
    let more = 2 * SIGN_INS + 1;
    println!(
        "bench_binary_memory pid={pid} idle_rss_kib={idle_rss} capture_rss_kib={capture_rss} \
         capture_hwm_kib={capture_hwm} after_{more}_more_rss_kib={many_rss} \
         after_{more}_more_hwm_kib={many_hwm}"
    );
    drop(binary);
}
