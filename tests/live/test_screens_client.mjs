// The screens' shared client (live/static/live/client.js) under Node, with a fake socket,
// fake timers and an in-memory localStorage. Run by tests/live/test_screens_client.py.
import assert from "node:assert/strict";

// --- the browser, faked --------------------------------------------------------------------
class FakeSocket {
  static OPEN = 1;
  static all = [];
  constructor(url) {
    this.url = url;
    this.readyState = 1; // the client waits for `state` anyway
    this.sent = [];
    FakeSocket.all.push(this);
  }
  send(text) {
    this.sent.push(JSON.parse(text));
  }
  serve(frame) {
    this.onmessage({ data: JSON.stringify(frame) });
  }
  drop(code = 1006) {
    this.readyState = 3;
    this.onclose({ code });
  }
  static get last() {
    return FakeSocket.all.at(-1);
  }
}

const store = new Map();
const timers = [];
Object.assign(globalThis, {
  WebSocket: FakeSocket,
  location: {
    protocol: "http:",
    host: "testserver",
    pathname: "/live/7/me/",
    search: "",
    assign(url) {
      this.assigned = url;
    },
  },
  localStorage: {
    getItem: (key) => (store.has(key) ? store.get(key) : null),
    setItem: (key, value) => store.set(key, String(value)),
    removeItem: (key) => store.delete(key),
  },
  window: { addEventListener() {} },
  document: { addEventListener() {}, visibilityState: "visible" },
  setTimeout: (fn, ms) => timers.push({ fn, ms }),
  clearTimeout: () => {},
});

const { LiveClient, reduce, wasRight, newKey } = await import(
  new URL("../../live/static/live/client.js", import.meta.url)
);

function runTimer() {
  const timer = timers.shift();
  assert.ok(timer, "a reconnection was scheduled");
  timer.fn();
  return timer.ms;
}

function reset() {
  FakeSocket.all.length = 0;
  timers.length = 0;
  store.clear();
  delete location.assigned;
}

function newClient(statuses = [], errors = []) {
  return new LiveClient({
    path: "/ws/live/7/",
    storageKey: "rongke-live:7:31",
    loginUrl: "/accounts/login/",
    onStatus: (status, detail) => statuses.push([status, detail]),
    onError: (frame) => errors.push(frame.code),
  }).start();
}

const studentState = (poll = {}, seq = 10) => ({
  type: "state",
  seq,
  role: "student",
  me: { id: 31, name: "Li Hua", checked_in: false, hand: false, muted: false },
  checkin: { open: true, count: 3, enrolled: 30 },
  poll: {
    id: 5,
    kind: "single",
    prompt: "2 + 2 = ?",
    options: ["3", "4"],
    status: "open",
    opened_at: "2026-11-24T08:10:00+08:00",
    closes_at: null,
    answered: null,
    results: null,
    your_answer: null,
    correct: null,
    you_were_right: null,
    ...poll,
  },
  comments: [],
  questions: [],
  calls: [],
});

const answers = (socket) => socket.sent.filter((frame) => frame.type === "answer");
const stored = () => JSON.parse(store.get("rongke-live:7:31") || "[]");

