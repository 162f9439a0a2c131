//! Sign-ins and what they become, held while sftoken runs: the pending
//! sign-ins, the connection each successful one becomes (credentials, refresh
//! token, company names, org details), the checks run on it, and the formats
//! the settings are handed over in. Everything here lives in memory only and
//! is dropped on "Done" or exit. ("Session" means only the page's session, in
//! `web/`.)

mod app_policy;
mod approvals;
pub mod checks;
mod connection;
mod logins;
mod permissions;
pub mod report;
pub mod settings;
mod user_tally;

pub use connection::{Connection, Details, Held};
pub use logins::{Claim, LOGIN_LIFETIME, Logins, Outcome, Owner, Pending, Status, Waiting};
pub use user_tally::{LEFT_OUT_USER_TYPES, email_domain, is_left_out, user_type_name};
