// Pictures. In the compose box: a preview of each chosen picture, a warning while it
// has no description, and one more question before a post goes out with a picture
// nobody described. Under posts: the viewer, a modal <dialog> showing a picture full
// size with its description (Escape or Close shuts it, the arrow keys move between a
// post's pictures), and each preview cropped around its focal point.

const NO_DESCRIPTION = "A picture without a description";

// ---- compose ------------------------------------------------------------------

function slotsOf(form) {
  return [...form.querySelectorAll(".media-slot")];
}

function fileOf(slot) {
  const input = slot.querySelector('input[type="file"]');
  return input && input.files && input.files.length ? input.files[0] : null;
}

function undescribed(slot) {
  return fileOf(slot) !== null && !slot.querySelector("textarea").value.trim();
}

// Show the filled slots and one empty one (to add the next picture), each warning
// while its picture has no description.
function refresh(form) {
  let emptyShown = false;
  for (const slot of slotsOf(form)) {
    const filled = fileOf(slot) !== null;
    slot.hidden = !filled && emptyShown;
    if (!filled) emptyShown = true;
    slot.classList.toggle("filled", filled);
    slot.querySelector(".alt-warning").hidden = !undescribed(slot);
    slot.querySelector(".media-remove").hidden = !filled;
    const preview = slot.querySelector(".media-preview");
    if (!filled) {
      preview.hidden = true;
      preview.removeAttribute("src");
    }
  }
}

// The page's CSP allows data: images, not blob: ones: previews are read as data URLs.
function preview(slot) {
  const file = fileOf(slot);
  const image = slot.querySelector(".media-preview");
  if (!file) return;
  const reader = new FileReader();
  reader.addEventListener("load", () => {
    image.src = String(reader.result);
    image.hidden = false;
  });
  reader.readAsDataURL(file);
}

function forgetConfirmation(form) {
  delete form.dataset.altConfirmed;
  const box = form.querySelector(".alt-confirm");
  if (box) box.hidden = true;
  const submit = form.querySelector('button[type="submit"]');
  if (submit && submit.dataset.label) submit.textContent = submit.dataset.label;
}

// Before posting: true to go on. A picture without a description stops the first
// press with an alert saying which; pressing Post again posts anyway.
export function confirmDescriptions(form) {
  const missing = slotsOf(form).filter(undescribed);
  if (!missing.length || form.dataset.altConfirmed === "yes") {
    forgetConfirmation(form);
    return true;
  }
  form.dataset.altConfirmed = "yes";
  const names = missing.map((slot) => slot.querySelector("legend").textContent);
  const box = form.querySelector(".alt-confirm");
  box.textContent =
    `${names.join(" and ")} ${missing.length === 1 ? "has" : "have"} no description, so ` +
    "people who cannot see it will not know what it shows. Add one, or press " +
    "“Post anyway” to post without.";
  box.hidden = false;
  const submit = form.querySelector('button[type="submit"]');
  if (submit) {
    submit.dataset.label = submit.dataset.label || submit.textContent;
    submit.textContent = "Post anyway";
  }
  const details = missing[0].closest("details");
  if (details) details.open = true;
  missing[0].querySelector("textarea").focus();
  return false;
}

// After a post went out: empty every slot.
export function resetMedia(form) {
  for (const slot of slotsOf(form)) {
    slot.querySelector('input[type="file"]').value = "";
    slot.querySelector("textarea").value = "";
  }
  forgetConfirmation(form);
  refresh(form);
}

function initCompose() {
  for (const form of document.querySelectorAll("form")) {
    if (form.querySelector(".media-slot")) refresh(form);
  }
  document.addEventListener("change", (event) => {
    const slot = event.target.closest && event.target.closest(".media-slot");
    if (!slot || event.target.type !== "file") return;
    forgetConfirmation(slot.form || event.target.form);
    preview(slot);
    refresh(event.target.form);
  });
  document.addEventListener("input", (event) => {
    const slot = event.target.closest && event.target.closest(".media-slot");
    if (!slot || event.target.tagName !== "TEXTAREA") return;
    forgetConfirmation(event.target.form);
    slot.querySelector(".alt-warning").hidden = !undescribed(slot);
  });
  document.addEventListener("click", (event) => {
    const remove = event.target.closest && event.target.closest(".media-remove");
    if (!remove) return;
    const slot = remove.closest(".media-slot");
    const input = slot.querySelector('input[type="file"]');
    input.value = "";
    slot.querySelector("textarea").value = "";
    forgetConfirmation(input.form);
    refresh(input.form);
    input.focus();
  });
}

