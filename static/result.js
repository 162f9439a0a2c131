// A sign-in's result: the settings, their copy buttons, the checks, the
// Company names picker and Revoke, all drawn by `drawResult` from the one
// answer the server sends, so drawing it again, or in any order, shows the
// same thing. A failed sign-in shows its advice instead. The check rows follow
// the steps the server sends, in its order; a new kind of check needs only its
// entry in FOUND (without one, its row still shows its heading and status).

import { $, NOT_RUNNING, copyText, el, fitAll, getJson, list, loginPath, number, postJson, show, showFailure } from "./base.js";

// ---------------------------------------------------------------- checks

/** What the token row shows once the token is revoked from this page. */
const REVOKED = {
  status: "failed",
  title: "Revoked",
  cause: "This refresh token was revoked from this page; Salesforce no longer accepts it.",
  fix: "Start again to get a new one.",
};

const warning = (text) => el("p", text, "warning");

/** Salesforce's advice: why, what to do, and what Salesforce said. */
function adviceNodes(advice) {
  const nodes = [el("p", advice.cause), el("p", "What to do: " + advice.fix)];
  if (advice.code) {
    const said = el("p", "Salesforce said: ", "hint");
    said.append(el("code", advice.code), " " + (advice.description || ""));
    nodes.push(said);
  }
  return nodes;
}

/** A table or list that Salesforce refused to give, with its advice. */
const unread = (what, error) => [warning(`${what} could not be read: ${error.title}.`), ...adviceNodes(error)];

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

/** What a passed step found, by kind: the nodes for its row's body. */
const FOUND = {
  token: (token) => [
    el("p", `Salesforce accepted the refresh token, the Client ID and the Client secret at ${token.login_url}, the Login URL Snow Atlas will use.`),
    // Each Login URL token refresh ran at, when there was a choice.
    ...(token.login_urls_tried.length > 1 ? [list(token.login_urls_tried.map(tried), "tried")] : []),
    ...(token.warning ? [warning(token.warning)] : []),
    el("p", "Scopes granted: " + (token.scopes_granted.join(", ") || "(none)")),
    ...token.scope_fixes.map(warning),
  ],
  user: (user) => [el("p", `${user.display_name} (${user.username})`)],
  org: (org) => [
    el("p", `${org.name} · ${org.edition} · ${org.is_sandbox ? "sandbox" : "production"} · org ID ${org.id}`),
    el("p", `The REST API answers (version ${org.api_version}).`),
    ...(org.warning ? [warning(org.warning)] : []),
  ],
  // Each missing permission warns with its fix; a refused Profile read, beside them.
  permissions: (p) => [
    el("p", p.missing.length ? `The user lacks ${p.missing.join(", ")}, which Snow's documentation asks for.` : `The user has what Snow's documentation asks for: ${p.granted.join(", ")}.`),
    ...p.fixes.map(warning),
    ...(p.profiles_error ? unread("Profiles", p.profiles_error) : [el("p", `${number(p.profiles)} profiles read, as the connector reads them.`)]),
  ],
  // Each table on its own: one that could not be read does not hide the other.
  licenses: (licenses) => [
    ["User licenses", licenses.user_licenses, licenses.user_licenses_error],
    ["Permission set licenses", licenses.permission_set_licenses, licenses.permission_set_licenses_error],
  ].flatMap(([caption, table, error]) => (error ? unread(caption, error) : [licenseTable(caption, table)])),
  users: (users) => [
    el("p", `${number(users.active_users)} active users; ${number(users.without_email)} without an email address.`),
    ...(users.warning ? [warning(users.warning)] : []),
    list(users.by_type.map((type) => `${type.name}: ${number(type.count)}` + (type.left_out ? " (left out by the connector)" : ""))),
  ],
};

/** A Login URL token refresh ran at: works there, or what Salesforce said. */
const tried = ({ login_url, refused: r }) =>
  r ? `Not at ${login_url}: ${r.code ? [r.code, r.description].filter(Boolean).join(": ") : r.title}` : `Works at ${login_url}`;

/** The row of one kind, made the first time the kind is drawn. */
function rowOf(container, kind) {
  const existing = $("check-" + kind);
  if (existing) return existing;
  const row = el("div", undefined, "check");
  row.id = "check-" + kind;
  row.append(el("h4"), el("p", undefined, "check-status"), el("div", undefined, "check-body"));
  container.append(row);
  return row;
}

