/* coursegen default theme: optional enhancements. Every page works without this file. */
(function () {
  "use strict";
  var doc = document;
  var root = doc.documentElement;
  var reduce = !!(window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches);
  var hasIO = typeof window.IntersectionObserver === "function";
  var motion = !reduce && typeof root.animate === "function";
  var SPARKS = ["✨", "🌟", "💫", "⭐"];
  var BURST = ["🚀", "✨", "💫", "🌟", "⚡", "🎉"];

  root.classList.add("js");

  function all(selector, scope) {
    return Array.prototype.slice.call((scope || doc).querySelectorAll(selector));
  }
  function pick(list) {
    return list[Math.floor(Math.random() * list.length)];
  }
  function closest(el, selector) {
    return el && el.closest ? el.closest(selector) : null;
  }

  // Cards fade and slide in as they scroll into view (CSS hides only .js .reveal).
  function reveal() {
    var items = all(".card, .timeline-item");
    if (!motion || !hasIO || !items.length) return;
    function show(el) {
      el.classList.add("is-visible");
      window.setTimeout(function () {
        el.classList.remove("reveal", "is-visible");
        el.style.transitionDelay = "";
      }, 1200);
    }
    var io = new IntersectionObserver(function (entries) {
      var n = 0;
      entries.forEach(function (entry) {
        if (!entry.isIntersecting) return;
        io.unobserve(entry.target);
        entry.target.style.transitionDelay = Math.min(n++, 6) * 90 + "ms";
        show(entry.target);
      });
    }, { threshold: 0.1, rootMargin: "0px 0px -30px 0px" });
    items.forEach(function (el) {
      el.classList.add("reveal");
      io.observe(el);
    });
    // Keyboard focus must never land in a card that is still hidden.
    doc.addEventListener("focusin", function (event) {
      var card = closest(event.target, ".reveal");
      if (card) {
        io.unobserve(card);
        show(card);
      }
    });
  }

  // One decorative emoji, removed when its animation ends.
  function particle(host, char, x, y, keyframes, options) {
    var p = doc.createElement("span");
    p.className = host === doc.body ? "particle particle-fixed" : "particle";
    p.setAttribute("aria-hidden", "true");
    p.textContent = char;
    p.style.left = x + "px";
    p.style.top = y + "px";
    host.appendChild(p);
    var remove = function () {
      if (p.parentNode) p.parentNode.removeChild(p);
    };
    var anim = p.animate(keyframes, options);
    anim.onfinish = anim.oncancel = remove;
    window.setTimeout(remove, options.duration + (options.delay || 0) + 500);
  }

  function sparkle(card) {
    var now = Date.now();
    if (now - (Number(card.getAttribute("data-sparkled")) || 0) < 1200) return;
    card.setAttribute("data-sparkled", String(now));
    var w = card.clientWidth;
    var h = card.clientHeight;
    for (var i = 0; i < 3; i++) {
      var dx = (Math.random() - 0.5) * 40;
      particle(card, pick(SPARKS), 12 + Math.random() * Math.max(w - 40, 0), h * (0.35 + Math.random() * 0.5), [
        { transform: "translate(0, 0) scale(.4)", opacity: 0 },
        { transform: "translate(" + dx / 3 + "px, -20px) scale(1)", opacity: 1, offset: 0.25 },
        { transform: "translate(" + dx + "px, -90px) scale(1.2) rotate(25deg)", opacity: 0 }
      ], { duration: 1400, delay: i * 130, easing: "ease-out", fill: "backwards" });
    }
  }

  function burst(link, event) {
    var x = event.clientX;
    var y = event.clientY;
    if (!event.detail) { // keyboard activation: burst from the middle of the link
      var box = link.getBoundingClientRect();
      x = box.left + box.width / 2;
      y = box.top + box.height / 2;
    }
    for (var i = 0; i < 8; i++) {
      var angle = (Math.PI * i) / 4 + Math.random() * 0.6;
      var dist = 60 + Math.random() * 70;
      particle(doc.body, pick(BURST), x - 12, y - 12, [
        { transform: "translate(0, 0) scale(.5)", opacity: 1 },
        { transform: "translate(" + Math.cos(angle) * dist + "px, " + Math.sin(angle) * dist + "px) scale(1.1) rotate(" + (Math.random() * 540 - 270) + "deg)", opacity: 0 }
      ], { duration: 900, easing: "cubic-bezier(.2, .8, .3, 1)" });
    }
  }

  function playful() {
    if (!motion) return;
    all(".card").forEach(function (card) {
      card.addEventListener("mouseenter", function () { sparkle(card); });
    });
    doc.addEventListener("click", function (event) {
      var link = closest(event.target, ".card a[href], .pager a[href], .module-nav a[href]");
      if (link) burst(link, event);
    });
  }

  // Key figures bounce once when they first come into view.
  function bounceStats() {
    var strip = doc.querySelector(".stats");
    if (!motion || !hasIO || !strip) return;
    var io = new IntersectionObserver(function (entries) {
      if (!entries[0].isIntersecting) return;
      io.disconnect();
      all(".stat-value", strip).forEach(function (value, i) {
        value.animate([
          { transform: "none" },
          { transform: "translateY(-14px) scale(1.08)", offset: 0.3 },
          { transform: "scale(.97)", offset: 0.55 },
          { transform: "translateY(-5px) scale(1.02)", offset: 0.75 },
          { transform: "none" }
        ], { duration: 900, delay: i * 120, easing: "ease-out" });
      });
    }, { threshold: 0.5 });
    io.observe(strip);
  }

  // Highlight, in the table of contents, the section being read (no motion involved).
  function tocSpy() {
    var pairs = [];
    all(".toc a[href^='#']").forEach(function (a) {
      var id = a.getAttribute("href").slice(1);
      try { id = decodeURIComponent(id); } catch (e) { /* keep the raw id */ }
      var heading = doc.getElementById(id);
      if (heading) pairs.push({ link: a, heading: heading });
    });
    if (!pairs.length) return;
    var active = null;
    var queued = false;
    function update() {
      queued = false;
      var current = pairs[0];
      pairs.forEach(function (pair) {
        if (pair.heading.getBoundingClientRect().top < 120) current = pair;
      });
      if (current === active) return;
      if (active) active.link.classList.remove("is-active");
      current.link.classList.add("is-active");
      active = current;
    }
    window.addEventListener("scroll", function () {
      if (!queued) {
        queued = true;
        window.requestAnimationFrame(update);
      }
    }, { passive: true });
    update();
  }

  function start() {
    reveal();
    playful();
    bounceStats();
    tocSpy();
  }
  if (doc.readyState === "loading") doc.addEventListener("DOMContentLoaded", start);
  else start();
}());
