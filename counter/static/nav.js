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
