// The student's page: join, then poll the game, show the firm and submit decisions each round.
"use strict";
const KEY = "smb-eco-classroom-token";
let token = localStorage.getItem(KEY);
let shown = null; // the run and round whose decision form is on the page
let view = null;
let lastRound = null;

const $ = (id) => document.getElementById(id);
const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c]));
const fmt = (x, d = 2) => (x === null || x === undefined || Number.isNaN(x) ? "–" : Number(x).toFixed(d));
const LABELS = {
  decision_rule: "Decision rule (for functions left to the rule)",
  due_diligence: "Due diligence (screening new vendors)",
  monitoring_intensity: "Monitoring intensity (audits)",
  contract_type: "Contract type",
  sourcing_policy: "Sourcing policy (vendors per function)",
  referral_weight: "Weight on peers' referrals",
};

async function api(path, body) {
  const options = body === undefined ? {} : {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)};
  const response = await fetch(path, options);
  const data = await response.json();
  if (!response.ok) throw new Error(data.error || response.statusText);
  return data;
}

function showJoin(message) {
  $("join").classList.remove("hidden");
  $("game").classList.add("hidden");
  $("join-message").textContent = message || "";
}

$("join-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  try {
    const joined = await api("/api/join", {name: $("name").value});
    token = joined.token;
    localStorage.setItem(KEY, token);
    $("join").classList.add("hidden");
    poll();
  } catch (error) {
    $("join-message").textContent = error.message;
  }
});

function banner(v) {
  const b = $("banner");
  if (v.waiting) return set(b, "wait", v.phase === "lobby" ? "You are in. Waiting for the teacher to start the game…" : "You joined during a scenario: you will play from the next one the teacher starts.");
  if (v.in_business === false) return set(b, "closed", "Your firm has closed: its cash stayed negative. Watch how the others do.");
  if (v.phase === "over") return set(b, "done", `The scenario is over after ${v.rounds} rounds. Look at the teacher's debrief.`);
  if (v.submitted) return set(b, "done", `Round ${v.round}: your decisions are in. Waiting for the round to be played…`);
  return set(b, "open", `Round ${v.round} of ${v.rounds} is open: decide and submit (the round covers ${v.months_per_round} months).`);
}
function set(el, kind, text) { el.className = "banner " + kind; el.textContent = text; }

function figures(v) {
  const f = v.firm || {};
  const last = v.last_round;
  const items = [
    ["Cash", fmt(f.cash)],
    ["Profit so far", fmt(f.total_profit)],
    ["Last round's profit", last ? fmt(last.round_profit) : "–"],
    ["Last round's outsourcing cost", last ? fmt(last.round_outsourcing_cost) : "–"],
    ["Months with disrupted output", fmt(f.disruption_months, 0)],
    ["Functions bought now", (v.functions || []).filter((x) => x.bought).length + " of 6"],
  ];
  $("figures").innerHTML = items.map(([l, x]) => `<div class="figure"><div class="label">${l}</div><div class="value">${x}</div></div>`).join("");
}

function functionsTable(v, rebuild) {
  const vendorsFor = (fn) => v.vendors.filter((x) => x.offers.includes(fn));
  const head = `<tr><th>Function</th><th class="num">Importance</th><th class="num">Specificity</th><th class="num">Uncertainty</th><th class="num">In-house cost / month</th><th class="num">Your capability</th><th>Now</th><th>Your decision</th><th>Vendor to approach first</th></tr>`;
  const rows = v.functions.map((f) => {
    const now = f.bought ? `<span class="tag buy">buy</span> ${f.vendors.map((id) => "V" + id).join(", ")}${f.vendors.length ? ` (fee ${fmt(f.fees)})` : " (searching)"}` : `<span class="tag make">make</span>`;
    const choice = v.decision.make_or_buy[f.name];
    const chosen = v.decision.vendors[f.name];
    const opts = ["rule", "make", "buy"].map((c) => `<option value="${c}"${c === choice ? " selected" : ""}>${c === "rule" ? "leave to my rule" : c}</option>`).join("");
    const vopts = [`<option value="">best my search finds</option>`].concat(vendorsFor(f.name).map((x) => `<option value="${x.id}"${x.id === chosen ? " selected" : ""}>V${x.id} (${x.location}, claims ${fmt(x.claimed_quality)})</option>`)).join("");
    return `<tr><td><b>${esc(f.name.replaceAll("_", " "))}</b></td><td class="num">${fmt(f.importance)}</td><td class="num">${fmt(f.specificity)}</td><td class="num">${fmt(f.uncertainty)}</td><td class="num">${fmt(f.make_cost)}</td><td class="num">${fmt(f.capability)}</td><td data-now="${f.name}">${now}</td>` +
      `<td><select data-mob="${f.name}">${opts}</select></td><td><select data-vendor="${f.name}">${vopts}</select></td></tr>`;
  });
  if (rebuild) {
    $("functions").innerHTML = head + rows.join("");
  } else { // keep the student's unsent choices: refresh only the "Now" column
    v.functions.forEach((f, i) => {
      const cell = document.querySelector(`[data-now="${f.name}"]`);
      if (cell) cell.outerHTML = rows[i].match(/<td data-now=.*?<\/td>/)[0];
    });
  }
}

