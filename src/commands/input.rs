//! Where the terminal commands read what they are not given. Secrets come
//! from the environment, from standard input, or from a prompt that does not
//! echo; never from arguments, which every local user can read.

use std::io::{IsTerminal, Read};

use super::Error;

/// Where the terminal commands read what they are not given.
pub trait Input {
    /// All of standard input, when it is piped rather than a terminal.
    fn piped_text(&mut self) -> Option<String>;
    /// A line typed at a prompt on a terminal, echoed.
    fn prompt_line(&mut self, question: &str) -> Option<String>;
    /// A line typed at a prompt on a terminal, not echoed.
    fn prompt_secret(&mut self, question: &str) -> Option<String>;
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
        stdin
            .lock()
            .take(64 * 1024)
            .read_to_string(&mut text)
            .ok()?;
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
}

/// How to ask for a secret that was not given.
pub(super) struct Ask {
    pub question: &'static str,
    /// The environment variable that gives it.
    pub variable: &'static str,
    pub command: &'static str,
}

/// A secret from the config, else from what was pasted, else from a prompt
/// that does not echo.
pub(super) fn secret<T: Clone>(
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
        .or_else(|| input.prompt_secret(ask.question))
        .filter(|s| !s.trim().is_empty())
        .map(|s| make(s.trim()))
        .ok_or_else(|| {
            Error::Missing(format!(
                "Set {}, or run sftoken {} in a terminal to be asked for it (secrets are never read from arguments).",
                ask.variable, ask.command
            ))
        })
}
