// The teacher's console (laptop): open and close polls (typed, from the question bank, or
// prepared), the live chart, check-in, random call, raised hands, Q&A and bullet comments.
import { LiveClient } from "./client.js";
import {
  changed,
  correctText,
  errorMessage,
  fill,
  h,
  notify,
  readJson,
  resultsChart,
  runCountdown,
  showStatus,
  t,
} from "./ui.js";

const config = readJson("live-config");

const client = new LiveClient({
  path: config.socket,
  storageKey: `rongke-live:${config.session}:${config.user}`,
  loginUrl: config.login,
  onStatus(status, detail) {
    showStatus(status, detail);
    for (const control of document.querySelectorAll("[data-needs-connection]")) {
      control.disabled = status !== "connected";
    }
    render(client.state);
  },
  onChange: render,
  onError(frame) {
    notify(errorMessage(frame));
  },
});

/** Send a teacher's frame; report a refusal, or that it could not be sent. */
function act(frame, onAck) {
  const ref = client.send(frame, {
    onAck: (ack, state) => onAck && onAck(ack, state),
    onError: (error) => notify(errorMessage(error)),
  });
  if (!ref) notify(t("not_sent"));
  return ref;
}

function render(state) {
  if (!state) return;
  const on = client.connected;
  if (changed("poll", on, state.poll, state.checkin?.count)) renderPoll(state);
  if (changed("prepared", on, state.prepared)) renderPrepared(state);
  if (changed("checkin", on, state.checkin)) renderCheckin(state);
  if (changed("call", on, state.calls)) renderCall(state);
  if (changed("hands", on, state.hands)) renderHands(state);
  if (changed("questions", on, state.questions)) renderQuestions(state);
  if (changed("comments", on, state.comments, state.muted)) renderComments(state);
}

const button = (label, onclick, extra = {}) =>
  h("button", { type: "button", onclick, disabled: !client.connected, ...extra }, label);

// --- polls ---------------------------------------------------------------------------------
function renderPoll(state) {
  const poll = state.poll;
  if (!poll) {
    fill("poll", h("p", { class: "empty" }, t("no_poll")));
    return;
  }
  const open = poll.status === "open";
  const correct = open ? null : correctText(poll);
  fill(
    "poll",
    h(
      "p",
      { class: "live-kind" },
      t(`kind_${poll.kind}`),
      " · ",
      open ? t("open") : t("closed"),
      " ",
      h("span", { "data-countdown": true }),
    ),
    h("h2", { class: "live-prompt" }, poll.prompt),
    h("p", {}, t("answered_count", { n: poll.answered ?? 0, of: state.checkin?.count ?? 0 })),
    resultsChart(poll),
    correct ? h("p", { class: "live-right" }, correct) : null,
    open
      ? button(t("close_poll"), () => act({ type: "poll.close", poll: poll.id }), {
          class: "button",
        })
      : null,
  );
}

/** The countdown in seconds typed by the teacher, or undefined for none. */
function seconds() {
  const value = document.getElementById("poll-seconds")?.value.trim();
  return value ? Number.parseInt(value, 10) : undefined;
}

function openPoll(frame, after) {
  const s = seconds();
  act(s === undefined ? { type: "poll.open", ...frame } : { type: "poll.open", ...frame, seconds: s }, () => {
    notify(t("poll_opened"), "success");
    if (after) after();
  });
}

function renderPrepared(state) {
  const prepared = state.prepared || [];
  fill(
    "prepared",
    prepared.length
      ? prepared.map((p) =>
          h(
            "li",
            {},
            h("span", { class: "tag" }, t(`kind_${p.kind}`)),
            " ",
            p.prompt,
            " ",
            button(t("open_poll"), () => openPoll({ poll: p.id })),
          ),
        )
      : h("li", { class: "empty" }, t("no_prepared")),
  );
}

// The typed poll form: fields shown for the chosen kind (data-kinds="single multiple").
const typed = document.getElementById("typed-poll");
function showFieldsForKind() {
  const kind = typed.elements.kind.value;
  for (const field of typed.querySelectorAll("[data-kinds]")) {
    field.hidden = !field.dataset.kinds.split(" ").includes(kind);
  }
}
if (typed) {
  typed.elements.kind.addEventListener("change", showFieldsForKind);
  showFieldsForKind();
  typed.addEventListener("submit", (event) => {
    event.preventDefault();
    const frame = typedPoll(typed.elements);
    if (frame) openPoll(frame, () => typed.reset() || showFieldsForKind());
  });
}

const lines = (text) =>
  text
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean);

/** The poll.open fields of the typed form, or null (with a notice) if they do not parse. */
function typedPoll(fields) {
  const kind = fields.kind.value;
  const frame = { kind, prompt: fields.prompt.value.trim(), options: [], correct: null };
  if (kind === "single" || kind === "multiple") {
    frame.options = lines(fields.options.value);
    const numbers = fields.correct_options.value.split(/[\s,，、;；]+/).filter(Boolean);
    if (numbers.some((n) => !/^\d+$/.test(n) || Number(n) < 1)) {
      notify(t("bad_numbers"));
      return null;
    }
    frame.correct = numbers.length ? numbers.map((n) => Number(n) - 1) : null;
  } else if (kind === "true_false") {
    frame.correct = { true: true, false: false }[fields.correct_true.value] ?? null;
  } else if (kind === "text") {
    const accepted = lines(fields.accepted.value);
    frame.correct = accepted.length ? accepted : null;
  }
  return frame;
}