// ---- the viewer -----------------------------------------------------------------

let viewer = null;

function button(text, className) {
  const made = document.createElement("button");
  made.type = "button";
  made.className = `button small ${className}`;
  made.textContent = text;
  return made;
}

function buildViewer() {
  const dialog = document.createElement("dialog");
  dialog.id = "media-viewer";
  dialog.className = "media-viewer";
  dialog.setAttribute("aria-label", "Picture");
  const bar = document.createElement("div");
  bar.className = "viewer-bar";
  const previous = button("Previous", "secondary viewer-previous");
  const count = document.createElement("span");
  count.className = "viewer-count";
  const next = button("Next", "secondary viewer-next");
  const close = button("Close", "primary viewer-close");
  bar.append(previous, count, next, close);
  const figure = document.createElement("figure");
  const image = document.createElement("img");
  const caption = document.createElement("figcaption");
  figure.append(image, caption);
  dialog.append(bar, figure);
  document.body.append(dialog);

  const state = { dialog, image, caption, count, previous, next, close, items: [], index: 0 };
  const show = (index) => {
    const item = state.items[index];
    if (!item) return;
    state.index = index;
    const description = item.dataset.description || "";
    image.src = item.href;
    image.alt = description || NO_DESCRIPTION;
    caption.textContent = description || "This picture has no description.";
    caption.classList.toggle("muted", !description);
    const several = state.items.length > 1;
    count.textContent = several ? `${index + 1} of ${state.items.length}` : "";
    previous.hidden = next.hidden = !several;
    previous.disabled = index === 0;
    next.disabled = index === state.items.length - 1;
  };
  state.show = show;
  previous.addEventListener("click", () => show(state.index - 1));
  next.addEventListener("click", () => show(state.index + 1));
  close.addEventListener("click", () => dialog.close());
  dialog.addEventListener("click", (event) => {
    if (event.target === dialog) dialog.close(); // the backdrop
  });
  dialog.addEventListener("keydown", (event) => {
    if (event.key === "ArrowLeft") show(state.index - 1);
    else if (event.key === "ArrowRight") show(state.index + 1);
  });
  dialog.addEventListener("close", () => {
    image.removeAttribute("src");
    if (state.opener && state.opener.isConnected) state.opener.focus();
  });
  return state;
}

function openViewer(link) {
  viewer = viewer || buildViewer();
  const grid = link.closest(".media-grid");
  viewer.items = [...grid.querySelectorAll("a.media-item")];
  viewer.opener = link;
  viewer.show(viewer.items.indexOf(link));
  viewer.dialog.showModal();
  viewer.close.focus();
}

// A preview is cropped around its focal point (x, y from -1 to 1, y up).
function focusOn(image) {
  const item = image.closest("a.media-item");
  if (!item) return;
  const x = Number(item.dataset.focusX || 0);
  const y = Number(item.dataset.focusY || 0);
  image.style.objectPosition = `${((x + 1) / 2) * 100}% ${((1 - y) / 2) * 100}%`;
}

function initViewer() {
  document.addEventListener("click", (event) => {
    const link = event.target.closest && event.target.closest("a.media-item");
    if (!link || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
    event.preventDefault();
    openViewer(link);
  });
  for (const image of document.querySelectorAll("a.media-item img")) focusOn(image);
  // Posts that arrive later (new posts, older pages): their pictures on loading.
  document.addEventListener(
    "load",
    (event) => {
      if (event.target instanceof HTMLImageElement) focusOn(event.target);
    },
    true,
  );
}

export function initMedia() {
  initCompose();
  initViewer();
}
