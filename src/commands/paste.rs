//! `sftoken paste`: the sign-in for a machine without a browser. It prints the
//! authorize URL to open on any computer, reads back the address of
//! Salesforce's success page, and prints the settings. The flow is the page's
//! own ([`crate::flow`]).
//!
//! Standard input is read line by line, from a terminal or from a pipe that
//! a wrapper (`docker run -i`, a script) keeps open: the first non-empty line
//! is the pasted address, and a wrong one is asked for again until the
//! sign-in expires.

use tokio::sync::mpsc;
use tokio::time::Instant;

use super::Error;
use super::input::{Ask, Input, ask};
use super::output::report;
use crate::client_id::ClientId;
use crate::config::{Config, describe_duration};
use crate::flow::{self, Answer, Callback};
use crate::salesforce::{Credentials, Http, Surface};
use crate::secret::ClientSecret;
use crate::signin::{Claim, LOGIN_LIFETIME, Logins, Outcome, Owner, Pending};

/// The first lines: where the sign-in goes. With no login URL given, the
/// generic login page, and how to give the org's own address: a Local
/// External Client App exists only in its org (docs/salesforce.md).
fn signing_in_at(config: &Config) -> String {
    let url = &config.login_url;
    if config.login_url_is_default {
        return format!(
            "Signing in at {url}, Salesforce's generic login page. For a Local External Client App, sign in at its org's own address: give --login-url with any address of your org, such as the Setup page's."
        );
    }
    let environment = url
        .environment()
        .map(|e| format!(", a {} org", e.name()))
        .unwrap_or_default();
    let note = url
        .note
        .as_deref()
        .map(|n| format!("{n}\n"))
        .unwrap_or_default();
    let warning = url.warning().map(|w| format!("\n{w}")).unwrap_or_default();
    format!("{note}Signing in at {url}{environment}.{warning}")
}

/// `sftoken paste`: prints the authorize URL to open anywhere, reads back the
/// address of Salesforce's success page, and prints the settings.
pub async fn paste(config: Config, mut input: impl Input) -> Result<(), Error> {
    eprintln!("{}", signing_in_at(&config));
    let client_id = ask(
        config.client_id.as_ref(),
        &mut input,
        Ask {
            question: "Client ID (Consumer Key): ",
            how_to_give: "Give the Client ID with --client-id or SFTOKEN_CLIENT_ID",
            command: "paste",
            secret: false,
        },
        ClientId::parse,
    )?;
    let client_secret = ask(
        config.client_secret.as_ref(),
        &mut input,
        Ask {
            question: "Consumer Secret (not shown): ",
            how_to_give: "Set SFTOKEN_CLIENT_SECRET",
            command: "paste",
            secret: true,
        },
        ClientSecret::parse,
    )?;
    let credentials = Credentials {
        client_id,
        client_secret,
        login_url: config.login_url.clone(),
    };
    let started = flow::start(
        credentials,
        Callback::SuccessPage(config.callback_url.clone()),
    );
    eprintln!(
        "The External Client App's Callback URL must be exactly {} (change it with --callback-url).",
        started.pending.redirect_uri
    );
    eprintln!("1. Open this address in a browser on any computer, sign in, and click Allow:");
    println!("{}", started.authorize_url);
    eprintln!(
        "2. Salesforce then shows a page whose address contains code=. Within {}, copy that whole address, paste it here and press Enter (an error page's address works too):",
        describe_duration(LOGIN_LIFETIME)
    );
    let mut logins = Logins::default();
    let id = logins.start(Owner::TERMINAL, started.state, started.pending);
    let deadline = Instant::now() + LOGIN_LIFETIME;
    let (pending, answer) = read_pasted(&mut input.lines(), deadline, &mut logins, &id).await?;
    let http = Http::new(config.http_timeout);
    let company_names = config.company_names.clone();
    match flow::complete(&http, pending, answer, company_names).await {
        Outcome::Captured(connection) => report(&http, &connection, &config, true).await,
        Outcome::Failed { advice, .. } => {
            Err(Error::Failed(advice.on(Surface::Terminal).one_line()))
        }
    }
}

