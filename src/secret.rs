//! One type per secret, in the spirit of oauth2-rs: each wraps a
//! [`SecretString`], prints `[redacted]` under `Debug`, has no `Display`, and is
//! only read through `expose()`. The types keep two secrets from being swapped
//! (a refresh token passed where a PKCE verifier goes does not compile).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::rand::{SecureRandom, SystemRandom};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

macro_rules! secret_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Deserialize)]
        #[serde(transparent)]
        pub struct $name(SecretString);

        impl $name {
            pub fn new(value: &str) -> Self {
                Self(SecretString::from(value))
            }

            pub fn expose(&self) -> &str {
                self.0.expose_secret()
            }

            /// Compares with what a request carried, in time that does not
            /// depend on where they differ.
            pub fn matches(&self, given: &str) -> bool {
                constant_time_eq(self.expose(), given)
            }
        }

        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(concat!(stringify!($name), "([redacted])"))
            }
        }
    };
}

secret_type!(
    /// The External Client App's Consumer Secret.
    ClientSecret
);
secret_type!(
    /// What Snow Atlas keeps: it gets new access tokens for as long as it lives.
    RefreshToken
);
secret_type!(
    /// A short-lived bearer token for the identity URL and the REST API.
    AccessToken
);
secret_type!(
    /// The authorization code from the callback, exchanged once.
    AuthCode
);
secret_type!(
    /// The PKCE code verifier ([RFC 7636](https://www.rfc-editor.org/rfc/rfc7636)).
    PkceVerifier
);
secret_type!(
    /// The OAuth `state` of one pending sign-in: 256 random bits, used once.
    OAuthState
);
secret_type!(
    /// A key of the loopback server itself: the launch token, the session
    /// key and the CSRF token.
    ServerKey
);

/// The longest Consumer Secret taken, in bytes; Salesforce's are 64
/// characters. The limit only keeps junk out.
pub const MAX_CLIENT_SECRET_LEN: usize = 1024;
/// The longest refresh token taken, in bytes; Salesforce's are about 90
/// characters. The limit only keeps junk out.
pub const MAX_REFRESH_TOKEN_LEN: usize = 4096;

/// Why a Consumer Secret was refused. The words never hold the value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ClientSecretError {
    #[error("Enter the Consumer Secret from the External Client App's OAuth Settings.")]
    Empty,
    #[error("The Consumer Secret is too long. Copy it again.")]
    TooLong,
}

/// Why a refresh token was refused: empty or too long. The words never hold
/// the value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("Paste the refresh token that Snow Atlas uses (it often starts with 5Aep).")]
pub struct RefreshTokenError;

impl ClientSecret {
    /// A Consumer Secret as the user gave it: trimmed, not empty, at most
    /// [`MAX_CLIENT_SECRET_LEN`] bytes. Every surface reads one through here.
    pub fn parse(input: &str) -> Result<Self, ClientSecretError> {
        match input.trim() {
            "" => Err(ClientSecretError::Empty),
            secret if secret.len() > MAX_CLIENT_SECRET_LEN => Err(ClientSecretError::TooLong),
            secret => Ok(Self::new(secret)),
        }
    }
}

impl RefreshToken {
    /// A refresh token as the user gave it: trimmed, not empty, at most
    /// [`MAX_REFRESH_TOKEN_LEN`] bytes. Every surface reads one through here;
    /// Salesforce's own answers are taken as they come.
    pub fn parse(input: &str) -> Result<Self, RefreshTokenError> {
        match input.trim() {
            token if token.is_empty() || token.len() > MAX_REFRESH_TOKEN_LEN => {
                Err(RefreshTokenError)
            }
            token => Ok(Self::new(token)),
        }
    }
}

impl PkceVerifier {
    pub fn generate() -> Self {
        Self(random())
    }

    /// The S256 challenge sent with the authorize request.
    pub fn challenge(&self) -> String {
        let digest = ring::digest::digest(&ring::digest::SHA256, self.expose().as_bytes());
        URL_SAFE_NO_PAD.encode(digest.as_ref())
    }
}

impl OAuthState {
    pub fn generate() -> Self {
        Self(random())
    }
}

impl ServerKey {
    pub fn generate() -> Self {
        Self(random())
    }
}

/// 32 random bytes as URL-safe base64 (43 characters).
fn random() -> SecretString {
    SecretString::from(random_id(32))
}

/// `bytes` random bytes as URL-safe base64: secrets, and ids that must not be
/// guessed.
pub fn random_id(bytes: usize) -> String {
    let mut buffer = vec![0u8; bytes];
    SystemRandom::new()
        .fill(&mut buffer)
        .expect("the operating system's random number generator failed");
    URL_SAFE_NO_PAD.encode(buffer)
}

