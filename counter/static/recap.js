// recap.html (and guestbook.html, which uses recap.css too): each printed page numbered at its foot,
// "Halaman 2 dari 7", in Indonesian as the form it numbers, whatever the page's language. The words are
// the catalogue's (the body's data-page-of: "Halaman {page} dari {pages}"). A stylesheet cannot read them from the page, and the Content-Security-Policy allows no
// <style> in it, so they become the content of recap.css's @page margin box here (CSSOM, which it allows).
const words = document.body.dataset.pageOf;
const sheet = [...document.styleSheets].find((s) => s.href && new URL(s.href).pathname.endsWith("/recap.css"));
if (words && sheet) {
  const quoted = (text) => `"${text.replace(/[\\"]/g, "\\$&").replace(/[\n\r\f]/g, " ")}"`;
  const counters = { "{page}": "counter(page)", "{pages}": "counter(pages)" };
  const content = words
    .split(/(\{pages?\})/)
    .filter((part) => part !== "")
    .map((part) => counters[part] || quoted(part))
    .join(" ");
  sheet.insertRule(`@page { @bottom-right { content: ${content}; } }`, sheet.cssRules.length);
}

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
