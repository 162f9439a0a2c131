//! One rule per setting, held by its type, in the same words on every
//! surface: the page's forms, `sftoken check` (piped, typed at its prompt,
//! from the environment), `sftoken paste` (its prompt), `--client-id`,
//! `SFTOKEN_CLIENT_ID` and the config file. The words are taken from the
//! page itself, so a surface that drifts from them fails here.

use serde_json::{Value, json};

use crate::helpers::{Binary, ConfigFile, JsonBody, TestApp, Visitor, in_terminal};

/// A Consumer Key with a space in it.
const BAD_KEY: &str = "3MVG9 two words";

/// The page's refusals, one per rule.
struct PageWords {
    key: String,
    secret: String,
    token: String,
}

/// What the page's "Check an existing setup" answers to a form with one bad
/// value in each of the Consumer Key, the Consumer Secret and the refresh
/// token.
async fn page_words() -> PageWords {
    let app = TestApp::start("https://login.salesforce.com", |_| {}).await;
    let visitor = Visitor::launch(&app.launch_url()).await;
    let refusal = async |field: &str, value: Value| {
        let mut form = json!({
            "client_id": "3MVG9key",
            "client_secret": "a-secret",
            "refresh_token": "5Aep-a-token",
            "login_url": "https://login.salesforce.com",
        });
        form[field] = value;
        let response = visitor.post("/api/check", form).await;
        assert_eq!(
            response.status(),
            reqwest::StatusCode::BAD_REQUEST,
            "{field}"
        );
        let body = response.json_value().await;
        assert_eq!(body["error"]["field"], field, "{body}");
        body["error"]["message"]
            .as_str()
            .expect("a message")
            .to_owned()
    };
    let words = PageWords {
        key: refusal("client_id", json!(BAD_KEY)).await,
        secret: refusal("client_secret", json!(long_secret())).await,
        token: refusal("refresh_token", json!(long_token())).await,
    };
    app.stop().await;
    words
}

/// One byte over the Consumer Secret's 1024, easy to spot if shown.
fn long_secret() -> String {
    format!("{}X", "Secret-0".repeat(128))
}

/// One byte over the refresh token's 4096, easy to spot if shown.
fn long_token() -> String {
    format!("{}X", "5AepTok-".repeat(512))
}

#[tokio::test]
async fn check_refuses_a_bad_piped_value_with_exit_2_in_the_page_words() {
    let page = page_words().await;
    let cases = [
        (
            format!("Client ID: {BAD_KEY}\nClient secret: s\nRefresh token: 5Aep\n"),
            &page.key,
        ),
        (
            format!(
                "Client ID: 3MVG9key\nClient secret: {}\nRefresh token: 5Aep\n",
                long_secret()
            ),
            &page.secret,
        ),
        (
            format!(
                "Client ID: 3MVG9key\nClient secret: s\nRefresh token: {}\n",
                long_token()
            ),
            &page.token,
        ),
    ];
    for (copy_all, words) in cases {
        let mut binary = Binary::spawn_with(&["check"], &[], &[], Some(&copy_all));

        assert_eq!(binary.wait().await, 2, "{words}: {}", binary.stderr());
        let stderr = binary.stderr();
        assert_eq!(stderr.trim_end(), format!("sftoken: {words}"));
    }
}

#[tokio::test]
async fn check_and_paste_refuse_a_bad_typed_key_in_the_page_words() {
    let page = page_words().await;
    let secrets = [
        ("SFTOKEN_CLIENT_SECRET", "a-secret"),
        ("SFTOKEN_REFRESH_TOKEN", "5Aep-a-token"),
    ];
    for (command, question) in [
        ("check", "Client ID (or paste"),
        ("paste", "Client ID (Consumer Key): "),
    ] {
        let mut terminal = in_terminal(&[command], &secrets);
        terminal.wait_for_stdout(question).await;

        terminal.write_stdin(&format!("{BAD_KEY}\n"));

        assert_eq!(terminal.wait().await, 2, "{command}: {}", terminal.stdout());
        let shown = terminal.stdout();
        assert!(
            shown.contains(&format!("sftoken: {}", page.key)),
            "{command}: {shown}"
        );
    }
}

/// A run of the binary that must stop with exit 2 and say `says` alone.
struct Refused<'a> {
    args: &'a [&'a str],
    env: &'a [(&'a str, &'a str)],
    says: String,
}

impl Refused<'_> {
    async fn check(self) {
        let mut binary = Binary::spawn(self.args, self.env);

        assert_eq!(
            binary.wait().await,
            2,
            "{:?}: {}",
            self.args,
            binary.stderr()
        );
        assert_eq!(binary.stderr().trim_end(), self.says, "{:?}", self.args);
        assert!(binary.stdout().is_empty(), "{:?}", self.args);
    }
}

#[tokio::test]
async fn a_bad_key_from_the_flag_the_environment_or_the_config_file_exits_2_in_the_page_words() {
    let page = page_words().await;
    let file = ConfigFile::new(&format!("client_id = \"{}\"\n", "k".repeat(257)));
    let flag = format!("sftoken: --client-id or SFTOKEN_CLIENT_ID: {}", page.key);
    let runs = [
        Refused {
            args: &["--no-browser", "--client-id", BAD_KEY],
            env: &[],
            says: flag.clone(),
        },
        Refused {
            args: &["check"],
            env: &[("SFTOKEN_CLIENT_ID", "3MVG9\tkey")],
            says: flag,
        },
        Refused {
            args: &["paste", "--config", &file.path()],
            env: &[],
            says: format!("sftoken: client_id in {}: {}", file.path(), page.key),
        },
    ];
    for run in runs {
        run.check().await;
    }
}

#[tokio::test]
async fn a_secret_in_the_environment_that_breaks_its_rule_exits_2_without_showing_it() {
    let page = page_words().await;
    let runs = [
        Refused {
            args: &["--no-browser"],
            env: &[("SFTOKEN_CLIENT_SECRET", &long_secret())],
            says: format!("sftoken: SFTOKEN_CLIENT_SECRET: {}", page.secret),
        },
        Refused {
            args: &["check", "--client-id", "3MVG9key"],
            env: &[
                ("SFTOKEN_CLIENT_SECRET", "a-secret"),
                ("SFTOKEN_REFRESH_TOKEN", &long_token()),
            ],
            says: format!("sftoken: SFTOKEN_REFRESH_TOKEN: {}", page.token),
        },
    ];
    // The whole of standard error is the sentence, so no part of the value.
    for run in runs {
        run.check().await;
    }
}
