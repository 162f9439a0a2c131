//! Where the terminal commands read what they are not given. Secrets come
//! from the environment, from standard input, or from a prompt that does not
//! echo; never from arguments, which every local user can read.

use std::io::{BufRead, IsTerminal, Read};

use tokio::sync::mpsc;

use super::Error;

/// The longest line read from standard input; a pasted address is a few
/// hundred bytes.
const MAX_LINE: u64 = 64 * 1024;

/// Where the terminal commands read what they are not given.
pub trait Input {
    /// All of standard input, when it is piped rather than a terminal.
    fn piped_text(&mut self) -> Option<String>;
    /// A line typed at a prompt on a terminal, echoed.
    fn prompt_line(&mut self, question: &str) -> Option<String>;
    /// A line typed at a prompt on a terminal, not echoed.
    fn prompt_secret(&mut self, question: &str) -> Option<String>;
    /// The lines of standard input as they arrive, from a terminal or a
    /// pipe, trimmed, empty ones left out. The channel closes at the end of
    /// input. Nothing waits for the end: a wrapper that keeps its pipe open
    /// gets an answer to each line.
    fn lines(&mut self) -> mpsc::UnboundedReceiver<String>;
}

/// The process's own standard input.
pub struct Stdin;

impl Input for Stdin {
    fn piped_text(&mut self) -> Option<String> {
        let stdin = std::io::stdin();
        if stdin.is_terminal() {
            return None;
        }
        let mut text = String::new();
        // What is pasted is a few hundred bytes; refuse to buffer a flood.
        stdin.lock().take(MAX_LINE).read_to_string(&mut text).ok()?;
        Some(text)
    }

    fn prompt_line(&mut self, question: &str) -> Option<String> {
        if !std::io::stdin().is_terminal() {
            return None;
        }
        eprint!("{question}");
        let mut line = String::new();
        std::io::stdin().read_line(&mut line).ok()?;
        Some(line)
    }

    fn prompt_secret(&mut self, question: &str) -> Option<String> {
        if !std::io::stdin().is_terminal() {
            return None;
        }
        rpassword::prompt_password(question).ok()
    }

    fn lines(&mut self) -> mpsc::UnboundedReceiver<String> {
        let (sender, lines) = mpsc::unbounded_channel();
        // A thread of its own: reading standard input blocks, and the
        // command meanwhile watches the sign-in's deadline.
        std::thread::spawn(move || {
            let mut stdin = std::io::stdin().lock();
            loop {
                let mut line = Vec::new();
                match (&mut stdin).take(MAX_LINE).read_until(b'\n', &mut line) {
                    Ok(0) | Err(_) => return,
                    Ok(_) => {}
                }
                if !line.ends_with(b"\n") && line.len() as u64 == MAX_LINE {
                    // The rest of an overlong line is not another line.
                    let _ = stdin.skip_until(b'\n');
                }
                let text = String::from_utf8_lossy(&line).trim().to_owned();
                if !text.is_empty() && sender.send(text).is_err() {
                    return;
                }
            }
        });
        lines
    }
}

/// How to ask for a value that was not given.
pub(super) struct Ask {
    pub question: &'static str,
    /// How to give it instead: "Set SFTOKEN_CLIENT_SECRET".
    pub how_to_give: &'static str,
    pub command: &'static str,
    /// Typed without echo, and never taken from an argument.
    pub secret: bool,
}

/// A value from the config, else from what was pasted, else from a prompt
/// on the terminal (without echo for a secret). Without a terminal, the
/// error says how to give it.
pub(super) fn ask<T: Clone>(
    configured: Option<&T>,
    pasted: Option<String>,
    input: &mut impl Input,
    ask: Ask,
    make: fn(&str) -> T,
) -> Result<T, Error> {
    if let Some(value) = configured {
        return Ok(value.clone());
    }
    pasted
        .or_else(|| {
            if ask.secret {
                input.prompt_secret(ask.question)
            } else {
                input.prompt_line(ask.question)
            }
        })
        .filter(|s| !s.trim().is_empty())
        .map(|s| make(s.trim()))
        .ok_or_else(|| {
            let never = if ask.secret {
                " (secrets are never read from arguments)"
            } else {
                ""
            };
            Error::Missing(format!(
                "{}, or run sftoken {} in a terminal to be asked for it{never}.",
                ask.how_to_give, ask.command
            ))
        })
}
