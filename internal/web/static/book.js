// Address book and inbox: ask before deleting (forms with data-confirm).
(function () {
  "use strict";
  Array.prototype.forEach.call(document.querySelectorAll("form[data-confirm]"), function (form) {
    form.addEventListener("submit", function (ev) {
      if (!window.confirm(form.getAttribute("data-confirm"))) { ev.preventDefault(); }
    });
  });
})();

// The contact form's fields: "add a field" copies the empty pair, × takes
// a pair away (without script the empty pair is always there, and a pair
// emptied is removed when saved).
(function () {
  "use strict";
  var box = document.getElementById("c-fields");
  if (!box) { return; }
  var add = document.getElementById("c-field-add");
  var blank = box.querySelector(".bk-fnew");
  function wire(pair) {
    var rm = pair.querySelector(".bk-fremove");
    rm.addEventListener("click", function () {
      if (box.querySelectorAll(".bk-fpair").length > 1) {
        pair.parentNode.removeChild(pair);
      } else {
        Array.prototype.forEach.call(pair.querySelectorAll("input"), function (i) { i.value = ""; });
      }
    });
  }
  Array.prototype.forEach.call(box.querySelectorAll(".bk-fpair"), wire);
  add.hidden = false;
  add.addEventListener("click", function () {
    var pair = blank.cloneNode(true);
    Array.prototype.forEach.call(pair.querySelectorAll("input"), function (i) { i.value = ""; });
    add.parentNode.insertBefore(pair, add);
    wire(pair);
    pair.querySelector("input").focus();
  });
})();
