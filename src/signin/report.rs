//! What the checks found. The checks are data: [`CheckKind::ALL`] is the one
//! ordered list that the report, the deadline, the skip rules, the terminal
//! text, the progress line and the page all follow. Each step fills in as it
//! finishes, so the page can show progress; a failed step says why.
//!
//! A new check is one [`CheckKind`] (the compiler then asks for its words in
//! each `match` below), one [`Finding`], its step in `checks.rs`, its mock
//! answer and its tests (ARCHITECTURE.md, "Where a change goes"). No wire format here: the page's JSON and `--json`
//! are view types in `web/view.rs` and `commands/json.rs`.

mod findings;
mod text;

pub use findings::{
    DomainCount, License, Licenses, LoginUrlTried, OrgInfo, Permission, PermissionsCheck,
    TokenCheck, TypeCount, UserInfo, UserPreview,
};
pub use text::said;

use crate::salesforce::{Advice, Surface};

/// The checks, in the order they run and are shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CheckKind {
    /// The refresh grant Snow Atlas runs, and the scopes it grants.
    Token,
    /// Who the token acts as.
    User,
    /// The org, read through the REST API: this step is the API access check.
    Org,
    /// What the connector's user may read: the permissions Snow's
    /// documentation asks for, and `Profile` read as the connector reads it.
    /// A missing permission warns and never fails the check, nor the
    /// verdict: the token works and the API answered, which the Token and
    /// Org checks prove, and "View Setup and Configuration" and "View All
    /// Users" only change what the connector sees. "API Enabled" missing
    /// cannot outlast the Org check, whose API call needs it.
    Permissions,
    Licenses,
    /// The active-user preview.
    Users,
}

impl CheckKind {
    pub const ALL: [Self; 6] = [
        Self::Token,
        Self::User,
        Self::Org,
        Self::Permissions,
        Self::Licenses,
        Self::Users,
    ];

    /// The name the page and `--json` know the check by.
    pub fn name(self) -> &'static str {
        match self {
            Self::Token => "token",
            Self::User => "user",
            Self::Org => "org",
            Self::Permissions => "permissions",
            Self::Licenses => "licenses",
            Self::Users => "users",
        }
    }

    /// The check's heading on the page.
    pub fn heading(self) -> &'static str {
        match self {
            Self::Token => "Token works (token refresh, as Snow Atlas runs it)",
            Self::User => "Signed-in user",
            Self::Org => "Org and API access",
            Self::Permissions => "The user's permissions for the connector",
            Self::Licenses => "Licenses",
            Self::Users => "Active users",
        }
    }

    /// The check's name in `sftoken check`'s report, when it did not pass.
    pub fn label(self) -> &'static str {
        match self {
            Self::Token => "Token",
            Self::User => "User",
            Self::Org => "API",
            Self::Permissions => "Permissions",
            Self::Licenses => "Licenses",
            Self::Users => "Active users",
        }
    }

    /// What the terminal's progress line says while the check is under way.
    pub fn under_way(self) -> &'static str {
        match self {
            Self::Token => "the refresh token",
            Self::User => "the user",
            Self::Org => "the org and API access",
            Self::Permissions => "the user's permissions",
            Self::Licenses => "licenses",
            Self::Users => "active users",
        }
    }

    /// The check that must pass before this one can run.
    pub fn needs(self) -> Option<Self> {
        match self {
            Self::Token => None,
            Self::User | Self::Org => Some(Self::Token),
            Self::Permissions | Self::Licenses | Self::Users => Some(Self::Org),
        }
    }

    /// Why the checks that need this one are skipped when it fails.
    fn skip_reason(self, advice: &Advice) -> &'static str {
        match self {
            Self::Token if advice.network => {
                "Salesforce could not be reached, so nothing else could be checked."
            }
            Self::Token => "The refresh token did not work, so nothing else could be checked.",
            Self::Org => "Needs API access.",
            Self::User | Self::Permissions | Self::Licenses | Self::Users => {
                "Needs an earlier check."
            }
        }
    }

    /// Whether the settings work hangs on this check: how its failure reads
    /// ("The refresh token does not work") and its short name ("token").
    fn decides(self) -> Option<(&'static str, &'static str)> {
        match self {
            Self::Token => Some(("The refresh token does not work", "token")),
            Self::Org => Some(("The API is not usable", "API")),
            Self::User | Self::Permissions | Self::Licenses | Self::Users => None,
        }
    }

    /// Does this check wait for `other`, directly or through another check?
    fn waits_for(self, other: Self) -> bool {
        std::iter::successors(self.needs(), |kind| kind.needs()).any(|kind| kind == other)
    }
}

