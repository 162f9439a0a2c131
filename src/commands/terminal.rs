//! The terminal: sentences broken at spaces to fit its width, so a narrow
//! window does not cut words in two; the address to open, set apart; and its
//! echo, off while a prompt waits.

use std::io::Write;

/// The width when neither `COLUMNS` nor the terminal tells it.
const DEFAULT_WIDTH: usize = 80;

/// The width to wrap at: `COLUMNS`, else the width of the terminal standard
/// error (then standard output) is on, else 80.
pub(super) fn width() -> usize {
    let columns = std::env::var("COLUMNS")
        .ok()
        .and_then(|columns| columns.trim().parse::<usize>().ok());
    columns
        .or_else(|| terminal_size::terminal_size_of(std::io::stderr()).map(|(w, _)| w.0.into()))
        .or_else(|| terminal_size::terminal_size_of(std::io::stdout()).map(|(w, _)| w.0.into()))
        .filter(|&width| width > 0)
        .unwrap_or(DEFAULT_WIDTH)
}

/// `text` in lines of at most `width` characters, broken at spaces. A word
/// longer than the width (an address) keeps a line of its own, whole.
pub(super) fn wrap(text: &str, width: usize) -> String {
    let mut wrapped = String::with_capacity(text.len() + 8);
    for (i, paragraph) in text.split('\n').enumerate() {
        if i > 0 {
            wrapped.push('\n');
        }
        let mut line_length = 0;
        for word in paragraph.split(' ').filter(|word| !word.is_empty()) {
            let length = word.chars().count();
            if line_length > 0 && line_length + 1 + length > width {
                wrapped.push('\n');
                line_length = 0;
            } else if line_length > 0 {
                wrapped.push(' ');
                line_length += 1;
            }
            wrapped.push_str(word);
            line_length += length;
        }
    }
    wrapped
}

/// Prints `text` on standard error, wrapped to the terminal's width.
pub(super) fn say(text: &str) {
    eprintln!("{}", wrap(text, width()));
}

/// The address to open, alone on its line with a blank line before and
/// after, so it stands out and is never wrapped. The line is the address and
/// nothing else (no indent), as scripts read it (`design.md`'s contract); the
/// blank lines go to standard error, so standard output keeps one address a
/// line. `on_stdout` is false with `--json` and `--print`, whose standard
/// output carries the result alone.
pub(super) fn show_address(url: &str, on_stdout: bool) {
    eprintln!();
    if on_stdout {
        println!("{url}");
        let _ = std::io::stdout().flush();
    } else {
        eprintln!("{url}");
    }
    eprintln!();
}

/// The terminal's own echo, off from before a prompt is printed until its
/// answer is read: rpassword turns it off only after printing the prompt, so
/// what is pasted the instant the prompt appears would be echoed, secrets
/// and all. On Windows, rpassword's own console mode alone.
pub(super) struct EchoOff {
    #[cfg(unix)]
    saved: Option<rustix::termios::Termios>,
}

impl EchoOff {
    pub(super) fn now() -> Self {
        #[cfg(unix)]
        {
            use rustix::termios::{LocalModes, OptionalActions, tcgetattr, tcsetattr};
            let stdin = std::io::stdin();
            let saved = tcgetattr(&stdin).ok().filter(|saved| {
                let mut quiet = saved.clone();
                quiet.local_modes.remove(LocalModes::ECHO);
                tcsetattr(&stdin, OptionalActions::Now, &quiet).is_ok()
            });
            Self { saved }
        }
        #[cfg(not(unix))]
        Self {}
    }
}

impl Drop for EchoOff {
    fn drop(&mut self) {
        #[cfg(unix)]
        if let Some(saved) = &self.saved {
            let _ = rustix::termios::tcsetattr(
                std::io::stdin(),
                rustix::termios::OptionalActions::Now,
                saved,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_break_at_spaces_within_the_width() {
        let text = "Next: follow the page. It lists what the External Client App needs.";

        let wrapped = wrap(text, 20);

        assert_eq!(
            wrapped,
            "Next: follow the\npage. It lists what\nthe External Client\nApp needs."
        );
        assert!(wrapped.lines().all(|line| line.chars().count() <= 20));
    }

    #[test]
    fn a_word_longer_than_the_width_keeps_a_line_of_its_own_whole() {
        let url = "http://localhost:8719/callback";

        let wrapped = wrap(&format!("Its Callback URL is {url} here"), 12);

        assert_eq!(wrapped, format!("Its Callback\nURL is\n{url}\nhere"));
    }

    #[test]
    fn a_line_that_fits_is_left_alone_and_line_breaks_are_kept() {
        assert_eq!(wrap("one two", 7), "one two");
        assert_eq!(wrap("one\ntwo three", 80), "one\ntwo three");
    }
}
