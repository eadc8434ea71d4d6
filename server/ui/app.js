// rosterd dashboard. Plain script, no library: it reads the API with the
// token the user pasted (kept in sessionStorage, sent as a Bearer
// header) and writes every value with textContent, never as HTML.
(function () {
  "use strict";

  var TOKEN_KEY = "rosterd.token";
  var MAX_ISSUE_ROWS = 500;
  var REFRESH_MS = 10000;
  var token = sessionStorage.getItem(TOKEN_KEY) || "";
  var who = null;
  var timer = 0;

  function $(id) { return document.getElementById(id); }

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    if (cls) { e.className = cls; }
    return e;
  }

  function row(cells) {
    var tr = document.createElement("tr");
    cells.forEach(function (c) {
      var td = document.createElement("td");
      if (c instanceof Node) { td.appendChild(c); } else { td.textContent = c === undefined || c === null ? "" : String(c); }
      tr.appendChild(td);
    });
    return tr;
  }

  function num(n) { return (n || 0).toLocaleString("en-US"); }

  function when(iso) {
    if (!iso) { return "—"; }
    var d = new Date(iso);
    return isNaN(d.getTime()) ? iso : d.toLocaleString();
  }

  function badge(verdict) { return el("span", verdict || "—", "badge v-" + (verdict || "none")); }

  function say(msg, isError) {
    var s = $("status");
    s.textContent = msg || "";
    s.className = isError ? "error" : "";
  }

  function canOperate() { return who && (who.role === "operator" || who.role === "admin"); }

  // api fetches path with the token and returns the response; a non-2xx
  // status rejects with the API's {"error"} message. A 401 signs out.
  function api(path, opts) {
    opts = opts || {};
    var headers = { "Accept": opts.accept || "application/json" };
    if (token) { headers.Authorization = "Bearer " + token; }
    return fetch(path, { method: opts.method || "GET", headers: headers, cache: "no-store", credentials: "omit" })
      .then(function (resp) {
        if (resp.ok) { return resp; }
        return resp.text().then(function (text) {
          var msg = resp.status + " " + resp.statusText;
          try { msg = JSON.parse(text).error || msg; } catch (e) { /* not JSON */ }
          var err = new Error(msg);
          err.status = resp.status;
          if (resp.status === 401) {
            if (token) { signOut("The server refused the token: " + msg); } else { showLogin(""); }
          }
          throw err;
        });
      });
  }

  function getJSON(path) { return api(path).then(function (r) { return r.json(); }); }

  // ---- signing in and out ----

  function showLogin(message) {
    clearInterval(timer);
    $("view").hidden = true;
    $("who").hidden = true;
    $("signout").hidden = true;
    $("login").hidden = false;
    $("login-error").textContent = message || "";
    $("token").value = "";
    $("token").focus();
  }

  function signOut(message) {
    token = "";
    who = null;
    sessionStorage.removeItem(TOKEN_KEY);
    showLogin(message);
  }

  function start() {
    getJSON("/api/v1/whoami").then(function (w) {
      who = w;
      $("login").hidden = true;
      $("who").textContent = "Signed in as " + w.name + " (" + w.role + ")";
      $("who").hidden = false;
      $("signout").hidden = !token;
      $("view").hidden = false;
      route();
    }).catch(function (err) {
      if (err.status !== 401) { showLogin(token ? "Could not sign in: " + err.message : ""); }
    });
  }

  $("login-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    token = $("token").value.trim();
    if (!token) { return; }
    sessionStorage.setItem(TOKEN_KEY, token);
    $("login-error").textContent = "";
    start();
  });
  $("signout").addEventListener("click", function () {
    history.replaceState(null, "", "#/");
    signOut("");
    say("");
  });

  // ---- routing ----

  function route() {
    clearInterval(timer);
    if (!who) { return; }
    var m = /^#\/runs\/(\d+)$/.exec(location.hash);
    if (m) { showRun(m[1]); } else { showHome(); }
  }
  window.addEventListener("hashchange", route);

  function mount(tplID) {
    var view = $("view");
    view.textContent = "";
    view.appendChild($(tplID).content.cloneNode(true));
    return view;
  }

  // ---- home: connections and run history ----

  function showHome() {
    mount("tpl-home");
    var filter = $("run-filter");
    var params = new URLSearchParams(sessionStorage.getItem("rosterd.filter") || "");
    filter.elements.verdict.value = params.get("verdict") || "";
    filter.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var p = new URLSearchParams();
      if (filter.elements.connection.value) { p.set("connection", filter.elements.connection.value); }
      if (filter.elements.verdict.value) { p.set("verdict", filter.elements.verdict.value); }
      sessionStorage.setItem("rosterd.filter", p.toString());
      loadRuns();
    });
    loadConnections(params.get("connection") || "");
    loadRuns();
    timer = setInterval(function () { loadConnections(); loadRuns(); }, REFRESH_MS);
  }

  function loadConnections(selected) {
    return getJSON("/api/v1/connections").then(function (data) {
      var body = document.querySelector("#conns tbody");
      if (!body) { return; }
      body.textContent = "";
      var sel = $("f-connection");
      var keep = selected !== undefined ? selected : sel.value;
      while (sel.options.length > 1) { sel.remove(1); }
      data.connections.forEach(function (c) {
        sel.appendChild(el("option", c.name));
        var last = "—";
        if (c.last) {
          last = document.createElement("span");
          var a = el("a", "run " + c.last.id);
          a.href = "#/runs/" + c.last.id;
          last.appendChild(a);
          last.appendChild(document.createTextNode(" "));
          last.appendChild(badge(c.last.verdict));
          last.appendChild(document.createTextNode(" " + when(c.last.finished || c.last.started)));
        }
        var next = c.next ? when(c.next) : (c.schedule ? "—" : "not scheduled");
        if (c.schedule) { next += " (" + c.schedule + ")"; }
        var actions = "";
        if (canOperate()) {
          actions = el("button", c.running ? "Running…" : "Sync now");
          actions.type = "button";
          actions.disabled = c.running;
          actions.setAttribute("aria-label", "Sync " + c.name + " now");
          actions.addEventListener("click", function () { trigger(c.name); });
        }
        var tr = row([c.name, c.source, el("span", c.running ? "running" : "idle", c.running ? "running" : ""), last, next, actions]);
        tr.dataset.connection = c.name;
        body.appendChild(tr);
      });
      sel.value = keep;
    }).catch(function (err) { say("Could not load the connections: " + err.message, true); });
  }

  function loadRuns() {
    var p = new URLSearchParams(sessionStorage.getItem("rosterd.filter") || "");
    p.set("limit", "100");
    return getJSON("/api/v1/runs?" + p.toString()).then(function (data) {
      var body = document.querySelector("#runs tbody");
      if (!body) { return; }
      body.textContent = "";
      data.runs.forEach(function (r) {
        var a = el("a", r.id);
        a.href = "#/runs/" + r.id;
        var decision = r.decision ? r.decision + " by " + r.decided_by : "";
        var tr = row([a, r.connection, r.mode, badge(r.verdict), when(r.started), num(r.added), num(r.updated),
          num(r.deleted), num(r.errors), num(r.warnings), decision]);
        for (var i = 5; i <= 9; i++) { tr.children[i].className = "n"; }
        tr.dataset.run = r.id;
        body.appendChild(tr);
      });
      $("runs-empty").hidden = data.runs.length > 0;
    }).catch(function (err) { say("Could not load the runs: " + err.message, true); });
  }

  function trigger(name) {
    api("/api/v1/connections/" + encodeURIComponent(name) + "/sync", { method: "POST" }).then(function () {
      say("Sync of " + name + " started.");
    }).catch(function (err) {
      say(err.status === 409 ? err.message : "Could not start the sync: " + err.message, err.status !== 409);
    }).then(function () { loadConnections(); });
  }

  // ---- one run ----

  function showRun(id) {
    mount("tpl-run");
    $("run-title").textContent = "Run " + id;
    getJSON("/api/v1/runs/" + id).then(renderRun).catch(function (err) {
      $("run-verdict").textContent = "Could not load run " + id + ": " + err.message;
    });
    $("download-csv").addEventListener("click", function () { downloadCSV(id); });
    $("open-html").addEventListener("click", function () { openHTML(id); });
  }

  function renderRun(rep) {
    $("run-title").textContent = "Run " + rep.run_id + ": " + rep.connection;
    var v = $("run-verdict");
    v.textContent = "";
    v.appendChild(badge(rep.verdict));
    v.appendChild(document.createTextNode(" " + verdictMeaning(rep)));
    v.dataset.verdict = rep.verdict;

    var sum = document.querySelector("#run-summary tbody");
    sum.textContent = "";
    function line(k, val) {
      if (val === undefined || val === null || val === "") { return; }
      var tr = document.createElement("tr");
      tr.appendChild(el("th", k)).scope = "row";
      tr.appendChild(el("td", val));
      sum.appendChild(tr);
    }
    line("Connection", rep.connection);
    line("Source", rep.source);
    line("Mode", rep.mode);
    line("Started", when(rep.started));
    line("Finished", when(rep.finished));
    line("Error", rep.error);
    line("Pause window", rep.pause);
    line("Issues", num(rep.summary.errors) + " errors, " + num(rep.summary.warnings) + " warnings");
    if (rep.decision) { line("Decision", rep.decision.action + " by " + rep.decision.by + " at " + when(rep.decision.at)); }
    if (rep.rollback_to) { line("Rollback target", "the roster run " + rep.rollback_to + " committed"); }

    var counts = document.querySelector("#counts tbody");
    counts.textContent = "";
    (rep.counts || []).forEach(function (c) {
      if (!c.fetched && !c.kept && !c.added && !c.updated && !c.deleted) { return; }
      var tr = row([c.entity, num(c.fetched), num(c.kept), num(c.added), num(c.updated), num(c.deleted)]);
      for (var i = 1; i <= 5; i++) { tr.children[i].className = "n"; }
      counts.appendChild(tr);
    });

    var guards = $("guards");
    guards.textContent = "";
    (rep.guards || []).forEach(function (g) {
      guards.appendChild(el("li", g.action + " " + num(g.count) + " of " + num(g.committed) + " " + g.entity +
        " records (" + g.percent.toFixed(1) + "%): " + g.limit));
    });
    $("guards-box").hidden = !(rep.guards && rep.guards.length);

    var held = rep.verdict === "held";
    $("decision").hidden = !(held && canOperate());
    if (held && canOperate()) { wireDecision(rep.run_id); }

    var issues = rep.issues || [];
    var q = $("issue-q"), sev = $("issue-severity"), typing = 0;
    function draw() { drawIssues(issues, q.value, sev.value); }
    q.addEventListener("input", function () { clearTimeout(typing); typing = setTimeout(draw, 150); });
    sev.addEventListener("change", draw);
    $("issue-filter").addEventListener("submit", function (ev) { ev.preventDefault(); draw(); });
    draw();
  }

  function verdictMeaning(rep) {
    switch (rep.verdict) {
      case "committed": return "The roster was committed.";
      case "held": return "Held for approval: nothing was committed.";
      case "refused": return "Preflight refused the run: nothing was committed.";
      case "failed": return "The run failed: nothing was committed.";
      case "passed": return "The dry run passed.";
      case "paused": return "Inside a pause window: nothing was committed.";
      case "rejected": return "An operator rejected the held change: nothing was committed.";
    }
    return "";
  }

  function wireDecision(id) {
    var action = "";
    function ask(what) {
      action = what;
      $("decide-buttons").hidden = true;
      $("confirm").hidden = false;
      $("confirm-text").textContent = what === "approve" ?
        "Commit the staged change of run " + id + "?" : "Drop the staged change of run " + id + "?";
      $("confirm-yes").textContent = what === "approve" ? "Yes, approve and commit" : "Yes, reject";
      $("confirm-yes").focus();
    }
    $("approve").addEventListener("click", function () { ask("approve"); });
    $("reject").addEventListener("click", function () { ask("reject"); });
    $("confirm-no").addEventListener("click", function () {
      $("confirm").hidden = true;
      $("decide-buttons").hidden = false;
    });
    $("confirm-yes").addEventListener("click", function () {
      $("confirm-yes").disabled = true;
      api("/api/v1/runs/" + id + "/" + action, { method: "POST" }).then(function () {
        say("Run " + id + (action === "approve" ? " approved and committed." : " rejected."));
      }).catch(function (err) {
        say("Could not " + action + " run " + id + ": " + err.message, true);
      }).then(function () { showRun(String(id)); });
    });
  }

  function drawIssues(issues, q, sev) {
    q = q.trim().toLowerCase();
    var body = document.querySelector("#issues tbody");
    body.textContent = "";
    var shown = 0, matched = 0;
    issues.forEach(function (is) {
      if (sev && is.severity !== sev) { return; }
      if (q) {
        var hay = [is.code, is.entity, is.id, is.sis_id, is.field, is.message].join(" ").toLowerCase();
        if (hay.indexOf(q) < 0) { return; }
      }
      matched++;
      if (shown >= MAX_ISSUE_ROWS) { return; }
      shown++;
      var tr = row([el("span", is.severity, "sev-" + is.severity), is.code, is.entity, is.id, is.sis_id, is.field, is.message]);
      body.appendChild(tr);
    });
    var text = issues.length === 0 ? "No issues." :
      "Showing " + num(shown) + " of " + num(matched) + " matching issues (" + num(issues.length) + " in all).";
    if (matched > shown) { text += " Narrow the filter, or download the CSV, to see the rest."; }
    $("issue-count").textContent = text;
  }

  // ---- downloads: fetched with the token, handed over as a Blob ----

  function downloadCSV(id) {
    api("/api/v1/runs/" + id + "/report.csv", { accept: "text/csv" }).then(function (r) { return r.blob(); })
      .then(function (blob) {
        var url = URL.createObjectURL(blob);
        var a = el("a");
        a.href = url;
        a.download = "rosterd-run-" + id + ".csv";
        document.body.appendChild(a);
        a.click();
        a.remove();
        setTimeout(function () { URL.revokeObjectURL(url); }, 60000);
        say("Downloaded rosterd-run-" + id + ".csv.");
      }).catch(function (err) { say("Could not download the CSV: " + err.message, true); });
  }

  function openHTML(id) {
    // Open the tab now, while the click still counts as the user's, and
    // cut it off from this page before it shows the report.
    var w = window.open("", "_blank");
    if (w) { w.opener = null; }
    api("/api/v1/runs/" + id + "/report.html", { accept: "text/html" }).then(function (r) { return r.blob(); })
      .then(function (blob) {
        var url = URL.createObjectURL(new Blob([blob], { type: "text/html" }));
        if (w) { w.location.href = url; } else { location.href = url; }
        setTimeout(function () { URL.revokeObjectURL(url); }, 60000);
      }).catch(function (err) {
        if (w) { w.close(); }
        say("Could not open the report: " + err.message, true);
      });
  }

  start();
})();
