// Account page: copy a new API key to the clipboard, and ask before a key
// is revoked. Text comes from the page's data-* attributes (the
// catalogue), so this file holds no words of its own.
(function () {
  "use strict";
  Array.prototype.forEach.call(document.querySelectorAll("button[data-copy]"), function (btn) {
    btn.addEventListener("click", function () {
      var src = document.getElementById(btn.getAttribute("data-copy"));
      if (!src) { return; }
      var text = src.textContent.trim();
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
        navigator.clipboard.writeText(text).then(function () {
          said(btn.getAttribute("data-done"));
        }, fallback);
      } else {
        fallback();
      }
    });
  });
  Array.prototype.forEach.call(document.querySelectorAll("form[data-confirm]"), function (form) {
    form.addEventListener("submit", function (ev) {
      if (!window.confirm(form.getAttribute("data-confirm"))) { ev.preventDefault(); }
    });
  });
})();
