// Talking to the server from the page: the CSRF token, form posts, fragments.

export function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.content : "";
}

export class RequestFailed extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

async function answer(response) {
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  if (response.status === 401) {
    const next = location.pathname + location.search;
    location.assign(`/login?next=${encodeURIComponent(next)}`);
    throw new RequestFailed(401, "Please log in first.");
  }
  if (!response.ok) {
    const message = (data && data.error) || `Something went wrong (${response.status}).`;
    throw new RequestFailed(response.status, message);
  }
  return data;
}

// POST a form's fields with the CSRF header (urlencoded; as multipart when the form
// sends files); resolves to the JSON answer.
export async function postForm(form, action = form.getAttribute("action")) {
  if (form.enctype === "multipart/form-data") return postBody(action, new FormData(form));
  return postFields(action, new FormData(form));
}

async function postBody(action, body) {
  const response = await fetch(action, {
    method: "POST",
    body,
    credentials: "same-origin",
    headers: { Accept: "application/json", "X-CSRF-Token": csrfToken() },
  });
  return answer(response);
}

// POST fields (an object or FormData, urlencoded) with the CSRF header.
export async function postFields(action, fields) {
  return postBody(action, new URLSearchParams(fields));
}

export async function getJSON(url) {
  const response = await fetch(url, {
    credentials: "same-origin",
    headers: { Accept: "application/json" },
  });
  return answer(response);
}

// Articles from a fragment of server-rendered HTML (the server escaped it).
export function parsePosts(html) {
  const template = document.createElement("template");
  template.innerHTML = html;
  return [...template.content.children].filter((node) => node.matches("article.post"));
}

export function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  return String(Date.now()) + Math.random().toString(16).slice(2);
}

// A short message in a polite live region at the bottom of the screen.
export function toast(message, { error = false } = {}) {
  let box = document.getElementById("toast");
  if (!box) {
    box = document.createElement("div");
    box.id = "toast";
    box.className = "toast";
    box.setAttribute("role", "status");
    box.setAttribute("aria-live", "polite");
    document.body.append(box);
  }
  box.textContent = message;
  box.classList.toggle("toast-error", error);
  box.classList.add("shown");
  clearTimeout(box._timer);
  box._timer = setTimeout(() => box.classList.remove("shown"), 4000);
}
