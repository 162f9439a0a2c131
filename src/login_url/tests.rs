//! The login URL policy, and every address form of an org.

use super::*;

fn ok_warning(input: &str) -> Option<String> {
    LoginUrl::parse(input, HostPolicy::Salesforce)
        .expect("url")
        .warning()
}

fn ok(input: &str) -> String {
    LoginUrl::parse(input, HostPolicy::Salesforce)
        .map(|u| u.to_string())
        .unwrap_or_else(|e| panic!("{input}: {e}"))
}

#[test]
fn production_sandbox_and_my_domain_are_kept_as_origins() {
    assert_eq!(ok("https://login.salesforce.com"), PRODUCTION);
    assert_eq!(ok("https://test.salesforce.com/"), SANDBOX);
    assert_eq!(
        ok("  https://Acme.my.salesforce.com/services/oauth2/authorize?x=1 "),
        "https://acme.my.salesforce.com"
    );
    assert_eq!(
        ok("acme--uat.sandbox.my.salesforce.com"),
        "https://acme--uat.sandbox.my.salesforce.com"
    );
}

#[test]
fn lightning_urls_become_my_domain_with_a_note() {
    let url = LoginUrl::parse(
        "https://acme.lightning.force.com/lightning/setup/Home",
        HostPolicy::Salesforce,
    )
    .expect("lightning URL");
    assert_eq!(url.as_str(), "https://acme.my.salesforce.com");
    assert!(url.note.expect("note").contains("Lightning"));
    for (lightning, login) in [
        (
            "https://acme.lightning.crmforce.mil/lightning/page/home",
            "https://acme.my.salesforce.mil",
        ),
        (
            "acme.lightning.sfcrmapps.cn",
            "https://acme.my.sfcrmproducts.cn",
        ),
        (
            "https://acme.my-lightning.com",
            "https://acme.my-salesforce.com",
        ),
    ] {
        assert_eq!(ok(lightning), login, "{lightning}");
    }
}

#[test]
fn any_address_of_an_org_gives_its_my_domain_and_environment() {
    use Environment::{Production, Sandbox};
    for (address, login, environment) in [
        (
            "https://acme.lightning.force.com/lightning/setup/SetupOneHome/home",
            "https://acme.my.salesforce.com",
            Some(Production),
        ),
        (
            "https://acme.my.salesforce-setup.com/lightning/setup/ExternalClientAppManager/home",
            "https://acme.my.salesforce.com",
            Some(Production),
        ),
        (
            "https://acme.my.salesforce.com/setup/forcecomHomepage.apexp?setupid=ForceCom",
            "https://acme.my.salesforce.com",
            Some(Production),
        ),
        (
            "acme--uat.sandbox.lightning.force.com/lightning/page/home",
            "https://acme--uat.sandbox.my.salesforce.com",
            Some(Sandbox),
        ),
        (
            "https://acme--uat.my.salesforce.com/home/home.jsp",
            "https://acme--uat.my.salesforce.com",
            Some(Sandbox),
        ),
        (
            "https://acme.lightning.crmforce.mil/lightning/setup/SetupOneHome/home",
            "https://acme.my.salesforce.mil",
            Some(Production),
        ),
        (
            "https://acme.my.site.com/partners/s/",
            "https://acme.my.salesforce.com",
            Some(Production),
        ),
        (
            "https://acme-dev-ed.develop.lightning.force.com/lightning/page/home",
            "https://acme-dev-ed.develop.my.salesforce.com",
            None,
        ),
        (" https://test.salesforce.com/ ", SANDBOX, Some(Sandbox)),
    ] {
        let url = LoginUrl::parse(address, HostPolicy::Salesforce).expect(address);
        assert_eq!(
            (url.as_str(), url.environment()),
            (login, environment),
            "{address}"
        );
    }
}

#[test]
fn an_instance_is_taken_with_a_warning_and_nothing_is_refused() {
    // An instance is a Salesforce host, which the contract accepts; it names
    // no org, so it comes with what to give instead.
    let instance = LoginUrl::parse(
        "https://na1.salesforce.com/setup/forcecomHomepage.apexp",
        HostPolicy::Salesforce,
    )
    .expect("an instance is a Salesforce host");
    assert_eq!(instance.as_str(), "https://na1.salesforce.com");
    let said = instance.warning().expect("a warning");
    assert!(
        said.starts_with("na1.salesforce.com is a Salesforce instance"),
        "{said}"
    );
    assert!(said.contains("Setup → My Domain"), "{said}");
    assert_eq!(ok_warning(PRODUCTION), None);
    assert_eq!(ok_warning("https://acme.my.salesforce.com"), None);
    for blank in ["", "  "] {
        assert_eq!(
            LoginUrl::parse(blank, HostPolicy::Salesforce),
            Err(LoginUrlError::Empty)
        );
    }
}

#[test]
fn the_environment_comes_from_the_login_host() {
    let environment = |input: &str| {
        LoginUrl::parse(input, HostPolicy::Any)
            .expect("url")
            .environment()
    };
    assert_eq!(environment(PRODUCTION), Some(Environment::Production));
    assert_eq!(environment(SANDBOX), Some(Environment::Sandbox));
    assert_eq!(
        environment("https://acme--uat.my.salesforce.com"),
        Some(Environment::Sandbox)
    );
    assert_eq!(environment("http://127.0.0.1:4000"), None);
}

