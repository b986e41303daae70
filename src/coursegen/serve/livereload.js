(function () {
  "use strict";
  var me = document.currentScript;
  var instance = me ? me.getAttribute("data-instance") : "";
  var epoch = me ? Number(me.getAttribute("data-epoch")) || 0 : 0;
  var key = "coursegen-scroll:" + location.pathname;
  function restore() {
    try {
      var saved = window.sessionStorage.getItem(key);
      if (saved === null) return;
      window.sessionStorage.removeItem(key);
      var position = JSON.parse(saved);
      window.scrollTo(position[0], position[1]);
    } catch (e) { /* storage disabled: the browser's own restoration applies */ }
  }
  if (document.readyState === "complete") restore(); else window.addEventListener("load", restore);
  function reload() {
    try { window.sessionStorage.setItem(key, JSON.stringify([window.scrollX, window.scrollY])); } catch (e) {}
    window.location.reload();
  }
  if (typeof window.EventSource !== "function") return;
  var delay = 1000;
  function connect() {
    var source;
    try { source = new window.EventSource("/__coursegen__/events"); } catch (e) { return; }
    source.addEventListener("build", function (event) {
      delay = 1000;
      var data;
      try { data = JSON.parse(event.data); } catch (e) { return; }
      if (data.instance !== instance || data.epoch > epoch) { source.close(); reload(); }
    });
    source.addEventListener("error", function () {
      if (source.readyState === 2) {  // closed for good (e.g. refused): retry ourselves, slower and slower
        setTimeout(connect, delay);
        delay = Math.min(delay * 2, 10000);
      }
    });
  }
  connect();
})();
