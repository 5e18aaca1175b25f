// The inbox page's script, served as /inbox.js. Plain ES2017 for any browser; every field of a
// text is written with textContent (never as HTML): the texts are written by a model.
export const INBOX_SCRIPT = `"use strict";
(function () {
  var TITLES = { twilio: "Twilio", plivo: "Plivo", telnyx: "Telnyx" };
  var threadList = document.getElementById("thread-list");
  var threadsBox = document.getElementById("threads");
  var empty = document.getElementById("empty");
  var connection = document.getElementById("connection");
  var clearButton = document.getElementById("clear");
  // The thread index stays folded on a phone (it would fill the first screen), open beside the
  // threads on a wider window.
  var index = document.getElementById("index");
  if (window.matchMedia("(min-width: 48rem)").matches) index.open = true;
  var threads = new Map();
  var rows = new Map();
  var threadsMade = 0;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function plural(count, one, many) {
    return count + " " + (count === 1 ? one : many);
  }

  /** A state's family, for its colour: what a person should notice. */
  function tone(state) {
    if (state === "delivered") return "good";
    if (/fail|undelivered|refused|no answer|expired|rejected/.test(state)) return "bad";
    return "pending";
  }

  function threadFor(to) {
    var thread = threads.get(to);
    if (thread) return thread;
    threadsMade += 1;
    var id = "thread-" + threadsMade;
    var section = el("section", "thread");
    section.id = id;
    section.tabIndex = -1;
    section.setAttribute("aria-labelledby", id + "-title");
    var heading = el("h2", "thread-title", to || "(no recipient)");
    heading.id = id + "-title";
    var list = el("ol", "texts");
    section.append(heading, list);

    var item = el("li");
    var link = el("a", "thread-link");
    link.href = "#" + id;
    var count = el("span", "thread-count");
    link.append(el("span", "thread-number", to || "(no recipient)"), count);
    link.addEventListener("click", function (event) {
      event.preventDefault();
      section.focus();
      section.scrollIntoView({ block: "start" });
      history.replaceState(null, "", "#" + id);
    });
    item.append(link);
    thread = { list: list, count: count, texts: 0, section: section, item: item };
    threads.set(to, thread);
    empty.hidden = true;
    return thread;
  }

  function render(text) {
    var thread = threadFor(text.to);
    var row = rows.get(text.id);
    if (!row) {
      row = el("li", "text");
      rows.set(text.id, row);
      thread.list.append(row);
      thread.texts += 1;
      thread.count.textContent = plural(thread.texts, "text", "texts");
      // As on a phone: the thread with the newest text comes first, in the index too (a new
      // thread is placed here, with its first text).
      threadsBox.prepend(thread.section);
      threadList.prepend(thread.item);
    }
    row.dataset.to = text.to;
    row.dataset.tone = tone(text.state);
    var body = el("p", "body", text.body === "" ? "(no text)" : text.body);
    var time = el("time", "", new Date(text.time).toLocaleString());
    time.dateTime = text.time;
    var meta = el("p", "meta");
    meta.append(
      el("span", "provider", TITLES[text.provider] || text.provider),
      " · from ",
      el("span", "sender", text.from || "(no sender)"),
      " · ",
      time,
      " · ",
      el("span", "segments", plural(text.segments, "segment", "segments") + ", " + text.encoding)
    );
    var state = el("p", "state");
    state.append("State: ", el("strong", "state-word", text.state));
    var parts = [body, meta, state];
    if (text.error || text.errorCode) {
      var words = "Error" + (text.errorCode ? " " + text.errorCode : "") + (text.error ? ": " + text.error : "");
      parts.push(el("p", "error", words));
    }
    row.replaceChildren.apply(row, parts);
  }

  /** The simulator dropped its oldest text: so does the page, and an emptied thread with it. */
  function forget(id) {
    var row = rows.get(id);
    if (!row) return;
    rows.delete(id);
    row.remove();
    var to = row.dataset.to;
    var thread = threads.get(to);
    if (!thread) return;
    thread.texts -= 1;
    thread.count.textContent = plural(thread.texts, "text", "texts");
    if (thread.texts > 0) return;
    thread.section.remove();
    thread.item.remove();
    threads.delete(to);
    empty.hidden = threads.size > 0;
  }

  function reset() {
    threads.clear();
    rows.clear();
    threadList.replaceChildren();
    threadsBox.replaceChildren();
    empty.hidden = false;
  }

  function live(on, words) {
    connection.textContent = words;
    connection.dataset.live = on ? "yes" : "no";
  }

  function connect() {
    var source = new EventSource("/_simulator/events");
    source.addEventListener("open", function () {
      live(true, "Live: texts appear as they arrive.");
    });
    source.addEventListener("error", function () {
      live(false, "Reconnecting to the simulator…");
      // A stream the browser gave up on is opened again; one it retries by itself is left to it.
      if (source.readyState === EventSource.CLOSED) {
        source.close();
        setTimeout(connect, 1000);
      }
    });
    source.addEventListener("snapshot", function (event) {
      reset();
      JSON.parse(event.data).forEach(render);
    });
    source.addEventListener("text", function (event) {
      render(JSON.parse(event.data));
    });
    source.addEventListener("forget", function (event) {
      forget(JSON.parse(event.data).id);
    });
    source.addEventListener("clear", reset);
  }

  clearButton.addEventListener("click", function () {
    clearButton.disabled = true;
    fetch("/_simulator/requests", { method: "DELETE" })
      .catch(function () {
        live(false, "Could not clear: the simulator did not answer.");
      })
      .then(function () {
        clearButton.disabled = false;
      });
  });

  connect();
})();
`;