function drawStep(row, step) {
  row.dataset.status = step.status;
  row.querySelector("h4").textContent = step.heading;
  const status = row.querySelector(".check-status");
  const body = row.querySelector(".check-body");
  body.replaceChildren();
  if (step.status === "pending") status.textContent = "Waiting…";
  if (step.status === "running") status.textContent = step.pages ? `Reading… ${number(step.pages)} pages, ${number(step.records)} users so far` : "Checking…";
  if (step.status === "ok") {
    if (FOUND[step.kind]) body.append(...FOUND[step.kind](step));
    status.textContent = body.querySelector(".warning") ? "OK, with a warning" : "OK";
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

/** Draws every step into `container`; a revoked token shows as such in its
 * row. Returns "N of M checks passed", and how many of those warn. */
function drawChecks(container, steps, revoked) {
  for (const step of steps) {
    const shown = revoked && step.kind === "token" ? { ...REVOKED, kind: step.kind, heading: step.heading } : step;
    drawStep(rowOf(container, step.kind), shown);
  }
  const passed = steps.filter((step) => step.status === "ok").length;
  const warned = [...container.querySelectorAll("[data-status=ok]")].filter((row) => row.querySelector(".warning")).length;
  return `${passed} of ${steps.length} checks passed` + (warned ? `, ${warned} with a warning` : "");
}

/** A passed step of one kind, or null. */
const passed = (steps, kind) => steps.find((step) => step.kind === kind && step.status === "ok") || null;

// ---------------------------------------------------------------- picker

/** The Company names picker: a row per email domain of the active users, drawn
 * once when the user preview is in (redrawing them would take the focus from
 * a box just ticked). A tick calls `onChange(names)`. */
function drawPicker(domains, onChange) {
  const rows = $("domain-rows");
  if (rows.dataset.drawn) return;
  rows.dataset.drawn = "yes";
  for (const { domain, count } of domains) {
    const row = el("tr");
    const box = document.createElement("input");
    box.type = "checkbox";
    box.value = domain;
    box.id = "domain-" + domain;
    box.addEventListener("change", () => onChange(chosenNames()));
    const label = el("label", domain);
    label.htmlFor = box.id;
    row.insertCell().append(box);
    row.insertCell().append(label);
    row.append(el("td", number(count), "number"));
    rows.append(row);
  }
  $("domains").hidden = domains.length === 0;
  $("picker-wait").textContent = domains.length ? "" : "No active user has an email address, so there is nothing to choose.";
  $("picker-wait").hidden = domains.length > 0;
}

/** Ticks the boxes of the names chosen; "*" (every domain) has no caveat. */
function drawPickerState(names) {
  const chosen = new Set(names);
  for (const box of document.querySelectorAll("#domain-rows input[type=checkbox]")) {
    box.checked = chosen.has(box.value);
  }
  $("picker-caveat").hidden = chosen.has("*");
}

const chosenNames = () => [...document.querySelectorAll("#domain-rows input:checked")].map((box) => box.value);

// ---------------------------------------------------------------- result

/** The settings, why this Login URL (once the token check tried it), the connection details, the warning on names that match nobody. */
function drawSettings(body) {
  const settings = body.settings;
  for (const name of ["client_id", "client_secret", "refresh_token", "login_url"]) {
    $("s-" + name).value = settings[name];
  }
  $("s-company_names").value = settings.company_names.join(", ");
  fitAll();
  const reason = passed(body.checks.steps, "token")?.login_url_reason;
  Object.assign($("login-url-reason"), { textContent: reason || "", hidden: !reason });
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

/** The result's first line: whether the settings may be used, whose they
 * are (signed in, or settings checked), which org, how the checks went. */
function bannerText({ checks: { steps }, existing, revoked }, progress) {
  const user = passed(steps, "user");
  const org = passed(steps, "org");
  return [
    revoked && "Revoked: do not use these settings",
    user ? `${existing ? "Checked" : "Signed in"} as ${user.display_name} (${user.username})` : "Your settings",
    org?.name,
    org && (org.is_sandbox ? "Sandbox" : "Production"),
    !revoked && progress,
  ].filter(Boolean).join(" · ");
}

/** Draws a captured sign-in as the server describes it; a tick calls
 * `onPick(names)`. Revoked is one state, the class on #result (app.css): the
 * banner says so, the checks no longer count, the token can't be copied. */
function drawResult(body, onPick) {
  const { checks, revoked } = body;
  drawSettings(body);
  $("result").classList.toggle("revoked", revoked);
  // A dead token can't be copied, nor show "Copied" for a moment more.
  for (const [id, label] of [["copy-refresh-token", "Copy"], ["copy-all", "Copy all"]]) {
    $(id).disabled = revoked;
    if (revoked) Object.assign($(id), { textContent: label, className: $(id).className.replace(" copied", "") });
  }
  const summary = drawChecks($("check-rows"), checks.steps, revoked);
  $("checks-progress").textContent = revoked ? "(they no longer count: the token is revoked)" : checks.done ? `(finished: ${summary})` : "(running…)";
  $("banner").textContent = bannerText(body, checks.done ? summary : "checking…");
  const users = passed(checks.steps, "users");
  if (users) drawPicker(users.domains, onPick);
  drawPickerState(body.settings.company_names);
}

/** Shows sign-in `id`: polls until its checks are done; wires its buttons. */
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
        // A failed or warning check opens the fold once, when the checks finish.
        if (body.checks.steps.some((step) => step.status === "failed") || $("check-rows").querySelector(".warning")) $("checks").open = true;
        return;
      }
    } else {
      show("waiting");
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}

/** Revoke asks first; once done, the page draws the revoked state. */
function wireRevoke(id, draw) {
  const confirming = (open) => {
    $("revoke-confirm").hidden = !open;
    (open ? $("revoke-yes") : $("revoke")).focus();
  };
  $("revoke").addEventListener("click", () => confirming(true));
  $("revoke-cancel").addEventListener("click", () => confirming(false));
  $("revoke-yes").addEventListener("click", async () => {
    $("revoke-yes").disabled = true;
    const { ok, body } = await postJson(loginPath(id, "revoke"), {});
    $("revoke-yes").disabled = false;
    $("revoke-confirm").hidden = true;
    Object.assign($("revoke-error"), { textContent: ok ? "" : body.error?.message || NOT_RUNNING, hidden: ok });
    if (!ok) return;
    draw(body);
    // The token is dead: no "Copied" note, and not in the clipboard either,
    // if this page put it there.
    const status = $("copy-status");
    status.textContent = status.dataset.wrote ? await navigator.clipboard.writeText("").then(() => "The clipboard is cleared.", () => "") : "";
    delete status.dataset.wrote;
    $("revoked-note").focus();
  });
}
