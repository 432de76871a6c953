// The "Cetak / Print" button of the printable pages (recap, guest book, dashboard, SKM, A4 form): a listener, not an
// onclick attribute, so that the Content-Security-Policy needs no 'unsafe-inline'.
"use strict";
for (const button of document.querySelectorAll("[data-print]")) {
  button.addEventListener("click", () => window.print());
}

// Each printed page numbered at its foot, right, "Halaman 2 dari 7" (the recap and the guest book in Indonesian as
// the form they number; the dashboard, the SKM report and the complaints list in the page's language). The words are
// the catalogue's (the body's data-page-of: "Halaman {page} dari {pages}"). A stylesheet cannot read them from the
// page, and the Content-Security-Policy allows no <style> in it, so they become the content of the @page margin box
// of the page's own stylesheet (the one with its @page rule, which styles the box) here (CSSOM, which it allows).
// A page whose language changes without a reload (the complaints page: its bar's switch, common.js applyLang, sets
// <html lang>) gives its English words too (data-page-of-en), and its rule is written again at each switch.
{
  const data = document.body.dataset;
  const own = (s) => {
    try {
      return s.href && [...s.cssRules].some((rule) => rule instanceof CSSPageRule);
    } catch {
      return false; // another origin's sheet: its rules are not readable, nor ours
    }
  };
  const sheet = [...document.styleSheets].find(own);
  const quoted = (text) => `"${text.replace(/[\\"]/g, "\\$&").replace(/[\n\r\f]/g, " ")}"`;
  const counters = { "{page}": "counter(page)", "{pages}": "counter(pages)" };
  let at = -1; // the index of the rule written here, once written
  const number = () => {
    const words = (document.documentElement.lang === "en" && data.pageOfEn) || data.pageOf;
    if (!words || !sheet) return;
    const content = words
      .split(/(\{pages?\})/)
      .filter((part) => part !== "")
      .map((part) => counters[part] || quoted(part))
      .join(" ");
    if (at >= 0) sheet.deleteRule(at);
    at = sheet.insertRule(`@page { @bottom-right { content: ${content}; } }`, sheet.cssRules.length);
  };
  number();
  if (data.pageOfEn) {
    new MutationObserver(number).observe(document.documentElement, { attributes: true, attributeFilter: ["lang"] });
  }
}
