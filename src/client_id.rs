//! The Client ID: the External Client App's Consumer Key. It is not a secret
//! (it sits in every authorize URL), but every surface that reads one (the
//! page's forms, `--client-id`, `SFTOKEN_CLIENT_ID`, the config file, `check`
//! and `paste`) holds it to the same rule, here, in the same words.

use serde::Serialize;

/// The longest Consumer Key taken, in bytes. Salesforce's are under 100
/// characters; the limit only keeps junk out.
pub const MAX_LEN: usize = 256;

/// A Consumer Key as the user gave it, trimmed: one word, no whitespace or
/// control characters, at most [`MAX_LEN`] bytes. So it can be printed in a
/// terminal and put in a URL as it is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct ClientId(String);

/// Why a Consumer Key was refused, in the words every surface shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ClientIdError {
    #[error("Enter the Client ID (Consumer Key) from the External Client App's OAuth Settings.")]
    Empty,
    #[error("The Client ID looks wrong: it is one word of letters and digits. Copy it again.")]
    Malformed,
}

impl ClientId {
    pub fn parse(input: &str) -> Result<Self, ClientIdError> {
        let id = input.trim();
        if id.is_empty() {
            return Err(ClientIdError::Empty);
        }
        if id.len() > MAX_LEN || id.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(ClientIdError::Malformed);
        }
        Ok(Self(id.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for ClientId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<ClientId> for String {
    fn from(id: ClientId) -> Self {
        id.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_trimmed_and_kept_as_given() {
        let id = ClientId::parse("  3MVG9.key_with+symbols=  \n").expect("valid");
        assert_eq!(id.as_str(), "3MVG9.key_with+symbols=");
        assert_eq!(id.to_string(), "3MVG9.key_with+symbols=");
    }

    #[test]
    fn a_key_may_be_256_bytes_and_no_more() {
        let longest = "k".repeat(MAX_LEN);
        assert_eq!(
            ClientId::parse(&longest).map(String::from),
            Ok(longest.clone())
        );
        assert_eq!(
            ClientId::parse(&format!("{longest}k")),
            Err(ClientIdError::Malformed)
        );
        // Bytes, not characters: 129 two-byte characters are 258 bytes.
        assert_eq!(
            ClientId::parse(&"é".repeat(129)),
            Err(ClientIdError::Malformed)
        );
    }

    #[test]
    fn an_empty_key_asks_for_one() {
        for empty in ["", "   ", "\t\r\n"] {
            assert_eq!(
                ClientId::parse(empty),
                Err(ClientIdError::Empty),
                "{empty:?}"
            );
        }
        assert_eq!(
            ClientIdError::Empty.to_string(),
            "Enter the Client ID (Consumer Key) from the External Client App's OAuth Settings."
        );
    }

    #[test]
    fn whitespace_or_control_characters_inside_a_key_are_refused() {
        for bad in [
            "3MVG9 key",
            "3MVG9\tkey",
            "3MVG9\nkey",
            "3MVG9\u{a0}key",
            "3MVG9\u{1b}[2Jkey",
            "3MVG9\u{7f}",
            "3MVG9\u{85}key",
        ] {
            assert_eq!(
                ClientId::parse(bad),
                Err(ClientIdError::Malformed),
                "{bad:?}"
            );
        }
        assert_eq!(
            ClientIdError::Malformed.to_string(),
            "The Client ID looks wrong: it is one word of letters and digits. Copy it again."
        );
    }
}
