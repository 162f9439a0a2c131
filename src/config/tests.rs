use super::*;

fn file_with(text: &str) -> (tempfile_path::TempPath, PathBuf) {
    let temp = tempfile_path::TempPath::new(text);
    let path = temp.0.clone();
    (temp, path)
}

/// A file removed on drop, without a dev-dependency for it.
mod tempfile_path {
    pub struct TempPath(pub std::path::PathBuf);
    impl TempPath {
        pub fn new(text: &str) -> Self {
            static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
            let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let path = std::env::temp_dir()
                .join(format!("sftoken-config-{}-{n}.toml", std::process::id()));
            std::fs::write(&path, text).expect("write temp config");
            Self(path)
        }
    }
    impl Drop for TempPath {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.0);
        }
    }
}

#[test]
fn defaults_apply_when_nothing_is_given() {
    let config = Config::resolve(&Cli::default(), Env::default()).expect("config");
    assert_eq!(config.port, DEFAULT_PORT);
    assert_eq!(config.login_url.as_str(), PRODUCTION);
    assert!(config.open_browser);
    assert!(config.client_id.is_none());
}

#[test]
fn flags_beat_environment_which_beats_the_file() {
    let (_keep, path) = file_with(
        "port = 9000\nlogin_url = \"https://file.my.salesforce.com\"\nclient_id = \"from-file\"\nopen_browser = false\n",
    );
    let from_file = Cli {
        config: Some(path.clone()),
        ..Cli::default()
    };
    let config = Config::resolve(&from_file, Env::default()).expect("config");
    assert_eq!(config.port, 9000);
    assert_eq!(config.login_url.as_str(), "https://file.my.salesforce.com");
    assert_eq!(
        config.client_id.as_ref().map(ClientId::as_str),
        Some("from-file")
    );
    assert!(!config.open_browser);

    let env = Env {
        login_url: Some("https://env.my.salesforce.com".into()),
        client_secret: Some(ClientSecret::parse(" s3cret ").expect("a secret")),
        refresh_token: None,
    };
    let config = Config::resolve(&from_file, env).expect("config");
    assert_eq!(config.login_url.as_str(), "https://env.my.salesforce.com");
    assert_eq!(
        config.client_secret.as_ref().map(|s| s.expose()),
        Some("s3cret")
    );

    let flags = Cli {
        config: Some(path),
        port: Some(9100),
        sandbox: true,
        client_id: Some("from-flag".into()),
        ..Cli::default()
    };
    let env = Env {
        login_url: Some("https://env.my.salesforce.com".into()),
        client_secret: None,
        refresh_token: None,
    };
    let config = Config::resolve(&flags, env).expect("config");
    assert_eq!(config.port, 9100);
    assert_eq!(config.login_url.as_str(), SANDBOX);
    assert_eq!(
        config.client_id.as_ref().map(ClientId::as_str),
        Some("from-flag")
    );
}

#[test]
fn a_bad_file_is_reported_with_its_path() {
    let (_keep, path) = file_with("prot = 9000\n");
    let cli = Cli {
        config: Some(path.clone()),
        ..Cli::default()
    };
    let err = Config::resolve(&cli, Env::default()).expect_err("unknown key");
    let message = err.to_string();
    assert!(message.contains(&path.display().to_string()), "{message}");
    assert!(message.contains("\"prot\" is not a setting"), "{message}");
    assert!(message.contains("line 1, column 1"), "{message}");
}

#[test]
fn durations_read_as_people_write_them() {
    assert_eq!(parse_duration("30m"), Ok(Duration::from_secs(1800)));
    assert_eq!(parse_duration("90s"), Ok(Duration::from_secs(90)));
    assert_eq!(parse_duration("1h"), Ok(Duration::from_secs(3600)));
    assert_eq!(parse_duration("45"), Ok(Duration::from_secs(2700)));
    assert_eq!(parse_duration("0"), Ok(Duration::ZERO));
    assert!(parse_duration("soon").is_err());
    assert!(parse_duration("5d").is_err());
    assert!(parse_duration("").is_err());
}

#[test]
fn the_example_config_is_valid() {
    let file: FileConfig =
        toml::from_str(include_str!("../../config.example.toml")).expect("example parses");
    assert_eq!(file.port, Some(DEFAULT_PORT));
    assert_eq!(file.login_url.as_deref(), Some(PRODUCTION));
    assert_eq!(file.http_timeout, Some(DEFAULT_HTTP_TIMEOUT));
    assert_eq!(file.idle_timeout, Some(DEFAULT_IDLE_TIMEOUT));
}

#[test]
fn the_file_sets_http_timeout_and_output_and_flags_still_win() {
    let (_keep, path) = file_with("http_timeout = \"2m\"\noutput = \"from-file.json\"\n");
    let json = Cli {
        config: Some(path.clone()),
        json: true,
        ..Cli::default()
    };
    let config = Config::resolve(&json, Env::default()).expect("config");
    assert_eq!(config.http_timeout, Duration::from_secs(120));
    assert_eq!(config.output, Some(PathBuf::from("from-file.json")));

    let flags = Cli {
        http_timeout: Some(Duration::from_secs(5)),
        output: Some(PathBuf::from("from-flag.json")),
        ..json
    };
    let config = Config::resolve(&flags, Env::default()).expect("config");
    assert_eq!(config.http_timeout, Duration::from_secs(5));
    assert_eq!(config.output, Some(PathBuf::from("from-flag.json")));

    let without_json = Cli {
        config: Some(path),
        ..Cli::default()
    };
    let config = Config::resolve(&without_json, Env::default()).expect("config");
    assert_eq!(config.output, None, "output only goes with --json");
}

