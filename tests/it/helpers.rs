//! Test plumbing: start sftoken on port 0 against the mock, and visit it like a
//! browser (one cookie jar, redirects followed by hand, Origin and CSRF headers).

use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::Value;
use sftoken::config::Config;
use sftoken::login_url::{HostPolicy, LoginUrl};
use sftoken::signin::report::CheckKind;
use sftoken::web::{AppState, SESSION_HEADER, Server};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use crate::mock_salesforce::{JsonBody, http_client, location, query_param};
use crate::mock_salesforce::{MockOptions, MockSalesforce, refresh_token};

/// How long any wait in a test may take before it fails.
pub const DEADLINE: Duration = Duration::from_secs(15);

/// A loopback port nothing listens on now: for the binary, whose callback
/// the mock must know before the binary starts.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free loopback port")
        .port()
}

/// A mock Salesforce whose app accepts this sftoken port's callback.
pub async fn mock_for_port(port: u16, options: MockOptions) -> MockSalesforce {
    MockSalesforce::with_callback(&format!("http://localhost:{port}/callback"), options).await
}

/// The real binary on a free port, and a mock whose app accepts its
/// callback; `extra_args` and `env` are added.
pub async fn binary_and_mock(
    extra_args: &[&str],
    env: &[(&str, &str)],
) -> (Binary, MockSalesforce) {
    binary_and_mock_with(MockOptions::default(), extra_args, env).await
}

/// As [`binary_and_mock`], with the mock set up by `options`.
pub async fn binary_and_mock_with(
    options: MockOptions,
    extra_args: &[&str],
    env: &[(&str, &str)],
) -> (Binary, MockSalesforce) {
    let port = free_port();
    let mock = mock_for_port(port, options).await;
    let port_arg = port.to_string();
    let mock_url = mock.url();
    let mut args = vec![
        "--no-browser",
        "--port",
        &port_arg,
        "--allow-any-login-url",
        "--login-url",
        &mock_url,
    ];
    args.extend_from_slice(extra_args);
    (Binary::spawn(&args, env), mock)
}

/// sftoken running in-process on a free port.
pub struct TestApp {
    pub port: u16,
    state: AppState,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

impl TestApp {
    /// Starts sftoken with `configure` applied to a default config whose login
    /// URL is `login_url`: with Salesforce's host policy when it is a
    /// Salesforce URL, else as with `--allow-any-login-url` (a mock).
    pub async fn start(login_url: &str, configure: impl FnOnce(&mut Config)) -> TestApp {
        let policy = match LoginUrl::parse(login_url, HostPolicy::Salesforce) {
            Ok(_) => HostPolicy::Salesforce,
            Err(_) => HostPolicy::Any,
        };
        Self::start_with(policy, login_url, configure).await
    }

    /// Starts sftoken with this host policy.
    pub async fn start_with(
        policy: HostPolicy,
        login_url: &str,
        configure: impl FnOnce(&mut Config),
    ) -> TestApp {
        let mut config = Config::new(LoginUrl::parse(login_url, policy).expect("login URL"));
        config.port = 0;
        config.open_browser = false;
        configure(&mut config);
        let server = Server::bind(config).await.expect("bind port 0");
        let port = server.state().port();
        let state = server.state().clone();
        let (stop, stopped) = oneshot::channel();
        let task = tokio::spawn(server.serve(async {
            let _ = stopped.await;
        }));
        TestApp {
            port,
            state,
            stop: Some(stop),
            task: Some(task),
        }
    }

    /// The address to open now; each works once.
    pub fn launch_url(&self) -> String {
        self.state.launch_url()
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://localhost:{}{path}", self.port)
    }

    pub fn origin(&self) -> String {
        format!("http://localhost:{}", self.port)
    }

    /// Stops serving and waits for the server to finish.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.expect("server task").expect("server result");
        }
    }
}

/// A real Chromium on the page, opened from a fresh launch address, showing
/// the setup.
pub async fn open_page(app: &TestApp) -> crate::webdriver::Browser {
    let browser = crate::webdriver::Browser::start().await;
    browser.goto(&app.launch_url()).await;
    browser.find("#setup:not([hidden])").await;
    browser
}

