/* coursegen SCORM 1.2 launch page (loaded only in SCORM packages made by `coursegen export scorm`).
   It finds the LMS's API, owns the one session of this launch, shows the course in a frame and keeps
   the learner's progress in the LMS: "done" marks and quiz results in cmi.suspend_data, the last
   page in cmi.core.lesson_location, "completed" once every lesson is done. The pages of the course
   talk to it through window.coursegenScorm (static/scorm/page.js). Without an LMS, it only shows
   the course, whose pages then keep their progress in the browser as on the web. */
(function () {
  "use strict";
  var MAX_LOCATION = 255, MAX_SUSPEND = 4096, FORMAT = "1";

  // Suspend data "1.<hash of the lists>.<lessons done>.<quizzes right>": two bitsets over the
  // lessons' and quizzes' positions in the package, 8 per byte, in URL-safe base64 (1,000 lessons: 168 characters).
  function encodeBits(bits) {
    var bytes = "", byte, i, j;
    for (i = 0; i < bits.length; i += 8) {
      for (byte = 0, j = 0; j < 8; j++) if (bits[i + j]) byte |= 128 >> j;
      bytes += String.fromCharCode(byte);
    }
    return btoa(bytes).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }
  function decodeBits(text, count) {
    var bytes = atob(text.replace(/-/g, "+").replace(/_/g, "/")), bits = [], i;
    for (i = 0; i < count; i++) bits.push(!!(bytes.charCodeAt(i >> 3) & (128 >> (i & 7))));
    return bits;
  }
  var codec = {
    encode: function (hash, lessons, quizzes) {
      return [FORMAT, hash, encodeBits(lessons), encodeBits(quizzes)].join(".");
    },
    // null when the data was written for another version of the course (other lists) or is damaged
    decode: function (text, hash, lessonCount, quizCount) {
      var parts = String(text || "").split(".");
      if (parts.length !== 4 || parts[0] !== FORMAT || parts[1] !== hash) return null;
      try {
        return { lessons: decodeBits(parts[2], lessonCount), quizzes: decodeBits(parts[3], quizCount) };
      } catch (e) {
        return null;
      }
    }
  };
  window.coursegenScormCodec = codec;

  // The LMS's API object: in a parent frame (up to 10 levels), else in the window that opened this one.
  function findAPI(win) {
    for (var depth = 0; win && depth < 10; depth++) {
      try {
        if (win.API) return win.API;
      } catch (e) { /* a frame of another origin: look further up */ }
      if (!win.parent || win.parent === win) break;
      win = win.parent;
    }
    return null;
  }

  // A page of the package to show: a relative path, never an address elsewhere.
  function safePage(path) {
    path = String(path || "");
    return /^[^\/\\:?#][^:?#]*$/.test(path) && path.split("/").indexOf("..") < 0 ? path : "";
  }

  function timespan(ms) { // CMITimespan: HHHH:MM:SS.SS
    var s = Math.min(ms / 1000, 9999 * 3600 - 1), pad = function (n) { return (n < 10 ? "0" : "") + n; };
    return pad(Math.floor(s / 3600)) + ":" + pad(Math.floor(s / 60) % 60) + ":" + pad(Math.floor(s % 60)) + "." +
      pad(Math.floor((s % 1) * 100));
  }

  function start() {
    var config = JSON.parse(document.getElementById("coursegen-scorm").textContent);
    var frame = document.getElementById("course");
    var wanted = safePage(new URLSearchParams(location.search).get("page"));
    var api = window.parent !== window ? findAPI(window.parent) : null;
    if (!api && window.opener) api = findAPI(window.opener);
    if (!api) {
      console.info("coursegen: no SCORM API found; the course keeps its progress in this browser");
      frame.src = wanted || config.home;
      return;
    }
    var session = new Session(api, config);
    if (!session.open()) {
      frame.src = wanted || config.home;
      return;
    }
    window.coursegenScorm = session.host(); // before the first page loads: its script asks for it
    frame.addEventListener("load", function () { session.shown(frame); });
    frame.src = wanted || session.lastPage() || config.home;
    window.addEventListener("pagehide", function () { session.finish(); });
    window.addEventListener("beforeunload", function () { session.finish(); });
  }

  function Session(api, config) {
    var base = location.href.replace(/[?#].*$/, "").replace(/[^\/]*$/, "");
    var lessons = config.lessons, quizzes = config.quizzes || [];
    var lessonIndex = {}, quizIndex = {}, done = [], right = [], started = Date.now(), finished = false, location_ = "";
    lessons.forEach(function (url, i) { lessonIndex[url] = i; done.push(false); });
    quizzes.forEach(function (id, i) { quizIndex[id] = i; right.push(false); });

    // Every call is checked: a call the LMS refuses is logged, never thrown.
    function call(name) {
      var args = Array.prototype.slice.call(arguments, 1), result = String(api[name].apply(api, args));
      var code = String(api.LMSGetLastError());
      if (code !== "0") console.warn("SCORM " + name + "(" + args.join(", ") + ") refused: error " + code + " (" + api.LMSGetErrorString(code) + ")");
      return code === "0" ? result : null;
    }
    function get(element) { return call("LMSGetValue", element) || ""; }
    function set(element, value) { return call("LMSSetValue", element, String(value)) === "true"; }

    function save() {
      var data = codec.encode(config.hash, done, right), complete = done.every(Boolean);
      if (data.length <= MAX_SUSPEND) set("cmi.suspend_data", data);
      else console.warn("coursegen: progress needs " + data.length + " characters, more than SCORM 1.2 keeps; not saved");
      set("cmi.core.lesson_status", complete ? "completed" : "incomplete");
      if (config.score && quizzes.length) set("cmi.core.score.raw", Math.round((100 * right.filter(Boolean).length) / quizzes.length));
      call("LMSCommit", "");
    }

    this.open = function () {
      if (call("LMSInitialize", "") !== "true") return false;
      var status = get("cmi.core.lesson_status"), data = get("cmi.suspend_data");
      var saved = codec.decode(data, config.hash, lessons.length, quizzes.length);
      if (saved) {
        done = saved.lessons;
        right = saved.quizzes;
      } else if (data) {
        console.warn("coursegen: the saved progress belongs to another version of this course; starting afresh");
      }
      location_ = get("cmi.core.lesson_location");
      if (config.score) {
        set("cmi.core.score.min", 0);
        set("cmi.core.score.max", 100);
      }
      if (status === "not attempted" || status === "" || !saved) save(); // first launch: incomplete (or completed: nothing to do)
      return true;
    };

    this.lastPage = function () {
      var at = /^@(\d+)$/.exec(location_);
      return at ? lessons[+at[1]] || "" : safePage(location_);
    };

    // The page the frame now shows, relative to the package (null outside it).
    function pageOf(href) {
      href = String(href).replace(/[?#].*$/, "");
      if (href.indexOf(base) !== 0) return null;
      try { return decodeURIComponent(href.slice(base.length)); } catch (e) { return null; }
    }

    this.shown = function (frame) {
      var page;
      try { page = pageOf(frame.contentWindow.location.href); } catch (e) { return; } // left the package
      if (!page || finished) return;
      if (config.done_on_view && page in lessonIndex && !done[lessonIndex[page]]) {
        done[lessonIndex[page]] = true;
        save();
      }
      var where = page.length <= MAX_LOCATION ? page : page in lessonIndex ? "@" + lessonIndex[page] : "";
      if (where && where !== location_ && set("cmi.core.lesson_location", where)) {
        location_ = where;
        call("LMSCommit", "");
      }
    };

    this.host = function () {
      return {
        pageOf: pageOf,
        done: function () {
          var marks = {};
          lessons.forEach(function (url, i) { if (done[i]) marks[url] = 1; });
          return marks;
        },
        setDone: function (marks) {
          if (finished) return;
          done = lessons.map(function (url) { return !!(marks && marks[url]); });
          save();
        },
        quiz: function (id, isRight) {
          if (finished || !(id in quizIndex)) return;
          right[quizIndex[id]] = !!isRight;
          save();
        }
      };
    };

    this.finish = function () {
      if (finished) return;
      finished = true;
      set("cmi.core.session_time", timespan(Date.now() - started));
      set("cmi.core.exit", "suspend"); // keep the marks and the page for the next launch
      call("LMSFinish", "");
    };
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
}());