// --- the tests -----------------------------------------------------------------------------
const tests = {
  "a student's answer is judged like the server judges it"() {
    assert.equal(wasRight({ kind: "single", correct: [1] }, 1), true);
    assert.equal(wasRight({ kind: "single", correct: [1] }, 0), false);
    assert.equal(wasRight({ kind: "multiple", correct: [0, 2] }, [2, 0]), true);
    assert.equal(wasRight({ kind: "multiple", correct: [0, 2] }, [0]), false);
    assert.equal(wasRight({ kind: "true_false", correct: false }, false), true);
    assert.equal(wasRight({ kind: "text", correct: ["a  Stack"] }, " A stack "), true);
    assert.equal(wasRight({ kind: "text", correct: ["stack"] }, "queue"), false);
    assert.equal(wasRight({ kind: "word_cloud", correct: null }, "anything"), null);
    assert.equal(wasRight({ kind: "single", correct: null }, 1), null);
    assert.equal(wasRight({ kind: "single", correct: [1] }, null), null);
  },

  "answer keys are 8 to 64 characters and new each time"() {
    const a = newKey();
    assert.ok(a.length >= 8 && a.length <= 64);
    assert.notEqual(a, newKey());
  },

  "a teacher's state plus the events since equals what a fresh state would show"() {
    const state = {
      type: "state",
      seq: 20,
      role: "teacher",
      checkin: { open: false, count: 1, enrolled: 3, students: [{ id: 1, name: "A", number: "1", status: "present", at: "t1" }] },
      poll: null,
      prepared: [{ id: 9, kind: "true_false", prompt: "Ready?" }],
      comments: [{ id: 1, text: "hi", at: "t", hidden: false, student: { id: 1, name: "A", number: "1" } }],
      questions: [{ id: 2, text: "why?", votes: 0, voted: false, answered: false, at: "t", student: { id: 1, name: "A", number: "1" } }],
      hands: [],
      calls: [],
      muted: [],
    };
    const B = { id: 2, name: "B", number: "2" };
    const events = [
      { type: "checkin.window", seq: 21, open: true },
      { type: "checkin", seq: 22, count: 2, enrolled: 3, student: { ...B, status: "late", at: "t2" } },
      { type: "poll.opened", seq: 23, poll: { id: 9, kind: "true_false", prompt: "Ready?", options: [], status: "open", opened_at: "t", closes_at: null, answered: 0, results: { counts: [0, 0] } } },
      { type: "poll.results", seq: 24, poll: 9, answered: 2, results: { counts: [1, 1] } },
      { type: "poll.closed", seq: 25, poll: 9, correct: true, answered: 2, results: { counts: [1, 1] } },
      { type: "comment", seq: 26, comment: { id: 3, text: "wow", at: "t", hidden: false, student: B } },
      { type: "comment.hidden", seq: 27, comment: 1 },
      { type: "question", seq: 28, question: { id: 4, text: "how?", votes: 0, answered: false, at: "t", student: B } },
      { type: "question.votes", seq: 29, question: 4, votes: 2 },
      { type: "question.answered", seq: 30, question: 2 },
      { type: "hand", seq: 31, student: B, raised: true, at: "t3" },
      { type: "hand", seq: 32, student: { id: 1, name: "A", number: "1" }, raised: true, at: "t4" },
      { type: "hand", seq: 33, student: B, raised: false, at: null },
      { type: "mute", seq: 34, student: 2, muted: true },
      ...Array.from({ length: 11 }, (_, i) => ({ type: "call", seq: 35 + i, id: 100 + i, student: B, at: `c${String(i).padStart(2, "0")}` })),
    ];
    for (const event of events) assert.deepEqual(reduce(state, event, 20), { applied: true, stale: false });

    assert.equal(state.seq, 45);
    assert.deepEqual(state.checkin, {
      open: true,
      count: 2,
      enrolled: 3,
      students: [
        { id: 1, name: "A", number: "1", status: "present", at: "t1" },
        { ...B, status: "late", at: "t2" },
      ],
    });
    assert.deepEqual(state.prepared, []);
    assert.deepEqual(state.poll, {
      id: 9, kind: "true_false", prompt: "Ready?", options: [], status: "closed", opened_at: "t",
      closes_at: null, answered: 2, results: { counts: [1, 1] }, correct: true,
    });
    assert.deepEqual(state.comments.map((c) => [c.id, c.hidden]), [[1, true], [3, false]]);
    assert.deepEqual(state.questions.map((q) => [q.id, q.votes, q.answered]), [[4, 2, false], [2, 0, true]]);
    assert.deepEqual(state.hands, [{ student: { id: 1, name: "A", number: "1" }, at: "t4" }]);
    assert.deepEqual(state.muted, [2]);
    assert.equal(state.calls.length, 10);
    assert.deepEqual([state.calls[0].at, state.calls[9].at], ["c01", "c10"]); // oldest first
    assert.deepEqual([state.calls[0].id, state.calls[9].id], [101, 110]);
  },

  "a student's view: hidden comments go; own mute, check-in, vote, hand and result are applied"() {
    const state = studentState({ your_answer: 1 });
    state.comments = [{ id: 1, text: "hi", at: "t", hidden: false }];
    reduce(state, { type: "comment.hidden", seq: 11, comment: 1 }, 10);
    reduce(state, { type: "mute", seq: 12, muted: true }, 10);
    reduce(state, { type: "checkin", seq: 13, count: 4, enrolled: 30, student: { id: 31, name: "Li Hua", number: "1", status: "present", at: "t" } }, 10);
    reduce(state, { type: "poll.closed", seq: 14, poll: 5, correct: [1], answered: 4, results: { counts: [1, 3] } }, 10);
    state.questions = [{ id: 2, text: "why?", votes: 0, voted: false, answered: false, at: "t" }];
    reduce(state, { type: "question.votes", seq: 15, question: 2, votes: 1, voted: true }, 10); // own vote
    reduce(state, { type: "question.votes", seq: 16, question: 2, votes: 2 }, 10); // a classmate's
    reduce(state, { type: "hand", seq: 17, raised: true }, 10);
    assert.deepEqual([state.questions[0].votes, state.questions[0].voted], [2, true]);
    assert.equal(state.me.hand, true);
    reduce(state, { type: "hand", seq: 18, raised: false }, 10); // lowered by the teacher
    assert.equal(state.me.hand, false);
    assert.deepEqual(state.comments, []);
    assert.equal(state.me.muted, true);
    assert.equal(state.me.checked_in, true);
    assert.equal(state.checkin.count, 4);
    assert.equal(state.poll.you_were_right, true);
    assert.deepEqual(state.poll.results, { counts: [1, 3] });
  },

  "a teacher's mark takes a student off the wall and tells that student"() {
    const wall = { type: "state", seq: 10, role: "projector", checkin: { open: true, count: 1, enrolled: 3, students: [{ id: 31, name: "Li Hua", number: "1", status: "present", at: "t1" }] } };
    const absent = { type: "checkin", seq: 12, count: 0, enrolled: 3, student: { id: 31, name: "Li Hua", number: "1", status: "absent", at: "t1" } };
    reduce(wall, absent, 10);
    assert.deepEqual([wall.checkin.count, wall.checkin.students], [0, []]);
    // the earlier check-in, arriving late, does not put them back
    reduce(wall, { ...absent, seq: 11, count: 1, student: { ...absent.student, status: "present" } }, 10);
    assert.deepEqual(wall.checkin.students, []);
    const phone = studentState();
    phone.me.checked_in = true;
    reduce(phone, absent, 10);
    assert.equal(phone.me.checked_in, false);
  },

  "a poll closed again with newer figures shows them; an older closing changes nothing"() {
    const state = studentState({ your_answer: 1 });
    reduce(state, { type: "poll.closed", seq: 12, poll: 5, correct: [1], answered: 3, results: { counts: [1, 2] } }, 10);
    const again = { type: "poll.closed", seq: 14, poll: 5, correct: [1], answered: 4, results: { counts: [1, 3] } };
    assert.deepEqual(reduce(state, again, 10), { applied: true, stale: false });
    assert.deepEqual([state.poll.answered, state.poll.results], [4, { counts: [1, 3] }]);
    const older = { type: "poll.closed", seq: 13, poll: 5, correct: [1], answered: 3, results: { counts: [1, 2] } };
    assert.deepEqual(reduce(state, older, 10), { applied: false, stale: false });
    assert.equal(state.poll.answered, 4);
    assert.equal(state.poll.you_were_right, true);
  },

  "events at or below the snapshot's seq are ignored; events about unseen things are stale"() {
    const state = studentState();
    assert.deepEqual(reduce(state, { type: "mute", seq: 10, muted: true }, 10), { applied: false, stale: false });
    assert.equal(state.me.muted, false);
    assert.deepEqual(reduce(state, { type: "poll.closed", seq: 11, poll: 99, correct: null }, 10), { applied: false, stale: true });
  },

  "an older event about the same thing is ignored; final events are not undone"() {
    const A = { id: 1, name: "A", number: "1" };
    const state = {
      type: "state",
      seq: 20,
      role: "teacher",
      checkin: { open: false, count: 1, enrolled: 3, students: [] },
      poll: { id: 9, kind: "single", prompt: "?", options: ["x", "y"], status: "open", opened_at: "t", closes_at: null, answered: 0, results: { counts: [0, 0] }, correct: null },
      prepared: [],
      comments: [],
      questions: [{ id: 2, text: "why?", votes: 0, voted: false, answered: false, at: "t", student: A }],
      hands: [],
      calls: [],
      muted: [],
    };
    const applied = (frame) => reduce(state, frame, 20).applied;
    // the check-in window: opened by the clock (23), an older close (22) arrives late
    assert.equal(applied({ type: "checkin.window", seq: 23, open: true }), true);
    assert.equal(applied({ type: "checkin.window", seq: 22, open: false }), false);
    assert.equal(state.checkin.open, true);
    // the check-in count
    applied({ type: "checkin", seq: 25, count: 3, enrolled: 3, student: { ...A, status: "present", at: "t2" } });
    applied({ type: "checkin", seq: 24, count: 2, enrolled: 3, student: { id: 3, name: "C", number: "3", status: "present", at: "t1" } });
    assert.equal(state.checkin.count, 3);
    assert.deepEqual(state.checkin.students.map((x) => x.id), [3, 1]); // by time, both kept
    // a question's votes
    assert.equal(applied({ type: "question.votes", seq: 27, question: 2, votes: 3 }), true);
    assert.equal(applied({ type: "question.votes", seq: 26, question: 2, votes: 2 }), false);
    assert.equal(state.questions[0].votes, 3);
    // a student's hand: raised (29), then an older lowering (28) arrives
    applied({ type: "hand", seq: 29, student: A, raised: true, at: "t9" });
    assert.equal(applied({ type: "hand", seq: 28, student: A, raised: false, at: null }), false);
    assert.deepEqual(state.hands, [{ student: A, at: "t9" }]);
    // a student's mute
    applied({ type: "mute", seq: 31, student: 1, muted: false });
    assert.equal(applied({ type: "mute", seq: 30, student: 1, muted: true }), false);
    assert.deepEqual(state.muted, []);
    // a poll's results
    applied({ type: "poll.results", seq: 33, poll: 9, answered: 2, results: { counts: [1, 1] } });
    assert.equal(applied({ type: "poll.results", seq: 32, poll: 9, answered: 1, results: { counts: [1, 0] } }), false);
    assert.equal(state.poll.answered, 2);
    // closed is final: late results do not change it
    applied({ type: "poll.closed", seq: 35, poll: 9, correct: [0], answered: 2, results: { counts: [1, 1] } });
    assert.deepEqual(reduce(state, { type: "poll.results", seq: 34, poll: 9, answered: 1, results: { counts: [0, 1] } }, 20), { applied: false, stale: false });
    assert.equal(state.poll.status, "closed");
    assert.equal(state.poll.answered, 2);
    // the current poll: poll 11 opened (37); poll 10's older opening (36) does not replace it,
    // and an older event about poll 10 is ignored, not a reason to ask for a fresh state
    applied({ type: "poll.opened", seq: 37, poll: { id: 11, kind: "true_false", prompt: "!", options: [], status: "open", opened_at: "t", closes_at: null, answered: 0, results: { counts: [0, 0] } } });
    assert.deepEqual(reduce(state, { type: "poll.opened", seq: 36, poll: { id: 10, kind: "text", prompt: "?", options: [], status: "open", opened_at: "t", closes_at: null, answered: 0, results: { words: [] } } }, 20), { applied: false, stale: false });
    assert.equal(state.poll.id, 11);
    assert.deepEqual(reduce(state, { type: "poll.results", seq: 36, poll: 10, answered: 1, results: { words: [] } }, 20), { applied: false, stale: false });
    // the poll already shown is not reset by a repeated opening
    applied({ type: "poll.results", seq: 40, poll: 11, answered: 1, results: { counts: [1, 0] } });
    assert.equal(applied({ type: "poll.opened", seq: 41, poll: { id: 11, kind: "true_false", prompt: "!", options: [], status: "open", opened_at: "t", closes_at: null, answered: 0, results: { counts: [0, 0] } } }), false);
    assert.equal(state.poll.answered, 1);
    // an answered question stays answered; its answering may even come before the question
    applied({ type: "question.answered", seq: 43, question: 5 });
    applied({ type: "question.votes", seq: 44, question: 5, votes: 4 });
    applied({ type: "question", seq: 42, question: { id: 5, text: "how?", votes: 0, voted: false, answered: false, at: "t5", student: A } });
    assert.deepEqual(state.questions.map((q) => [q.id, q.votes, q.answered]), [[5, 4, true], [2, 3, false]]);
    // a question, comment or call already in the state (the snapshot had it) changes nothing
    assert.equal(applied({ type: "question", seq: 45, question: { id: 2, text: "why?", votes: 0, voted: false, answered: false, at: "t", student: A } }), false);
    assert.equal(state.questions[1].votes, 3);
    applied({ type: "call", seq: 46, id: 7, student: A, at: "c1" });
    assert.equal(applied({ type: "call", seq: 47, id: 7, student: A, at: "c1" }), false);
    assert.equal(state.calls.length, 1);
    // a hidden comment stays hidden when its older `comment` event arrives after
    applied({ type: "comment.hidden", seq: 49, comment: 8 });
    applied({ type: "comment", seq: 48, comment: { id: 8, text: "rude", at: "t8", hidden: false, student: A } });
    assert.deepEqual(state.comments.map((c) => [c.id, c.hidden]), [[8, true]]);
    // a fresh state starts over: what it says is the truth
    const fresh = { ...state, seq: 50, checkin: { ...state.checkin, open: false } };
    reduce(fresh, { type: "checkin.window", seq: 51, open: true }, 50);
    assert.equal(fresh.checkin.open, true);
  },

  "a student's screen: older events ignored, hidden comments not brought back"() {
    const state = studentState({ your_answer: 1 });
    reduce(state, { type: "comment.hidden", seq: 12, comment: 4 }, 10);
    assert.equal(reduce(state, { type: "comment", seq: 11, comment: { id: 4, text: "x", at: "t", hidden: false } }, 10).applied, false);
    assert.deepEqual(state.comments, []);
    reduce(state, { type: "mute", seq: 14, muted: false }, 10);
    assert.equal(reduce(state, { type: "mute", seq: 13, muted: true }, 10).applied, false);
    assert.equal(state.me.muted, false);
    reduce(state, { type: "hand", seq: 16, raised: false }, 10); // lowered by the teacher
    assert.equal(reduce(state, { type: "hand", seq: 15, raised: true }, 10).applied, false);
    assert.equal(state.me.hand, false);
    // a repeated opening of the poll shown keeps the student's answer
    reduce(state, { type: "poll.opened", seq: 17, poll: { ...state.poll, answered: null, results: null, your_answer: null } }, 10);
    assert.equal(state.poll.your_answer, 1);
  },

  "personal frames: the student's own check-in, hand and vote"() {
    const state = studentState();
    state.questions = [{ id: 2, text: "why?", votes: 1, voted: false, answered: false, at: "t" }];
    // a classmate's check-in: totals only
    reduce(state, { type: "checkin", seq: 11, count: 4, enrolled: 30 }, 10);
    assert.equal(state.me.checked_in, false);
    assert.equal("students" in state.checkin, false); // S has no list; none is made up
    // their own: with `student`
    reduce(state, { type: "checkin", seq: 12, count: 5, enrolled: 30, student: { id: 31, name: "Li Hua", number: "2026001", status: "late", at: "t" } }, 10);
    assert.equal(state.me.checked_in, true);
    assert.equal(state.checkin.count, 5);
    reduce(state, { type: "hand", seq: 13, raised: true });
    assert.equal(state.me.hand, true);
    reduce(state, { type: "question.votes", seq: 14, question: 2, votes: 2, voted: true });
    assert.deepEqual([state.questions[0].votes, state.questions[0].voted], [2, true]);
    // an older classmate's vote arriving late changes neither the votes nor `voted`
    assert.equal(reduce(state, { type: "question.votes", seq: 13, question: 2, votes: 1 }, 10).applied, false);
    assert.deepEqual([state.questions[0].votes, state.questions[0].voted], [2, true]);
    // the teacher's hand list is absent from a student's state and stays absent
    assert.equal("hands" in state, false);
    assert.equal("muted" in state, false);
  },

  "checkin.code sets whether check-in is open, also to false"() {
    reset();
    const changes = [];
    const client = new LiveClient({ path: "/ws/live/7/?view=projector", onChange: (s) => changes.push(s.checkin.open) }).start();
    const socket = FakeSocket.last;
    socket.serve({ ...studentState(), role: "projector", me: undefined, checkin: { open: true, count: 0, enrolled: 30, students: [] } });
    socket.serve({ type: "checkin.code", url: "/checkin/7/3/abc/", code: "123456", expires_in: 20, open: false });
    assert.equal(client.state.checkin.open, false);
    socket.serve({ type: "checkin.code", url: "/checkin/7/4/def/", code: "654321", expires_in: 20, open: true });
    assert.equal(client.state.checkin.open, true);
    assert.deepEqual(changes, [true, false, true]);
    assert.equal(client.state.seq, 10); // no seq: the room's seq is untouched
  },

  "1011 (the server could not build the state) reconnects; a refusal before any state is final"() {
    reset();
    const statuses = [];
    const client = newClient(statuses);
    FakeSocket.last.drop(1011); // accepted, then closed before any state
    assert.deepEqual(statuses.at(-1), ["reconnecting", 1000]);
    assert.equal(runTimer(), 1000);
    FakeSocket.last.drop(1011);
    assert.equal(runTimer(), 2000);
    FakeSocket.last.serve(studentState());
    assert.equal(client.connected, true);
    FakeSocket.last.drop(1011);
    assert.equal(runTimer(), 1000); // a state started the delays again

    reset();
    const refused = [];
    newClient(refused);
    FakeSocket.last.drop(4403); // a refused connection is accepted, then closed at once
    assert.deepEqual(refused.at(-1), ["refused", 4403]);
    assert.equal(timers.length, 0);
  },

  "an answer refused with server_error stays queued and is sent again with its key"() {
    reset();
    const errors = [];
    const client = newClient([], errors);
    const socket = FakeSocket.last;
    socket.serve(studentState());
    client.answer(5, 1);
    const [first] = answers(socket);
    socket.serve({ type: "error", ref: first.ref, code: "server_error", message: "Something went wrong; try again." });
    assert.deepEqual(stored().map((e) => e.key), [first.key]);
    assert.deepEqual(errors, []);
    assert.equal(runTimer(), 1000);
    const [, again] = answers(socket);
    assert.deepEqual([again.key, again.value, again.poll], [first.key, 1, 5]);
    socket.serve({ type: "ack", ref: again.ref, for: "answer", poll: 5, key: first.key, duplicate: false });
    assert.deepEqual(stored(), []);
    assert.equal(client.state.poll.your_answer, 1);
  },

  "an answer is sent with a key and kept until acknowledged"() {
    reset();
    const statuses = [];
    const client = newClient(statuses);
    const socket = FakeSocket.last;
    assert.equal(socket.url, "ws://testserver/ws/live/7/");
    socket.serve(studentState());
    assert.deepEqual(statuses.at(-1), ["connected", undefined]);
    client.answer(5, 1);
    const [sent] = answers(socket);
    assert.equal(sent.poll, 5);
    assert.equal(sent.value, 1);
    assert.ok(sent.key.length >= 8 && sent.ref);
    assert.deepEqual(stored().map((e) => e.key), [sent.key]);
    client.answer(5, 0); // a second tap while waiting sends nothing new
    assert.equal(answers(socket).length, 1);
    socket.serve({ type: "ack", ref: sent.ref, for: "answer", poll: 5, key: sent.key, duplicate: false });
    assert.deepEqual(stored(), []);
    assert.equal(client.pendingAnswer(5), null);
    assert.equal(client.state.poll.your_answer, 1);
  },

  "an answer given offline is kept, and sent with its key after the reconnection's state"() {
    reset();
    const statuses = [];
    const client = newClient(statuses);
    FakeSocket.last.serve(studentState());
    FakeSocket.last.drop(1006);
    assert.deepEqual(statuses.at(-1), ["reconnecting", 1000]);
    const entry = client.answer(5, 1);
    assert.equal(answers(FakeSocket.all[0]).length, 0);
    assert.deepEqual(stored(), [{ poll: 5, value: 1, key: entry.key }]);

    assert.equal(runTimer(), 1000);
    const socket = FakeSocket.last;
    assert.equal(FakeSocket.all.length, 2);
    assert.equal(answers(socket).length, 0); // not before the state
    socket.serve(studentState());
    const [resent] = answers(socket);
    assert.equal(resent.key, entry.key);
    assert.equal(resent.value, 1);
    assert.deepEqual(stored().map((e) => e.key), [entry.key]); // still kept: no ack yet
    socket.serve({ type: "ack", ref: resent.ref, for: "answer", poll: 5, key: entry.key, duplicate: true });
    assert.deepEqual(stored(), []);
    assert.deepEqual(socket.sent.at(-1), { type: "sync", ref: socket.sent.at(-1).ref }); // learn the first answer
  },

  "an answer the server already has is not sent again"() {
    reset();
    const client = newClient();
    FakeSocket.last.serve(studentState());
    FakeSocket.last.drop();
    client.answer(5, 1);
    runTimer();
    FakeSocket.last.serve(studentState({ your_answer: 1 }));
    assert.equal(answers(FakeSocket.last).length, 0);
    assert.deepEqual(stored(), []);
  },

  "an answer to a poll closed meanwhile is reported, not sent"() {
    reset();
    const errors = [];
    const client = newClient([], errors);
    FakeSocket.last.serve(studentState());
    FakeSocket.last.drop();
    client.answer(5, 1);
    runTimer();
    FakeSocket.last.serve(studentState({ status: "closed", correct: [1] }));
    assert.equal(answers(FakeSocket.last).length, 0);
    assert.deepEqual(errors, ["expired"]);
    assert.deepEqual(stored(), []);
  },

  "a refused answer (poll closed) leaves the queue"() {
    reset();
    const client = newClient();
    const socket = FakeSocket.last;
    socket.serve(studentState());
    client.answer(5, 1);
    const [sent] = answers(socket);
    socket.serve({ type: "error", ref: sent.ref, code: "poll_closed", message: "This poll is closed." });
    assert.deepEqual(stored(), []);
    assert.equal(client.pendingAnswer(5), null);
  },

  "a reloaded page finds its unsent answer in localStorage"() {
    reset();
    const first = newClient();
    FakeSocket.last.serve(studentState());
    FakeSocket.last.drop();
    const entry = first.answer(5, 0);
    first.stopped = true; // the page goes away

    newClient();
    FakeSocket.last.serve(studentState());
    assert.deepEqual(answers(FakeSocket.last).map((a) => [a.key, a.value]), [[entry.key, 0]]);
  },

  "reconnection waits 1, 2, 4, 8 then 15 s, and starts again after a state"() {
    reset();
    newClient();
    const delays = [];
    for (let i = 0; i < 6; i += 1) {
      FakeSocket.last.drop(1001);
      delays.push(runTimer());
    }
    assert.deepEqual(delays, [1000, 2000, 4000, 8000, 15000, 15000]);
    FakeSocket.last.serve(studentState());
    FakeSocket.last.drop(1000);
    assert.equal(runTimer(), 1000);
  },

  "after too many errors the client waits 10 s"() {
    reset();
    newClient();
    FakeSocket.last.drop(4429);
    assert.equal(runTimer(), 10000);
  },

  "4403, 4404 and 4410 are final"() {
    for (const code of [4403, 4404, 4410]) {
      reset();
      const statuses = [];
      newClient(statuses);
      FakeSocket.last.drop(code);
      assert.equal(timers.length, 0);
      assert.deepEqual(statuses.at(-1), ["refused", code]);
    }
  },

  "4401 sends the user to log in and back"() {
    reset();
    newClient();
    FakeSocket.last.drop(4401);
    assert.equal(timers.length, 0);
    assert.equal(location.assigned, "/accounts/login/?next=%2Flive%2F7%2Fme%2F");
  },

  "an event about something never seen asks for a fresh state"() {
    reset();
    const client = newClient();
    const socket = FakeSocket.last;
    socket.serve(studentState());
    socket.serve({ type: "poll.closed", seq: 11, poll: 6, correct: null, answered: 0, results: {} });
    assert.equal(socket.sent.at(-1).type, "sync");
    assert.equal(client.state.poll.id, 5);
  },
};

let failed = 0;
for (const [name, test] of Object.entries(tests)) {
  try {
    test();
    console.log(`ok - ${name}`);
  } catch (error) {
    failed += 1;
    console.log(`not ok - ${name}\n${error.stack}`);
  }
}
process.exitCode = failed ? 1 : 0;
