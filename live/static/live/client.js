// The live room's client, shared by the console, the projector and the student's phone.
// It follows docs/live-protocol.md: connect, replace everything on `state`, apply events with
// `reduce`, reconnect with a growing delay, and keep unacknowledged answers (in the page and
// in localStorage) until the server acknowledges them.

const BACKOFF_MS = [1000, 2000, 4000, 8000, 15000];
const NO_RETRY = new Set([4403, 4404, 4410]);
const NOT_LOGGED_IN = 4401;
const TOO_MANY_ERRORS = 4429;
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

const byVotes = (a, b) => b.votes - a.votes || a.id - b.id;
const byId = (a, b) => a.id - b.id;

// One handler per event type. Each changes `s` in place; returning true means the event
// could not be applied (it names something this client never saw): ask for a fresh state.
const HANDLERS = {
  checkin(s, f) {
    s.checkin = s.checkin || {};
    s.checkin.count = f.count;
    s.checkin.enrolled = f.enrolled;
    if (f.student && Array.isArray(s.checkin.students)) {
      const i = s.checkin.students.findIndex((x) => x.id === f.student.id);
      if (i >= 0) s.checkin.students[i] = f.student;
      else s.checkin.students.push(f.student);
    }
    if (f.student && s.me && f.student.id === s.me.id) s.me.checked_in = true;
  },
  "checkin.window"(s, f) {
    s.checkin = s.checkin || {};
    s.checkin.open = f.open;
  },
  "poll.opened"(s, f) {
    const poll = { correct: null, ...f.poll };
    if (s.role === "student") {
      if (!("your_answer" in poll)) poll.your_answer = null;
      if (!("you_were_right" in poll)) poll.you_were_right = null;
    }
    s.poll = poll;
    if (Array.isArray(s.prepared)) s.prepared = s.prepared.filter((p) => p.id !== poll.id);
  },
  "poll.results"(s, f) {
    if (!s.poll || s.poll.id !== f.poll) return true;
    s.poll.answered = f.answered;
    s.poll.results = f.results;
  },
  "poll.closed"(s, f) {
    if (!s.poll || s.poll.id !== f.poll) return true;
    Object.assign(s.poll, {
      status: "closed",
      correct: f.correct,
      answered: f.answered,
      results: f.results,
    });
    if (s.role === "student") s.poll.you_were_right = wasRight(s.poll, s.poll.your_answer);
  },
  comment(s, f) {
    s.comments = (s.comments || []).filter((c) => c.id !== f.comment.id);
    s.comments.push(f.comment);
    s.comments.sort(byId);
    if (s.comments.length > 50) s.comments.splice(0, s.comments.length - 50);
  },
  "comment.hidden"(s, f) {
    if (s.role === "teacher") {
      const comment = (s.comments || []).find((c) => c.id === f.comment);
      if (comment) comment.hidden = true;
    } else {
      s.comments = (s.comments || []).filter((c) => c.id !== f.comment);
    }
  },
  question(s, f) {
    s.questions = (s.questions || []).filter((q) => q.id !== f.question.id);
    s.questions.push({ voted: false, ...f.question });
    s.questions.sort(byVotes);
  },
  "question.votes"(s, f) {
    const question = (s.questions || []).find((q) => q.id === f.question);
    if (!question) return true;
    question.votes = f.votes;
    if (typeof f.voted === "boolean") question.voted = f.voted; // the voter's own frame
    s.questions.sort(byVotes);
  },
  "question.answered"(s, f) {
    const question = (s.questions || []).find((q) => q.id === f.question);
    if (!question) return true;
    question.answered = true;
  },
  hand(s, f) {
    if (s.role === "student") {
      // the student's own hand, raised by them or lowered by the teacher
      if (s.me && typeof f.raised === "boolean") s.me.hand = f.raised;
      return;
    }
    if (!Array.isArray(s.hands) || !f.student) return;
    s.hands = s.hands.filter((h) => h.student.id !== f.student.id);
    if (f.raised) s.hands.push({ student: f.student, at: f.at || new Date().toISOString() });
  },
  call(s, f) {
    // oldest first, the 10 most recent, as in `state`
    s.calls = [...(s.calls || []), { student: f.student, at: f.at }].slice(-10);
  },
  mute(s, f) {
    if (s.role === "student") {
      if (s.me) s.me.muted = f.muted;
      return;
    }
    if (!Array.isArray(s.muted)) return;
    s.muted = s.muted.filter((id) => id !== f.student);
    if (f.muted) s.muted.push(f.student);
  },
};

/**
 * Apply one event frame to a room state (in place) and return whether it could be applied.
 * `snapshotSeq` is the seq of the last `state`: the server never sends events at or below
 * it, so such a frame is a stray duplicate and is ignored.
 */
export function reduce(state, frame, snapshotSeq = -1) {
  if (!state) return { applied: false, stale: false };
  if (typeof frame.seq === "number") {
    if (frame.seq <= snapshotSeq) return { applied: false, stale: false };
    state.seq = Math.max(state.seq || 0, frame.seq);
  }
  const handler = HANDLERS[frame.type];
  if (!handler) return { applied: false, stale: false };
  const stale = handler(state, frame) === true;
  return { applied: !stale, stale };
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
 *   onFrame(frame, state)      every frame from the server, after it was applied
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
      const { stale } = reduce(this.state, frame, this.snapshotSeq);
      if (stale) this.send({ type: "sync" });
    }
    this.onFrame(frame, this.state);
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
    if (request && request.frame.type === "answer" && ANSWER_FINAL_ERRORS.has(frame.code)) {
      this.queue = this.queue.filter((e) => e.key !== request.frame.key);
      storage.save(this.storageKey, this.queue);
    }
    if (request && request.onError) request.onError(frame, request.frame);
    else this.onError(frame, request ? request.frame : null);
  }
}