#[test]
fn loopback_is_refused_without_the_opt_out() {
    for input in [
        "http://127.0.0.1:4000/",
        "http://localhost:4000",
        "http://[::1]:4000",
        "https://127.0.0.2",
        "localhost",
    ] {
        assert!(
            matches!(
                LoginUrl::parse(input, HostPolicy::Salesforce),
                Err(LoginUrlError::Loopback(_))
            ),
            "{input}"
        );
        assert!(LoginUrl::parse(input, HostPolicy::Any).is_ok(), "{input}");
    }
    let mock = LoginUrl::parse("http://127.0.0.1:4000/", HostPolicy::Any).expect("opt-out");
    assert_eq!(mock.as_str(), "http://127.0.0.1:4000");
}

#[test]
fn foreign_hosts_and_plain_http_are_refused() {
    assert!(matches!(
        LoginUrl::parse("https://evil.example.com", HostPolicy::Salesforce),
        Err(LoginUrlError::NotSalesforce(_))
    ));
    assert!(matches!(
        LoginUrl::parse(
            "https://salesforce.com.evil.example",
            HostPolicy::Salesforce
        ),
        Err(LoginUrlError::NotSalesforce(_))
    ));
    assert!(matches!(
        LoginUrl::parse("https://notsalesforce.com", HostPolicy::Salesforce),
        Err(LoginUrlError::NotSalesforce(_))
    ));
    assert!(matches!(
        LoginUrl::parse("http://login.salesforce.com", HostPolicy::Salesforce),
        Err(LoginUrlError::NotHttps(_))
    ));
    assert!(matches!(
        LoginUrl::parse("ftp://login.salesforce.com", HostPolicy::Salesforce),
        Err(LoginUrlError::NotAUrl(_))
    ));
    assert!(LoginUrl::parse("", HostPolicy::Salesforce).is_err());
}

#[test]
fn the_opt_out_accepts_any_http_host() {
    let url = LoginUrl::parse("http://mock.internal:8080/x", HostPolicy::Any).expect("allowed");
    assert_eq!(url.as_str(), "http://mock.internal:8080");
}

#[test]
fn an_address_without_a_scheme_may_carry_one_later_in_its_query() {
    assert_eq!(
        ok("acme.my.salesforce.com/login?next=https://x"),
        "https://acme.my.salesforce.com"
    );
}

#[test]
fn the_policy_travels_with_the_url() {
    let any = LoginUrl::parse("http://127.0.0.1:4000", HostPolicy::Any).expect("opt-out");
    assert_eq!(any.policy(), HostPolicy::Any);
    let strict = LoginUrl::parse(PRODUCTION, HostPolicy::Salesforce).expect("production");
    assert_eq!(strict.policy(), HostPolicy::Salesforce);
}

#[test]
fn a_my_domain_knows_its_generic_host_which_keeps_the_policy() {
    let generic = |input: &str, policy| {
        LoginUrl::parse(input, policy)
            .expect("url")
            .generic_host()
            .map(|g| (g.to_string(), g.policy()))
    };
    let strict = HostPolicy::Salesforce;
    assert_eq!(
        generic("https://acme.lightning.force.com", strict),
        Some((PRODUCTION.to_owned(), strict))
    );
    assert_eq!(
        generic("acme--uat.sandbox.my.salesforce.com", strict),
        Some((SANDBOX.to_owned(), strict))
    );
    assert_eq!(generic(PRODUCTION, strict), None);
    assert_eq!(generic("https://acme.my.salesforce.mil", strict), None);
    // Only the test mock's loopback pair, and only when asked for.
    let mock = HostPolicy::AnyWithLoopbackGeneric;
    assert_eq!(
        generic("http://127.0.0.1:4000", mock),
        Some(("http://localhost:4000".to_owned(), mock))
    );
    assert_eq!(generic("http://localhost:4000", mock), None);
    assert_eq!(generic("http://127.0.0.1:4000", HostPolicy::Any), None);
    assert_eq!(generic("http://10.0.0.1:4000", mock), None);
}

#[test]
fn a_refusal_names_what_was_typed_shortened_to_80_characters() {
    let typed = "http://login.salesforce.com/x";
    let said = LoginUrl::parse(typed, HostPolicy::Salesforce)
        .expect_err("plain http")
        .to_string();
    assert!(said.contains(typed), "{said}");
    let long = format!("http://{}.salesforce.com", "a".repeat(100));
    let said = LoginUrl::parse(&long, HostPolicy::Salesforce)
        .expect_err("plain http")
        .to_string();
    assert!(said.contains(&format!("{}…", &long[..80])), "{said}");
    assert!(!said.contains(&long), "{said}");
}

#[test]
fn tokens_only_go_to_salesforce_or_the_login_host() {
    let login =
        LoginUrl::parse("https://acme.my.salesforce.com", HostPolicy::Salesforce).expect("login");
    assert!(login.may_receive_token("https://acme.my.salesforce.com/id/00D/005"));
    assert!(login.may_receive_token("https://na1.salesforce.com/services/data/"));
    assert!(!login.may_receive_token("https://evil.example/id"));
    assert!(!login.may_receive_token("http://acme.my.salesforce.com"));
    assert!(!login.may_receive_token("http://127.0.0.1:4001/id"));
    assert!(!login.may_receive_token("not a url"));
    let production = LoginUrl::parse(PRODUCTION, HostPolicy::Salesforce).expect("production");
    assert!(!production.may_receive_token("http://127.0.0.1:4000/id"));
    let mock = LoginUrl::parse("http://127.0.0.1:4000", HostPolicy::Any).expect("mock");
    assert!(mock.may_receive_token("http://127.0.0.1:4000/id/1/2"));
    assert!(mock.may_receive_token("https://evil.example/id"));
}
