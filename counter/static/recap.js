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
