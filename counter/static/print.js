// The "Cetak / Print" button of the printable pages (recap, guest book, dashboard, SKM, A4 form): a listener, not an
// onclick attribute, so that the Content-Security-Policy needs no 'unsafe-inline'.
"use strict";
for (const button of document.querySelectorAll("[data-print]")) {
  button.addEventListener("click", () => window.print());
}

// Each printed page numbered at its foot, right, "Halaman 2 dari 7" (the recap and the guest book in Indonesian as
// the form they number; the dashboard and the SKM report in the page's language). The words are the catalogue's
// (the body's data-page-of: "Halaman {page} dari {pages}"). A stylesheet cannot read them from the page, and the
// Content-Security-Policy allows no <style> in it, so they become the content of the @page margin box of the page's
// own stylesheet (the one with its @page rule, which styles the box) here (CSSOM, which it allows).
{
  const words = document.body.dataset.pageOf;
  const own = (s) => {
    try {
      return s.href && [...s.cssRules].some((rule) => rule instanceof CSSPageRule);
    } catch {
      return false; // another origin's sheet: its rules are not readable, nor ours
    }
  };
  const sheet = [...document.styleSheets].find(own);
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
}
