// "Near me" map: Leaflet from the django-leaflet wheel; tiles only when configured, otherwise
// the walk network and places are drawn as vector layers. Clicking the map picks a point.
(function () {
  "use strict";
  var el = document.getElementById("map");
  if (!el || typeof L === "undefined") { return; }
  // data come in the map element's attributes (no inline script: the pages' CSP forbids it)
  var cfg = JSON.parse(el.dataset.config || "{}");
  var near = el.dataset.near ? JSON.parse(el.dataset.near) : null;
  var map = L.map(el, { keyboard: true, attributionControl: true, zoomSnap: 0.25 });
  map.attributionControl.setPrefix(false);
  (cfg.tiles || []).forEach(function (url) {
    L.tileLayer(url, { subdomains: cfg.subdomains || "abc", attribution: cfg.attribution, maxZoom: 19 }).addTo(map);
  });
  var elderly = document.getElementById("elderly");

  function go(lon, lat) {
    var q = "?lon=" + lon.toFixed(6) + "&lat=" + lat.toFixed(6);
    if (elderly && elderly.checked) { q += "&elderly=1"; }
    window.location.assign(q);
  }
  map.on("click", function (e) { go(e.latlng.lng, e.latlng.lat); });
  if (elderly) {
    elderly.addEventListener("change", function () {
      if (near) { go(near.lon, near.lat); } else if (elderly.form) { elderly.form.submit(); }
    });
  }
  var locate = document.getElementById("locate");
  if (locate && navigator.geolocation) {
    locate.addEventListener("click", function () {
      navigator.geolocation.getCurrentPosition(function (pos) {
        go(pos.coords.longitude, pos.coords.latitude);
      });
    });
  }

  var base = L.layerGroup().addTo(map);
  function loadNetwork() {
    if (!cfg.vector) { return; }
    var b = map.getBounds();
    var url = el.dataset.networkUrl + "?bbox=" + [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (x) { return x.toFixed(5); }).join(",");
    fetch(url).then(function (r) { return r.json(); }).then(function (g) {
      base.clearLayers();
      if (g.coordinates && g.coordinates.length) {
        L.geoJSON(g, { style: { color: "#9a9a9a", weight: 1 }, interactive: false }).addTo(base);
      }
    });
  }

  if (!near) {
    // open on the loaded data: the box the walk network covers
    var b = cfg.bounds;
    if (b) {
      map.fitBounds([[b[1], b[0]], [b[3], b[2]]], { padding: [8, 8] });
    } else {
      map.setView([0, 0], 2);
    }
    map.on("moveend", loadNetwork);
    loadNetwork();
    return;
  }
  var here = L.latLng(near.lat, near.lon);
  map.setView(here, 15);
  L.circleMarker(here, { radius: 8, color: "#c00", fillOpacity: 1 }).addTo(map).bindTooltip(el.dataset.hereLabel || "📍");
  var markers = {};
  near.facilities.forEach(function (f) {
    markers[f.id] = L.circleMarker([f.lat, f.lon], { radius: 6, color: "#0b5cad", fillOpacity: 0.9 })
      .addTo(map).bindTooltip(f.name + " · " + f.minutes + " min");
  });
  var url = el.dataset.nearUrl + "?lon=" + near.lon + "&lat=" + near.lat + (near.elderly ? "&elderly=1" : "");
  fetch(url).then(function (r) { return r.json(); }).then(function (g) {
    if (!g.isochrone) { return; }
    if (cfg.vector && g.network) {
      L.geoJSON(g.network, { style: { color: "#777", weight: 1.5 }, interactive: false }).addTo(base);
    }
    var iso = L.geoJSON(g.isochrone, { style: { color: "#1d7a1d", weight: 1, fillOpacity: 0.2 }, interactive: false }).addTo(map);
    iso.getLayers().forEach(function (l) { l.getElement && l.getElement() && l.getElement().classList.add("isochrone"); });
    el.dataset.area = String(g.area_m2);
    el.classList.add("isochrone-ready");
    map.fitBounds(iso.getBounds(), { padding: [10, 10] });
  });
  var route = null;
  document.querySelectorAll("button.route").forEach(function (btn) {
    btn.addEventListener("click", function () {
      var u = el.dataset.routeUrl + "?lon=" + near.lon + "&lat=" + near.lat + "&facility=" + btn.dataset.facility + (near.elderly ? "&elderly=1" : "");
      fetch(u).then(function (r) { return r.json(); }).then(function (g) {
        if (route) { map.removeLayer(route); }
        if (!g.route) { return; }
        route = L.geoJSON(g.route, { style: { color: "#c05000", weight: 4 } }).addTo(map);
        el.dataset.route = String(g.metres);
        el.scrollIntoView({ behavior: "smooth" });
      });
    });
  });
})();
