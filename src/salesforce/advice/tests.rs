//! Each OAuth error's advice says what Salesforce's sources say (docs/salesforce.md),
//! on the page and in a terminal.

use super::{Advice, Surface, for_oauth_error, for_refresh_error};

fn text(advice: &Advice) -> String {
    format!("{} {} {}", advice.title, advice.cause, advice.fix)
}

const NOT_APPROVED: &str = "user is not admin approved to access this app";

#[test]
fn oauth_app_access_denied_is_the_unassigned_user_with_the_assignment_as_its_fix() {
    let advice = for_oauth_error("OAUTH_APP_ACCESS_DENIED", NOT_APPROVED);
    assert_eq!(advice.title, "This user is not approved for the app");
    assert!(
        advice
            .cause
            .contains("\"Admin approved users are pre-authorized\""),
        "{advice:?}"
    );
    assert!(advice.fix.contains("Policies → Edit"), "{advice:?}");
    assert!(
        advice
            .fix
            .contains("App Policies, add the user's profile or a permission set")
    );
    assert!(advice.fix.contains("\"All users can self-authorize\""));
    assert_eq!(advice.code.as_deref(), Some("OAUTH_APP_ACCESS_DENIED"));
    assert_eq!(advice.description.as_deref(), Some(NOT_APPROVED));
    assert_eq!(
        advice.on(Surface::Terminal),
        advice,
        "no page words to reword"
    );
}

#[test]
fn invalid_app_access_names_both_causes_and_api_access_control_as_reported() {
    let advice = for_oauth_error("invalid_app_access", NOT_APPROVED);
    assert_eq!(advice.title, "This user may not use the app");
    assert!(advice.cause.contains("code exchange"), "{advice:?}");
    assert!(advice.cause.contains("Permitted Users"), "{advice:?}");
    assert!(
        advice
            .cause
            .contains("as integrations report, the org's API Access Control"),
        "{advice:?}"
    );
    assert!(advice.fix.contains("App Policies"), "{advice:?}");
    assert!(
        advice
            .fix
            .contains("limit API access to only allowlisted connected apps"),
        "{advice:?}"
    );
    assert_ne!(
        advice.title,
        for_oauth_error("OAUTH_APP_ACCESS_DENIED", NOT_APPROVED).title,
        "the callback's code and the token endpoint's are told apart"
    );
}

#[test]
fn oauth_app_blocked_is_a_blocked_app_not_an_unassigned_user() {
    let advice = for_oauth_error("OAUTH_APP_BLOCKED", "this app is blocked by admin");
    assert_eq!(advice.title, "The app is blocked");
    assert!(advice.cause.contains("blocked this app"), "{advice:?}");
    assert!(
        advice
            .cause
            .contains("Integrations also report it when the org's API Access Control is on"),
        "{advice:?}"
    );
    assert!(advice.fix.contains("Unblock"), "{advice:?}");
    let words = text(&advice);
    assert!(!words.contains("Permitted Users"), "{words}");
    assert!(!words.contains("profile"), "{words}");
}

#[test]
fn access_denied_is_deny_clicked_and_nothing_else() {
    let advice = for_oauth_error("access_denied", "end-user denied authorization");
    assert_eq!(advice.title, "Access was denied");
    assert!(advice.cause.contains("Deny was clicked"), "{advice:?}");
    assert_eq!(advice.fix, "Sign in again and click Allow.");
    assert!(!text(&advice).contains("Permitted Users"), "{advice:?}");
}

#[test]
fn hasnt_approved_this_consumer_is_the_jwt_flows_and_either_approval_counts() {
    let advice = for_oauth_error("invalid_grant", "user hasn't approved this consumer");
    assert_eq!(advice.title, "The app has no approval for this user");
    assert!(advice.cause.contains("JWT bearer flow"), "{advice:?}");
    assert!(advice.cause.contains("either kind"), "{advice:?}");
    assert!(
        advice.cause.contains("the user's own earlier approval"),
        "{advice:?}"
    );
    assert!(
        advice.fix.starts_with("Pre-authorize the user"),
        "{advice:?}"
    );
    assert!(!advice.fix.contains("self-authorize"), "{advice:?}");
}

