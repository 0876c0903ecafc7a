// Send page: a live character / segment counter and price estimate for
// the text form, and an upload with a progress bar for the file form.
// The counter mirrors internal/sms Count: printable ASCII (and CR/LF) is
// sent as 7-bit text, 160 characters in one segment or 153 per part of a
// long message; anything else as UCS-2, 70 UTF-16 units in one segment or
// 67 per part, never splitting a surrogate pair. The server counts again
// (the preview button) and core.Accept decides. Text is set with
// textContent only.
(function () {
  "use strict";

  function fill(fmt, vals) {
    return fmt.replace(/\{(\w+)\}/g, function (m, k) { return vals[k] == null ? m : String(vals[k]); });
  }

  function count(text) {
    var ascii = true, i, c;
    for (i = 0; i < text.length; i++) {
      c = text.charCodeAt(i);
      if ((c < 0x20 || c > 0x7e) && c !== 10 && c !== 13) { ascii = false; break; }
    }
    if (ascii) {
      return { chars: text.length, segs: text.length <= 160 ? 1 : Math.ceil(text.length / 153), coding: "ASCII" };
    }
    var chars = 0, units = 0, segs = 1, used = 0, n;
    for (i = 0; i < text.length; i += n) {
      c = text.charCodeAt(i);
      n = (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) ? 2 : 1;
      chars++;
      units += n;
    }
    if (units > 70) {
      for (i = 0; i < text.length; i += n) {
        c = text.charCodeAt(i);
        n = (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) ? 2 : 1;
        if (used + n > 67) { segs++; used = 0; }
        used += n;
      }
    }
    return { chars: chars, segs: segs, coding: "UCS-2" };
  }

  function numbers(text) {
    return text.split(/[\n\r,;\uff0c\uff1b\u3001\t]+/).filter(function (s) { return s.trim() !== ""; }).length;
  }

  // li (0.001 yuan) as yuan with three decimals, like core.Yuan.
  function yuan(li) {
    var s = String(li % 1000);
    while (s.length < 3) { s = "0" + s; }
    return Math.floor(li / 1000) + "." + s;
  }

  var account = document.getElementById("account");
  if (account) {
    account.addEventListener("change", function () {
      var tab = document.getElementById("import-form") ? "&tab=file" : "";
      window.location.assign("/send?account=" + encodeURIComponent(account.value) + tab);
    });
  }

  var content = document.getElementById("content");
  var counter = document.getElementById("counter");
  var estimate = document.getElementById("estimate");
  var to = document.getElementById("to");
  var business = document.getElementById("business");
  if (content && counter) {
    var update = function () {
      var opt = business && business.options[business.selectedIndex];
      var fee = opt ? parseInt(opt.getAttribute("data-fee"), 10) || 0 : 0;
      var maxSegs = opt ? parseInt(opt.getAttribute("data-max"), 10) || 0 : 0;
      var text = content.value;
      if (text === "") {
        counter.textContent = counter.getAttribute("data-empty");
        counter.className = "counter";
        if (estimate) { estimate.textContent = ""; }
        return;
      }
      var c = count(text);
      counter.textContent = fill(counter.getAttribute("data-fmt"), c);
      counter.className = maxSegs && c.segs > maxSegs ? "counter over" : "counter";
      counter.setAttribute("data-segs", String(c.segs));
      if (estimate && to) {
        var n = numbers(to.value);
        estimate.textContent = fill(estimate.getAttribute("data-fmt"),
          { numbers: n, segs: c.segs, messages: n * c.segs, unit: yuan(fee), fee: yuan(n * c.segs * fee) });
      }
    };
    content.addEventListener("input", update);
    if (to) { to.addEventListener("input", update); }
    if (business) { business.addEventListener("change", update); }
    update();
  }

  // The file form: upload with XMLHttpRequest to show its progress; the
  // answer is the import's page (a redirect followed) or the form again
  // with a message, whose message is shown without losing the chosen file.
  var form = document.getElementById("import-form");
  if (!form || !window.FormData || !window.XMLHttpRequest) { return; }
  var file = document.getElementById("file");
  var box = document.getElementById("upload");
  var bar = document.getElementById("upload-progress");
  var label = document.getElementById("upload-text");
  var errBox = document.getElementById("upload-error");
  var maxBytes = (parseInt(form.getAttribute("data-max"), 10) || 20) * 1024 * 1024;
  function showError(text) {
    errBox.textContent = text;
    errBox.hidden = false;
    box.hidden = true;
    form.querySelector("button[type=submit]").disabled = false;
  }
  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    errBox.hidden = true;
    if (file.files.length && file.files[0].size > maxBytes) {
      showError(form.getAttribute("data-too-big"));
      return;
    }
    var data = new FormData(form);
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.getAttribute("action"));
    xhr.setRequestHeader("X-CSRF-Token", form.querySelector("input[name=csrf]").value);
    xhr.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable) {
        var pct = Math.floor(e.loaded * 100 / e.total);
        bar.value = pct;
        label.textContent = fill(form.getAttribute("data-uploading"), { pct: pct });
      }
    });
    xhr.addEventListener("load", function () {
      if (xhr.status === 200 && xhr.responseURL && xhr.responseURL.indexOf("/send/import/") >= 0) {
        window.location.assign(xhr.responseURL);
        return;
      }
      var doc = new DOMParser().parseFromString(xhr.responseText, "text/html");
      var flash = doc.querySelector("main .flash.error");
      if (!flash && xhr.status === 200 && xhr.responseURL) { window.location.assign(xhr.responseURL); return; }
      showError(flash ? flash.textContent : form.getAttribute("data-failed"));
    });
    xhr.addEventListener("error", function () { showError(form.getAttribute("data-failed")); });
    box.hidden = false;
    bar.value = 0;
    label.textContent = fill(form.getAttribute("data-uploading"), { pct: 0 });
    form.querySelector("button[type=submit]").disabled = true;
    xhr.send(data);
  });
})();