/// Reads pasted lines until one claims the sign-in `id`: a line that is not
/// an address from this sign-in is explained and asked for again, until the
/// sign-in expires at `deadline` or the input ends.
async fn read_pasted(
    lines: &mut mpsc::UnboundedReceiver<String>,
    deadline: Instant,
    logins: &mut Logins,
    id: &str,
) -> Result<(Pending, Answer), Error> {
    let expired = || {
        Error::Failed(format!(
            "This sign-in expired: more than {} passed. Run sftoken paste again.",
            describe_duration(LOGIN_LIFETIME)
        ))
    };
    loop {
        let line = match tokio::time::timeout_at(deadline, lines.recv()).await {
            Err(_) => return Err(expired()),
            Ok(None) => {
                return Err(Error::Failed(
                    "Standard input ended before the address of Salesforce's page was pasted. Run sftoken paste again and paste that address.".to_owned(),
                ));
            }
            Ok(Some(line)) => line,
        };
        match flow::claim_pasted(logins, Owner::TERMINAL, id, &line) {
            Ok((Claim::Claimed { pending, .. }, answer)) => return Ok((pending, answer)),
            Ok((Claim::Expired, _)) => return Err(expired()),
            Ok((Claim::Mismatch, _)) => eprintln!(
                "That address belongs to another sign-in (its state does not match). Paste the address of the sign-in opened from the address above:"
            ),
            Ok((Claim::Unknown | Claim::Seen { .. }, _)) => return Err(expired()),
            Err(e) => eprintln!("{e} Paste it again:"),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::login_url::{HostPolicy, LoginUrl};
    use crate::pasted_address::SuccessPage;

    /// A waiting sign-in in paste mode: its id and its `state`.
    fn waiting(logins: &mut Logins) -> (String, String) {
        let credentials = Credentials {
            client_id: ClientId::parse("3MVG9key").expect("a key"),
            client_secret: ClientSecret::new("secret"),
            login_url: LoginUrl::parse("https://login.salesforce.com", HostPolicy::Salesforce)
                .expect("url"),
        };
        let started = flow::start(
            credentials,
            Callback::SuccessPage(SuccessPage::default_page()),
        );
        let state = started.state.expose().to_owned();
        (
            logins.start(Owner::TERMINAL, started.state, started.pending),
            state,
        )
    }

    fn address(state: &str) -> String {
        format!(
            "https://login.salesforce.com/services/oauth2/success?code=aPrxAbCdEfGh%3D%3D&state={state}"
        )
    }

    #[tokio::test]
    async fn a_bad_paste_is_asked_again_and_the_next_line_claims_the_sign_in() {
        let mut logins = Logins::default();
        let (id, state) = waiting(&mut logins);
        let (sender, mut lines) = mpsc::unbounded_channel();
        for line in [
            "not an address",
            &address("another-sign-in"),
            &address(&state),
        ] {
            sender.send(line.to_owned()).expect("send");
        }

        let claimed = read_pasted(
            &mut lines,
            Instant::now() + LOGIN_LIFETIME,
            &mut logins,
            &id,
        )
        .await;

        let (pending, answer) = claimed.expect("the third line claims it");
        assert!(pending.paste);
        assert!(matches!(answer, Answer::Code(_)));
    }

    #[tokio::test]
    async fn waiting_for_a_paste_stops_when_the_sign_in_expires() {
        let mut logins = Logins::default();
        let (id, _) = waiting(&mut logins);
        let (sender, mut lines) = mpsc::unbounded_channel();
        sender.send("not an address".to_owned()).expect("send");

        let deadline = Instant::now() + Duration::from_millis(50);
        let expired = read_pasted(&mut lines, deadline, &mut logins, &id).await;

        let message = expired.expect_err("expired").to_string();
        assert_eq!(
            message,
            "This sign-in expired: more than 15 minutes passed. Run sftoken paste again."
        );
        drop(sender);
    }

    #[tokio::test]
    async fn the_end_of_input_before_a_paste_says_so() {
        let mut logins = Logins::default();
        let (id, _) = waiting(&mut logins);
        let (sender, mut lines) = mpsc::unbounded_channel::<String>();
        drop(sender);

        let ended = read_pasted(
            &mut lines,
            Instant::now() + LOGIN_LIFETIME,
            &mut logins,
            &id,
        )
        .await;

        let message = ended.expect_err("ended").to_string();
        assert!(message.contains("Standard input ended"), "{message}");
    }
}
