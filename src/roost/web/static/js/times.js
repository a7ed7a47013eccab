// Relative times ("now", "5m", "3h", "2d", "Mar 5"), the same rule as the server's.

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

export function relative(date, now = new Date()) {
  const seconds = (now - date) / 1000;
  if (seconds < 45) return "now";
  if (seconds < 3600) return `${Math.max(1, Math.round(seconds / 60))}m`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)}h`;
  if (seconds < 7 * 86400) return `${Math.floor(seconds / 86400)}d`;
  const day = `${MONTHS[date.getUTCMonth()]} ${date.getUTCDate()}`;
  return date.getUTCFullYear() === now.getUTCFullYear() ? day : `${day}, ${date.getUTCFullYear()}`;
}

export function refreshTimes(root = document) {
  const now = new Date();
  for (const time of root.querySelectorAll(".post-time time, .notification-line time")) {
    const date = new Date(time.getAttribute("datetime"));
    if (!Number.isNaN(date.getTime())) time.textContent = relative(date, now);
  }
}

export function initTimes() {
  refreshTimes();
  setInterval(refreshTimes, 30_000);
}
