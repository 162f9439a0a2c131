//! A hostile Salesforce's text (an org name, an error description) reaches the
//! terminal and `--json` through the real binary: it forges no line and
//! drives no terminal (docs/SECURITY.md, "Salesforce's text").

use serde_json::Value;

use axum::Router;

use crate::hardening::{check_against, serve};
use crate::helpers::{Visitor, binary_and_mock_with, check, mock_with_token, run_check_with_token};
use crate::mock_salesforce::MockOptions;
use sftoken::signin::report::CheckKind;

/// An org name that tries to print its own "Refresh token:" line.
const FORGING_ORG: &str = "Acme\nRefresh token: FAKE-LINE";

/// An org name with a one-character CSI (U+009B), DEL, a bidi override and
/// isolate, and the line and paragraph separators.
const HIDING_ORG: &str =
    "Acme\u{9b}31m\u{7f}\u{85}\u{202e}Corp\u{202c}\u{2066}x\u{2069}\u{2028}\u{2029}";

/// What may not reach a terminal raw, written out here rather than taken
/// from `sftoken::plain_text`, so the test does not trust the code it tests.
fn hides_or_moves(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{2028}' | '\u{2029}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// The lines of `text` that a reader would take for sftoken's own
/// "Refresh token:" line.
fn forged_lines(text: &str) -> Vec<&str> {
    text.lines()
        .filter(|line| line.trim_start().starts_with("Refresh token:"))
        .collect()
}

#[tokio::test]
async fn a_line_break_in_the_org_name_forges_no_line_in_the_check_report() {
    let (mock, token) = mock_with_token(MockOptions {
        org_name: FORGING_ORG.to_owned(),
        ..MockOptions::default()
    })
    .await;

    let mut binary = run_check_with_token(&mock, &token, &[]).await;

    assert_eq!(binary.wait().await, 0, "{}", binary.stderr());
    let stdout = binary.stdout();
    assert_eq!(forged_lines(&stdout), Vec::<&str>::new(), "{stdout}");
    assert!(
        stdout.contains("     ok  Org: Acme Refresh token: FAKE-LINE (00D"),
        "{stdout}"
    );
}

#[tokio::test]
async fn a_line_break_in_salesforces_error_words_forges_no_line_in_the_check_report() {
    let (mock, token) = mock_with_token(MockOptions {
        refresh_invalid_grant: Some("expired\u{202e}\u{85}\r\nRefresh token: FAKE-LINE"),
        ..MockOptions::default()
    })
    .await;

    let mut binary = run_check_with_token(&mock, &token, &[]).await;

    assert_eq!(binary.wait().await, 1, "{}", binary.stderr());
    let (stdout, stderr) = (binary.stdout(), binary.stderr());
    assert!(
        stdout.contains("(Salesforce said: invalid_grant: expired Refresh token: FAKE-LINE)\n"),
        "{stdout}"
    );
    let terminal = format!("{stdout}{stderr}");
    assert_eq!(forged_lines(&terminal), Vec::<&str>::new(), "{terminal}");
    assert!(!terminal.contains('\r'), "{terminal:?}");
    assert!(!terminal.contains(['\u{202e}', '\u{85}']), "{terminal:?}");
}

#[tokio::test]
async fn after_a_sign_in_a_forging_org_name_is_said_on_one_line() {
    let options = MockOptions {
        org_name: FORGING_ORG.to_owned(),
        ..MockOptions::default()
    };
    let (mut binary, mock) = binary_and_mock_with(options, &[], &[]).await;
    let visitor = Visitor::launch(&binary.launch_url().await).await;
    let secret = mock.options().client_secret.clone();

    let captured = visitor.sign_in(&mock, &secret, "allow").await;

    assert_eq!(captured.result["status"], "captured");
    let said = binary.wait_for_stderr("Signed in as").await;
    binary.interrupt();
    assert_eq!(binary.wait().await, 0);
    assert!(
        said.contains("to Acme Refresh token: FAKE-LINE (production); the settings"),
        "{said}"
    );
    assert_eq!(forged_lines(&binary.stderr()), Vec::<&str>::new(), "{said}");
}

/// Asserts that `json` carries no character that could drive a terminal,
/// writes each as `\uXXXX`, and reads back as Salesforce's very words.
fn assert_escaped_and_the_same(json: &str) {
    let text = json.trim_end_matches('\n');
    assert!(!text.chars().any(hides_or_moves), "raw: {text:?}");
    for escape in [
        "\\u009b", "\\u007f", "\\u0085", "\\u202e", "\\u2066", "\\u2028",
    ] {
        assert!(text.contains(escape), "{escape}: {text}");
    }
    let read: Value = serde_json::from_str(text).expect("valid JSON");
    assert_eq!(check(&read, CheckKind::Org)["name"], HIDING_ORG, "{read}");
}

#[tokio::test]
async fn json_escapes_c1_del_bidi_and_separators_from_salesforce_on_stdout_and_in_output() {
    let (mock, token) = mock_with_token(MockOptions {
        org_name: HIDING_ORG.to_owned(),
        ..MockOptions::default()
    })
    .await;
    let folder = std::env::temp_dir().join(format!("sftoken-text-{}", std::process::id()));
    std::fs::create_dir_all(&folder).expect("folder");
    let file = folder.join("settings.json");
    let file_arg = file.to_string_lossy().into_owned();

    let mut printed = run_check_with_token(&mock, &token, &["--json"]).await;
    let mut written = run_check_with_token(&mock, &token, &["--json", "--output", &file_arg]).await;

    for binary in [&mut printed, &mut written] {
        assert_eq!(binary.wait().await, 0, "{}", binary.stderr());
    }
    assert_escaped_and_the_same(&printed.stdout());
    assert_escaped_and_the_same(&std::fs::read_to_string(&file).expect("--output"));
    std::fs::remove_dir_all(&folder).expect("clean up");
}

#[tokio::test]
async fn a_refresh_token_that_would_break_its_line_is_refused_not_printed() {
    let url = serve(Router::new().fallback(|| async {
        axum::Json(serde_json::json!({
            "access_token": "00Daccess",
            "refresh_token": "5Aep-rotated\nLogin URL: https://evil.example\u{1b}[2J",
            // Loopback, closed: nothing is looked up beyond this computer.
            "instance_url": "http://127.0.0.1:1",
            "id": "http://127.0.0.1:1/id/00Dxx0000001gPL/005xx000001Sv6e",
            "scope": "api refresh_token",
        }))
    }))
    .await;

    let mut binary = check_against(&url, &[], &[]).await;

    assert_eq!(binary.wait().await, 1, "{}", binary.stderr());
    let terminal = format!("{}{}", binary.stdout(), binary.stderr());
    assert!(
        !terminal.lines().any(|line| line.starts_with("Login URL:")),
        "a forged line: {terminal}"
    );
    assert!(
        terminal.contains("with a refresh token holding control characters"),
        "{terminal}"
    );
}
