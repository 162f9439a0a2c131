// sftoken's page, the entry module: it opens the page's session and shows the
// setup forms or a sign-in's result. The page talks JSON to the local server
// and writes text with textContent or input values, never as markup, so
// nothing Salesforce sends can become HTML.

import { $, copyText, duration, fitAll, show } from "./dom.js";
import { NOT_RUNNING, forgetSession, getJson, openSession, postJson, sessionKey } from "./api.js";
import { fillForms, restoreForms, wireForms } from "./forms.js";
import { wirePending } from "./pending.js";
import { openResult } from "./result.js";

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
