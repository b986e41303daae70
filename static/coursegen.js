/* coursegen theme script: optional enhancements; every page works without it. */
(function () {
  "use strict";
  var doc = document;
  var root = doc.documentElement;
  var motion = !(window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches) &&
    typeof root.animate === "function";
  var IO = window.IntersectionObserver;

  root.classList.add("js");

  function all(selector, scope) {
    return Array.prototype.slice.call((scope || doc).querySelectorAll(selector));
  }
  function closest(el, selector) {
    return el && el.closest ? el.closest(selector) : null;
  }

  // Decorative emoji flying from (x, y): aria-hidden, no pointer events, removed when done.
  function spray(host, chars, count, x, y, far, delay) {
    for (var i = 0; i < count; i++) {
      var p = doc.createElement("span");
      var angle = far ? (Math.PI * i) / 4 + Math.random() * 0.6 : -Math.PI / 2 + (Math.random() - 0.5);
      var dist = far ? 60 + Math.random() * 70 : 60 + Math.random() * 40;
      p.className = host === doc.body ? "particle particle-fixed" : "particle";
      p.setAttribute("aria-hidden", "true");
      p.textContent = chars[Math.floor(Math.random() * chars.length)];
      p.style.left = (far ? x : x + (Math.random() - 0.5) * 160) + "px";
      p.style.top = y + "px";
      host.appendChild(p);
      p.animate([
        { transform: "translate(0, 0) scale(.4)", opacity: 0 },
        { opacity: 1, offset: 0.2 },
        { transform: "translate(" + Math.cos(angle) * dist + "px, " + Math.sin(angle) * dist + "px) scale(1.15) rotate(" +
          (Math.random() * 360 - 180) + "deg)", opacity: 0 }
      ], { duration: far ? 900 : 1400, delay: delay ? i * 130 : 0, easing: "ease-out", fill: "backwards" })
        .onfinish = p.remove.bind(p);
    }
  }

  function burst(el, event) {
    var box = el.getBoundingClientRect();
    var keyboard = !event.detail;
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
    var items = all(".card, .timeline-item");
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
    items.forEach(function (el) {
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

  // Quizzes from Markdown: grade the ticked answers and show the feedback of the chosen ones.
  function quizzes() {
    all("form.quiz").forEach(function (form) {
      var button = form.querySelector(".quiz-check");
      var result = form.querySelector(".quiz-result");
      var inputs = all("input", form);
      if (!button || !result) return;
      function grade(show) {
        var right = true;
        inputs.forEach(function (input) {
          var item = closest(input, ".quiz-option");
          var correct = input.getAttribute("data-correct") === "true";
          var feedback = item && item.querySelector(".quiz-feedback");
          right = right && input.checked === correct;
          if (item) {
            item.classList.toggle("is-right", show && input.checked && correct);
            item.classList.toggle("is-wrong", show && input.checked && !correct);
          }
          if (feedback && show) feedback.hidden = !input.checked;
        });
        result.textContent = show ? form.getAttribute(right ? "data-correct-text" : "data-incorrect-text") || "" : "";
        result.className = "quiz-result" + (show ? (right ? " is-right" : " is-wrong") : "");
        return right;
      }
      form.addEventListener("submit", function (event) { event.preventDefault(); });
      form.addEventListener("change", function () { grade(false); });
      button.addEventListener("click", function (event) {
        if (grade(true) && motion) burst(button, event);
      });
    });
  }

  function start() {
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
