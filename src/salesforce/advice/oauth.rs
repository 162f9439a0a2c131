//! The OAuth errors of the authorize redirect and the token endpoint,
//! explained. Salesforce's wording for each is in [`super::known`].

use super::{Advice, WAIT};

/// Explains an OAuth error from the authorize redirect or the token endpoint.
pub fn for_oauth_error(code: &str, description: &str) -> Advice {
    let d = description.to_ascii_lowercase();
    let advice = match code {
        "access_denied" => Advice::new(
            "Access was denied",
            "Salesforce reports that the sign-in was not allowed: usually Deny was clicked on the approval page, or the user is not among the app's Permitted Users.",
            "Sign in again and click Allow. If it keeps failing, open the External Client App → Policies → OAuth Policies and check Permitted Users.",
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
        "invalid_grant" if d.contains("approved") => Advice::new(
            "The user has not approved the app",
            "The user is not pre-approved for this External Client App, and the policy does not let users approve it themselves.",
            "In the app's OAuth Policies, set Permitted Users to \"All users can self-authorize\", or add the user's profile or permission set.",
        ),
        "invalid_grant" if d.contains("expired access/refresh token") => Advice::new(
            "The refresh token no longer works",
            "It was revoked, replaced by rotation, pushed out by a sixth approval of the same app by the same user (Salesforce keeps five), or expired under the app's refresh token policy, which may also end a token left unused for 30 days.",
            "Sign in again for a new refresh token and give it to Snow Atlas. Set the refresh token policy to \"Refresh token is valid until revoked\"; where the org limits idle tokens to 30 days, keep Snow Atlas's imports running at least that often.",
        ),
        "invalid_grant" => Advice::new(
            "Salesforce refused the sign-in",
            "The Consumer Key and Secret may belong to another org or environment (Sandbox instead of Production, or another My Domain).",
            "Check that the environment on the page matches the org where the External Client App lives, then try again.",
        ),
        "invalid_client" if d.contains("install") => Advice::new(
            "The app is not available in this org",
            "Salesforce says the app must be installed into the org: it was probably created in another org, or the user may not approve an app that is not installed. Salesforce's own page then shows OAUTH_APPROVAL_ERROR_GENERIC.",
            "Create the External Client App in the org you sign in to, with Distribution State \"Local\", and sign in as an administrator of that org (OAUTH_APPROVAL_ERROR_GENERIC on Salesforce's page means the same).",
        ),
        "invalid_client" | "invalid_client_credentials" => Advice::new(
            "The Consumer Secret is wrong",
            "Salesforce did not accept the Consumer Secret for this Consumer Key.",
            "Copy the secret again from External Client App Manager → your app → Settings → OAuth Settings → Consumer Key and Secret, paste it on this page, and try again.",
        ),
        "invalid_client_id" => Advice::new(
            "Salesforce does not know this Consumer Key",
            &format!(
                "The Consumer Key is mistyped, belongs to another environment, or the app is brand new. {WAIT}"
            ),
            "Copy the Consumer Key again, check the environment (Production, Sandbox or My Domain), and if the app is new, wait 10 minutes.",
        ),
        "OAUTH_EC_APP_NOT_FOUND" => Advice::new(
            "The External Client App is not in this org",
            "Salesforce found no External Client App with this Consumer Key in the org you signed in to: the environment is wrong, or the app was made in another org. Integrations report this for a Local External Client App signed in through login.salesforce.com or test.salesforce.com instead of the org's My Domain.",
            "Choose \"My Domain URL\" and enter the My Domain of the org where the app was created (Setup → My Domain shows it), sign in as a user of that org, and try again.",
        ),
        "OAUTH_AUTHORIZATION_BLOCKED" => Advice::new(
            "The sign-in went to another org",
            "Salesforce does not let this External Client App be approved from another org (\"cross-org\"): the browser was signed in to, or you signed in to, an org other than the one where the app lives.",
            "Sign out of Salesforce in this browser, or use a private window, then try again and sign in as a user of the org where the External Client App was created.",
        ),
        "OAUTH_APPROVAL_ERROR_GENERIC" => Advice::new(
            "Salesforce did not let this user approve the app",
            "This is Salesforce's generic approval error: the app lacks a scope that was asked for, or the user's licence or permissions cannot approve it (for example without \"Approve Uninstalled Connected Apps\" or \"Use Any API Client\" where the org requires one).",
            "Check that the app has the three scopes (api, full, refresh_token), then sign in as an administrator with a full Salesforce licence and try again.",
        ),
        "invalid_scope" => Advice::new(
            "The app lacks a scope sftoken asks for",
            "sftoken asks for refresh_token, api and full; the External Client App does not have all three.",
            "In the app's OAuth Settings, add \"Manage user data via APIs (api)\", \"Full access (full)\" and \"Perform requests at any time (refresh_token, offline_access)\", save, wait up to 10 minutes and try again.",
        ),
        "OAUTH_APP_BLOCKED" => Advice::new(
            "The app is blocked for this user",
            "An administrator blocked this External Client App, or its Permitted Users policy is \"Admin approved users are pre-authorized\" and the user who signed in is not assigned to it by profile or permission set.",
            "In External Client App Manager → your app, check that the app is not blocked; under Policies, assign the user's profile or permission set, or set Permitted Users to \"All users can self-authorize\". Then try again.",
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
