//! The report's rules: the order of the checks, what a failure skips, what a
//! deadline fails, and what the verdict needs.

use super::*;

fn token() -> Finding {
    Finding::Token(TokenCheck {
        rotated: false,
        scopes_granted: Vec::new(),
        scopes_missing: Vec::new(),
        scope_fixes: Vec::new(),
        warning: None,
        login_url: String::new(),
        login_urls_tried: Vec::new(),
        login_url_reason: None,
    })
}

#[test]
fn a_deadline_fails_only_the_steps_still_under_way() {
    let mut report = Report::default();
    report.pass(token());
    report.set(CheckKind::User, Step::started());
    report.set(
        CheckKind::Org,
        Step::Skipped {
            reason: "needs the token".to_owned(),
        },
    );
    let late = Advice::new("The checks took too long", "cause", "fix");
    report.fail_unfinished(&late);
    assert!(report.step(CheckKind::Token).is_ok());
    assert!(matches!(report.step(CheckKind::User), Step::Failed(a) if *a == late));
    assert!(matches!(report.step(CheckKind::Org), Step::Skipped { .. }));
    assert!(matches!(report.step(CheckKind::Licenses), Step::Failed(a) if *a == late));
    assert!(matches!(report.step(CheckKind::Users), Step::Failed(a) if *a == late));
}

#[test]
fn a_failed_check_skips_every_check_that_waits_for_it_and_no_other() {
    let refused = Advice::new("Refused", "cause", "fix");
    let mut report = Report::default();
    report.pass(token());
    report.set(CheckKind::User, Step::started());
    report.fail(CheckKind::Org, refused.clone());
    assert!(report.step(CheckKind::Token).is_ok());
    assert!(matches!(report.step(CheckKind::User), Step::Running { .. }));
    assert!(matches!(report.step(CheckKind::Org), Step::Failed(a) if *a == refused));
    for kind in [CheckKind::Licenses, CheckKind::Users] {
        assert!(
            matches!(report.step(kind), Step::Skipped { reason } if reason == "Needs API access."),
            "{kind:?}"
        );
    }

    let mut report = Report::default();
    report.fail(CheckKind::Token, refused);
    for kind in CheckKind::ALL.into_iter().skip(1) {
        assert!(
            matches!(report.step(kind), Step::Skipped { reason } if reason.starts_with("The refresh token did not work")),
            "{kind:?}"
        );
    }
    let mut unreachable = Advice::new("Unreachable", "cause", "fix");
    unreachable.network = true;
    let mut report = Report::default();
    report.fail(CheckKind::Token, unreachable);
    assert!(
        matches!(report.step(CheckKind::Users), Step::Skipped { reason } if reason.starts_with("Salesforce could not be reached"))
    );
}

#[test]
fn every_check_is_listed_once_in_order_and_each_finding_names_its_own() {
    let names: Vec<_> = CheckKind::ALL.iter().map(|k| k.name()).collect();
    assert_eq!(
        names,
        [
            "token",
            "user",
            "org",
            "permissions",
            "approvals",
            "app_policy",
            "licenses",
            "users"
        ]
    );
    for (at, kind) in CheckKind::ALL.into_iter().enumerate() {
        assert_eq!(kind as usize, at, "{kind:?} is at its place in ALL");
        if let Some(needed) = kind.needs() {
            assert!((needed as usize) < at, "{kind:?} runs after what it needs");
        }
    }
    assert_eq!(token().kind(), CheckKind::Token);
    let mut report = Report::default();
    report.pass(Finding::Users(UserPreview::default()));
    assert!(report.users().is_some());
    assert!(report.token().is_none());
}

#[test]
fn the_verdict_needs_the_token_and_the_api_and_says_which_did_not_finish() {
    let mut report = Report::default();
    assert_eq!(
        report.verdict(Surface::Terminal),
        Err("The token check did not finish.".to_owned())
    );
    report.pass(token());
    assert_eq!(
        report.verdict(Surface::Terminal),
        Err("The API check did not finish.".to_owned())
    );
    report.fail(CheckKind::Org, Advice::new("Refused", "cause", "fix"));
    let failed = report
        .verdict(Surface::Terminal)
        .expect_err("the API failed");
    assert!(failed.starts_with("The API is not usable. "), "{failed}");
}

fn org() -> Finding {
    Finding::Org(OrgInfo {
        id: "00D".to_owned(),
        name: "Acme".to_owned(),
        edition: "Enterprise Edition".to_owned(),
        is_sandbox: false,
        instance: None,
        api_version: "66.0".to_owned(),
        warning: None,
    })
}

/// The token works and the API answers, so the settings work: a missing
/// permission, or profiles that could not be read, only warn.
#[test]
fn missing_permissions_and_a_refused_profile_read_leave_the_verdict_ok() {
    let mut report = Report::default();
    report.pass(token());
    report.pass(org());
    report.pass(Finding::Permissions(PermissionsCheck {
        granted: vec![Permission::ApiEnabled],
        missing: vec![Permission::ViewSetup, Permission::ViewAllUsers],
        fixes: vec!["Add it.".to_owned(), "Add it.".to_owned()],
        profiles: 0,
        profiles_error: Some(Advice::new("Refused", "cause", "fix")),
    }));
    assert_eq!(report.verdict(Surface::Terminal), Ok(()));

    report.fail(
        CheckKind::Permissions,
        Advice::new("Refused", "cause", "fix"),
    );
    assert_eq!(report.verdict(Surface::Terminal), Ok(()));
    assert!(
        matches!(report.step(CheckKind::Users), Step::Pending),
        "nothing waits for the permissions check"
    );
}

#[test]
fn the_permissions_check_needs_the_api_and_is_skipped_when_it_is_refused() {
    assert_eq!(CheckKind::Permissions.needs(), Some(CheckKind::Org));
    let mut report = Report::default();
    report.pass(token());
    report.fail(CheckKind::Org, Advice::new("Refused", "cause", "fix"));
    assert!(
        matches!(report.step(CheckKind::Permissions), Step::Skipped { reason } if reason == "Needs API access."),
        "{:?}",
        report.step(CheckKind::Permissions)
    );
}
