//! The REST API of one org: its newest API version, and SOQL queries that
//! follow `nextRecordsUrl` page by page.

use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::http::{Limit, get_json};
use super::query_page::get_page;
use super::{Http, SalesforceError};
use crate::login_url::LoginUrl;
use crate::secret::AccessToken;

/// The most pages one query reads: 1,000,000 records at Salesforce's 2,000
/// a page. Each page counts against the org's daily API limit.
pub const MAX_PAGES: usize = 500;

/// The REST API of one org, at its newest API version.
pub struct Api<'a> {
    http: &'a Http,
    /// Whose policy decides where the token may go (every page is checked).
    login_url: &'a LoginUrl,
    access_token: &'a AccessToken,
    instance_url: String,
    pub version: String,
}

#[derive(Deserialize)]
struct ApiVersion {
    version: String,
}

/// One page of a SOQL query. Its records are read one by one as the page
/// arrives (`get_page`); `records` holds only those it could not split off.
#[derive(Deserialize)]
struct QueryPage<T> {
    records: Vec<T>,
    #[serde(rename = "nextRecordsUrl")]
    next_records_url: Option<String>,
}

impl<'a> Api<'a> {
    /// Finds the newest API version the org offers (`GET /services/data/`).
    pub async fn connect(
        http: &'a Http,
        login_url: &'a LoginUrl,
        instance_url: &str,
        access_token: &'a AccessToken,
    ) -> Result<Api<'a>, SalesforceError> {
        let instance_url = instance_url.trim_end_matches('/').to_owned();
        let url = format!("{instance_url}/services/data/");
        let versions: Vec<ApiVersion> =
            get_json(http, login_url, &url, access_token, Limit::Rest).await?;
        let version = versions
            .iter()
            .map(|v| v.version.as_str())
            .max_by(|a, b| version_number(a).total_cmp(&version_number(b)))
            .unwrap_or("62.0")
            .to_owned();
        Ok(Api {
            http,
            login_url,
            access_token,
            instance_url,
            version,
        })
    }

    /// Runs a SOQL query and hands each page's records to `on_page`, following
    /// `nextRecordsUrl` until the end. Only one page's records are in memory
    /// at a time, and never the page's JSON whole.
    pub async fn query<T: DeserializeOwned + Send>(
        &self,
        soql: &str,
        mut on_page: impl FnMut(Vec<T>),
    ) -> Result<(), SalesforceError> {
        let mut url = url::Url::parse(&format!(
            "{}/services/data/v{}/query",
            self.instance_url, self.version
        ))
        .map_err(|_| SalesforceError::UntrustedUrl(self.instance_url.clone()))?;
        url.query_pairs_mut().append_pair("q", soql);
        let mut next = Some(url.to_string());
        let mut pages = 0;
        while let Some(url) = next.take() {
            if pages == MAX_PAGES {
                return Err(SalesforceError::TooManyPages { pages });
            }
            pages += 1;
            let mut records = Vec::new();
            let page: QueryPage<T> = get_page(
                self.http,
                self.login_url,
                &url,
                self.access_token,
                |record| {
                    records.push(record);
                },
            )
            .await?;
            // Not empty only if the page spelled `records` unusually (escaped).
            records.extend(page.records);
            on_page(records);
            // nextRecordsUrl is a path on the same instance.
            next = page
                .next_records_url
                .filter(|path| path.starts_with("/services/data/"))
                .map(|path| format!("{}{path}", self.instance_url));
        }
        Ok(())
    }
}

/// "66.0" → 66.0, for picking the newest version.
fn version_number(version: &str) -> f64 {
    version.parse().unwrap_or(0.0)
}
