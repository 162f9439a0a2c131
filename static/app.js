// sftoken's page. It talks JSON to the local server and writes text with
// textContent or input values, never as markup, so nothing Salesforce sends can
// become HTML.
"use strict";

const $ = (id) => document.getElementById(id);
// The session key, traded once for the launch token in the address. It lives
// in sessionStorage, which is bound to this page's scheme, host and port (a
// cookie would go to every port of localhost), and rides in a header.
const SESSION_KEY = "sftoken-session";
const SESSION_HEADER = "X-Sftoken-Session";
let sessionKey = "";
let resultId = "";
let copyAllText = "";
let companyNamesText = "";
let pickerDrawn = false;
let pendingId = "";
let countdown = 0;

const PRODUCTION = "https://login.salesforce.com";
const SANDBOX = "https://test.salesforce.com";

function show(id) {
  $("footer").hidden = id === "need-link";
  for (const section of ["loading", "need-link", "setup", "waiting", "failure", "result", "stopped"]) {
    $(section).hidden = section !== id;
  }
}

/** A new element with text, never markup. */
function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}

const number = (n) => Number(n).toLocaleString("en-US");

/** 90 → "90 seconds", 1800 → "30 minutes", 60 → "1 minute". */
function duration(seconds) {
  const [n, unit] = seconds % 60 === 0 ? [seconds / 60, "minute"] : [seconds, "second"];
  return `${number(n)} ${unit}${n === 1 ? "" : "s"}`;
}

const NOT_RUNNING = "sftoken is not answering. Is it still running in the terminal? Start it again if it stopped.";

/** Every request to sftoken; a failed connection answers status 0 and says so. */
async function request(url, options) {
  try {
    const headers = { ...(options.headers || {}), [SESSION_HEADER]: sessionKey };
    const response = await fetch(url, { credentials: "omit", ...options, headers });
    const body = await response.json().catch(() => ({}));
    $("offline").hidden = true;
    return { ok: response.ok, status: response.status, body };
  } catch (e) {
    $("offline").hidden = false;
    return { ok: false, status: 0, body: { error: { message: NOT_RUNNING } } };
  }
}

const getJson = (url) => request(url, {});

const postJson = (url, payload) =>
  request(url, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(payload),
  });

/** A read-only value shows whole: its box grows to the lines it wraps to. */
function fit(area) {
  area.style.height = "auto";
  area.style.height = area.scrollHeight + (area.offsetHeight - area.clientHeight) + "px";
}

function fitAll() {
  for (const area of document.querySelectorAll("textarea.value")) fit(area);
}

window.addEventListener("resize", fitAll);

