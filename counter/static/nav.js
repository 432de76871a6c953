// Keluar on the staff pages not built on base.html (recap, dashboard, SKM): the session ends as on the
// counter page (POST /api/logout with the session's CSRF token, read from /api/me), then the login form.
// A listener, not an onclick attribute: the Content-Security-Policy needs no 'unsafe-inline'.
"use strict";
document.getElementById("nav-logout")?.addEventListener("click", async (event) => {
  event.currentTarget.disabled = true;
  try {
    const me = await fetch("/api/me", { credentials: "same-origin", headers: { Accept: "application/json" } });
    const token = me.ok ? (await me.json()).csrf_token : "";
    await fetch("/api/logout", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": token || "" },
      body: "{}",
    });
  } finally {
    location.href = "/counter/";
  }
});

// The language switch of these pages (the page again with ?lang=): the choice is kept as the other staff
// pages keep theirs (common.js: the browser's storage and the antrian_lang cookie the server reads).
document.getElementById("nav-lang")?.addEventListener("click", (event) => {
  const lang = event.currentTarget.dataset.lang;
  try {
    localStorage.setItem("antrian.lang", lang);
  } catch (err) {
    // storage refused (a private window): the cookie below still carries the choice
  }
  document.cookie = `antrian_lang=${lang}; path=/; max-age=31536000; SameSite=Lax`;
});

// The office's clock (the server's time when the page was drawn, kept going): "14.04 WIB" / "14:04 WIB".
const clock = document.getElementById("nav-clock");
if (clock) {
  const offset = Number(clock.dataset.now) - Date.now();
  const format = new Intl.DateTimeFormat(clock.dataset.lang === "en" ? "en-GB" : "id-ID", {
    timeZone: clock.dataset.timezone,
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  });
  const tick = () => {
    const now = new Date(Date.now() + offset);
    clock.dateTime = now.toISOString();
    clock.textContent = `${format.format(now)} ${clock.dataset.zone}`;
  };
  tick();
  setInterval(tick, 5000);
}

// The bar as wide as the window, as the other staff pages' bars are, not only as the A4 page under it
// (the SKM's is 186 mm): the admin's eight links, the clock, the language and who is logged in on one row.
// A phone keeps the page's own width (the bar wraps there).
const bar = document.querySelector(".staff-nav.standalone");
const wide = matchMedia("screen and (min-width: 761px)");
if (bar) {
  const bleed = () => {
    bar.style.marginLeft = bar.style.marginRight = "";
    if (!wide.matches) return;
    const box = bar.getBoundingClientRect();
    bar.style.marginLeft = `${-Math.max(0, box.left)}px`;
    bar.style.marginRight = `${-Math.max(0, document.documentElement.clientWidth - box.right)}px`;
  };
  bleed();
  addEventListener("resize", bleed);
}
