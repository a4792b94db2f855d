// Small enhancements of every page; everything works without them.
(function () {
  "use strict";
  // base.html loads this on every page; a page may name it again: run once
  if (window.crossinnovSite) return;
  window.crossinnovSite = true;

  // The header's menu is a <details>, open in the markup (so it works without JavaScript):
  // folded on narrow screens, always open on wide ones (its "Menu" button is hidden there).
  var menu = document.querySelector("details.site-menu");
  if (menu && window.matchMedia) {
    var narrow = window.matchMedia("(max-width: 52rem)");
    var fit = function () { menu.open = !narrow.matches; };
    fit();
    if (narrow.addEventListener) narrow.addEventListener("change", fit);
    // Escape closes the open menu on a narrow screen and gives the focus back to its button
    menu.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && narrow.matches && menu.open) {
        menu.open = false;
        menu.querySelector("summary").focus();
      }
    });
  }

  // A browse list's filters on a phone: fold the fields nothing is chosen in, so that the
  // rows are not pushed far down
  if (window.matchMedia && window.matchMedia("(max-width: 52rem)").matches) {
    document.querySelectorAll(".list-filters details.facet[open]").forEach(function (facet) {
      if (!facet.querySelector("input:checked")) facet.open = false;
    });
  }

  // A table wider than the screen scrolls inside its .table-wrap: make such a wrapper a
  // named region that takes the focus, so that it can be scrolled from the keyboard
  // (WCAG 2.1.1); wrappers that fit get no extra tab stop
  var wraps = document.querySelectorAll(".table-wrap");
  var focusable = function () {
    wraps.forEach(function (wrap) {
      if (wrap.scrollWidth > wrap.clientWidth + 1) {
        wrap.tabIndex = 0;
        wrap.setAttribute("role", "region");
        if (!wrap.hasAttribute("aria-label")) {
          var caption = wrap.querySelector("caption");
          var heading = wrap.previousElementSibling;
          while (heading && !/^H[1-6]$/.test(heading.tagName)) heading = heading.previousElementSibling;
          var name = caption ? caption.textContent : heading ? heading.textContent : "Table";
          wrap.setAttribute("aria-label", name.trim() + " (scrolls sideways)");
        }
      } else if (wrap.getAttribute("role") === "region") {
        wrap.removeAttribute("tabindex");
        wrap.removeAttribute("role");
        wrap.removeAttribute("aria-label");
      }
    });
  };
  if (wraps.length) {
    focusable();
    window.addEventListener("resize", focusable);
  }

  // Copy buttons (the identifier of a resource page)
  document.querySelectorAll("button.copy[data-copy]").forEach(function (button) {
    var field = document.getElementById(button.dataset.copy);
    if (!field || !navigator.clipboard) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(field.value || field.textContent.trim()).then(function () {
        button.textContent = "Copied";
        setTimeout(function () { button.textContent = "Copy"; }, 1500);
      });
    });
  });
})();
