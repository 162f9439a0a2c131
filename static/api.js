// Every request to sftoken, with the page's session key.
//
// The session key is traded once for the launch token in the address. It
// lives in sessionStorage, which is bound to this page's scheme, host and port
// (a cookie would go to every port of localhost), and rides in a header.

import { $ } from "./dom.js";

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
    $("offline").hidden = false;
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

/** Trades the launch token in the address (#token=…) for a session key, once. */
export async function openSession() {
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
