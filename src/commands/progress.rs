//! Progress on a terminal while the checks run: one line, rewritten in
//! place, that names the steps still under way and how long it has taken.
//! Only on a terminal (the caller checks): a log or a pipe gets no `\r`.

use std::io::Write;
use std::time::{Duration, Instant};

use crate::signin::Connection;
use crate::signin::report::{CheckKind, Report, Step};

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
                let line = connection.read(|held| status(&held.report, started.elapsed()));
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

/// "Checking the user, the org and API access (3s)…": the checks under way,
/// or only the first while it runs, since every other check waits for it.
fn status(report: &Report, elapsed: Duration) -> String {
    let mut under_way = report.steps().filter(|(_, step)| step.is_under_way());
    let steps: Vec<String> = match under_way.next() {
        Some((first, _)) if first == CheckKind::ALL[0] => vec![first.under_way().to_owned()],
        first => first
            .into_iter()
            .chain(under_way)
            .map(|(kind, step)| match step {
                Step::Running { pages, records } if *pages > 0 => {
                    format!("{} ({records} in {pages} pages so far)", kind.under_way())
                }
                _ => kind.under_way().to_owned(),
            })
            .collect(),
    };
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
        let done = || Step::Skipped {
            reason: "done".to_owned(),
        };
        report.set(CheckKind::Token, done());
        report.set(CheckKind::User, done());
        report.set(CheckKind::Licenses, done());
        report.set(CheckKind::Approvals, done());
        report.set(CheckKind::AppPolicy, done());
        report.set(
            CheckKind::Users,
            Step::Running {
                pages: 3,
                records: 6000,
            },
        );
        assert_eq!(
            status(&report, Duration::from_secs(12)),
            "Checking the org and API access, the user's permissions, active users (6000 in 3 pages so far) (12s)…"
        );
    }
}