/// Waits until the page in `browser` shows the result with all its checks
/// finished.
pub async fn wait_for_checks_finished(browser: &crate::webdriver::Browser) {
    browser.find("#result:not([hidden])").await;
    browser
        .wait_for_text("#checks-progress", |t| t.contains("finished"))
        .await;
}

/// Unfolds the result's checks and scrolls them to the top of the window.
pub async fn show_checks(browser: &crate::webdriver::Browser) {
    browser
        .execute(
            "const checks = document.getElementById('checks'); checks.open = true; checks.scrollIntoView();",
            vec![],
        )
        .await;
}

/// A real Chromium on the page, signed in at the mock through the page's own
/// session, showing the result.
pub async fn browser_signed_in(
    app: &TestApp,
    mock: &MockSalesforce,
) -> (crate::webdriver::Browser, Visitor, SignIn) {
    let browser = open_page(app).await;
    let page = Visitor::of_page(&browser, &app.origin()).await;
    let sign_in = page
        .sign_in(mock, &mock.options().client_secret, "allow")
        .await;
    browser.goto(&app.url(&sign_in.callback_location)).await;
    browser.find("#result:not([hidden])").await;
    (browser, page, sign_in)
}

/// The page in `browser` showing a sign-in waiting for Salesforce, started
/// through the page's session at `mock`.
pub async fn show_pending_sign_in(
    browser: &crate::webdriver::Browser,
    app: &TestApp,
    visitor: &Visitor,
    mock: &MockSalesforce,
) {
    let options = mock.options();
    let started = visitor
        .start_login(&options.client_id, &options.client_secret, &mock.url())
        .await;
    assert!(started.status().is_success());
    browser.goto(&app.url("/")).await;
    browser.find("#pending:not([hidden])").await;
}

/// The page in `browser` showing Salesforce's refusal of a user the app's
/// policies do not assign, from a mock that refuses on the app's port.
pub async fn show_refusal_of_an_unassigned_user(
    browser: &crate::webdriver::Browser,
    app: &TestApp,
    visitor: &Visitor,
) {
    let refusing = mock_for_port(
        app.port,
        MockOptions {
            user_not_assigned: true,
            ..MockOptions::default()
        },
    )
    .await;
    let authorize_url = visitor
        .authorize_url(&refusing, &refusing.options().client_secret)
        .await;
    let callback = Visitor::elsewhere().refused(&authorize_url).await;
    browser.goto(&callback).await;
    browser.find("#failure:not([hidden])").await;
}

/// A mock with default options and an app started against it, in the order the
/// port requires: the app first (port 0), then the mock that knows its callback.
/// The page may sign in at the mock (on loopback), as with
/// `--allow-any-login-url`.
pub async fn app_and_mock(options: MockOptions) -> (TestApp, MockSalesforce) {
    let app = TestApp::start_with(HostPolicy::Any, sftoken::login_url::PRODUCTION, |_| {}).await;
    let mock = mock_for_port(app.port, options).await;
    (app, mock)
}

/// As [`app_and_mock`], with the page opened from its launch address.
pub async fn page_and_mock(options: MockOptions) -> (TestApp, MockSalesforce, Visitor) {
    let (app, mock) = app_and_mock(options).await;
    let visitor = Visitor::launch(&app.launch_url()).await;
    (app, mock, visitor)
}

/// As [`page_and_mock`], then a whole sign-in the user allowed, with the
/// mock's own secret.
pub async fn signed_in(options: MockOptions) -> (TestApp, MockSalesforce, Visitor, SignIn) {
    let (app, mock, visitor) = page_and_mock(options).await;
    let sign_in = visitor
        .sign_in(&mock, &mock.options().client_secret, "allow")
        .await;
    (app, mock, visitor, sign_in)
}

/// What one sign-in ended with, as the page would load it.
pub struct SignIn {
    /// The sign-in's id, as in `/result/{id}`.
    pub id: String,
    /// Where sftoken's callback sent the browser.
    pub callback_location: String,
    /// The callback address Salesforce sent the browser to.
    pub callback_url: String,
    /// The `/api/login/{id}` JSON.
    pub result: Value,
}

/// A browser tab: the page's origin and the session key its script keeps in
/// `sessionStorage` and sends in a header.
pub struct Visitor {
    pub http: reqwest::Client,
    pub origin: String,
    pub session: Option<String>,
}

