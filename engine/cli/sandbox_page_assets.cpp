// The sandbox page (engine/cli/sandbox_page.h): plain HTML, CSS and a script
// the browser runs as they are. The script keeps no state beyond the last
// request: every edit sends the whole config and samples to /api/run, and
// the answer replaces what is shown.
#include "engine/cli/sandbox_page.h"

namespace logpipe {

const char kSandboxPageHtml[] = R"PAGE(<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>logpipe sandbox</title>
<link rel="stylesheet" href="/sandbox.css">
<script src="/sandbox.js" defer></script>
</head>
<body>
<header>
  <h1>logpipe sandbox</h1>
  <label>codec
    <select id="codec">
      <option>line</option><option>json_lines</option><option>json</option><option>plain</option>
    </select>
  </label>
  <span id="status" role="status">starting</span>
</header>
<main>
  <section class="editors">
    <div class="editor">
      <label for="config">filter config <span id="config-name"></span></label>
      <textarea id="config" spellcheck="false" autocomplete="off"></textarea>
    </div>
    <div class="editor">
      <label for="samples">sample lines</label>
      <textarea id="samples" spellcheck="false" autocomplete="off"></textarea>
    </div>
  </section>
  <section id="errors" aria-live="polite"></section>
  <section id="summary"></section>
  <section id="results"></section>
</main>
</body>
</html>
)PAGE";

