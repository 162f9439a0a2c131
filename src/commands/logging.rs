//! What sftoken writes to standard error besides its own sentences. By
//! default, only warnings and errors, each as one plain line ("warning: …");
//! with `-v` or `RUST_LOG`, tracing's full log (times, levels, spans, fields).
//! Colour only on a terminal, and never with `NO_COLOR` (<https://no-color.org>).

use std::fmt::Write as _;
use std::io::IsTerminal;

use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::registry::LookupSpan;

use super::output::terminal_safe;

/// Sets up logging: `verbose` counts `-v` flags; `RUST_LOG`, when set,
/// non-empty and valid, chooses what is logged.
pub fn init_logging(verbose: u8) {
    let colour = colour_on_stderr();
    let chosen = std::env::var(EnvFilter::DEFAULT_ENV)
        .ok()
        .filter(|directives| !directives.trim().is_empty())
        .and_then(|directives| EnvFilter::try_new(directives).ok());
    let builder = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(colour);
    match (chosen, verbose) {
        (None, 0) => builder
            .with_env_filter(EnvFilter::new("sftoken=warn"))
            .event_format(Plain)
            .init(),
        (chosen, verbose) => builder
            .with_env_filter(chosen.unwrap_or_else(|| {
                EnvFilter::new(if verbose > 1 {
                    "sftoken=trace"
                } else {
                    "sftoken=debug"
                })
            }))
            .init(),
    }
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
        writeln!(writer, "{}", terminal_safe(&message.0))
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
