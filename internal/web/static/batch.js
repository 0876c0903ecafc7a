// Batch page: poll the status JSON every 2 s while the batch still moves
// and update the bars, the counts per state, the failure reasons and the
// cancel button in place (textContent only, never HTML). Stops once every
// message is final and nothing is being handed over.
(function () {
  "use strict";
  var box = document.getElementById("batch");
  if (!box) { return; }
  var every = (parseInt(box.getAttribute("data-refresh"), 10) || 2) * 1000;
  function $(id) { return document.getElementById(id); }

  function setBar(id, value, max, text) {
    var bar = $(id);
    if (!bar) { return; }
    bar.max = Math.max(max, 1);
    bar.value = value;
    $(id + "-text").textContent = text;
  }

  function counts(list) {
    var dl = $("b-counts");
    var have = {};
    Array.prototype.forEach.call(dl.children, function (el) { have[el.getAttribute("data-key")] = el; });
    list.forEach(function (c) {
      var el = have[c.key];
      if (!el) {
        el = document.createElement("div");
        el.setAttribute("data-key", c.key);
        el.appendChild(document.createElement("dt"));
        el.appendChild(document.createElement("dd"));
        dl.appendChild(el);
      }
      el.className = "count " + c.css + (c.n ? "" : " zero");
      el.firstChild.textContent = c.label;
      el.lastChild.textContent = String(c.n);
    });
  }

  function reasons(list) {
    var table = $("b-reasons");
    var body = document.createElement("tbody");
    list.forEach(function (r) {
      var tr = document.createElement("tr");
      var a = document.createElement("td"), b = document.createElement("td");
      a.setAttribute("data-label", table.getAttribute("data-label-reason"));
      b.setAttribute("data-label", table.getAttribute("data-label-n"));
      b.className = "num";
      a.textContent = r.label;
      b.textContent = String(r.n);
      tr.appendChild(a);
      tr.appendChild(b);
      body.appendChild(tr);
    });
    table.replaceChild(body, table.tBodies[0]);
    $("b-no-failures").hidden = list.length > 0;
  }

  function refused(list) {
    var ul = $("b-refused");
    while (ul.firstChild) { ul.removeChild(ul.firstChild); }
    list.forEach(function (r) {
      var li = document.createElement("li");
      li.textContent = r.label + " · " + r.n;
      ul.appendChild(li);
    });
    $("b-refused-wrap").hidden = list.length === 0;
  }

  function render(d) {
    var state = $("b-state");
    state.textContent = d.state_text;
    state.className = "state " + d.state_css;
    setBar("b-handed", d.handed, d.total, d.handed_text);
    setBar("b-final", d.final, d.total, d.final_text);
    counts(d.counts);
    reasons(d.reasons);
    refused(d.refused);
    var stop = $("b-stop");
    stop.textContent = d.stop_text;
    stop.hidden = !d.stop_text;
    var cancel = $("cancel-form");
    if (cancel) { cancel.hidden = !(d.waiting > 0 || d.state === "sending"); }
    $("b-updated").textContent = d.updated;
    box.setAttribute("data-live", String(d.live));
    box.setAttribute("data-polled", d.updated);
  }

  function tick() {
    fetch(box.getAttribute("data-src"), {
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-Console-Refresh": "1" }
    }).then(function (r) {
      if (r.status === 401) { window.location.reload(); return null; }
      if (!r.ok) { throw new Error("HTTP " + r.status); }
      return r.json();
    }).then(function (d) {
      if (!d) { return; }
      render(d);
      if (d.live) { window.setTimeout(tick, every); }
    }).catch(function () {
      window.setTimeout(tick, every * 2);
    });
  }
  if (box.getAttribute("data-live") === "true") { window.setTimeout(tick, every); }
})();
