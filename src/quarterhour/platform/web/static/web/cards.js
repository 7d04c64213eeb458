// Lists on a phone: each row of a plain list table becomes a card, each value beside its
// column's heading (the CSS of table.row-cards, site.css), so nothing scrolls sideways. Tables
// whose rows carry their labels already (data-label, written by the server) are left as they are,
// and so are tables a card cannot say plainly: more than one heading row, a heading spanning
// columns, a heading cell inside the body, or a row of another width than the headings (but a
// note across the whole table).
(function () {
  "use strict";
  function headings(table) {
    var head = table.tHead;
    if (!head || head.rows.length !== 1) return null;
    var out = [];
    var cells = head.rows[0].cells;
    for (var i = 0; i < cells.length; i++) {
      if (cells[i].colSpan !== 1 || cells[i].rowSpan !== 1) return null;
      out.push(cells[i].textContent.replace(/\s+/g, " ").trim());
    }
    return out;
  }
  // a row of one cell across the table ("无", a note): a card of its own, without a heading
  function note(row, width) {
    return row.cells.length === 1 && width > 1 && row.cells[0].colSpan >= width;
  }
  function card(table) {
    if (table.classList.contains("row-cards") || table.querySelector("tbody th, td[data-label]")) return;
    var labels = headings(table);
    if (!labels) return;
    // the rows of every body (the card CSS makes them all cards), checked before any is labelled
    var rows = table.querySelectorAll(":scope > tbody > tr");
    var labelled = [];
    for (var r = 0; r < rows.length; r++) {
      if (note(rows[r], labels.length)) continue;
      if (rows[r].cells.length !== labels.length) return;
      labelled.push(rows[r]);
    }
    labelled.forEach(function (row) {
      for (var c = 0; c < labels.length; c++) row.cells[c].setAttribute("data-label", labels[c]);
    });
    table.classList.add("row-cards");
  }
  function all() {
    document.querySelectorAll("main table.list").forEach(card);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", all);
  else all();
})();
