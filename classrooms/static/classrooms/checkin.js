/* Check-in: geolocation for rooms that ask for it, and the projector page's polling. */
(function () {
  "use strict";

  // --- phones: attach the browser's location to the check-in form --------------------------
  function locate(form) {
    var status = form.querySelector("[data-locate-status]");
    var auto = form.hasAttribute("data-auto-submit");
    var done = false;
    function finish() {
      if (done) return;
      done = true;
      if (auto) form.submit();
    }
    if (!("geolocation" in navigator)) { finish(); return; }
    if (status && auto) status.textContent = status.dataset.waiting || "…";
    navigator.geolocation.getCurrentPosition(function (position) {
      form.elements.latitude.value = position.coords.latitude;
      form.elements.longitude.value = position.coords.longitude;
      form.elements.accuracy.value = Math.round(position.coords.accuracy || 0);
      finish();
    }, finish, { enableHighAccuracy: true, timeout: 10000, maximumAge: 60000 });
  }
  document.querySelectorAll("form[data-checkin-locate]").forEach(locate);

  // --- the projector: swap QR, code, count and names every 2 s ------------------------------
  var projector = document.querySelector("[data-projector]");
  if (!projector) return;
  var url = projector.dataset.stateUrl;
  var countdown = projector.querySelector("[data-countdown]");
  var remaining = countdown ? parseInt(countdown.textContent, 10) || 0 : 0;
  var step = null;
  var timer = null;

  function text(selector, value) {
    var node = projector.querySelector(selector);
    if (node && node.textContent !== value) node.textContent = value;
  }

  function person(student, withFlags) {
    var li = document.createElement("li");
    var name = document.createElement("span");
    name.className = "name";
    name.textContent = student.name;
    var meta = document.createElement("span");
    meta.className = "help";
    // The class sees names only; numbers and flags are in the teacher's closed list.
    meta.textContent = withFlags ? student.number + " · " + student.time : student.time;
    li.append(name, " ", meta);
    var badges = withFlags ? student.flag_labels : (student.status === "late" ? [student.status_label] : []);
    badges.forEach(function (label) {
      var badge = document.createElement("span");
      badge.className = withFlags ? "badge todo" : "badge late";
      badge.textContent = label;
      li.append(" ", badge);
    });
    return li;
  }

  function list(selector, students, withFlags, emptyLabel) {
    var node = projector.querySelector(selector);
    if (!node) return;
    var items = students.map(function (s) { return person(s, withFlags); });
    if (!items.length) {
      var li = document.createElement("li");
      li.className = "empty";
      li.textContent = emptyLabel;
      items = [li];
    }
    node.replaceChildren.apply(node, items);
  }

  function render(state) {
    text("[data-state-text]", state.state_text);
    text("[data-count]", state.count_text);
    projector.querySelectorAll("[data-open-only]").forEach(function (n) { n.hidden = !state.open; });
    projector.querySelectorAll("[data-closed-only]").forEach(function (n) { n.hidden = state.open; });
    if (state.code) {
      if (state.code.step !== step) {
        step = state.code.step;
        projector.querySelector("[data-qr]").innerHTML = state.code.qr_svg;  // our own SVG
        text("[data-code]", state.code.code);
      }
      remaining = state.code.expires_in;
      if (countdown) countdown.textContent = remaining;
    }
    list("[data-names]", state.students, false, projector.dataset.labelNoOne);
    list("[data-flagged]", state.flagged, true, projector.dataset.labelNoneFlagged);
    text("[data-flagged-count]", String(state.flagged.length));
  }

  function refresh() {
    clearTimeout(timer);
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (state) { if (state) render(state); })
      .catch(function () { /* offline for a moment: try again at the next tick */ })
      .finally(function () { timer = setTimeout(refresh, 2000); });
  }

  setInterval(function () {
    if (!countdown || remaining <= 0) return;
    remaining -= 1;
    countdown.textContent = Math.max(remaining, 0);
    if (remaining <= 0) refresh();  // a new code is due: fetch it now, not at the next poll
  }, 1000);
  timer = setTimeout(refresh, 2000);
})();
