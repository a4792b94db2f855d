// The profile form's enhancements; the form works without them.
(function () {
  "use strict";
  // filter the long list of organisations while typing
  document.querySelectorAll("input[data-filter]").forEach(function (box) {
    var list = document.querySelector(box.dataset.filter);
    if (!list) return;
    box.hidden = false;
    box.addEventListener("input", function () {
      var q = box.value.toLowerCase();
      list.querySelectorAll("label").forEach(function (l) {
        l.hidden = q && l.textContent.toLowerCase().indexOf(q) < 0;
      });
    });
  });
})();
