//! The config file (`--config FILE`, TOML, documented by
//! `config.example.toml`). Each key is read by its own rule, so a mistake is
//! reported in plain words ("port must be a number from 1 to 65535"), with
//! the line and column where it is, instead of serde's "expected u16".

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::de::{Deserializer, Error as _};
use serde::{Deserialize, de::DeserializeOwned};

use super::{ConfigError, parse_duration};

/// What a port must be, in the words every refusal uses.
pub const PORT_RULE: &str = "must be a number from 1 to 65535";

/// The config file. Every key is optional; unknown keys are an error, so a typo
/// is caught instead of silently ignored.
#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    #[serde(default, deserialize_with = "port")]
    pub port: Option<u16>,
    #[serde(default, deserialize_with = "login_url")]
    pub login_url: Option<String>,
    #[serde(default, deserialize_with = "sandbox")]
    pub sandbox: Option<bool>,
    #[serde(default, deserialize_with = "client_id")]
    pub client_id: Option<String>,
    #[serde(default, deserialize_with = "company_names")]
    pub company_names: Option<Vec<String>>,
    #[serde(default, deserialize_with = "callback_url")]
    pub callback_url: Option<String>,
    #[serde(default, deserialize_with = "open_browser")]
    pub open_browser: Option<bool>,
    #[serde(default, deserialize_with = "idle_timeout")]
    pub idle_timeout: Option<Duration>,
    #[serde(default, deserialize_with = "http_timeout")]
    pub http_timeout: Option<Duration>,
    #[serde(default, deserialize_with = "output")]
    pub output: Option<PathBuf>,
}

/// Reads and checks the config file at `path`.
pub fn read(path: &Path) -> Result<FileConfig, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError::Read {
        path: path.to_owned(),
        reason: e.to_string(),
    })?;
    parse(&text).map_err(|mistake| ConfigError::Parse {
        path: path.to_owned(),
        line: mistake.line,
        column: mistake.column,
        reason: mistake.reason,
    })
}

/// A mistake in the file: where it is and what is wrong, in plain words.
#[derive(Debug, PartialEq, Eq)]
pub struct Mistake {
    pub line: usize,
    pub column: usize,
    pub reason: String,
}

/// Parses the text of a config file.
pub fn parse<T: DeserializeOwned>(text: &str) -> Result<T, Mistake> {
    toml::from_str(text).map_err(|e| {
        let (line, column) = e
            .span()
            .map_or((1, 1), |span| line_and_column(text, span.start));
        Mistake {
            line,
            column,
            reason: plain_words(e.message()),
        }
    })
}

/// The 1-based line and column (in characters) of a byte offset.
fn line_and_column(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |at| at + 1);
    (line, before[line_start..].chars().count() + 1)
}

/// toml's message, with serde's wording for an unknown key made plain; the
/// keys' own rules are already plain.
fn plain_words(message: &str) -> String {
    let message = message.trim().trim_end_matches('.');
    match message
        .strip_prefix("unknown field `")
        .and_then(|rest| rest.split('`').next())
    {
        Some(key) => {
            format!("\"{key}\" is not a setting sftoken knows (config.example.toml lists them all)")
        }
        None => message.to_owned(),
    }
}

/// Reads a key's value as `read` says, or refuses it with `rule`.
fn value<'de, D: Deserializer<'de>, T>(
    deserializer: D,
    rule: &str,
    read: impl FnOnce(toml::Value) -> Option<T>,
) -> Result<Option<T>, D::Error> {
    let value = toml::Value::deserialize(deserializer).map_err(|_| D::Error::custom(rule))?;
    read(value).map(Some).ok_or_else(|| D::Error::custom(rule))
}

fn text(value: toml::Value) -> Option<String> {
    value.as_str().map(str::to_owned)
}

fn duration(value: &toml::Value) -> Option<Duration> {
    match value {
        toml::Value::String(text) => parse_duration(text).ok(),
        toml::Value::Integer(minutes) => parse_duration(&minutes.to_string()).ok(),
        _ => None,
    }
}

fn port<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u16>, D::Error> {
    value(d, &format!("port {PORT_RULE}"), |v| {
        v.as_integer()
            .and_then(|n| u16::try_from(n).ok())
            .filter(|n| *n > 0)
    })
}

fn login_url<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    value(
        d,
        "login_url must be a URL in quotes, such as \"https://login.salesforce.com\"",
        text,
    )
}

