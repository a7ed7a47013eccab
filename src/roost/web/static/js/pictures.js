// Settings: show a picture chosen for the avatar or header before it is sent.

export function initPictures() {
  for (const input of document.querySelectorAll("input[type=file][data-preview]")) {
    const preview = document.getElementById(input.dataset.preview);
    if (!preview) continue;
    const shown = { src: preview.src, alt: preview.alt };
    let chosen = null;
    input.addEventListener("change", () => {
      if (chosen) URL.revokeObjectURL(chosen);
      const file = input.files && input.files[0];
      chosen = file ? URL.createObjectURL(file) : null;
      preview.src = chosen || shown.src;
      preview.alt = file ? `Preview of the chosen picture, ${file.name}` : shown.alt;
    });
  }
}
