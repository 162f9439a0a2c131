// The Company names picker: one row per email domain of the active users,
// ticked for the names chosen.

import { $, el, number } from "./dom.js";

/** The rows, drawn once when the user preview is in: redrawing them would
 * take the focus from a box just ticked. A tick calls `onChange(names)`. */
export function drawPicker(domains, onChange) {
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
}

/** Ticks the boxes of the names chosen; "*" (every domain) has no caveat. */
export function drawPickerState(names) {
  const chosen = new Set(names);
  for (const box of document.querySelectorAll("#domain-rows input[type=checkbox]")) {
    box.checked = chosen.has(box.value);
  }
  $("picker-caveat").hidden = chosen.has("*");
}

function chosenNames() {
  return [...document.querySelectorAll("#domain-rows input:checked")].map((box) => box.value);
}
