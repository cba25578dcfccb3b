// Sorting and filtering for the report's long tables, offline and dependency-free.
// A table with class "sortable" gets a button in each header cell: one click sorts ascending, the
// next descending (aria-sort says which). A table with class "filterable" gets a search box that
// hides rows not containing the typed text. Without JavaScript the tables read as they are.
(function () {
  "use strict";
  function cellValue(row, index) {
    var cell = row.cells[index];
    if (!cell) return "";
    return (cell.getAttribute("data-sort") || cell.textContent || "").trim();
  }
  function compare(a, b) {
    var x = parseFloat(a), y = parseFloat(b);
    var numeric = /^-?[\d.]+$/;
    if (numeric.test(a) && numeric.test(b) && !isNaN(x) && !isNaN(y)) return x - y;
    return a.localeCompare(b, undefined, { numeric: true, sensitivity: "base" });
  }
  function makeSortable(table) {
    var head = table.tHead;
    if (!head || !table.tBodies.length) return;
    Array.prototype.forEach.call(head.rows[0].cells, function (th, index) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      while (th.firstChild) button.appendChild(th.firstChild);
      th.appendChild(button);
      button.addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(head.rows[0].cells, function (other) {
          other.removeAttribute("aria-sort");
        });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (r1, r2) {
          var order = compare(cellValue(r1, index), cellValue(r2, index));
          return ascending ? order : -order;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  }
  function makeFilterable(table, number) {
    var label = document.createElement("label");
    label.className = "table-filter";
    label.textContent = "Filter rows ";
    var input = document.createElement("input");
    input.type = "search";
    input.id = "filter-" + number;
    input.setAttribute("aria-controls", table.id || "");
    label.appendChild(input);
    table.parentNode.insertBefore(label, table.closest(".table-scroll") || table);
    input.addEventListener("input", function () {
      var needle = input.value.trim().toLowerCase();
      Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
        row.hidden = needle !== "" && row.textContent.toLowerCase().indexOf(needle) === -1;
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("table.sortable").forEach(makeSortable);
    document.querySelectorAll("table.filterable").forEach(makeFilterable);
  });
})();
