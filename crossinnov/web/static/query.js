// The query editor: pick an example, run with Ctrl/Cmd+Enter. The page works without it.
(function () {
  "use strict";
  var form = document.getElementById("query-form");
  var editor = document.getElementById("query");
  var wrap = document.getElementById("example-picker-wrap");
  var picker = document.getElementById("example-picker");
  if (!form || !editor) return;

  if (wrap && picker) {
    wrap.hidden = false;
    picker.addEventListener("change", function () {
      var option = picker.options[picker.selectedIndex];
      if (option && option.dataset.query) {
        editor.value = option.dataset.query;
        editor.focus();
      }
    });
  }

  editor.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      if (form.requestSubmit) form.requestSubmit(); else form.submit();
    }
  });
})();
