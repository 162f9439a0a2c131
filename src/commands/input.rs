//! Where the terminal commands read what they are not given. Secrets come
//! from the environment, from standard input, or from a prompt that does not
//! echo; never from arguments, which every local user can read.

use std::io::{BufRead, IsTerminal, Read};

use tokio::sync::mpsc;

use super::Error;
use super::piped::{MAX_LINE, Piped};
use crate::signin::settings::{PastedSettings, Setting};

/// Where the terminal commands read what they are not given.
pub trait Input {
    /// Standard input's lines, when it is piped rather than a terminal.
    fn piped(&mut self) -> Option<Piped>;
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
    fn piped(&mut self) -> Option<Piped> {
        let stdin = std::io::stdin();
        (!stdin.is_terminal()).then(|| Piped::read(stdin.lock()))
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

/// A value from the config, else from a prompt on the terminal (without echo
/// for a secret), read by its type's `parse`, which refuses it in the page's
/// words. Without a terminal, the error says how to give it.
pub(super) fn ask<T: Clone, E: std::fmt::Display>(
    configured: Option<&T>,
    input: &mut impl Input,
    ask: Ask,
    parse: fn(&str) -> Result<T, E>,
) -> Result<T, Error> {
    if let Some(value) = configured {
        return Ok(value.clone());
    }
    let typed = if ask.secret {
        input.prompt_secret(ask.question)
    } else {
        input.prompt_line(ask.question)
    };
    match typed.filter(|s| !s.trim().is_empty()) {
        Some(typed) => parse(&typed).map_err(Error::refused),
        None => {
            let never = if ask.secret {
                " (secrets are never read from arguments)"
            } else {
                ""
            };
            Err(Error::Missing(format!(
                "{}, or run sftoken {} in a terminal to be asked for it{never}.",
                ask.how_to_give, ask.command
            )))
        }
    }
}

/// Which of the settings `sftoken check` asks for were given already (by
/// flag, environment or file).
pub(super) struct Given {
    pub client_id: bool,
    pub client_secret: bool,
    pub refresh_token: bool,
}

/// At a terminal, asks for each of the Client ID, Client secret and Refresh
/// token that is still missing, without echo, since a pasted block carries
/// secrets. Any answer may be the first line of the page's Copy all text:
/// then lines are read until all five settings are in, or until an empty
/// line, so that no pasted line is left for the shell to run (and to keep
/// in its history). Off a terminal it asks nothing.
pub(super) fn ask_at_terminal(pasted: &mut PastedSettings, given: &Given, input: &mut impl Input) {
    let questions = [
        (
            given.client_id,
            "Client ID (or paste the page's Copy all text; not shown): ",
            Setting::ClientId,
        ),
        (
            given.client_secret,
            "Client secret (not shown): ",
            Setting::ClientSecret,
        ),
        (
            given.refresh_token,
            "Refresh token (not shown): ",
            Setting::RefreshToken,
        ),
    ];
    for (given, question, setting) in questions {
        if given || pasted.has(setting) {
            continue;
        }
        let Some(answer) = input.prompt_secret(question) else {
            return;
        };
        let answer = answer.trim();
        if answer.is_empty() {
            return;
        }
        if PastedSettings::parse(answer).count() == 0 {
            pasted.set(setting, answer);
            continue;
        }
        let mut block = format!("{answer}\n");
        while !PastedSettings::parse(&block).is_complete() {
            match input.prompt_secret("") {
                Some(line) if !line.trim().is_empty() => {
                    block.push_str(line.trim());
                    block.push('\n');
                }
                _ => break,
            }
        }
        let read = PastedSettings::parse(&block);
        eprintln!(
            "Read {} of the five settings from the pasted text.",
            read.count()
        );
        pasted.fill_from(read);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A terminal where the user types `lines`, one per prompt.
    struct Typed {
        lines: std::collections::VecDeque<&'static str>,
        questions: Vec<String>,
    }

    impl Typed {
        fn new(lines: &[&'static str]) -> Self {
            Self {
                lines: lines.iter().copied().collect(),
                questions: Vec::new(),
            }
        }
    }

    impl Input for Typed {
        fn piped(&mut self) -> Option<Piped> {
            None
        }

        fn prompt_line(&mut self, question: &str) -> Option<String> {
            self.prompt_secret(question)
        }

        fn prompt_secret(&mut self, question: &str) -> Option<String> {
            self.questions.push(question.to_owned());
            self.lines.pop_front().map(str::to_owned)
        }

        fn lines(&mut self) -> mpsc::UnboundedReceiver<String> {
            let (sender, lines) = mpsc::unbounded_channel();
            for line in self.lines.drain(..) {
                let _ = sender.send(line.to_owned());
            }
            lines
        }
    }

    const NOTHING_GIVEN: Given = Given {
        client_id: false,
        client_secret: false,
        refresh_token: false,
    };

    #[test]
    fn a_pasted_block_answers_every_question_and_is_read_to_its_last_line() {
        let mut typed = Typed::new(&[
            "Client ID: 3MVG9id",
            "Client secret: the-secret",
            "Refresh token: 5Aep-token",
            "Login URL: https://acme.my.salesforce.com",
            "Company names: acme.com, acme.co.uk",
            "echo this line belongs to the shell",
        ]);
        let mut pasted = PastedSettings::default();

        ask_at_terminal(&mut pasted, &NOTHING_GIVEN, &mut typed);

        assert!(pasted.is_complete(), "{pasted:?}");
        assert_eq!(pasted.exposed()[1].as_deref(), Some("the-secret"));
        assert_eq!(typed.lines.len(), 1, "reading stopped at the fifth line");
        assert_eq!(typed.questions.len(), 5, "one prompt, then four more lines");
    }

    #[test]
    fn an_empty_line_ends_a_partial_block_and_the_rest_is_asked() {
        let mut typed = Typed::new(&[
            "Client ID: 3MVG9id",
            "Login URL: https://login.salesforce.com",
            "",
            "the-secret",
            "5Aep-token",
        ]);
        let mut pasted = PastedSettings::default();

        ask_at_terminal(&mut pasted, &NOTHING_GIVEN, &mut typed);

        assert_eq!(
            pasted.exposed()[..3],
            ["3MVG9id", "the-secret", "5Aep-token"].map(|read| Some(read.to_owned()))
        );
        assert_eq!(
            typed.questions[3..],
            ["Client secret (not shown): ", "Refresh token (not shown): "]
        );
    }

    #[test]
    fn typed_answers_fill_only_what_was_not_given() {
        let mut typed = Typed::new(&["  3MVG9typed  ", "5Aep-token"]);
        let mut pasted = PastedSettings::default();
        let given = Given {
            client_secret: true,
            ..NOTHING_GIVEN
        };

        ask_at_terminal(&mut pasted, &given, &mut typed);

        let read = pasted.exposed();
        assert_eq!(read[0].as_deref(), Some("3MVG9typed"));
        assert_eq!(read[1], None, "given, so not asked");
        assert_eq!(read[2].as_deref(), Some("5Aep-token"));
        assert!(typed.questions[0].starts_with("Client ID"));
        assert!(typed.questions[1].starts_with("Refresh token"));
    }
}