document.getElementById("bank-poll")?.addEventListener("submit", (event) => {
  event.preventDefault();
  const id = Number.parseInt(event.target.elements.question.value, 10);
  if (id) openPoll({ question: id });
});

// --- check-in ------------------------------------------------------------------------------
function renderCheckin(state) {
  const checkin = state.checkin || {};
  const students = [...(checkin.students || [])].sort((a, b) => (a.at < b.at ? 1 : -1));
  fill(
    "checkin",
    h(
      "p",
      { class: "live-count" },
      t("checked_in_count", { n: checkin.count ?? 0, of: checkin.enrolled ?? 0 }),
    ),
    h("p", {}, checkin.open ? t("checkin_open") : t("checkin_closed")),
    button(
      checkin.open ? t("close_checkin") : t("open_checkin"),
      () => act({ type: checkin.open ? "checkin.close" : "checkin.open" }),
      { class: "button" },
    ),
    students.length
      ? h(
          "details",
          {},
          h("summary", {}, t("who_checked_in")),
          h(
            "ul",
            { class: "live-names" },
            students.map((s) => h("li", {}, `${s.name} (${s.number})`, s.status === "late" ? h("span", { class: "tag" }, t("late")) : null)),
          ),
        )
      : null,
  );
}

// --- random call ---------------------------------------------------------------------------
document.getElementById("call-button")?.addEventListener("click", () => act({ type: "call" }));

function renderCall(state) {
  const calls = [...(state.calls || [])].reverse(); // newest first
  fill(
    "call-result",
    calls.length
      ? [
          h("p", { class: "live-called" }, calls[0].student.name, " ", h("small", {}, calls[0].student.number)),
          calls.length > 1
            ? h("p", { class: "help" }, t("called_before", { names: calls.slice(1).map((c) => c.student.name).join(", ") }))
            : null,
        ]
      : h("p", { class: "empty" }, t("no_calls")),
  );
}

// --- hands, questions, comments ------------------------------------------------------------
function renderHands(state) {
  const hands = state.hands || [];
  fill(
    "hands",
    hands.length
      ? hands.map((hand) =>
          h(
            "li",
            {},
            `${hand.student.name} (${hand.student.number}) `,
            button(t("lower"), () => act({ type: "hand.lower", student: hand.student.id })),
          ),
        )
      : h("li", { class: "empty" }, t("no_hands")),
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
            h("span", { class: "live-votes" }, `▲ ${q.votes}`),
            h("span", { class: "live-question-text" }, q.text),
            q.student ? h("small", { class: "help" }, ` ${q.student.name}`) : null,
            q.answered
              ? h("span", { class: "tag" }, t("answered"))
              : button(t("mark_answered"), () => act({ type: "question.answered", question: q.id })),
          ),
        )
      : h("li", { class: "empty" }, t("no_questions")),
  );
}

/** Names of the students this console knows, by id (for the muted list). */
function knownStudents(state) {
  const names = new Map();
  const add = (s) => s && names.set(s.id, s);
  (state.checkin?.students || []).forEach(add);
  (state.comments || []).forEach((c) => add(c.student));
  (state.questions || []).forEach((q) => add(q.student));
  (state.hands || []).forEach((x) => add(x.student));
  return names;
}

function muteButton(state, student) {
  const muted = (state.muted || []).includes(student.id);
  return button(muted ? t("unmute") : t("mute"), () =>
    act({ type: "mute", student: student.id, muted: !muted }),
  );
}

function renderComments(state) {
  const comments = [...(state.comments || [])].reverse();
  fill(
    "comments",
    comments.length
      ? comments.map((c) =>
          h(
            "li",
            { class: c.hidden ? "live-comment is-hidden" : "live-comment" },
            h("span", {}, c.text),
            c.student ? h("small", { class: "help" }, ` ${c.student.name} (${c.student.number}) `) : null,
            c.hidden
              ? h("span", { class: "tag" }, t("hidden"))
              : button(t("hide"), () => act({ type: "comment.hide", comment: c.id })),
            c.student ? muteButton(state, c.student) : null,
          ),
        )
      : h("li", { class: "empty" }, t("no_comments")),
  );
  const known = knownStudents(state);
  const muted = state.muted || [];
  fill(
    "muted",
    muted.length
      ? h(
          "p",
          {},
          t("muted_students"),
          " ",
          muted.map((id) => {
            const student = known.get(id) || { id, name: `#${id}` };
            return h("span", { class: "live-muted" }, student.name, " ", muteButton(state, student), " ");
          }),
        )
      : null,
  );
}

runCountdown(() => client.state && client.state.poll);
client.start();
