// The student's phone: check-in status, the current poll with big answer buttons, the
// result once closed, bullet comments, questions with votes, raising a hand.
import { LiveClient } from "./client.js";
import {
  answerText,
  changed,
  correctText,
  errorMessage,
  fill,
  h,
  notify,
  optionLabels,
  readJson,
  resultsChart,
  runCountdown,
  showStatus,
  t,
} from "./ui.js";

const config = readJson("live-config");
const choice = new Map(); // poll id -> what the student has picked but not yet sent

const client = new LiveClient({
  path: config.socket,
  storageKey: `rongke-live:${config.session}:${config.user}`,
  loginUrl: config.login,
  onStatus(status, detail) {
    showStatus(status, detail);
    render(client.state);
  },
  onChange: render,
  onFrame(frame, state, result) {
    const fresh = Boolean(result && result.applied);
    if (frame.type === "call" && fresh && state.me && frame.student.id === state.me.id) {
      notify(t("you_are_called"), "success");
    }
  },
  onError(frame) {
    notify(errorMessage(frame));
  },
});

function render(state) {
  if (!state) return;
  const on = client.connected;
  if (changed("checkin", state.checkin, state.me)) renderCheckin(state);
  renderPoll(state);
  if (changed("call", state.calls)) renderCall(state);
  if (changed("questions", on, state.questions)) renderQuestions(state);
  renderHand(state);
  renderForms(state);
}

function renderCheckin(state) {
  const checkin = state.checkin || {};
  const me = state.me || {};
  fill(
    "checkin",
    me.checked_in
      ? h("p", { class: "live-ok" }, t("checked_in"))
      : h("p", {}, checkin.open ? t("not_checked_in") : t("checkin_closed")),
    !me.checked_in && checkin.open
      ? h("a", { class: "button", href: config.urls.checkin_code }, t("check_in_now"))
      : null,
    h("p", { class: "help" }, t("checked_in_count", { n: checkin.count ?? 0, of: checkin.enrolled ?? 0 })),
  );
}

// --- the poll ------------------------------------------------------------------------------
function renderPoll(state) {
  const poll = state.poll;
  const pending = poll ? client.pendingAnswer(poll.id) : null;
  // Redraw only when something the student sees changed, so a half-typed answer survives
  // the comments and votes arriving meanwhile.
  const picked = [...(choice.get(poll && poll.id) || [])];
  if (!changed("poll", poll, pending, client.connected, picked)) return;
  if (!poll) {
    fill("poll", h("p", { class: "empty" }, t("no_poll")));
    return;
  }
  const parts = [
    h("p", { class: "live-kind" }, t(`kind_${poll.kind}`), " ", h("span", { "data-countdown": true })),
    h("h2", { class: "live-prompt" }, poll.prompt),
  ];
  const answer = pending ? pending.value : poll.your_answer;
  if (poll.status === "open" && answer === null && !pending) {
    parts.push(answerForm(poll));
  } else if (answer !== null && answer !== undefined) {
    parts.push(h("p", { class: "live-your-answer" }, t("your_answer", { answer: answerText(poll, answer) })));
    if (pending) parts.push(h("p", { class: "help" }, client.connected ? t("sending") : t("kept_offline")));
  }
  if (poll.status === "closed") {
    if (poll.your_answer === null && !pending) parts.push(h("p", {}, t("you_did_not_answer")));
    if (poll.you_were_right === true) parts.push(h("p", { class: "live-right" }, t("you_were_right")));
    if (poll.you_were_right === false) parts.push(h("p", { class: "live-wrong" }, t("you_were_wrong")));
    const correct = correctText(poll);
    if (correct) parts.push(h("p", {}, correct));
    parts.push(resultsChart(poll));
  }
  fill("poll", parts);
}

