//! `sftoken paste`: the sign-in for a machine without a browser. It prints the
//! authorize URL to open on any computer, reads back the address of
//! Salesforce's success page, and prints the settings. The flow is the page's
//! own ([`crate::flow`]).

use super::Error;
use super::input::{Ask, Input, secret};
use super::output::report;
use crate::config::Config;
use crate::flow::{self, Callback};
use crate::salesforce::{Credentials, Http, Surface};
use crate::secret::ClientSecret;
use crate::session::{Claim, Logins, Owner};

/// `sftoken paste`: prints the authorize URL to open anywhere, reads back the
/// address of Salesforce's success page, and prints the settings.
pub async fn paste(config: Config, mut input: impl Input) -> Result<(), Error> {
    let client_id = config
        .client_id
        .clone()
        .or_else(|| {
            input
                .prompt_line("Consumer Key: ")
                .map(|s| s.trim().to_owned())
        })
        .filter(|id| !id.is_empty())
        .ok_or_else(|| {
            Error::Missing(
                "Give the Consumer Key with --client-id or SFTOKEN_CLIENT_ID.".to_owned(),
            )
        })?;
    let client_secret = secret(
        config.client_secret.as_ref(),
        None,
        &mut input,
        Ask {
            question: "Consumer Secret (not shown): ",
            variable: "SFTOKEN_CLIENT_SECRET",
            command: "paste",
        },
        ClientSecret::new,
    )?;
    let credentials = Credentials {
        client_id,
        client_secret,
        login_url: config.login_url.clone(),
    };
    let started = flow::start(credentials, Callback::SuccessPage);
    eprintln!(
        "The External Client App's Callback URL must be {}",
        started.pending.redirect_uri
    );
    eprintln!("1. Open this address in a browser on any computer, sign in, and click Allow:");
    println!("{}", started.authorize_url);
    eprintln!(
        "2. Salesforce then shows a page whose address contains code=. Copy that whole address, paste it here and press Enter:"
    );
    let mut logins = Logins::default();
    let id = logins.start(Owner::TERMINAL, started.state, started.pending);
    let text = input
        .piped_text()
        .or_else(|| input.prompt_line("Address: "))
        .unwrap_or_default();
    let (claim, answer) = flow::claim_pasted(&mut logins, Owner::TERMINAL, &id, &text)
        .map_err(|e| Error::Failed(e.to_string()))?;
    let pending = match claim {
        Claim::Claimed { pending, .. } => pending,
        Claim::Expired => {
            return Err(Error::Failed(
                "This sign-in expired: more than 15 minutes passed. Run sftoken paste again."
                    .to_owned(),
            ));
        }
        Claim::Mismatch | Claim::Unknown | Claim::Seen { .. } => {
            return Err(Error::Failed(
                "That address belongs to another sign-in (its state does not match). Open the address printed above and paste the result of that one.".to_owned(),
            ));
        }
    };
    let http = Http::new(config.http_timeout);
    let connection = flow::complete(&http, pending, answer)
        .await
        .map_err(|advice| Error::Failed(advice.on(Surface::Terminal).one_line()))?;
    connection.set_company_names(config.company_names.clone());
    report(&http, &connection, &config, true).await
}
