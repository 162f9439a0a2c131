//! The terminal an admin meets: input checks with exit code 2 and plain
//! words, help for each command, human lines by default, and no colour where
//! it does not belong.

use serde_json::Value;

use crate::helpers::{
    Binary, ConfigFile, Visitor, binary_and_mock, expected_copy_all, free_port, in_terminal,
    mock_with_token, port_of, sftoken_command, shell_in_terminal,
};
use crate::mock_salesforce::MockOptions;

#[tokio::test]
async fn port_0_is_refused_with_exit_2_because_the_callback_url_could_never_match() {
    for (args, env) in [
        (&["--no-browser", "--port", "0"][..], &[][..]),
        (&["--no-browser"][..], &[("SFTOKEN_PORT", "0")][..]),
    ] {
        let mut binary = Binary::spawn(args, env);

        assert_eq!(binary.wait().await, 2, "{args:?} {env:?}");
        let stderr = binary.stderr();
        assert!(stderr.contains("from 1 to 65535"), "{stderr}");
        assert!(stderr.contains("Callback URL"), "{stderr}");
        assert!(binary.stdout().is_empty(), "no address is printed");
    }
}

#[tokio::test]
async fn config_file_mistakes_name_the_line_and_column_in_plain_words() {
    let cases = [
        (
            "login_url = \"https://login.salesforce.com\"\nport = 70000\n",
            "line 2, column 8: port must be a number from 1 to 65535",
        ),
        (
            "# My settings\n\nopen_browser = \"no\"\n",
            "line 3, column 16: open_browser must be true or false",
        ),
        (
            "http_timeout = \"2m\"\nidle_timout = \"1h\"\n",
            "line 2, column 1: \"idle_timout\" is not a setting sftoken knows",
        ),
        ("port = 8719\nsandbox = tru\n", "line 2"),
    ];
    for (text, says) in cases {
        let file = ConfigFile::new(text);

        let mut binary = Binary::spawn(&["--no-browser", "--config", &file.path()], &[]);

        assert_eq!(binary.wait().await, 2, "{text}");
        let stderr = binary.stderr();
        assert!(stderr.contains(says), "{text}: {stderr}");
        assert!(stderr.contains(&file.path()), "{stderr}");
        for serde_word in ["expected u16", "invalid type", "invalid value"] {
            assert!(!stderr.contains(serde_word), "{text}: {stderr}");
        }
    }
}

/// The flags `--help` lists, in order.
fn flags_in(help: &str) -> Vec<String> {
    help.lines()
        .filter_map(|line| {
            let line = line.trim_start();
            let line = line.strip_prefix("-v, ").unwrap_or(line);
            let line = line.strip_prefix("-h, ").unwrap_or(line);
            let line = line.strip_prefix("-V, ").unwrap_or(line);
            let flag = line.split([' ', '=']).next().unwrap_or(line);
            flag.starts_with("--")
                .then(|| flag.trim_end_matches("...").to_owned())
        })
        .collect()
}

async fn help_of(args: &[&str]) -> String {
    // The width of a terminal that does not say it: 80 columns.
    let mut help = Binary::spawn_with(args, &[], &["COLUMNS"], None);
    assert_eq!(help.wait().await, 0, "{args:?}");
    help.stdout()
}

/// The commands the examples at the end of `sftoken -h` and `--help` run.
const EXAMPLES: [&str; 5] = [
    "  sftoken  ",
    "  sftoken --sandbox  ",
    "  sftoken --no-browser --print  ",
    "  sftoken paste  ",
    " | sftoken check  ",
];

/// The help's last section, from its "Examples:" heading.
fn examples_in(help: &str) -> &str {
    let at = help.rfind("\nExamples:\n").expect("an Examples section");
    &help[at..]
}

