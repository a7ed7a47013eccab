// A timeline that grows at both ends without gaps, repeats, or a jumping page.
//
// #timeline carries two cursors from the server: data-newest (the `prev_min` of what
// was read so far) and data-oldest (`next_max`). New posts are fetched from
// data-newer-url?min_id=<newest>, page after page until none is left, and wait in a
// queue behind the "N new posts" button; pressing it puts them on top, skipping any
// post already in the list, and keeps what the reader is looking at where it was.
// Reaching the bottom fetches data-older-url?max_id=<oldest> and appends.
// On the home timeline (data-marker-url), pressing the button also moves the "home"
// read marker to the newest post shown, so other clients know where the reader is.

import { getJSON, parsePosts, postFields } from "./http.js";
import { refreshTimes } from "./times.js";

const POLL_MS = 4000;
const MAX_ROUNDS = 10;

function shownIds(list) {
  return new Set([...list.querySelectorAll(":scope > article.post")].map((a) => a.dataset.statusId));
}

// The first post (or, past the list, the element after it) still on screen.
function anchorOf(list) {
  for (const article of list.querySelectorAll(":scope > article.post")) {
    if (article.getBoundingClientRect().bottom > 0) return article;
  }
  return document.getElementById("timeline-sentinel") || list.nextElementSibling;
}

function arrived(posts) {
  for (const post of posts) post.classList.add("arrived");
  setTimeout(() => posts.forEach((post) => post.classList.remove("arrived")), 1600);
}

// Put posts at the top of the list while keeping the reader's place on screen.
export function insertAtTop(list, posts) {
  const shown = shownIds(list);
  const fresh = posts.filter((post) => !shown.has(post.dataset.statusId));
  if (!fresh.length) return [];
  const anchor = anchorOf(list);
  const before = anchor ? anchor.getBoundingClientRect().top : 0;
  list.prepend(...fresh);
  if (anchor) {
    const shift = anchor.getBoundingClientRect().top - before;
    if (shift) window.scrollBy(0, shift);
  }
  refreshTimes(list);
  arrived(fresh);
  const empty = document.getElementById("timeline-empty");
  if (empty) empty.hidden = true;
  return fresh;
}

export function initTimeline() {
  const list = document.getElementById("timeline");
  if (!list) return;
  const button = document.getElementById("new-posts");
  const sentinel = document.getElementById("timeline-sentinel");
  const moreForm = document.querySelector(".load-more-form");
  const moreButton = document.getElementById("load-more");
  const end = document.getElementById("timeline-end");
  const queue = []; // newest first
  let polling = false;
  let loadingOlder = false;

  // The button takes its own row above the list (it never covers the first post) and
  // sticks to the top of the screen while the reader is further down. Showing or
  // hiding that row must not move the posts of a reader who has scrolled; at the very
  // top of the page it simply pushes the list down (as browsers' scroll anchoring does).
  function setButtonHidden(hidden) {
    if (button.hidden === hidden) return;
    const anchor = window.scrollY > 0 ? anchorOf(list) : null;
    const before = anchor ? anchor.getBoundingClientRect().top : 0;
    button.hidden = hidden;
    if (anchor) {
      const shift = anchor.getBoundingClientRect().top - before;
      if (shift) window.scrollBy(0, shift);
    }
  }

  function updateButton() {
    const shown = shownIds(list);
    for (let i = queue.length - 1; i >= 0; i--) {
      if (shown.has(queue[i].dataset.statusId)) queue.splice(i, 1);
    }
    if (!button) return;
    button.textContent = queue.length === 1 ? "1 new post" : `${queue.length} new posts`;
    setButtonHidden(queue.length === 0);
  }

  async function markRead() {
    const top = list.querySelector(":scope > article.post");
    if (!list.dataset.markerUrl || !top) return;
    try {
      await postFields(list.dataset.markerUrl, { last_read_id: top.dataset.statusId });
    } catch {
      // The next press (or page load) moves it instead.
    }
  }

  async function pollNewer() {
    if (polling || list.dataset.poll !== "true" || list.dataset.newest === "") return;
    polling = true;
    try {
      for (let round = 0; round < MAX_ROUNDS; round++) {
        const cursor = encodeURIComponent(list.dataset.newest);
        const data = await getJSON(`${list.dataset.newerUrl}?min_id=${cursor}`);
        if (data.prev_min == null) break; // nothing newer yet
        const queued = new Set(queue.map((post) => post.dataset.statusId));
        const batch = parsePosts(data.html).filter((post) => !queued.has(post.dataset.statusId));
        queue.unshift(...batch); // each batch is newer than everything queued before it
        list.dataset.newest = data.prev_min;
      }
    } catch {
      // Offline or the server restarting: the next round tries again from the same cursor.
    } finally {
      polling = false;
      updateButton();
    }
  }

  function showNew() {
    const posts = queue.splice(0, queue.length);
    const fresh = insertAtTop(list, posts);
    updateButton();
    if (fresh.length) {
      fresh[0].tabIndex = -1;
      fresh[0].focus({ preventScroll: true });
      markRead();
    }
  }

  function reachedEnd() {
    list.dataset.oldest = "";
    if (moreForm) moreForm.hidden = true;
    if (end && list.querySelector("article.post")) end.hidden = false;
  }

  async function loadOlder() {
    if (loadingOlder || !list.dataset.oldest) return;
    loadingOlder = true;
    list.setAttribute("aria-busy", "true");
    if (moreButton) moreButton.disabled = true;
    try {
      const cursor = encodeURIComponent(list.dataset.oldest);
      const data = await getJSON(`${list.dataset.olderUrl}?max_id=${cursor}`);
      const shown = shownIds(list);
      const posts = parsePosts(data.html).filter((post) => !shown.has(post.dataset.statusId));
      list.append(...posts);
      refreshTimes(list);
      if (posts.length) {
        const empty = document.getElementById("timeline-empty");
        if (empty) empty.hidden = true;
      }
      if (data.next_max == null) {
        reachedEnd();
      } else {
        list.dataset.oldest = data.next_max;
        const input = moreForm && moreForm.querySelector('[name="max_id"]');
        if (input) input.value = data.next_max;
      }
    } catch {
      // Leave the button for another try.
    } finally {
      loadingOlder = false;
      list.setAttribute("aria-busy", "false");
      if (moreButton) moreButton.disabled = false;
    }
    // Still at the bottom (a short page, or hidden posts): keep going.
    if (list.dataset.oldest && sentinel && nearViewport(sentinel)) loadOlder();
  }

  function nearViewport(element) {
    return element.getBoundingClientRect().top < window.innerHeight + 400;
  }

  if (button) button.addEventListener("click", showNew);
  if (moreForm) {
    moreForm.addEventListener("submit", (event) => {
      event.preventDefault();
      loadOlder();
    });
  }
  if (sentinel && "IntersectionObserver" in window) {
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((entry) => entry.isIntersecting)) loadOlder();
      },
      { rootMargin: "0px 0px 400px 0px" },
    );
    observer.observe(sentinel);
  }
  if (list.dataset.poll === "true") {
    setInterval(() => {
      if (document.visibilityState === "visible") pollNewer();
    }, POLL_MS);
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") pollNewer();
    });
    pollNewer();
  }
  // Own posts and replies are put on top at once; drop them from the queue then.
  new MutationObserver(updateButton).observe(list, { childList: true });
}
