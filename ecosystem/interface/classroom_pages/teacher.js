// The teacher's page: start scenarios, play rounds, watch the students and the leaderboard.
"use strict";
const key = new URLSearchParams(location.search).get("key") || "";
const $ = (id) => document.getElementById(id);
const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c]));
const fmt = (x, d = 1) => (x === null || x === undefined || Number.isNaN(x) ? "–" : Number(x).toFixed(d));
let scenarios = null;

async function api(path, body) {
  const options = {headers: {"X-Teacher-Key": key}};
  if (body !== undefined) Object.assign(options, {method: "POST", body: JSON.stringify(body)}, {headers: {"X-Teacher-Key": key, "Content-Type": "application/json"}});
  const response = await fetch(path, options);
  const data = await response.json();
  if (!response.ok) throw new Error(data.error || response.statusText);
  return data;
}

function say(text, ok) { const m = $("message"); m.className = "message " + (ok ? "ok" : "error"); m.textContent = text; }

async function act(path, body, done) {
  try { await api(path, body); say(done, true); refresh(); } catch (error) { say(error.message, false); }
}

let currentPhase = null;
$("start").addEventListener("click", () => currentPhase === "playing" && !confirm("Start a new run? The open scenario ends here (its rounds stay in the CSV).") ? null : act("/api/teacher/start", {scenario: $("scenario").value}, `Scenario "${$("scenario").value}" started: round 1 is open.`));
$("advance").addEventListener("click", () => act("/api/teacher/advance", {}, "Round played."));
$("auto").addEventListener("change", () => act("/api/teacher/settings", {auto_advance: $("auto").checked}, $("auto").checked ? "Rounds are played when every present student has submitted." : "You play the rounds."));
$("set-timer").addEventListener("click", () => act("/api/teacher/settings", {timer_s: Number($("timer").value)}, Number($("timer").value) ? `Rounds are played after ${$("timer").value} s at most.` : "No round timer."));
$("csv").href = "/export.csv?key=" + encodeURIComponent(key);

function render(t) {
  currentPhase = t.phase;
  $("join-url").textContent = t.join_url || location.origin + "/";
  if (!scenarios) {
    scenarios = t.scenarios;
    $("scenario").innerHTML = scenarios.map((s) => `<option>${esc(s.name)}</option>`).join("");
    $("scenario").value = t.scenario;
    $("timer").value = t.timer_s;
    $("auto").checked = t.auto_advance;
    $("scenario").addEventListener("change", question);
  }
  question();
  const phase = {lobby: "waiting for students", playing: `round ${t.round} of ${t.rounds} open`, over: "scenario over: debrief"}[t.phase];
  const left = t.seconds_left === null ? "" : ` · ${Math.ceil(t.seconds_left)} s left`;
  const times = t.round_seconds.length ? ` · last round took ${t.round_seconds[t.round_seconds.length - 1].toFixed(2)} s` : "";
  $("status").textContent = `Scenario: ${t.scenario} · ${phase} · month ${t.month}${left}${times}`;
  $("advance").disabled = t.phase !== "playing";
  $("players").innerHTML = t.players.length ? t.players.map((p) => {
    const state = p.waiting ? `<span class="tag away">next scenario</span>` : !p.in_business ? `<span class="tag no">closed</span>` : p.submitted ? `<span class="tag yes">submitted</span>` : `<span class="tag make">deciding</span>`;
    const away = p.present ? "" : ` <span class="tag away">away</span>`;
    return `<span data-player="${esc(p.name)}"><b>${esc(p.name)}</b> ${state}${away}</span>`;
  }).join("") : `<span class="hint">Nobody has joined yet.</span>`;
  $("leaderboard").innerHTML = `<tr><th>#</th><th>Student</th><th class="num">Profit</th><th class="num">Cash</th><th>In business</th><th class="num">Disrupted months</th><th class="num">Shirking suffered</th></tr>` +
    t.leaderboard.map((r, i) => `<tr data-firm="${esc(r.name)}"><td>${i + 1}</td><td><b>${esc(r.name)}</b></td><td class="num" data-col="total_profit">${fmt(r.total_profit)}</td><td class="num" data-col="cash">${fmt(r.cash)}</td><td data-col="survived">${r.survived ? '<span class="tag yes">yes</span>' : '<span class="tag no">closed</span>'}</td><td class="num" data-col="disruption_months">${fmt(r.disruption_months, 0)}</td><td class="num" data-col="shirking_suffered">${fmt(r.shirking_suffered, 0)}</td></tr>`).join("");
}

function question() {
  const s = scenarios.find((x) => x.name === $("scenario").value);
  $("scenario-question").textContent = s ? `${s.question} ${s.theory}` : "";
}

async function debrief() {
  const d = await api("/api/debrief");
  const head = `<tr><th>Firm</th><th>Rule</th><th class="num">Due diligence</th><th class="num">Monitoring</th><th>Contract</th><th>Sourcing</th><th class="num">Choices by hand</th><th>Buys now</th><th class="num">Profit</th><th>In business</th><th class="num">Disrupted months</th><th class="num">Shirking suffered</th></tr>`;
  $("debrief").innerHTML = head + d.firms.map((f) => `<tr class="${f.kind}"><td><b>${esc(f.firm)}</b></td><td>${esc(f.decision_rule)}</td><td class="num">${fmt(f.due_diligence, 2)}</td><td class="num">${fmt(f.monitoring_intensity, 2)}</td><td>${esc(String(f.contract_type).replaceAll("_", " "))}</td><td>${esc(f.sourcing_policy)}</td><td class="num">${f.by_hand}</td><td>${esc(f.functions_bought.replaceAll("_", " ")) || "–"}</td><td class="num">${fmt(f.total_profit)}</td><td>${f.survived ? "yes" : "closed"}</td><td class="num">${f.disruption_months}</td><td class="num">${f.shirking_suffered}</td></tr>`).join("");
}

async function refresh() {
  try {
    render(await api("/api/teacher"));
    await debrief();
    $("error").classList.add("hidden");
  } catch (error) {
    $("error").textContent = error.message;
    $("error").classList.remove("hidden");
  }
}
refresh();
setInterval(refresh, 1500);
