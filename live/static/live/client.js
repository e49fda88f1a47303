// The live room's client, shared by the console, the projector and the student's phone.
// It follows docs/live-protocol.md: connect, replace everything on `state`, apply events with
// `reduce`, reconnect with a growing delay, and keep unacknowledged answers (in the page and
// in localStorage) until the server acknowledges them.

const BACKOFF_MS = [1000, 2000, 4000, 8000, 15000];
const NO_RETRY = new Set([4403, 4404, 4410]);
const NOT_LOGGED_IN = 4401;
const TOO_MANY_ERRORS = 4429;
// Any other close (1011: the server failed to build the first `state`; 1000, 1001, 1006):
// reconnect with the growing delay. A refused connection is accepted, then closed.
// An error after which the same frame may be sent again (nothing was changed):
const SERVER_ERROR = "server_error";
// Errors after which an answer can never be accepted: drop it from the queue.
const ANSWER_FINAL_ERRORS = new Set(["poll_closed", "not_found", "invalid", "forbidden"]);

/** ws:// or wss:// URL of a path on this site. */
export function socketUrl(path) {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}${path}`;
}

/** A new answer key. crypto.randomUUID needs a secure context (https or localhost);
 * a classroom demo over plain http on the LAN falls back to getRandomValues. */
export function newKey() {
  if (globalThis.crypto && typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Short text compared as the server compares it: trimmed, lower case, one space. */
export function normalise(text) {
  return String(text).split(/\s+/).filter(Boolean).join(" ").toLowerCase();
}

/** Was `answer` right for a closed `poll`? null when there is no right answer. */
export function wasRight(poll, answer) {
  const correct = poll.correct;
  if (answer === null || answer === undefined || correct === null || correct === undefined) {
    return null;
  }
  switch (poll.kind) {
    case "single":
      return Array.isArray(correct) ? correct.includes(answer) : answer === correct;
    case "multiple": {
      if (!Array.isArray(answer) || !Array.isArray(correct)) return false;
      const a = [...answer].sort((x, y) => x - y);
      const c = [...correct].sort((x, y) => x - y);
      return a.length === c.length && a.every((v, i) => v === c[i]);
    }
    case "true_false":
      return answer === correct;
    case "text":
      return Array.isArray(correct) && correct.map(normalise).includes(normalise(answer));
    default:
      return null;
  }
}

// Lists stay sorted as in `state`: by `at` (items without a time first), then by id.
const byTime = (idOf) => (a, b) => {
  const x = a.at || "";
  const y = b.at || "";
  return x < y ? -1 : x > y ? 1 : idOf(a) - idOf(b);
};
const byAt = byTime((item) => item.id);
const byStudentAt = byTime((item) => item.student.id);
// Questions: most votes first, then oldest first.
const byVotes = (a, b) => b.votes - a.votes || byAt(a, b);
const MAX_COMMENTS = 50;
const ATTENDED = new Set(["present", "late"]);
const MAX_QUESTIONS = 100;
const MAX_CALLS = 10;

// Events sent by different screens' actions may arrive out of order (docs/live-protocol.md):
// for each thing an event sets, the seq of the last event applied to it is kept, and an older
// event about the same thing is ignored. `poll.closed`, `comment.hidden` and
// `question.answered` are final. The marks belong to one `state` object: a new `state` (the
// truth) starts with none.
const FINAL = Infinity;
const MARKS = new WeakMap();
function marks(s) {
  if (!MARKS.has(s)) MARKS.set(s, new Map());
  return MARKS.get(s);
}
/** Is an event with `seq` newer than the last one applied to `thing`? If so, it is now. */
function newer(s, thing, seq) {
  const last = marks(s).get(thing) ?? -1;
  if (typeof seq !== "number") return last !== FINAL;
  if (seq <= last) return false;
  marks(s).set(thing, seq);
  return true;
}
const marked = (s, thing) => marks(s).get(thing);
const STALE = "stale"; // names something this client never saw: ask for a fresh state
const SAME = "same"; // changes nothing (older, or already in the state)

// One handler per event type. Each changes `s` in place and returns nothing when it applied
// the event, SAME when the event changed nothing, STALE when it could not be applied.
const HANDLERS = {
  checkin(s, f) {
    s.checkin = s.checkin || {};
    let changed = false;
    if (newer(s, "checkin count", f.seq)) {
      s.checkin.count = f.count;
      s.checkin.enrolled = f.enrolled;
      changed = true;
    }
    // present or late: on the wall; excused or absent (a teacher's mark): off it
    const attended = Boolean(f.student) && ATTENDED.has(f.student.status);
    if (f.student && newer(s, `checkin student ${f.student.id}`, f.seq)) {
      if (Array.isArray(s.checkin.students)) {
        const others = s.checkin.students.filter((x) => x.id !== f.student.id);
        s.checkin.students = attended ? [...others, f.student].sort(byAt) : others;
        changed = true;
      }
      // the student concerned gets their own status
      if (s.me && f.student.id === s.me.id && s.me.checked_in !== attended) {
        s.me.checked_in = attended;
        changed = true;
      }
    }
    return changed ? undefined : SAME;
  },
  "checkin.window"(s, f) {
    if (!newer(s, "checkin open", f.seq)) return SAME;
    s.checkin = s.checkin || {};
    s.checkin.open = f.open;
  },
  // To this connection only, without seq: whether check-in is open now.
  "checkin.code"(s, f) {
    if (typeof f.open !== "boolean") return SAME;
    s.checkin = s.checkin || {};
    s.checkin.open = f.open;
  },
  "poll.opened"(s, f) {
    const id = f.poll.id;
    if (Array.isArray(s.prepared)) s.prepared = s.prepared.filter((p) => p.id !== id);
    // older than the current poll, a poll this client saw closed (a poll never reopens), or
    // the poll already in the state (which has fresher counts and the student's answer)
    if (!newer(s, "current poll", f.seq)) return SAME;
    if (marked(s, `poll ${id}`) === FINAL || (s.poll && s.poll.id === id)) return SAME;
    newer(s, `poll ${id}`, f.seq);
    const poll = { correct: null, ...f.poll };
    if (s.role === "student") {
      if (!("your_answer" in poll)) poll.your_answer = null;
      if (!("you_were_right" in poll)) poll.you_were_right = null;
    }
    s.poll = poll;
  },
  "poll.results"(s, f) {
    if (!s.poll || s.poll.id !== f.poll) {
      // about a poll replaced since: ignore; about one never seen: ask
      return f.seq <= (marked(s, "current poll") ?? -1) ? SAME : STALE;
    }
    if (s.poll.status !== "open") return SAME;
    if (!newer(s, `poll ${f.poll}`, f.seq)) return SAME;
    s.poll.answered = f.answered;
    s.poll.results = f.results;
  },
  // A poll closes once, but its `poll.closed` comes again, with a higher seq and new figures,
  // when answers received before the close were written after it.
  "poll.closed"(s, f) {
    const final = marked(s, `poll ${f.poll}`) === FINAL;
    marks(s).set(`poll ${f.poll}`, FINAL);
    if (!s.poll || s.poll.id !== f.poll) {
      return f.seq <= (marked(s, "current poll") ?? -1) ? SAME : STALE;
    }
    const fresher = newer(s, `closed poll ${f.poll}`, f.seq);
    if (final && s.poll.status === "closed" && !fresher) return SAME;
    Object.assign(s.poll, {
      status: "closed",
      correct: f.correct,
      answered: f.answered,
      results: f.results,
    });
    if (s.role === "student") s.poll.you_were_right = wasRight(s.poll, s.poll.your_answer);
  },
  comment(s, f) {
    const hidden = marked(s, `hidden comment ${f.comment.id}`) !== undefined;
    if (hidden && s.role !== "teacher") return SAME;
    const comments = s.comments || [];
    if (comments.some((c) => c.id === f.comment.id)) return SAME; // already in the state
    const comment = { ...f.comment, hidden: Boolean(f.comment.hidden) || hidden };
    s.comments = [...comments, comment].sort(byAt).slice(-MAX_COMMENTS);
  },
  "comment.hidden"(s, f) {
    marks(s).set(`hidden comment ${f.comment}`, FINAL);
    const comments = s.comments || [];
    if (s.role === "teacher") {
      const comment = comments.find((c) => c.id === f.comment);
      if (!comment || comment.hidden) return SAME;
      comment.hidden = true;
    } else {
      if (!comments.some((c) => c.id === f.comment)) return SAME;
      s.comments = comments.filter((c) => c.id !== f.comment);
    }
  },
  question(s, f) {
    const questions = s.questions || [];
    if (questions.some((q) => q.id === f.question.id)) return SAME; // already in the state
    const question = { voted: false, ...f.question };
    const votes = marks(s).get(`votes value ${question.id}`);
    if (votes) Object.assign(question, votes); // its votes arrived first
    if (marked(s, `answered ${question.id}`) !== undefined) question.answered = true;
    s.questions = [...questions, question].sort(byVotes).slice(0, MAX_QUESTIONS);
  },
  "question.votes"(s, f) {
    const question = (s.questions || []).find((q) => q.id === f.question);
    let changed = false;
    const saved = marks(s).get(`votes value ${f.question}`) || {};
    if (typeof f.voted === "boolean") {
      // the voter's own frame
      saved.voted = f.voted;
      if (question) question.voted = f.voted;
      changed = true;
    }
    if (newer(s, `votes ${f.question}`, f.seq)) {
      saved.votes = f.votes;
      if (question) question.votes = f.votes;
      changed = true;
    }
    marks(s).set(`votes value ${f.question}`, saved);
    if (!question) {
      // its `question` event may still be on its way; a full list may have left it out
      return (s.questions || []).length >= MAX_QUESTIONS ? STALE : SAME;
    }
    s.questions.sort(byVotes);
    return changed ? undefined : SAME;
  },
  "question.answered"(s, f) {
    marks(s).set(`answered ${f.question}`, FINAL);
    const question = (s.questions || []).find((q) => q.id === f.question);
    if (!question || question.answered) return SAME;
    question.answered = true;
  },
  hand(s, f) {
    if (s.role === "student") {
      // the student's own hand, raised by them or lowered by the teacher
      if (!s.me || typeof f.raised !== "boolean") return SAME;
      if (!newer(s, `hand ${s.me.id}`, f.seq)) return SAME;
      s.me.hand = f.raised;
      return;
    }
    if (!Array.isArray(s.hands) || !f.student) return SAME;
    if (!newer(s, `hand ${f.student.id}`, f.seq)) return SAME;
    const hands = s.hands.filter((x) => x.student.id !== f.student.id);
    if (f.raised) hands.push({ student: f.student, at: f.at });
    s.hands = hands.sort(byStudentAt);
  },
  call(s, f) {
    const calls = s.calls || [];
    if (calls.some((c) => c.id === f.id)) return SAME; // already in the state
    const call = { id: f.id, student: f.student, at: f.at };
    // oldest first, the 10 most recent, as in `state`
    s.calls = [...calls, call].sort(byAt).slice(-MAX_CALLS);
    if (!s.calls.includes(call)) return SAME;
  },
  mute(s, f) {
    if (s.role === "student") {
      if (!s.me || !newer(s, `mute ${s.me.id}`, f.seq)) return SAME;
      s.me.muted = f.muted;
      return;
    }
    if (!Array.isArray(s.muted)) return SAME;
    if (!newer(s, `mute ${f.student}`, f.seq)) return SAME;
    const muted = s.muted.filter((id) => id !== f.student);
    if (f.muted) muted.push(f.student);
    s.muted = muted.sort((a, b) => a - b);
  },
};

/**
 * Apply one event frame to a room state (in place). Returns `applied` (the state changed)
 * and `stale` (the event names something this client never saw: ask for a fresh state).
 * `snapshotSeq` is the seq of the last `state`: the server never sends events at or below
 * it, so such a frame is a stray duplicate and is ignored. An event older than the last one
 * applied to the same thing is ignored too (events from different screens may cross).
 */
export function reduce(state, frame, snapshotSeq = -1) {
  if (!state) return { applied: false, stale: false };
  if (typeof frame.seq === "number") {
    if (frame.seq <= snapshotSeq) return { applied: false, stale: false };
    state.seq = Math.max(state.seq || 0, frame.seq);
  }
  const handler = HANDLERS[frame.type];
  if (!handler) return { applied: false, stale: false };
  const outcome = handler(state, frame);
  return { applied: outcome === undefined, stale: outcome === STALE };
}

/** localStorage that may be missing or full (private browsing): the page queue still works. */
const storage = {
  load(key) {
    try {
      return JSON.parse(localStorage.getItem(key) || "[]");
    } catch {
      return [];
    }
  },
  save(key, items) {
    try {
      if (items.length) localStorage.setItem(key, JSON.stringify(items));
      else localStorage.removeItem(key);
    } catch {
      /* the in-page queue remains */
    }
  },
};

/**
 * One connection to a room. Callbacks:
 *   onChange(state)            after every state or applied event
 *   onFrame(frame, state, result)  every frame from the server, after it was applied;
 *                              for an event, result is {applied, stale} (applied: false
 *                              when it was older than what the state shows, or already in it)
 *   onStatus(status, detail)   "connecting" | "connected" | "reconnecting" (detail: ms)
 *                              | "refused" (detail: close code) | "login"
 *   onError(frame, request)    an error frame (request: the frame that caused it, if known)
 */
export class LiveClient {
  constructor({ path, storageKey, loginUrl, onChange, onFrame, onStatus, onError }) {
    this.url = socketUrl(path);
    this.storageKey = storageKey;
    this.loginUrl = loginUrl;
    this.onChange = onChange || (() => {});
    this.onFrame = onFrame || (() => {});
    this.onStatus = onStatus || (() => {});
    this.onError = onError || (() => {});
    this.state = null;
    this.snapshotSeq = -1;
    this.status = "connecting";
    this.ws = null;
    this.attempt = 0;
    this.timer = null;
    this.stopped = false;
    this.counter = 0;
    this.pending = new Map(); // ref -> {frame, onAck, onError}
    this.retries = new Map(); // answer key -> times refused with server_error
    this.queue = storage.load(storageKey); // unacknowledged answers: {poll, key, value}
  }

  start() {
    this.connect();
    window.addEventListener("online", () => this.reconnectNow());
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") this.refresh();
    });
    // Back from another page (e.g. the check-in page) out of the browser's page cache.
    window.addEventListener("pageshow", (event) => {
      if (event.persisted) this.refresh();
    });
    return this;
  }

  get connected() {
    return this.status === "connected";
  }

  setStatus(status, detail) {
    this.status = status;
    this.onStatus(status, detail);
  }

  connect() {
    clearTimeout(this.timer);
    if (this.stopped) return;
    this.setStatus(this.attempt ? "reconnecting" : "connecting", 0);
    let ws;
    try {
      ws = new WebSocket(this.url);
    } catch {
      this.scheduleReconnect(1006);
      return;
    }
    this.ws = ws;
    ws.onmessage = (event) => {
      if (this.ws === ws) this.receive(event.data);
    };
    ws.onclose = (event) => {
      if (this.ws === ws) this.closed(event.code);
    };
  }

  /** Reconnect at once if the connection is down (network back, page shown again). */
  reconnectNow() {
    if (this.stopped || this.ws) return;
    this.attempt = 0;
    this.connect();
  }

  /** Page shown again: ask for a fresh state (e.g. checked in meanwhile), or reconnect. */
  refresh() {
    if (this.connected) this.send({ type: "sync" });
    else this.reconnectNow();
  }

  closed(code) {
    this.ws = null;
    for (const [ref, request] of this.pending) {
      if (request.frame.type !== "answer" && request.onError) {
        request.onError({ type: "error", ref, code: "disconnected" });
      }
    }
    this.pending.clear();
    if (NO_RETRY.has(code)) {
      this.stopped = true;
      this.setStatus("refused", code);
      return;
    }
    if (code === NOT_LOGGED_IN) {
      this.stopped = true;
      this.setStatus("login", code);
      if (this.loginUrl) {
        const next = encodeURIComponent(location.pathname + location.search);
        location.assign(`${this.loginUrl}?next=${next}`);
      }
      return;
    }
    this.scheduleReconnect(code);
  }

  scheduleReconnect(code) {
    const delay =
      code === TOO_MANY_ERRORS
        ? 10000
        : BACKOFF_MS[Math.min(this.attempt, BACKOFF_MS.length - 1)];
    this.attempt += 1;
    this.setStatus("reconnecting", delay);
    this.timer = setTimeout(() => this.connect(), delay);
  }

  receive(text) {
    let frame;
    try {
      frame = JSON.parse(text);
    } catch {
      return;
    }
    if (!frame || typeof frame !== "object") return;
    if (frame.type === "state") {
      this.state = frame;
      this.snapshotSeq = frame.seq;
      this.attempt = 0;
      if (!this.connected) this.setStatus("connected");
      this.resendAnswers();
    } else if (frame.type === "ack") {
      this.acknowledged(frame);
    } else if (frame.type === "error") {
      this.refused(frame);
    } else if (this.state) {
      const result = reduce(this.state, frame, this.snapshotSeq);
      if (result.stale) this.send({ type: "sync" });
      this.onFrame(frame, this.state, result);
      if (result.applied) this.onChange(this.state);
      return;
    }
    this.onFrame(frame, this.state, null);
    if (this.state) this.onChange(this.state);
  }

  /**
   * Send a frame now. Returns its ref, or null when not connected (the frame is not sent;
   * only answers are kept for later, see `answer`).
   */
  send(frame, { onAck, onError } = {}) {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return null;
    this.counter += 1;
    const ref = `c-${this.counter}`;
    this.pending.set(ref, { frame, onAck, onError });
    this.ws.send(JSON.stringify({ ...frame, ref }));
    return ref;
  }

  /** Answer a poll: kept (page and localStorage) until acknowledged, sent when possible. */
  answer(poll, value) {
    if (this.pendingAnswer(poll)) return this.pendingAnswer(poll);
    const entry = { poll, value, key: newKey() };
    this.queue.push(entry);
    storage.save(this.storageKey, this.queue);
    if (this.connected) this.send({ type: "answer", poll, key: entry.key, value });
    return entry;
  }

  /** The answer to `poll` waiting for its acknowledgement, if any. */
  pendingAnswer(poll) {
    return this.queue.find((entry) => entry.poll === poll) || null;
  }

  // After a new state: send each kept answer whose poll is open and still unanswered, with
  // its original key. An answer whose poll is no longer open can never be accepted, and one
  // whose poll shows an answer has been delivered: both leave the queue (the first is
  // reported to the page as expired).
  resendAnswers() {
    const poll = this.state && this.state.poll;
    const keep = [];
    for (const entry of this.queue) {
      const current = poll && poll.id === entry.poll;
      if (current && poll.status === "open" && poll.your_answer === null) {
        keep.push(entry);
        this.send({ type: "answer", poll: entry.poll, key: entry.key, value: entry.value });
      } else if (current && poll.your_answer !== null && poll.your_answer !== undefined) {
        // delivered before the connection dropped; the acknowledgement was lost
      } else {
        this.onError({ type: "error", code: "expired", poll: entry.poll }, entry);
      }
    }
    this.queue = keep;
    storage.save(this.storageKey, this.queue);
  }

  retryAnswer(key) {
    const entry = this.queue.find((e) => e.key === key);
    if (!entry) return;
    const tries = (this.retries.get(key) || 0) + 1;
    this.retries.set(key, tries);
    const delay = BACKOFF_MS[Math.min(tries - 1, BACKOFF_MS.length - 1)];
    setTimeout(() => {
      const poll = this.state && this.state.poll;
      const open = poll && poll.id === entry.poll && poll.status === "open";
      // after a reconnection, resendAnswers has already sent (or dropped) it
      if (!this.connected || !this.queue.includes(entry) || !open) return;
      if ([...this.pending.values()].some((r) => r.frame.key === entry.key)) return;
      this.send({ type: "answer", poll: entry.poll, key: entry.key, value: entry.value });
    }, delay);
  }

  acknowledged(frame) {
    const request = this.pending.get(frame.ref);
    this.pending.delete(frame.ref);
    if (frame.for === "answer") {
      const entry = this.queue.find((e) => e.key === frame.key);
      this.queue = this.queue.filter((e) => e.key !== frame.key);
      storage.save(this.storageKey, this.queue);
      const poll = this.state && this.state.poll;
      if (poll && poll.id === frame.poll) {
        if (frame.duplicate) this.send({ type: "sync" }); // the first answer stands: learn it
        else if (entry) poll.your_answer = entry.value;
      }
    }
    if (request && request.onAck) request.onAck(frame, this.state);
  }

  refused(frame) {
    const request = this.pending.get(frame.ref);
    this.pending.delete(frame.ref);
    if (request && request.frame.type === "answer") {
      if (frame.code === SERVER_ERROR) {
        // nothing was written and the frame may be sent again: the answer stays in the queue
        // and goes again, with its key, after a growing delay
        this.retryAnswer(request.frame.key);
        return;
      }
      if (ANSWER_FINAL_ERRORS.has(frame.code)) {
        this.queue = this.queue.filter((e) => e.key !== request.frame.key);
        storage.save(this.storageKey, this.queue);
      }
    }
    if (request && request.onError) request.onError(frame, request.frame);
    else this.onError(frame, request ? request.frame : null);
  }
}
