//! Pending logins: claimed once, by their own session, within their lifetime.

use super::*;
use crate::login_url::{HostPolicy, LoginUrl};
use crate::secret::ClientSecret;

const ME: Owner = Owner(1);

fn key() -> ClientId {
    ClientId::parse("key").expect("a key")
}

fn pending() -> Pending {
    Pending {
        credentials: Credentials {
            client_id: key(),
            client_secret: ClientSecret::new("secret"),
            login_url: LoginUrl::parse("https://login.salesforce.com", HostPolicy::Salesforce)
                .expect("url"),
        },
        verifier: PkceVerifier::generate(),
        redirect_uri: "http://localhost:8719/callback".into(),
        paste: false,
    }
}

#[test]
fn a_login_is_claimed_once_then_seen() {
    let mut logins = Logins::default();
    let state = OAuthState::generate();
    let id = logins.start(ME, state.clone(), pending());
    assert!(matches!(
        logins.status(ME, &id),
        Some(Status::Waiting { .. })
    ));
    assert!(matches!(logins.claim(state.expose()), Claim::Claimed { id: got, .. } if got == id));
    assert!(matches!(logins.claim(state.expose()), Claim::Seen { id: got } if got == id));
    assert!(matches!(logins.status(ME, &id), Some(Status::Exchanging)));
}

#[test]
fn an_unknown_state_changes_nothing() {
    let mut logins = Logins::default();
    let id = logins.start(ME, OAuthState::generate(), pending());
    assert!(matches!(logins.claim("forged"), Claim::Unknown));
    assert!(matches!(
        logins.status(ME, &id),
        Some(Status::Waiting { .. })
    ));
}

#[test]
fn a_login_older_than_15_minutes_is_refused_and_forgotten() {
    let mut logins = Logins::default();
    let state = OAuthState::generate();
    let id = logins.start(ME, state.clone(), pending());
    let login = logins.all.first_mut().expect("login");
    login.started = Instant::now()
        .checked_sub(LOGIN_LIFETIME + Duration::from_secs(1))
        .expect("the clock goes back 15 minutes");
    assert!(matches!(logins.claim(state.expose()), Claim::Expired));
    assert!(logins.status(ME, &id).is_none());
    assert!(matches!(logins.claim(state.expose()), Claim::Unknown));
}

#[test]
fn logins_are_bounded() {
    let mut logins = Logins::default();
    for _ in 0..(MAX_LOGINS * 2) {
        logins.start(ME, OAuthState::generate(), pending());
    }
    assert!(logins.all.len() <= MAX_LOGINS);
}

/// A sign-in in paste mode.
fn pasting() -> Pending {
    Pending {
        paste: true,
        ..pending()
    }
}

#[test]
fn a_code_pasted_into_a_sign_in_that_waits_on_the_callback_is_refused() {
    let mut logins = Logins::default();
    let state = OAuthState::generate();
    let id = logins.start(ME, state.clone(), pending());
    assert!(matches!(
        logins.claim_pasted(ME, &id, Some(state.expose())),
        Claim::Mismatch
    ));
    assert!(
        matches!(logins.claim(state.expose()), Claim::Claimed { .. }),
        "the callback still completes it"
    );
}

/// A sign-in that ended with Salesforce's refusal.
fn failed() -> Outcome {
    Outcome::Failed {
        advice: crate::salesforce::Advice::new("t", "c", "f"),
        client_id: key(),
        login_url: "https://login.salesforce.com".into(),
    }
}

/// Moves a login's start back by `age`.
fn age(logins: &mut Logins, id: &str, age: Duration) {
    let login = logins.all.iter_mut().find(|l| l.id == id).expect("login");
    login.started = Instant::now()
        .checked_sub(age)
        .expect("the clock goes back");
}

#[test]
fn the_lifetimes_and_the_bound_are_what_the_page_says() {
    assert_eq!(LOGIN_LIFETIME, Duration::from_secs(15 * 60));
    assert_eq!(RESULT_LIFETIME, Duration::from_secs(60 * 60));
    assert_eq!(MAX_LOGINS, 16);
}

#[test]
fn a_login_just_under_15_minutes_old_is_still_claimed() {
    let mut logins = Logins::default();
    let state = OAuthState::generate();
    let id = logins.start(ME, state.clone(), pending());
    age(&mut logins, &id, LOGIN_LIFETIME - Duration::from_secs(2));
    match logins.status(ME, &id) {
        Some(Status::Waiting { expires_in }) => {
            assert!(expires_in <= Duration::from_secs(2), "{expires_in:?}");
            assert!(expires_in >= Duration::from_secs(1), "{expires_in:?}");
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        logins.claim(state.expose()),
        Claim::Claimed { .. }
    ));
}

#[test]
fn another_session_sees_nothing_of_a_login() {
    let mut logins = Logins::default();
    let state = OAuthState::generate();
    let id = logins.start(ME, state.clone(), pending());
    let other = Owner(2);
    assert!(logins.status(other, &id).is_none());
    assert!(logins.latest_waiting(other).is_none());
    assert!(matches!(
        logins.claim_pasted(other, &id, Some(state.expose())),
        Claim::Unknown
    ));
    assert!(matches!(
        logins.status(ME, &id),
        Some(Status::Waiting { .. })
    ));
    let finished = logins.insert_finished(ME, failed());
    assert!(logins.status(other, &finished).is_none());
    assert!(logins.status(ME, &finished).is_some());
}