/// Hashes both sides first, so neither the length nor the first difference
/// shows in the time taken.
fn constant_time_eq(expected: &str, given: &str) -> bool {
    let a = ring::digest::digest(&ring::digest::SHA256, expected.as_bytes());
    let b = ring::digest::digest(&ring::digest::SHA256, given.as_bytes());
    a.as_ref()
        .iter()
        .zip(b.as_ref())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_secrets_are_long_random_and_url_safe() {
        let a = OAuthState::generate();
        let b = OAuthState::generate();
        assert_eq!(a.expose().len(), 43);
        assert_ne!(a.expose(), b.expose());
        assert!(
            a.expose()
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        );
    }

    #[test]
    fn pkce_challenge_matches_rfc_7636_appendix_b() {
        let verifier = PkceVerifier::new("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
        assert_eq!(
            verifier.challenge(),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn secrets_match_only_when_equal() {
        let secret = ServerKey::new("abc");
        assert!(secret.matches("abc"));
        assert!(!secret.matches("abd"));
        assert!(!secret.matches(""));
    }

    #[test]
    fn no_near_miss_matches() {
        let secret = ServerKey::generate();
        let mut near = secret.expose().to_owned();
        let last = near.pop().expect("a character");
        near.push(if last == 'A' { 'B' } else { 'A' });
        assert!(!secret.matches(&near));
        assert!(!secret.matches(&secret.expose()[1..]));
        // Each wrong value differs in a different way; a comparison that let
        // one byte in 256 through would accept some of these.
        let accepted = (0..4000)
            .filter(|n| secret.matches(&format!("{}{n}", secret.expose())))
            .count();
        assert_eq!(accepted, 0);
    }

    #[test]
    fn a_client_secret_is_trimmed_and_may_be_1024_bytes_and_no_more() {
        let longest = "s".repeat(MAX_CLIENT_SECRET_LEN);
        let parsed = ClientSecret::parse(&format!(" {longest}\n")).expect("at the limit");
        assert_eq!(parsed.expose(), longest);
        assert_eq!(
            ClientSecret::parse(&format!("{longest}s")).map(|_| ()),
            Err(ClientSecretError::TooLong)
        );
        // Bytes, not characters: 513 two-byte characters are 1026 bytes.
        assert_eq!(
            ClientSecret::parse(&"é".repeat(513)).map(|_| ()),
            Err(ClientSecretError::TooLong)
        );
    }

    #[test]
    fn an_empty_client_secret_asks_for_one() {
        for empty in ["", "  ", "\t\r\n"] {
            assert_eq!(
                ClientSecret::parse(empty).map(|_| ()),
                Err(ClientSecretError::Empty),
                "{empty:?}"
            );
        }
    }

    #[test]
    fn a_refresh_token_is_trimmed_and_may_be_4096_bytes_and_no_more() {
        let longest = "5".repeat(MAX_REFRESH_TOKEN_LEN);
        let parsed = RefreshToken::parse(&format!("\t{longest} ")).expect("at the limit");
        assert_eq!(parsed.expose(), longest);
        assert_eq!(
            RefreshToken::parse(&format!("{longest}5")).map(|_| ()),
            Err(RefreshTokenError)
        );
        for empty in ["", " ", "\r\n"] {
            assert_eq!(
                RefreshToken::parse(empty).map(|_| ()),
                Err(RefreshTokenError),
                "{empty:?}"
            );
        }
    }

    /// The rules are the limits alone: what is inside a secret is
    /// Salesforce's to judge, as it always was on every surface.
    #[test]
    fn secrets_keep_inner_spaces_and_control_characters() {
        let secret = ClientSecret::parse(" a b\u{1b}c ").expect("taken");
        assert_eq!(secret.expose(), "a b\u{1b}c");
        let token = RefreshToken::parse("5Aep\tx y").expect("taken");
        assert_eq!(token.expose(), "5Aep\tx y");
    }

    #[test]
    fn a_refused_secret_is_never_in_the_message() {
        let long = "5Aep-secret-".repeat(400);
        let messages = [
            ClientSecret::parse(&long)
                .expect_err("too long")
                .to_string(),
            RefreshToken::parse(&long)
                .expect_err("too long")
                .to_string(),
        ];
        for message in messages {
            assert!(!message.contains("secret-"), "{message}");
        }
        assert_eq!(
            RefreshTokenError.to_string(),
            "Paste the refresh token that Snow Atlas uses (it often starts with 5Aep)."
        );
    }

    #[test]
    fn debug_never_shows_the_value() {
        let printed = format!(
            "{:?} {:?}",
            ClientSecret::new("the-secret"),
            RefreshToken::new("5Aep-token")
        );
        assert_eq!(printed, "ClientSecret([redacted]) RefreshToken([redacted])");
    }
}
