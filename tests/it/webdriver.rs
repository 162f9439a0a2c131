//! A small W3C WebDriver client for the browser tests: it starts
//! chromedriver, which drives Debian's headless Chromium.
//!
//! It is hand-written rather than taken from fantoccini because fantoccini's
//! dependency tree would duplicate many crates we already have in other
//! versions (http 0.2, icu 1.x, cookie, time). We need only a handful of
//! commands, each one JSON request over loopback HTTP.
//!
//! Every wait polls every 50 ms up to a 10 s deadline; nothing sleeps for a
//! fixed time. chromedriver runs in its own process group, which `Drop` kills
//! whole, so a panicking test leaves no Chromium behind.

use std::fs::File;
use std::net::TcpListener as StdTcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use reqwest::Method;
use serde_json::{Value, json};
use tokio::time::{Instant, sleep};

/// How long any wait may take before the test fails.
const DEADLINE: Duration = Duration::from_secs(10);
/// How often a wait looks again.
const POLL: Duration = Duration::from_millis(50);
/// The key W3C WebDriver uses for an element reference (the spec's fixed
/// string; chromedriver answers with exactly this).
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";
const INSTALL_HINT: &str = "install them with `apt-get install chromium chromium-driver` \
     (or run the README's test command, `scripts/test`, which does it)";

/// The flags Chromium needs here: headless, as root, with no network but
/// loopback (without the background-networking flags it tries to reach
/// Google).
const CHROMIUM_ARGS: &[&str] = &[
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
    "--disable-default-apps",
    "--window-size=1200,900",
    // Tests may send the page to real Salesforce hosts (Sandbox, My Domain);
    // resolve nothing but loopback, so no query leaves the machine.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
];

/// A Chromium session driven through chromedriver.
pub struct Browser {
    http: reqwest::Client,
    /// `http://127.0.0.1:PORT/session/ID`
    session: String,
    /// Held for its `Drop`, which kills chromedriver and Chromium.
    _driver: Driver,
}

/// A W3C element reference.
#[derive(Debug, Clone)]
pub struct Element {
    pub id: String,
}

/// A WebDriver error answer: `{"value": {"error": .., "message": ..}}`.
#[derive(Debug)]
struct WebDriverError {
    error: String,
    message: String,
}

impl Browser {
    /// Starts chromedriver on a free loopback port and opens a session.
    ///
    /// Panics, saying how to install them, if Chromium or chromedriver is
    /// missing. `SFTOKEN_CHROMIUM` and `SFTOKEN_CHROMEDRIVER` override where
    /// they are looked for.
    pub async fn start() -> Browser {
        let chromium = find_binary(
            "SFTOKEN_CHROMIUM",
            "/usr/bin/chromium",
            &["chromium", "chromium-browser", "google-chrome"],
        );
        let chromedriver = find_binary(
            "SFTOKEN_CHROMEDRIVER",
            "/usr/bin/chromedriver",
            &["chromedriver"],
        );
        let driver = Driver::spawn(&chromedriver);

        // reqwest is built without a default crypto provider; plain HTTP
        // still needs one installed to build a client.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .no_proxy()
            .timeout(Duration::from_secs(60))
            .build()
            .expect("build the WebDriver HTTP client");

        driver.wait_until_ready(&http).await;

        let profile = driver.dir.join("profile");
        let mut args: Vec<String> = CHROMIUM_ARGS.iter().map(|a| a.to_string()).collect();
        args.push(format!("--user-data-dir={}", profile.display()));
        let capabilities = json!({
            "capabilities": {
                "alwaysMatch": {
                    "browserName": "chrome",
                    "goog:chromeOptions": {
                        "binary": chromium.display().to_string(),
                        "args": args,
                    },
                },
            },
        });
        let url = format!("{}/session", driver.base);
        let answer = match send(&http, Method::POST, &url, Some(capabilities)).await {
            Ok(answer) => answer,
            Err(e) => panic!(
                "chromedriver could not start {}: {}: {}\n--- chromedriver log ---\n{}",
                chromium.display(),
                e.error,
                e.message,
                driver.log()
            ),
        };
        let id = answer["sessionId"]
            .as_str()
            .expect("new session answer has a sessionId");
        let session = format!("{}/session/{id}", driver.base);
        Browser {
            http,
            session,
            _driver: driver,
        }
    }

