//! sftoken: a loopback helper that gets the five Snow Atlas Salesforce connector
//! settings (Client ID, Client secret, Refresh token, Login URL, Company names)
//! in one browser round trip, with PKCE.
//!
//! Each module is a layer, and each layer uses only the ones below it
//! (ARCHITECTURE.md; `tests/it/architecture.rs` checks it):
//! `commands` → `web` → `flow` → `signin` → `salesforce` → the leaf types
//! (`config`, `pasted_address`, `login_url`, `company_names`, `client_id`,
//! `secret`, `plain_text`).

#![forbid(unsafe_code)]

pub mod commands;
pub mod web;

pub mod flow;

pub mod signin;

pub mod salesforce;

pub mod config;
pub mod pasted_address;

pub mod client_id;
pub mod company_names;
pub mod login_url;
pub mod plain_text;
pub mod secret;