const char kSandboxPageCss[] = R"PAGE(
body { font: 14px/1.4 system-ui, sans-serif; margin: 0; color: #1d232a; background: #f6f7f9; }
header { display: flex; gap: 1.5em; align-items: center; padding: .5em 1em; background: #23303d; color: #fff; }
header h1 { font-size: 1.1em; margin: 0; }
#status { font-family: monospace; opacity: .85; }
#status.bad { color: #ff9c9c; }
main { padding: 1em; }
.editors { display: flex; gap: 1em; }
.editor { flex: 1; display: flex; flex-direction: column; min-width: 0; }
.editor label { font-weight: 600; margin-bottom: .3em; }
#config-name { font-weight: normal; color: #6b7580; font-family: monospace; }
textarea { font: 13px/1.4 monospace; height: 16em; resize: vertical; padding: .5em; border: 1px solid #c5ccd3; border-radius: 4px; white-space: pre; }
#errors pre { background: #fde8e8; border-left: 4px solid #c62828; padding: .5em; margin: .5em 0; overflow-x: auto; }
#summary { margin: .8em 0; font-family: monospace; }
#summary .tag { margin-left: .5em; }
.event { background: #fff; border: 1px solid #dde2e7; border-radius: 4px; margin: .6em 0; padding: .5em .8em; }
.event h2 { font-size: .95em; margin: 0 0 .3em; }
.event.failed { border-left: 4px solid #c62828; }
table.fields { border-collapse: collapse; font-family: monospace; font-size: 13px; }
table.fields td { padding: 1px .8em 1px 0; vertical-align: top; white-space: pre-wrap; word-break: break-all; }
table.fields td.name { color: #00796b; white-space: nowrap; }
.tag { display: inline-block; padding: 0 .4em; margin-right: .3em; border-radius: 3px; background: #e3e8ee; font-family: monospace; }
.tag.failure { background: #c62828; color: #fff; }
.grok { margin-top: .4em; font-family: monospace; font-size: 13px; }
.grok .ok { color: #2e7d32; }
.grok .no { color: #c62828; font-weight: 600; }
.failure-detail { margin: .3em 0 .3em 1em; }
.grok-line { white-space: pre-wrap; word-break: break-all; background: #f3f4f6; padding: .2em .4em; border-radius: 3px; }
.grok-line .matched { background: #c8e6c9; }
.grok-line .stop-mark { display: inline-block; width: 2px; height: 1.1em; vertical-align: text-bottom; background: #c62828; margin: 0 1px; }
.grok-line .rest { color: #c62828; text-decoration: underline wavy #c62828; }
.pattern { color: #37474f; }
)PAGE";

const char kSandboxPageJs[] = R"PAGE('use strict';
// logpipe sandbox page: sends the config and the sample lines to /api/run
// as one types (after a short pause) and shows what came back.
const $ = (id) => document.getElementById(id);
const el = (tag, cls, text) => {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
};
const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();
let sent = 0, shown = 0, timer = null;

// Offsets from the engine are byte offsets into the line's UTF-8.
function byteSlice(text, begin, end) {
  const bytes = utf8.encode(text);
  return fromUtf8.decode(bytes.subarray(begin, end === undefined ? bytes.length : end));
}

function valueText(v) { return typeof v === 'string' ? v : JSON.stringify(v); }

function renderFields(event) {
  const table = el('table', 'fields');
  for (const [name, value] of Object.entries(event)) {
    const row = table.insertRow();
    row.dataset.field = name;
    row.insertCell().append(el('span', null, name));
    row.cells[0].className = 'name';
    const cell = row.insertCell();
    cell.className = 'value';
    if (name === 'tags' && Array.isArray(value)) {
      for (const t of value) cell.append(el('span', String(t).startsWith('_') ? 'tag failure' : 'tag', t));
    } else {
      cell.textContent = valueText(value);
    }
  }
  return table;
}

// One pattern that did not match: the part of the line it matched, a mark
// where it stopped, and the rest of the line.
function renderFailure(f, line) {
  const box = el('div', 'failure-detail');
  box.append(el('div', 'pattern', 'pattern ' + f.pattern));
  if (f.within && f.within.length) box.append(el('div', null, 'within ' + f.within.join(' > ')));
  const shownLine = el('div', 'grok-line');
  shownLine.dataset.stop = f.stop;
  shownLine.dataset.matchBegin = f.match_begin;
  shownLine.append(el('span', 'before', byteSlice(line, 0, f.match_begin)));
  shownLine.append(el('span', 'matched', byteSlice(line, f.match_begin, f.stop)));
  shownLine.append(el('span', 'stop-mark'));
  shownLine.append(el('span', 'rest', byteSlice(line, f.stop)));
  box.append(shownLine);
  box.append(el('div', 'failed-at', 'failed at byte ' + f.stop + ': ' + (f.failed_part || '(end of pattern)')));
  return box;
}

function renderGrok(report) {
  const box = el('div', 'grok');
  box.dataset.filter = report.filter;
  if (report.matched) {
    box.classList.add('grok-matched');
    box.append(el('span', 'ok', 'grok ' + report.filter + ': matched [' + report.field + '] with pattern ' +
                   (report.pattern_index + 1) + ' '), el('span', 'pattern', report.pattern));
    return box;
  }
  box.classList.add('grok-failed');
  const failures = report.failures || [];
  box.append(el('span', 'no', 'grok ' + report.filter + ': no pattern matched [' + report.field + ']' +
                 (failures.length > 1 ? ' (' + failures.length + ' patterns, furthest first)' : '')));
  const order = failures.map((_, i) => i);
  if (report.furthest < failures.length) {
    order.splice(report.furthest, 1);
    order.unshift(report.furthest);
  }
  for (const i of order) box.append(renderFailure(failures[i], report.text || ''));
  return box;
}

function renderSummary(s) {
  const box = $('summary');
  box.replaceChildren();
  if (!s) return;
  box.append(el('div', null, 'events in ' + s.events_in + ', out ' + s.events_out));
  for (const [tag, n] of Object.entries(s.failures || {})) {
    const line = el('div', 'failure-count');
    line.append(el('span', 'tag failure', tag), ' ' + n);
    box.append(line);
  }
  for (const f of s.filters || []) {
    box.append(el('div', 'filter-time', 'filter ' + f.id + ' (' + f.where + '): ' +
                  (f.ns_per_event / 1000).toFixed(1) + ' us/event' +
                  (f.id === s.slowest_filter ? '  <- slowest' : '')));
  }
}

function render(answer) {
  const status = $('status');
  $('errors').replaceChildren(...answer.errors.map((e) => el('pre', null, e)));
  status.className = answer.compiled ? '' : 'bad';
  status.textContent = answer.compiled
      ? answer.summary.events_out + ' events in ' + answer.took_ms.toFixed(1) + ' ms'
      : 'the config does not compile';
  renderSummary(answer.compiled ? answer.summary : null);
  const results = $('results');
  results.replaceChildren();
  answer.events.forEach((item, n) => {
    const card = el('article', 'event');
    card.dataset.index = n;
    card.append(el('h2', null, 'event ' + (n + 1)));
    card.append(renderFields(item.event));
    for (const report of item.grok) card.append(renderGrok(report));
    if (item.grok.some((r) => !r.matched)) card.classList.add('failed');
    results.append(card);
  });
  if (answer.compiled && answer.events_shown < answer.summary.events_out)
    results.append(el('p', null, 'showing the first ' + answer.events_shown + ' events'));
  document.body.dataset.run = shown;
}

async function run() {
  const mine = ++sent;
  // For whoever waits on the page (its browser test): sent and run equal,
  // and nothing pending, means what is shown answers the last edit.
  delete document.body.dataset.pending;
  document.body.dataset.sent = mine;
  $('status').textContent = 'running';
  const body = JSON.stringify({ config: $('config').value, samples: $('samples').value, codec: $('codec').value });
  try {
    const res = await fetch('/api/run', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
    const answer = await res.json();
    if (mine < shown) return;  // a later edit's answer is already shown
    shown = mine;
    if (!res.ok) throw new Error(answer.error || res.statusText);
    render(answer);
  } catch (e) {
    $('status').className = 'bad';
    $('status').textContent = 'request failed: ' + e.message;
    document.body.dataset.run = mine;
  }
}

function soon() {
  clearTimeout(timer);
  document.body.dataset.pending = 'yes';
  timer = setTimeout(run, 250);
}

async function start() {
  const session = await (await fetch('/api/session')).json();
  $('config').value = session.config;
  $('samples').value = session.samples;
  $('config-name').textContent = session.config_name;
  const codec = $('codec');
  if (![...codec.options].some((o) => o.value === session.codec)) codec.append(el('option', null, session.codec));
  codec.value = session.codec;
  for (const id of ['config', 'samples']) $(id).addEventListener('input', soon);
  codec.addEventListener('change', run);
  run();
}

start();
)PAGE";

}  // namespace logpipe
