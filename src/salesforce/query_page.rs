//! A query page read as it arrives. A page of 2,000 users is a few hundred KB
//! of JSON; held whole while it was parsed, it was the peak of a large org's
//! user preview (docs/BENCHMARKS.md). The [`Splitter`] hands on each record of
//! the page's `records` array as soon as it is complete, and keeps only the
//! rest of the page (`totalSize`, `done`, `nextRecordsUrl`) for serde.
//!
//! It follows only what JSON's structure needs (nesting, strings and their
//! escapes, the commas between records); serde checks the rest, on each record
//! and on the rest of the page, so a page that is not well-formed JSON is
//! refused as before.

use serde::de::DeserializeOwned;

use super::http::{Answer, Limit, authorized, read_chunks, send};
use super::{Http, SalesforceError};
use crate::login_url::LoginUrl;
use crate::secret::AccessToken;

/// GETs one page of a query like `get_json`, but parses it as it arrives:
/// each record of its `records` array goes to `on_record` as soon as it is
/// complete, so the page is never held whole. Returns the rest of the page.
pub(super) async fn get_page<P: DeserializeOwned, R: DeserializeOwned>(
    http: &Http,
    login_url: &LoginUrl,
    url: &str,
    access_token: &AccessToken,
    mut on_record: impl FnMut(R) + Send,
) -> Result<P, SalesforceError> {
    let mut record = |bytes: &[u8]| serde_json::from_slice(bytes).map(&mut on_record).is_ok();
    let (answer, rest) =
        Box::pin(read_split(http, login_url, url, access_token, &mut record)).await?;
    rest.and_then(|rest| serde_json::from_slice(&rest).ok())
        .ok_or_else(|| answer.unexpected(url))
}

/// [`get_page`] without its types, so its code exists once: the rest of the
/// page, or `None` when a record did not parse (`record` said false).
async fn read_split(
    http: &Http,
    login_url: &LoginUrl,
    url: &str,
    access_token: &AccessToken,
    record: &mut (dyn FnMut(&[u8]) -> bool + Send),
) -> Result<(Answer, Option<Vec<u8>>), SalesforceError> {
    let request = authorized(http, login_url, reqwest::Method::GET, url, access_token)?;
    let (answer, response) = send(http, url, request, Limit::Rest).await?;
    let mut splitter = Splitter::default();
    let mut parsed = true;
    read_chunks(http, url, response, Limit::Rest, &mut |chunk| {
        splitter.feed(chunk, |bytes| parsed = parsed && record(bytes));
    })
    .await?;
    Ok((answer, splitter.finish().filter(|_| parsed)))
}

/// The key of the records array, as the rest of the page spells it (without
/// whitespace).
const RECORDS_KEY: &[u8] = b"\"records\":";

/// Where the splitter is among the records.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
enum Records {
    /// Not in the records array.
    #[default]
    Outside,
    /// Just after its `[`: a record or `]` comes next.
    First,
    /// After a comma: a record comes next.
    Next,
    /// Inside a record.
    In,
    /// After a record: a comma or `]` comes next.
    After,
}

/// Splits `{"totalSize":…,"done":…,"nextRecordsUrl":"…","records":[{…},{…}]}`
/// into its records, one by one, and the rest: `{…,"records":[]}`.
#[derive(Debug, Default)]
struct Splitter {
    /// The page without its records and without whitespace outside strings.
    rest: Vec<u8>,
    /// The record being read.
    record: Vec<u8>,
    records: Records,
    /// Objects and arrays open around the current byte.
    depth: usize,
    in_string: bool,
    escaped: bool,
    /// Where the last string of the top-level object starts in `rest`.
    key_start: usize,
    /// A record was not an object (or array), or the commas were wrong.
    malformed: bool,
}

impl Splitter {
    /// Reads the next bytes of the page; `on_record` gets each record
    /// completed in them.
    fn feed(&mut self, bytes: &[u8], mut on_record: impl FnMut(&[u8])) {
        let mut bytes = bytes;
        while !bytes.is_empty() {
            if self.records == Records::In && !self.escaped {
                // Most of a page is inside records: copy what comes before
                // the next byte that matters in one go.
                let plain = if self.in_string {
                    bytes.iter().position(|&b| b == b'"' || b == b'\\')
                } else {
                    bytes
                        .iter()
                        .position(|&b| matches!(b, b'"' | b'{' | b'}' | b'[' | b']'))
                };
                let plain = plain.unwrap_or(bytes.len());
                self.record.extend_from_slice(&bytes[..plain]);
                bytes = &bytes[plain..];
            }
            let Some((&byte, rest)) = bytes.split_first() else {
                break;
            };
            match self.records {
                Records::Outside => self.outside(byte),
                Records::In => self.in_record(byte, &mut on_record),
                Records::First | Records::Next | Records::After => self.between_records(byte),
            }
            bytes = rest;
        }
    }

    /// The rest of the page, `{…,"records":[]}`; `None` when a record was not
    /// an object or the records were not separated by single commas.
    fn finish(self) -> Option<Vec<u8>> {
        (!self.malformed).then_some(self.rest)
    }

    /// Follows a string's end, and its escapes.
    fn string_byte(&mut self, byte: u8) {
        if self.escaped {
            self.escaped = false;
        } else if byte == b'\\' {
            self.escaped = true;
        } else if byte == b'"' {
            self.in_string = false;
        }
    }