function leversForm(v) {
  const current = v.current_strategy || {};
  $("levers").innerHTML = Object.entries(v.choices).map(([name, spec]) => {
    const value = name in v.decision.strategy ? v.decision.strategy[name] : current[name];
    let input;
    if (spec.choices) {
      input = `<select data-lever="${name}">${spec.choices.map((c) => `<option value="${c}"${c === value ? " selected" : ""}>${c.replaceAll("_", " ")}</option>`).join("")}</select>`;
    } else {
      const x = value === undefined ? spec.low : value;
      input = `<input type="range" data-lever="${name}" min="${spec.low}" max="${spec.high}" step="0.05" value="${x}"> <output>${fmt(x)}</output>`;
    }
    return `<div><label>${LABELS[name] || name}</label>${input}<span class="hint">${esc(spec.description)}</span></div>`;
  }).join("");
  document.querySelectorAll('input[type=range]').forEach((r) => r.addEventListener("input", () => { r.nextElementSibling.textContent = fmt(r.value); }));
}

function vendorsTable(v) {
  const head = `<tr><th>Vendor</th><th>Location</th><th>Offers</th><th class="num">List price</th><th class="num">Claimed quality</th><th class="num">Your screening</th><th class="num">Your measurements</th><th class="num">Peers' reports</th><th>Serves you</th></tr>`;
  $("vendors").innerHTML = head + v.vendors.map((x) =>
    `<tr><td><b>V${x.id}</b></td><td>${x.location}</td><td>${x.offers.map((f) => f.replaceAll("_", " ")).join(", ")}</td><td class="num">${fmt(x.price)}</td><td class="num">${fmt(x.claimed_quality)}</td>` +
    `<td class="num">${fmt(x.screened_quality)}</td><td class="num">${fmt(x.own_quality)}</td><td class="num">${x.referrals ? fmt(x.referral_quality) + " (" + x.referrals + ")" : "–"}</td><td>${x.serving_you.map((f) => f.replaceAll("_", " ")).join(", ")}</td></tr>`).join("");
}

function decision() {
  const d = {strategy: {}, make_or_buy: {}, vendors: {}};
  document.querySelectorAll("[data-lever]").forEach((el) => { d.strategy[el.dataset.lever] = el.type === "range" ? Number(el.value) : el.value; });
  document.querySelectorAll("[data-mob]").forEach((el) => { d.make_or_buy[el.dataset.mob] = el.value; });
  document.querySelectorAll("[data-vendor]").forEach((el) => { d.vendors[el.dataset.vendor] = el.value === "" ? null : Number(el.value); });
  return d;
}

$("submit").addEventListener("click", async () => {
  const m = $("message");
  try {
    await api("/api/submit", {token, round: view.round, decision: decision()});
    m.className = "message ok";
    m.textContent = `Decisions for round ${view.round} received.`;
    poll();
  } catch (error) {
    m.className = "message error";
    m.textContent = error.message;
  }
});

function render(v) {
  view = v;
  $("who").textContent = v.name;
  const inGame = v.phase !== "lobby" && !v.waiting;
  $("where").textContent = `Scenario: ${v.scenario}` + (inGame ? ` · round ${v.round} of ${v.rounds} · month ${v.month}` : "");
  $("game").classList.remove("hidden");
  banner(v);
  $("question").textContent = v.question;
  const playing = !v.waiting && v.functions;
  document.querySelectorAll("#game > section").forEach((s) => s.classList.toggle("hidden", !playing));
  if (!playing) return;
  figures(v);
  // the form is built once per scenario run: unsent choices survive the polls and round changes
  const rebuild = v.run !== shown;
  functionsTable(v, rebuild);
  if (rebuild) { leversForm(v); $("message").textContent = ""; shown = v.run; }
  if (v.round !== lastRound) {
    if ($("message").classList.contains("ok")) $("message").textContent = "";
    lastRound = v.round;
  }
  vendorsTable(v);
  $("submit").disabled = v.phase !== "playing" || v.in_business === false;
}

async function poll() {
  if (!token) return showJoin();
  try {
    render(await api("/api/me?token=" + encodeURIComponent(token)));
  } catch (error) {
    if (/unknown student/.test(error.message)) { localStorage.removeItem(KEY); token = null; showJoin(); }
  }
}

window.addEventListener("pagehide", () => {
  if (token) navigator.sendBeacon("/api/leave", JSON.stringify({token}));
});
poll();
setInterval(poll, 1500);
