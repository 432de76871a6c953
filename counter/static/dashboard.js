// The dashboard left open all day (the head of office's laptop, a wall screen): the server draws its figures once,
// when the page loads, and the page read 09.00's figures at 16.00 under the bar's running clock ("Tidak ada tiket pada
// periode ini." all day). A period that holds today (the server sets data-reload-seconds on the "Angka per …" line)
// loads the page again every minute: the same address, so a page without ?from= and ?to= takes the new day's range
// after midnight, and one whose period is over stops. Not while the filters are being changed (a field not as drawn,
// or one focused), the page is printing or hidden (a tab in the background: at once when it is shown again, if due),
// or the server does not answer (a restart: the page stays as it is, with its time, instead of the browser's error
// page, which would never load again). A reload, not a redraw in place: nothing on the page grows over the day.
"use strict";
const madeAt = document.getElementById("figures-at");
const every = madeAt ? Number(madeAt.dataset.reloadSeconds) * 1000 : 0;
if (every > 0) {
  const drawn = Date.now();
  const form = document.querySelector("form");
  let printing = false;
  addEventListener("beforeprint", () => {
    printing = true;
  });
  addEventListener("afterprint", () => {
    printing = false;
  });
  const untouched = () =>
    !form ||
    (!(form.contains(document.activeElement) && /^(INPUT|SELECT)$/.test(document.activeElement.tagName)) &&
      Array.from(form.elements).every((el) =>
        el.tagName === "SELECT"
          ? Array.from(el.options).every((o) => o.selected === o.defaultSelected)
          : el.tagName !== "INPUT" || el.value === el.defaultValue,
      ));
  let asking = false;
  const again = async () => {
    if (asking || printing || document.hidden || Date.now() - drawn < every - 1000 || !untouched()) return;
    asking = true;
    try {
      const answer = await fetch("/healthz", { cache: "no-store" });
      if (answer.ok && untouched()) location.reload();
    } catch (err) {
      // the server away (a restart, the network): the figures stay, with their time, until the next minute
    } finally {
      asking = false;
    }
  };
  setInterval(again, every);
  document.addEventListener("visibilitychange", again);
}
