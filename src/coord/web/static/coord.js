// Small enhancements; every page works without them.
// [data-copy]: a button that copies the value of the input it names into the clipboard.
document.addEventListener("click", async (event) => {
  const button = event.target.closest("button[data-copy]");
  if (!button) return;
  event.preventDefault();
  const input = document.getElementById(button.dataset.copy);
  if (!input) return;
  input.select();
  let done = false;
  try {
    await navigator.clipboard.writeText(input.value);
    done = true;
  } catch (e) {
    done = document.execCommand && document.execCommand("copy");
  }
  const status = document.getElementById(button.dataset.copy + "-status");
  if (status) status.textContent = done ? "Copied." : "Select the address and copy it.";
});
// After an HTMX swap, move focus to the page heading so screen readers announce the new page.
document.addEventListener("htmx:afterSettle", (event) => {
  if (event.detail.boosted) {
    const main = document.getElementById("main");
    if (main) main.focus({ preventScroll: true });
  }
});
