//! What `sftoken check` reads from a pipe: the page's Copy all text, perhaps
//! after other output (a script's log, a file with more in it). Each line is
//! read on its own, so a line that is not UTF-8 text or is overlong costs that
//! line only, and what could not be read is said rather than taken for "nothing
//! was pasted".

use std::io::{BufRead, Read};

/// The longest line read from standard input; a Copy all line or a pasted
/// address is a few hundred bytes.
pub(super) const MAX_LINE: u64 = 64 * 1024;

/// The most read from a pipe: room for a Copy all block after plenty of
/// other output, and an end to a pipe that never ends.
const MAX_PIPED: u64 = 1024 * 1024;

/// The lines read from a pipe that are text, and what could not be read.
#[derive(Default)]
pub struct Piped {
    /// The lines that are UTF-8 text, each ending in a line feed.
    pub text: String,
    /// What could not be read, in words: "line 3 is not UTF-8 text".
    unread: Vec<String>,
}

impl Piped {
    /// Reads `input` to its end, or to [`MAX_PIPED`].
    pub fn read(mut input: impl BufRead) -> Self {
        let mut piped = Self::default();
        let mut total = 0;
        for number in 1.. {
            let mut line = Vec::new();
            let read = match (&mut input).take(MAX_LINE + 1).read_until(b'\n', &mut line) {
                Ok(0) => break,
                Ok(read) => read as u64,
                Err(e) => {
                    piped.unread.push(format!("reading it failed ({e})"));
                    break;
                }
            };
            total += read;
            if !line.ends_with(b"\n") && read > MAX_LINE {
                let mut rest = (&mut input).take(MAX_PIPED.saturating_sub(total));
                total += rest.skip_until(b'\n').unwrap_or(0) as u64;
                piped
                    .unread
                    .push(format!("line {number} is longer than 64 KB"));
            } else {
                match String::from_utf8(line) {
                    Ok(text) => {
                        let text = if number == 1 {
                            // Windows editors may start a UTF-8 file with a BOM.
                            text.trim_start_matches('\u{feff}').to_owned()
                        } else {
                            text
                        };
                        piped.text.push_str(text.trim_end_matches(['\n', '\r']));
                        piped.text.push('\n');
                    }
                    Err(_) => piped.unread.push(format!(
                        "line {number} is not UTF-8 text (save or send it as UTF-8)"
                    )),
                }
            }
            if total >= MAX_PIPED {
                piped
                    .unread
                    .push("it goes on past 1 MB, where sftoken stopped reading".to_owned());
                break;
            }
        }
        piped
    }

    /// What could not be read, as a sentence, if anything.
    pub fn unread(&self) -> Option<String> {
        let (last, first) = self.unread.split_last()?;
        let all = match first {
            [] => last.clone(),
            _ => format!("{}, and {last}", first.join(", ")),
        };
        Some(format!("Not all of standard input could be read: {all}."))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BLOCK: &str = "Client ID: 3MVG9id\nClient secret: s\nRefresh token: 5Aep\n";

    #[test]
    fn a_line_that_is_not_utf8_is_named_and_the_other_lines_are_read() {
        let mut input = b"log line\n\xff\xfe junk\n".to_vec();
        input.extend_from_slice(BLOCK.as_bytes());

        let piped = Piped::read(&input[..]);

        assert_eq!(piped.text, format!("log line\n{BLOCK}"));
        assert_eq!(
            piped.unread().as_deref(),
            Some(
                "Not all of standard input could be read: line 2 is not UTF-8 text (save or send it as UTF-8)."
            )
        );
    }

    #[test]
    fn a_line_over_64_kb_is_skipped_whole_and_the_block_after_it_is_read() {
        let at_limit = "a".repeat(MAX_LINE as usize);
        // Over the limit, with a two-byte character where the limit falls.
        let over = format!(
            "{}é{}",
            "b".repeat(MAX_LINE as usize - 1),
            "c".repeat(70_000)
        );
        let input = format!("{at_limit}\n{over}\r\n{BLOCK}");

        let piped = Piped::read(input.as_bytes());

        assert_eq!(piped.text, format!("{at_limit}\n{BLOCK}"));
        assert_eq!(
            piped.unread().as_deref(),
            Some("Not all of standard input could be read: line 2 is longer than 64 KB.")
        );
    }

    #[test]
    fn reading_stops_at_1_mb_and_says_so() {
        let junk = "junk\n".repeat(MAX_PIPED as usize / 5);
        let input = format!("{}\n{junk}{BLOCK}", "x".repeat(100_000));

        let piped = Piped::read(input.as_bytes());

        assert!(!piped.text.contains("Client ID"));
        assert_eq!(
            piped.unread().as_deref(),
            Some(
                "Not all of standard input could be read: line 1 is longer than 64 KB, and it goes on past 1 MB, where sftoken stopped reading."
            )
        );
    }

    #[test]
    fn clean_text_reads_whole_without_a_bom_or_carriage_returns() {
        let input = format!("\u{feff}{}", BLOCK.replace('\n', "\r\n"));
        let piped = Piped::read(input.as_bytes());
        assert_eq!(piped.text, BLOCK);
        assert_eq!(piped.unread(), None);
        let last_line_unended = Piped::read(&b"Client ID: x"[..]);
        assert_eq!(last_line_unended.text, "Client ID: x\n");
    }
}