#[tokio::test]
async fn help_fits_one_screen_says_what_you_get_first_and_ends_with_examples() {
    let short = help_of(&["-h"]).await;
    let full = help_of(&["--help"]).await;

    let first_line = short.lines().next().unwrap_or_default();
    assert!(
        first_line.contains("five settings") && first_line.contains("Snow Atlas"),
        "{first_line}"
    );
    assert!(!first_line.contains("PKCE"), "{first_line}");
    assert!(
        short.lines().count() <= 24,
        "-h is {} lines:\n{short}",
        short.lines().count()
    );
    for help in [&short, &full] {
        let wide: Vec<&str> = help.lines().filter(|l| l.chars().count() > 80).collect();
        assert!(wide.is_empty(), "over 80 columns: {wide:#?}");
        let examples = examples_in(help);
        for example in EXAMPLES {
            assert!(examples.contains(example), "{example:?} in {examples}");
        }
        assert!(
            examples.lines().count() == EXAMPLES.len() + 2,
            "the examples end the help: {examples:?}"
        );
    }
    // --help lists every flag, each with its help on the same line, in
    // one screen of a 45-line window; so do the commands' own.
    assert!(full.lines().count() <= 45, "{full}");
    for help in [
        full.clone(),
        help_of(&["check", "--help"]).await,
        help_of(&["paste", "--help"]).await,
    ] {
        for line in help.lines().filter(|l| l.trim_start().starts_with("--")) {
            let words: Vec<&str> = line.split_whitespace().collect();
            assert!(
                words.len() >= 3 && line.chars().count() <= 80,
                "a flag without its help beside it: {line:?}"
            );
        }
    }
    assert!(
        !short.contains("--allow-any-login-url"),
        "-h keeps to the usual flags"
    );
    assert!(
        full.contains("--allow-any-login-url"),
        "--help has them all"
    );
    assert!(full.contains("SFTOKEN_COMPANY_NAMES"), "{full}");
}

#[tokio::test]
async fn check_help_lists_only_what_applies_to_check() {
    for args in [
        &["check", "--help"][..],
        &["check", "-h"][..],
        &["help", "check"][..],
    ] {
        let help = help_of(args).await;

        for not_for_check in ["--callback-url", "aste mode", "picker", "--port", "--print"] {
            assert!(
                !help.contains(not_for_check),
                "{args:?} says {not_for_check:?}:\n{help}"
            );
        }
        assert!(help.contains("| sftoken check"), "{args:?}: {help}");
    }

    let mut binary = Binary::spawn(
        &[
            "check",
            "--callback-url",
            "https://login.salesforce.com/services/oauth2/success",
        ],
        &[],
    );
    assert_eq!(
        binary.wait().await,
        2,
        "a paste mode flag given to check is refused"
    );
}

#[tokio::test]
async fn each_command_lists_only_the_flags_that_apply_to_it() {
    let page_only = ["--port", "--no-browser", "--print", "--idle-timeout"];
    let everywhere = [
        "--login-url",
        "--sandbox",
        "--client-id",
        "--config",
        "--json",
        "--output",
        "--company-names",
        "--http-timeout",
        "--allow-any-login-url",
        "--verbose",
        "--help",
    ];

    let page = flags_in(&help_of(&["--help"]).await);
    for flag in page_only.iter().chain(&everywhere) {
        assert!(
            page.contains(&flag.to_string()),
            "sftoken --help lacks {flag}: {page:?}"
        );
    }
    for command in ["check", "paste"] {
        let help = help_of(&[command, "--help"]).await;
        let listed = flags_in(&help);
        for flag in everywhere {
            assert!(
                listed.contains(&flag.to_owned()),
                "{command} lacks {flag}: {listed:?}"
            );
        }
        for flag in page_only {
            assert!(
                !listed.contains(&flag.to_owned()),
                "{command} lists {flag}: {listed:?}"
            );
        }
        assert!(help.contains("SFTOKEN_CLIENT_ID"), "{command}: {help}");
        assert_eq!(
            listed.contains(&"--callback-url".to_owned()),
            command == "paste",
            "the Callback URL is paste mode's: {command}: {listed:?}"
        );
    }
    assert!(
        page.contains(&"--callback-url".to_owned()),
        "the page's paste mode"
    );
}

#[tokio::test]
async fn a_shared_flag_may_also_come_before_the_command() {
    let mut binary = Binary::spawn(&["--login-url", "https://evil.example", "check"], &[]);

    assert_eq!(binary.wait().await, 2);
    assert!(
        binary.stderr().contains("not a Salesforce host"),
        "the flag was read: {}",
        binary.stderr()
    );
}

#[tokio::test]
async fn a_page_only_flag_given_to_check_is_refused_with_exit_2() {
    let mut binary = Binary::spawn(&["check", "--port", "9000"], &[]);

    assert_eq!(binary.wait().await, 2);
    assert!(binary.stderr().contains("--port"), "{}", binary.stderr());
}

