// Import page: while the server reads and checks the file, poll its
// progress and move the bar; when it is done, load the report.
(function () {
  "use strict";
  var box = document.getElementById("parsing");
  if (!box) { return; }
  var bar = document.getElementById("parse-progress");
  var text = document.getElementById("parse-text");
  function tick() {
    fetch(box.getAttribute("data-src"), {
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-Console-Refresh": "1" }
    }).then(function (r) {
      if (r.status === 401 || r.status === 404) { window.location.reload(); return null; }
      if (!r.ok) { throw new Error("HTTP " + r.status); }
      return r.json();
    }).then(function (d) {
      if (!d) { return; }
      bar.value = d.percent;
      text.textContent = d.text;
      if (d.phase !== "parsing") { window.location.reload(); return; }
      window.setTimeout(tick, 400);
    }).catch(function () {
      window.setTimeout(tick, 2000);
    });
  }
  window.setTimeout(tick, 300);
})();
