// Small enhancements; every page works without them.
// [data-copy]: a button that copies the value of the input it names into the clipboard; its
// data-copied and data-copy-failed say the outcome in the page's language (English without them).
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
  if (status) {
    status.textContent = done ? button.dataset.copied || "Copied."
      : button.dataset.copyFailed || "Select the address and copy it.";
  }
});
// After an HTMX swap, move focus to the page heading so screen readers announce the new page.
document.addEventListener("htmx:afterSettle", (event) => {
  if (event.detail.boosted) {
    const main = document.getElementById("main");
    if (main) main.focus({ preventScroll: true });
  }
});
// Timezone pickers (select[data-timezone], see templates/_timezone.html): the browser's own zone
// goes to the top of the likely ones, and is selected when the person has not chosen
// (data-browser-default); a search box narrows the long list as you type a city. Their words come
// from the select's data-search-label, data-search-placeholder and data-this-device (the page's language).
function enhanceTimezones(root) {
  root.querySelectorAll("select[data-timezone]:not([data-enhanced])").forEach((select) => {
    select.dataset.enhanced = "1";
    let zone = "";
    try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { zone = ""; }
    const likely = select.querySelector("optgroup");
    const option = Array.from(select.options).find((o) => o.value === zone);
    if (option && likely) {
      likely.prepend(option);
      option.textContent += " · " + (select.dataset.thisDevice || "this device");
      if ("browserDefault" in select.dataset) option.selected = true;
    }
    const search = document.createElement("input");
    search.type = "search";
    search.className = "zone-search";
    search.setAttribute("aria-label", select.dataset.searchLabel || "Search the list below: type a city or region");
    search.placeholder = select.dataset.searchPlaceholder || "Find: type a city, e.g. Chicago";
    search.setAttribute("aria-controls", select.id);
    select.before(search);
    search.addEventListener("keydown", (event) => { if (event.key === "Enter") event.preventDefault(); });
    search.addEventListener("input", () => {
      const words = search.value.trim().toLowerCase();
      let first = null;
      Array.from(select.options).forEach((o) => {
        const match = !words || o.textContent.toLowerCase().includes(words) || o.value.toLowerCase().includes(words.replace(/ /g, "_"));
        o.hidden = !match;
        if (match && !first) first = o;
      });
      const current = select.options[select.selectedIndex];
      if (first && (!current || current.hidden)) first.selected = true;
    });
  });
}
// input[data-slug-from]: suggest a web address from the name field it names, until the person types their own.
function slugify(text) {
  return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
    .replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 64).replace(/-+$/, "");
}
function enhanceSlugs(root) {
  root.querySelectorAll("input[data-slug-from]:not([data-enhanced])").forEach((slug) => {
    slug.dataset.enhanced = "1";
    const source = document.getElementById(slug.dataset.slugFrom);
    if (!source) return;
    let own = slug.value !== "";
    slug.addEventListener("input", () => { own = slug.value !== ""; });
    source.addEventListener("input", () => { if (!own) slug.value = slugify(source.value); });
  });
}
function enhance(root) {
  enhanceTimezones(root);
  enhanceSlugs(root);
}
enhance(document);
document.addEventListener("htmx:load", (event) => enhance(event.detail.elt));
