//! Advice worded for where it is shown: the page, the terminal beside it, or
//! a terminal command with no page at all.

use super::Advice;

/// Where advice is shown. Every text of the advice table is worded for the
/// page; elsewhere, the phrases that point at the page's controls are
/// replaced ([`BESIDE_THE_PAGE`], [`IN_A_TERMINAL`]). So a terminal never says
/// "this page", and the page never names a command-line flag.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Surface {
    /// The page itself.
    Page,
    /// The terminal of `sftoken`, which serves the page: it may point at
    /// "the page", never at "this page".
    BesideThePage,
    /// `sftoken check` and `sftoken paste`: there is no page.
    Terminal,
}

/// The page's words, and what the terminal beside the page says instead.
const BESIDE_THE_PAGE: &[(&str, &str)] = &[
    ("this page", "the page"),
    ("In step 2, paste", "In step 2 of the page, paste"),
    ("field in step 2,", "field in step 2 of the page,"),
    (
        "the settings below are still valid",
        "the settings on the page are still valid",
    ),
    (
        "Salesforce's own words are below",
        "Salesforce's own words are on the page",
    ),
    (
        "then try again: a slow proxy may need more time.",
        "then try again: a slow proxy may need more time (start sftoken with --http-timeout 2m).",
    ),
];

/// The page's words, and what a terminal with no page says instead.
const IN_A_TERMINAL: &[(&str, &str)] = &[
    (
        "In step 2, paste the address of any Salesforce page of the org",
        "Give as --login-url the address of any Salesforce page of the org",
    ),
    (
        "from the sftoken page (not from a bookmarked or hand-built address)",
        "from the address sftoken prints (not from a bookmarked or hand-built one)",
    ),
    (
        "Start over from the sftoken page and finish",
        "Run sftoken again and finish",
    ),
    (
        "Click \"Try again\" and sign in once more.",
        "Run sftoken again and sign in once more.",
    ),
    (
        "sign in through the My Domain of the org where you created the app",
        "give the My Domain of the org where you created the app as --login-url",
    ),
    (
        "paste it into the secret field in step 2, and sign in again",
        "give it in SFTOKEN_CLIENT_SECRET or at the prompt, and try again",
    ),
    (
        "Copy the Callback URL from step 1 of this page",
        "Copy the Callback URL that sftoken printed",
    ),
    (
        "the settings below are still valid",
        "the settings are still valid",
    ),
    (
        "Salesforce's own words are below",
        "Salesforce's own words follow",
    ),
    (
        "then try again: a slow proxy may need more time.",
        "then try again with a longer --http-timeout, such as 2m.",
    ),
];

impl Surface {
    fn rewording(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Surface::Page => &[],
            Surface::BesideThePage => BESIDE_THE_PAGE,
            Surface::Terminal => IN_A_TERMINAL,
        }
    }
}

impl Advice {
    /// This advice, worded for where it is shown.
    pub fn on(&self, surface: Surface) -> Self {
        let reword = |text: &str| {
            surface
                .rewording()
                .iter()
                .fold(text.to_owned(), |text, (page, there)| {
                    text.replace(page, there)
                })
        };
        Self {
            title: reword(&self.title),
            cause: reword(&self.cause),
            fix: reword(&self.fix),
            ..self.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{
        KNOWN_IDENTITY_ERRORS, KNOWN_OAUTH_ERRORS, KNOWN_REST_ERRORS, KNOWN_REVOKE_ERRORS,
        for_identity_error, for_oauth_error, for_refresh_error, for_rest_error,
        missing_refresh_token,
    };
    use super::*;

    /// Every piece of advice sftoken knows, worded for the page.
    fn all_advice() -> Vec<Advice> {
        let mut all: Vec<Advice> = KNOWN_OAUTH_ERRORS
            .iter()
            .map(|(code, description)| for_oauth_error(code, description))
            .chain(
                KNOWN_REST_ERRORS
                    .iter()
                    .map(|(code, message)| for_rest_error(code, message)),
            )
            .collect();
        all.extend(
            KNOWN_IDENTITY_ERRORS
                .iter()
                .map(|word| for_identity_error(word)),
        );
        all.extend(
            KNOWN_REVOKE_ERRORS
                .iter()
                .map(|code| for_oauth_error(code, "")),
        );
        all.push(for_refresh_error("invalid_grant", "something new"));
        all.push(missing_refresh_token());
        all.push(for_oauth_error("something_new", ""));
        all.push(for_rest_error("SOMETHING_NEW", ""));
        all.extend(
            crate::salesforce::SalesforceError::every_kind()
                .iter()
                .map(|e| e.advice()),
        );
        all
    }

    /// Words that point at the page's controls.
    const PAGE_WORDS: &[&str] = &[
        "this page",
        "on the page",
        "sftoken page",
        "\"Try again\"",
        "below",
        "step 2,",
    ];

    fn words(advice: &Advice) -> String {
        format!("{} {} {}", advice.title, advice.cause, advice.fix)
    }

    #[test]
    fn the_terminal_never_points_at_the_page_and_the_page_never_names_a_flag() {
        for advice in all_advice() {
            let terminal = words(&advice.on(Surface::Terminal));
            for page_word in PAGE_WORDS {
                assert!(!terminal.contains(page_word), "{page_word}: {terminal}");
            }
            let beside = words(&advice.on(Surface::BesideThePage));
            for page_word in ["this page", "below"] {
                assert!(!beside.contains(page_word), "{page_word}: {beside}");
            }
            let page = words(&advice.on(Surface::Page));
            assert!(!page.contains(" --"), "a flag on the page: {page}");
            assert_eq!(advice.on(Surface::Page), advice, "the table is the page's");
        }
    }

    #[test]
    fn every_rewording_is_used_so_none_goes_stale() {
        let page: Vec<String> = all_advice().iter().map(words).collect();
        for (page_words, _) in IN_A_TERMINAL.iter().chain(BESIDE_THE_PAGE) {
            assert!(
                page.iter().any(|text| text.contains(page_words)),
                "no advice says {page_words:?} any more: update the rewording tables"
            );
        }
    }

    #[test]
    fn one_line_joins_the_title_and_the_fix_with_a_full_stop() {
        let advice = for_oauth_error("access_denied", "end-user denied authorization");
        assert!(
            advice
                .one_line()
                .starts_with("Access was denied. Sign in again and click Allow."),
            "{}",
            advice.one_line()
        );
        let wrong_secret = for_oauth_error("invalid_client", "invalid client credentials");
        assert!(
            wrong_secret
                .on(Surface::Terminal)
                .one_line()
                .contains("give it in SFTOKEN_CLIENT_SECRET or at the prompt, and try again."),
            "{}",
            wrong_secret.on(Surface::Terminal).one_line()
        );
    }
}
