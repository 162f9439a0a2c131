// What both of the page's screens use: elements that hold text (never
// markup), the one section shown, copying, every request to sftoken with the
// page's session key, a form's errors, a failed sign-in's advice, and the
// sign-in waiting for Salesforce.
// It imports nothing, so the modules load in one order.

// ---------------------------------------------------------------- elements

export const $ = (id) => document.getElementById(id);

/** A new element with text, never markup. */
export function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}

/** A list with one item per text. */
export function list(texts, className) {
  const node = el("ul", undefined, className);
  node.append(...texts.map((text) => el("li", text)));
  return node;
}

export const number = (n) => Number(n).toLocaleString("en-US");

/** 90 → "90 seconds", 1800 → "30 minutes", 60 → "1 minute". */
export function duration(seconds) {
  const [n, unit] = seconds % 60 === 0 ? [seconds / 60, "minute"] : [seconds, "second"];
  return `${number(n)} ${unit}${n === 1 ? "" : "s"}`;
}

/** The page's sections: one shows at a time. */
const SECTIONS = ["loading", "need-link", "setup", "waiting", "failure", "result", "stopped"];

export function show(id) {
  // Once sftoken has stopped, nothing else shows: the page cannot change.
  if (!$("stopped").hidden) return;
  $("footer").hidden = id === "need-link" || id === "stopped";
  for (const section of SECTIONS) {
    $(section).hidden = section !== id;
  }
}

/** A read-only value shows whole: its box grows to the lines it wraps to. */
export function fit(area) {
  area.style.height = "auto";
  area.style.height = area.scrollHeight + (area.offsetHeight - area.clientHeight) + "px";
}

export function fitAll() {
  for (const area of document.querySelectorAll("textarea.value")) fit(area);
}

export async function copyText(text, button) {
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
  // Revoke clears the clipboard only if this page wrote it.
  $("copy-status").dataset.wrote = "yes";
  setTimeout(() => {
    button.textContent = label;
    button.classList.remove("copied");
  }, 1500);
}

// ---------------------------------------------------------------- requests
//
// The session key is traded once for the launch token in the address. It
// lives in sessionStorage, which is bound to this page's scheme, host and port
// (a cookie would go to every port of localhost), and rides in a header.

const SESSION_KEY = "sftoken-session";
const SESSION_HEADER = "X-Sftoken-Session";

export const NOT_RUNNING = "sftoken is not answering. Is it still running in the terminal? Start it again if it stopped.";

export const sessionKey = () => sessionStorage.getItem(SESSION_KEY) || "";

export const forgetSession = () => sessionStorage.removeItem(SESSION_KEY);

/** Every request to sftoken; a failed connection answers status 0 and says so. */
async function request(url, options) {
  try {
    const headers = { ...(options.headers || {}), [SESSION_HEADER]: sessionKey() };
    const response = await fetch(url, { credentials: "omit", ...options, headers });
    const body = await response.json().catch(() => ({}));
    $("offline").hidden = true;
    return { ok: response.ok, status: response.status, body };
  } catch (e) {
    // Once the page says sftoken has stopped, it needs no second word.
    $("offline").hidden = !$("stopped").hidden;
    return { ok: false, status: 0, body: { error: { message: NOT_RUNNING } } };
  }
}

export const getJson = (url) => request(url, {});

export const postJson = (url, payload) =>
  request(url, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(payload),
  });

/** The address of one sign-in, or of an action on it ("revoke", …). */
export const loginPath = (id, action) =>
  `/api/login/${encodeURIComponent(id)}` + (action ? "/" + action : "");

/** sftoken has stopped, `why` as it said, or it no longer answers: this tab
 * forgets its session key, which is dead now and would go to whatever takes
 * the port next. */
export function showStopped(why = { text: "sftoken is not answering, so it has stopped. Run sftoken again for a new address." }) {
  forgetSession();
  show("stopped");
  $("offline").hidden = true;
  if (why.title) $("stopped-title").textContent = why.title;
  if (why.text) $("stopped-why").textContent = why.text;
  $("stopped-title").focus();
}

/** While the page is open, one request is held: sftoken answers it after a
 * while (the page asks again at once), or the moment it stops, with why. It
 * is not answering when two tries two seconds apart fail. */
export async function keepAlive() {
  for (let tries = 2; ; ) {
    const { status, body } = await getJson("/api/alive");
    if (body.stopped) return showStopped(body.stopped);
    if (status && status !== 200) return;
    if (status) tries = 2;
    else if (--tries) await new Promise((resolve) => setTimeout(resolve, 2000));
    else return showStopped();
  }
}

