// What every part of the page uses: element lookup, elements that hold text
// (never markup), number formats, the one section shown, and copying.

export const $ = (id) => document.getElementById(id);

/** A new element with text, never markup. */
export function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
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
  $("footer").hidden = id === "need-link";
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
  setTimeout(() => {
    button.textContent = label;
    button.classList.remove("copied");
  }, 1500);
}
