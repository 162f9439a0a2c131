// sftoken's page, the entry module: it opens the page's session and shows the
// setup page, whose forms are here, or a sign-in's result (result.js). The
// page talks JSON to the local server and writes text with textContent or
// input values, never as markup, so nothing Salesforce sends can become HTML.

import {
  $, NOT_RUNNING, copyText, duration, fit, fitAll, forgetSession, getJson, openSession, postJson,
  sessionKey, show, showFormError, submitForm, takeTryAgain, wirePending,
} from "./base.js";
import { openResult } from "./result.js";

const PRODUCTION = "https://login.salesforce.com";
const SANDBOX = "https://test.salesforce.com";
const CHECKLIST_KEY = "sftoken-checklist";
const ENVIRONMENT_KEY = "sftoken-environment";

const LOGIN_FIELDS = {
  client_id: "client-id-error",
  client_secret: "client-secret-error",
  login_url: "my-domain-url-error",
  callback_url: "paste-callback-url-error",
};
const CHECK_FIELDS = {
  client_id: "c-client_id-error",
  client_secret: "c-client_secret-error",
  refresh_token: "c-refresh_token-error",
  login_url: "c-login_url-error",
  company_names: "c-company_names-error",
};

// ---------------------------------------------------------------- environment

function setEnvironment(loginUrl) {
  if (loginUrl === PRODUCTION) {
    $("env-production").checked = true;
  } else if (loginUrl === SANDBOX) {
    $("env-sandbox").checked = true;
  } else if (loginUrl) {
    $("env-my-domain").checked = true;
    $("my-domain-url").value = loginUrl;
  }
  updateMyDomainField();
}

function updateMyDomainField() {
  const myDomain = $("env-my-domain").checked;
  $("my-domain-field").classList.toggle("muted", !myDomain);
  $("my-domain-url").required = myDomain;
}

function chosenLoginUrl() {
  if ($("env-sandbox").checked) return SANDBOX;
  if ($("env-my-domain").checked) return $("my-domain-url").value;
  return PRODUCTION;
}

/** The environment chosen stays for this tab, so coming back keeps it. */
function rememberEnvironment() {
  sessionStorage.setItem(ENVIRONMENT_KEY, chosenLoginUrl());
}

/** A pasted Lightning or Setup address becomes the My Domain that will be used. */
async function normalizeMyDomain() {
  const value = $("my-domain-url").value.trim();
  $("login-url-note").hidden = true;
  if (!value) return;
  const { status, body } = await getJson("/api/login-url?value=" + encodeURIComponent(value));
  if (status !== 200) {
    showFormError(LOGIN_FIELDS, "form-error", body.error || {});
    return;
  }
  showFormError(LOGIN_FIELDS, "form-error", null);
  $("my-domain-url").value = body.login_url;
  $("login-url-note").textContent = body.note || `sftoken will sign in at ${body.login_url}.`;
  $("login-url-note").hidden = false;
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
  rememberEnvironment();
  const body = await submitForm($("sign-in"), () => postJson("/api/login", {
    client_id: $("client-id").value,
    client_secret: $("client-secret").value,
    login_url: chosenLoginUrl(),
    paste: $("paste-mode").checked,
    callback_url: $("paste-mode").checked ? $("paste-callback-url").value : "",
  }), LOGIN_FIELDS, "form-error");
  if (!body) return;
  if (body.paste) {
    showPending(body.id, body.expires_in_seconds, true, body.authorize_url);
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
    radio.addEventListener("change", () => {
      updateMyDomainField();
      rememberEnvironment();
    });
  }
  $("my-domain-url").addEventListener("focus", () => {
    $("env-my-domain").checked = true;
    updateMyDomainField();
  });
  $("my-domain-url").addEventListener("change", normalizeMyDomain);
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
  $("client-secret-hint").hidden = !session.has_client_secret;
  setEnvironment(session.login_url);
  $("paste-callback-url").value = session.paste_callback_url;
  // Salesforce keeps five approvals per user and app: say so before another.
  $("approvals-warning").hidden = !session.sign_ins;
  $("sign-in-count").textContent = session.sign_ins === 1 ? "once" : `${session.sign_ins} times`;
}

/** On the setup page: what was typed before "Try again" (except the secret),
 * or the environment chosen earlier in this tab. */
function restoreForms(session) {
  const again = takeTryAgain();
  if (again.client_id) $("client-id").value = again.client_id;
  const chosen = again.login_url || sessionStorage.getItem(ENVIRONMENT_KEY);
  if (chosen) setEnvironment(chosen);
  if (session.login_url_note) {
    $("login-url-note").textContent = session.login_url_note;
    $("login-url-note").hidden = false;
  }
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
  show("stopped");
  $("done").disabled = true;
  $("stopped-title").focus();
}

async function start() {
  wireButtons();
  const showPending = wirePending();
  wireForms(showPending);
  if (!(await openSession())) return show("need-link");
  if (!sessionKey()) return show("need-link");
  const { status, body } = await getJson("/api/session");
  if (status === 0) return show("loading");
  if (status !== 200) {
    forgetSession();
    return show("need-link");
  }
  $("version").textContent = body.version;
  if (body.idle_timeout_seconds) {
    $("idle-note").textContent = `It stops by itself after ${duration(body.idle_timeout_seconds)} without use. `;
  }
  fillForms(body);

  const match = window.location.pathname.match(/^\/result\/([A-Za-z0-9_-]+)$/);
  if (match) return openResult(match[1]);
  restoreForms(body);
  show("setup");
  fitAll();
  if (body.pending) showPending(body.pending.id, body.pending.expires_in_seconds, body.pending.paste, "");
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