    pub async fn goto(&self, url: &str) {
        self.post("url", json!({ "url": url })).await;
    }

    /// The browser's Back button.
    pub async fn back(&self) {
        self.post("back", json!({})).await;
    }

    pub async fn current_url(&self) -> String {
        string(self.get("url").await)
    }

    /// Waits until an element matching the CSS selector exists.
    pub async fn find(&self, css: &str) -> Element {
        let deadline = Instant::now() + DEADLINE;
        loop {
            if let Some(element) = self.try_find(css).await {
                return element;
            }
            if Instant::now() >= deadline {
                self.fail(&format!("no element matches `{css}`")).await;
            }
            sleep(POLL).await;
        }
    }

    /// Waits until the element exists and is displayed, then clicks it.
    pub async fn click(&self, css: &str) {
        let deadline = Instant::now() + DEADLINE;
        let mut last = String::from("not found");
        loop {
            if let Some(element) = self.try_find(css).await {
                match self.element_cmd(&element, Method::GET, "displayed").await {
                    Ok(Value::Bool(true)) => {
                        let click = self.element_cmd(&element, Method::POST, "click").await;
                        match click {
                            Ok(_) => return,
                            // Covered by something, or re-rendered: try again.
                            Err(e) if retryable(&e.error) => last = e.to_string(),
                            Err(e) => panic!("WebDriver click on `{css}` failed: {e}"),
                        }
                    }
                    Ok(_) => last = "not displayed".into(),
                    Err(e) => last = e.to_string(),
                }
            }
            if Instant::now() >= deadline {
                self.fail(&format!("could not click `{css}` ({last})"))
                    .await;
            }
            sleep(POLL).await;
        }
    }

    /// Clears the element, then types `text` into it.
    pub async fn type_into(&self, css: &str, text: &str) {
        let element = self.find(css).await;
        let path = format!("element/{}", element.id);
        self.post(&format!("{path}/clear"), json!({})).await;
        self.post(&format!("{path}/value"), json!({ "text": text }))
            .await;
    }

    /// Pastes `text` into the element with Ctrl+V from the clipboard, as an
    /// admin pastes an address: the page sees a paste, not typing.
    pub async fn paste_into(&self, css: &str, text: &str) {
        self.grant_clipboard().await;
        let script = "const done = arguments[arguments.length - 1];
            window.focus();
            navigator.clipboard.writeText(arguments[0]).then(() => done(''), (e) => done(String(e)));";
        let written = self.execute_async(script, vec![json!(text)]).await;
        assert_eq!(written, "", "writing the clipboard failed");
        let element = self.find(css).await;
        self.post(&format!("element/{}/clear", element.id), json!({}))
            .await;
        self.click(css).await;
        let keys: Vec<Value> = [
            ("keyDown", "\u{E009}"),
            ("keyDown", "v"),
            ("keyUp", "v"),
            ("keyUp", "\u{E009}"),
        ]
        .iter()
        .map(|(kind, key)| json!({ "type": kind, "value": key }))
        .collect();
        let body = json!({
            "actions": [{ "type": "key", "id": "keyboard", "actions": keys }],
        });
        self.post("actions", body).await;
        self.command(Method::DELETE, "actions", None).await;
    }

    /// Presses and releases each key in turn on whatever has focus. `keys`
    /// may hold WebDriver special keys: "\u{E004}" Tab, "\u{E007}" Enter,
    /// "\u{E00D}" Space.
    pub async fn press_keys(&self, keys: &str) {
        let actions: Vec<Value> = keys
            .chars()
            .flat_map(|key| {
                let key = key.to_string();
                [
                    json!({ "type": "keyDown", "value": key }),
                    json!({ "type": "keyUp", "value": key }),
                ]
            })
            .collect();
        let body = json!({
            "actions": [{ "type": "key", "id": "keyboard", "actions": actions }],
        });
        self.post("actions", body).await;
        self.command(Method::DELETE, "actions", None).await;
    }

    /// The element's visible text.
    pub async fn text(&self, css: &str) -> String {
        let element = self.find(css).await;
        string(self.get(&format!("element/{}/text", element.id)).await)
    }

