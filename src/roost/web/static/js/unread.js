// Keep the notifications badge in the navigation current.

import { getJSON } from "./http.js";

const EVERY_MS = 20_000;

function show(count, capped) {
  const link = document.querySelector("#main-nav .nav-bell");
  if (!link) return;
  let badge = document.getElementById("unread-count");
  const text = capped ? "99+" : String(count);
  link.setAttribute("aria-label", count > 0 ? `Notifications, ${text} unread` : "Notifications");
  if (count <= 0) {
    if (badge) badge.remove();
    return;
  }
  if (!badge) {
    badge = document.createElement("span");
    badge.id = "unread-count";
    badge.className = "badge";
    link.append(badge);
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