async function copyText(text, button) {
  try {
    await navigator.clipboard.writeText(text);
  } catch (e) {
    // Fallback for browsers that refuse the async clipboard.
    const area = document.createElement("textarea");
    area.value = text;
    document.body.append(area);
    area.select();
    const copied = document.execCommand("copy");
    area.remove();
    if (!copied) {
      $("copy-status").textContent = "The browser refused to copy. Show the value, select it and copy it by hand.";
      return;
    }
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

function wireButtons() {
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
  $("revoke").addEventListener("click", () => {
    $("revoke-confirm").hidden = false;
    $("revoke-yes").focus();
  });
  $("revoke-cancel").addEventListener("click", () => {
    $("revoke-confirm").hidden = true;
    $("revoke").focus();
  });
  $("revoke-yes").addEventListener("click", revoke);
  $("done").addEventListener("click", done);
  $("start-over").addEventListener("click", startOver);
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
  $("paste-form").addEventListener("submit", submitPaste);
  wireChecklist();
}

// ---------------------------------------------------------------- checklist

const CHECKLIST_KEY = "sftoken-checklist";
const AGAIN_KEY = "sftoken-try-again";

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

// ---------------------------------------------------------------- pending sign-in

function showPending(id, expiresIn, paste, authorizeUrl) {
  pendingId = id;
  countdown = expiresIn;
  $("pending").hidden = false;
  $("sign-in").disabled = true;
  $("paste-panel").hidden = !paste;
  $("paste-open").hidden = !authorizeUrl;
  if (authorizeUrl) $("paste-open").href = authorizeUrl;
  tick();
  (paste && authorizeUrl ? $("paste-open") : $("pending-title")).focus();
}

function tick() {
  if ($("pending").hidden) return;
  if (countdown <= 0) {
    $("pending-countdown").textContent = "it expired; start over to sign in again";
    return;
  }
  const minutes = Math.floor(countdown / 60);
  const seconds = String(countdown % 60).padStart(2, "0");
  $("pending-countdown").textContent = `${minutes}:${seconds} left before it expires`;
}

setInterval(() => {
  countdown -= 1;
  tick();
}, 1000);

function startOver() {
  $("pending").hidden = true;
  $("sign-in").disabled = false;
  pendingId = "";
  $("client-id").focus();
}

async function submitPaste(event) {
  event.preventDefault();
  const body = await submitForm(
    $("paste-continue"),
    () => postJson(`/api/login/${encodeURIComponent(pendingId)}/paste`, { text: $("paste-text").value }),
    { text: "paste-text-error" },
    "paste-text-error",
  );
  if (body) window.location.assign("/result/" + encodeURIComponent(body.id));
}

async function done() {
  const { ok, body } = await postJson("/api/done", {});
  if (!ok) {
    $("done-error").textContent = (body.error && body.error.message) || NOT_RUNNING;
    $("done-error").hidden = false;
    return;
  }
  for (const id of ["setup", "result", "failure", "waiting", "loading", "need-link"]) $(id).hidden = true;
  $("stopped").hidden = false;
  $("done").disabled = true;
  $("stopped-title").focus();
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

// ---------------------------------------------------------------- the forms

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

const ENVIRONMENT_KEY = "sftoken-environment";

/** The environment chosen stays for this tab, so coming back keeps it. */
function rememberEnvironment() {
  sessionStorage.setItem(ENVIRONMENT_KEY, chosenLoginUrl());
}

function chosenLoginUrl() {
  if ($("env-sandbox").checked) return SANDBOX;
  if ($("env-my-domain").checked) return $("my-domain-url").value;
  return PRODUCTION;
}

/** Shows the server's refusal next to the field it names (ids map per form). */
function showFormError(fields, fallback, error) {
  for (const id of [...Object.values(fields), fallback]) {
    $(id).hidden = true;
    $(id).textContent = "";
  }
  if (!error) return;
  const target = fields[error.field] || fallback;
  $(target).textContent = error.message || "sftoken could not do that. Reload the page and try again.";
  $(target).hidden = false;
  const input = $(target).id.replace(/-error$/, "");
  if ($(input) && $(input).focus) $(input).focus();
}

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

async function submitForm(button, send, fields, fallback) {
  showFormError(fields, fallback, null);
  button.disabled = true;
  const { ok, body } = await send();
  button.disabled = false;
  if (!ok) return showFormError(fields, fallback, body.error || {});
  return body;
}

async function signIn(event) {
  event.preventDefault();
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

async function checkExisting(event) {
  event.preventDefault();
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

// ---------------------------------------------------------------- results

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
  // "Try again" keeps the key and environment (not the secret) in this tab only.
  sessionStorage.setItem(AGAIN_KEY, JSON.stringify({ client_id: body.client_id, login_url: body.login_url }));
  show("failure");
  $("failure-title").focus();
}

/** The settings and their copy formats, from any answer about the result. */
function applySettings(body) {
  const settings = body.settings;
  for (const name of ["client_id", "client_secret", "refresh_token", "login_url"]) {
    $("s-" + name).value = settings[name];
  }
  $("s-company_names").value = settings.company_names.join(", ");
  fitAll();
  companyNamesText = body.company_names_text;
  copyAllText = body.copy_all;
  const details = body.details || {};
  for (const name of ["username", "org_id", "instance_url", "scope"]) {
    $("d-" + name).textContent = details[name] || "(not known yet)";
  }
  const unmatched = body.unmatched_company_names || [];
  $("company-names-warning").hidden = unmatched.length === 0;
  $("company-names-warning").textContent = unmatched.length
    ? `No active user's email domain is ${unmatched.join(", ")}, so Snow Atlas imports nobody for ${unmatched.length === 1 ? "it" : "them"}. Check the spelling, or choose among the domains below.`
    : "";
  showRevoked(body.revoked);
  drawPickerState(settings.company_names);
}

/** A revoked token is dead: struck through, its copy buttons off, its check failed. */
function showRevoked(revoked) {
  $("revoked-note").hidden = !revoked;
  $("revoke-section").hidden = revoked;
  document.querySelector("[data-setting=refresh_token]").classList.toggle("revoked", revoked);
  $("copy-refresh-token").disabled = revoked;
  $("copy-all").disabled = revoked;
  if (revoked) {
    drawBanner(null, "the refresh token is revoked");
    renderStep("token", { status: "failed", title: "Revoked", cause: "This refresh token was revoked from this page; Salesforce no longer accepts it.", fix: "Start again to get a new one." }, () => {});
  }
}

function adviceNodes(advice) {
  const nodes = [el("p", advice.cause), el("p", "What to do: " + advice.fix)];
  if (advice.code) {
    const said = el("p", "Salesforce said: ", "hint");
    said.append(el("code", advice.code), " " + (advice.description || ""));
    nodes.push(said);
  }
  return nodes;
}

function renderStep(name, step, renderOk) {
  const box = $("check-" + name);
  box.dataset.status = step.status;
  const status = box.querySelector(".check-status");
  const body = box.querySelector(".check-body");
  body.replaceChildren();
  if (step.status === "pending") status.textContent = "Waiting…";
  if (step.status === "running") {
    status.textContent = step.pages ? `Reading… ${number(step.pages)} pages, ${number(step.records)} users so far` : "Checking…";
  }
  if (step.status === "ok") {
    status.textContent = "OK";
    renderOk(step, body);
  }
  if (step.status === "failed") {
    status.textContent = step.title;
    body.append(...adviceNodes(step));
  }
  if (step.status === "skipped") {
    status.textContent = "Skipped";
    body.append(el("p", step.reason));
  }
}

function warning(text) {
  return el("p", text, "warning");
}

function licenseTable(caption, licenses) {
  const table = el("table");
  table.append(el("caption", caption));
  const head = el("tr");
  for (const title of ["License", "Status", "Used", "Total"]) head.append(el("th", title));
  head.lastChild.className = head.lastChild.previousSibling.className = "number";
  table.append(head);
  for (const license of licenses) {
    const row = el("tr");
    row.append(el("td", license.name), el("td", license.status || ""), el("td", number(license.used), "number"), el("td", number(license.total), "number"));
    table.append(row);
  }
  return table;
}

function renderChecks(sent) {
  const checks = { done: sent.done };
  for (const step of sent.steps) checks[step.kind] = step;
  renderStep("token", checks.token, (token, body) => {
    body.append(el("p", `Salesforce accepted the refresh token, the client ID and the client secret at ${token.login_url}, the Login URL Snow Atlas will use.`));
    if (token.warning) body.append(warning(token.warning));
    body.append(el("p", "Scopes granted: " + (token.scopes_granted.join(", ") || "(none)")));
    for (const fix of token.scope_fixes) body.append(warning(fix));
  });
  renderStep("user", checks.user, (user, body) => {
    body.append(el("p", `${user.display_name} (${user.username})`));
  });
  renderStep("org", checks.org, (org, body) => {
    body.append(el("p", `${org.name} · ${org.edition} · ${org.is_sandbox ? "sandbox" : "production"} · org ID ${org.id}`));
    body.append(el("p", `The REST API answers (version ${org.api_version}).`));
    if (org.warning) body.append(warning(org.warning));
  });
  renderStep("licenses", checks.licenses, (licenses, body) => {
    // Each table on its own: one that could not be read does not hide the other.
    for (const [caption, table, error] of [
      ["User licenses", licenses.user_licenses, licenses.user_licenses_error],
      ["Permission set licenses", licenses.permission_set_licenses, licenses.permission_set_licenses_error],
    ]) {
      if (error) body.append(warning(`${caption} could not be read: ${error.title}.`), ...adviceNodes(error));
      else body.append(licenseTable(caption, table));
    }
  });
  renderStep("users", checks.users, (users, body) => {
    body.append(el("p", `${number(users.active_users)} active users; ${number(users.without_email)} without an email address.`));
    const list = el("ul");
    for (const type of users.by_type) {
      list.append(el("li", `${type.user_type}: ${number(type.count)}` + (type.left_out ? " (left out by the connector)" : "")));
    }
    body.append(list);
    drawPicker(users.domains);
  });
  const steps = sent.steps;
  const passed = steps.filter((step) => step.status === "ok").length;
  const failed = steps.some((step) => step.status === "failed");
  const summary = `${passed} of ${steps.length} checks passed`;
  $("checks-progress").textContent = checks.done ? `(finished: ${summary})` : "(running…)";
  if (checks.done && failed) $("checks").open = true;
  drawBanner(checks, checks.done ? summary : "checking…");
}

let bannerParts = [];

/** The result's first line: who signed in, to which org, and how the checks
 * went. Without `checks`, only the last part changes. */
function drawBanner(checks, progress) {
  if (checks) {
    const user = checks.user.status === "ok" ? checks.user : null;
    const org = checks.org.status === "ok" ? checks.org : null;
    bannerParts = [
      user ? `Signed in as ${user.display_name} (${user.username})` : "Your settings",
      org ? org.name : "",
      org ? (org.is_sandbox ? "Sandbox" : "Production") : "",
    ];
  }
  $("banner").textContent = [...bannerParts, progress].filter(Boolean).join(" · ");
}

// ---------------------------------------------------------------- picker

function drawPicker(domains) {
  if (pickerDrawn) return;
  pickerDrawn = true;
  const rows = $("domain-rows");
  for (const { domain, count } of domains) {
    const row = el("tr");
    const box = document.createElement("input");
    box.type = "checkbox";
    box.value = domain;
    box.id = "domain-" + domain;
    box.addEventListener("change", pickerChanged);
    const label = el("label", domain);
    label.htmlFor = box.id;
    const use = el("td");
    use.append(box);
    const name = el("td");
    name.append(label);
    row.append(use, name, el("td", number(count), "number"));
    rows.append(row);
  }
  $("domains").hidden = domains.length === 0;
  $("picker-wait").textContent = domains.length ? "" : "No active user has an email address, so there is nothing to choose.";
  $("picker-wait").hidden = domains.length > 0;
  drawPickerState($("s-company_names").value.split(", "));
}

function drawPickerState(names) {
  const chosen = new Set(names);
  for (const box of document.querySelectorAll("#domain-rows input[type=checkbox]")) {
    box.checked = chosen.has(box.value);
  }
  $("picker-caveat").hidden = chosen.has("*");
}

async function pickerChanged() {
  const names = [...document.querySelectorAll("#domain-rows input:checked")].map((box) => box.value);
  const { ok, body } = await postJson(`/api/login/${encodeURIComponent(resultId)}/company-names`, { names });
  if (ok) applySettings(body);
  else drawPickerState($("s-company_names").value.split(", "));
}

async function revoke() {
  $("revoke-yes").disabled = true;
  const { ok, body } = await postJson(`/api/login/${encodeURIComponent(resultId)}/revoke`, {});
  $("revoke-yes").disabled = false;
  $("revoke-confirm").hidden = true;
  if (!ok) {
    const error = body.error || {};
    $("revoke-error").textContent = error.message || NOT_RUNNING;
    $("revoke-error").hidden = false;
    return;
  }
  $("revoke-error").hidden = true;
  applySettings(body);
  $("revoked-note").focus();
}

async function loadResult(id) {
  resultId = id;
  // Poll soon, then less often: checks on a small org take milliseconds.
  for (let delay = 50; ; delay = Math.min(delay * 2, 400)) {
    const { status, body } = await getJson("/api/login/" + encodeURIComponent(id));
    if (status === 401) return show("need-link");
    if (status === 0) return;
    if (status !== 200) {
      return showFailure(body, "These settings are unknown");
    }
    if (body.status === "failed") return showFailure(body);
    if (body.status === "captured") {
      applySettings(body);
      renderChecks(body.checks);
      showRevoked(body.revoked);
      show("result");
      if (body.checks.done) return;
    } else {
      show("waiting");
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}

/** Trades the launch token in the address (#token=…) for a session key, once. */
async function openSession() {
  const token = new URLSearchParams(window.location.hash.slice(1)).get("token");
  if (!token) return true;
  // Out of the address bar (and this history entry) before anything else.
  history.replaceState(null, "", window.location.pathname);
  const { ok, status, body } = await postJson("/api/session", { token });
  if (ok) {
    sessionStorage.setItem(SESSION_KEY, body.session_key);
    return true;
  }
  if (status === 0) return false;
  $("link-used").textContent = body.error.message;
  $("link-used").hidden = false;
  return false;
}

async function start() {
  wireButtons();
  if (!(await openSession())) return show("need-link");
  sessionKey = sessionStorage.getItem(SESSION_KEY) || "";
  if (!sessionKey) return show("need-link");
  const { status, body } = await getJson("/api/session");
  if (status === 0) return show("loading");
  if (status !== 200) {
    sessionStorage.removeItem(SESSION_KEY);
    return show("need-link");
  }
  $("version").textContent = body.version;
  $("callback-url").value = body.callback_url;
  $("stuck-callback").textContent = body.callback_url;
  if (body.idle_timeout_seconds) {
    $("idle-note").textContent = `It stops by itself after ${duration(body.idle_timeout_seconds)} without use. `;
  }
  $("client-id").value = body.client_id || "";
  // With the Consumer Key known, the app exists: the checklist starts folded.
  if (body.client_id) $("checklist").open = false;
  $("c-client_id").value = body.client_id || "";
  $("c-login_url").value = body.login_url;
  $("client-secret-hint").hidden = !body.has_client_secret;
  setEnvironment(body.login_url);
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
  $("paste-callback-url").value = body.paste_callback_url;
  // Salesforce keeps five approvals per user and app: say so before another.
  $("approvals-warning").hidden = !body.sign_ins;
  $("sign-in-count").textContent = body.sign_ins === 1 ? "once" : `${body.sign_ins} times`;
  $("paste-mode").addEventListener("change", () => {
    $("paste-callback-field").hidden = !$("paste-mode").checked;
  });
  $("login-form").addEventListener("submit", signIn);
  $("my-domain-url").addEventListener("change", normalizeMyDomain);
  $("check-form").addEventListener("submit", checkExisting);

  const match = window.location.pathname.match(/^\/result\/([A-Za-z0-9_-]+)$/);
  if (match) return loadResult(match[1]);
  // "Try again" after a failure keeps what was typed, except the secret.
  const again = JSON.parse(sessionStorage.getItem(AGAIN_KEY) || "{}");
  sessionStorage.removeItem(AGAIN_KEY);
  if (again.client_id) $("client-id").value = again.client_id;
  const chosen = again.login_url || sessionStorage.getItem(ENVIRONMENT_KEY);
  if (chosen) setEnvironment(chosen);
  if (body.login_url_note) {
    $("login-url-note").textContent = body.login_url_note;
    $("login-url-note").hidden = false;
  }
  show("setup");
  fitAll();
  if (body.pending) showPending(body.pending.id, body.pending.expires_in_seconds, body.pending.paste, "");
}

document.addEventListener("DOMContentLoaded", start);
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
