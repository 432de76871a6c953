// recap.html (and guestbook.html, which uses recap.css too). Each printed page's number at its foot, "Halaman 2 dari 7",
// is print.js's (the body's data-page-of, in Indonesian as the form it numbers, whatever the page's language).

// A row is never split between two sheets (recap.css), unless it is taller than a sheet: a problem or a solution
// of a few thousand characters. Chromium then moved that row to a new sheet before splitting it anyway, and left
// the sheet before it with a row or two and the rest blank, as if the recap ended there. Such a row (marked
// "tall") starts under the rows before it and goes on over the next sheets. Measured at the printed width
// (A4 landscape less recap.css's @page margins: 277 x 186 mm), less the headings repeated atop each sheet.
const SHEET_MM = { width: 277, height: 186 };
const PX_PER_MM = 96 / 25.4;
function markTallRows() {
  const table = document.querySelector("table.recap");
  if (!table || !table.tBodies.length) return;
  const width = table.style.width;
  table.style.width = `${SHEET_MM.width}mm`;
  const head = table.tHead ? table.tHead.getBoundingClientRect().height : 0;
  const room = SHEET_MM.height * PX_PER_MM - head;
  for (const row of table.tBodies[0].rows) row.classList.toggle("tall", row.getBoundingClientRect().height > room);
  table.style.width = width;
}
markTallRows();
window.addEventListener("beforeprint", markTallRows);
