//! The terminal an admin meets: input checks with exit code 2 and plain
//! words, help for each command, human lines by default, and no colour where
//! it does not belong.

use crate::helpers::Binary;

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

/// A config file with `text`, removed when dropped.
struct ConfigFile(std::path::PathBuf);

impl ConfigFile {
    fn new(text: &str) -> Self {
        let path = std::env::temp_dir().join(format!(
            "sftoken-terminal-{}-{}.toml",
            std::process::id(),
            sftoken::secret::random_id(6)
        ));
        std::fs::write(&path, text).expect("write the config file");
        Self(path)
    }

    fn path(&self) -> String {
        self.0.display().to_string()
    }
}

impl Drop for ConfigFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
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
    let mut help = Binary::spawn(args, &[]);
    assert_eq!(help.wait().await, 0, "{args:?}");
    help.stdout()
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
    }
}

#[tokio::test]
async fn a_page_only_flag_given_to_check_is_refused_with_exit_2() {
    let mut binary = Binary::spawn(&["check", "--port", "9000"], &[]);

    assert_eq!(binary.wait().await, 2);
    assert!(binary.stderr().contains("--port"), "{}", binary.stderr());
}
