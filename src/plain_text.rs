//! Text from outside (Salesforce's names and error words, a proxy's answer)
//! made safe to show: on a terminal it can neither forge a line nor drive the
//! terminal, and in JSON it reaches no terminal raw. The one rule of what may
//! not pass is [`hides_or_moves`]; every printer goes through
//! [`one_line`] or [`terminal_safe`], and every JSON sftoken writes through
//! `commands::json`, which escapes the same characters.

/// Whether `c` may move the cursor, start a terminal command, end a line or
/// reorder what follows it: the C0 and C1 controls and DEL (U+0085 ends a
/// line, U+009B starts a command on some terminals), Unicode's line and
/// paragraph separators, and the bidirectional controls (Unicode's
/// `Bidi_Control`: the marks, embeddings, overrides and isolates), which can
/// make a line read as something else (CVE-2021-42574, "Trojan Source").
pub fn hides_or_moves(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{2028}'
                | '\u{2029}'
                | '\u{061C}'
                | '\u{200E}'
                | '\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2066}'..='\u{2069}'
        )
}

/// `text` as one terminal line: each line break and run of white space
/// (CR, LF, VT, FF, U+0085, U+2028, U+2029, tabs) becomes one space, and the
/// other characters of [`hides_or_moves`] are dropped. For anything that is
/// shown on one line: a report line, a warning, an error, "Signed in as".
pub fn one_line(text: &str) -> String {
    let kept: String = text
        .chars()
        .filter_map(|c| match c {
            c if c.is_whitespace() => Some(' '),
            c if hides_or_moves(c) => None,
            c => Some(c),
        })
        .collect();
    kept.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Lines that sftoken joined itself (a report, the Copy all text), each made
/// of [`one_line`] text: its own line feeds stay, its padding too, and
/// anything else of [`hides_or_moves`] is dropped.
pub fn terminal_safe(text: &str) -> String {
    text.chars()
        .filter(|c| *c == '\n' || !hides_or_moves(*c))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_turns_every_line_break_into_a_space_and_drops_controls() {
        let forged = "Acme\nRefresh token: FAKE\r\nx\u{0B}y\u{0C}z\u{85}a\u{2028}b\u{2029}c\td";
        assert_eq!(one_line(forged), "Acme Refresh token: FAKE x y z a b c d");
        let escapes = "Acme\u{1b}]0;pwned\u{7}\u{1b}[2J\u{9b}1m\u{7f} Corp";
        assert_eq!(one_line(escapes), "Acme]0;pwned[2J1m Corp");
        let bidi = "\u{202E}evil\u{202C} \u{2066}x\u{2069}\u{200F}\u{061C}";
        assert_eq!(one_line(bidi), "evil x");
        assert_eq!(one_line("  Ada   Admin \n"), "Ada Admin");
    }

    #[test]
    fn terminal_safe_keeps_its_own_line_feeds_and_padding_only() {
        let text = "     ok  Org: Acme\u{9b}2J\u{202E}\u{2028}\r\nnext\u{1b}";
        assert_eq!(terminal_safe(text), "     ok  Org: Acme2J\nnext");
    }

    #[test]
    fn only_controls_separators_and_bidi_controls_hide_or_move() {
        let hiding = [
            '\0', '\n', '\u{1b}', '\u{7f}', '\u{80}', '\u{85}', '\u{9b}', '\u{9f}', '\u{2028}',
            '\u{2029}', '\u{202A}', '\u{202E}', '\u{2066}', '\u{2069}', '\u{200E}',
        ];
        for c in hiding {
            assert!(hides_or_moves(c), "{:04X}", c as u32);
        }
        for c in [
            ' ', 'é', '\u{a0}', '\u{200B}', '\u{2030}', '\u{2065}', '“', '語',
        ] {
            assert!(!hides_or_moves(c), "{:04X}", c as u32);
        }
    }
}
