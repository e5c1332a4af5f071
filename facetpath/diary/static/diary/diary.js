// The diary keeps working without a connection: an answer is queued on the phone (localStorage) and sent
// when the network returns. Each answer carries its own key, so a retry never makes a second entry.
// Loaded as a static file (no inline script, as the content-security policy requires); without it the
// form posts normally.
(function () {
  "use strict";
  var form = document.getElementById("diary-form");
  if (!form || !window.fetch || !window.localStorage) { return; }
  var statusBox = document.getElementById("diary-status");
  var hint = document.getElementById("offline-hint");
  var queueName = "facetpath-diary-queue:" + form.getAttribute("action");
  var flashName = "facetpath-diary-flash";
  if (hint) { hint.hidden = false; }

  function load() {
    try { return JSON.parse(localStorage.getItem(queueName) || "[]"); } catch (e) { return []; }
  }
  function store(queue) { localStorage.setItem(queueName, JSON.stringify(queue)); }
  function newKey() {
    var bytes = new Uint8Array(18);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function say(text, kind) {
    statusBox.textContent = "";
    var p = document.createElement("p");
    p.className = kind === "error" ? "alert" : "notice saved";
    p.textContent = text;
    statusBox.appendChild(p);
  }
  function describe(data) {
    if (data.message) { return data.message + (data.phone ? " " + data.phone : ""); }
    var lines = [];
    Object.keys(data.errors || {}).forEach(function (name) { lines.push(data.errors[name].join(" ")); });
    return lines.join(" ");
  }

  // An answer well before the next time is kept only once the patient says so (the server asks; nothing
  // is saved meanwhile). "Wait" drops it; "Answer now anyway" sends it again, confirmed, at its own time.
  var confirmBox = document.getElementById("diary-confirm");
  var waiting = null;
  function ask(answer, message) {
    waiting = answer;
    document.getElementById("diary-confirm-text").textContent = message;
    confirmBox.hidden = false;
    confirmBox.querySelector("[data-confirm=yes]").focus();
  }
  if (confirmBox) {
    confirmBox.addEventListener("click", function (event) {
      var choice = event.target.getAttribute("data-confirm");
      if (!choice || !waiting) { return; }
      confirmBox.hidden = true;
      if (choice === "yes") {
        waiting.confirm_early = "on";
        var queue = load();
        queue.unshift(waiting);
        store(queue);
        waiting = null;
        say(form.getAttribute("data-sending"), "ok");
        flush();
      } else {
        waiting = null;
        say(form.getAttribute("data-waiting"), "ok");
      }
    });
  }

  var sending = false;
  function flush() {
    if (sending) { return; }
    var queue = load();
    if (!queue.length) { return; }
    sending = true;
    fetch(form.getAttribute("action"), {
      method: "POST",
      body: new URLSearchParams(queue[0]),
      headers: { "Accept": "application/json" },
      credentials: "same-origin"
    }).then(function (response) {
      if (response.status >= 500) { throw new Error("server"); }  // keep it and try again later
      return response.json().then(function (data) {
        var answer = load()[0];
        var rest = load().slice(1);
        store(rest);
        sending = false;
        if (data.confirm) { ask(answer, data.message); return; }
        if (!data.ok) { say(describe(data), "error"); return; }
        if (rest.length) { flush(); return; }
        // Reload so the page shows the next time due; the message survives the reload.
        sessionStorage.setItem(flashName, data.message || "");
        window.location.reload();
      });
    }).catch(function () {
      sending = false;  // offline or server trouble: the answer stays queued
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var data = new FormData(form);
    if (!data.get("pain")) {
      say(form.getAttribute("data-need-pain"), "error");
      return;
    }
    data.set("entered_at", new Date().toISOString());
    var fields = {};
    data.forEach(function (value, name) { fields[name] = value; });
    var queue = load();
    queue.push(fields);
    store(queue);
    form.reset();
    form.elements.key.value = newKey();
    say(form.getAttribute(navigator.onLine ? "data-sending" : "data-queued"), "ok");
    flush();
  });

  var flash = sessionStorage.getItem(flashName);
  if (flash) { sessionStorage.removeItem(flashName); say(flash, "ok"); }
  window.addEventListener("online", flush);
  window.setInterval(flush, 30000);
  flush();
})();