function answerForm(poll) {
  const picked = choice.get(poll.id) || new Set();
  const send = (value) => {
    client.answer(poll.id, value);
    choice.delete(poll.id);
    render(client.state);
  };
  if (poll.kind === "single" || poll.kind === "true_false") {
    const values = poll.kind === "true_false" ? [true, false] : poll.options.map((_, i) => i);
    const labels = optionLabels(poll);
    return h(
      "div",
      { class: "live-answers" },
      values.map((value, i) =>
        h(
          "button",
          {
            type: "button",
            class: picked.has(i) ? "live-answer is-picked" : "live-answer",
            "aria-pressed": picked.has(i) ? "true" : "false",
            onclick: () => {
              choice.set(poll.id, new Set([i]));
              render(client.state);
            },
          },
          labels[i],
        ),
      ),
      h(
        "button",
        {
          type: "button",
          class: "button live-submit",
          disabled: picked.size !== 1,
          onclick: () => send(values[[...picked][0]]),
        },
        t("submit"),
      ),
    );
  }
  if (poll.kind === "multiple") {
    const labels = optionLabels(poll);
    return h(
      "div",
      { class: "live-answers" },
      labels.map((label, i) =>
        h(
          "button",
          {
            type: "button",
            class: picked.has(i) ? "live-answer is-picked" : "live-answer",
            "aria-pressed": picked.has(i) ? "true" : "false",
            onclick: () => {
              const next = new Set(picked);
              if (next.has(i)) next.delete(i);
              else next.add(i);
              choice.set(poll.id, next);
              render(client.state);
            },
          },
          label,
        ),
      ),
      h(
        "button",
        {
          type: "button",
          class: "button live-submit",
          disabled: picked.size === 0,
          onclick: () => send([...picked].sort((a, b) => a - b)),
        },
        t("submit"),
      ),
    );
  }
  // short text and word cloud
  const limit = poll.kind === "word_cloud" ? 40 : 200;
  const input = h("input", {
    type: "text",
    maxlength: limit,
    required: true,
    class: "live-text-answer",
    "aria-label": t("your_answer_label"),
    autocomplete: "off",
  });
  return h(
    "form",
    {
      class: "live-answers",
      onsubmit: (event) => {
        event.preventDefault();
        const value = input.value.trim();
        if (value) send(value);
      },
    },
    input,
    h("button", { type: "submit", class: "button live-submit" }, t("submit")),
  );
}

// --- random call, questions, hand ----------------------------------------------------------
function renderCall(state) {
  const last = (state.calls || []).at(-1);
  if (!last) return fill("call");
  const mine = state.me && last.student.id === state.me.id;
  fill(
    "call",
    h("p", { class: mine ? "live-called is-me" : "live-called" }, mine ? t("you_are_called") : t("called", { name: last.student.name })),
  );
}

function renderQuestions(state) {
  const questions = state.questions || [];
  fill(
    "questions",
    questions.length
      ? questions.map((q) =>
          h(
            "li",
            { class: q.answered ? "live-question is-answered" : "live-question" },
            h("span", { class: "live-question-text" }, q.text),
            q.answered ? h("span", { class: "tag" }, t("answered")) : null,
            h(
              "button",
              {
                type: "button",
                class: "live-vote",
                disabled: q.voted || !client.connected,
                "aria-pressed": q.voted ? "true" : "false",
                onclick: () => vote(q.id),
              },
              `▲ ${q.votes}`,
            ),
          ),
        )
      : h("li", { class: "empty" }, t("no_questions")),
  );
}

function vote(id) {
  const ref = client.send(
    { type: "vote", question: id },
    {
      onAck: (_, state) => {
        const question = (state.questions || []).find((q) => q.id === id);
        if (question) question.voted = true;
      },
      onError: (frame) => notify(errorMessage(frame)),
    },
  );
  if (!ref) notify(t("not_sent"));
}

function renderHand(state) {
  const button = document.getElementById("hand");
  if (!button || !state.me) return;
  button.textContent = state.me.hand ? t("lower_hand") : t("raise_hand");
  button.setAttribute("aria-pressed", state.me.hand ? "true" : "false");
  button.disabled = !client.connected;
}

function renderForms(state) {
  const muted = Boolean(state.me && state.me.muted);
  for (const form of document.querySelectorAll("form[data-send]")) {
    for (const control of form.elements) control.disabled = muted || !client.connected;
  }
  fill("muted", muted ? h("p", { class: "message error" }, t("muted")) : null);
}

document.getElementById("hand")?.addEventListener("click", () => {
  const raised = !(client.state && client.state.me && client.state.me.hand);
  const ref = client.send(
    { type: "hand", raised },
    // No onAck: the student's own `hand` event (sent before the ack) sets `me.hand`, and
    // ordered by seq; setting it from the ack could undo a teacher's later lowering.
    { onError: (frame) => notify(errorMessage(frame)) },
  );
  if (!ref) notify(t("not_sent"));
});

// The comment and question forms: <form data-send="comment|ask"> with one field "text".
for (const form of document.querySelectorAll("form[data-send]")) {
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const field = form.elements.text;
    const text = field.value.trim();
    if (!text) return;
    const ref = client.send(
      { type: form.dataset.send, text },
      {
        onAck: () => {
          field.value = "";
          notify(t("sent"), "success");
        },
        onError: (frame) => notify(errorMessage(frame)),
      },
    );
    if (!ref) notify(t("not_sent"));
  });
}

runCountdown(() => client.state && client.state.poll);
client.start();