    /// The element's `value` property.
    pub async fn value(&self, css: &str) -> String {
        let element = self.find(css).await;
        string(
            self.get(&format!("element/{}/property/value", element.id))
                .await,
        )
    }

    pub async fn attribute(&self, css: &str, name: &str) -> Option<String> {
        let element = self.find(css).await;
        let path = format!("element/{}/attribute/{name}", element.id);
        match self.get(&path).await {
            Value::Null => None,
            other => Some(string(other)),
        }
    }

    /// Whether the element exists and is displayed; does not wait.
    pub async fn is_displayed(&self, css: &str) -> bool {
        match self.try_find(css).await {
            Some(element) => matches!(
                self.element_cmd(&element, Method::GET, "displayed").await,
                Ok(Value::Bool(true))
            ),
            None => false,
        }
    }

    /// Waits until the element's visible text satisfies `check`; returns it.
    pub async fn wait_for_text(&self, css: &str, check: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + DEADLINE;
        let mut last = None;
        loop {
            if let Some(element) = self.try_find(css).await
                && let Ok(text) = self.element_cmd(&element, Method::GET, "text").await
            {
                let text = string(text);
                if check(&text) {
                    return text;
                }
                last = Some(text);
            }
            if Instant::now() >= deadline {
                let last = match last {
                    Some(text) => format!("last text {text:?}"),
                    None => "never found".into(),
                };
                self.fail(&format!("text of `{css}` never matched ({last})"))
                    .await;
            }
            sleep(POLL).await;
        }
    }

    /// Waits until the current URL satisfies `check`; returns it.
    pub async fn wait_for_url(&self, check: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + DEADLINE;
        loop {
            let url = self.current_url().await;
            if check(&url) {
                return url;
            }
            if Instant::now() >= deadline {
                self.fail("the URL never matched").await;
            }
            sleep(POLL).await;
        }
    }

    /// Runs `script` as a function body with `args` as `arguments`.
    pub async fn execute(&self, script: &str, args: Vec<Value>) -> Value {
        let body = json!({ "script": script, "args": args });
        self.post("execute/sync", body).await
    }

    /// Like `execute`, but the script finishes by calling the callback passed
    /// as its last argument.
    pub async fn execute_async(&self, script: &str, args: Vec<Value>) -> Value {
        let body = json!({ "script": script, "args": args });
        self.post("execute/async", body).await
    }

    /// Lets the page read and write the clipboard without asking.
    pub async fn grant_clipboard(&self) {
        for name in ["clipboard-read", "clipboard-write"] {
            let body = json!({ "descriptor": { "name": name }, "state": "granted" });
            self.post("permissions", body).await;
        }
    }

    /// Reads the clipboard through `navigator.clipboard.readText()`, after
    /// focusing the page (reading needs a focused document).
    pub async fn read_clipboard(&self) -> String {
        let script = "const done = arguments[arguments.length - 1];
            window.focus();
            navigator.clipboard.readText().then(
                (text) => done({ text }),
                (error) => done({ error: String(error) }),
            );";
        let answer = self.execute_async(script, vec![]).await;
        match answer["text"].as_str() {
            Some(text) => text.to_owned(),
            None => panic!("reading the clipboard failed: {}", answer["error"]),
        }
    }

    /// Sets the window (in headless Chromium, the viewport) to this size.
    pub async fn set_size(&self, width: u32, height: u32) {
        let body = json!({ "width": width, "height": height });
        self.post("window/rect", body).await;
    }

    /// Emulates the user's light or dark colour scheme
    /// (`prefers-color-scheme`), through chromedriver's DevTools bridge.
    pub async fn prefer_dark(&self, dark: bool) {
        let scheme = if dark { "dark" } else { "light" };
        let body = json!({
            "cmd": "Emulation.setEmulatedMedia",
            "params": { "features": [{ "name": "prefers-color-scheme", "value": scheme }] },
        });
        self.post("goog/cdp/execute", body).await;
    }

    /// A PNG of the viewport.
    pub async fn screenshot_png(&self) -> Vec<u8> {
        let encoded = string(self.get("screenshot").await);
        base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .expect("screenshot is base64")
    }

