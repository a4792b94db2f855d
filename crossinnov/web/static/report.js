// The cluster report: click a column head to sort its table (the page reads fine without it).
// Numeric columns sort by the cell's data-value when it has one, else by its first number.
(function () {
  "use strict";
  function key(cell, numeric) {
    if (!cell) return numeric ? -1 : "";
    var text = cell.dataset.value !== undefined ? cell.dataset.value : cell.textContent.trim();
    if (!numeric) return text.toLowerCase();
    var n = parseFloat(text);
    return isNaN(n) ? -1 : n;
  }
  document.querySelectorAll("table.sortable th[data-sort]").forEach(function (th) {
    th.tabIndex = 0;
    function sort() {
      var body = th.closest("table").tBodies[0], numeric = th.dataset.sort === "n";
      var index = Array.prototype.indexOf.call(th.parentNode.children, th);
      var rows = Array.from(body.rows), dir = th.dataset.dir === "asc" ? -1 : 1;
      th.dataset.dir = dir === 1 ? "asc" : "desc";
      rows.sort(function (a, b) {
        var x = key(a.cells[index], numeric), y = key(b.cells[index], numeric);
        if (numeric) return dir * (x - y);
        return dir * x.localeCompare(y);
      });
      rows.forEach(function (r) { body.appendChild(r); });
    }
    th.addEventListener("click", sort);
    th.addEventListener("keydown", function (e) { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); sort(); } });
  });
})();