#[tokio::test]
async fn at_start_the_terminal_gives_the_address_and_what_to_do_next() {
    let port = free_port();

    let binary = Binary::spawn(&["--no-browser", "--port", &port.to_string()], &[]);

    let said = binary.wait_for_stderr("<this-host>").await;
    assert_eq!(port_of(&binary.launch_url().await), port);
    let sentences = said.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        sentences.contains(&format!(
            "Next: follow the page. It lists what the External Client App needs (its Callback URL is http://localhost:{port}/callback), signs you in with Salesforce, then shows the five settings to copy. Press Ctrl-C here to stop."
        )),
        "{said}"
    );
    assert!(
        said.contains(&format!("\n  ssh -L {port}:localhost:{port} <this-host>\n")),
        "the command to copy is whole, on its own line: {said}"
    );
}

/// What a terminal `columns` wide shows at start, lines without their `\r`.
async fn start_screen(columns: &str, extra: &[&str]) -> (String, String) {
    let port = free_port().to_string();
    let mut args = vec!["--no-browser", "--port", &port];
    args.extend(extra);
    let terminal = in_terminal(&args, &[("COLUMNS", columns)]);
    let shown = terminal
        .wait_for_stdout("<this-host>")
        .await
        .replace('\r', "");
    let url = terminal.launch_url().await.trim_end().to_owned();
    (shown, url)
}

#[tokio::test]
async fn the_address_stands_alone_between_blank_lines_and_the_words_around_it_wrap() {
    for extra in [&[][..], &["--print"][..]] {
        let (shown, url) = start_screen("50", extra).await;

        assert!(
            shown.contains(&format!(":\n\n{url}\n\nNext: ")),
            "{extra:?}: the address alone, unindented, a blank line either side:\n{shown}"
        );
        for line in shown.lines().filter(|line| *line != url) {
            assert!(
                line.chars().count() <= 50,
                "{extra:?}: wider than COLUMNS: {line:?}"
            );
        }
        let words = shown.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            words.contains("sftoken is running. Open this address in your browser (it works once; sftoken prints a fresh one after each use):"),
            "{extra:?}: words broken, not wrapped: {shown}"
        );
    }
}

#[tokio::test]
async fn after_a_sign_in_the_terminal_says_who_signed_in_to_which_org() {
    let (mut binary, mock) = binary_and_mock(&[], &[]).await;
    let visitor = Visitor::launch(&binary.launch_url().await).await;
    let secret = mock.options().client_secret.clone();

    let captured = visitor.sign_in(&mock, &secret, "allow").await;

    assert_eq!(captured.result["status"], "captured");
    let said = binary.wait_for_stderr("Signed in as").await;
    assert!(
        said.contains(
            "Signed in as Ada Admin (admin@acme-mock.example) to Acme Mock Inc (production); the settings are on the page. Press Done or Ctrl-C when you have copied them.\n"
        ),
        "{said}"
    );
    binary.interrupt();
    assert_eq!(binary.wait().await, 0);
}

#[tokio::test]
async fn a_failed_sign_in_is_one_warning_with_the_advice_worded_for_the_terminal() {
    let (mut binary, mock) = binary_and_mock(&[], &[]).await;
    let visitor = Visitor::launch(&binary.launch_url().await).await;

    let wrong_secret = visitor.sign_in(&mock, "not-the-secret", "allow").await;

    assert_eq!(wrong_secret.result["status"], "failed");
    let said = binary.wait_for_stderr("warning: The sign-in failed.").await;
    assert!(
        said.contains(
            "warning: The sign-in failed. The Consumer Secret is wrong. Copy the secret again from External Client App Manager → your app → Settings → OAuth Settings → Consumer Key and Secret, paste it into the secret field in step 2 of the page, and sign in again.\n"
        ),
        "{said}"
    );
    assert!(!said.contains("this page"), "{said}");
    assert!(!said.contains("not-the-secret"), "{said}");
    binary.interrupt();
    assert_eq!(binary.wait().await, 0);
}

/// What tracing's own format shows: levels in capitals, targets, spans.
const RAW_TRACING: &[&str] = &["INFO", "DEBUG", "WARN ", "sftoken::", "request{"];

