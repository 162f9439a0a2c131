//! Reading what users paste: addresses, bare codes, errors and their limits.

use super::*;

fn code_of(input: &str) -> (String, Option<String>) {
    let pasted = parse(input).unwrap_or_else(|e| panic!("{input}: {e}"));
    (
        pasted.code.expose().to_owned(),
        pasted.state.map(|s| s.expose().to_owned()),
    )
}

#[test]
fn a_full_success_address_gives_the_decoded_code_and_state() {
    assert_eq!(
        code_of(
            "https://login.salesforce.com/services/oauth2/success?code=aPrxAbC.dEf%3D%3D&state=xyz"
        ),
        ("aPrxAbC.dEf==".to_owned(), Some("xyz".to_owned()))
    );
}

#[test]
fn a_bare_code_is_decoded_and_keeps_its_plus_signs() {
    assert_eq!(
        code_of("aPrxAbC+dEfGhIjKlMnOp%3D%3D").0,
        "aPrxAbC+dEfGhIjKlMnOp=="
    );
    assert_eq!(
        code_of("aPrxAbC_dEfGhIjKlMnOp==").0,
        "aPrxAbC_dEfGhIjKlMnOp=="
    );
    assert_eq!(code_of("aPrxAbC_dEfGhIjKlMnOp==").1, None);
}

#[test]
fn whitespace_and_line_breaks_from_wrapped_copies_are_ignored() {
    assert_eq!(
        code_of(
            "  https://acme.my.salesforce.com/services/oauth2/success?co\nde=aPrxAbC%3D%3D\r\n&state=s1 \t"
        ),
        ("aPrxAbC==".to_owned(), Some("s1".to_owned()))
    );
}

#[test]
fn a_query_string_alone_and_a_fragment_are_understood() {
    assert_eq!(code_of("code=aPrxAbCdEf&state=s").0, "aPrxAbCdEf");
    assert_eq!(code_of("?code=aPrxAbCdEf&state=s#top").0, "aPrxAbCdEf");
    assert_eq!(
        parse("https://login.salesforce.com/services/oauth2/success?code=aPrxAbCdEf")
            .expect_err("no state"),
        PasteError::NoState
    );
}

#[test]
fn an_error_address_reports_salesforces_error() {
    assert_eq!(
        parse("https://login.salesforce.com/services/oauth2/success?error=access_denied&error_description=end-user+denied+authorization&state=s")
            .expect_err("error"),
        PasteError::Salesforce {
            code: "access_denied".into(),
            description: "end-user denied authorization".into()
        }
    );
}

#[test]
fn junk_is_refused_with_what_to_do() {
    assert_eq!(parse(" \n ").expect_err("empty"), PasteError::Empty);
    assert_eq!(
        parse("https://login.salesforce.com/services/oauth2/success?state=x").expect_err("no code"),
        PasteError::NoCode
    );
    assert_eq!(
        parse("<script>alert(1)</script>").expect_err("junk"),
        PasteError::NotACode
    );
    assert_eq!(
        parse("code=<b>&state=x").expect_err("bad code"),
        PasteError::NotACode
    );
    assert_eq!(parse("short").expect_err("too short"), PasteError::NotACode);
    assert_eq!(
        parse("not an address").expect_err("words"),
        PasteError::NotACode
    );
}

#[test]
fn any_salesforce_success_page_is_a_callback_url() {
    let page = |input: &str| SuccessPage::parse(input, HostPolicy::Salesforce);
    for (input, expected) in [
        (DEFAULT_SUCCESS_PAGE, DEFAULT_SUCCESS_PAGE),
        (
            " https://test.salesforce.com/services/oauth2/success ",
            "https://test.salesforce.com/services/oauth2/success",
        ),
        (
            "https://Acme.my.salesforce.com/services/oauth2/success",
            "https://acme.my.salesforce.com/services/oauth2/success",
        ),
        (
            "acme--uat.sandbox.my.salesforce.com",
            "https://acme--uat.sandbox.my.salesforce.com/services/oauth2/success",
        ),
    ] {
        assert_eq!(page(input).expect(input).as_str(), expected);
    }
    assert_eq!(SuccessPage::default_page().as_str(), DEFAULT_SUCCESS_PAGE);
}

