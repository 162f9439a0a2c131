//! Talking to Salesforce: the authorize URL, the token endpoint (code exchange,
//! refresh, revoke), the identity URL and REST queries with paging, and what
//! each of Salesforce's errors means for the admin. Shapes follow Salesforce's
//! [OAuth 2.0 Web Server Flow](https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_web_server_flow.htm)
//! and [REST API](https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/)
//! documentation.
//!
//! This layer knows nothing of pages, sessions or commands: it takes typed
//! credentials and secrets, and returns typed answers or a [`SalesforceError`].

pub mod advice;
mod error;
mod http;
mod network;
mod oauth;
mod query_page;
mod rest;

pub use advice::{Advice, Surface};
pub use error::SalesforceError;
pub use http::Http;
pub use oauth::{
    Identity, Tokens, authorize_url, exchange_code, identity, ids_from_identity_url, refresh,
    revoke,
};
pub use rest::{Api, MAX_PAGES};

use crate::client_id::ClientId;
use crate::login_url::LoginUrl;
use crate::secret::ClientSecret;

/// What the Snow Atlas connector needs: API access, full access and a refresh token.
pub const SCOPES: &str = "refresh_token api full";

/// The External Client App's credentials, and the org's login URL they are
/// used against.
#[derive(Clone, Debug)]
pub struct Credentials {
    pub client_id: ClientId,
    pub client_secret: ClientSecret,
    pub login_url: LoginUrl,
}
