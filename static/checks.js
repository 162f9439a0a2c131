// The check rows, drawn from the steps the server sends, in its order: one
// row per step, its heading and status, and for a passed step what it found.
// A new kind of check needs only its entry in FOUND; without one, its row
// still shows its heading and status.

import { $, el, number } from "./dom.js";

/** What the token row shows once the token is revoked from this page. */
const REVOKED = {
  status: "failed",
  title: "Revoked",
  cause: "This refresh token was revoked from this page; Salesforce no longer accepts it.",
  fix: "Start again to get a new one.",
};

function warning(text) {
  return el("p", text, "warning");
}

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
    el("p", `Salesforce accepted the refresh token, the client ID and the client secret at ${token.login_url}, the Login URL Snow Atlas will use.`),
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
  // Each table on its own: one that could not be read does not hide the other.
  licenses: (licenses) => [
    ["User licenses", licenses.user_licenses, licenses.user_licenses_error],
    ["Permission set licenses", licenses.permission_set_licenses, licenses.permission_set_licenses_error],
  ].flatMap(([caption, table, error]) =>
    error ? [warning(`${caption} could not be read: ${error.title}.`), ...adviceNodes(error)] : [licenseTable(caption, table)]),
  users: (users) => {
    const list = el("ul");
    for (const type of users.by_type) {
      list.append(el("li", `${type.user_type}: ${number(type.count)}` + (type.left_out ? " (left out by the connector)" : "")));
    }
    return [el("p", `${number(users.active_users)} active users; ${number(users.without_email)} without an email address.`), list];
  },
};

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
  if (step.status === "running") {
    status.textContent = step.pages ? `Reading… ${number(step.pages)} pages, ${number(step.records)} users so far` : "Checking…";
  }
  if (step.status === "ok") {
    status.textContent = "OK";
    if (FOUND[step.kind]) body.append(...FOUND[step.kind](step));
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
 * row (the count stays the checks' own). Returns "N of M checks passed". */
export function drawChecks(container, steps, revoked) {
  for (const step of steps) {
    const shown = revoked && step.kind === "token" ? { ...REVOKED, kind: step.kind, heading: step.heading } : step;
    drawStep(rowOf(container, step.kind), shown);
  }
  const passed = steps.filter((step) => step.status === "ok").length;
  return `${passed} of ${steps.length} checks passed`;
}

/** A passed step of one kind, or null. */
export const passed = (steps, kind) => steps.find((step) => step.kind === kind && step.status === "ok") || null;
