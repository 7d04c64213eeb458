// The card's print button (no inline handlers: the pages' CSP forbids them).
(function () {
  "use strict";
  var button = document.getElementById("print");
  if (button) {
    button.addEventListener("click", function () { window.print(); });
  }
})();