#[tokio::test]
async fn raw_tracing_output_comes_only_with_v_or_rust_log() {
    for (args, env, raw) in [
        (&[][..], &[][..], false),
        (&["-v"][..], &[][..], true),
        (&[][..], &[("RUST_LOG", "sftoken=debug")][..], true),
    ] {
        let (mut binary, mock) = binary_and_mock(args, env).await;
        let visitor = Visitor::launch(&binary.launch_url().await).await;
        let secret = mock.options().client_secret.clone();
        visitor.sign_in(&mock, &secret, "allow").await;
        visitor.sign_in(&mock, &secret, "deny").await;
        binary.wait_for_stderr("The sign-in failed").await;
        binary.interrupt();
        assert_eq!(binary.wait().await, 0);

        let stderr = binary.stderr();
        let shown: Vec<&&str> = RAW_TRACING
            .iter()
            .filter(|raw| stderr.contains(**raw))
            .collect();
        assert_eq!(
            !shown.is_empty(),
            raw,
            "{args:?} {env:?}: {shown:?} in {stderr}"
        );
        assert!(!stderr.contains('\u{1b}'), "no colour in a pipe: {stderr}");
    }
}

#[tokio::test]
async fn print_puts_the_copy_all_text_alone_on_stdout_after_the_first_sign_in_and_exits_0() {
    let (mut binary, mock) = binary_and_mock(&["--print"], &[]).await;
    let launch_url = binary.launch_url().await;
    let visitor = Visitor::launch(&launch_url).await;
    let secret = mock.options().client_secret.clone();

    let authorize_url = visitor.authorize_url(&mock, &secret).await;
    let callback_url = visitor.consent(&authorize_url, "allow").await;
    visitor.get(&callback_url).await;

    assert_eq!(binary.wait().await, 0, "{}", binary.stderr());
    let stdout = binary.stdout();
    let lines: Vec<&str> = stdout.lines().collect();
    let token = lines
        .iter()
        .find_map(|l| l.strip_prefix("Refresh token: "))
        .expect("a refresh token line");
    assert_eq!(lines, expected_copy_all(&mock, token), "{stdout}");
    assert!(mock.refresh(token).await.is_ok());
    let stderr = binary.stderr();
    assert!(stderr.contains(&launch_url), "the address is on stderr");
    assert!(
        stderr.contains(
            "Signed in as Ada Admin (admin@acme-mock.example) to Acme Mock Inc (production).\n"
        ),
        "{stderr}"
    );
}

#[tokio::test]
async fn json_into_a_file_keeps_the_file_clean_and_points_to_output() {
    let port = free_port();
    let mock = crate::helpers::mock_for_port(port, Default::default()).await;
    let path = std::env::temp_dir().join(format!(
        "sftoken-stdout-{}-{}.json",
        std::process::id(),
        sftoken::secret::random_id(6)
    ));
    let file = std::fs::File::create(&path).expect("stdout file");
    let mut binary = Binary::spawn_to_file(
        &[
            "--no-browser",
            "--json",
            "--port",
            &port.to_string(),
            "--allow-any-login-url",
            "--login-url",
            &mock.url(),
        ],
        file,
    );
    let first = binary.launch_url().await;
    let visitor = Visitor::launch(&first).await;
    let fresh = binary.next_launch_url(&first).await;
    let secret = mock.options().client_secret.clone();

    let authorize_url = visitor.authorize_url(&mock, &secret).await;
    let callback_url = visitor.consent(&authorize_url, "allow").await;
    visitor.get(&callback_url).await;

    assert_eq!(binary.wait().await, 0, "{}", binary.stderr());
    let written = std::fs::read_to_string(&path).expect("stdout file");
    let _ = std::fs::remove_file(&path);
    assert_eq!(written.lines().count(), 1, "the JSON alone: {written}");
    let json: Value = serde_json::from_str(&written).expect("one JSON object");
    assert_eq!(json["client_id"], mock.options().client_id);
    let stderr = binary.stderr();
    assert!(
        stderr.contains(&first) && stderr.contains(&fresh),
        "{stderr}"
    );
    assert!(
        stderr.contains("warning: Standard output is a file") && stderr.contains("--output FILE"),
        "{stderr}"
    );
}

