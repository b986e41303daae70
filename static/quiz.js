/* Quizzes written in Markdown (quiz.py makes each a form): the ticked answers are graded and the
   feedback of the chosen ones shown; after a wrong try, "Show the answer" ticks the right ones.
   Loaded on the pages and slide decks that have a quiz. Each check is announced with a
   `coursegen:quiz` event (right or not): coursegen.js celebrates, the SCORM package records it. */
(function () {
  "use strict";

  function setUp(form) {
    var button = form.querySelector(".quiz-check"), result = form.querySelector(".quiz-result");
    var reveal = form.querySelector(".quiz-reveal"), inputs = Array.from(form.querySelectorAll("input"));
    if (!button || !result) return;
    form.classList.add("is-live"); // its buttons are shown (coursegen.css)
    function grade(show) {
      var right = true;
      inputs.forEach(function (input) {
        var item = input.closest(".quiz-option");
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
      if (reveal && show) reveal.hidden = right;
      return right;
    }
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    form.addEventListener("change", function () { grade(false); });
    button.addEventListener("click", function (event) {
      var right = grade(true);
      form.dispatchEvent(new CustomEvent("coursegen:quiz", { bubbles: true, detail: { right: right, click: event } }));
    });
    if (reveal) reveal.addEventListener("click", function () {
      inputs.forEach(function (input) { input.checked = input.getAttribute("data-correct") === "true"; });
      grade(true);
      result.textContent = form.getAttribute("data-answer-shown-text") || result.textContent;
      reveal.hidden = true;
      button.focus();
    });
  }

  function start() {
    document.querySelectorAll("form.quiz").forEach(setUp);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
}());
