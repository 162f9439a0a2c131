// sftoken's page. It talks JSON to the local server and writes text with
// textContent or input values, never innerHTML, so nothing Salesforce sends can
// become markup.
"use strict";

const $ = (id) => document.getElementById(id);
let csrfToken = "";
let copyAllText = "";
let companyNamesText = "";

const PRODUCTION = "https://login.salesforce.com";
const SANDBOX = "https://test.salesforce.com";

function show(id) {
  for (const section of ["loading", "need-link", "setup", "waiting", "failure", "result"]) {
    $(section).hidden = section !== id;
  }
}

async function getJson(url) {
  const response = await fetch(url, { credentials: "same-origin" });
  const body = await response.json().catch(() => ({}));
  return { status: response.status, body };
}

async function copyText(text, button) {
  try {
    await navigator.clipboard.writeText(text);
  } catch (e) {
    // Fallback for browsers that refuse the async clipboard.
    const area = document.createElement("textarea");
    area.value = text;
    document.body.append(area);
    area.select();
    document.execCommand("copy");
    area.remove();
  }
  const label = button.textContent;
  button.textContent = "Copied";
  button.classList.add("copied");
  $("copy-status").textContent = "Copied to the clipboard.";
  setTimeout(() => {
    button.textContent = label;
    button.classList.remove("copied");
  }, 1500);
}

function wireCopyButtons() {
  for (const button of document.querySelectorAll("button.copy[data-copy-from]")) {
    button.addEventListener("click", () => copyText($(button.dataset.copyFrom).value, button));
  }
  $("copy-company-names").addEventListener("click", (e) => copyText(companyNamesText, e.currentTarget));
  $("copy-all").addEventListener("click", (e) => copyText(copyAllText, e.currentTarget));
  for (const button of document.querySelectorAll("button.reveal")) {
    button.addEventListener("click", () => {
      const input = $(button.getAttribute("aria-controls"));
      const revealed = input.type === "password";
      input.type = revealed ? "text" : "password";
      button.textContent = revealed ? "Hide" : "Show";
      button.setAttribute("aria-pressed", String(revealed));
    });
  }
}

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

function clearErrors() {
  for (const id of ["client-id-error", "client-secret-error", "login-url-error", "form-error"]) {
    $(id).hidden = true;
    $(id).textContent = "";
  }
}

function showFieldError(field, message) {
  const target = { client_id: "client-id-error", client_secret: "client-secret-error", login_url: "login-url-error" }[field] || "form-error";
  $(target).textContent = message;
  $(target).hidden = false;
  const input = { client_id: "client-id", client_secret: "client-secret", login_url: "my-domain-url" }[field];
  if (input) $(input).focus();
}

async function signIn(event) {
  event.preventDefault();
  clearErrors();
  const button = $("sign-in");
  button.disabled = true;
  try {
    const response = await fetch("/api/login", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrfToken },
      body: JSON.stringify({
        client_id: $("client-id").value,
        client_secret: $("client-secret").value,
        login_url: chosenLoginUrl(),
      }),
    });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      const error = body.error || {};
      showFieldError(error.field, error.message || "sftoken could not start the sign-in. Reload the page and try again.");
      return;
    }
    window.location.assign(body.authorize_url);
  } catch (e) {
    showFieldError("", "sftoken is not answering. Is it still running in the terminal?");
  } finally {
    button.disabled = false;
  }
}

function showFailure(body) {
  const error = body.error || {};
  $("failure-headline").textContent = error.title || "Something went wrong";
  $("failure-cause").textContent = error.cause || "";
  $("failure-fix").textContent = error.fix || "Try again.";
  $("failure-salesforce").hidden = !error.code;
  $("failure-code").textContent = error.code || "";
  $("failure-description").textContent = error.description || "";
  const again = new URLSearchParams();
  if (body.client_id) again.set("client_id", body.client_id);
  if (body.login_url) again.set("login_url", body.login_url);
  $("try-again").href = "/#" + again.toString();
  show("failure");
  $("failure-title").focus();
}

function showResult(body) {
  const settings = body.settings;
  for (const name of ["client_id", "client_secret", "refresh_token", "login_url"]) {
    $("s-" + name).value = settings[name];
  }
  $("s-company_names").value = settings.company_names.join(", ");
  companyNamesText = body.company_names_text;
  copyAllText = body.copy_all;
  for (const name of ["username", "org_id", "instance_url", "scope"]) {
    $("d-" + name).textContent = body.details[name] || "(not available)";
  }
  show("result");
}

async function loadResult(id) {
  for (;;) {
    const { status, body } = await getJson("/api/login/" + encodeURIComponent(id));
    if (status === 401) return show("need-link");
    if (status !== 200) {
      return showFailure({ error: { title: "This sign-in is unknown", fix: (body.error && body.error.message) || "Start again." } });
    }
    if (body.status === "captured") return showResult(body);
    if (body.status === "failed") return showFailure(body);
    show("waiting");
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

async function start() {
  wireCopyButtons();
  const { status, body } = await getJson("/api/session");
  if (status !== 200) return show("need-link");
  csrfToken = body.csrf_token;
  $("version").textContent = body.version;
  $("callback-url").value = body.callback_url;
  $("client-id").value = body.client_id || "";
  $("client-secret-hint").hidden = !body.has_client_secret;
  setEnvironment(body.login_url);
  for (const radio of document.querySelectorAll("input[name=environment]")) {
    radio.addEventListener("change", updateMyDomainField);
  }
  $("my-domain-url").addEventListener("focus", () => {
    $("env-my-domain").checked = true;
    updateMyDomainField();
  });
  $("login-form").addEventListener("submit", signIn);

  const match = window.location.pathname.match(/^\/result\/([A-Za-z0-9_-]+)$/);
  if (match) return loadResult(match[1]);
  // "Try again" after a failure keeps what was typed, except the secret.
  const again = new URLSearchParams(window.location.hash.slice(1));
  if (again.get("client_id")) $("client-id").value = again.get("client_id");
  if (again.get("login_url")) setEnvironment(again.get("login_url"));
  show("setup");
}

document.addEventListener("DOMContentLoaded", start);
