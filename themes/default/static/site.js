/* curricula: progressive enhancements. Every page is complete without this
   script; it adds "copy link" buttons and runs the offline search. */
(function () {
  "use strict";
  var body = document.body;

  /* Folds text the way the index was built (src/search.rs). */
  function fold(text) {
    return text.toLowerCase()
      .replace(/ä/g, "ae").replace(/ö/g, "oe").replace(/ü/g, "ue").replace(/ß/g, "ss")
      .normalize("NFD").replace(/[\u0300-\u036f]/g, "")
      .split(/[^a-z0-9]+/).filter(function (t) { return t.length > 0; });
  }

  function copyText(text, done) {
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () { fallbackCopy(text, done); });
    } else {
      fallbackCopy(text, done);
    }
  }

  function fallbackCopy(text, done) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "vh";
    body.appendChild(area);
    area.select();
    try { document.execCommand("copy"); } catch (e) { /* nothing more to try */ }
    body.removeChild(area);
    done();
  }

  /* A "copy link" button after every item anchor: copies URL and citation. */
  function addCopyButtons() {
    var anchors = document.querySelectorAll("a.anchor");
    Array.prototype.forEach.call(anchors, function (a) {
      var li = a.closest("li");
      var cite = li ? li.querySelector(".cite") : null;
      var button = document.createElement("button");
      button.type = "button";
      button.className = "copy";
      button.textContent = body.getAttribute("data-copy");
      button.setAttribute("aria-describedby", li && li.id ? li.id + "-text" : "");
      if (!button.getAttribute("aria-describedby")) { button.removeAttribute("aria-describedby"); }
      button.addEventListener("click", function () {
        var url = a.href;
        var text = cite ? cite.textContent.trim() + " " + url : url;
        copyText(text, function () {
          button.textContent = body.getAttribute("data-copied");
          setTimeout(function () { button.textContent = body.getAttribute("data-copy"); }, 2000);
        });
      });
      a.insertAdjacentElement("afterend", button);
    });
  }

  /* All index tokens starting with `prefix` (tokens are sorted). */
  function prefixRange(tokens, prefix) {
    var lo = 0, hi = tokens.length;
    while (lo < hi) {
      var mid = (lo + hi) >> 1;
      if (tokens[mid][0] < prefix) { lo = mid + 1; } else { hi = mid; }
    }
    var out = [];
    for (var i = lo; i < tokens.length && tokens[i][0].lastIndexOf(prefix, 0) === 0; i++) { out.push(tokens[i]); }
    return out;
  }

  /* The documents of one index (a curriculum's or the glossary's) that
     contain every term, each with its score and its number in the index. */
  function searchIndex(index, terms) {
    var scores = null;
    terms.forEach(function (term) {
      var hits = {};
      prefixRange(index.tokens, term).forEach(function (entry) {
        var exact = entry[0] === term ? 2 : 1;
        entry[1].forEach(function (id) { hits[id] = Math.max(hits[id] || 0, exact); });
      });
      if (scores === null) {
        scores = hits;
      } else {
        var next = {};
        Object.keys(scores).forEach(function (id) { if (hits[id]) { next[id] = scores[id] + hits[id]; } });
        scores = next;
      }
    });
    return Object.keys(scores || {}).map(function (id) {
      var doc = index.docs[id];
      var title = fold(doc.title).join(" ");
      var bonus = terms.every(function (t) { return title.indexOf(t) >= 0; }) ? 3 : 0;
      return { doc: doc, score: scores[id] + bonus, id: +id };
    });
  }

  /* Searches the indices in page order; ties keep that order. */
  function search(indices, query) {
    var terms = fold(query);
    if (terms.length === 0) { return []; }
    var results = [];
    var base = 0;
    [].concat(indices).forEach(function (index) {
      searchIndex(index, terms).forEach(function (r) { r.id += base; results.push(r); });
      base += index.docs.length;
    });
    return results.sort(function (a, b) { return b.score - a.score || a.id - b.id; });
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text) { e.textContent = text; }
    return e;
  }

  function render(results, container, status, root) {
    container.textContent = "";
    if (results.length === 0) {
      status.textContent = body.getAttribute("data-no-results");
      return;
    }
    status.textContent = results.length + " " + body.getAttribute("data-results");
    var groups = {};
    var order = [];
    results.slice(0, 200).forEach(function (r) {
      if (!groups[r.doc.group]) { groups[r.doc.group] = []; order.push(r.doc.group); }
      groups[r.doc.group].push(r);
    });
    order.forEach(function (g) {
      var section = el("section", "search-group");
      section.appendChild(el("h2", null, g + " (" + groups[g].length + ")"));
      var list = el("ol", "search-hits");
      groups[g].forEach(function (r) {
        var li = el("li");
        var link = el("a", null, r.doc.title);
        var parts = r.doc.url.split("#");
        link.href = root + parts[0] + "index.html" + (parts[1] ? "#" + parts[1] : "");
        li.appendChild(link);
        if (r.doc.context) { li.appendChild(el("span", "aside", " · " + r.doc.context)); }
        if (r.doc.text) { li.appendChild(el("p", "snippet", r.doc.text)); }
        list.appendChild(li);
      });
      section.appendChild(list);
      container.appendChild(section);
    });
  }

  function setupSearch() {
    var form = document.querySelector("form[data-search]");
    if (!form) { return; }
    var input = form.querySelector("input[name=q]");
    var status = document.getElementById("search-status");
    var container = document.getElementById("search-results");
    var root = body.getAttribute("data-root") || "";
    var timer = null;
    var shown = null;
    // Enter runs the search at once while the typing timer is still pending;
    // without the cancel and the same-query check the list would be rebuilt
    // under the reader's pointer, and a click landing then would be lost.
    function run() {
      clearTimeout(timer);
      var index = window.CURRICULA_SEARCH;
      if (!index || input.value === shown) { return; }
      shown = input.value;
      render(search(index, input.value), container, status, root);
    }
    var params = new URLSearchParams(window.location.search);
    if (params.get("q")) { input.value = params.get("q"); }
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var url = new URL(window.location.href);
      url.searchParams.set("q", input.value);
      try { history.replaceState(null, "", url); } catch (err) { /* file:// may refuse */ }
      run();
    });
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(run, 120);
    });
    window.addEventListener("load", function () { if (input.value) { run(); } });
  }

  addCopyButtons();
  setupSearch();
  window.curriculaSearch = search;
}());
