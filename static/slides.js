/* Starts reveal.js on a lesson's slide deck (x.slides.html; see docs/slides.md).
   Everything it loads is in the site: the deck works from file:// and offline. */
(function () {
  "use strict";
  if (typeof Reveal === "undefined") return;
  var WIDTH = 1280, HEIGHT = 720; // 16:9, scaled by reveal.js to fit the screen or the projector
  var ROOM = HEIGHT - 40; // what a slide may fill: the bottom edge has the controls and the slide number
  var deck = document.querySelector(".reveal");

  // Lessons are written as prose: a slide taller than the deck is zoomed out until it fits (down
  // to 50 %; text, code, formulas and pictures alike). Measured once, before reveal.js lays the
  // slides out, so that the screen, the overview and the printout agree.
  function fitSlides() {
    deck.classList.add("deck-measuring");
    Array.prototype.forEach.call(deck.querySelectorAll(".slides section"), function (slide) {
      if (slide.querySelector("section")) return; // a stack: its slides are fitted one by one
      for (var zoom = 1; slide.getBoundingClientRect().height > ROOM && zoom > 0.5; ) {
        zoom = Math.round((zoom - 0.05) * 100) / 100;
        slide.style.zoom = zoom;
      }
    });
    deck.classList.remove("deck-measuring");
  }

  // The speaker view shows the deck in frames (?receiver): no link back to the lesson there.
  if (/receiver/.test(window.location.search)) document.documentElement.classList.add("deck-receiver");
  fitSlides();
  Reveal.initialize({
    width: WIDTH,
    height: HEIGHT,
    margin: 0.05,
    hash: true, // the URL keeps the slide: #/3 (a sub-slide: #/3/1)
    fragmentInURL: false,
    history: false,
    controls: true,
    progress: true,
    slideNumber: "c/t",
    // → and Space go through every slide, `###` sub-slides included (↓ and ↑ work as well)
    navigationMode: "linear",
    center: false,
    transition: "slide",
    touch: true,
    pdfSeparateFragments: false, // ?print-pdf: one page per slide, its steps all shown
    pdfMaxPagesPerSlide: 1,
    plugins: typeof RevealNotes === "undefined" ? [] : [RevealNotes], // S: the speaker view
  });
})();