/// The launch token in a launch address (`http://localhost:PORT/#token=…`).
pub fn launch_token(launch_url: &str) -> String {
    launch_url
        .split_once("#token=")
        .map(|(_, token)| token.to_owned())
        .expect("the launch address carries #token=")
}

impl Visitor {
    /// Opens the launch address as the page does: loads the page, then trades
    /// the token from the fragment for the session key.
    pub async fn launch(launch_url: &str) -> Visitor {
        let url = reqwest::Url::parse(launch_url).expect("launch URL");
        let mut visitor = Self::elsewhere_at(&url.origin().ascii_serialization(), None);
        let page = visitor.get("/").await;
        assert_eq!(page.status(), StatusCode::OK, "the page loads");
        let opened = visitor
            .post(
                "/api/session",
                serde_json::json!({ "token": launch_token(launch_url) }),
            )
            .await;
        assert_eq!(opened.status(), StatusCode::OK, "the launch token is taken");
        let opened = opened.json_value().await;
        visitor.session = opened["session_key"].as_str().map(str::to_owned);
        assert!(visitor.session.is_some(), "a session key: {opened}");
        visitor
    }

    /// A browser with no sftoken session: another tab or computer, used only
    /// to sign in at Salesforce.
    pub fn elsewhere() -> Visitor {
        Self::elsewhere_at("", None)
    }

    /// The API as the page in `browser` reaches it: with the session key its
    /// script keeps in `sessionStorage`.
    pub async fn of_page(browser: &crate::webdriver::Browser, origin: &str) -> Visitor {
        let key = browser
            .execute("return sessionStorage.getItem('sftoken-session');", vec![])
            .await;
        let key = key
            .as_str()
            .expect("the page holds a session key")
            .to_owned();
        Self::elsewhere_at(origin, Some(key))
    }

    /// A client at `origin` with this session key (or none), which it did not
    /// get from sftoken.
    pub fn elsewhere_at(origin: &str, session: Option<String>) -> Visitor {
        Visitor {
            http: http_client(),
            origin: origin.to_owned(),
            session,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.origin)
    }

    /// GET with the session key; `target` is a path on sftoken or a full URL.
    pub async fn get(&self, target: &str) -> reqwest::Response {
        let url = if target.starts_with("http") {
            target.to_owned()
        } else {
            self.url(target)
        };
        let mut request = self.http.get(url);
        if let Some(session) = &self.session {
            request = request.header(SESSION_HEADER, session);
        }
        request.send().await.expect("GET")
    }

    pub async fn get_json(&self, path: &str) -> Value {
        let response = self.get(path).await;
        assert_eq!(response.status(), StatusCode::OK, "GET {path}");
        response.json_value().await
    }

    /// POST /api/login as the page does.
    pub async fn start_login(
        &self,
        client_id: &str,
        secret: &str,
        login_url: &str,
    ) -> reqwest::Response {
        let body = serde_json::json!({
            "client_id": client_id,
            "client_secret": secret,
            "login_url": login_url,
        });
        self.post("/api/login", body).await
    }

    /// POST any body to a path, as the page does: its Origin and the session
    /// key.
    pub async fn post(&self, path: &str, body: impl std::fmt::Display) -> reqwest::Response {
        let mut request = self
            .http
            .post(self.url(path))
            .header("content-type", "application/json")
            .header("origin", &self.origin)
            .body(body.to_string());
        if let Some(session) = &self.session {
            request = request.header(SESSION_HEADER, session);
        }
        request.send().await.expect("POST")
    }

    /// Clicks "Sign in with Salesforce" and returns the authorize URL.
    pub async fn authorize_url(&self, mock: &MockSalesforce, secret: &str) -> String {
        let response = self
            .start_login(&mock.options().client_id, secret, &mock.url())
            .await;
        assert_eq!(response.status(), StatusCode::OK, "start login");
        let body = response.json_value().await;
        body["authorize_url"]
            .as_str()
            .expect("authorize_url")
            .to_owned()
    }