#[tokio::test]
async fn json_into_a_pipe_says_nothing_about_files() {
    let (mut binary, _mock) = binary_and_mock(&["--json"], &[]).await;
    binary.launch_url().await;

    binary.interrupt();

    assert_eq!(binary.wait().await, 1, "stopped before a sign-in");
    assert!(!binary.stderr().contains("--output"), "{}", binary.stderr());
}

/// Sends a request for another host name, which sftoken refuses with a
/// warning, and returns what the terminal showed by then.
async fn provoke_a_warning(binary: &Binary, read: fn(&Binary) -> String) -> String {
    let launch_url = binary.launch_url().await;
    let port = port_of(&launch_url);
    let refused = crate::helpers::http_client()
        .get(format!("http://127.0.0.1:{port}/"))
        .header("host", "evil.example")
        .send()
        .await
        .expect("request");
    assert_eq!(refused.status(), reqwest::StatusCode::FORBIDDEN);
    binary
        .wait_until_said(read, "Refused a request for another host name")
        .await
}

#[tokio::test]
async fn warnings_are_coloured_only_on_a_terminal_without_no_color() {
    const ESC: char = '\u{1b}';
    let port = || free_port().to_string();

    let piped = Binary::spawn(&["--no-browser", "--port", &port()], &[]);
    let said = provoke_a_warning(&piped, Binary::stderr).await;
    assert!(
        said.contains("warning: Refused a request for another host name"),
        "{said}"
    );
    assert!(!said.contains(ESC), "a pipe gets no colour: {said:?}");

    let terminal = in_terminal(&["--no-browser", "--port", &port()], &[("TERM", "xterm")]);
    let said = provoke_a_warning(&terminal, Binary::stdout).await;
    assert!(said.contains(ESC), "a terminal gets colour: {said:?}");

    let no_color = in_terminal(
        &["--no-browser", "--port", &port()],
        &[("TERM", "xterm"), ("NO_COLOR", "1")],
    );
    let said = provoke_a_warning(&no_color, Binary::stdout).await;
    assert!(said.contains("warning: Refused a request"), "{said:?}");
    assert!(!said.contains(ESC), "NO_COLOR turns colour off: {said:?}");

    let verbose = in_terminal(
        &["-v", "--no-browser", "--port", &port()],
        &[("TERM", "xterm"), ("NO_COLOR", "1")],
    );
    let said = provoke_a_warning(&verbose, Binary::stdout).await;
    assert!(
        said.contains("WARN"),
        "-v shows tracing's own format: {said:?}"
    );
    assert!(!said.contains(ESC), "NO_COLOR holds with -v too: {said:?}");
}

#[tokio::test]
async fn check_at_a_terminal_reads_the_pasted_copy_all_block_whole_so_no_line_reaches_the_shell() {
    let (mock, token) = mock_with_token(MockOptions::default()).await;
    let copy_all = format!("{}\n", expected_copy_all(&mock, &token).join("\n"));
    // After sftoken, the shell reads the next line, as an interactive shell
    // would: anything sftoken left unread would reach it first.
    let command = format!(
        "{}; read -r next; echo \"the shell read: [$next]\"",
        sftoken_command(&["check", "--allow-any-login-url"])
    );
    let mut terminal = shell_in_terminal(&command, &[]);
    terminal
        .wait_for_stdout("Client ID (or paste the page's Copy all text): ")
        .await;

    terminal.write_stdin(&copy_all);
    let shown = terminal.wait_for_stdout("These settings work.").await;
    assert!(
        shown.contains(&format!(
            "Copy all text): {}",
            copy_all.lines().next().unwrap_or_default()
        )),
        "the first pasted line, the Client ID's, is shown: {shown}"
    );
    assert!(
        !shown.contains(&mock.options().client_secret),
        "the pasted secret is not: {shown}"
    );
    terminal.write_stdin("typed after sftoken\n");

    let shown = terminal.wait_for_stdout("the shell read: [").await;
    assert!(
        shown.contains("the shell read: [typed after sftoken]"),
        "a pasted line reached the shell: {shown}"
    );
    assert!(
        shown.contains("Read 5 of the five settings from the pasted text."),
        "{shown}"
    );
    assert!(shown.contains("Acme Mock Inc"), "{shown}");
    assert_eq!(terminal.wait().await, 0, "{shown}");
}

