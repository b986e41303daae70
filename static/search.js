/* coursegen search: coursegen.js loads this script the first time the search dialog opens; it loads
   search/index.js (window.coursegenSearchIndex = [{t: title, s: module, u: url, k: kind, x: text,
   d: description and summary, g: tags and topics}], window.coursegenSearchStems = {stem: "its words"}).
   Plain <script> elements, no fetch(): search works from file:// as well as from a server.
   Accents, case and the œ/æ ligatures are folded on both sides: "mecanisme" finds "mécanismes".
   Each word also finds the other words of its Snowball stem (made at build time, src/coursegen/search.py):
   "attentions" finds "attention"; a word the course doesn't have is stemmed by the longest stem it starts with. */
(function () {
  "use strict";
  var LIMIT = 30; // results shown; the count says how many there are
  var MARKS = /[\u0300-\u036f]/g;
  var doc = document;

  function fold(text) {
    return text.normalize("NFD").replace(MARKS, "").toLowerCase()
      .replace(/[\u2019\u02bc]/g, "'").replace(/\u0153/g, "oe").replace(/\u00e6/g, "ae");
  }
  // Folded text, and for each of its characters the index of the original one it comes from.
  function foldMap(text) {
    var out = "", map = [];
    for (var i = 0; i < text.length; i++) {
      var start = i, ch = text[i], code = text.charCodeAt(i);
      if (code >= 0xd800 && code < 0xdc00 && i + 1 < text.length) ch += text[++i];
      var folded = fold(ch);
      for (var j = 0; j < folded.length; j++) map.push(start);
      out += folded;
    }
    map.push(text.length);
    return { text: out, map: map };
  }
  function terms(query) {
    var seen = {};
    return fold(query).split(/\s+/).map(function (word) {
      return word.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, "");
    }).filter(function (word) {
      return word && !seen[word] && (seen[word] = true);
    }).sort(function (a, b) { return b.length - a.length; });
  }
  function count(text, word, from) {
    var n = 0;
    for (var at = from; at >= 0 && n < 10; at = text.indexOf(word, at + word.length)) n++;
    return n;
  }
  function wordStart(text, at) {
    return at === 0 || !/[\p{L}\p{N}]/u.test(text[at - 1]);
  }

  var theme = window.coursegenTheme, t = theme.strings, make = theme.make;
  var dialog = doc.getElementById("search");
  var input = dialog.querySelector("input");
  var status = dialog.querySelector("[role=status]");
  var list = dialog.querySelector(".search-results");
  var root = dialog.getAttribute("data-root");
  var entries = null;

  var stems = {}, stemOf = {};
  function prepareStems(groups) {
    stems = groups || {};
    Object.keys(stems).forEach(function (stem) {
      (stems[stem] ? stems[stem].split(" ") : [stem]).forEach(function (word) { stemOf[word] = stem; });
    });
  }
  // The words that count as `word`: itself first, then the other words of its stem.
  function alternatives(word) {
    var stem = stemOf[word];
    for (var n = word.length - 1; stem === undefined && n >= 3; n--) {
      if (Object.prototype.hasOwnProperty.call(stems, word.slice(0, n))) stem = word.slice(0, n);
    }
    if (stem === undefined) return [word];
    return [word].concat((stems[stem] ? stems[stem].split(" ") : [stem]).filter(function (other) {
      return other.indexOf(word) < 0; // found by `word` itself anyway
    }));
  }

  function prepare(index) {
    return index.map(function (entry, order) {
      var text = entry.x || "", folded = fold(text);
      return {
        entry: entry, order: order, title: fold(entry.t || ""), section: fold(entry.s || ""), text: folded,
        described: fold(entry.d || ""), labels: fold(entry.g || ""),
        // folding kept every character in place: positions in `text` are positions in the original
        same: folded.length === text.length && !/[\u0300-\u036f\u0152\u0153\u00c6\u00e6]/.test(text)
      };
    });
  }

  // Where a word (any of its forms) is first found in `text`: [position, form], or null.
  function find(text, forms) {
    var best = null;
    for (var i = 0; i < forms.length; i++) {
      var at = text.indexOf(forms[i]);
      if (at >= 0 && (!best || at < best[0])) best = [at, forms[i]];
    }
    return best;
  }

  // Title first, then tags and topics, description and summary, module, and the body.
  function score(item, query) {
    var total = 0;
    for (var i = 0; i < query.length; i++) {
      var forms = query[i], inTitle = find(item.title, forms), inLabels = find(item.labels, forms);
      var inDescribed = find(item.described, forms), inSection = find(item.section, forms), inText = find(item.text, forms);
      if (!inTitle && !inLabels && !inDescribed && !inSection && !inText) return 0; // every word must be on the page
      if (inTitle) total += (wordStart(item.title, inTitle[0]) ? 30 : 15) * (1 + forms[0].length / item.title.length); // short titles first
      if (inLabels) total += wordStart(item.labels, inLabels[0]) ? 12 : 6;
      if (inDescribed) total += wordStart(item.described, inDescribed[0]) ? 8 : 4;
      if (inSection) total += 4;
      if (inText) total += count(item.text, inText[1], inText[0]) + (wordStart(item.text, inText[0]) ? 2 : 0);
    }
    return total;
  }

  // Marks every occurrence of the words in `text`, with text nodes only (never HTML from the index).
  function highlight(host, text, query) {
    var folded = foldMap(text), ranges = [], pos = 0;
    [].concat.apply([], query).forEach(function (word) {
      for (var at = folded.text.indexOf(word); at >= 0; at = folded.text.indexOf(word, at + word.length)) {
        ranges.push([folded.map[at], folded.map[at + word.length]]);
      }
    });
    var merged = []; // overlapping matches (a word and a longer form of its stem) are one mark
    ranges.sort(function (a, b) { return a[0] - b[0]; }).forEach(function (range) {
      var last = merged[merged.length - 1];
      if (last && range[0] <= last[1]) last[1] = Math.max(last[1], range[1]);
      else merged.push(range.slice());
    });
    merged.forEach(function (range) {
      host.appendChild(doc.createTextNode(text.slice(pos, range[0])));
      host.appendChild(make("mark", "", text.slice(range[0], range[1])));
      pos = range[1];
    });
    host.appendChild(doc.createTextNode(text.slice(pos)));
    return host;
  }

  // About 220 characters of the page's text around the first match, cut between words; the
  // description when the words are only there (or in the title, tags or module).
  function excerpt(item, query) {
    var text = item.entry.x || "", at = -1, located = item;
    if (!item.same) located = item.folded || (item.folded = foldMap(text));
    query.forEach(function (forms) {
      var found = find(located.text, forms);
      if (found && (at < 0 || found[0] < at)) at = found[0];
    });
    if (at < 0) {
      text = item.entry.d || text;
      return text.length > 200 ? text.slice(0, text.lastIndexOf(" ", 200)) + "…" : text;
    }
    if (!item.same) at = located.map[at];
    var from = Math.max(0, at - 70), to = Math.min(text.length, at + 150);
    if (from > 0) from = Math.min(at, text.indexOf(" ", from) + 1 || from);
    if (to < text.length && text.lastIndexOf(" ", to) > at) to = text.lastIndexOf(" ", to);
    return (from > 0 ? "…" : "") + text.slice(from, to) + (to < text.length ? "…" : "");
  }

  function result(item, words) {
    var entry = item.entry, li = make("li"), link = li.appendChild(make("a", "search-hit"));
    link.href = root + entry.u.split("/").map(encodeURIComponent).join("/");
    link.appendChild(highlight(make("span", "search-hit-title"), entry.t, words));
    link.appendChild(make("span", "search-hit-meta", [t[entry.k], entry.s].filter(Boolean).join(" · ")));
    link.appendChild(highlight(make("span", "search-hit-excerpt"), excerpt(item, words), words));
    return li;
  }

  function run() {
    var words = terms(input.value).map(alternatives), hits = [];
    list.textContent = "";
    status.textContent = "";
    if (!words.length || !entries) return;
    entries.forEach(function (item) {
      var points = score(item, words);
      if (points) hits.push([points, item]);
    });
    hits.sort(function (a, b) { return b[0] - a[0] || a[1].order - b[1].order; });
    status.textContent = hits.length ? theme.counted(hits.length, t.one, t.many, { n: hits.length }) : t.none;
    hits.slice(0, LIMIT).forEach(function (hit) { list.appendChild(result(hit[1], words)); });
  }


  input.addEventListener("input", run);
  // ↓ and ↑ move between the field and the results, Enter in the field opens the first result,
  // typing on a result goes back to the field, Esc closes.
  dialog.addEventListener("keydown", function (event) {
    var links = theme.all("a", list), at = links.indexOf(doc.activeElement), key = event.key;
    if ((key === "ArrowDown" || key === "ArrowUp") && links.length) {
      event.preventDefault();
      at = key === "ArrowDown" ? Math.min(at + 1, links.length - 1) : at < 0 ? links.length - 1 : at - 1;
      (at < 0 ? input : links[at]).focus();
    } else if (key === "Enter" && event.target === input && links.length) {
      event.preventDefault();
      links[0].click();
    } else if (key === "Escape") {
      event.preventDefault(); // in a search field, Esc would only clear it
      dialog.close();
    } else if (at >= 0 && key.length === 1 && !event.ctrlKey && !event.metaKey && !event.altKey) {
      input.focus();
    }
  });
  dialog.addEventListener("click", function (event) {
    var box = dialog.getBoundingClientRect();
    if (event.target.closest("[data-search-close]") || (event.target === dialog && event.detail &&
        (event.clientX < box.left || event.clientX > box.right || event.clientY < box.top || event.clientY > box.bottom))) {
      dialog.close(); // the close button, or a click on the backdrop
    }
  });
  dialog.addEventListener("close", function () {
    if (dialog.back && dialog.back.focus) dialog.back.focus();
  });

  // The dialog's stylesheet (search.css, beside this script) and the index, loaded in parallel.
  // coursegen.js has opened the dialog (transparent until its stylesheet is in), and calls
  // window.coursegenSearch each time it opens it again.
  var style = doc.head.appendChild(make("link"));
  style.rel = "stylesheet";
  style.onload = style.onerror = function () {
    dialog.style.opacity = "";
    window.coursegenSearch = run;
    run();
    if (!entries) status.textContent = t.loading;
  };
  style.href = doc.currentScript.src.replace(/js$/, "css");
  var script = doc.head.appendChild(make("script"));
  script.onload = function () {
    var packed = window.coursegenSearchPacked;
    if (!packed) return ready(window.coursegenSearchIndex, window.coursegenSearchStems);
    // a big course's index comes compressed (src/coursegen/search.py, index_file): inflate it here
    var bytes = Uint8Array.from(atob(packed), function (c) { return c.charCodeAt(0); });
    new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate"))).json().then(function (data) {
      ready(data.index, data.stems);
    }, function () { status.textContent = t.error; });
  };
  function ready(index, groups) {
    prepareStems(groups);
    entries = prepare(index || []);
    dialog.setAttribute("data-ready", ""); // for scripts and tests that wait for the index
    run();
  }
  script.onerror = function () { status.textContent = t.error; };
  script.src = dialog.getAttribute("data-index");
}());