    /// At Salesforce: opens the authorize URL and clicks Allow or Deny; returns
    /// the callback URL Salesforce redirects to.
    pub async fn consent(&self, authorize_url: &str, decision: &str) -> String {
        let page = self
            .http
            .get(authorize_url)
            .send()
            .await
            .expect("authorize");
        assert_eq!(page.status(), StatusCode::OK, "authorize page");
        let html = page.text().await.expect("authorize page body");
        let request_id =
            crate::mock_salesforce::request_id_from_page(&html).expect("request id on the page");
        let salesforce = reqwest::Url::parse(authorize_url)
            .expect("authorize URL")
            .origin()
            .ascii_serialization();
        let response = crate::mock_salesforce::decide(&salesforce, &request_id, decision).await;
        assert_eq!(
            response.status(),
            StatusCode::FOUND,
            "Salesforce redirects back"
        );
        location(&response)
    }

    /// At Salesforce: opens the authorize URL, which refuses the sign-in
    /// after the login and redirects at once; returns where it redirects to.
    pub async fn refused(&self, authorize_url: &str) -> String {
        let response = self
            .http
            .get(authorize_url)
            .send()
            .await
            .expect("authorize");
        assert_eq!(
            response.status(),
            StatusCode::FOUND,
            "Salesforce redirects with its refusal"
        );
        location(&response)
    }

    /// Follows sftoken's callback answer to the result, as the page would.
    pub async fn finish(&self, callback_url: &str) -> SignIn {
        let response = self.get(callback_url).await;
        assert_eq!(
            response.status(),
            StatusCode::SEE_OTHER,
            "callback redirects"
        );
        let callback_location = location(&response);
        let id = callback_location
            .strip_prefix("/result/")
            .expect("callback redirects to a result page")
            .to_owned();
        let page = self.get(&callback_location).await;
        assert_eq!(page.status(), StatusCode::OK, "result page");
        let result = self.checked_result(&id).await;
        SignIn {
            id,
            callback_location,
            callback_url: callback_url.to_owned(),
            result,
        }
    }

