//! One integration-test binary (so linking happens once), grouped by behaviour.

mod architecture;
mod bench;
mod browser;
mod capture;
mod checks;
mod cli;
mod flood;
mod guided;
mod hardening;
mod helpers;
mod hostile;
mod load;
mod login_url;
mod mock_salesforce;
mod neighbour;
mod org_address;
mod page;
mod permissions;
mod props;
mod raw_http;
mod refusals;
mod rules;
mod screens;
mod security;
mod terminal;
mod webdriver;
