//! Progress on a terminal while the checks run: one line, rewritten in
//! place, that names the steps still under way and how long it has taken.
//! Only on a terminal (the caller checks): a log or a pipe gets no `\r`.

use std::io::Write;
use std::time::{Duration, Instant};

use crate::signin::Connection;
use crate::signin::report::{Report, Step};

/// How often the line is rewritten.
const TICK: Duration = Duration::from_millis(150);

/// Runs `checks` and shows what is under way until they finish, then clears
/// the line.
pub(super) async fn while_checking(checks: impl Future<Output = ()>, connection: &Connection) {
    let started = Instant::now();
    let mut checks = std::pin::pin!(checks);
    let mut tick = tokio::time::interval(TICK);
    let mut shown = 0;
    loop {
        tokio::select! {
            () = &mut checks => break,
            _ = tick.tick() => {
                let line = status(&connection.snapshot().report, started.elapsed());
                shown = rewrite(&line, shown);
            }
        }
    }
    rewrite("", shown);
}

/// Writes `line` over the one shown (`shown` characters long); returns its length.
fn rewrite(line: &str, shown: usize) -> usize {
    let length = line.chars().count();
    let mut stderr = std::io::stderr().lock();
    let _ = write!(
        stderr,
        "\r{line}{}\r{line}",
        " ".repeat(shown.saturating_sub(length))
    );
    let _ = stderr.flush();
    length
}

/// "Checking the user, the org and API access (3s)…"
fn status(report: &Report, elapsed: Duration) -> String {
    fn under_way<T>(step: &Step<T>) -> bool {
        matches!(step, Step::Pending | Step::Running { .. })
    }
    let mut steps = Vec::new();
    if under_way(&report.token) {
        steps.push("the refresh token".to_owned());
    } else {
        if under_way(&report.user) {
            steps.push("the user".to_owned());
        }
        if under_way(&report.org) {
            steps.push("the org and API access".to_owned());
        }
        if under_way(&report.licenses) {
            steps.push("licenses".to_owned());
        }
        match report.users {
            Step::Running { pages, records } if pages > 0 => {
                steps.push(format!("active users ({records} in {pages} pages so far)"));
            }
            Step::Pending | Step::Running { .. } => steps.push("active users".to_owned()),
            _ => {}
        }
    }
    format!("Checking {} ({}s)…", steps.join(", "), elapsed.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_names_the_steps_under_way() {
        let mut report = Report::default();
        assert_eq!(
            status(&report, Duration::from_secs(2)),
            "Checking the refresh token (2s)…"
        );
        fn done<T>() -> Step<T> {
            Step::Skipped {
                reason: "done".to_owned(),
            }
        }
        report.token = done();
        report.user = done();
        report.licenses = done();
        report.users = Step::Running {
            pages: 3,
            records: 6000,
        };
        assert_eq!(
            status(&report, Duration::from_secs(12)),
            "Checking the org and API access, active users (6000 in 3 pages so far) (12s)…"
        );
    }
}
