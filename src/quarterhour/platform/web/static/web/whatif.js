// The what-if page: a click on the map chooses a place (for a new facility or a move). The map
// carries its projection (data-x0 … data-oy, web/svgmap.py); the click's place fills the forms'
// hidden lon / lat fields and a marker shows it.
(function () {
  "use strict";
  var box = document.getElementById("whatif-map");
  var svg = box && box.querySelector("svg.qh-map");
  if (!svg || !svg.hasAttribute("data-scale")) {
    return;
  }
  var num = function (name) { return parseFloat(svg.getAttribute("data-" + name)); };
  var p = { x0: num("x0"), y0: num("y0"), k: num("k"), s: num("scale"), ox: num("ox"), oy: num("oy") };
  var height = svg.viewBox.baseVal.height;
  var marker = null;
  var said = document.getElementById("picked-place");
  svg.addEventListener("click", function (ev) {
    var pt = svg.createSVGPoint();
    pt.x = ev.clientX;
    pt.y = ev.clientY;
    var at = pt.matrixTransform(svg.getScreenCTM().inverse());
    var lon = p.x0 + (at.x - p.ox) / (p.k * p.s);
    var lat = p.y0 + (height - at.y - p.oy) / p.s;
    document.querySelectorAll(".js-lon").forEach(function (el) { el.value = lon.toFixed(7); });
    document.querySelectorAll(".js-lat").forEach(function (el) { el.value = lat.toFixed(7); });
    if (!marker) {
      marker = document.createElementNS("http://www.w3.org/2000/svg", "circle");
      marker.setAttribute("class", "picked");
      marker.setAttribute("r", "7");
      svg.appendChild(marker);
    }
    marker.setAttribute("cx", at.x.toFixed(1));
    marker.setAttribute("cy", at.y.toFixed(1));
    if (said) {
      // the community drawn under the click (its polygon's title: name · circles)
      var inside = "";
      var under = document.elementsFromPoint ? document.elementsFromPoint(ev.clientX, ev.clientY) : [];
      for (var i = 0; i < under.length; i++) {
        var title = under[i].tagName === "polygon" && under[i].querySelector("title");
        if (title && title.textContent) {
          inside = title.textContent.split(" · ")[0];
          break;
        }
      }
      var where = inside
        ? (said.getAttribute("data-inside") || "%(name)s").replace("%(name)s", inside)
        : (said.getAttribute("data-outside") || "");
      said.textContent = (said.getAttribute("data-picked") || "已选位置") + "：" + where +
        "（" + lon.toFixed(5) + ", " + lat.toFixed(5) + "）";
    }
  });
})();