#[test]
fn a_missing_file_is_reported() {
    let cli = Cli {
        config: Some(PathBuf::from("/nonexistent/sftoken.toml")),
        ..Cli::default()
    };
    let err = Config::resolve(&cli, Env::default()).expect_err("missing file");
    assert!(matches!(err, ConfigError::Read { .. }));
}

#[test]
fn the_callback_url_comes_from_the_flag_the_environment_or_the_file() {
    let default = Config::resolve(&Cli::default(), Env::default()).expect("config");
    assert_eq!(
        default.callback_url.as_str(),
        "https://login.salesforce.com/services/oauth2/success"
    );
    let (_keep, path) =
        file_with("callback_url = \"https://test.salesforce.com/services/oauth2/success\"\n");
    let from_file = Cli {
        config: Some(path),
        ..Cli::default()
    };
    let config = Config::resolve(&from_file, Env::default()).expect("config");
    assert_eq!(
        config.callback_url.as_str(),
        "https://test.salesforce.com/services/oauth2/success"
    );
    // clap fills the flag from SFTOKEN_CALLBACK_URL.
    let flag = Cli {
        callback_url: Some("https://acme.my.salesforce.com/services/oauth2/success".into()),
        ..from_file
    };
    let config = Config::resolve(&flag, Env::default()).expect("config");
    assert_eq!(
        config.callback_url.as_str(),
        "https://acme.my.salesforce.com/services/oauth2/success"
    );
    let wrong = Cli {
        callback_url: Some("https://evil.example/services/oauth2/success".into()),
        ..Cli::default()
    };
    assert!(matches!(
        Config::resolve(&wrong, Env::default()),
        Err(ConfigError::CallbackUrl(_))
    ));
}

#[test]
fn a_foreign_login_url_is_refused_unless_allowed() {
    let cli = Cli {
        login_url: Some("https://example.com".into()),
        ..Cli::default()
    };
    assert!(matches!(
        Config::resolve(&cli, Env::default()),
        Err(ConfigError::LoginUrl(_))
    ));
    let cli = Cli {
        allow_any_login_url: true,
        ..cli
    };
    assert!(Config::resolve(&cli, Env::default()).is_ok());
}

#[test]
fn a_bad_consumer_key_is_refused_with_where_it_came_from() {
    let flag = Cli {
        client_id: Some("3MVG9 two words".into()),
        ..Cli::default()
    };
    let err = Config::resolve(&flag, Env::default()).expect_err("a bad key");
    assert_eq!(
        err.to_string(),
        "--client-id or SFTOKEN_CLIENT_ID: The Client ID looks wrong: it is one word of letters and digits. Copy it again."
    );

    let (_keep, path) = file_with(&format!("client_id = \"{}\"\n", "k".repeat(257)));
    let from_file = Cli {
        config: Some(path.clone()),
        ..Cli::default()
    };
    let err = Config::resolve(&from_file, Env::default()).expect_err("too long");
    assert_eq!(
        err.to_string(),
        format!(
            "client_id in {}: The Client ID looks wrong: it is one word of letters and digits. Copy it again.",
            path.display()
        )
    );
}

#[test]
fn a_blank_consumer_key_counts_as_not_given_and_the_flag_still_wins() {
    let (_keep, path) = file_with("client_id = \"from-file\"\n");
    let blank_flag = Cli {
        config: Some(path.clone()),
        client_id: Some("   ".into()),
        ..Cli::default()
    };
    let config = Config::resolve(&blank_flag, Env::default()).expect("config");
    assert_eq!(config.client_id, None);

    let (_keep, blank) = file_with("client_id = \" \"\n");
    let blank_file = Cli {
        config: Some(blank),
        ..Cli::default()
    };
    let config = Config::resolve(&blank_file, Env::default()).expect("config");
    assert_eq!(config.client_id, None);
    let trimmed = Cli {
        config: Some(path),
        client_id: Some(" 3MVG9key\n".into()),
        ..Cli::default()
    };
    let config = Config::resolve(&trimmed, Env::default()).expect("config");
    assert_eq!(
        config.client_id.as_ref().map(ClientId::as_str),
        Some("3MVG9key")
    );
}

#[test]
fn the_loopback_generic_host_is_for_tests_and_only_with_any_login_url() {
    use clap::Parser;
    let parse = |args: &[&str]| Cli::try_parse_from([&["sftoken"], args].concat());
    assert!(
        parse(&["--loopback-generic-host"]).is_err(),
        "refused without --allow-any-login-url"
    );
    for (args, policy) in [
        (&["--allow-any-login-url"][..], HostPolicy::Any),
        (
            &["check", "--allow-any-login-url", "--loopback-generic-host"][..],
            HostPolicy::AnyWithLoopbackGeneric,
        ),
        (&[][..], HostPolicy::Salesforce),
    ] {
        let cli = parse(args).expect("valid flags");
        let config = Config::resolve(&cli, Env::default()).expect("config");
        assert_eq!(config.login_url.policy(), policy, "{args:?}");
    }
}
