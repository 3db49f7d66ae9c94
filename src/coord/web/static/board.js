// The shift board (templates/shifts.html): after HTMX swaps in the card of the shift just signed
// up for or given up, focus goes back to that card's heading, so the keyboard and the screen
// reader stay where the person was (the button they pressed is gone); the outcome itself is read
// from the live regions #board-status and #board-alert, always on the page.
if (!window.coordBoard) {
  window.coordBoard = true;
  document.addEventListener("htmx:afterSettle", (event) => {
    const path = (event.detail.pathInfo && event.detail.pathInfo.requestPath) || "";
    const found = path.match(/^\/shifts\/([0-9a-f-]{36})\/(signup|cancel)/);
    if (!found) return;
    const card = document.getElementById("shift-" + found[1]);
    const heading = card && card.querySelector("h2");
    if (heading) heading.focus();
  });
}