    fn outside(&mut self, byte: u8) {
        if self.in_string {
            self.string_byte(byte);
        } else {
            match byte {
                b' ' | b'\t' | b'\n' | b'\r' => return,
                b'"' => {
                    if self.depth == 1 {
                        self.key_start = self.rest.len();
                    }
                    self.in_string = true;
                }
                b'[' if self.depth == 1
                    && self.rest.first() == Some(&b'{')
                    && self.rest.get(self.key_start..) == Some(RECORDS_KEY) =>
                {
                    self.rest.extend_from_slice(b"[]");
                    self.records = Records::First;
                    self.depth += 1;
                    return;
                }
                b'{' | b'[' => self.depth += 1,
                b'}' | b']' => self.depth = self.depth.saturating_sub(1),
                _ => {}
            }
        }
        self.rest.push(byte);
    }

    fn between_records(&mut self, byte: u8) {
        match (self.records, byte) {
            (_, b' ' | b'\t' | b'\n' | b'\r') => {}
            (Records::After, b',') => self.records = Records::Next,
            (Records::First | Records::After, b']') => self.end_of_records(),
            (Records::First | Records::Next, b'{' | b'[') => {
                self.record.push(byte);
                self.depth += 1;
                self.records = Records::In;
            }
            _ => {
                self.malformed = true;
                self.records = Records::After;
            }
        }
    }

    fn end_of_records(&mut self) {
        self.records = Records::Outside;
        self.depth -= 1;
    }

    fn in_record(&mut self, byte: u8, on_record: &mut impl FnMut(&[u8])) {
        self.record.push(byte);
        if self.in_string {
            self.string_byte(byte);
            return;
        }
        match byte {
            b'"' => self.in_string = true,
            b'{' | b'[' => self.depth += 1,
            b'}' | b']' => {
                self.depth -= 1;
                if self.depth == 2 {
                    on_record(&self.record);
                    self.record.clear();
                    self.records = Records::After;
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The records and the rest of `page`, fed in pieces of `piece` bytes.
    fn split(page: &str, piece: usize) -> (Vec<String>, Option<String>) {
        let mut splitter = Splitter::default();
        let mut records = Vec::new();
        for bytes in page.as_bytes().chunks(piece) {
            splitter.feed(bytes, |record| {
                records.push(String::from_utf8(record.to_vec()).expect("utf-8"));
            });
        }
        let rest = splitter
            .finish()
            .map(|rest| String::from_utf8(rest).expect("utf-8"));
        (records, rest)
    }

    #[test]
    fn records_come_one_by_one_and_the_rest_keeps_an_empty_array() {
        let page = r#"{ "totalSize" : 2, "done" : false,
            "nextRecordsUrl" : "/services/data/v62.0/query/01g-2000",
            "records" : [ {"attributes":{"type":"User"},"Email":"a@x.com","UserType":"Standard"} ,
                {"Email":"q\"}]{[\\","UserType":null,"Nested":[[1],{"a":[]}]} ] }"#;
        for piece in [1, 2, 3, 7, page.len()] {
            let (records, rest) = split(page, piece);
            assert_eq!(
                records,
                [
                    r#"{"attributes":{"type":"User"},"Email":"a@x.com","UserType":"Standard"}"#,
                    r#"{"Email":"q\"}]{[\\","UserType":null,"Nested":[[1],{"a":[]}]}"#,
                ],
                "in pieces of {piece}"
            );
            assert_eq!(
                rest.as_deref(),
                Some(
                    r#"{"totalSize":2,"done":false,"nextRecordsUrl":"/services/data/v62.0/query/01g-2000","records":[]}"#
                ),
                "in pieces of {piece}"
            );
        }
    }

    #[test]
    fn an_empty_page_and_pages_without_records_are_kept_whole() {
        assert_eq!(
            split(r#"{"records":[],"done":true}"#, 3),
            (vec![], Some(r#"{"records":[],"done":true}"#.to_owned()))
        );
        // Only the top-level object's `records` is split; serde reads the rest.
        for page in [
            r#"[{"records":[{"a":1}]}]"#,
            r#"{"x":{"records":[{"a":1}]}}"#,
            r#"{"x":"records","y":[{"a":1}]}"#,
            r#"{"rec\u006frds":[{"a":1}]}"#,
            "<html>{\"records\":[{}]}</html>",
        ] {
            assert_eq!(split(page, 4), (vec![], Some(page.to_owned())), "{page}");
        }
    }

    #[test]
    fn records_that_are_not_objects_or_not_separated_by_one_comma_are_refused() {
        for page in [
            r#"{"records":[1]}"#,
            r#"{"records":["a"]}"#,
            r#"{"records":[{"a":1}{"a":2}]}"#,
            r#"{"records":[{"a":1},]}"#,
            r#"{"records":[,{"a":1}]}"#,
            r#"{"records":[{"a":1},,{"a":2}]}"#,
        ] {
            assert_eq!(split(page, 5).1, None, "{page}");
        }
    }

    #[test]
    fn a_page_cut_short_leaves_a_rest_serde_refuses() {
        let (records, rest) = split(r#"{"done":true,"records":[{"a":1},{"a":"#, 4);
        assert_eq!(records, [r#"{"a":1}"#]);
        let rest = rest.expect("not malformed, only cut short");
        assert!(
            serde_json::from_str::<serde_json::Value>(&rest).is_err(),
            "{rest}"
        );
    }
}
