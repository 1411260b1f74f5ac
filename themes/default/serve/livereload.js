/* Injected by `curricula serve` only: reloads pages that changed and shows
   build errors as an overlay until they are fixed. */
(function () {
  "use strict";
  var OVERLAY = "curricula-overlay";

  function here() {
    return location.pathname.replace(/index\.html$/, "");
  }

  function hide() {
    var old = document.getElementById(OVERLAY);
    if (old) { old.parentNode.removeChild(old); }
  }

  function el(tag, text, style) {
    var e = document.createElement(tag);
    if (text) { e.textContent = text; }
    if (style) { e.setAttribute("style", style); }
    return e;
  }

  function show(report) {
    hide();
    var box = el("div", null, "position:fixed;inset:0;z-index:2147483647;overflow:auto;background:rgba(20,22,26,.92);color:#fff;font:15px/1.5 system-ui,sans-serif;padding:2rem");
    box.id = OVERLAY;
    box.setAttribute("role", "alert");
    var warnings = report.warnings + (report.warnings === 1 ? " Warnung" : " Warnungen");
    box.appendChild(el("h2", "curricula: " + report.errors + " Fehler, " + warnings + " – die letzte fehlerfreie Fassung wird angezeigt", "margin:0 0 1rem;font-size:1.3rem"));
    (report.diagnostics || []).forEach(function (d) {
      var item = el("div", null, "margin:0 0 1rem;padding:.75rem 1rem;border-left:4px solid " + (d.severity === "error" ? "#ff6b6b" : "#ffd166") + ";background:rgba(255,255,255,.06)");
      var where = d.file + (d.line ? ":" + d.line + ":" + d.column : "");
      item.appendChild(el("div", d.severity + ": " + d.message, "font-weight:700"));
      item.appendChild(el("div", where, "font-family:monospace;opacity:.85"));
      if (d.hint) { item.appendChild(el("div", "Hinweis: " + d.hint, "margin-top:.25rem")); }
      box.appendChild(item);
    });
    document.body.appendChild(box);
  }

  var source = new EventSource("/__curricula/events");
  source.addEventListener("diagnostics", function (e) { show(JSON.parse(e.data)); });
  source.addEventListener("ok", function () { hide(); });
  // A page still loading finishes first: reloading it then would abort its
  // scripts and styles half-way.
  var waiting = false;
  function reload() {
    if (document.readyState === "complete") { location.reload(); return; }
    if (!waiting) { waiting = true; window.addEventListener("load", function () { location.reload(); }); }
  }
  source.addEventListener("reload", function (e) {
    var pages = JSON.parse(e.data);
    if (pages.indexOf("*") >= 0 || pages.indexOf(here()) >= 0) { reload(); }
  });
}());