fn sandbox<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    value(d, "sandbox must be true or false", |v| v.as_bool())
}

fn client_id<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    value(
        d,
        "client_id must be the Client ID (Consumer Key) in quotes, such as \"3MVG9...\"",
        text,
    )
}

fn company_names<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<String>>, D::Error> {
    value(
        d,
        "company_names must be a list of names in quotes, such as [\"acme.com\", \"acme.co.uk\"]",
        |v| {
            v.as_array()?
                .iter()
                .map(|name| name.as_str().map(str::to_owned))
                .collect()
        },
    )
}

fn open_browser<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    value(d, "open_browser must be true or false", |v| v.as_bool())
}

fn idle_timeout<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
    value(
        d,
        "idle_timeout must be a duration in quotes, such as \"30m\", \"90s\" or \"1h\" (\"0\" never stops)",
        |v| duration(&v),
    )
}

fn http_timeout<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
    value(
        d,
        "http_timeout must be a duration of more than 0 in quotes, such as \"30s\" or \"2m\"",
        |v| duration(&v).filter(|d| !d.is_zero()),
    )
}

fn callback_url<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    value(
        d,
        "callback_url must be your app's Callback URL in quotes, such as \"https://login.salesforce.com/services/oauth2/success\"",
        text,
    )
}

fn output<'de, D: Deserializer<'de>>(d: D) -> Result<Option<PathBuf>, D::Error> {
    value(
        d,
        "output must be a file path in quotes, such as \"settings.json\"",
        |v| text(v).filter(|p| !p.is_empty()).map(PathBuf::from),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mistake(text: &str) -> Mistake {
        parse::<FileConfig>(text).expect_err("a mistake")
    }

    #[test]
    fn a_port_out_of_range_is_named_in_plain_words_with_its_line_and_column() {
        let found = mistake("login_url = \"https://login.salesforce.com\"\nport = 99999\n");
        assert_eq!(
            found,
            Mistake {
                line: 2,
                column: 8,
                reason: "port must be a number from 1 to 65535".to_owned(),
            }
        );
        assert_eq!(mistake("port = 0").reason, found.reason);
        assert_eq!(mistake("port = \"8719\"").reason, found.reason);
        assert_eq!(
            parse::<FileConfig>("port = 65535")
                .expect("the top port")
                .port,
            Some(65535)
        );
        assert_eq!(
            parse::<FileConfig>("port = 1")
                .expect("the first port")
                .port,
            Some(1)
        );
    }

    #[test]
    fn no_mistake_speaks_serde() {
        for text in [
            "port = -1",
            "sandbox = \"yes\"",
            "open_browser = 1",
            "client_id = 3",
            "login_url = true",
            "company_names = \"acme.com\"",
            "company_names = [1]",
            "idle_timeout = \"soon\"",
            "http_timeout = \"0\"",
            "output = 5",
        ] {
            let reason = mistake(text).reason;
            let key = text.split(' ').next().expect("key");
            assert!(
                reason.starts_with(&format!("{key} must be")),
                "{text}: {reason}"
            );
            for serde_word in ["expected", "invalid type", "u16", "integer"] {
                assert!(!reason.contains(serde_word), "{text}: {reason}");
            }
        }
    }

    #[test]
    fn an_unknown_key_is_named_where_it_is() {
        let found = mistake("\n  prot = 9000\n");
        assert_eq!((found.line, found.column), (2, 3));
        assert_eq!(
            found.reason,
            "\"prot\" is not a setting sftoken knows (config.example.toml lists them all)"
        );
    }

    #[test]
    fn broken_toml_is_placed_too() {
        let found = mistake("port = 8719\nlogin_url = \"https://unclosed\n");
        assert_eq!(found.line, 2, "{found:?}");
    }

    #[test]
    fn durations_and_output_are_read_from_the_file() {
        let file: FileConfig =
            parse("idle_timeout = 45\nhttp_timeout = \"2m\"\noutput = \"settings.json\"\n")
                .expect("valid");
        assert_eq!(file.idle_timeout, Some(Duration::from_secs(45 * 60)));
        assert_eq!(file.http_timeout, Some(Duration::from_secs(120)));
        assert_eq!(file.output, Some(PathBuf::from("settings.json")));
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        assert_eq!(line_and_column("é = 1\nab", 7), (2, 1));
        assert_eq!(line_and_column("# café\nport", 8), (2, 1));
        assert_eq!(line_and_column("é = x", 5), (1, 5));
    }
}
