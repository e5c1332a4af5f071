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
        var rest = load().slice(1);
        store(rest);
        sending = false;
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
