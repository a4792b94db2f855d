// The profile form's enhancements; the form works without them.
(function () {
  "use strict";
  // an answer with errors: the summary takes focus (a screen reader reads it out), and each
  // of its links moves the focus to its field, scrolled so that the field's label shows too
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      if (!link) return;
      var field = document.getElementById(decodeURIComponent(link.hash.slice(1)));
      if (!field) return;
      event.preventDefault();
      var group = field.closest("fieldset");
      var label = field.type === "checkbox" && group ? group.querySelector("legend")
        : document.querySelector("label[for='" + field.id + "']");
      (label || field).scrollIntoView({block: "start"});
      field.focus({preventScroll: true});
      if (history.replaceState) history.replaceState(null, "", link.hash);
    });
  }
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