/** Trades the launch token in the address (#token=…) for a session key, once. */
export async function openSession() {
  const token = new URLSearchParams(window.location.hash.slice(1)).get("token");
  if (!token) return true;
  // Out of the address bar before anything else. The browser's history
  // keeps the address, but the token in it works once: used, it gets 403.
  history.replaceState(null, "", window.location.pathname);
  const { ok, status, body } = await postJson("/api/session", { token });
  if (ok) {
    sessionStorage.setItem(SESSION_KEY, body.session_key);
    return true;
  }
  if (status === 0) {
    showStopped();
    return false;
  }
  $("link-used").textContent = body.error.message;
  $("link-used").hidden = false;
  return false;
}

// ---------------------------------------------------------------- forms

/** Shows the server's refusal next to the field it names (ids map per form). */
export function showFormError(fields, fallback, error) {
  const inputOf = (id) => $(id.replace(/-error$/, ""));
  for (const id of [...Object.values(fields), fallback]) {
    $(id).hidden = true;
    $(id).textContent = "";
    inputOf(id)?.removeAttribute("aria-invalid");
  }
  if (!error) return;
  const target = fields[error.field] || fallback;
  $(target).textContent = error.message || "sftoken could not do that. Reload the page and try again.";
  $(target).hidden = false;
  const input = inputOf(target);
  if (input?.focus) {
    input.setAttribute("aria-invalid", "true");
    input.focus();
  }
}

/** Sends a form with its button off; the answer's body, or the error shown. */
export async function submitForm(button, send, fields, fallback) {
  showFormError(fields, fallback, null);
  button.disabled = true;
  const { ok, body } = await send();
  button.disabled = false;
  if (!ok) return showFormError(fields, fallback, body.error || {});
  return body;
}

const AGAIN_KEY = "sftoken-try-again";

/** "Try again" after a failure goes to the field Salesforce refused, if any
 * (sftoken keeps the rest of the form), in this tab only. */
function rememberTryAgain(failed) {
  sessionStorage.setItem(AGAIN_KEY, JSON.stringify(failed.error || {}));
}

export function takeTryAgain() {
  const again = JSON.parse(sessionStorage.getItem(AGAIN_KEY) || "{}");
  sessionStorage.removeItem(AGAIN_KEY);
  return again;
}

/** Salesforce's advice: why, what to do, and what Salesforce said. */
export function adviceNodes(advice) {
  const nodes = [el("p", advice.cause), el("p", "What to do: " + advice.fix)];
  if (advice.code) {
    const said = el("p", "Salesforce said: ", "hint");
    said.append(el("code", advice.code), " " + (advice.description || ""));
    nodes.push(said);
  }
  return nodes;
}

// Every API error has one shape: { message, field } plus, when Salesforce's
// advice is behind it, { title, cause, fix, code, description }.
export function showFailure(body, headline = "Something went wrong") {
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

// ---------------------------------------------------------------- pending
//
// A sign-in waiting for Salesforce: its countdown, "Start over", and in paste
// mode the box for the address Salesforce's success page shows.

/** Wires the pending panel; returns `showPending(login)`, which shows it for
 * one sign-in: `{ id, expires_in_seconds, paste, authorize_url }`, as the
 * server describes it when it starts and when the admin comes back to it. */
export function wirePending() {
  const pending = { id: "", deadline: 0 };

  const tick = () => {
    if ($("pending").hidden) return;
    const left = Math.round((pending.deadline - Date.now()) / 1000);
    if (left <= 0) {
      $("pending-countdown").textContent = "it expired; start over to sign in again";
      return;
    }
    const minutes = Math.floor(left / 60);
    const seconds = String(left % 60).padStart(2, "0");
    $("pending-countdown").textContent = `${minutes}:${seconds} left before it expires`;
  };
  setInterval(tick, 1000);

  $("start-over").addEventListener("click", () => {
    $("pending").hidden = true;
    $("sign-in").disabled = false;
    pending.id = "";
    $("client-id").focus();
  });

  $("paste-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = await submitForm(
      $("paste-continue"),
      () => postJson(loginPath(pending.id, "paste"), { text: $("paste-text").value }),
      { text: "paste-text-error" },
      "paste-text-error",
    );
    if (body) window.location.assign("/result/" + encodeURIComponent(body.id));
  });

  return function showPending({ id, expires_in_seconds, paste, authorize_url }) {
    pending.id = id;
    pending.deadline = Date.now() + expires_in_seconds * 1000;
    $("pending").hidden = false;
    $("sign-in").disabled = true;
    $("paste-panel").hidden = !paste;
    // Back from Salesforce: the same sign-in goes on, in this tab, or in a
    // new one for paste mode.
    $("continue").hidden = paste;
    $("paste-open").href = $("continue").href = authorize_url;
    tick();
    $(paste ? "paste-open" : "continue").focus();
  };
}
