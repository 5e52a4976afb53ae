// dom.js: a small element builder and formatting helpers. Text from records only ever goes
// into textContent or attribute values, never into HTML, so a record cannot inject markup.

// h('div', {class: 'x', onclick: fn, 'data-i18n': 'key'}, child, 'text', [more]) -> Element
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v == null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'value') el.value = v;
    else if (k === 'checked') el.checked = !!v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c == null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

// Replaces the children of `el`.
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

// "2026-11-28T14:02:05.123Z" -> "28 14:02:05Z"; null -> "".
export function fmtTime(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  const p = (n) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}Z`;
}

// "28 11:00Z"; a span on one day: "28 11:00–17:00Z", else "28 11:00Z–29 02:00Z".
export function fmtHm(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  const p = (n) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}Z`;
}
export function fmtSpan(start, end) {
  const a = fmtHm(start);
  const b = fmtHm(end);
  return a.slice(0, 3) === b.slice(0, 3) ? `${a.slice(0, -1)}–${b.slice(3)}` : `${a}–${b}`;
}

// "km 120.0–145.0"
export function fmtStretch(from, to) {
  return `km ${Number(from).toFixed(1)}–${Number(to).toFixed(1)}`;
}

export function fmtKm(km) {
  return km == null ? '' : `km ${Number(km).toFixed(1)}`;
}

// <input type=datetime-local> value (read as UTC) <-> ISO string.
export function toLocalInput(ms) {
  return new Date(ms).toISOString().slice(0, 16);
}
export function fromLocalInput(v) {
  return v ? new Date(v + ':00Z').toISOString() : null;
}

// Calls fn at most once per `ms`, at the end of a burst.
export function debounce(fn, ms) {
  let timer = null;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

// Calls fn at once, then at most once per `ms` (the last call of a burst is not lost).
export function throttle(fn, ms) {
  let last = 0;
  let timer = null;
  return (...args) => {
    const wait = last + ms - Date.now();
    clearTimeout(timer);
    if (wait <= 0) { last = Date.now(); fn(...args); } else timer = setTimeout(() => { last = Date.now(); fn(...args); }, wait);
  };
}

// A key-value definition list: [[label, value], ...]
export function dl(rows) {
  return h('dl', { class: 'kv' }, rows.filter((r) => r[1] !== undefined && r[1] !== null && r[1] !== '')
    .map(([k, v]) => [h('dt', {}, k), h('dd', {}, typeof v === 'object' && !(v instanceof Node) ? JSON.stringify(v) : v)]));
}