/// What one check found when it passed.
#[derive(Clone, Debug)]
pub enum Finding {
    Token(TokenCheck),
    User(UserInfo),
    Org(OrgInfo),
    Permissions(PermissionsCheck),
    Licenses(Licenses),
    Users(UserPreview),
}

impl Finding {
    pub fn kind(&self) -> CheckKind {
        match self {
            Self::Token(_) => CheckKind::Token,
            Self::User(_) => CheckKind::User,
            Self::Org(_) => CheckKind::Org,
            Self::Permissions(_) => CheckKind::Permissions,
            Self::Licenses(_) => CheckKind::Licenses,
            Self::Users(_) => CheckKind::Users,
        }
    }
}

/// One check's state.
#[derive(Clone, Debug, Default)]
pub enum Step {
    #[default]
    Pending,
    Running {
        pages: u64,
        records: u64,
    },
    Ok(Finding),
    Failed(Advice),
    Skipped {
        reason: String,
    },
}

impl Step {
    /// Running, with nothing read yet.
    pub fn started() -> Self {
        Step::Running {
            pages: 0,
            records: 0,
        }
    }

    /// Not finished yet: pending or running.
    pub fn is_under_way(&self) -> bool {
        matches!(self, Step::Pending | Step::Running { .. })
    }

    pub fn is_ok(&self) -> bool {
        matches!(self, Step::Ok(_))
    }
}

/// Everything the checks found, one step per [`CheckKind`].
#[derive(Clone, Debug, Default)]
pub struct Report {
    pub done: bool,
    steps: [Step; CheckKind::ALL.len()],
}

impl Report {
    pub fn step(&self, kind: CheckKind) -> &Step {
        &self.steps[kind as usize]
    }

    /// Every check with its step, in order.
    pub fn steps(&self) -> impl Iterator<Item = (CheckKind, &Step)> + Clone {
        CheckKind::ALL.into_iter().zip(&self.steps)
    }

    /// Sets one check's step as it starts, runs or is skipped; a passed or
    /// failed one goes through [`Self::pass`] or [`Self::fail`].
    pub fn set(&mut self, kind: CheckKind, step: Step) {
        self.steps[kind as usize] = step;
    }

    pub fn pass(&mut self, finding: Finding) {
        self.set(finding.kind(), Step::Ok(finding));
    }

    /// Fails `kind` and skips every check that waits for it, saying why.
    pub fn fail(&mut self, kind: CheckKind, advice: Advice) {
        let reason = kind.skip_reason(&advice);
        for waiting in CheckKind::ALL.into_iter().filter(|k| k.waits_for(kind)) {
            self.set(
                waiting,
                Step::Skipped {
                    reason: reason.to_owned(),
                },
            );
        }
        self.set(kind, Step::Failed(advice));
    }

    /// Marks every step not yet finished as failed with `advice`.
    pub fn fail_unfinished(&mut self, advice: &Advice) {
        for step in self.steps.iter_mut().filter(|step| step.is_under_way()) {
            *step = Step::Failed(advice.clone());
        }
    }

    pub fn token(&self) -> Option<&TokenCheck> {
        match self.step(CheckKind::Token) {
            Step::Ok(Finding::Token(token)) => Some(token),
            _ => None,
        }
    }

    pub fn user(&self) -> Option<&UserInfo> {
        match self.step(CheckKind::User) {
            Step::Ok(Finding::User(user)) => Some(user),
            _ => None,
        }
    }

    pub fn org(&self) -> Option<&OrgInfo> {
        match self.step(CheckKind::Org) {
            Step::Ok(Finding::Org(org)) => Some(org),
            _ => None,
        }
    }

    pub fn users(&self) -> Option<&UserPreview> {
        match self.step(CheckKind::Users) {
            Step::Ok(Finding::Users(users)) => Some(users),
            _ => None,
        }
    }

    /// Do the settings work for the connector? `Err` says why not, in
    /// sentences for the terminal (`surface`). When Salesforce could not be
    /// reached, it says so, and nothing about the settings.
    pub fn verdict(&self, surface: Surface) -> Result<(), String> {
        if let Some(token) = self.token().filter(|t| !t.scopes_missing.is_empty()) {
            return Err(format!(
                "The token lacks the scopes {}; add them to the External Client App and sign in again.",
                token.scopes_missing.join(", ")
            ));
        }
        for (kind, step) in self.steps() {
            let Some((failing, short)) = kind.decides() else {
                continue;
            };
            match step {
                Step::Ok(_) => {}
                Step::Failed(advice) => {
                    let advice = advice.on(surface);
                    return Err(if advice.network {
                        format!(
                            "Salesforce could not be reached, so the settings were not checked. {}",
                            advice.one_line()
                        )
                    } else {
                        format!("{failing}. {}", advice.one_line())
                    });
                }
                _ => return Err(format!("The {short} check did not finish.")),
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
