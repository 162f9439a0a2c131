//! The page's JSON: what a sign-in looks like to the page, and each check as
//! a step the page draws a row for. These views borrow from the connection
//! under its lock while the answer is written, so a poll copies nothing.
//! `--json` (`commands/json.rs`) shows the checks through the same
//! [`StepView`].

use std::sync::Arc;

use serde::{Serialize, Serializer};

use super::error::ErrorDetail;
use crate::salesforce::Advice;
use crate::signin::report::{CheckKind, Report, Step};
use crate::signin::{Connection, Details, Held};
use findings::FindingView;

mod findings;

/// A sign-in as the page sees it, tagged by `status`.
#[derive(Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub(super) enum LoginView {
    Waiting {
        expires_in_seconds: u64,
    },
    Exchanging,
    Failed {
        error: ErrorDetail,
        /// Kept so the page can prefill "Try again" (not secret).
        client_id: String,
        login_url: String,
    },
    Captured(ConnectionView),
}

/// The settings, their formats, the details and the checks, as they are when
/// the answer is written.
pub(super) struct ConnectionView(pub(super) Arc<Connection>);

impl Serialize for ConnectionView {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct View<'a> {
            copy_all: String,
            company_names_text: String,
            settings: SettingsView<'a>,
            details: DetailsView<'a>,
            checks: ChecksView<'a>,
            revoked: bool,
            existing: bool,
            /// Chosen names that match no active user's email domain.
            unmatched_company_names: Vec<String>,
        }
        let credentials = &self.0.credentials;
        self.0.read(|held: &Held| {
            let settings = held.settings(credentials);
            View {
                copy_all: settings.copy_all(),
                company_names_text: settings.company_names_lines(),
                settings: SettingsView {
                    client_id: settings.client_id,
                    client_secret: settings.client_secret,
                    refresh_token: settings.refresh_token,
                    login_url: settings.login_url,
                    company_names: settings.company_names.as_slice(),
                },
                details: DetailsView(&held.details),
                checks: ChecksView(&held.report),
                revoked: held.revoked,
                existing: self.0.existing,
                unmatched_company_names: held.unmatched_company_names(),
            }
            .serialize(serializer)
        })
    }
}

/// The five settings, secrets exposed: the page shows them behind its session.
#[derive(Serialize)]
struct SettingsView<'a> {
    client_id: &'a str,
    client_secret: &'a str,
    refresh_token: &'a str,
    login_url: &'a str,
    company_names: &'a [String],
}

struct DetailsView<'a>(&'a Details);

impl Serialize for DetailsView<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct View<'a> {
            instance_url: Option<&'a str>,
            org_id: Option<&'a str>,
            user_id: Option<&'a str>,
            username: Option<&'a str>,
            scope: Option<&'a str>,
        }
        let d = self.0;
        View {
            instance_url: d.instance_url.as_deref(),
            org_id: d.org_id.as_deref(),
            user_id: d.user_id.as_deref(),
            username: d.username.as_deref(),
            scope: d.scope.as_deref(),
        }
        .serialize(serializer)
    }
}

/// `{"done": …, "steps": [{"kind", "heading", "status", …}]}`: the page draws
/// one row per step, in this order, and counts them.
struct ChecksView<'a>(&'a Report);

impl Serialize for ChecksView<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Row<'a> {
            kind: &'static str,
            heading: &'static str,
            #[serde(flatten)]
            step: StepView<'a>,
        }
        fn row((kind, step): (CheckKind, &Step)) -> Row<'_> {
            Row {
                kind: kind.name(),
                heading: kind.heading(),
                step: StepView::of(step),
            }
        }
        #[derive(Serialize)]
        struct View<Rows: Serialize> {
            done: bool,
            steps: Rows,
        }
        View {
            done: self.0.done,
            steps: Each(self.0.steps(), row),
        }
        .serialize(serializer)
    }
}

/// One check's state, tagged by `status`: `running` with `pages` and
/// `records`, `ok` with what it found, `failed` with the advice, `skipped`
/// with the `reason`.
#[derive(Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum StepView<'a> {
    Pending,
    Running { pages: u64, records: u64 },
    Ok(FindingView<'a>),
    Failed(&'a Advice),
    Skipped { reason: &'a str },
}

impl<'a> StepView<'a> {
    pub fn of(step: &'a Step) -> Self {
        match step {
            Step::Pending => Self::Pending,
            Step::Running { pages, records } => Self::Running {
                pages: *pages,
                records: *records,
            },
            Step::Ok(finding) => Self::Ok(FindingView::of(finding)),
            Step::Failed(advice) => Self::Failed(advice),
            Step::Skipped { reason } => Self::Skipped { reason },
        }
    }
}

/// A sequence serialized item by item through a view, without collecting it.
pub struct Each<I, F>(I, F);

impl<I, F, V> Serialize for Each<I, F>
where
    I: Iterator + Clone,
    F: Fn(I::Item) -> V,
    V: Serialize,
{
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.clone().map(&self.1))
    }
}
