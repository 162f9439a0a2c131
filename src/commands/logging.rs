//! What sftoken writes to standard error besides its own sentences. By
//! default, only warnings and errors, each as one plain line ("warning: …",
//! made one line by `plain_text::one_line`, as they may quote Salesforce);
//! with `-v` or `RUST_LOG`, tracing's full log (times, levels, spans, fields).
//! Colour only on a terminal, and never with `NO_COLOR` (<https://no-color.org>).

use std::fmt::Write as _;
use std::io::IsTerminal;

use tracing::field::{Field, Visit};
use tracing::level_filters::LevelFilter;
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::filter::Targets;
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::util::SubscriberInitExt;

use crate::plain_text::one_line;

/// Sets up logging: `verbose` counts `-v` flags; `RUST_LOG`, when set,
/// non-empty and valid, chooses what is logged.
pub fn init_logging(verbose: u8) {
    let colour = colour_on_stderr();
    let chosen = std::env::var("RUST_LOG")
        .ok()
        .filter(|directives| !directives.trim().is_empty())
        .and_then(|directives| targets(&directives));
    let layer = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(colour);
    let registry = tracing_subscriber::registry();
    match (chosen, verbose) {
        (None, 0) => registry
            .with(layer.event_format(Plain))
            .with(Targets::new().with_target("sftoken", Level::WARN))
            .init(),
        (chosen, verbose) => registry
            .with(layer)
            .with(chosen.unwrap_or_else(|| {
                let level = if verbose > 1 {
                    Level::TRACE
                } else {
                    Level::DEBUG
                };
                Targets::new().with_target("sftoken", level)
            }))
            .init(),
    }
}

/// `RUST_LOG`'s target and level directives, read as tracing's `EnvFilter`
/// reads them: `info`, `sftoken=debug,hyper=warn`, a bare target for all its
/// levels. Span and field directives (`[span{field=value}]`) make `RUST_LOG`
/// invalid, as a typo does: `EnvFilter` and the regular expressions it
/// matches fields with were 370 KB of the binary and about 0.25 MB of
/// resident memory (docs/BENCHMARKS.md).
fn targets(text: &str) -> Option<Targets> {
    text.split(',')
        .filter(|directive| !directive.is_empty())
        .try_fold(Targets::new(), |targets, directive| {
            let directive = directive.trim();
            let first = directive.chars().next()?;
            let starts_well = first.is_alphanumeric() || matches!(first, '-' | ':' | '_');
            if !starts_well || directive.contains(['[', ']', '{', '}']) {
                return None;
            }
            Some(match directive.split_once('=') {
                Some((target, "")) => targets.with_target(target, LevelFilter::TRACE),
                Some((target, level)) => {
                    targets.with_target(target, level.parse::<LevelFilter>().ok()?)
                }
                None => match directive.parse::<LevelFilter>() {
                    Ok(level) => targets.with_default(level),
                    Err(_) => targets.with_target(directive, LevelFilter::TRACE),
                },
            })
        })
}

/// Colour is for people at a terminal who have not turned it off.
pub(super) fn colour_on_stderr() -> bool {
    std::io::stderr().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|value| value.is_empty())
        && std::env::var_os("TERM").is_none_or(|term| term != "dumb")
}

/// One plain line per event: its level in words and its message, without
/// spans or fields.
struct Plain;

impl<S, N> FormatEvent<S, N> for Plain
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        _context: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> std::fmt::Result {
        let (label, colour) = match *event.metadata().level() {
            Level::ERROR => ("error", "31"),
            Level::WARN => ("warning", "33"),
            _ => ("note", "36"),
        };
        let mut message = Message::default();
        event.record(&mut message);
        if writer.has_ansi_escapes() {
            write!(writer, "\x1b[1;{colour}m{label}:\x1b[0m ")?;
        } else {
            write!(writer, "{label}: ")?;
        }
        writeln!(writer, "{}", one_line(&message.0))
    }
}

/// An event's message, and nothing else.
#[derive(Default)]
struct Message(String);

impl Visit for Message {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.0.push_str(value);
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.0, "{value:?}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The levels `filter` lets through for `target`, most verbose first.
    fn levels(filter: &Targets, target: &str) -> Vec<Level> {
        [
            Level::TRACE,
            Level::DEBUG,
            Level::INFO,
            Level::WARN,
            Level::ERROR,
        ]
        .into_iter()
        .filter(|level| filter.would_enable(target, level))
        .collect()
    }

    #[test]
    fn rust_log_targets_and_levels_are_read_as_env_filter_reads_them() {
        let filter = targets("sftoken=debug, hyper::proto=TRACE,,warn").expect("valid");
        assert_eq!(
            levels(&filter, "sftoken::web"),
            [Level::DEBUG, Level::INFO, Level::WARN, Level::ERROR]
        );
        assert_eq!(levels(&filter, "hyper::proto::h1").len(), 5);
        assert_eq!(levels(&filter, "rustls"), [Level::WARN, Level::ERROR]);
        // A bare target, or one with `=` and no level, is every level of it;
        // a number is a level; the last directive for a target wins.
        for text in [
            "sftoken",
            "sftoken=",
            "sftoken=5",
            "sftoken=off,sftoken=trace",
        ] {
            let filter = targets(text).expect(text);
            assert_eq!(levels(&filter, "sftoken").len(), 5, "{text}");
            assert!(levels(&filter, "hyper").is_empty(), "{text}");
        }
        let off = targets("sftoken=off").expect("valid");
        assert!(levels(&off, "sftoken").is_empty());
    }

    #[test]
    fn span_and_field_directives_and_typos_make_rust_log_invalid() {
        for text in [
            "[request]=debug",
            "sftoken[request]=debug",
            "sftoken[{path=/api}]=trace",
            "sftoken{x}=info",
            "=debug",
            "sftoken=loud",
            "sftoken= debug",
            "sftoken=debug=trace",
            "sftoken=debug, ,warn",
            "/x=debug",
        ] {
            assert!(targets(text).is_none(), "{text}");
        }
    }
}
