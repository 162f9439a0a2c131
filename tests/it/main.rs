//! One integration-test binary (so linking happens once), grouped by behaviour.

mod mock_salesforce;
mod webdriver;
