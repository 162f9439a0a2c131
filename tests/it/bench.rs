//! Benchmarks, run by hand (not timed in CI):
//!
//! ```sh
//! cargo test --release --test it -- --ignored --nocapture bench_
//! ```

use std::time::Instant;

use crate::helpers::Binary;
use crate::mock_salesforce::{MockOptions, MockSalesforce};

/// `sftoken check` previews a 100,000-user org: wall time, and the peak memory
/// of the sftoken process alone (from `/usr/bin/time`), which must stay flat
/// because users are counted page by page and never kept.
#[tokio::test]
#[ignore = "benchmark: run by hand with --ignored --nocapture"]
async fn bench_preview_of_a_100000_user_org() {
    for users in [1_000, 100_000] {
        let callback = "http://localhost:1/callback".to_owned();
        let mock = MockSalesforce::start(MockOptions {
            callback_urls: vec![callback.clone()],
            users,
            ..MockOptions::default()
        })
        .await;
        let tokens = mock.login(&callback).await;
        let token = tokens["refresh_token"].as_str().expect("token").to_owned();
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
