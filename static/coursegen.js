/* coursegen theme script: optional enhancements; every page works without it. */
(function () {
  "use strict";
  var doc = document;
  var root = doc.documentElement;
  var motion = !(window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches) &&
    typeof root.animate === "function";
  var IO = window.IntersectionObserver;
  var lang = root.lang || "en";
  var strings = {}; // interface strings the script writes, from <body data-strings> (the course's language)

  root.classList.add("js");

  function all(selector, scope) {
    return Array.from((scope || doc).querySelectorAll(selector));
  }
  function closest(el, selector) {
    return el && el.closest ? el.closest(selector) : null;
  }
  function make(tag, className, text) {
    var el = doc.createElement(tag);
    el.className = className || "";
    el.textContent = text || "";
    return el;
  }
  // "{n} results": the plural form and the numbers of the page's language (1 234 in French).
  var plurals, numbers;
  function counted(n, one, many, values) {
    plurals = plurals || new Intl.PluralRules(lang);
    numbers = numbers || new Intl.NumberFormat(lang);
    return (plurals.select(n) === "one" ? one : many).replace(/\{(\w+)\}/g, function (match, key) {
      return key in values ? numbers.format(values[key]) : match;
    });
  }

  // Decorative emoji flying from (x, y): aria-hidden, no pointer events, removed when done.
  function spray(host, chars, count, x, y, far, delay) {
    for (var i = 0; i < count; i++) {
      var p = make("span", host === doc.body ? "particle particle-fixed" : "particle", chars[Math.floor(Math.random() * chars.length)]);
      var angle = far ? (Math.PI * i) / 4 + Math.random() * 0.6 : -Math.PI / 2 + (Math.random() - 0.5);
      var dist = far ? 60 + Math.random() * 70 : 60 + Math.random() * 40;
      p.setAttribute("aria-hidden", "true");
      p.style.left = (far ? x : x + (Math.random() - 0.5) * 160) + "px";
      p.style.top = y + "px";
      host.appendChild(p).animate([
        { transform: "translate(0, 0) scale(.4)", opacity: 0 },
        { opacity: 1, offset: 0.2 },
        { transform: "translate(" + Math.cos(angle) * dist + "px, " + Math.sin(angle) * dist + "px) scale(1.15) rotate(" +
          (Math.random() * 360 - 180) + "deg)", opacity: 0 }
      ], { duration: far ? 900 : 1400, delay: delay ? i * 130 : 0, easing: "ease-out", fill: "backwards" })
        .onfinish = p.remove.bind(p);
    }
  }

  function burst(el, event) {
    var box = el.getBoundingClientRect(), keyboard = !event.detail;
    spray(doc.body, ["🚀", "✨", "💫", "🌟", "⚡", "🎉"], 8,
      (keyboard ? box.left + box.width / 2 : event.clientX) - 12, (keyboard ? box.top + box.height / 2 : event.clientY) - 12, true);
  }

  function playful() {
    all(".card").forEach(function (card) {
      var last = 0;
      card.addEventListener("mouseenter", function () {
        if (Date.now() - last < 1200) return;
        last = Date.now();
        spray(card, ["✨", "🌟", "💫", "⭐"], 3, card.clientWidth / 2, card.clientHeight * 0.6, false, true);
      });
    });
    doc.addEventListener("click", function (event) {
      var link = closest(event.target, ".card a[href], .pager a[href], .module-nav a[href]");
      if (link) burst(link, event);
    });
  }

  // Cards fade and slide in as they scroll into view; CSS hides only `.js .reveal`.
  function reveal() {
    function show(el) {
      el.classList.add("is-visible");
      setTimeout(function () {
        el.classList.remove("reveal", "is-visible");
        el.style.transitionDelay = "";
      }, 1200);
    }
    var io = new IO(function (entries) {
      var n = 0;
      entries.forEach(function (entry) {
        if (!entry.isIntersecting) return;
        io.unobserve(entry.target);
        entry.target.style.transitionDelay = Math.min(n++, 6) * 90 + "ms";
        show(entry.target);
      });
    }, { threshold: 0.1, rootMargin: "0px 0px -30px 0px" });
    all(".card, .timeline-item").forEach(function (el) {
      el.classList.add("reveal");
      io.observe(el);
    });
    doc.addEventListener("focusin", function (event) { // keyboard focus never lands in a hidden card
      var card = closest(event.target, ".reveal");
      if (card) show(card);
    });
  }

  // Key figures bounce once when they first come into view.
  function bounceStats() {
    var strip = doc.querySelector(".stats");
    if (!strip) return;
    var io = new IO(function (entries) {
      if (!entries[0].isIntersecting) return;
      io.disconnect();
      all(".stat-value", strip).forEach(function (value, i) {
        value.animate([
          { transform: "none" },
          { transform: "translateY(-14px) scale(1.08)", offset: 0.3 },
          { transform: "scale(.97)", offset: 0.55 },
          { transform: "translateY(-5px)", offset: 0.75 },
          { transform: "none" }
        ], { duration: 900, delay: i * 120, easing: "ease-out" });
      });
    }, { threshold: 0.5 });
    io.observe(strip);
  }

  // Quizzes are graded by quiz.js (loaded on the pages that have one); a right answer is celebrated here.
  function quizzes() {
    doc.addEventListener("coursegen:quiz", function (event) {
      var button = event.target.querySelector(".quiz-check");
      if (event.detail.right && motion && button) burst(button, event.detail.click || {});
    });
  }

  // A copy button on each code block, unless the course (body[data-copy=off]) or the block (.no-copy) says no.
  function copyButtons() {
    var live = make("p", "visually-hidden");
    live.setAttribute("role", "status");
    all(".highlighttable").forEach(function (table) { table.setAttribute("role", "presentation"); }); // line numbers
    if (doc.body.getAttribute("data-copy") === "off") return;
    all("div.highlight").forEach(function (block) {
      var code = block.querySelector("code") || block.querySelector("pre"), button = make("button", "copy-button", strings.copy);
      if (!code || closest(block, ".no-copy")) return;
      doc.body.appendChild(live);
      button.type = "button";
      button.setAttribute("aria-label", strings.copy_label);
      button.addEventListener("click", function () {
        var text = code.textContent.replace(/\n$/, "");
        (navigator.clipboard && window.isSecureContext ? navigator.clipboard.writeText(text) : Promise.reject()).catch(function () {
          var area = doc.body.appendChild(make("textarea", "visually-hidden", text)), ok; // no clipboard API: not a secure context
          area.focus({ preventScroll: true });
          area.select();
          ok = doc.execCommand("copy");
          area.remove();
          button.focus();
          if (!ok) throw text;
        }).then(function () { said(strings.copied); }, function () { said(strings.copy_failed); });
      });
      function said(text) {
        live.textContent = button.textContent = text;
        button.classList.add("is-copied");
        clearTimeout(button.timer);
        button.timer = setTimeout(function () {
          button.textContent = strings.copy;
          button.classList.remove("is-copied");
          live.textContent = "";
        }, 2000);
      }
      block.appendChild(button);
    });
  }

  // What scrolls sideways (code, formulas, tables on a phone) takes the focus, to scroll with the keyboard.
  function scrollers() {
    all("pre, .math-display, table").forEach(function (box) {
      if (box.scrollWidth > box.clientWidth && /auto|scroll/.test(getComputedStyle(box).overflowX)) box.tabIndex = 0;
    });
  }

  // "Mark as done" and progress bars, kept in this browser's localStorage under the course's key
  // (in a SCORM package, static/scorm/page.js offers a store that keeps them in the LMS instead).
  function progress() {
    var key = doc.body.getAttribute("data-course"), store;
    try {
      store = key && (window.coursegenProgressStore || window.localStorage);
      if (store) store.getItem(key);
    } catch (e) {
      store = null; // storage refused: nothing is shown, as without JavaScript
    }
    if (!store) return;
    function read() {
      try { return JSON.parse(store.getItem(key) || "{}").done || {}; } catch (e) { return {}; }
    }
    function render() {
      var done = read(), urls = Object.keys(done);
      all("[data-done]").forEach(function (button) { // "Mark as done" ↔ "Done ✓ (undo)"
        var isDone = !!done[button.getAttribute("data-done")];
        button.classList.toggle("is-done", isDone);
        button.querySelector(".done-label").textContent = button.getAttribute(isDone ? "data-label-done" : "data-label");
      });
      all("[data-lesson]").forEach(function (item) { // lesson cards and the module's list: the "✓ Done" mark
        var mark = item.querySelector(".badge-done, .module-lesson-done");
        if (mark) mark.hidden = !done[item.getAttribute("data-lesson")];
      });
      all("[data-progress]").forEach(function (box) { // the lessons done among those whose URL starts with data-progress
        var prefix = box.getAttribute("data-progress"), total = +box.getAttribute("data-total"), bar = box.firstElementChild;
        var n = Math.min(total, urls.filter(function (url) { return !url.indexOf(prefix); }).length);
        var text = counted(n, strings.progress_one, strings.progress_many, { done: n, total: total });
        bar.setAttribute("aria-valuenow", n);
        bar.setAttribute("aria-valuetext", text);
        bar.firstChild.style.width = (100 * n) / total + "%";
        box.lastElementChild.textContent = text;
      });
      all("[data-progress-reset]").forEach(function (button) { button.hidden = !urls.length; });
    }
    all("[data-progress], [data-progress-panel], [data-done-box]").forEach(function (el) { el.hidden = false; });
    doc.addEventListener("click", function (event) {
      var button = closest(event.target, "[data-done]"), done = read(), url, panel;
      if (button) {
        url = button.getAttribute("data-done");
        done[url] = done[url] ? undefined : 1;
        try { store.setItem(key, JSON.stringify({ done: done })); } catch (e) { /* storage full */ }
        render();
        if (done[url] && motion) burst(button, event);
      } else if ((panel = closest(event.target, "[data-progress-reset]")) && window.confirm(strings.reset_confirm)) {
        store.removeItem(key);
        render();
        panel = closest(panel, "[data-progress-panel]"); // the button is hidden now: keep the focus nearby
        if (panel) panel.focus();
      }
    });
    window.addEventListener("storage", function (event) { if (event.key === key) render(); }); // other tabs
    render();
  }

  // Content tabs: ARIA tabs over pymdownx.tabbed's radio inputs (which keep working without JavaScript).
  // Choosing a label switches every tab group of the page with that label, and is remembered.
  var TAB_KEY = "coursegen-tab";
  function tabs() {
    var sets = all(".tabbed-set");
    if (!sets.length) return;
    function select(label, focus) {
      var set = closest(label, ".tabbed-set"), labels = all(".tabbed-labels > label", set);
      labels.forEach(function (other) {
        var chosen = other === label;
        other.setAttribute("aria-selected", chosen);
        other.tabIndex = chosen ? 0 : -1;
        if (chosen) doc.getElementById(other.htmlFor).checked = true;
      });
      if (focus) label.focus();
    }
    function selectEverywhere(text, origin) {
      sets.forEach(function (set) {
        all(".tabbed-labels > label", set).some(function (label) {
          if (label.textContent.trim() !== text) return false;
          select(label, label === origin);
          return true;
        });
      });
    }
    sets.forEach(function (set, n) {
      var labels = all(".tabbed-labels > label", set), blocks = all(".tabbed-content > .tabbed-block", set);
      set.querySelector(".tabbed-labels").setAttribute("role", "tablist");
      set.querySelector(".tabbed-labels").setAttribute("aria-label", strings.tabs || "");
      labels.forEach(function (label, i) {
        var input = doc.getElementById(label.htmlFor), block = blocks[i];
        input.tabIndex = -1; // the labels take the focus now
        input.setAttribute("aria-hidden", "true");
        label.id = label.id || "tab-" + n + "-" + i;
        label.setAttribute("role", "tab");
        label.setAttribute("aria-selected", input.checked);
        label.tabIndex = input.checked ? 0 : -1;
        if (block) {
          block.id = block.id || "tab-panel-" + n + "-" + i;
          block.setAttribute("role", "tabpanel");
          block.setAttribute("aria-labelledby", label.id);
          block.tabIndex = 0;
          label.setAttribute("aria-controls", block.id);
        }
        label.addEventListener("click", function (event) {
          event.preventDefault();
          selectEverywhere(label.textContent.trim(), label);
          try { window.localStorage.setItem(TAB_KEY, label.textContent.trim()); } catch (e) { /* storage refused */ }
        });
        label.addEventListener("keydown", function (event) { // ← → Home End move and select; Enter and Space select
          var at = labels.indexOf(label), to = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: labels.length - 1, Enter: at, " ": at }[event.key];
          if (to === undefined) return;
          event.preventDefault();
          var target = labels[(to + labels.length) % labels.length];
          target.click();
          target.focus();
        });
      });
    });
    try {
      var remembered = window.localStorage.getItem(TAB_KEY);
      if (remembered) selectEverywhere(remembered, null);
    } catch (e) { /* storage refused */ }
  }

  // Light / dark / auto, remembered in this browser (the <head> script applies it before the first paint).
  function themeSwitch() {
    var order = ["auto", "light", "dark"];
    all("[data-theme-switch]").forEach(function (button) {
      button.addEventListener("click", function () {
        var now = root.getAttribute("data-theme") || "auto", next = order[(order.indexOf(now) + 1) % order.length];
        if (next === "auto") root.removeAttribute("data-theme");
        else root.setAttribute("data-theme", next);
        try {
          if (next === "auto") window.localStorage.removeItem("coursegen-theme");
          else window.localStorage.setItem("coursegen-theme", next);
        } catch (e) { /* storage refused: the choice lasts for this page */ }
      });
    });
  }

  // The header's modules: a "Modules" menu when their titles don't fit on one line (never cut).
  function modulesMenu() {
    var nav = doc.querySelector("[data-nav]"), toggle = nav && nav.querySelector(".nav-toggle"), list = nav && nav.querySelector("ul");
    if (!nav || !toggle || !list) return;
    function fit() {
      nav.classList.remove("nav-collapsed");
      var items = all("li", list), wraps = items.length > 1 && items[items.length - 1].offsetTop > items[0].offsetTop + 4;
      var collapse = nav.classList.contains("nav-menu") || wraps;
      nav.classList.toggle("nav-collapsed", collapse);
      toggle.hidden = !collapse;
      if (!collapse) close();
    }
    function close() {
      nav.classList.remove("is-open");
      toggle.setAttribute("aria-expanded", "false");
    }
    toggle.addEventListener("click", function () {
      var open = !nav.classList.contains("is-open");
      nav.classList.toggle("is-open", open);
      toggle.setAttribute("aria-expanded", open);
    });
    nav.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && nav.classList.contains("is-open")) {
        close();
        toggle.focus();
      }
    });
    doc.addEventListener("click", function (event) { if (!nav.contains(event.target)) close(); });
    nav.addEventListener("focusout", function (event) { if (event.relatedTarget && !nav.contains(event.relatedTarget)) close(); });
    fit();
    window.addEventListener("resize", fit);
  }

  // The module's lessons: open beside the lesson where there is room, collapsed on phones.
  function moduleLessons() {
    var box = doc.querySelector("[data-module-lessons]");
    if (box && window.matchMedia && window.matchMedia("(min-width: 64rem)").matches) box.open = true;
  }

  // Print: collapsed blocks open (and close again after), bare URLs not printed twice.
  function printing() {
    var opened = [];
    window.addEventListener("beforeprint", function () {
      opened = all("details:not([open])");
      opened.forEach(function (details) { details.open = true; });
      all("a[href^='http']").forEach(function (link) { link.classList.toggle("link-is-url", link.textContent.trim() === link.getAttribute("href")); });
    });
    window.addEventListener("afterprint", function () {
      opened.forEach(function (details) { details.open = false; });
    });
  }

  // Search: the dialog is in the page; search.js, then the index, load the first time it opens.
  function search() {
    var dialog = doc.getElementById("search"), field = dialog && dialog.querySelector("input");
    if (!dialog || !dialog.showModal) return;
    function open(query) {
      if (!dialog.open) {
        dialog.back = doc.activeElement;
        dialog.showModal(); // the field has autofocus: what the learner types goes there, even while loading
        field.select();
      }
      if (typeof query === "string") field.value = query;
      if (window.coursegenSearch) return window.coursegenSearch();
      if (dialog.loading) return;
      dialog.style.opacity = 0; // until search.js has loaded the dialog's stylesheet
      dialog.loading = doc.head.appendChild(make("script"));
      dialog.loading.onerror = function () {
        dialog.style.opacity = "";
        dialog.querySelector("[role=status]").textContent = strings.error;
        dialog.loading = null;
      };
      dialog.loading.src = dialog.getAttribute("data-script");
    }
    doc.addEventListener("keydown", function (event) { // "/" opens the search, except when typing
      var target = event.target;
      if (event.key === "/" && !event.ctrlKey && !event.metaKey && !event.altKey && !event.defaultPrevented && !dialog.open &&
          !target.isContentEditable && !/^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)) {
        event.preventDefault();
        open();
      }
    });
    all("[data-search-open]").forEach(function (button) {
      button.addEventListener("click", function () { open(); });
    });
    all("[data-search-form]").forEach(function (form) { // the 404 page: look for the words of the missing address
      var words = location.pathname.split("/").pop().replace(/\.\w+$/, "");
      try { words = decodeURIComponent(words); } catch (e) { /* not UTF-8 */ }
      if (!/^(404|index)?$/.test(words)) form.q.value = words.replace(/^\d+|[-_.+\s]+/g, " ").trim();
      form.hidden = false;
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        open(form.q.value);
      });
    });
  }

  function start() {
    try { strings = JSON.parse(doc.body.getAttribute("data-strings")); } catch (e) { /* a template without them */ }
    window.coursegenTheme = { strings: strings, make: make, counted: counted, all: all }; // for search.js
    moduleLessons();
    modulesMenu();
    themeSwitch();
    tabs();
    printing();
    copyButtons();
    (window.requestIdleCallback || setTimeout)(scrollers, { timeout: 500 });
    window.addEventListener("resize", scrollers);
    progress();
    search();
    quizzes();
    if (!motion) return;
    playful();
    if (typeof IO === "function") {
      reveal();
      bounceStats();
    }
  }
  if (doc.readyState === "loading") doc.addEventListener("DOMContentLoaded", start);
  else start();
}());
