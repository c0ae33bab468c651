// The Voltis status page: reads /api/v1/status and follows /api/v1/events. Served by the
// agent itself, no external assets, so it works on an air-gapped device. With an API token,
// the page asks for it once and keeps it for this tab only (sessionStorage).
"use strict";

const MAX_EVENTS = 50;
let token = sessionStorage.getItem("voltis-token") || "";
let lastEventId = 0;
let streamAbort = null;

function $(id) { return document.getElementById(id); }

function headers() {
  return token ? { "Authorization": "Bearer " + token } : {};
}

function short(sha) {
  return sha && /^[0-9a-f]{40,64}$/.test(sha) ? sha.substring(0, 12) : (sha || "–");
}

function when(iso) {
  if (!iso) return "–";
  const d = new Date(iso);
  const secs = Math.round((Date.now() - d.getTime()) / 1000);
  const ago = secs < 60 ? secs + " s ago" : secs < 3600 ? Math.round(secs / 60) + " min ago" : Math.round(secs / 3600) + " h ago";
  return d.toISOString().replace(".000Z", "Z") + " (" + ago + ")";
}

function text(id, value) { $(id).textContent = value == null || value === "" ? "–" : value; }

function cell(row, value, cls) {
  const td = row.insertCell();
  td.textContent = value == null ? "–" : String(value);
  if (cls) td.className = cls;
  return td;
}

function showError(message) {
  $("error").hidden = !message;
  $("error").textContent = message || "";
}

// null when the answer is a 401 to a request sent before the token was typed in: stale, not a refusal.
async function get(path) {
  const sent = token;
  const response = await fetch(path, { headers: headers(), cache: "no-store" });
  if (response.status === 401) {
    if (sent !== token) return null;
    $("token-form").hidden = false;
    throw new Error("this agent needs its API token");
  }
  if (!response.ok) {
    const body = await response.json().catch(() => ({}));
    throw new Error(body.error || (path + ": HTTP " + response.status));
  }
  return response.json();
}

// "Verified by ops@example.com (ssh-ed25519 SHA256:…)", "Unsigned", or "not verified"
function signature(v) {
  if (!v) return "not verified";
  return v.result + (v.result === "Verified" && v.signer ? " by " + v.signer : "");
}

function render(s) {
  text("hostname", s.hostname);
  $("phase").textContent = s.phase;
  $("phase").dataset.phase = s.phase;
  text("summary", s.summary);
  text("workload", s.workload);
  text("applied", short(s.appliedRevision));
  text("desired", short(s.desiredRevision));
  text("pin", s.pin ? short(s.pin.revision) + " (" + s.pin.source + ")" : "not pinned");
  text("signatures", s.signatures ? "verify " + s.signatures.verify + "; applied " + signature(s.signatures.applied)
      + "; desired " + signature(s.signatures.desired) : "not verified (verify: off)");
  $("signatures").className = s.signatures && s.signatures.desired && s.signatures.desired.result !== "Verified"
      && s.signatures.desired.result !== "Accepted" ? "bad" : "";
  text("gate", !s.gate ? "none running"
      : s.gate.state === "running" ? "running on " + short(s.gate.revision) + " until " + when(s.gate.until)
      : s.gate.state === "rolled-back" ? "rolled back from " + short(s.gate.quarantined) + " (quarantined): " + s.gate.reason
      : "held " + short(s.gate.revision) + ": " + s.gate.reason);
  $("gate").className = s.gate && s.gate.state !== "running" ? "bad" : "";
  text("rollout", !s.rollout ? "no plan" : s.rollout.waiting ? s.rollout.waiting : s.rollout.message);
  text("head", short(s.source.headRevision));
  text("source", s.source.url + " " + s.source.branch + (s.source.path ? " /" + s.source.path : "")
      + (s.source.reachable ? "" : " — unreachable: " + (s.source.error || s.source.reason || "?")));
  text("last-poll", when(s.source.lastPollAt));
  text("last-error", s.lastError);
  text("updated", when(s.updatedAt));
  const packages = $("packages").tBodies[0];
  packages.replaceChildren();
  for (const pkg of s.packages) {
    const row = packages.insertRow();
    row.dataset.package = pkg.name;
    cell(row, pkg.name);
    cell(row, pkg.manager);
    cell(row, pkg.state, pkg.state === "installed" ? "ok" : (pkg.state === "pending" ? "" : "bad"));
    cell(row, pkg.version);
    cell(row, when(pkg.checkedAt));
    cell(row, pkg.message);
  }
  const services = $("services").tBodies[0];
  services.replaceChildren();
  for (const svc of s.services) {
    const row = services.insertRow();
    row.dataset.service = svc.name;
    cell(row, svc.name);
    cell(row, svc.desired);
    cell(row, svc.actual, svc.actual === "running" ? "ok" : (svc.desired === "running" ? "bad" : ""));
    cell(row, svc.healthy == null ? "unknown" : (svc.healthy ? "healthy" : "unhealthy"),
        svc.healthy === false ? "bad" : (svc.healthy ? "ok" : ""));
    cell(row, svc.restarts);
    cell(row, when(svc.since));
  }
  const jobs = $("jobs").tBodies[0];
  jobs.replaceChildren();
  for (const job of s.jobs) {
    const row = jobs.insertRow();
    cell(row, job.name);
    cell(row, when(job.lastRunAt));
    cell(row, job.result, job.result === "failed" || job.result === "timed_out" ? "bad" : "");
  }
}

function addEvent(e) {
  if (e.id <= lastEventId) return;
  lastEventId = e.id;
  const li = document.createElement("li");
  li.dataset.type = e.type;
  const time = document.createElement("time");
  time.dateTime = e.at;
  time.textContent = e.at;
  const type = document.createElement("span");
  type.className = "type";
  type.textContent = e.type;
  const msg = document.createElement("span");
  msg.textContent = (e.revision ? short(e.revision) + " " : "") + (e.message || "");
  li.append(time, " ", type, " ", msg); // spaces: copied or read aloud, the parts stay words
  const list = $("events");
  list.prepend(li);
  while (list.children.length > MAX_EVENTS) list.lastChild.remove();
}

async function refresh() {
  try {
    const status = await get("/api/v1/status");
    if (!status) return;
    render(status);
    showError("");
  } catch (err) {
    showError(err.message);
  }
}

// Server-Sent Events read through fetch, so the token can go in a header (EventSource cannot).
async function follow() {
  if (streamAbort) streamAbort.abort();
  streamAbort = new AbortController();
  const h = headers();
  if (lastEventId) h["Last-Event-ID"] = String(lastEventId);
  try {
    const response = await fetch("/api/v1/events?follow=true&limit=" + MAX_EVENTS, { headers: h, signal: streamAbort.signal });
    if (!response.ok) throw new Error("events: HTTP " + response.status);
    $("live").textContent = "live";
    $("live").classList.add("on");
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.substring(0, end);
        buffer = buffer.substring(end + 2);
        const data = block.split("\n").filter(l => l.startsWith("data:")).map(l => l.substring(5).trimStart()).join("\n");
        if (data) {
          addEvent(JSON.parse(data));
          refresh();
        }
      }
    }
  } catch (err) {
    if (err.name === "AbortError") return;
  }
  $("live").textContent = "reconnecting";
  $("live").classList.remove("on");
  setTimeout(follow, 3000);
}

$("token-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  token = $("token").value.trim();
  sessionStorage.setItem("voltis-token", token);
  $("token-form").hidden = true;
  refresh();
  follow();
});

refresh();
follow();
setInterval(refresh, 5000);
