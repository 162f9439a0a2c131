// sftoken's page, the entry module: it opens the page's session and shows the
// setup page, whose forms are here, or a sign-in's result (result.js). The
// page talks JSON to the local server and writes text with textContent or
// input values, never as markup, so nothing Salesforce sends can become HTML.

import {
  $, NOT_RUNNING, copyText, duration, el, fit, fitAll, forgetSession, getJson, keepAlive, openSession, postJson,
  sessionKey, show, showFormError, showStopped, submitForm, takeTryAgain, wirePending,
} from "./base.js";
import { openResult } from "./result.js";

const PRODUCTION = "https://login.salesforce.com";
const SANDBOX = "https://test.salesforce.com";
const CHECKLIST_KEY = "sftoken-checklist";

const LOGIN_FIELDS = {
  client_id: "client-id-error",
  client_secret: "client-secret-error",
  login_url: "org-address-error",
  callback_url: "paste-callback-url-error",
};
const CHECK_FIELDS = {
  client_id: "c-client_id-error",
  client_secret: "c-client_secret-error",
  refresh_token: "c-refresh_token-error",
  login_url: "c-login_url-error",
  company_names: "c-company_names-error",
};

// ---------------------------------------------------------------- the org's address
//
// The org's address comes first: any page of it gives its My Domain. The
// generic login pages are the choices below it, for an admin without one.

/** The generic login page chosen instead of the org's address, if any. */
function genericLoginUrl() {
  if ($("env-production").checked) return PRODUCTION;
  if ($("env-sandbox").checked) return SANDBOX;
  return "";
}

const chosenLoginUrl = () => genericLoginUrl() || $("org-address").value;

/** A login URL from the configuration or the last sign-in: a generic one is
 * its choice, any other goes into the address field. */
function setEnvironment(loginUrl) {
  $("env-production").checked = loginUrl === PRODUCTION;
  $("env-sandbox").checked = loginUrl === SANDBOX;
  if (!genericLoginUrl()) $("org-address").value = loginUrl;
  showOrgAddress();
}

/** As the address is typed or pasted: the login URL it gives and the
 * environment. A refusal shows once the address is pasted or left, not
 * while it is being typed. */
async function showOrgAddress(event) {
  const value = $("org-address").value.trim();
  const note = $("login-url-note");
  $("org-address-field").classList.toggle("muted", Boolean(genericLoginUrl()));
  if (!value || genericLoginUrl()) {
    note.hidden = $("org-address-error").hidden = true;
    return;
  }
  const { status, body } = await getJson("/api/login-url?value=" + encodeURIComponent(value));
  // Only the answer for what the field still holds.
  if ($("org-address").value.trim() !== value || genericLoginUrl()) return;
  note.hidden = status !== 200;
  if (status === 200) {
    $("org-address-error").hidden = true;
    const environment = body.environment ? `, a ${body.environment} org` : "";
    note.replaceChildren("sftoken will sign in at ", el("strong", body.login_url), `${environment}.`);
    if (body.warning) note.append(el("p", body.warning, "warning"));
  } else if (!event || event.type === "change" || event.inputType === "insertFromPaste") {
    showFormError(LOGIN_FIELDS, "form-error", body.error || {});
  }
}

// ---------------------------------------------------------------- checklist

/** Ticks stay while the page is open (this tab's session storage). */
function wireChecklist() {
  const boxes = [...document.querySelectorAll("input[data-check]")];
  const saved = new Set(JSON.parse(sessionStorage.getItem(CHECKLIST_KEY) || "[]"));
  const progress = () => {
    const done = boxes.filter((box) => box.checked).length;
    $("checklist-progress").textContent = `(${done} of ${boxes.length} done)`;
    return done === boxes.length;
  };
  for (const box of boxes) {
    box.checked = saved.has(box.id);
    box.addEventListener("change", () => {
      const ticked = boxes.filter((b) => b.checked).map((b) => b.id);
      sessionStorage.setItem(CHECKLIST_KEY, JSON.stringify(ticked));
      progress();
    });
  }
  // A finished checklist starts folded; a click opens it again.
  if (progress()) $("checklist").open = false;
}

// ---------------------------------------------------------------- the forms

async function signIn(showPending) {
  const body = await submitForm($("sign-in"), () => postJson("/api/login", {
    client_id: $("client-id").value,
    client_secret: $("client-secret").value,
    login_url: chosenLoginUrl(),
    paste: $("paste-mode").checked,
    callback_url: $("paste-mode").checked ? $("paste-callback-url").value : "",
  }), LOGIN_FIELDS, "form-error");
  if (!body) return;
  if (body.paste) {
    showPending(body);
  } else {
    window.location.assign(body.authorize_url);
  }
}

async function checkExisting() {
  const names = $("c-company_names").value.split(/[\n,]/).map((n) => n.trim()).filter(Boolean);
  const body = await submitForm($("check-settings"), () => postJson("/api/check", {
    client_id: $("c-client_id").value,
    client_secret: $("c-client_secret").value,
    refresh_token: $("c-refresh_token").value,
    login_url: $("c-login_url").value,
    company_names: names,
  }), CHECK_FIELDS, "c-form-error");
  if (body) window.location.assign("/result/" + encodeURIComponent(body.id));
}