    /// Ends the session and stops chromedriver (and so Chromium).
    pub async fn quit(self) {
        // Best effort: dropping `_driver` kills everything either way.
        let _ = send(&self.http, Method::DELETE, &self.session, None).await;
    }

    /// One element, or None if nothing matches (yet).
    async fn try_find(&self, css: &str) -> Option<Element> {
        let body = json!({ "using": "css selector", "value": css });
        let url = format!("{}/elements", self.session);
        let found = match send(&self.http, Method::POST, &url, Some(body)).await {
            Ok(found) => found,
            Err(e) => panic!("WebDriver POST elements `{css}` failed: {e}"),
        };
        let id = found.as_array()?.first()?[ELEMENT_KEY].as_str()?;
        Some(Element { id: id.to_owned() })
    }

    /// A command on an element that may fail (stale, not interactable, ...).
    async fn element_cmd(
        &self,
        element: &Element,
        method: Method,
        what: &str,
    ) -> Result<Value, WebDriverError> {
        let url = format!("{}/element/{}/{what}", self.session, element.id);
        let body = (method == Method::POST).then(|| json!({}));
        send(&self.http, method, &url, body).await
    }

    async fn get(&self, path: &str) -> Value {
        self.command(Method::GET, path, None).await
    }

    async fn post(&self, path: &str, body: Value) -> Value {
        self.command(Method::POST, path, Some(body)).await
    }

    /// Sends a session command; panics on a WebDriver error.
    async fn command(&self, method: Method, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}/{path}", self.session);
        match send(&self.http, method.clone(), &url, body).await {
            Ok(value) => value,
            Err(e) => panic!("WebDriver {method} {path} failed: {e}"),
        }
    }

    /// Panics with `what` plus where the browser is and what it shows.
    async fn fail(&self, what: &str) -> ! {
        let url = self.current_url().await;
        let script = "return document.body ? document.body.innerText : ''";
        let text = self.execute(script, vec![]).await;
        panic!(
            "{what} after {DEADLINE:?}\nURL: {url}\npage text:\n{}",
            string(text)
        );
    }
}

impl std::fmt::Display for WebDriverError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.error, self.message)
    }
}

/// Errors worth another try while waiting for the page to settle.
fn retryable(error: &str) -> bool {
    matches!(
        error,
        "stale element reference" | "element click intercepted" | "element not interactable"
    )
}

/// Sends one WebDriver request and returns the answer's `value`.
async fn send(
    http: &reqwest::Client,
    method: Method,
    url: &str,
    body: Option<Value>,
) -> Result<Value, WebDriverError> {
    let mut request = http.request(method.clone(), url);
    if let Some(body) = body {
        request = request
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(serde_json::to_vec(&body).expect("serialize a WebDriver request"));
    }
    let response = request
        .send()
        .await
        .unwrap_or_else(|e| panic!("WebDriver {method} {url}: {e}"));
    let bytes = response
        .bytes()
        .await
        .unwrap_or_else(|e| panic!("WebDriver {method} {url}: reading the answer: {e}"));
    let mut answer: Value = serde_json::from_slice(&bytes).unwrap_or_else(|e| {
        panic!(
            "WebDriver {method} {url} answered non-JSON ({e}): {}",
            String::from_utf8_lossy(&bytes)
        )
    });
    let value = answer["value"].take();
    match value["error"].as_str() {
        Some(error) => Err(WebDriverError {
            error: error.to_owned(),
            message: string(value["message"].clone()),
        }),
        None => Ok(value),
    }
}

