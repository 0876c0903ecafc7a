// Import page of the number library and of customer files: while the
// server reads and stores the file, poll the import's status and move the
// bar and the counts (rows read, added, updated, invalid); when it has
// ended, load the final report.
// Every word comes from the server's answer, so this file holds none.
(function () {
  "use strict";
  var box = document.getElementById("lib-job");
  if (!box || box.getAttribute("data-phase") !== "running") { return; }
  var bar = document.getElementById("lib-progress");
  var text = document.getElementById("lib-text");
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
      Array.prototype.forEach.call(box.querySelectorAll("[data-count]"), function (cell) {
        var n = d[cell.getAttribute("data-count")];
        if (typeof n === "number") { cell.textContent = String(n); }
      });
      if (d.phase !== "running") { window.location.reload(); return; }
      window.setTimeout(tick, 500);
    }).catch(function () {
      window.setTimeout(tick, 2000);
    });
  }
  window.setTimeout(tick, 300);
})();
