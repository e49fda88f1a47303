// The projector (big screen): the rotating check-in QR with the count and names as they
// check in, the poll and its live chart, bullet comments flying across, the called student.
import { LiveClient } from "./client.js";
import {
  changed,
  correctText,
  fill,
  h,
  readJson,
  resultsChart,
  runCountdown,
  showStatus,
  t,
} from "./ui.js";

const config = readJson("live-config");
const LANES = 8;
const CALL_SHOWN_MS = 12000;
let lane = 0;
let qr = null; // the check-in code on screen: {code, svgUrl}
let qrTimer = null;
let qrFetching = false;
let lastFetch = 0;

const client = new LiveClient({
  path: config.socket,
  storageKey: `rongke-live:${config.session}:${config.user}:projector`,
  loginUrl: config.login,
  onStatus: showStatus,
  onChange: render,
  onFrame(frame, state, result) {
    // an event already in the state, or older than what it shows, is not shown again
    const fresh = Boolean(result && result.applied);
    if (frame.type === "comment" && fresh) fly(frame.comment);
    if (frame.type === "comment.hidden") {
      document.querySelector(`[data-comment="${Number(frame.comment)}"]`)?.remove();
    }
    if (frame.type === "call" && fresh) showCall(frame.student);
    if (frame.type === "checkin.code") showCode(frame);
  },
});

function render(state) {
  const checkin = state.checkin || {};
  const poll = state.poll;
  document.body.classList.toggle("has-poll", Boolean(poll));
  document.body.classList.toggle("checkin-open", Boolean(checkin.open));
  if (changed("poll", poll, checkin.count)) renderPoll(poll);
  if (changed("checkin", checkin)) renderCheckin(checkin);
  if (checkin.open && !qr && !qrFetching && Date.now() - lastFetch > 5000) refreshCode();
  if (!checkin.open && qr) clearCode();
}

function renderPoll(poll) {
  if (!poll) {
    fill("poll");
    return;
  }
  const correct = poll.status === "closed" ? correctText(poll) : null;
  fill(
    "poll",
    h("p", { class: "live-kind" }, t(`kind_${poll.kind}`), " ", h("span", { "data-countdown": true })),
    h("h1", { class: "live-prompt" }, poll.prompt),
    resultsChart(poll),
    h(
      "p",
      { class: "live-answered" },
      t("answered_count", { n: poll.answered ?? 0, of: client.state?.checkin?.count ?? 0 }),
      correct ? h("strong", { class: "live-right" }, " · ", correct) : null,
    ),
  );
}

function renderCheckin(checkin) {
  const students = [...(checkin.students || [])].sort((a, b) => (a.at < b.at ? 1 : -1));
  fill(
    "checkin-count",
    h("strong", {}, String(checkin.count ?? 0)),
    ` / ${checkin.enrolled ?? 0}`,
  );
  fill("checkin-state", checkin.open ? t("checkin_open") : t("checkin_closed"));
  fill(
    "checkin-names",
    students.map((s, i) =>
      h("li", { class: i === 0 ? "is-new" : null }, s.name, s.status === "late" ? h("span", { class: "tag" }, t("late")) : null),
    ),
  );
}

// --- the check-in QR -----------------------------------------------------------------------
// The socket pushes `checkin.code` (code, url, expires_in) at every rotation; the QR image
// itself is drawn on the server (segno) and read from the check-in screen's state endpoint.
let lastFrame = null;
function showCode(frame) {
  if (frame.open === false) {
    // check-in closed (by the clock or the teacher): the code is not to be shown
    clearCode();
    return;
  }
  if (qr && qr.code === frame.code) return;
  lastFrame = frame;
  refreshCode();
}

async function refreshCode() {
  clearTimeout(qrTimer);
  qrFetching = true;
  lastFetch = Date.now();
  try {
    const response = await fetch(config.urls.checkin_state, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    });
    if (!response.ok) throw new Error(String(response.status));
    const data = await response.json();
    if (data.open && data.code) {
      setCode({ code: data.code.code, svg: data.code.qr_svg });
      // Should no push come from the socket, fetch again when this code expires.
      qrTimer = setTimeout(refreshCode, (Math.max(1, data.code.expires_in) + 0.5) * 1000);
    } else {
      clearCode();
    }
  } catch {
    // No picture: the code pushed by the socket can still be typed.
    if (lastFrame) setCode({ code: lastFrame.code, svg: null });
    qrTimer = setTimeout(refreshCode, 5000);
  } finally {
    qrFetching = false;
  }
}

function setCode({ code, svg }) {
  // An <img> of a Blob: the server's SVG is shown without ever being parsed as page HTML.
  let svgUrl = null;
  if (svg) svgUrl = URL.createObjectURL(new Blob([svg], { type: "image/svg+xml" }));
  else if (qr && qr.code === code) svgUrl = qr.svgUrl;
  if (qr && qr.svgUrl && qr.svgUrl !== svgUrl) URL.revokeObjectURL(qr.svgUrl);
  qr = { code, svgUrl };
  fill("qr", svgUrl ? h("img", { src: svgUrl, alt: t("qr_alt"), class: "live-qr-image" }) : null);
  fill("qr-code", code);
  fill("qr-url", location.host + config.urls.checkin_code);
}

function clearCode() {
  clearTimeout(qrTimer);
  if (qr && qr.svgUrl) URL.revokeObjectURL(qr.svgUrl);
  qr = null;
  lastFrame = null;
  fill("qr");
  fill("qr-code");
  fill("qr-url");
}

// --- bullet comments and the random call ---------------------------------------------------
function fly(comment) {
  const layer = document.getElementById("danmaku");
  if (!layer || comment.hidden) return;
  lane = (lane + 1) % LANES;
  const bullet = h(
    "span",
    {
      class: "live-bullet",
      dataset: { comment: String(comment.id) },
      style: { top: `${4 + lane * (88 / LANES)}%` },
    },
    comment.text,
  );
  bullet.addEventListener("animationend", () => bullet.remove());
  layer.append(bullet);
}

let callTimer = null;
function showCall(student) {
  const overlay = document.getElementById("called");
  if (!overlay) return;
  overlay.replaceChildren(
    h("p", { class: "live-called-label" }, t("called_label")),
    h("p", { class: "live-called-name" }, student.name),
  );
  overlay.hidden = false;
  clearTimeout(callTimer);
  callTimer = setTimeout(() => {
    overlay.hidden = true;
  }, CALL_SHOWN_MS);
}
document.getElementById("called")?.addEventListener("click", (event) => {
  event.currentTarget.hidden = true;
});

runCountdown(() => client.state && client.state.poll);
client.start();
