// The query page: a CodeMirror editor over the textarea, examples, errors marked where they
// are, and the answer as a table (sortable), a chart, a map or a network. The page works
// without this script: the textarea is the form field and the answer a table.
(function () {
  "use strict";
  var form = document.getElementById("query-form");
  var textarea = document.getElementById("query");
  if (!form || !textarea) return;

  function json(id) {
    var node = document.getElementById(id);
    try { return node ? JSON.parse(node.textContent) : null; } catch (e) { return null; }
  }
  var editorData = json("editor-data") || {};
  var answer = json("answer-data");
  var viewField = document.getElementById("view-field");

  // --- the editor ---------------------------------------------------------------------------
  var editor = null;
  if (window.CrossinnovEditor) {
    var kinds = editorData.resourcePrefixes || [];
    editor = window.CrossinnovEditor.create(textarea, {
      prefixes: editorData.prefixes, terms: editorData.terms, keywords: editorData.keywords,
      label: "SPARQL query",
      lookup: function (prefix, text) {
        if (kinds.indexOf(prefix) < 0 || !editorData.complete) return Promise.resolve([]);
        var url = editorData.complete + "?prefix=" + encodeURIComponent(prefix) +
          "&q=" + encodeURIComponent(text);
        return fetch(url, {headers: {Accept: "application/json"}})
          .then(function (r) { return r.ok ? r.json() : []; })
          .catch(function () { return []; });
      },
    });
    document.documentElement.classList.add("has-editor");
  } else {
    textarea.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        if (form.requestSubmit) form.requestSubmit(); else form.submit();
      }
    });
  }
  function setQuery(text) {
    if (editor) editor.value = text; else textarea.value = text;
    (editor || textarea).focus();
  }

  // --- examples -----------------------------------------------------------------------------
  var wrap = document.getElementById("example-picker-wrap");
  var picker = document.getElementById("example-picker");
  if (wrap && picker) {
    wrap.hidden = false;
    picker.addEventListener("change", function () {
      var option = picker.options[picker.selectedIndex];
      if (option && option.dataset.query) setQuery(option.dataset.query);
    });
  }

  // --- an error, marked where it is ---------------------------------------------------------
  var message = document.getElementById("error-message");
  if (message && message.dataset.line && editor) {
    editor.showError({line: parseInt(message.dataset.line, 10),
                      column: parseInt(message.dataset.column || "1", 10),
                      message: message.textContent});
  }
  var fix = document.getElementById("apply-fix");
  if (fix && fix.dataset.fix) {
    fix.addEventListener("click", function (event) {
      event.preventDefault();
      setQuery(fix.dataset.fix + "\n" + (editor ? editor.value : textarea.value));
      if (form.requestSubmit) form.requestSubmit(); else form.submit();
    });
  }

  // --- the answer's views -------------------------------------------------------------------
  var views = document.getElementById("views");
  var tablePanel = document.getElementById("view-table");
  var share = document.getElementById("share-link");
  if (tablePanel) sortable(tablePanel.querySelector("table"));
  if (!answer || !views || !tablePanel || answer.form === "boolean") return;

  var columns = answer.columns || [], rows = answer.rows || [];
  var available = [{name: "table", label: "Table"}];
  var chartable = chartColumns();
  if (chartable) available.push({name: "chart", label: "Chart"});
  if (Object.keys(answer.places || {}).length || latLongColumns()) {
    available.push({name: "map", label: "Map"});
  }
  if (answer.form === "graph" || networkColumns()) available.push({name: "network", label: "Network"});
  if (available.length < 2) return;

  var panels = {table: tablePanel};
  available.forEach(function (view) {
    var button = document.createElement("button");
    button.type = "button";
    button.setAttribute("role", "tab");
    button.id = "tab-" + view.name;
    button.textContent = view.label;
    button.addEventListener("click", function () { show(view.name); });
    views.appendChild(button);
  });
  views.hidden = false;
  var wanted = viewField && viewField.value;
  show(available.some(function (v) { return v.name === wanted; }) ? wanted : "table");

  function show(name) {
    available.forEach(function (view) {
      var button = document.getElementById("tab-" + view.name);
      button.setAttribute("aria-selected", view.name === name ? "true" : "false");
      if (panels[view.name]) panels[view.name].hidden = view.name !== name;
    });
    if (!panels[name]) panels[name] = draw(name);
    panels[name].hidden = false;
    if (viewField) viewField.value = name;
    if (share) {
      var url = new URL(share.href, location.href);
      url.searchParams.set("view", name);
      share.href = url.toString();
    }
  }

  function panel(name) {
    var div = document.createElement("div");
    div.className = "view-panel view-" + name;
    div.id = "view-" + name;
    div.setAttribute("role", "tabpanel");
    div.setAttribute("aria-labelledby", "tab-" + name);
    tablePanel.parentNode.insertBefore(div, tablePanel.nextSibling);
    return div;
  }

  function load(src) {
    return new Promise(function (resolve, reject) {
      var base = document.querySelector('script[src*="query.js"]').src.replace(/query\.js.*$/, "");
      var script = document.createElement("script");
      script.src = base + src;
      script.onload = resolve;
      script.onerror = reject;
      document.head.appendChild(script);
    });
  }

  function text(cell) { return cell && (cell.l || cell.v) || ""; }

  // a chart: one column of labels (or IRIs), one of numbers
  function chartColumns() {
    if (answer.form !== "solutions" || !rows.length || rows.length > 200) return null;
    var number = -1, label = -1;
    columns.forEach(function (c, i) {
      var numeric = rows.every(function (r) { return r[i] && r[i].t === "number"; });
      if (numeric && number < 0) number = i;
      else if (!numeric && label < 0) label = i;
    });
    return number >= 0 && label >= 0 ? {label: label, number: number} : null;
  }

  function latLongColumns() {
    var lat = columns.findIndex(function (c) { return /^(lat|latitude)$/i.test(c); });
    var lon = columns.findIndex(function (c) { return /^(long|lon|lng|longitude)$/i.test(c); });
    return lat >= 0 && lon >= 0 ? {lat: lat, lon: lon} : null;
  }

  function networkColumns() {
    if (answer.form !== "solutions") return null;
    var iris = columns.map(function (c, i) {
      return rows.length && rows.every(function (r) { return r[i] && r[i].t === "iri"; }) ? i : -1;
    }).filter(function (i) { return i >= 0; });
    return iris.length >= 2 ? iris.slice(0, 2) : null;
  }

  function draw(name) {
    var div = panel(name);
    var status = document.createElement("p");
    status.className = "small muted";
    status.textContent = "Loading the " + name + " view…";
    div.appendChild(status);
    var done = function () { status.remove(); };
    var failed = function () { status.textContent = "The " + name + " view could not be loaded."; };
    if (name === "chart") load("vendor/chart.umd.min.js").then(function () { done(); chart(div); }, failed);
    if (name === "map") load("vendor/leaflet/leaflet.js").then(function () { done(); map(div); }, failed);
    if (name === "network") load("vendor/cytoscape.min.js").then(function () { done(); network(div); }, failed);
    return div;
  }

  function chart(div) {
    var canvas = document.createElement("canvas");
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", "Bar chart of " + columns[chartable.number] + " by " +
                        columns[chartable.label]);
    var box = document.createElement("div");
    box.className = "chart-box";
    box.style.height = Math.max(240, rows.length * 22 + 60) + "px";
    box.appendChild(canvas);
    div.appendChild(box);
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: rows.map(function (r) { return text(r[chartable.label]); }),
        datasets: [{label: columns[chartable.number], backgroundColor: "#1f5fa8",
                    data: rows.map(function (r) { return parseFloat(r[chartable.number].v); })}],
      },
      options: {indexAxis: "y", maintainAspectRatio: false, animation: false,
                plugins: {legend: {display: false}}},
    });
  }

  function map(div) {
    var box = document.createElement("div");
    box.className = "map-box";
    div.appendChild(box);
    var L = window.L;
    var m = L.map(box, {scrollWheelZoom: false});
    var points = [];
    var counts = {};
    rows.forEach(function (r) {
      r.forEach(function (cell) {
        var place = cell && answer.places && answer.places[cell.v];
        if (place) counts[cell.v] = (counts[cell.v] || 0) + 1;
      });
    });
    Object.keys(counts).forEach(function (iri) {
      var p = answer.places[iri];
      points.push([p[0], p[1], p[2] + ": " + counts[iri] + (counts[iri] === 1 ? " row" : " rows")]);
    });
    var ll = latLongColumns();
    if (ll) rows.forEach(function (r) {
      var lat = parseFloat(r[ll.lat] && r[ll.lat].v), lon = parseFloat(r[ll.lon] && r[ll.lon].v);
      if (!isNaN(lat) && !isNaN(lon)) points.push([lat, lon, text(r[0])]);
    });
    var layer = L.featureGroup(points.map(function (p) {
      return L.circleMarker([p[0], p[1]], {radius: 8, color: "#1f5fa8", weight: 2, fillOpacity: 0.6})
        .bindTooltip(p[2]);
    })).addTo(m);
    if (points.length) m.fitBounds(layer.getBounds().pad(0.3), {maxZoom: 8});
    else m.setView([50, 10], 4);
    // OpenStreetMap's tiles when this browser is online; the points alone when not
    L.tileLayer("https://tile.openstreetmap.org/{z}/{x}/{y}.png", {
      maxZoom: 18, attribution: "© OpenStreetMap contributors",
    }).addTo(m);
  }

  function network(div) {
    var box = document.createElement("div");
    box.className = "network-box";
    div.appendChild(box);
    var nodes = {}, edges = [];
    function node(cell) {
      var id = cell.v;
      if (!nodes[id]) nodes[id] = {data: {id: id, label: text(cell).slice(0, 40), href: cell.h || null}};
      return id;
    }
    if (answer.form === "graph") {
      rows.forEach(function (r, i) {
        if (r[2] && (r[2].t === "iri" || r[2].t === "bnode")) {
          edges.push({data: {id: "e" + i, source: node(r[0]), target: node(r[2]), label: text(r[1])}});
        }
      });
    } else {
      var pair = networkColumns();
      rows.forEach(function (r, i) {
        edges.push({data: {id: "e" + i, source: node(r[pair[0]]), target: node(r[pair[1]])}});
      });
    }
    // Cytoscape adds a <style> of its own: it gets the page's style nonce (see the CSP)
    var nonce = (document.querySelector('meta[name="csp-nonce"]') || {}).content;
    var create = document.createElement;
    document.createElement = function (tag) {
      var element = create.apply(document, arguments);
      if (nonce && String(tag).toLowerCase() === "style") element.setAttribute("nonce", nonce);
      return element;
    };
    var cy;
    try {
      cy = window.cytoscape({
      container: box, elements: Object.values(nodes).concat(edges),
      style: [
        {selector: "node", style: {"label": "data(label)", "font-size": 10, "background-color": "#1f5fa8",
                                   "width": 14, "height": 14, "color": "#1c2330"}},
        {selector: "edge", style: {"width": 1, "line-color": "#9aa5b8", "curve-style": "bezier",
                                   "target-arrow-shape": "triangle", "target-arrow-color": "#9aa5b8"}},
      ],
      layout: {name: "cose", animate: false},
      });
    } finally {
      document.createElement = create;
    }
    cy.on("tap", "node", function (event) {
      var href = event.target.data("href");
      if (href) location.href = href;
    });
  }

  // --- a table that sorts by a click on its column heads ---------------------------------------
  function sortable(table) {
    if (!table) return;
    var heads = table.tHead ? table.tHead.rows[0].cells : [];
    Array.prototype.forEach.call(heads, function (th, index) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      button.textContent = th.textContent;
      th.textContent = "";
      th.appendChild(button);
      button.addEventListener("click", function () {
        var body = table.tBodies[0], dir = th.getAttribute("aria-sort") === "ascending" ? -1 : 1;
        Array.prototype.forEach.call(heads, function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", dir === 1 ? "ascending" : "descending");
        var sorted = Array.prototype.slice.call(body.rows).sort(function (a, b) {
          var x = a.cells[index].textContent.trim(), y = b.cells[index].textContent.trim();
          var nx = parseFloat(x), ny = parseFloat(y);
          if (!isNaN(nx) && !isNaN(ny) && /^-?[\d.]/.test(x) && /^-?[\d.]/.test(y)) return dir * (nx - ny);
          return dir * x.localeCompare(y);
        });
        sorted.forEach(function (r) { body.appendChild(r); });
      });
    });
  }
})();
