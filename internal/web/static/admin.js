// Administration pages: ask before a change that is hard to undo, copy a
// secret shown once, upload a blacklist file with a progress bar and
// follow its import. Every word comes from the page's data-* attributes
// (the catalogue), so this file holds no text of its own; without it the
// forms still work, only without the questions and the bars.
(function () {
  "use strict";
  function each(sel, fn) { Array.prototype.forEach.call(document.querySelectorAll(sel), fn); }

  // Confirmations: data-confirm is the question; data-confirm-amount has
  // {amount}, filled from the form's amount field.
  each("form[data-confirm], form[data-confirm-amount]", function (form) {
    form.addEventListener("submit", function (ev) {
      var q = form.getAttribute("data-confirm") || "";
      var tpl = form.getAttribute("data-confirm-amount");
      if (tpl) {
        var amount = form.querySelector("[name=amount]");
        q = tpl.replace("{amount}", amount ? amount.value.trim() : "");
      }
      if (q && !window.confirm(q)) { ev.preventDefault(); }
    });
  });

  // Copy a password or secret shown once.
  each("button[data-copy]", function (btn) {
    btn.addEventListener("click", function () {
      var src = document.getElementById(btn.getAttribute("data-copy"));
      if (!src) { return; }
      var label = btn.textContent;
      function said(word) {
        btn.textContent = word;
        window.setTimeout(function () { btn.textContent = label; }, 2000);
      }
      function fallback() {
        var range = document.createRange();
        range.selectNodeContents(src);
        var sel = window.getSelection();
        sel.removeAllRanges();
        sel.addRange(range);
        var ok = false;
        try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
        said(btn.getAttribute(ok ? "data-done" : "data-fail"));
      }
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(src.textContent.trim()).then(function () {
          said(btn.getAttribute("data-done"));
        }, fallback);
      } else {
        fallback();
      }
    });
  });

  // The blacklist file: upload with XMLHttpRequest to show its progress,
  // then follow the server's answer (the import's page, or the form again
  // with the reason it was refused).
  var form = document.getElementById("bl-import");
  if (form && window.FormData && window.XMLHttpRequest) {
    var box = document.getElementById("upload");
    var bar = document.getElementById("upload-progress");
    var label = document.getElementById("upload-text");
    var errBox = document.getElementById("upload-error");
    var fill = function (s, pct) { return (s || "").replace("{pct}", String(pct)); };
    form.addEventListener("submit", function (ev) {
      var input = form.querySelector("input[type=file]");
      var max = parseInt(form.getAttribute("data-max"), 10) * 1024 * 1024;
      errBox.hidden = true;
      if (input && input.files.length && max && input.files[0].size > max) {
        ev.preventDefault();
        errBox.textContent = form.getAttribute("data-too-big");
        errBox.hidden = false;
        return;
      }
      ev.preventDefault();
      var button = form.querySelector("button[type=submit]");
      button.disabled = true;
      box.hidden = false;
      bar.value = 0;
      label.textContent = fill(form.getAttribute("data-uploading"), 0);
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.getAttribute("action"));
      xhr.setRequestHeader("X-CSRF-Token", form.querySelector("input[name=csrf]").value);
      xhr.upload.addEventListener("progress", function (e) {
        if (!e.lengthComputable) { return; }
        var pct = Math.round(e.loaded * 100 / e.total);
        bar.value = pct;
        label.textContent = fill(form.getAttribute("data-uploading"), pct);
      });
      xhr.onload = function () {
        if (xhr.responseURL && xhr.responseURL.indexOf("/admin/blacklist/import/") >= 0 && xhr.status === 200) {
          window.location.assign(xhr.responseURL);
          return;
        }
        // Refused: say why, in the words of the page the server answered.
        var doc = new DOMParser().parseFromString(xhr.responseText, "text/html");
        var msg = doc.getElementById("import-error") || doc.querySelector("main .flash.error");
        button.disabled = false;
        box.hidden = true;
        errBox.textContent = msg ? msg.textContent : form.getAttribute("data-failed");
        errBox.hidden = false;
      };
      xhr.onerror = function () {
        button.disabled = false;
        box.hidden = true;
        errBox.textContent = form.getAttribute("data-failed");
        errBox.hidden = false;
      };
      xhr.send(new FormData(form));
    });
  }

  // An import's page: poll its progress until it is done.
  var job = document.getElementById("bl-job");
  if (job && !job.hasAttribute("data-finished")) {
    var jbar = document.getElementById("bl-progress");
    var jtext = document.getElementById("bl-text");
    var tick = function () {
      fetch(job.getAttribute("data-src"), {
        credentials: "same-origin",
        headers: { "Accept": "application/json", "X-Console-Refresh": "1" }
      }).then(function (r) {
        if (r.status === 401 || r.status === 404) { window.location.reload(); return null; }
        if (!r.ok) { throw new Error("HTTP " + r.status); }
        return r.json();
      }).then(function (d) {
        if (!d) { return; }
        jbar.value = d.percent;
        jtext.textContent = d.text;
        if (d.finished) {
          job.setAttribute("data-finished", "1");
          if (d.error) {
            var e = document.getElementById("bl-error");
            e.textContent = e.getAttribute("data-stopped") + " " + d.error;
            e.hidden = false;
          } else {
            document.getElementById("bl-done").hidden = false;
          }
          return;
        }
        window.setTimeout(tick, 500);
      }).catch(function () {
        window.setTimeout(tick, 2000);
      });
    };
    window.setTimeout(tick, 300);
  }
})();
