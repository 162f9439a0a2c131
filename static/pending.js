// A sign-in waiting for Salesforce: its countdown, "Start over", and in paste
// mode the box for the address Salesforce's success page shows.

import { $ } from "./dom.js";
import { loginPath, postJson } from "./api.js";
import { submitForm } from "./forms.js";

/** Wires the pending panel; returns `showPending(id, expiresIn, paste,
 * authorizeUrl)`, which shows it for one sign-in. */
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

  return function showPending(id, expiresIn, paste, authorizeUrl) {
    pending.id = id;
    pending.deadline = Date.now() + expiresIn * 1000;
    $("pending").hidden = false;
    $("sign-in").disabled = true;
    $("paste-panel").hidden = !paste;
    $("paste-open").hidden = !authorizeUrl;
    if (authorizeUrl) $("paste-open").href = authorizeUrl;
    tick();
    (paste && authorizeUrl ? $("paste-open") : $("pending-title")).focus();
  };
}
