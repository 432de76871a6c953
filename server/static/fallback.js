/* A public page's way out when its module cannot run: a browser without ES modules (Chromium 60 and older,
   Safari 10, UC Browser's and Opera Mini's lite modes), one that cannot read the module's syntax, or one
   without what the page's style needs (docs/display.md and docs/kiosk.md, "Browsers"). Written for any
   browser: ES3, no let, no arrow functions, nothing newer than querySelectorAll.

   The page loads it after its module, as
     <script id="fallback" src="/static/fallback.js" defer data-ready="antrianPhone"
             data-css-property="width" data-css-value="min(1px, 2px)"></script>
   data-ready names the global the module sets once it has run; data-css-* (optional) a declaration the
   page's style needs (CSS.supports). At the page's `load` (modules and deferred scripts have all run by
   then) it does nothing when the module ran; else, as a browser with scripting off would:
   - each <noscript data-fallback> is put in its place, its markup read (a browser with scripting on keeps
     it as text): the phone page's words and its refresh;
   - each element with data-too-old shows (a message for the admin: the TV, the survey tablet, the kiosk). */
(function () {
  "use strict";
  var me = document.getElementById("fallback");
  if (!me || !window.addEventListener) return;

  function works() {
    if (!window[me.getAttribute("data-ready")]) return false;
    var property = me.getAttribute("data-css-property");
    if (!property) return true;
    return !!(window.CSS && CSS.supports && CSS.supports(property, me.getAttribute("data-css-value")));
  }

  function unfold(box) {
    var holder = document.createElement("div");
    holder.innerHTML = box.textContent;
    var parent = box.parentNode;
    var head = document.getElementsByTagName("head")[0];
    while (holder.firstChild) {
      if (parent === head) head.appendChild(holder.firstChild);
      else parent.insertBefore(holder.firstChild, box);
    }
    parent.removeChild(box);
  }

  function fall() {
    var i;
    var boxes = document.querySelectorAll("noscript[data-fallback]");
    for (i = 0; i < boxes.length; i++) unfold(boxes[i]);
    var notes = document.querySelectorAll("[data-too-old]");
    for (i = 0; i < notes.length; i++) notes[i].removeAttribute("hidden");
    document.documentElement.className += " no-module";
  }

  function check() {
    // a script or stylesheet of the page did not come (the server away): not a browser too old; the page loads
    // again once the server answers (server/templates/comeback.html)
    if (window.antrianWaitsForServer) return;
    if (!works()) fall();
  }

  if (document.readyState === "complete") check();
  else window.addEventListener("load", check);
})();
