/* Lesson video player: tracks the intervals really played and reports them.
 *
 * Only time that passes while the video plays is counted: a seek closes the current
 * interval and opens a new one where playback resumes, so skipping ahead covers nothing.
 * The server merges the intervals and refuses claims faster than real time, so this
 * script is a convenience for honest students, not the guard.
 * Reports: every HEARTBEAT_MS while playing, and on pause, seek, end and page hide.
 */
(function () {
  "use strict";
  var HEARTBEAT_MS = 10000; // courses.services.progress.HEARTBEAT_SECONDS

  function messages() {
    var out = {};
    var tpl = document.getElementById("player-messages");
    if (tpl) {
      tpl.content.querySelectorAll("[data-key]").forEach(function (el) {
        out[el.getAttribute("data-key")] = el.textContent;
      });
    }
    return out;
  }

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function setup(figure, text) {
    var video = figure.querySelector("video");
    var bar = figure.querySelector(".coverage-bar");
    var barText = figure.querySelector(".coverage-text");
    var status = figure.querySelector(".player-status");
    var url = figure.getAttribute("data-report-url");
    var token = figure.getAttribute("data-token");
    var track = figure.getAttribute("data-track") === "1";
    var resumeAt = parseFloat(figure.getAttribute("data-position")) || 0;

    var pending = []; // closed intervals not yet accepted by the server
    var segStart = null; // start of the interval being played, null when not playing
    var lastTime = 0; // last playhead time seen while playing
    var inFlight = false;
    var resuming = false;

    function round(t) { return Math.round(t * 1000) / 1000; }

    function closeSegment() {
      if (segStart !== null && lastTime > segStart) pending.push([round(segStart), round(lastTime)]);
      segStart = null;
    }

    function openSegment() {
      lastTime = video.currentTime;
      segStart = video.paused || video.seeking ? null : lastTime;
    }

    // Everything played since the last report; the open interval continues from here.
    function take() {
      var out = pending;
      pending = [];
      if (segStart !== null && lastTime > segStart) {
        out.push([round(segStart), round(lastTime)]);
        segStart = lastTime;
      }
      return out;
    }

    function show(data) {
      if (typeof data.covered === "number" && bar) {
        var p = Math.floor(data.covered * 100 + 1e-9);
        bar.value = p;
        bar.textContent = p + "%";
        if (barText && text.watched) barText.textContent = text.watched.replace("{p}", p);
      }
      if (data.completed && text.completed) {
        status.textContent = text.completed;
        status.classList.add("is-done");
      } else if (data.accepted === false && data.message) {
        status.textContent = data.message;
      } else {
        status.textContent = "";
      }
    }

    function report(leaving) {
      if (!track || resuming) return;
      if (inFlight && !leaving) return; // the next heartbeat carries it
      var intervals = take();
      var body = JSON.stringify({ intervals: intervals, position: round(video.currentTime || 0), token: token });
      inFlight = true;
      fetch(url, {
        method: "POST",
        body: body,
        keepalive: !!leaving, // survives the page being closed
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() }
      }).then(function (response) {
        if (response.status >= 500 || response.status === 0) throw new Error("server");
        return response.json();
      }).then(function (data) {
        // A refused report is dropped on purpose: it would be refused again.
        show(data);
      }).catch(function () {
        pending = intervals.concat(pending); // keep it for the next report
        if (text.offline) status.textContent = text.offline;
      }).then(function () { inFlight = false; });
    }

    video.addEventListener("loadedmetadata", function () {
      if (resumeAt > 1 && resumeAt < video.duration - 1) {
        resuming = true;
        video.currentTime = resumeAt;
      }
    });
    video.addEventListener("playing", openSegment);
    // Extend the open interval to the playhead; a jump closes it instead.
    function advance() {
      if (segStart === null || video.seeking) return;
      var t = video.currentTime;
      // Normal playback moves a fraction of a second per event; a jump is not watching.
      if (t >= lastTime && t - lastTime <= 1 + 2 * (video.playbackRate || 1)) {
        lastTime = t;
      } else {
        closeSegment();
        openSegment();
      }
    }
    video.addEventListener("timeupdate", function () { if (!video.paused) advance(); });
    video.addEventListener("seeking", closeSegment);
    video.addEventListener("seeked", function () {
      if (resuming) { resuming = false; openSegment(); return; }
      openSegment();
      report(false);
    });
    video.addEventListener("pause", function () { advance(); closeSegment(); report(false); });
    video.addEventListener("ended", function () { advance(); closeSegment(); report(false); });
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") report(true);
    });
    window.setInterval(function () { if (!video.paused) report(false); }, HEARTBEAT_MS);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var text = messages();
    document.querySelectorAll("figure.player").forEach(function (figure) { setup(figure, text); });
  });
})();
