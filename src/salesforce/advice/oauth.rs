//! The OAuth errors of the authorize redirect, the token endpoint and the
//! revoke endpoint, explained. Salesforce's wording for each is in
//! [`super::known`]; where each fact comes from is in docs/salesforce.md.

use super::Advice;

/// Which request Salesforce refused. The same `invalid_grant` means a refused
/// sign-in for a code, and a dead token for a refresh token.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Grant {
    /// The authorize redirect, the code exchange, or the revoke endpoint.
    SignIn,
    /// The refresh grant, as Snow Atlas runs it and the checks repeat it.
    Refresh,
}

/// Explains an OAuth error from the authorize redirect, the code exchange or
/// the revoke endpoint.
pub fn for_oauth_error(code: &str, description: &str) -> Advice {
    explain(Grant::SignIn, code, description)
}

/// Explains an OAuth error from the refresh grant: an `invalid_grant` whose
/// words sftoken does not know is most likely a revoked or expired token.
pub fn for_refresh_error(code: &str, description: &str) -> Advice {
    explain(Grant::Refresh, code, description)
}

/// Where a user is given an External Client App, and the other way out.
const ASSIGN_THE_USER: &str = "In External Client App Manager, open the app, then Policies → Edit: under App Policies, add the user's profile or a permission set the user has, or under OAuth Policies set Permitted Users to \"All users can self-authorize\".";

/// The key and the org's own address, the first things to check when
/// Salesforce does not know the app.
const KEY_AND_MY_DOMAIN: &str = "Copy the Client ID (Consumer Key) again from the app (External Client App Manager → your app → Settings → OAuth Settings → Consumer Key and Secret), and sign in through the My Domain of the org where you created the app (Setup → My Domain shows it).";

/// Where the right secret is.
const COPY_THE_SECRET: &str = "Copy the secret again from External Client App Manager → your app → Settings → OAuth Settings → Consumer Key and Secret";

/// Where Salesforce writes its own reason for a refused sign-in.
const LOGIN_HISTORY: &str = "Open Setup → Login History in the org: the Status of this sign-in gives Salesforce's own reason, such as \"Failed: Not approved for access\" (then assign the user to the app under its Policies).";

