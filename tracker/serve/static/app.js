// The story page: state table, timeline chart, as-of / known-at sliders, explain; live via SSE.
"use strict";
(function () {
  const root = document.getElementById("app");
  const story = root.dataset.story;
  const token = new URLSearchParams(location.search).get("token");
  const SVG = "http://www.w3.org/2000/svg";
  const CHART_CHANGES = 2000;   // the chart draws the latest changes of a long history
  const view = { asOf: null, knownAt: null, slot: null, span: null, timeline: [] };

  function url(path, params) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params || {})) if (v) q.set(k, v);
    if (token) q.set("token", token);
    const text = q.toString();
    return path + (text ? "?" + text : "");
  }

  async function get(path, params) {
    const response = await fetch(url(path, params), { cache: "no-store" });
    const body = await response.json();
    if (!response.ok) throw new Error(body.error || response.statusText);
    return body;
  }

  const api = (what, params) => get(`/api/stories/${encodeURIComponent(story)}/${what}`, params);

  function el(tag, attrs, ...children) {
    const node = tag.startsWith("svg:") ? document.createElementNS(SVG, tag.slice(4)) : document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) if (v !== null && v !== undefined) node.setAttribute(k, v);
    for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    return node;
  }

  const show = (value) => value === null || value === undefined ? "—" : Array.isArray(value) ? (value.join(", ") || "—") : value;
  const short = (iso) => iso ? iso.replace("T", " ").slice(0, 16) + "Z" : "—";

  function link(source) {
    const text = `${source.publisher}${source.published ? " " + short(source.published) : ""}`;
    return source.link ? el("a", { class: "evidence", href: source.link, target: "_blank", rel: "noopener", title: source.title }, text) : el("span", {}, text);
  }

  function renderState(state) {
    const body = document.querySelector("#state tbody");
    body.replaceChildren();
    const picker = document.getElementById("slot");
    const slots = Object.keys(state.slots);
    if (picker.options.length !== slots.length) {
      picker.replaceChildren(...slots.map((s) => el("option", { value: s }, s)));
      if (!view.slot) view.slot = slots[0];
      picker.value = view.slot;
    }
    for (const [slot, s] of Object.entries(state.slots)) {
      let value = show(s.value);
      if (s.chair) value += ` (chair: ${s.chair})`;
      if (s.interim) value += " (interim)";
      const evidence = el("td", {});
      s.evidence.slice(0, 4).forEach((src, i) => { if (i) evidence.append(", "); evidence.append(link(src)); });
      if (s.evidence.length > 4) evidence.append(` +${s.evidence.length - 4}`);
      if (s.single_source) evidence.append(" (single source)");
      const row = el("tr", { "data-slot": slot, class: slot === view.slot ? "picked" : null },
        el("td", {}, slot), el("td", { class: "value" }, value), el("td", {}, short(s.since)), evidence);
      row.addEventListener("click", () => pick(slot));
      body.append(row);
    }
  }

  function span(timeline) {
    const times = timeline.map((t) => Date.parse(t.at));
    const day = 86400000;
    const first = times.length ? Math.min(...times) : Date.now() - 30 * day;
    const last = Math.max(times.length ? Math.max(...times) : Date.now(), first + day);
    return { from: first - day, to: last + day };
  }

  function renderChart(timeline, slots) {
    const svg = document.getElementById("chart");
    svg.replaceChildren();
    const left = 110, right = 945, laneH = 34, top = 10;
    const height = top + slots.length * laneH + 30;
    svg.setAttribute("viewBox", `0 0 960 ${height}`);
    const { from, to } = view.span;
    const x = (ms) => left + (right - left) * (ms - from) / (to - from);
    slots.forEach((slot, i) => {
      const y = top + i * laneH;
      const lane = el("svg:rect", { class: "lane", x: left, y: y + 4, width: right - left, height: laneH - 8, "data-slot": slot });
      lane.addEventListener("click", (ev) => {
        const box = svg.getBoundingClientRect();
        const ms = from + (to - from) * ((ev.clientX - box.left) * 960 / box.width - left) / (right - left);
        setAsOf(new Date(ms).toISOString().slice(0, 19) + "Z");
        pick(slot);
      });
      svg.append(lane, el("svg:text", { class: "label", x: 6, y: y + laneH / 2 + 4 }, slot));
    });
    for (let d = Math.ceil(from / 86400000) * 86400000; d <= to; d += 86400000 * Math.max(1, Math.round((to - from) / 86400000 / 10))) {
      svg.append(el("svg:text", { class: "axis", x: x(d) - 14, y: height - 8 }, new Date(d).toISOString().slice(5, 10)));
    }
    timeline.forEach((t, i) => {
      const lane = slots.indexOf(t.slot);
      if (lane < 0) return;
      const first = t.sources.slice().sort((a, b) => (a.published || "").localeCompare(b.published || ""))[0];
      const mark = el("svg:circle", { class: "mark" + (t.correction ? " correction" : ""), cx: x(Date.parse(t.at)), cy: top + lane * laneH + laneH / 2, r: 6, "data-index": i },
        el("svg:title", {}, `${short(t.at)} ${t.slot} ${t.op} ${show(t.value)} (${t.sources.length} sources)`));
      svg.append(first && first.link ? el("svg:a", { href: first.link, target: "_blank", class: "evidence-link" }, mark) : mark);
    });
    if (view.asOf) {
      const cx = x(Date.parse(view.asOf));
      svg.append(el("svg:line", { class: "cursor", x1: cx, x2: cx, y1: top, y2: height - 22 }));
    }
  }

  function renderChanges(timeline) {
    const list = document.getElementById("changes");
    list.replaceChildren(...timeline.map((t) => {
      const item = el("li", {}, `${short(t.at)} ${t.slot}: ${t.op} → ${show(t.value)}${t.correction ? " (correction)" : ""} — `);
      t.sources.slice(0, 3).forEach((s, i) => { if (i) item.append(", "); item.append(link(s)); });
      return item;
    }));
  }

  function reports(title, items) {
    const box = el("div", { class: "explain-list" }, el("h3", {}, `${title} (${items.length})`));
    const list = el("ul", {});
    for (const r of items) {
      list.append(el("li", {}, `${short(r.published)} ${r.factuality} ${r.op} ${show(r.value)} — `,
        r.link ? el("a", { class: "evidence", href: r.link, target: "_blank", rel: "noopener" }, `${r.publisher}: ${r.title}`) : `${r.publisher}: ${r.title}`));
    }
    box.append(list);
    return box;
  }

  async function renderExplain() {
    if (!view.slot) return;
    const x = await api(`explain/${encodeURIComponent(view.slot)}`, { as_of: view.asOf, known_at: view.knownAt });
    const head = el("p", { id: "explain-value" }, `${x.slot}${x.as_of ? " as of " + short(x.as_of) : ""}: ${show(x.value)}${x.since ? " since " + short(x.since) : ""}`);
    const parts = [head, reports("supporting", x.supporting), reports("contradicting", x.contradicting)];
    if (x.corrections.length) parts.push(el("p", {}, `corrections: ${x.corrections.map((c) => `${short(c.at)} ${c.op} ${c.value || ""} (${c.source})`).join("; ")}`));
    document.getElementById("explain").replaceChildren(...parts);
  }

  function pick(slot) {
    view.slot = slot;
    document.getElementById("slot").value = slot;
    document.querySelectorAll("#state tbody tr").forEach((r) => r.classList.toggle("picked", r.dataset.slot === slot));
    renderExplain().catch(fail);
  }

  function fail(error) {
    const box = document.getElementById("error");
    box.hidden = false;
    box.textContent = String(error.message || error);
  }

  let pending = null;
  async function refresh() {
    const [state, timeline] = await Promise.all([
      api("state", { as_of: view.asOf, known_at: view.knownAt }),
      api("timeline", { known_at: view.knownAt, last: CHART_CHANGES }),
    ]);
    document.getElementById("error").hidden = true;
    const full = view.knownAt ? view.timeline : timeline;
    view.timeline = full;
    view.span = span(full.length ? full : timeline);
    renderState(state);
    renderChart(timeline, Object.keys(state.slots));
    renderChanges(timeline);
    await renderExplain();
    root.dataset.rendered = String(Number(root.dataset.rendered || 0) + 1);
  }

  function schedule() {
    if (pending) clearTimeout(pending);
    pending = setTimeout(() => { pending = null; refresh().catch(fail); }, 120);
  }

  function slider(id, key) {
    const input = document.getElementById(id);
    const out = document.getElementById(id + "-text");
    input.addEventListener("input", () => {
      const value = Number(input.value);
      if (value >= 1000 || !view.span) { view[key] = null; out.textContent = "now"; }
      else {
        const ms = view.span.from + (view.span.to - view.span.from) * value / 1000;
        view[key] = new Date(ms).toISOString().slice(0, 19) + "Z";
        out.textContent = short(view[key]);
      }
      schedule();
    });
  }

  function setAsOf(iso) {
    view.asOf = iso;
    const input = document.getElementById("as-of");
    input.value = String(Math.round(1000 * (Date.parse(iso) - view.span.from) / (view.span.to - view.span.from)));
    document.getElementById("as-of-text").textContent = short(iso);
    schedule();
  }

  slider("as-of", "asOf");
  slider("known-at", "knownAt");
  document.getElementById("slot").addEventListener("change", (ev) => pick(ev.target.value));

  const live = document.getElementById("live");
  const source = new EventSource(url("/api/stream"));
  source.addEventListener("position", (ev) => {
    const at = JSON.parse(ev.data).position;
    live.textContent = `live · log position ${at}`;
    live.classList.add("on");
    root.dataset.position = String(at);
    refresh().catch(fail);
  });
  source.addEventListener("error", () => { live.textContent = "reconnecting…"; live.classList.remove("on"); });
  refresh().catch(fail);
})();
