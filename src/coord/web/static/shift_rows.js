// The event page's "Add shifts" form (templates/_event_shifts.html): "Add more rows" adds one
// empty row in place from the <template>, instead of sending the form to get more. Without
// this script the button sends the form, and the page comes back with more rows.
if (!window.coordShiftRows) {
  window.coordShiftRows = true;
  document.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-add-row]");
    if (!button) return;
    const form = button.closest("form[data-shift-rows]");
    const rows = form && form.querySelector("[data-rows]");
    const template = form && form.querySelector("template#shift-row-template");
    if (!rows || !template) return;
    event.preventDefault();
    const index = rows.querySelectorAll("fieldset.shift-row").length;
    const html = template.innerHTML.replaceAll("__i__", String(index)).replaceAll("__n__", String(index + 1));
    rows.insertAdjacentHTML("beforeend", html);
    const count = form.querySelector("input[data-row-count]");
    if (count) count.value = String(index + 1);
    const added = rows.lastElementChild;
    const first = added && added.querySelector("input");
    if (first) first.focus();
    if (index + 1 >= Number(button.dataset.maxRows || 50)) button.hidden = true;
  });
}
