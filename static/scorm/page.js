/* coursegen SCORM 1.2, in every page of a SCORM package (never on the web): when the page is shown
   by the package's launch page (static/scorm/launch.js), the learner's "done" marks and quiz
   results go to it, and so to the LMS, instead of this browser's localStorage. Opened any other
   way, the page behaves as on the web. Runs before coursegen.js, which takes the store it offers. */
(function () {
  "use strict";
  var host = null;
  try {
    host = window.parent !== window ? window.parent.coursegenScorm || null : null;
  } catch (e) { /* a parent of another origin: not our launch page */ }
  if (!host) return;

  // What coursegen.js reads and writes under the course's key: {"done": {url: 1, …}}
  window.coursegenProgressStore = {
    getItem: function () { return JSON.stringify({ done: host.done() }); },
    setItem: function (key, value) {
      var data;
      try { data = JSON.parse(value); } catch (e) { return; }
      host.setDone((data && data.done) || {});
    },
    removeItem: function () { host.setDone({}); }
  };

  // A checked quiz: "<page>#<its number in the page>", right or not (for scorm: {score: quizzes}).
  document.addEventListener("coursegen:quiz", function (event) {
    var forms = Array.prototype.slice.call(document.querySelectorAll("form.quiz"));
    host.quiz(host.pageOf(location.href) + "#" + (forms.indexOf(event.target) + 1), event.detail && event.detail.right);
  });
}());
