// Pickers: a text box with suggestions; choosing one fills the hidden id (core/picking.py).
(function () {
  "use strict";
  function wire(input) {
    var list = document.getElementById(input.getAttribute("list"));
    var hidden = document.getElementById(input.dataset.target);
    var timer = null;
    var asked = "";
    function choose() {
      hidden.value = "";
      for (var i = 0; i < list.options.length; i++) {
        if (list.options[i].value === input.value) {
          hidden.value = list.options[i].dataset.id;
          return;
        }
      }
    }
    function refresh() {
      var q = input.value.trim();
      if (q === asked) return;
      asked = q;
      fetch(input.dataset.url + "?q=" + encodeURIComponent(q), {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      })
        .then(function (r) { return r.ok ? r.json() : { results: [] }; })
        .then(function (data) {
          if (q !== asked) return;
          list.textContent = "";
          data.results.forEach(function (c) {
            var o = document.createElement("option");
            o.value = c.label;
            o.dataset.id = String(c.id);
            o.textContent = c.detail;
            list.appendChild(o);
          });
          choose();
        })
        .catch(function () {});
    }
    input.addEventListener("input", function () {
      choose();
      clearTimeout(timer);
      // a suggestion was taken: keep it (asking again with its whole label finds nothing)
      if (hidden.value) return;
      timer = setTimeout(refresh, 200);
    });
    input.addEventListener("change", choose);
  }
  function init() {
    document.querySelectorAll("input[data-picker]").forEach(wire);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
