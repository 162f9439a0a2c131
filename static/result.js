// A sign-in's result: the settings, their copy buttons, the checks, the
// Company names picker and Revoke, all drawn by `drawResult` from the one
// answer the server sends, so drawing it again, or in any order, shows the
// same thing. A failed sign-in shows its advice instead.

import { $, copyText, fitAll, show } from "./dom.js";
import { NOT_RUNNING, getJson, loginPath, postJson } from "./api.js";
import { rememberTryAgain } from "./forms.js";
import { drawChecks, passed } from "./checks.js";
import { drawPicker, drawPickerState } from "./picker.js";

// Every API error has one shape: { message, field } plus, when Salesforce's
// advice is behind it, { title, cause, fix, code, description }.
function showFailure(body, headline = "Something went wrong") {
  const error = body.error || {};
  $("failure-headline").textContent = error.title || headline;
  $("failure-cause").textContent = error.cause || "";
  $("failure-fix").textContent = error.fix || error.message || "Try again.";
  $("failure-salesforce").hidden = !error.code;
  $("failure-code").textContent = error.code || "";
  $("failure-description").textContent = error.description || "";
  rememberTryAgain(body);
  show("failure");
  $("failure-title").focus();
}

/** The settings, the connection details and the warning about names that
 * match nobody. */
function drawSettings(body) {
  const settings = body.settings;
  for (const name of ["client_id", "client_secret", "refresh_token", "login_url"]) {
    $("s-" + name).value = settings[name];
  }
  $("s-company_names").value = settings.company_names.join(", ");
  fitAll();
  const details = body.details || {};
  for (const name of ["username", "org_id", "instance_url", "scope"]) {
    $("d-" + name).textContent = details[name] || "(not known yet)";
  }
  const unmatched = body.unmatched_company_names || [];
  $("company-names-warning").hidden = unmatched.length === 0;
  $("company-names-warning").textContent = unmatched.length
    ? `No active user's email domain is ${unmatched.join(", ")}, so Snow Atlas imports nobody for ${unmatched.length === 1 ? "it" : "them"}. Check the spelling, or choose among the domains below.`
    : "";
}

/** A revoked token is dead: struck through, its copy buttons off. */
function drawRevoked(revoked) {
  $("revoked-note").hidden = !revoked;
  $("revoke-section").hidden = revoked;
  document.querySelector("[data-setting=refresh_token]").classList.toggle("revoked", revoked);
  $("copy-refresh-token").disabled = revoked;
  $("copy-all").disabled = revoked;
}

/** The result's first line: who signed in, to which org, and how the checks
 * went. */
function bannerText(steps, progress) {
  const user = passed(steps, "user");
  const org = passed(steps, "org");
  return [
    user ? `Signed in as ${user.display_name} (${user.username})` : "Your settings",
    org ? org.name : "",
    org ? (org.is_sandbox ? "Sandbox" : "Production") : "",
    progress,
  ].filter(Boolean).join(" · ");
}

/** Draws a captured sign-in as the server describes it; a tick in the
 * picker calls `onPick(names)`. */
export function drawResult(body, onPick) {
  const { checks, revoked } = body;
  const { steps } = checks;
  drawSettings(body);
  drawRevoked(revoked);
  const summary = drawChecks($("check-rows"), steps, revoked);
  $("checks-progress").textContent = checks.done ? `(finished: ${summary})` : "(running…)";
  const progress = revoked ? "the refresh token is revoked" : checks.done ? summary : "checking…";
  $("banner").textContent = bannerText(steps, progress);
  const users = passed(steps, "users");
  if (users) drawPicker(users.domains, onPick);
  drawPickerState(body.settings.company_names);
}

/** Shows sign-in `id`: polls until its checks are done, and wires the
 * buttons that act on it. */
export async function openResult(id) {
  // The last answer drawn: the copy buttons copy what it says.
  const shown = { body: null };
  const draw = (body) => {
    shown.body = body;
    drawResult(body, pick);
  };
  async function pick(names) {
    const { ok, body } = await postJson(loginPath(id, "company-names"), { names });
    if (ok) draw(body);
    else drawPickerState(shown.body.settings.company_names);
  }
  $("copy-company-names").addEventListener("click", (e) => copyText(shown.body.company_names_text, e.currentTarget));
  $("copy-all").addEventListener("click", (e) => copyText(shown.body.copy_all, e.currentTarget));
  wireRevoke(id, draw);

  // Poll soon, then less often: checks on a small org take milliseconds.
  for (let delay = 50; ; delay = Math.min(delay * 2, 400)) {
    const { status, body } = await getJson(loginPath(id));
    if (status === 401) return show("need-link");
    if (status === 0) return;
    if (status !== 200) return showFailure(body, "These settings are unknown");
    if (body.status === "failed") return showFailure(body);
    if (body.status === "captured") {
      draw(body);
      show("result");
      if (body.checks.done) {
        // A failed check opens the fold once, when the checks finish.
        if (body.checks.steps.some((step) => step.status === "failed")) $("checks").open = true;
        return;
      }
    } else {
      show("waiting");
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}

function wireRevoke(id, draw) {
  $("revoke").addEventListener("click", () => {
    $("revoke-confirm").hidden = false;
    $("revoke-yes").focus();
  });
  $("revoke-cancel").addEventListener("click", () => {
    $("revoke-confirm").hidden = true;
    $("revoke").focus();
  });
  $("revoke-yes").addEventListener("click", async () => {
    $("revoke-yes").disabled = true;
    const { ok, body } = await postJson(loginPath(id, "revoke"), {});
    $("revoke-yes").disabled = false;
    $("revoke-confirm").hidden = true;
    if (!ok) {
      const error = body.error || {};
      $("revoke-error").textContent = error.message || NOT_RUNNING;
      $("revoke-error").hidden = false;
      return;
    }
    $("revoke-error").hidden = true;
    draw(body);
    $("revoked-note").focus();
  });
}
