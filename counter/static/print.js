// The "Cetak / Print" button of the printable pages (recap, A4 form): a listener, not an onclick
// attribute, so that the Content-Security-Policy needs no 'unsafe-inline'.
"use strict";
for (const button of document.querySelectorAll("[data-print]")) {
  button.addEventListener("click", () => window.print());
}
