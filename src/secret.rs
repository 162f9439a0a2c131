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
    fn debug_never_shows_the_value() {
        let printed = format!(
            "{:?} {:?}",
            ClientSecret::new("the-secret"),
            RefreshToken::new("5Aep-token")
        );
        assert_eq!(printed, "ClientSecret([redacted]) RefreshToken([redacted])");
    }
}
