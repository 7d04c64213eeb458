// A button marked data-print prints the page (no inline handler: the site's CSP forbids them).
(function () {
  "use strict";
  var buttons = document.querySelectorAll("[data-print]");
  for (var i = 0; i < buttons.length; i++) {
    buttons[i].addEventListener("click", function () { window.print(); });
  }
})();
