// Compose and reply boxes: the live character count, and posting in place.

import { parsePosts, postForm, newKey, toast } from "./http.js";
import { confirmDescriptions, resetMedia } from "./media.js";
import { insertAtTop } from "./timeline.js";

export function updateCount(textarea) {
  const form = textarea.form;
  if (!form) return;
  const max = Number(textarea.dataset.max || 500);
  const left = max - [...textarea.value].length;
  const counter = form.querySelector("#char-count, .char-count");
  if (counter) {
    counter.textContent = String(left);
    counter.classList.toggle("low", left >= 0 && left < 20);
    counter.classList.toggle("over", left < 0);
  }
  const submit = form.querySelector('button[type="submit"]');
  if (submit) submit.disabled = left < 0;
}

function showError(form, message) {
  const box = form.querySelector(".form-error");
  if (box) {
    box.textContent = message;
    box.hidden = false;
  } else {
    toast(message, { error: true });
  }
}

function bumpReplies(statusId, visibility) {
  if (visibility !== "public" && visibility !== "unlisted") return;
  for (const article of document.querySelectorAll(`article.post[data-target-id="${statusId}"]`)) {
    const count = article.querySelector(".reply-count");
    if (count) count.textContent = String(Number(count.textContent || 0) + 1);
  }
}

// Place a just-written post where the reader expects it.
function place(form, posts) {
  const descendants = document.querySelector("#thread .descendants");
  const replyTo = form.querySelector('[name="in_reply_to_id"]');
  if (replyTo && descendants) {
    descendants.append(...posts);
    return;
  }
  const list = document.getElementById("timeline");
  if (list && list.dataset.newerUrl === "/home/newer") insertAtTop(list, posts);
}

export async function submitCompose(form) {
  const textarea = form.querySelector("textarea[name=status]");
  const submit = form.querySelector('button[type="submit"]');
  const error = form.querySelector(".form-error");
  if (error) error.hidden = true;
  if (!confirmDescriptions(form)) return;
  submit.disabled = true;
  setTimezone(form);
  try {
    const data = await postForm(form);
    if (data.scheduled_at) {
      clearExtras(form);
      textarea.value = "";
      const key = form.querySelector('[name="idempotency_key"]');
      if (key) key.value = newKey();
      toast("Your post is scheduled. See it under Scheduled posts.");
      return;
    }
    const posts = parsePosts(data.html);
    place(form, posts);
    const replyTo = form.querySelector('[name="in_reply_to_id"]');
    if (replyTo) {
      const visibility = form.querySelector('[name="visibility"]');
      bumpReplies(replyTo.value, visibility ? visibility.value : "public");
    }
    if (form.classList.contains("inline-reply")) {
      form.remove();
      toast("Your reply is posted.");
      return;
    }
    textarea.value = form.id === "reply" ? textarea.defaultValue : "";
    clearExtras(form);
    const key = form.querySelector('[name="idempotency_key"]');
    if (key) key.value = newKey();
    toast(form.id === "reply" ? "Your reply is posted." : "Your post is live.");
  } catch (failure) {
    showError(form, failure.message);
  } finally {
    submit.disabled = false;
    if (form.isConnected) updateCount(textarea);
  }
}

// The browser's offset from UTC goes with a publication time typed in local time.
function setTimezone(form) {
  const offset = form.querySelector('[name="timezone_offset"]');
  const at = form.querySelector('[name="scheduled_at"]');
  if (offset && at && at.value) offset.value = String(new Date(at.value).getTimezoneOffset());
}

// After posting: empty the pictures, the poll and the publication time, and fold
// them away.
function clearExtras(form) {
  resetMedia(form);
  for (const input of form.querySelectorAll('.compose-extra input:not([type="checkbox"])')) {
    if (input.type !== "hidden") input.value = "";
  }
  for (const box of form.querySelectorAll('.compose-extra input[type="checkbox"]')) box.checked = false;
  for (const details of form.querySelectorAll("details.compose-extra")) details.open = false;
}

// An inline reply box under a post in a list.
export function openReply(article, button) {
  const existing = article.querySelector("form.inline-reply");
  if (existing) {
    existing.querySelector("textarea").focus();
    return;
  }
  const id = button.dataset.replyTo;
  const form = document.createElement("form");
  form.className = "inline-reply compose";
  form.method = "post";
  form.action = "/statuses";
  const hidden = {
    csrf_token: document.querySelector('meta[name="csrf-token"]').content,
    in_reply_to_id: id,
    visibility: ["unlisted", "private", "direct"].includes(button.dataset.visibility)
      ? button.dataset.visibility
      : "public",
    idempotency_key: newKey(),
  };
  for (const [name, value] of Object.entries(hidden)) {
    const input = document.createElement("input");
    input.type = "hidden";
    input.name = name;
    input.value = value;
    form.append(input);
  }
  const label = document.createElement("label");
  label.htmlFor = `inline-reply-${id}`;
  label.textContent = `Reply to @${article.dataset.author}`;
  const textarea = document.createElement("textarea");
  textarea.id = `inline-reply-${id}`;
  textarea.name = "status";
  textarea.rows = 3;
  textarea.dataset.max = "500";
  textarea.value = button.dataset.mention || "";
  const bar = document.createElement("div");
  bar.className = "compose-bar";
  const cancel = document.createElement("button");
  cancel.type = "button";
  cancel.className = "button ghost small";
  cancel.textContent = "Cancel";
  cancel.addEventListener("click", () => {
    form.remove();
    button.focus();
  });
  const spacer = document.createElement("span");
  spacer.className = "spacer";
  const count = document.createElement("span");
  count.className = "char-count";
  const send = document.createElement("button");
  send.type = "submit";
  send.className = "button primary small";
  send.textContent = "Reply";
  bar.append(cancel, spacer, count, send);
  const error = document.createElement("p");
  error.className = "form-error";
  error.setAttribute("role", "alert");
  error.hidden = true;
  form.append(label, textarea, bar, error);
  article.querySelector(".post-actions").after(form);
  updateCount(textarea);
  textarea.focus();
  textarea.setSelectionRange(textarea.value.length, textarea.value.length);
}

export function initCompose() {
  document.addEventListener("input", (event) => {
    if (event.target.matches("textarea[data-max]")) updateCount(event.target);
  });
  for (const textarea of document.querySelectorAll("textarea[data-max]")) updateCount(textarea);
  // Ctrl/Cmd+Enter posts, as in most clients.
  document.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && event.target.matches("textarea[data-max]")) {
      event.preventDefault();
      event.target.form.requestSubmit();
    }
  });
}
