// Favourite, boost, delete, follow, undo a block or mute, revoke an app: each in place
// through fetch(), each still a normal form POST when scripts do not run.

import { postForm, toast } from "./http.js";
import { openReply, submitCompose } from "./compose.js";

function setPressed(form, button, pressed) {
  button.setAttribute("aria-pressed", pressed ? "true" : "false");
  form.setAttribute("action", pressed ? form.dataset.on : form.dataset.off);
}

function applyStatus(data) {
  for (const article of document.querySelectorAll(`article.post[data-target-id="${data.id}"]`)) {
    const pairs = [
      ["boost", data.reblogged, ".boost-count", data.reblogs_count],
      ["favourite", data.favourited, ".favourite-count", data.favourites_count],
      ["bookmark", data.bookmarked, null, null],
      ["pin", data.pinned, null, null],
    ];
    for (const [name, pressed, countSelector, count] of pairs) {
      const button = article.querySelector(`button.${name}`);
      if (button) setPressed(button.form, button, pressed);
      const counter = countSelector && article.querySelector(countSelector);
      if (counter) counter.textContent = String(count);
    }
    const replies = article.querySelector(".reply-count");
    if (replies) replies.textContent = String(data.replies_count);
  }
}

function removePost(id) {
  const focused = document.querySelector(`article.post.focused[data-target-id="${id}"]`);
  if (focused) {
    location.assign(`/@${focused.dataset.author}`);
    return;
  }
  for (const article of document.querySelectorAll(
    `article.post[data-target-id="${id}"], article.post[data-status-id="${id}"]`,
  )) {
    article.remove();
  }
}

function removeItem(form, emptyText) {
  const item = form.closest("li");
  const list = item && item.parentElement;
  if (!item) return;
  item.remove();
  if (list && !list.querySelector("li")) {
    const empty = document.createElement("li");
    empty.className = "empty";
    empty.textContent = emptyText;
    list.append(empty);
  }
}

function applyFollow(form, button, data) {
  const { following, requested, notifying } = data.relationship;
  const accountId = data.relationship.id;
  const joined = following || requested;  // "Requested" cancels the request
  form.setAttribute("action", `/accounts/${accountId}/${joined ? "unfollow" : "follow"}`);
  button.textContent = following ? "Unfollow" : requested ? "Requested" : "Follow";
  if (requested && !following) button.title = "Cancel the follow request";
  else button.removeAttribute("title");
  button.classList.toggle("primary", !joined);
  button.classList.toggle("secondary", joined);
  const profile = document.querySelector(`#profile[data-account-id="${accountId}"]`);
  const bell = profile && profile.querySelector("#bell-form");
  if (bell) {
    bell.hidden = !following;
    applyBell(bell, bell.querySelector("button"), { relationship: { id: accountId, notifying } });
  }
  const count = profile && profile.querySelector(".followers-count");
  if (count) count.textContent = String(data.followers_count);
  const label = count && count.parentElement.querySelector(".count-label[data-one]");
  if (label) label.textContent = data.followers_count === 1 ? label.dataset.one : label.dataset.many;
}

function applyBell(form, button, data) {
  const { id, notifying } = data.relationship;
  form.setAttribute("action", `/accounts/${id}/${notifying ? "unnotify" : "notify"}`);
  button.classList.toggle("on", notifying);
  button.setAttribute("aria-pressed", String(notifying));
  button.title = notifying ? "Stop notifying me of their posts" : "Notify me of their posts";
}

function applyAnswer(form, data) {
  if (document.getElementById("follow-requests")) {
    removeItem(form, "No follow requests.");
  } else {
    const answers = form.closest(".request-answers");
    if (answers) answers.remove();
  }
  toast(data.answer === "authorize" ? "Follow request accepted." : "Follow request rejected.");
}

async function act(form, button) {
  const action = form.getAttribute("action");
  button.classList.add("busy");
  try {
    const data = await postForm(form);
    if (/^\/statuses\/\d+\/delete$/.test(action)) {
      removePost(data.deleted);
      toast("Post deleted.");
    } else if (/^\/statuses\/\d+\//.test(action)) {
      applyStatus(data);
    } else if (/\/(follow|unfollow)$/.test(action)) {
      applyFollow(form, button, data);
    } else if (/\/(notify|unnotify)$/.test(action)) {
      applyBell(form, button, data);
    } else if (/^\/follow_requests\/\d+\/(authorize|reject)$/.test(action)) {
      applyAnswer(form, data);
    } else if (/^\/accounts\/\d+\/note$/.test(action)) {
      toast("Note saved.");
    } else if (/\/unblock$/.test(action) && document.getElementById("blocks")) {
      removeItem(form, "You haven't blocked anyone.");
    } else if (/\/unmute$/.test(action) && document.getElementById("mutes")) {
      removeItem(form, "You haven't muted anyone.");
    } else if (/^\/settings\/apps\/\d+\/revoke$/.test(action)) {
      removeItem(form, "No app has access to your account.");
      toast("Access revoked.");
    } else {
      location.reload();
    }
  } catch (failure) {
    if (failure.status !== 401) toast(failure.message, { error: true });
  } finally {
    button.classList.remove("busy");
  }
}

const IN_PLACE =
  /^\/(statuses\/\d+\/\w+|accounts\/\d+\/\w+|follow_requests\/\d+\/\w+|settings\/apps\/\d+\/revoke)$/;

export function initActions() {
  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    const button = event.submitter || form.querySelector('button[type="submit"]');
    // Reply: open a box under the post (on a post's own page, go to its reply box).
    if (button && button.classList.contains("reply")) {
      const article = form.closest("article.post");
      const box = document.querySelector("form#reply");
      event.preventDefault();
      if (article.classList.contains("focused") && box) {
        box.querySelector("textarea").focus();
      } else if (document.body.classList.contains("signed-in")) {
        openReply(article, button);
      } else {
        location.assign(form.getAttribute("action"));
      }
      return;
    }
    if (form.matches("form#compose, form#reply, form.inline-reply")) {
      event.preventDefault();
      submitCompose(form);
      return;
    }
    // A form marked data-plain (the edit form) is submitted as a page, never in place.
    const inPlace = IN_PLACE.test(form.getAttribute("action") || "") && !("plain" in form.dataset);
    if (form.method === "post" && inPlace) {
      event.preventDefault();
      act(form, button);
    }
  });
}
