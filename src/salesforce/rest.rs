//! The REST API of one org: its newest API version, and SOQL queries that
//! follow `nextRecordsUrl` page by page.

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use super::http::{Limit, get_json, post_json, rest_refusal};
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

/// The most queries one Composite request may hold: Salesforce allows 25
/// subrequests, of which at most five are queries (docs/salesforce.md,
/// "Composite").
pub const MAX_COMPOSITE_QUERIES: usize = 5;

/// The Composite resource's answer: one `compositeResponse` per subrequest.
#[derive(Deserialize)]
struct CompositeAnswer {
    #[serde(rename = "compositeResponse")]
    composite_response: Vec<SubResponse>,
}

#[derive(Deserialize)]
struct SubResponse {
    #[serde(default)]
    body: Value,
    #[serde(rename = "httpStatusCode")]
    http_status_code: u16,
    #[serde(rename = "referenceId")]
    reference_id: String,
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
        on_page: impl FnMut(Vec<T>),
    ) -> Result<(), SalesforceError> {
        let mut url = url::Url::parse(&format!(
            "{}/services/data/v{}/query",
            self.instance_url, self.version
        ))
        .map_err(|_| SalesforceError::UntrustedUrl(self.instance_url.clone()))?;
        url.query_pairs_mut().append_pair("q", soql);
        self.pages(url.to_string(), on_page).await
    }

    /// Reads the pages from `url` on, following `nextRecordsUrl`.
    async fn pages<T: DeserializeOwned + Send>(
        &self,
        url: String,
        mut on_page: impl FnMut(Vec<T>),
    ) -> Result<(), SalesforceError> {
        let mut next = Some(url);
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
            next = self.next_url(page.next_records_url);
        }
        Ok(())
    }

    /// `nextRecordsUrl` is a path on the same instance.
    fn next_url(&self, path: Option<String>) -> Option<String> {
        path.filter(|path| path.starts_with("/services/data/"))
            .map(|path| format!("{}{path}", self.instance_url))
    }

    /// Runs up to [`MAX_COMPOSITE_QUERIES`] SOQL queries in one Composite
    /// request, which Salesforce counts as one call against the org's daily
    /// API limit (docs/salesforce.md, "Composite"). Each query answers on its
    /// own: its records (any further page read as `query` reads them), or
    /// why Salesforce refused it. `Err` when the Composite request itself
    /// failed.
    pub async fn queries(
        &self,
        soqls: &[&str],
    ) -> Result<Vec<Result<Vec<Value>, SalesforceError>>, SalesforceError> {
        debug_assert!(soqls.len() <= MAX_COMPOSITE_QUERIES);
        let base = format!("/services/data/v{}", self.version);
        let subrequests: Vec<Value> = soqls
            .iter()
            .enumerate()
            .map(|(n, soql)| {
                let mut url = url::Url::parse("http://composite.invalid/query").expect("a URL");
                url.query_pairs_mut().append_pair("q", soql);
                let query = url.query().unwrap_or_default();
                json!({"method": "GET", "url": format!("{base}/query?{query}"), "referenceId": format!("q{n}")})
            })
            .collect();
        let body = json!({"allOrNone": false, "compositeRequest": subrequests});
        let url = format!("{}{base}/composite", self.instance_url);
        let answer: CompositeAnswer = post_json(
            self.http,
            self.login_url,
            &url,
            self.access_token,
            body.to_string().into_bytes(),
        )
        .await?;
        let mut results = Vec::with_capacity(soqls.len());
        for n in 0..soqls.len() {
            let reference = format!("q{n}");
            let Some(sub) = answer
                .composite_response
                .iter()
                .find(|sub| sub.reference_id == reference)
            else {
                results.push(Err(SalesforceError::Rest {
                    status: 200,
                    code: "NO_SUBRESPONSE".to_owned(),
                    message: "The Composite answer lacked a query's answer.".to_owned(),
                }));
                continue;
            };
            results.push(self.subresult(sub).await);
        }
        Ok(results)
    }

    /// One query's answer within a Composite answer: its records, the further
    /// pages read, or Salesforce's refusal.
    async fn subresult(&self, sub: &SubResponse) -> Result<Vec<Value>, SalesforceError> {
        if !(200..300).contains(&sub.http_status_code) {
            // A refused subrequest's body holds REST errors, as a refused
            // request does.
            let error = serde_json::from_value(sub.body.clone())
                .ok()
                .and_then(|errors| rest_refusal(sub.http_status_code, errors));
            return Err(error.unwrap_or(SalesforceError::Rest {
                status: sub.http_status_code,
                code: "UNKNOWN".to_owned(),
                message: String::new(),
            }));
        }
        let page: QueryPage<Value> =
            serde_json::from_value(sub.body.clone()).map_err(|_| SalesforceError::Rest {
                status: sub.http_status_code,
                code: "UNEXPECTED_ANSWER".to_owned(),
                message: "A query's answer within the Composite answer was not a query result."
                    .to_owned(),
            })?;
        let mut records = page.records;
        if let Some(next) = self.next_url(page.next_records_url) {
            self.pages(next, |more: Vec<Value>| records.extend(more))
                .await?;
        }
        Ok(records)
    }
}

/// "66.0" → 66.0, for picking the newest version.
fn version_number(version: &str) -> f64 {
    version.parse().unwrap_or(0.0)
}