#[test]
fn a_pasted_state_of_another_sign_in_changes_nothing() {
    let mut logins = Logins::default();
    let state = OAuthState::generate();
    let id = logins.start(ME, state.clone(), pasting());
    assert!(matches!(
        logins.claim_pasted(ME, &id, Some("another-state")),
        Claim::Mismatch
    ));
    assert!(matches!(
        logins.status(ME, &id),
        Some(Status::Waiting { .. })
    ));
    assert!(matches!(
        logins.claim_pasted(ME, &id, Some(state.expose())),
        Claim::Claimed { .. }
    ));
    assert!(matches!(
        logins.claim_pasted(ME, &id, Some(state.expose())),
        Claim::Seen { .. }
    ));
    let bare = logins.start(ME, OAuthState::generate(), pasting());
    assert!(
        matches!(logins.claim_pasted(ME, &bare, None), Claim::Claimed { .. }),
        "a bare code carries no state"
    );
}

#[test]
fn only_the_newest_login_is_offered_while_it_waits() {
    let mut logins = Logins::default();
    let older = logins.start(ME, OAuthState::generate(), pending());
    age(&mut logins, &older, Duration::from_secs(60));
    let newer = logins.start(
        ME,
        OAuthState::generate(),
        Pending {
            paste: true,
            ..pending()
        },
    );
    let waiting = logins.latest_waiting(ME).expect("waiting");
    assert_eq!(waiting.id, newer);
    assert!(waiting.paste);
    assert!(waiting.expires_in > LOGIN_LIFETIME - Duration::from_secs(5));
    assert!(waiting.authorize_url.contains("state="));
    assert_eq!(logins.owner(&newer), Some(ME));

    // Finished: the older one, superseded, is not offered instead.
    logins.finish(&newer, failed());
    assert!(logins.latest_waiting(ME).is_none(), "superseded by {older}");
    let newest = logins.start(ME, OAuthState::generate(), pending());
    assert_eq!(logins.latest_waiting(ME).expect("waiting").id, newest);

    let mut alone = Logins::default();
    let expired = alone.start(ME, OAuthState::generate(), pending());
    age(
        &mut alone,
        &expired,
        LOGIN_LIFETIME + Duration::from_secs(1),
    );
    assert!(alone.latest_waiting(ME).is_none(), "expired");
}

#[test]
fn old_results_are_pruned_but_an_exchange_under_way_is_kept() {
    let mut logins = Logins::default();
    let state = OAuthState::generate();
    let exchanging = logins.start(ME, state.clone(), pending());
    assert!(matches!(
        logins.claim(state.expose()),
        Claim::Claimed { .. }
    ));
    age(&mut logins, &exchanging, RESULT_LIFETIME * 2);
    let finished = logins.insert_finished(ME, failed());
    age(
        &mut logins,
        &finished,
        RESULT_LIFETIME + Duration::from_secs(1),
    );
    let recent = logins.insert_finished(ME, failed());
    age(
        &mut logins,
        &recent,
        RESULT_LIFETIME - Duration::from_secs(5),
    );
    logins.start(ME, OAuthState::generate(), pending());
    assert!(logins.status(ME, &finished).is_none(), "an old result");
    assert!(logins.status(ME, &recent).is_some(), "a recent result");
    assert!(matches!(
        logins.status(ME, &exchanging),
        Some(Status::Exchanging)
    ));
}

#[test]
fn the_oldest_login_goes_first_when_the_bound_is_reached() {
    let mut logins = Logins::default();
    let first = logins.start(ME, OAuthState::generate(), pending());
    age(&mut logins, &first, Duration::from_secs(10));
    for _ in 1..MAX_LOGINS {
        logins.start(ME, OAuthState::generate(), pending());
    }
    assert_eq!(logins.all.len(), MAX_LOGINS, "at the bound, all are kept");
    assert!(logins.status(ME, &first).is_some());
    logins.start(ME, OAuthState::generate(), pending());
    assert_eq!(logins.all.len(), MAX_LOGINS);
    assert!(logins.status(ME, &first).is_none(), "the oldest went first");
    let second = logins.all.first().map(|l| l.id.clone()).expect("second");
    logins.finish(&second, failed());
    assert!(matches!(
        logins.status(ME, &second),
        Some(Status::Finished(Outcome::Failed { .. }))
    ));
    logins.clear();
    assert!(logins.all.is_empty());
}

#[test]
fn only_a_captured_login_of_its_own_session_has_a_connection() {
    let mut logins = Logins::default();
    let connection = Arc::new(Connection::existing(
        pending().credentials,
        crate::secret::RefreshToken::new("5Aep"),
        crate::company_names::CompanyNames::all(),
    ));
    let captured = logins.insert_finished(ME, Outcome::Captured(connection.clone()));
    let found = logins.connection(ME, &captured).expect("its connection");
    assert!(Arc::ptr_eq(&found, &connection));
    assert!(logins.connection(Owner(2), &captured).is_none());
    let waiting = logins.start(ME, OAuthState::generate(), pending());
    assert!(logins.connection(ME, &waiting).is_none());
}
