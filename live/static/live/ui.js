// What the three live screens draw alike: elements, translated text, the connection status,
// the poll's countdown and its result chart (bars for choices, sized words for text).

/** The JSON a template put in <script type="application/json" id="...">. */
export function readJson(id) {
  const element = document.getElementById(id);
  return element ? JSON.parse(element.textContent) : {};
}

const TEXT = readJson("live-text");

/** A translated text (rendered by Django into the page) with %(name)s placeholders filled. */
export function t(key, params = {}) {
  const text = TEXT[key] ?? key;
  return text.replace(/%\((\w+)\)s/g, (_, name) => String(params[name] ?? ""));
}

/** A DOM element: h("p", {class: "x", onclick: fn}, "text", child, ...). Text is never HTML. */
export function h(tag, props = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else if (name === "style" && typeof value === "object") Object.assign(element.style, value);
    else if (name === "dataset") Object.assign(element.dataset, value);
    else element.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

/** Replace the children of the element with id `id` (if the page has it). */
export function fill(id, ...children) {
  const element = document.getElementById(id);
  if (element) element.replaceChildren(...children.flat(Infinity).filter((c) => c != null));
  return element;
}

export const letter = (i) => String.fromCharCode(65 + i);

/** Labels of a poll's answers: its options (A. …), or True / False. */
export function optionLabels(poll) {
  if (poll.kind === "true_false") return [t("true"), t("false")];
  return (poll.options || []).map((option, i) => `${letter(i)}. ${option}`);
}

/** The right answer of a closed poll, as a sentence; null if there is none. */
export function correctText(poll) {
  const correct = poll.correct;
  if (correct === null || correct === undefined) return null;
  if (poll.kind === "true_false") return t("correct_is", { answer: correct ? t("true") : t("false") });
  if (poll.kind === "single" || poll.kind === "multiple") {
    return t("correct_is", { answer: correct.map(letter).join(", ") });
  }
  if (poll.kind === "text") return t("correct_is", { answer: correct.join(" / ") });
  return null;
}

/** An answer value as the student gave it, in words. */
export function answerText(poll, value) {
  if (value === null || value === undefined) return "";
  if (poll.kind === "true_false") return value ? t("true") : t("false");
  if (poll.kind === "single") return optionLabels(poll)[value] ?? String(value);
  if (poll.kind === "multiple") return value.map(letter).join(", ");
  return String(value);
}

/** Whether option `i` is right in a closed poll's `correct`. */
function isCorrectOption(poll, i) {
  if (poll.correct === null || poll.correct === undefined) return false;
  if (poll.kind === "true_false") return (i === 0) === poll.correct;
  return Array.isArray(poll.correct) && poll.correct.includes(i);
}

/** The result chart of a poll: a histogram (CSS bars) or a word cloud (sized words). */
export function resultsChart(poll) {
  const results = poll.results;
  if (!results) return null;
  if (Array.isArray(results.words)) {
    const words = results.words;
    if (!words.length) return h("p", { class: "empty" }, t("no_answers"));
    const most = Math.max(...words.map(([, n]) => n));
    const accepted = new Set((poll.kind === "text" && poll.correct) || []);
    return h(
      "p",
      { class: "live-cloud", "aria-label": t("results") },
      words.map(([word, n]) =>
        h(
          "span",
          {
            class: accepted.has(word) ? "live-word is-correct" : "live-word",
            style: { fontSize: `${1 + 2.5 * (n / most)}em` },
            title: String(n),
          },
          word,
        ),
      ),
    );
  }
  const counts = results.counts || [];
  const labels = optionLabels(poll);
  const total = counts.reduce((a, b) => a + b, 0);
  const most = Math.max(1, ...counts);
  return h(
    "ol",
    { class: "live-bars", "aria-label": t("results") },
    counts.map((n, i) =>
      h(
        "li",
        { class: isCorrectOption(poll, i) ? "live-bar is-correct" : "live-bar" },
        h("span", { class: "live-bar-label" }, labels[i] ?? letter(i)),
        h(
          "span",
          { class: "live-bar-track" },
          h("span", { class: "live-bar-fill", style: { width: `${(100 * n) / most}%` } }),
        ),
        h(
          "span",
          { class: "live-bar-count" },
          total ? `${n} · ${Math.round((100 * n) / total)}%` : String(n),
        ),
      ),
    ),
  );
}

/** Seconds left before a poll's countdown ends, or null without a countdown. */
export function secondsLeft(poll) {
  if (!poll || poll.status !== "open" || !poll.closes_at) return null;
  return Math.max(0, Math.ceil((Date.parse(poll.closes_at) - Date.now()) / 1000));
}

/** Keep every [data-countdown] element showing the time left of the current poll. */
export function runCountdown(getPoll) {
  setInterval(() => {
    const left = secondsLeft(getPoll());
    for (const element of document.querySelectorAll("[data-countdown]")) {
      element.textContent = left === null ? "" : t("seconds_left", { n: left });
    }
  }, 500);
}

/** Show the connection status in the element with id "live-status". */
export function showStatus(status, detail) {
  const element = document.getElementById("live-status");
  if (!element) return;
  const text = {
    connecting: t("connecting"),
    connected: t("connected"),
    reconnecting: t("reconnecting", { n: Math.round((detail || 0) / 1000) }),
    login: t("login"),
    refused:
      detail === 4410 ? t("refused_cancelled") : detail === 4404 ? t("refused_missing") : t("refused"),
  }[status];
  element.textContent = text ?? status;
  element.dataset.status = status;
}

/** A short message shown for a few seconds (server errors, confirmations). */
export function notify(message, kind = "error") {
  const box = document.getElementById("live-notice");
  if (!box) return;
  const item = h("li", { class: `message ${kind}`, role: "status" }, message);
  box.append(item);
  setTimeout(() => item.remove(), 6000);
}

/** The message of an error frame (the server's, in the user's language) or of our own. */
export function errorMessage(frame) {
  if (frame.code === "disconnected") return t("not_sent");
  if (frame.code === "expired") return t("answer_expired");
  return frame.message || t("error");
}

const drawn = new Map();
/** True when `data` differs from what section `name` was last drawn with (then remembered):
 * sections are redrawn only when they change, so a click or half-typed text is not lost to
 * an unrelated update (results arrive up to 4 times a second). */
export function changed(name, ...data) {
  const key = JSON.stringify(data);
  if (drawn.get(name) === key) return false;
  drawn.set(name, key);
  return true;
}