/** Wires the setup page's forms; a paste-mode sign-in goes to `showPending`. */
function wireForms(showPending) {
  // The Consumer Key wraps to show whole, but is one line: no line breaks,
  // and Enter signs in.
  $("client-id").addEventListener("input", () => {
    const key = $("client-id");
    if (/\s/.test(key.value)) key.value = key.value.replace(/\s+/g, "");
    fit(key);
  });
  $("client-id").addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      $("login-form").requestSubmit();
    }
  });
  for (const radio of document.querySelectorAll("input[name=environment]")) {
    radio.addEventListener("change", () => showOrgAddress());
  }
  // Typing or pasting an address chooses it over a generic login page.
  $("org-address").addEventListener("input", (event) => {
    $("env-production").checked = $("env-sandbox").checked = false;
    showOrgAddress(event);
  });
  $("org-address").addEventListener("change", showOrgAddress);
  $("paste-mode").addEventListener("change", () => {
    $("paste-callback-field").hidden = !$("paste-mode").checked;
  });
  $("login-form").addEventListener("submit", (event) => {
    event.preventDefault();
    signIn(showPending);
  });
  $("check-form").addEventListener("submit", (event) => {
    event.preventDefault();
    checkExisting();
  });
  wireChecklist();
}

/** The forms as `/api/session` describes this run. */
function fillForms(session) {
  $("callback-url").value = session.callback_url;
  $("stuck-callback").textContent = session.callback_url;
  $("client-id").value = session.client_id || "";
  // With the Consumer Key known, the app exists: the checklist starts folded.
  if (session.client_id) $("checklist").open = false;
  $("c-client_id").value = session.client_id || "";
  $("c-login_url").value = session.login_url;
  // A secret this tab gave is kept by sftoken (never sent back here).
  $("client-secret-kept").hidden = !session.client_secret_kept;
  $("client-secret").placeholder = session.client_secret_kept ? "Kept by sftoken" : "";
  $("client-secret-hint").hidden = !session.has_client_secret || session.client_secret_kept;
  setEnvironment(session.login_url_is_default ? "" : session.login_url);
  $("paste-callback-url").value = session.paste_callback_url;
  // Salesforce keeps five approvals per user and app: say so before another.
  $("approvals-warning").hidden = !session.sign_ins;
  $("sign-in-count").textContent = session.sign_ins === 1 ? "once" : `${session.sign_ins} times`;
  // The real count, as the last sign-in's checks read it.
  $("approvals-held").textContent = session.approvals ? `That user now holds ${session.approvals} of the five approvals of this app. ` : "";
}

/** After "Try again": the field Salesforce refused, focused, with its advice. */
function markRefused() {
  const again = takeTryAgain();
  if (again.field) showFormError(LOGIN_FIELDS, "form-error", again);
}

// ---------------------------------------------------------------- the page

/** The buttons of every page: copy a field, show a secret, Done. */
function wireButtons() {
  for (const button of document.querySelectorAll("button.copy[data-copy-from]")) {
    button.addEventListener("click", () => copyText($(button.dataset.copyFrom).value, button));
  }
  for (const button of document.querySelectorAll("button.reveal")) {
    button.addEventListener("click", () => {
      const input = $(button.getAttribute("aria-controls"));
      const revealed = input.type === "password";
      input.type = revealed ? "text" : "password";
      button.textContent = revealed ? "Hide" : "Show";
      button.setAttribute("aria-pressed", String(revealed));
    });
  }
  $("done").addEventListener("click", done);
}

async function done() {
  const { ok, body } = await postJson("/api/done", {});
  if (!ok) {
    $("done-error").textContent = (body.error && body.error.message) || NOT_RUNNING;
    $("done-error").hidden = false;
    return;
  }
  showStopped({});
}

async function start() {
  wireButtons();
  const showPending = wirePending();
  wireForms(showPending);
  if (!(await openSession())) return show("need-link");
  if (!sessionKey()) return show("need-link");
  const { status, body } = await getJson("/api/session");
  if (status === 0) return showStopped();
  if (status !== 200) {
    forgetSession();
    return show("need-link");
  }
  if (body.stopped) return showStopped(body.stopped);
  keepAlive();
  $("version").textContent = body.version;
  if (body.idle_timeout_seconds) {
    $("idle-note").textContent = `It stops by itself ${duration(body.idle_timeout_seconds)} after its last page is closed. `;
  }
  fillForms(body);

  const match = window.location.pathname.match(/^\/result\/([A-Za-z0-9_-]+)$/);
  if (match) return openResult(match[1]);
  show("setup");
  fitAll();
  if (body.pending) showPending(body.pending);
  else markRefused();
}

start();
// A fresh address pasted into this tab changes only the fragment, which loads
// nothing: load the page again so it trades the new token.
window.addEventListener("hashchange", () => {
  if (window.location.hash.includes("token=")) window.location.reload();
});
// Back from Salesforce's error page: the browser may restore this page from its
// cache; reload so the pending sign-in shows.
window.addEventListener("pageshow", (event) => {
  if (event.persisted) window.location.reload();
});
window.addEventListener("resize", fitAll);