#[tokio::test]
async fn check_at_a_terminal_asks_for_a_missing_client_id_instead_of_refusing() {
    let (mock, token) = mock_with_token(MockOptions::default()).await;
    let secret = mock.options().client_secret.clone();
    let client_id = mock.options().client_id.clone();
    let mut terminal = in_terminal(
        &["check", "--allow-any-login-url", "--login-url", &mock.url()],
        &[
            ("SFTOKEN_CLIENT_SECRET", &secret),
            ("SFTOKEN_REFRESH_TOKEN", &token),
        ],
    );
    terminal.wait_for_stdout("Client ID (or paste").await;

    terminal.write_stdin(&format!("{client_id}\n"));

    let shown = terminal.wait_for_stdout("These settings work.").await;
    assert!(
        shown.contains(&format!(
            "Checking Client ID {client_id} against {}",
            mock.url()
        )),
        "{shown}"
    );
    assert!(
        !shown.contains("Client secret (not shown)"),
        "given, so not asked: {shown}"
    );
    assert_eq!(terminal.wait().await, 0, "{shown}");
}

#[tokio::test]
async fn check_at_a_terminal_shows_the_client_id_as_it_is_typed_and_hides_the_secrets() {
    let (mock, token) = mock_with_token(MockOptions::default()).await;
    let secret = mock.options().client_secret.clone();
    let client_id = mock.options().client_id.clone();
    let mut terminal = in_terminal(
        &["check", "--allow-any-login-url", "--login-url", &mock.url()],
        &[],
    );
    terminal.wait_for_stdout("Client ID (or paste").await;

    terminal.write_stdin(&format!("{client_id}\n"));
    let shown = terminal
        .wait_for_stdout("Client secret (not shown): ")
        .await;
    terminal.write_stdin(&format!("{secret}\n"));
    terminal
        .wait_for_stdout("Refresh token (not shown): ")
        .await;
    terminal.write_stdin(&format!("{token}\n"));

    assert!(
        shown.contains(&format!("Copy all text): {client_id}\r\n")),
        "the Client ID is shown after its prompt: {shown:?}"
    );
    let shown = terminal.wait_for_stdout("These settings work.").await;
    assert!(!shown.contains(&secret), "the secret is shown: {shown}");
    assert!(
        !shown.contains(&token),
        "the refresh token is shown: {shown}"
    );
    assert_eq!(terminal.wait().await, 0, "{shown}");
}

#[tokio::test]
async fn check_without_a_client_id_off_a_terminal_says_how_to_give_it_and_exits_2() {
    let mut binary = Binary::spawn(
        &["check"],
        &[
            ("SFTOKEN_CLIENT_SECRET", "a-secret"),
            ("SFTOKEN_REFRESH_TOKEN", "5Aep-a-token"),
        ],
    );

    assert_eq!(binary.wait().await, 2);
    assert!(
        binary.stderr().contains("--client-id"),
        "{}",
        binary.stderr()
    );
}

/// A listener that accepts connections and never answers.
async fn silent_listener() -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("addr").port();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = listener.accept().await {
            held.push(stream);
        }
    });
    port
}

#[tokio::test]
async fn check_shows_progress_during_a_slow_step_only_on_a_terminal() {
    let port = silent_listener().await;
    let login_url = format!("http://127.0.0.1:{port}");
    let args = [
        "check",
        "--allow-any-login-url",
        "--login-url",
        &login_url,
        "--client-id",
        "3MVG9-progress",
        "--http-timeout",
        "1s",
    ];
    let env = [
        ("SFTOKEN_CLIENT_SECRET", "a-secret"),
        ("SFTOKEN_REFRESH_TOKEN", "5Aep-a-token"),
    ];

    let mut terminal = in_terminal(&args, &env);
    let mut piped = Binary::spawn(&args, &env);

    assert_eq!(terminal.wait().await, 1);
    assert!(
        terminal
            .stdout()
            .contains("\rChecking the refresh token (0s)…"),
        "{:?}",
        terminal.stdout()
    );
    assert_eq!(piped.wait().await, 1);
    assert!(
        !piped.stderr().contains("Checking the refresh token"),
        "{}",
        piped.stderr()
    );
    assert!(!piped.stderr().contains('\r'), "{:?}", piped.stderr());
}