/// A JSON string as a String; anything else (null, numbers) as its JSON.
fn string(value: Value) -> String {
    match value {
        Value::String(s) => s,
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Env override, else the Debian path, else the first name found on PATH.
fn find_binary(env: &str, debian: &str, names: &[&str]) -> PathBuf {
    if let Some(path) = std::env::var_os(env) {
        let path = PathBuf::from(path);
        assert!(
            path.is_file(),
            "{env}={} is not a file; unset it, or {INSTALL_HINT}",
            path.display()
        );
        return path;
    }
    if Path::new(debian).is_file() {
        return debian.into();
    }
    let dirs: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect())
        .unwrap_or_default();
    names
        .iter()
        .flat_map(|name| dirs.iter().map(move |dir| dir.join(name)))
        .find(|path| path.is_file())
        .unwrap_or_else(|| {
            panic!(
                "browser tests need {} but it is not at {debian} nor on PATH; {INSTALL_HINT}",
                names.join(" or ")
            )
        })
}

/// The chromedriver process (and, through its process group, Chromium) plus
/// the temp dir holding the Chromium profile and chromedriver's log.
struct Driver {
    child: Child,
    /// `http://127.0.0.1:PORT`
    base: String,
    dir: PathBuf,
}

impl Driver {
    fn spawn(chromedriver: &Path) -> Driver {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or_default();
        let dir = std::env::temp_dir().join(format!(
            "sftoken-browser-{}-{}-{nanos}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).expect("create the browser temp dir");

        // Ask the OS for a free port, then hand it to chromedriver.
        let port = StdTcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("find a free loopback port")
            .port();

        let log = File::create(dir.join("chromedriver.log")).expect("create chromedriver.log");
        let child = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("clone the log file handle"))
            .stderr(log)
            // Its own group, so Drop can kill it and every Chromium at once.
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("start {}: {e}; {INSTALL_HINT}", chromedriver.display()));
        Driver {
            child,
            base: format!("http://127.0.0.1:{port}"),
            dir,
        }
    }

    /// Waits for `GET /status` to say ready.
    async fn wait_until_ready(&self, http: &reqwest::Client) {
        let deadline = Instant::now() + DEADLINE;
        let url = format!("{}/status", self.base);
        loop {
            if let Ok(response) = http.get(&url).send().await {
                let bytes = response.bytes().await.unwrap_or_default();
                let status: Value = serde_json::from_slice(&bytes).unwrap_or_default();
                if status["value"]["ready"] == json!(true) {
                    return;
                }
            }
            assert!(
                Instant::now() < deadline,
                "chromedriver did not become ready on {url} within {DEADLINE:?}\n\
                 --- chromedriver log ---\n{}",
                self.log()
            );
            sleep(POLL).await;
        }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("chromedriver.log")).unwrap_or_default()
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // The child is the group leader, so its pid is the group id.
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill")
            .args(["-KILL", "--", &group])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
        // Chromium's processes may still be exiting and writing; retry.
        for _ in 0..20 {
            if std::fs::remove_dir_all(&self.dir).is_ok() || !self.dir.exists() {
                break;
            }
            std::thread::sleep(POLL);
        }
    }
}

#[tokio::test]
async fn browser_reads_back_what_a_page_copied() {
    use axum::Router;
    use axum::response::Html;
    use axum::routing::get;

    const PAGE: &str = r#"<!doctype html>
<title>clipboard check</title>
<input id="name">
<button id="copy">Copy</button>
<p id="status">idle</p>
<script src="/page.js"></script>"#;
    const SCRIPT: &str = r#"document.getElementById('copy').addEventListener('click', async () => {
  const status = document.getElementById('status');
  try {
    await navigator.clipboard.writeText('hello from the page');
    status.textContent = 'copied';
  } catch (error) {
    status.textContent = 'failed: ' + error;
  }
});"#;

    let app = Router::new()
        .route("/", get(|| async { Html(PAGE) }))
        .route(
            "/page.js",
            get(|| async { ([("content-type", "text/javascript")], SCRIPT) }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind the test page server");
    let port = listener.local_addr().expect("local address").port();
    tokio::spawn(async move { axum::serve(listener, app).await });

    let browser = Browser::start().await;
    // localhost is a secure context, so navigator.clipboard exists.
    let page = format!("http://localhost:{port}/");
    browser.goto(&page).await;
    assert_eq!(browser.current_url().await, page);
    browser.grant_clipboard().await;

    browser.type_into("#name", "first").await;
    browser.type_into("#name", "Ada Lovelace").await;
    assert_eq!(browser.value("#name").await, "Ada Lovelace");
    // The input keeps focus, so keyboard actions land in it.
    browser.press_keys("!").await;
    assert_eq!(browser.value("#name").await, "Ada Lovelace!");

    browser.click("#copy").await;
    let status = browser.wait_for_text("#status", |t| t != "idle").await;
    assert_eq!(status, "copied");
    assert_eq!(browser.read_clipboard().await, "hello from the page");

    browser.quit().await;
}
