// "Masih di sini?" of the kiosk and the survey tablet: the warning over the screen before an idle reset
// (#idle-warning), its countdown (#idle-count), and the touch that answers it. That touch is for the
// warning only: it covers the screen, so a key or a choice under the finger is not pressed; the warning
// goes at that touch's click (the page listens for it: hide) or soon after a touch that was no tap. The
// page keeps its own reset and says when the warning comes (arm) and what the countdown reads.
//
//   const idle = idleWarning((n) => t("idle_countdown", { n }), () => (kept ? t("idle_kept") : null));
//   idle.arm(seconds, warn)   a reset in `seconds`; the warning `warn` seconds before it (null: none); a warning
//                             on the screen already says at once what it says now
//   idle.cancel()             no warning to come (the page re-arms or resets)
//   idle.touched()            a touch: an open warning goes soon after it (not one that asks: see below)
//   idle.asking()             the warning is up over a kept form: it waits for the page's own buttons
//   idle.render()             the countdown again (in the page's new language)
//   idle.hide()
//
// `keptText` (optional): the words said instead of the countdown when nothing is cleared at its end (the kiosk's
// form kept while the server is out of reach), or null for the countdown; asked at each render. A warning that
// said them (class "kept") asks until it goes, counting down or not: a touch does not take it away (whoever
// touches may not be the one who typed the form); the page's buttons in it answer (hide, or the page's reset).

export function idleWarning(countdownText, keptText) {
  const $ = (id) => document.getElementById(id);
  let resetAt = 0;
  let warnTimer = null;
  let countTimer = null;
  let dismissTimer = null;

  function render() {
    // Once a second until the reset (which hides it) or a touch (which re-arms the idle time).
    clearTimeout(countTimer);
    const kept = keptText ? keptText() : null;
    if (kept) {
      // (the class stays until the warning goes: drawn over a kept form, it goes on hiding it when counting down)
      $("idle-warning").classList.add("kept");
      $("idle-count").textContent = kept;   // no countdown to nothing: the page says when that changes (arm)
      return;
    }
    const left = Math.max(0, Math.ceil((resetAt - performance.now()) / 1000));
    $("idle-count").textContent = countdownText(left);
    if (left > 0) countTimer = setTimeout(render, 1000);
  }

  function show() {
    clearTimeout(dismissTimer);
    $("idle-warning").hidden = false;
    render();
  }

  function hide() {
    clearTimeout(dismissTimer);
    clearTimeout(countTimer);
    $("idle-warning").hidden = true;
    $("idle-warning").classList.remove("kept");
    $("idle-count").textContent = "";
  }

  function asking() {
    return !$("idle-warning").hidden && $("idle-warning").classList.contains("kept");
  }

  function cancel() {
    clearTimeout(warnTimer);
    clearTimeout(countTimer);
  }

  return {
    arm(seconds, warn) {
      cancel();
      resetAt = performance.now() + seconds * 1000;
      if (warn !== null) warnTimer = setTimeout(show, Math.max(0, seconds - warn) * 1000);
      if (!$("idle-warning").hidden) render();
    },
    cancel,
    hide,
    render() {
      if (!$("idle-warning").hidden) render();
    },
    asking,
    touched() {
      if ($("idle-warning").hidden || asking()) return;
      clearTimeout(countTimer);
      clearTimeout(dismissTimer);
      dismissTimer = setTimeout(hide, 700);
    },
  };
}