#[test]
fn invalid_client_id_leads_with_the_key_and_the_my_domain_and_waits_last() {
    let advice = for_oauth_error("invalid_client_id", "client identifier invalid");
    assert_eq!(advice.title, "Salesforce does not know this Client ID");
    assert!(
        advice
            .fix
            .starts_with("Copy the Client ID (Consumer Key) again"),
        "{advice:?}"
    );
    let my_domain = advice.fix.find("My Domain").expect("the My Domain");
    let wait = advice.fix.find("wait").expect("the wait");
    assert!(my_domain < wait, "the wait comes last: {}", advice.fix);
    assert!(
        advice.fix.ends_with(
            "Snow's connector guide warns that changes take time to apply, and integrations report up to 10 minutes."
        ),
        "each source as what it says: {}",
        advice.fix
    );
    assert!(advice.cause.contains("another org"), "{advice:?}");
    let terminal = advice.on(Surface::Terminal);
    assert!(
        terminal
            .fix
            .contains("give the My Domain of the org where you created the app as --login-url"),
        "{terminal:?}"
    );
}

#[test]
fn a_sign_in_refused_without_a_reason_points_to_login_history() {
    for (grant, advice) in [
        (
            "code",
            for_oauth_error("invalid_grant", "authentication failure"),
        ),
        (
            "refresh",
            for_refresh_error("invalid_grant", "authentication failure"),
        ),
        ("code", for_oauth_error("invalid_grant", "some new words")),
    ] {
        assert_eq!(
            advice.title, "Salesforce refused the sign-in without saying why",
            "{grant}"
        );
        assert!(
            advice.fix.starts_with("Open Setup → Login History"),
            "{grant}: {advice:?}"
        );
        assert!(
            advice.fix.contains("\"Failed: Not approved for access\""),
            "{grant}: {advice:?}"
        );
        assert!(
            !text(&advice).contains("another org"),
            "{grant}: {advice:?}"
        );
    }
}

#[test]
fn a_refresh_token_refused_in_unknown_words_was_likely_revoked_or_expired() {
    let advice = for_refresh_error("invalid_grant", "token validity expired");
    assert_eq!(advice.title, "Salesforce refused the refresh token");
    assert!(
        advice
            .cause
            .contains("the refresh token was likely revoked or has expired"),
        "{advice:?}"
    );
    assert!(advice.fix.starts_with("Sign in again"), "{advice:?}");
    assert!(!text(&advice).contains("another org"), "{advice:?}");
    assert!(!text(&advice).contains("environment"), "{advice:?}");
    assert_eq!(
        advice.description.as_deref(),
        Some("token validity expired")
    );
    // Known words keep their own advice on the refresh grant too.
    assert_eq!(
        for_refresh_error("invalid_grant", "expired access/refresh token"),
        for_oauth_error("invalid_grant", "expired access/refresh token")
    );
    assert_eq!(
        for_refresh_error("inactive_user", "user is inactive"),
        for_oauth_error("inactive_user", "user is inactive")
    );
}

#[test]
fn the_revoke_endpoints_invalid_token_has_its_own_sentence() {
    let advice = for_oauth_error("invalid_token", "invalid token");
    assert_eq!(advice.title, "The token was already invalid");
    assert!(advice.cause.contains("revoke endpoint"), "{advice:?}");
    assert!(
        advice.fix.starts_with("Nothing is left to revoke"),
        "{advice:?}"
    );
    assert_eq!(advice.on(Surface::Terminal), advice, "no page words");
}

#[test]
fn an_uninstalled_app_names_use_any_api_client_and_sftokens_reading_for_a_local_app() {
    for advice in [
        for_oauth_error(
            "OAUTH_APPROVAL_ERROR_GENERIC",
            "An unexpected error has occured during authentication. Please try again.",
        ),
        for_oauth_error("invalid_client", "app must be installed into org"),
    ] {
        let cause = &advice.cause;
        assert!(cause.contains("\"Use Any API Client\""), "{cause}");
        assert!(cause.contains("week of 8 December 2025"), "{cause}");
        assert!(
            cause.contains("sftoken reads")
                && cause.contains("a Client ID from another org, or from an old connected app"),
            "sftoken's reading, marked as such: {cause}"
        );
        let words = format!("{:?} {}", advice.code, text(&advice));
        assert!(
            words.contains("OAUTH_APPROVAL_ERROR_GENERIC")
                && words.contains("app must be installed into org"),
            "the page's code and the address's words name each other: {words}"
        );
        assert!(
            advice
                .fix
                .starts_with("Copy the Client ID (Consumer Key) again"),
            "{advice:?}"
        );
    }
}
