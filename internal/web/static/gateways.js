// Gateway status page: refresh the table from /gateways/status under the
// page's own session. Cells are filled with textContent only, never HTML.
// The requests say they are background refreshes, so an unattended page
// does not keep its session alive; when the session ends the page reloads
// and the server shows the login page.
(function () {
  "use strict";
  var table = document.getElementById("gateways");
  if (!table) { return; }
  var every = (parseInt(table.getAttribute("data-refresh"), 10) || 5) * 1000;
  var cols = Array.prototype.map.call(table.tHead.rows[0].cells, function (th) {
    return { key: th.getAttribute("data-key"), cls: th.getAttribute("data-td") || "", label: th.textContent };
  });
  var stale = document.getElementById("gw-stale");

  function cell(col, row) {
    var td = document.createElement("td");
    td.setAttribute("data-label", col.label);
    if (col.cls) { td.className = col.cls; }
    if (col.key === "state") {
      var span = document.createElement("span");
      span.className = "state " + row.state_css;
      span.textContent = row.state;
      td.appendChild(span);
    } else {
      td.textContent = row[col.key] == null ? "" : String(row[col.key]);
    }
    return td;
  }

  function render(data) {
    var body = document.createElement("tbody");
    data.rows.forEach(function (row) {
      var tr = document.createElement("tr");
      cols.forEach(function (col) { tr.appendChild(cell(col, row)); });
      body.appendChild(tr);
    });
    table.replaceChild(body, table.tBodies[0]);
    document.getElementById("gw-summary").textContent = data.summary;
    document.getElementById("gw-updated").textContent = data.updated;
    table.setAttribute("data-updated", data.updated);
    stale.hidden = true;
  }

  function tick() {
    fetch(table.getAttribute("data-src"), {
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-Console-Refresh": "1" }
    }).then(function (r) {
      if (r.status === 401) { window.location.reload(); return null; }
      if (!r.ok) { throw new Error("HTTP " + r.status); }
      return r.json();
    }).then(function (data) {
      if (data) { render(data); }
    }).catch(function () {
      stale.hidden = false;
    }).then(function () {
      window.setTimeout(tick, every);
    });
  }
  window.setTimeout(tick, every);
})();
