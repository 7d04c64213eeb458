// The assessment page follows a running assessment: the status, stage and progress bar are
// refreshed every second from the progress URL (the page's data-progress-url), and the page
// reloads when the run is done or failed.
(function () {
  "use strict";
  var bar = document.getElementById("run-progress");
  var url = bar && bar.getAttribute("data-progress-url");
  if (!url) {
    return;
  }
  function tick() {
    fetch(url, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (d) {
        document.getElementById("run-status").textContent = d.status_label;
        document.getElementById("run-stage").textContent = d.stage;
        bar.value = d.percent;
        if (d.status === "done" || d.status === "failed") {
          window.location.reload();
        } else {
          setTimeout(tick, 1000);
        }
      });
  }
  setTimeout(tick, 1000);
})();