    /// `/api/login/{id}` once the sign-in failed or its checks finished.
    pub async fn checked_result(&self, id: &str) -> Value {
        let started = Instant::now();
        loop {
            let result = self.get_json(&format!("/api/login/{id}")).await;
            if result["status"] == "failed" || result["checks"]["done"] == true {
                return result;
            }
            assert!(
                started.elapsed() < DEADLINE,
                "checks did not finish: {result}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// A whole sign-in: form, consent, callback, result.
    pub async fn sign_in(&self, mock: &MockSalesforce, secret: &str, decision: &str) -> SignIn {
        let authorize_url = self.authorize_url(mock, secret).await;
        let callback_url = self.consent(&authorize_url, decision).await;
        self.finish(&callback_url).await
    }
}

/// The real `sftoken` binary, with its output collected; killed on drop.
pub struct Binary {
    child: Child,
    stdout: Arc<Mutex<Vec<u8>>>,
    stderr: Arc<Mutex<Vec<u8>>>,
    /// The threads reading the pipes; each ends when its pipe closes.
    readers: Vec<std::thread::JoinHandle<()>>,
}

impl Binary {
    pub fn spawn(args: &[&str], env: &[(&str, &str)]) -> Binary {
        Self::spawn_with(args, env, &[], None)
    }

    /// Like `spawn`, also removing the variables named in `unset`, and writing
    /// `stdin` to standard input and closing it (`None`: empty; `Some("")`:
    /// left open for `send_stdin`).
    pub fn spawn_with(
        args: &[&str],
        env: &[(&str, &str)],
        unset: &[&str],
        stdin: Option<&str>,
    ) -> Binary {
        Self::spawn_program(env!("CARGO_BIN_EXE_sftoken"), args, env, unset, stdin)
    }

    /// sftoken with its standard output written to `file`, as in
    /// `sftoken --json > out.json`.
    pub fn spawn_to_file(args: &[&str], file: std::fs::File) -> Binary {
        Self::spawn_command(
            env!("CARGO_BIN_EXE_sftoken"),
            args,
            &[],
            &[],
            None,
            Some(file),
        )
    }

    /// Runs `program` (sftoken, or a wrapper such as `/usr/bin/time` around it)
    /// with sftoken's variables cleared.
    pub fn spawn_program(
        program: &str,
        args: &[&str],
        env: &[(&str, &str)],
        unset: &[&str],
        stdin: Option<&str>,
    ) -> Binary {
        Self::spawn_command(program, args, env, unset, stdin, None)
    }

    fn spawn_command(
        program: &str,
        args: &[&str],
        env: &[(&str, &str)],
        unset: &[&str],
        stdin: Option<&str>,
        stdout_file: Option<std::fs::File>,
    ) -> Binary {
        let mut command = Command::new(program);
        for name in [
            "RUST_LOG",
            "SFTOKEN_CLIENT_ID",
            "SFTOKEN_CLIENT_SECRET",
            "SFTOKEN_REFRESH_TOKEN",
            "SFTOKEN_LOGIN_URL",
            "SFTOKEN_PORT",
            "SFTOKEN_COMPANY_NAMES",
            "SFTOKEN_CALLBACK_URL",
        ]
        .iter()
        .chain(unset)
        {
            command.env_remove(name);
        }
        command
            .args(args)
            .envs(env.iter().copied())
            .stdin(if stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(stdout_file.map_or_else(Stdio::piped, Stdio::from))
            .stderr(Stdio::piped());
        let mut child = command.spawn().expect("spawn sftoken");
        // Some("") keeps standard input open for `send_stdin`.
        if let Some(text) = stdin.filter(|text| !text.is_empty()) {
            let mut pipe = child.stdin.take().expect("stdin");
            std::io::Write::write_all(&mut pipe, text.as_bytes()).expect("write stdin");
        }
        let mut readers = Vec::new();
        let stdout = match child.stdout.take() {
            Some(pipe) => collect(pipe, "stdout", &mut readers),
            None => Arc::default(),
        };
        let stderr = collect(child.stderr.take().expect("stderr"), "stderr", &mut readers);
        Binary {
            readers,
            child,
            stdout,
            stderr,
        }
    }

    /// The process id (the program's own, not a shell's).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Writes to standard input and leaves it open, as typing, a wrapper
    /// script or `docker run -i` does.
    pub fn write_stdin(&mut self, text: &str) {
        let pipe = self.child.stdin.as_mut().expect("stdin left open");
        std::io::Write::write_all(pipe, text.as_bytes()).expect("write stdin");
        std::io::Write::flush(pipe).expect("flush stdin");
    }

    /// Writes to standard input, then closes it.
    pub fn send_stdin(&mut self, text: &str) {
        self.send_stdin_bytes(text.as_bytes());
    }

    /// Writes bytes, which need not be text, to standard input, then closes it.
    pub fn send_stdin_bytes(&mut self, bytes: &[u8]) {
        let mut pipe = self.child.stdin.take().expect("stdin left open");
        std::io::Write::write_all(&mut pipe, bytes).expect("write stdin");
    }

    pub fn stdout(&self) -> String {
        text(&self.stdout)
    }

    pub fn stderr(&self) -> String {
        text(&self.stderr)
    }

    /// Waits for the launch address, on stdout, or on stderr with `--json`:
    /// the newest one printed.
    pub async fn launch_url(&self) -> String {
        self.next_launch_url("").await
    }

    /// Waits for a launch address other than `used` (the terminal prints a
    /// fresh one after each use), and returns the newest.
    pub async fn next_launch_url(&self, used: &str) -> String {
        let newest = || {
            let output = format!("{}\n{}", self.stdout(), self.stderr());
            let newest = output
                .lines()
                .rfind(|l| l.starts_with("http://localhost:") && l.contains("#token="));
            newest.filter(|url| *url != used).map(str::to_owned)
        };
        wait_for(newest, || {
            format!("no launch address was printed; stderr: {}", self.stderr())
        })
        .await
    }

    /// Waits for a stdout line that `matches`, and returns it.
    pub async fn wait_for_line(&self, matches: impl Fn(&str) -> bool) -> String {
        let line = || {
            self.stdout()
                .lines()
                .find(|l| matches(l))
                .map(str::to_owned)
        };
        wait_for(line, || {
            format!(
                "the expected line was not printed; stderr: {}",
                self.stderr()
            )
        })
        .await
    }

    /// Waits until standard error contains `text`, and returns all of it.
    pub async fn wait_for_stderr(&self, text: &str) -> String {
        self.wait_until_said(Self::stderr, text).await
    }

    /// Waits until standard output contains `text` (in a terminal, a prompt
    /// without a line break), and returns all of it.
    pub async fn wait_for_stdout(&self, text: &str) -> String {
        self.wait_until_said(Self::stdout, text).await
    }

    /// Waits until what `read` gives (`Binary::stdout` or `Binary::stderr`)
    /// contains `text`, and returns all of it.
    pub async fn wait_until_said(&self, read: fn(&Self) -> String, text: &str) -> String {
        let said = || Some(read(self)).filter(|said| said.contains(text));
        wait_for(said, || {
            format!(
                "never said {text:?}: {}\nstderr: {}",
                read(self),
                self.stderr()
            )
        })
        .await
    }

    /// Waits for the process to exit; returns its exit code.
    pub async fn wait(&mut self) -> i32 {
        let exited = || self.child.try_wait().expect("try_wait");
        let stderr = &self.stderr;
        let status = wait_for(exited, || {
            format!("sftoken did not exit; stderr: {}", text(stderr))
        })
        .await;
        // The readers have all the output once they reach the end of their
        // pipes (a program that inherited a pipe may hold it open: then stop
        // waiting after a while).
        let started = Instant::now();
        while !self.readers.iter().all(|reader| reader.is_finished())
            && started.elapsed() < Duration::from_secs(2)
        {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        status.code().unwrap_or(-1)
    }

    /// Sends Ctrl-C (SIGINT).
    pub fn interrupt(&self) {
        let status = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status()
            .expect("kill -INT");
        assert!(status.success());
    }
}

impl Drop for Binary {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Resident memory of a process, in KiB.
#[derive(Clone, Copy, Debug)]
pub struct Memory {
    /// `VmRSS`: resident now.
    pub rss_kib: u64,
    /// `VmHWM`: the most it was ever resident.
    pub hwm_kib: u64,
}

/// The one place that reads resident memory: `/proc/PID/status`.
pub fn memory(pid: u32) -> Memory {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_else(|e| panic!("/proc/{pid}/status: {e}"));
    let field = |name: &str| {
        status
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or_else(|| panic!("no {name} in /proc/{pid}/status"))
    };
    Memory {
        rss_kib: field("VmRSS:"),
        hwm_kib: field("VmHWM:"),
    }
}

/// What a pipe collected so far, as text.
fn text(output: &Mutex<Vec<u8>>) -> String {
    String::from_utf8_lossy(&output.lock().expect("output")).into_owned()
}

/// Asks `found` every 20 ms until it finds what it looks for, and returns
/// that; fails after `DEADLINE` with what `missing` says.
async fn wait_for<T>(mut found: impl FnMut() -> Option<T>, missing: impl Fn() -> String) -> T {
    let started = Instant::now();
    loop {
        if let Some(value) = found() {
            return value;
        }
        assert!(started.elapsed() < DEADLINE, "{}", missing());
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Everything read from `pipe`, as it arrives (a prompt without a line
/// break included).
fn collect(
    mut pipe: impl std::io::Read + Send + 'static,
    name: &str,
    readers: &mut Vec<std::thread::JoinHandle<()>>,
) -> Arc<Mutex<Vec<u8>>> {
    let bytes = Arc::new(Mutex::new(Vec::new()));
    let sink = bytes.clone();
    let name = name.to_owned();
    readers.push(std::thread::spawn(move || {
        let mut buffer = [0u8; 4096];
        while let Ok(read @ 1..) = pipe.read(&mut buffer) {
            if std::env::var_os("SFTOKEN_TEST_ECHO").is_some() {
                eprintln!(
                    "[sftoken {name}] {}",
                    String::from_utf8_lossy(&buffer[..read])
                );
            }
            sink.lock()
                .expect("output")
                .extend_from_slice(&buffer[..read]);
        }
    }));
    bytes
}

/// The port in a printed address, `http://localhost:PORT/…`.
pub fn port_of(url: &str) -> u16 {
    url.strip_prefix("http://localhost:")
        .and_then(|rest| rest.split('/').next())
        .and_then(|port| port.parse().ok())
        .unwrap_or_else(|| panic!("no port in {url}"))
}

/// A mock and a live refresh token for it, as `sftoken check` is given.
pub async fn mock_with_token(options: MockOptions) -> (MockSalesforce, String) {
    let mock = mock_for_port(1, options).await;
    let token = refresh_token(&mock.login("http://localhost:1/callback").await);
    (mock, token)
}

/// The five lines "Copy all" must give for a capture against `mock`.
pub fn expected_copy_all(mock: &MockSalesforce, refresh_token: &str) -> Vec<String> {
    vec![
        format!("Client ID: {}", mock.options().client_id),
        format!("Client secret: {}", mock.options().client_secret),
        format!("Refresh token: {refresh_token}"),
        format!("Login URL: {}", mock.url()),
        "Company names: *".to_owned(),
    ]
}

/// The real binary in a pseudo-terminal, through util-linux's `script`
/// (Debian's bsdutils): its standard input, output and error are a terminal,
/// and what the terminal shows (echo included) is `stdout()`. Type with
/// `write_stdin`; standard input stays open until the binary is dropped.
pub fn in_terminal(args: &[&str], env: &[(&str, &str)]) -> Binary {
    shell_in_terminal(&sftoken_command(args), env)
}

/// A shell `command` in a pseudo-terminal, as [`in_terminal`].
pub fn shell_in_terminal(command: &str, env: &[(&str, &str)]) -> Binary {
    Binary::spawn_program(
        "script",
        &[
            "--quiet",
            "--flush",
            "--return",
            "--command",
            command,
            "/dev/null",
        ],
        env,
        &[],
        Some(""),
    )
}

/// The shell command that runs sftoken with `args`, each word quoted.
pub fn sftoken_command(args: &[&str]) -> String {
    std::iter::once(env!("CARGO_BIN_EXE_sftoken"))
        .chain(args.iter().copied())
        .map(|word| format!("'{}'", word.replace('\'', r"'\''")))
        .collect::<Vec<_>>()
        .join(" ")
}

/// `sftoken check` of the mock's own settings with this refresh token and
/// `extra` arguments, run to its end.
pub async fn run_check_with_token(mock: &MockSalesforce, token: &str, extra: &[&str]) -> Binary {
    let secret = mock.options().client_secret.clone();
    run_check(
        mock,
        extra,
        &[
            ("SFTOKEN_CLIENT_SECRET", &secret),
            ("SFTOKEN_REFRESH_TOKEN", token),
        ],
        None,
    )
    .await
}

pub async fn run_check(
    mock: &MockSalesforce,
    extra: &[&str],
    env: &[(&str, &str)],
    stdin: Option<&str>,
) -> Binary {
    let mut args = check_args(mock);
    args.extend(extra.iter().map(|a| a.to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut binary = Binary::spawn_with(&args, env, &[], stdin);
    binary.wait().await;
    binary
}

/// `sftoken check` against the mock: its login URL (on loopback, so with the
/// opt-out) and its Client ID.
pub fn check_args(mock: &MockSalesforce) -> Vec<String> {
    vec![
        "check".to_owned(),
        "--allow-any-login-url".to_owned(),
        "--login-url".to_owned(),
        mock.url(),
        "--client-id".to_owned(),
        mock.options().client_id.clone(),
    ]
}

/// One check of a result, by its kind: the page's JSON lists the checks in
/// order (`checks.steps`), `--json` keys them by name. Panics when it is
/// missing, so a check left out of either view fails the test.
pub fn check(result: &Value, kind: CheckKind) -> &Value {
    let checks = &result["checks"];
    let found = match checks["steps"].as_array() {
        Some(steps) => steps.iter().find(|step| step["kind"] == kind.name()),
        None => checks.get(kind.name()),
    };
    found.unwrap_or_else(|| panic!("no {} check in {result}", kind.name()))
}

/// A config file with `text`, removed when dropped.
pub struct ConfigFile(std::path::PathBuf);

impl ConfigFile {
    pub fn new(text: &str) -> Self {
        let path = std::env::temp_dir().join(format!(
            "sftoken-config-{}-{}.toml",
            std::process::id(),
            sftoken::secret::random_id(6)
        ));
        std::fs::write(&path, text).expect("write the config file");
        Self(path)
    }

    pub fn path(&self) -> String {
        self.0.display().to_string()
    }
}

impl Drop for ConfigFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}