#[test]
fn a_callback_url_that_is_not_a_salesforce_success_page_is_refused() {
    let page = |input: &str| SuccessPage::parse(input, HostPolicy::Salesforce);
    for input in [
        "https://login.salesforce.com/services/oauth2/callback",
        "https://login.salesforce.com/services/oauth2/success/",
        "https://login.salesforce.com/services/oauth2/success?x=1",
        "https://acme.lightning.force.com/services/oauth2/success",
    ] {
        assert!(
            matches!(page(input), Err(SuccessPageError::NotTheSuccessPage(_))),
            "{input}"
        );
    }
    for input in [
        "https://evil.example/services/oauth2/success",
        "http://login.salesforce.com/services/oauth2/success",
        "http://127.0.0.1:4000/services/oauth2/success",
    ] {
        assert!(
            matches!(page(input), Err(SuccessPageError::NotSalesforce(_))),
            "{input}"
        );
    }
    let mock = SuccessPage::parse(
        "http://127.0.0.1:4000/services/oauth2/success",
        HostPolicy::Any,
    )
    .expect("a mock's page with the opt-out");
    assert_eq!(
        mock.as_str(),
        "http://127.0.0.1:4000/services/oauth2/success"
    );
}

#[test]
fn a_wrong_state_is_returned_for_the_caller_to_refuse() {
    assert_eq!(
        code_of("code=aPrxAbCdEf&state=other").1.as_deref(),
        Some("other")
    );
}
#[test]
fn the_state_of_any_pasted_address_is_read_even_of_an_error() {
    assert_eq!(
        state_of("https://x/services/oauth2/success?error=access_denied&state=s1").as_deref(),
        Some("s1")
    );
    assert_eq!(state_of("error=access_denied&state=").as_deref(), None);
    assert_eq!(state_of("error=access_denied").as_deref(), None);
    assert_eq!(
        state_of("?error=access_denied&state=s3#top").as_deref(),
        Some("s3"),
        "as parse reads it: without the fragment"
    );
    assert_eq!(state_of(" code=a\n&sta te=s2 ").as_deref(), Some("s2"));
}

#[test]
fn a_bare_code_needs_20_characters_and_a_code_8_to_2048() {
    assert_eq!(
        parse(&"a".repeat(19)).expect_err("19"),
        PasteError::NotACode
    );
    assert_eq!(code_of(&"a".repeat(20)).0.len(), 20);
    let with_state = |code: &str| format!("code={code}&state=s");
    assert_eq!(
        parse(&with_state(&"a".repeat(7))).expect_err("7"),
        PasteError::NotACode
    );
    assert_eq!(code_of(&with_state(&"a".repeat(8))).0.len(), 8);
    assert_eq!(code_of(&with_state(&"a".repeat(2048))).0.len(), 2048);
    assert_eq!(
        parse(&with_state(&"a".repeat(2049))).expect_err("2049"),
        PasteError::NotACode
    );
    assert_eq!(
        code_of(&with_state("aB3.x_y-z!w%2Bv/u%3D")).0,
        "aB3.x_y-z!w+v/u="
    );
    assert_eq!(
        parse(&with_state("aB3.x_y-z!w+v/u=")).expect_err("a + in a query is a space"),
        PasteError::NotACode
    );
}

#[test]
fn pasted_parts_after_the_first_of_a_name_are_ignored() {
    let (code, state) = code_of("code=first123&code=second456&state=one&state=two");
    assert_eq!(code, "first123");
    assert_eq!(state.as_deref(), Some("one"));
}