fn explain(grant: Grant, code: &str, description: &str) -> Advice {
    let d = description.to_ascii_lowercase();
    let advice = match code {
        "access_denied" => Advice::new(
            "Access was denied",
            "Salesforce says the user denied the app access: Deny was clicked on Salesforce's approval page.",
            "Sign in again and click Allow.",
        ),
        "OAUTH_APP_ACCESS_DENIED" => Advice::new(
            "This user is not approved for the app",
            "Salesforce says the user is not admin approved to access this app: the External Client App's Permitted Users is \"Admin approved users are pre-authorized\", and neither the user's profile nor a permission set of the user is assigned to the app.",
            &format!("{ASSIGN_THE_USER} Save, then try again."),
        ),
        "invalid_app_access" => Advice::new(
            "This user may not use the app",
            "Salesforce refused the code exchange: the user is not admin approved to access this app. Either the app's Permitted Users is \"Admin approved users are pre-authorized\" and the user's profile or permission set is not assigned to it, or, as integrations report, the org's API Access Control limits API access to allowlisted apps.",
            &format!(
                "{ASSIGN_THE_USER} If the org has API Access Control on, users reach the API only through an app they are pre-authorized for, so assign the user rather than let everyone self-authorize; integrations report that turning off its \"For admin-approved users, limit API access to only allowlisted connected apps\" cured the error where the user was already assigned. Then try again."
            ),
        ),
        "invalid_request" if d.contains("code challenge") || d.contains("code_challenge") => {
            Advice::new(
                "Salesforce requires PKCE",
                "The External Client App has \"Require Proof Key for Code Exchange (PKCE) extension for Supported Authorization Flows\" on, and the request reached Salesforce without a code challenge.",
                "sftoken always sends PKCE, so sign in again from the sftoken page (not from a bookmarked or hand-built address).",
            )
        }
        "invalid_request" | "invalid_grant" if d.contains("verifier") || d.contains("pkce") => {
            Advice::new(
                "The PKCE check failed",
                "Salesforce could not match the PKCE code verifier to the sign-in that produced the code.",
                "Start over from the sftoken page and finish the sign-in in the same browser tab.",
            )
        }
        "invalid_grant"
            if d.contains("expired authorization code")
                || d.contains("invalid authorization code") =>
        {
            Advice::new(
                "The sign-in code expired or was already used",
                "Salesforce accepts each code once, and its help says a code expires after 15 minutes.",
                "Click \"Try again\" and sign in once more.",
            )
        }
        "invalid_grant" if d.contains("ip restricted") || d.contains("login hours") => Advice::new(
            "Salesforce refused this network or this time",
            "The sign-in came from an IP address, or at an hour, that the user's profile or the app's IP policy does not allow.",
            "In the External Client App → Policies → OAuth Policies, set IP Relaxation to \"Relax IP restrictions\", or add this network to the trusted IP ranges; also check the Login IP Ranges and Login Hours of the user's profile.",
        ),
        "inactive_user" => inactive_user(),
        "invalid_grant" if d.contains("inactive user") || d.contains("user is inactive") => {
            inactive_user()
        }
        "invalid_grant" if d.contains("approved this consumer") => Advice::new(
            "The app has no approval for this user",
            "Salesforce sends this in the JWT bearer flow, which sftoken does not use, when the app has no earlier approval for the user. Salesforce counts either kind: the user pre-authorized (Permitted Users \"Admin approved users are pre-authorized\" with the user's profile or permission set assigned), or the user's own earlier approval.",
            "Pre-authorize the user: in External Client App Manager, open the app, then Policies → Edit, and under App Policies add the user's profile or a permission set the user has. Then try again.",
        ),
        "invalid_grant" if d.contains("expired access/refresh token") => Advice::new(
            "The refresh token no longer works",
            "It was revoked, replaced by rotation, pushed out by newer approvals of the same app by the same user (Salesforce documents five per user for connected apps, the oldest revoked), or expired under the app's refresh token policy, which may also end a token left unused for 30 days.",
            "Sign in again for a new refresh token and give it to Snow Atlas. Set the refresh token policy to \"Refresh token is valid until revoked\"; where the app limits idle tokens to 30 days, keep Snow Atlas's imports running at least that often.",
        ),
        "invalid_grant" if grant == Grant::Refresh && !d.contains("authentication failure") => {
            Advice::new(
                "Salesforce refused the refresh token",
                "Salesforce answered invalid_grant in words sftoken does not know: the refresh token was likely revoked or has expired.",
                "Sign in again for a new refresh token and give it to Snow Atlas. Setup → Login History in the org may show Salesforce's own reason.",
            )
        }
        "invalid_grant" => Advice::new(
            "Salesforce refused the sign-in without saying why",
            "Salesforce's words (such as \"authentication failure\") do not name the cause, but Salesforce records its own reason for each sign-in in the org's Login History.",
            &format!("{LOGIN_HISTORY} Then try again."),
        ),
        "invalid_client" if d.contains("install") => Advice::new(
            "The app is not installed in this org",
            "Salesforce says \"app must be installed into org\": it refuses a connected app that is not installed in the org you signed in to, and since the week of 8 December 2025 \"Use Any API Client\" no longer lets a user approve one. A Local External Client App is always in its own org, so sftoken reads this as a Client ID from another org, or from an old connected app.",
            &format!(
                "{KEY_AND_MY_DOMAIN} To keep using an old connected app instead, an administrator must install it (Setup → Connected Apps OAuth Usage → Install). OAUTH_APPROVAL_ERROR_GENERIC on Salesforce's own page means the same."
            ),
        ),
        "invalid_client" | "invalid_client_credentials" => {
            let fix = match grant {
                // "Try again" takes the admin to that field, with this beside it.
                Grant::SignIn => format!(
                    "{COPY_THE_SECRET}, paste it into the secret field in step 2, and sign in again."
                ),
                // Settings being checked: the secret Snow Atlas was given.
                Grant::Refresh => format!(
                    "{COPY_THE_SECRET}, give that one to Snow Atlas, and check the settings again with it."
                ),
            };
            Advice {
                wrong_secret: true,
                ..Advice::new(
                    "The Consumer Secret is wrong",
                    "Salesforce did not accept the Consumer Secret for this Consumer Key.",
                    &fix,
                )
            }
        }
        "invalid_client_id" => Advice::new(
            "Salesforce does not know this Client ID",
            "Salesforce found no app with this Client ID (Consumer Key) where you signed in: the key is mistyped or cut short, or it belongs to an app of another org. A Local External Client App exists only in the org where it was created. A brand-new app may also not be known yet.",
            &format!(
                "{KEY_AND_MY_DOMAIN} If the app is only minutes old, wait, then try again: Snow's connector guide warns that changes take time to apply, and integrations report up to 10 minutes."
            ),
        ),
        "OAUTH_EC_APP_NOT_FOUND" => Advice::new(
            "The External Client App is not in this org",
            "Salesforce found no External Client App with this Client ID (Consumer Key) in the org you signed in to: the environment is wrong, or the app was made in another org. Integrations report this for a Local External Client App signed in through login.salesforce.com or test.salesforce.com instead of the org's My Domain.",
            "In step 2, paste the address of any Salesforce page of the org where the app was created (sftoken turns it into that org's My Domain), sign in as a user of that org, and try again.",
        ),
        "OAUTH_AUTHORIZATION_BLOCKED" => Advice::new(
            "The sign-in went to another org",
            "Salesforce does not let this External Client App be approved from another org (\"cross-org\"): the browser was signed in to, or you signed in to, an org other than the one where the app lives.",
            "Sign out of Salesforce in this browser, or use a private window, then try again and sign in as a user of the org where the External Client App was created.",
        ),
        "OAUTH_APPROVAL_ERROR_GENERIC" => Advice::new(
            "Salesforce did not let this user approve the app",
            "This is Salesforce's generic approval error, shown on its own page. Salesforce shows it for a connected app that is not installed in the org (\"app must be installed into org\" in the address), which since the week of 8 December 2025 even \"Use Any API Client\" no longer lets a user approve; for a Local External Client App, sftoken reads it as a Client ID from another org, or from an old connected app. A scope the app lacks, or a licence that cannot approve, are reported causes too.",
            &format!(
                "{KEY_AND_MY_DOMAIN} Check that the app has the three scopes (api, full, refresh_token), sign in as an administrator with a full Salesforce licence, and try again."
            ),
        ),
        "invalid_scope" => Advice::new(
            "The app lacks a scope sftoken asks for",
            "sftoken asks for refresh_token, api and full; the External Client App does not have all three.",
            "In the app's OAuth Settings, add \"Manage user data via APIs (api)\", \"Full access (full)\" and \"Perform requests at any time (refresh_token, offline_access)\", save, wait up to 10 minutes and try again.",
        ),
        "OAUTH_APP_BLOCKED" => Advice::new(
            "The app is blocked",
            "Salesforce says an administrator blocked this app in the org. Integrations also report it when the org's API Access Control is on and this app is not allowed.",
            "In Setup → Connected Apps OAuth Usage, find the app: if its action says Unblock, click it. If the org uses API Access Control, check that this app is allowed there. Then try again.",
        ),
        "invalid_token" => Advice::new(
            "The token was already invalid",
            "Salesforce's revoke endpoint answered that the token is invalid: it was already revoked (by sftoken, in Setup, or by newer approvals of the app) or has expired.",
            "Nothing is left to revoke: the token no longer works, for Snow Atlas either. Sign in again if you need a new one.",
        ),
        "immediate_unsuccessful" => Advice::new(
            "Salesforce needed an interactive sign-in",
            "The user was not signed in or had not approved the app.",
            "Try again and complete the Salesforce sign-in page.",
        ),
        "unsupported_grant_type" => Advice::new(
            "Salesforce did not recognise the request",
            "Salesforce answered that the grant type is not supported. sftoken sends the standard authorization_code and refresh_token grants, which every External Client App accepts, so the request was changed on its way (a proxy), or the login URL does not lead to Salesforce's token endpoint.",
            "Check the login URL, and behind a corporate proxy check that it passes requests to Salesforce unchanged; then try again.",
        ),
        "inactive_org" => Advice::new(
            "The org is inactive",
            "Salesforce says the organization is locked, closed, or suspended.",
            "Sign in to an active org, or ask Salesforce support about the org's status.",
        ),
        "rate_limit_exceeded" => Advice::new(
            "Too many sign-ins",
            "Salesforce says the number of logins was exceeded for this user.",
            "Wait a while (up to an hour) and try again.",
        ),
        "redirect_uri_mismatch" => Advice::new(
            "The Callback URL does not match",
            "The External Client App's Callback URL is not exactly the one sftoken uses.",
            "Copy the Callback URL from step 1 of this page into the app's OAuth Settings, save, and wait up to 10 minutes.",
        ),
        _ => Advice::new(
            "Salesforce reported an error",
            "sftoken does not recognise this error; Salesforce's own words are below.",
            "Check the External Client App's OAuth settings and policies, then try again.",
        ),
    };
    advice.with_salesforce_error(code, description)
}

/// `inactive_user`, or `invalid_grant` saying so.
fn inactive_user() -> Advice {
    Advice::new(
        "The Salesforce user is inactive",
        "Salesforce says the user is inactive: an administrator deactivated the user who signed in, or whose refresh token this is, and that user's tokens stop working.",
        "Sign in again as an active user (an administrator with \"API Enabled\") and give Snow Atlas the new refresh token.",
    )
}
