// Keep the notifications badge in the navigation current.

import { getJSON } from "./http.js";

const EVERY_MS = 20_000;

function show(count, capped) {
  const link = document.querySelector("#main-nav .nav-bell");
  if (!link) return;
  let badge = document.getElementById("unread-count");
  const text = capped ? "99+" : String(count);
  if (count <= 0) {
    if (badge) badge.remove();
    link.querySelector(".unread-word")?.remove();
    return;
  }
  if (!badge) {
    badge = document.createElement("span");
    badge.id = "unread-count";
    badge.className = "badge";
    // The link is named by its text: "Notifications 3 unread" (the word for screen readers).
    const word = document.createElement("span");
    word.className = "sr-only unread-word";
    word.textContent = " unread";
    link.append(" ", badge, word);
  }
  badge.textContent = text;
}

export function initUnread() {
  if (!document.body.classList.contains("signed-in")) return;
  if (location.pathname === "/notifications") return;
  setInterval(async () => {
    if (document.visibilityState !== "visible") return;
    try {
      const data = await getJSON("/notifications/unread");
      show(data.count, data.capped);
    } catch {
      // Try again next time.
    }
  }, EVERY_MS);
}
