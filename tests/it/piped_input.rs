//! `sftoken check` with its input piped: a line that is not UTF-8 text, or
//! one over 64 KB, is named, and the Copy all block after it is still read.

use crate::helpers::{Binary, mock_with_token};
use crate::mock_salesforce::{MockOptions, MockSalesforce};

/// The page's Copy all block for `mock` and `token`.
fn copy_all(mock: &MockSalesforce, token: &str) -> String {
    format!(
        "Client ID: {}\nClient secret: {}\nRefresh token: {token}\nLogin URL: {}\nCompany names: *\n",
        mock.options().client_id,
        mock.options().client_secret,
        mock.url()
    )
}

/// `sftoken check` with `input` piped into it; returns its exit code.
async fn check_with_piped(input: &[u8]) -> (i32, Binary) {
    let mut binary = Binary::spawn_with(&["check", "--allow-any-login-url"], &[], &[], Some(""));
    binary.send_stdin_bytes(input);
    (binary.wait().await, binary)
}

#[tokio::test]
async fn check_names_a_line_that_is_not_utf8_and_reads_the_copy_all_block_after_it() {
    let (mock, token) = mock_with_token(MockOptions::default()).await;
    let mut input = b"build log\n\xff\xfe caf\xe9\n".to_vec();
    input.extend_from_slice(copy_all(&mock, &token).as_bytes());

    let (code, binary) = check_with_piped(&input).await;

    let stderr = binary.stderr();
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("Not all of standard input could be read: line 2 is not UTF-8 text (save or send it as UTF-8). The settings were complete without it.\n"),
        "{stderr}"
    );
    assert!(stderr.contains("These settings work."), "{stderr}");
}

#[tokio::test]
async fn check_reads_the_copy_all_block_after_a_line_over_64_kb_cut_mid_character() {
    let (mock, token) = mock_with_token(MockOptions::default()).await;
    // The 64 KB limit falls inside the two bytes of "é".
    let junk = format!("{}é{}\n", "j".repeat(64 * 1024 - 1), "j".repeat(10_000));
    let input = format!("{junk}{}", copy_all(&mock, &token));

    let (code, binary) = check_with_piped(input.as_bytes()).await;

    let stderr = binary.stderr();
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("Not all of standard input could be read: line 1 is longer than 64 KB."),
        "{stderr}"
    );
    assert!(stderr.contains("These settings work."), "{stderr}");
}

#[tokio::test]
async fn a_setting_lost_to_a_line_that_is_not_utf8_is_named_with_its_line_and_exit_2() {
    let (mock, _) = mock_with_token(MockOptions::default()).await;
    let mut input =
        format!("Client ID: {}\nClient secret: ", mock.options().client_id).into_bytes();
    input.extend_from_slice(b"s\xe9cret\nRefresh token: 5Aep-token\n");

    let (code, binary) = check_with_piped(&input).await;

    let stderr = binary.stderr();
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("sftoken: Not all of standard input could be read: line 2 is not UTF-8 text (save or send it as UTF-8). Set SFTOKEN_CLIENT_SECRET,"),
        "{stderr}"
    );
    assert!(!stderr.contains("Give the Client ID"), "{stderr}");
}
