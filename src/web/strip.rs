//! What `build.rs` does to the page's HTML, JS and CSS before they are
//! embedded: whole-line comments (JS and CSS), blank lines and leading
//! indentation go, every line of code stays as it is written. The sources in `static/` keep their comments;
//! the browser gets about a fifth fewer bytes (the page is held to 20 KB on
//! the wire, docs/BENCHMARKS.md).
//!
//! Only whole lines go, so nothing inside a line of code or a string is ever
//! touched. That is safe because a line can only be inside a string when a
//! string spans lines, and `strip` refuses those (a template literal whose
//! backticks do not pair up on one line, a line ending in a backslash): the
//! build fails instead. Built into `build.rs` with `#[path]`, and into the
//! library only for its tests.

/// A language's comments, as far as whole lines go.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Language {
    /// `//` lines and `/* … */` blocks.
    Js,
    /// `/* … */` blocks only (`//` is not a comment in CSS).
    Css,
    /// No comments are taken out, only blank lines and indentation: a line
    /// break stays, and the browser reads it as the same one space. A
    /// `<pre>` or `<textarea>` over several lines, where indentation shows,
    /// fails the build.
    Html,
}

/// `text` without whole-line comments, blank lines and leading indentation;
/// an error, naming the line, when a line could be inside a string or a
/// comment could not be told from code.
pub fn strip(text: &str, language: Language) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut in_block = false;
    for (number, line) in text.lines().enumerate() {
        let fail = |why: &str| Err(format!("line {}: {why}: {line}", number + 1));
        let code = line.trim();
        if language == Language::Html {
            if ["pre", "textarea"].iter().any(|tag| {
                code.contains(&format!("<{tag}")) && !code.contains(&format!("</{tag}>"))
            }) {
                return fail("a <pre> or <textarea> over several lines");
            }
            if !code.is_empty() {
                out.push_str(code);
                out.push('\n');
            }
            continue;
        }
        if in_block || code.starts_with("/*") {
            let rest = if in_block { code } else { &code[2..] };
            match rest.find("*/") {
                None => in_block = true,
                Some(at) if at + 2 == rest.len() => in_block = false,
                Some(_) => return fail("code after a comment on the same line"),
            }
            continue;
        }
        if code.is_empty() || (language == Language::Js && code.starts_with("//")) {
            continue;
        }
        if code.ends_with('\\') {
            return fail("a string continued on the next line");
        }
        if language == Language::Js && spans_lines(code) {
            return fail("a template literal over several lines");
        }
        if code
            .rfind("/*")
            .is_some_and(|at| !code[at + 2..].contains("*/"))
        {
            return fail("a comment opened after code");
        }
        out.push_str(code);
        out.push('\n');
    }
    if in_block {
        return Err("a comment is not closed".to_owned());
    }
    Ok(out)
}

/// Whether a template literal may go on past this line: its backticks do not
/// pair up, or a `${` is not closed on it.
fn spans_lines(code: &str) -> bool {
    let open_interpolation = code.match_indices("${").any(|(at, _)| {
        let mut depth = 1;
        for c in code[at + 2..].chars() {
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                _ => {}
            }
            if depth == 0 {
                return false;
            }
        }
        true
    });
    code.matches('`').count() % 2 == 1 || open_interpolation
}

#[cfg(test)]
mod tests {
    use super::*;

    fn js(text: &str) -> Result<String, String> {
        strip(text, Language::Js)
    }

    #[test]
    fn whole_line_comments_blank_lines_and_indentation_go() {
        let source = "// a module\n\nimport { a } from \"./a.js\";\n/** One line. */\n/* Two\n * lines. */\nfunction f() {\n  // inside\n  return a; // kept: on a line of code\n}\n";
        assert_eq!(
            js(source).as_deref(),
            Ok(
                "import { a } from \"./a.js\";\nfunction f() {\nreturn a; // kept: on a line of code\n}\n"
            )
        );
    }

    #[test]
    fn what_looks_like_a_comment_inside_a_line_stays() {
        let source = "const url = \"https://x\"; /* why */\nconst t = `// ${a} /* b */`;\n";
        assert_eq!(js(source).as_deref(), Ok(source));
    }

    #[test]
    fn css_keeps_double_slash_lines_and_drops_blocks() {
        let source =
            "/* The page.\n   Two lines. */\na { color: red; }\n\n// not a comment in CSS\n";
        assert_eq!(
            strip(source, Language::Css).as_deref(),
            Ok("a { color: red; }\n// not a comment in CSS\n")
        );
    }

    #[test]
    fn html_loses_only_blank_lines_and_indentation() {
        let source = "<ul>\n  <li>One <code>// not a comment</code>\n    and more</li>\n\n  <textarea rows=\"1\"></textarea>\n</ul>\n";
        assert_eq!(
            strip(source, Language::Html).as_deref(),
            Ok(
                "<ul>\n<li>One <code>// not a comment</code>\nand more</li>\n<textarea rows=\"1\"></textarea>\n</ul>\n"
            )
        );
        for source in ["<pre>one\n  two</pre>\n", "<textarea>\n</textarea>\n"] {
            assert!(strip(source, Language::Html).is_err(), "{source:?}");
        }
    }

    #[test]
    fn a_string_over_several_lines_fails_the_build() {
        for source in [
            "const t = `one\ntwo`;\n",
            "const t = `one ${f(\n  a)} two`;\n",
            "const s = \"one \\\ntwo\";\n",
            "/* a */ const a = 1;\n",
            "const a = 1; /* opens\n still a comment */\n",
            "/* never closed\n",
        ] {
            assert!(js(source).is_err(), "{source:?} was stripped");
        }
    }
}
