/* Quiz screens: autosave on change, a countdown from the server's deadline, and buttons
   that disable themselves so a double click sends one request. Plain JS, no build step.
   Without JS everything still works: the answers travel with the submit form. */
(function () {
  "use strict";

  // Buttons marked data-once: one click, one request.
  document.querySelectorAll("form").forEach(function (form) {
    form.addEventListener("submit", function () {
      form.querySelectorAll("button[data-once]").forEach(function (button) {
        // Disable after the browser has taken the click into the submission.
        window.setTimeout(function () { button.disabled = true; }, 0);
      });
    });
  });

  var form = document.querySelector("form.quiz-form");
  if (!form) { return; }
  var url = form.getAttribute("data-autosave-url");
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var status = document.querySelector("[data-save-status]");
  var submitting = false;

  function say(kind) {
    if (status) { status.textContent = status.getAttribute("data-" + kind + "-text") || ""; }
  }

  function responseOf(fieldset) {
    var kind = fieldset.getAttribute("data-kind");
    if (kind === "multiple") {
      return Array.prototype.map.call(
        fieldset.querySelectorAll("input:checked"), function (el) { return el.value; });
    }
    if (kind === "single" || kind === "true_false") {
      var checked = fieldset.querySelector("input:checked");
      if (!checked) { return null; }
      return kind === "true_false" ? checked.value === "true" : checked.value;
    }
    var input = fieldset.querySelector("input.text-answer, textarea.text-answer");
    return input ? input.value : "";
  }

  function save(fieldset) {
    if (submitting) { return; }
    var error = fieldset.querySelector("[data-error]");
    say("saving");
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify({
        question: fieldset.getAttribute("data-question"),
        response: responseOf(fieldset)
      })
    }).then(function (reply) {
      return reply.json().then(function (data) { return { ok: reply.ok, data: data }; });
    }).then(function (result) {
      if (result.ok) {
        if (error) { error.hidden = true; error.textContent = ""; }
        say("saved");
        return;
      }
      if (result.data.redirect) { window.location.assign(result.data.redirect); return; }
      if (error) { error.hidden = false; error.textContent = result.data.error || ""; }
      say("failed");
    }).catch(function () { say("failed"); });
  }

  var timers = {};
  form.querySelectorAll("fieldset[data-question]").forEach(function (fieldset) {
    var key = fieldset.getAttribute("data-question");
    fieldset.addEventListener("change", function () { save(fieldset); });
    fieldset.addEventListener("input", function (event) {
      if (!event.target.classList.contains("text-answer")) { return; }
      window.clearTimeout(timers[key]);
      timers[key] = window.setTimeout(function () { save(fieldset); }, 1500);
    });
  });
  form.addEventListener("submit", function () { submitting = true; });

  // Countdown from the seconds the server computed; the server enforces the deadline.
  var timer = document.querySelector("[data-seconds-left]");
  if (timer) {
    var shown = timer.querySelector("[data-countdown]");
    var endsAt = Date.now() + parseInt(timer.getAttribute("data-seconds-left"), 10) * 1000;
    var tick = function () {
      var left = Math.max(0, Math.round((endsAt - Date.now()) / 1000));
      var minutes = Math.floor(left / 60);
      var seconds = left % 60;
      shown.textContent = minutes + ":" + (seconds < 10 ? "0" : "") + seconds;
      if (left <= 60) { timer.classList.add("urgent"); }
      if (left === 0) {
        window.clearInterval(handle);
        if (!submitting) { submitting = true; form.requestSubmit ? form.requestSubmit() : form.submit(); }
      }
    };
    var handle = window.setInterval(tick, 1000);
    tick();
  }
})();
