// main.js: the console's shell. Sign-in, the top bar (node, link state, stream state,
// language), the navigation built from the view registry, the FLASH banner and alarms, the
// stream that feeds every view, fence alarms (a banner with the sensor's count and a badge of
// the open ones), and keyboard shortcuts (Alt+1..9: views; Escape: dismiss).
import * as api from './api.js';
import { session } from './api.js';
import { h, fill, fmtTime } from './dom.js';
import { t, setLang, currentLang, LANGS, applyI18n } from './i18n.js';
import { openStream } from './stream.js';
import * as bus from './bus.js';
import { allViews } from './views.js';
import { unlockAudio, beep } from './audio.js';
import './view_map.js';
import './view_hotline.js';
import './view_patrols.js';
import { ALARM_CATEGORIES, fenceAlarms } from './view_fence.js';
import './view_links.js';

const app = document.getElementById('app');
let stream = null;
let linkTimer = null;

// Signing out (or a token revoked meanwhile) reloads the page: every view, timer and
// subscription starts afresh, and the token is gone from sessionStorage.
function signOut(message) {
  session.token = null;
  if (message) sessionStorage.setItem('sarhad.loginMessage', message);
  location.hash = '';
  location.reload();
}

function showLogin(message) {
  if (stream) stream.close();
  clearInterval(linkTimer);
  stream = null;
  const input = h('input', { id: 'token', type: 'password', autocomplete: 'off', spellcheck: 'false', required: true, 'aria-describedby': 'token-help' });
  const err = h('p', { class: 'error', role: 'alert', id: 'login-error' }, message || '');
  const form = h('form', { class: 'login', id: 'login-form' },
    h('h1', { 'data-i18n': 'app.title' }, t('app.title')),
    h('label', { for: 'token', 'data-i18n': 'login.token' }, t('login.token')),
    input,
    h('p', { id: 'token-help', class: 'help', 'data-i18n': 'login.help' }, t('login.help')),
    h('button', { type: 'submit', class: 'primary', 'data-i18n': 'login.submit' }, t('login.submit')),
    err,
    langSelect());
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    unlockAudio();
    session.token = input.value.trim();
    try {
      await start();
    } catch (ex) {
      session.token = null;
      fill(err, ex.status === 401 ? t('login.bad') : `${t('err.generic')}: ${ex.message}`);
    }
  });
  fill(app, h('main', { class: 'login-page' }, form));
  input.focus();
}

function langSelect() {
  const sel = h('select', { id: 'lang', 'aria-label': t('top.lang'), 'data-i18n-label': 'top.lang' },
    LANGS.map((l) => h('option', { value: l.code, lang: l.code }, l.name)));
  sel.value = currentLang();
  sel.addEventListener('change', () => setLang(sel.value));
  return sel;
}

// Everything the views share.
function makeContext(health, consoleCfg) {
  return {
    api,
    bus,
    node: { name: health.node, country: health.country },
    config: consoleCfg,
    partners: [], // [{peer, country}] from GET /links
    show: (id) => showView(id),
    toast,
  };
}

let ctx = null;
const mounted = new Map(); // id -> view instance
let current = null;

async function start() {
  const consoleCfg = await api.get('/api/v1/console'); // also checks the token
  const health = await api.health();
  api.setRoutes(consoleCfg.routes);
  api.setUnauthorizedHandler(() => signOut(t('login.bad')));
  ctx = makeContext(health, consoleCfg);
  mounted.clear();
  buildShell();
  stream = openStream({
    since: health.journal_seq,
    onEntry: (e) => { bus.emitEntry(e); globalEntry(e); },
    onPosition: (u) => bus.emit('position', u),
    onState: streamState,
  });
  await refreshLinks();
  refreshAlarmBadge();
  linkTimer = setInterval(refreshLinks, 5000);
  showView(location.hash.slice(2) || 'map');
}

function buildShell() {
  const nav = h('nav', { class: 'nav', 'aria-label': t('nav.views'), 'data-i18n-label': 'nav.views' },
    h('ul', {}, allViews().map((v, i) => h('li', {},
      h('a', { href: `#/${v.id}`, id: `nav-${v.id}`, 'data-view': v.id, title: `Alt+${i + 1}` },
        h('span', { 'data-i18n': v.labelKey }, t(v.labelKey)),
        h('span', { class: 'badge', id: `badge-${v.id}`, hidden: true }))))));
  const top = h('header', { class: 'top' },
    h('span', { class: 'brand', 'data-i18n': 'app.title' }, t('app.title')),
    h('span', { class: 'node', id: 'node-id' }, `${ctx.node.name} · ${ctx.node.country}`),
    h('span', { class: 'link-state', id: 'link-state', role: 'status' }),
    h('span', { class: 'stream-state', id: 'stream-state', role: 'status' }),
    h('span', { class: 'spacer' }),
    langSelect(),
    h('button', { type: 'button', id: 'logout', 'data-i18n': 'top.logout', onclick: () => signOut() }, t('top.logout')));
  const main = h('main', { class: 'views', id: 'views' });
  fill(app, h('div', { class: 'shell' },
    top,
    h('div', { class: 'alerts', id: 'alerts', 'aria-live': 'assertive' }),
    nav, main,
    h('div', { class: 'toasts', id: 'toasts', 'aria-live': 'polite' })));
}

function showView(id) {
  const def = allViews().find((v) => v.id === id) || allViews()[0];
  if (!mounted.has(def.id)) {
    const inst = def.create(ctx);
    inst.el.classList.add('view');
    inst.el.id = `view-${def.id}`;
    document.getElementById('views').append(inst.el);
    mounted.set(def.id, inst);
  }
  for (const [vid, inst] of mounted) {
    const on = vid === def.id;
    inst.el.hidden = !on;
    if (!on && inst.hide) inst.hide();
  }
  for (const a of document.querySelectorAll('.nav a')) {
    if (a.dataset.view === def.id) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  current = def.id;
  if (location.hash !== `#/${def.id}`) history.replaceState(null, '', `#/${def.id}`);
  const inst = mounted.get(def.id);
  if (inst.show) inst.show();
}

window.addEventListener('hashchange', () => {
  if (ctx && session.token) showView(location.hash.slice(2));
});

function streamState(state, detail) {
  const el = document.getElementById('stream-state');
  if (state === 'unauthorized') { signOut(t('login.bad')); return; }
  if (!el) return;
  const key = { live: 'stream.live', connecting: 'stream.connecting', down: 'stream.down' }[state];
  el.dataset.state = state;
  fill(el, h('span', { 'data-i18n': key }, t(key)));
  document.body.dataset.stream = state;
  if (state === 'live' && detail && detail.resumed) {
    // Entries resume from Last-Event-ID; positions are current state and are not replayed,
    // and the node may have changed while away: views reload what they show.
    bus.emit('reconnected');
    refreshLinks();
  }
}

async function refreshLinks() {
  let doc;
  try { doc = await api.get('/api/v1/links'); } catch { return; }
  ctx.partners = doc.links.map((l) => ({ peer: l.peer, country: l.country }));
  const el = document.getElementById('link-state');
  if (!el) return;
  const down = doc.links.filter((l) => l.state !== 'up');
  let queued = 0;
  if (down.length) {
    try { queued = (await api.get('/api/v1/messages?state=sent')).messages.length; } catch { /* keep 0 */ }
  }
  el.dataset.state = doc.links.length === 0 ? 'none' : down.length ? 'down' : 'up';
  if (doc.links.length === 0) fill(el, h('span', { 'data-i18n': 'link.none' }, t('link.none')));
  else if (down.length) {
    fill(el, h('strong', { 'data-i18n': 'link.down' }, t('link.down')), ' ',
      down.map((l) => `${l.peer} ${fmtTime(l.since)}`).join(', '),
      queued ? [' · ', String(queued), ' ', h('span', { 'data-i18n': 'link.queued' }, t('link.queued'))] : '');
  } else {
    fill(el, h('span', { 'data-i18n': 'link.ok' }, t('link.ok')), ' ',
      doc.links.map((l) => `${l.peer} ${l.rtt_ms != null ? `${Number(l.rtt_ms).toFixed(0)} ms` : ''}`).join(', '));
  }
  bus.emit('links', doc);
}

// Alarms that matter whatever view is open.
function globalEntry(e) {
  if (e.kind === 'hotline.message' && e.flash && e.origin !== ctx.node.name) showFlash(e.payload);
  if (e.kind === 'hotline.escalation') showOverdue(e.payload);
  if (e.kind.startsWith('link.')) refreshLinks();
  if ((e.kind === 'event.create' || e.kind === 'event.update') && e.payload && ALARM_CATEGORIES.includes(e.payload.category)) {
    showAlarm(e.payload);
    refreshAlarmBadge();
  }
}

// A fence alarm: one banner per event, its count kept current as the sensor reports again;
// gone when the event is closed.
function showAlarm(ev) {
  const alerts = document.getElementById('alerts');
  const old = alerts.querySelector(`.alarm-banner[data-event="${CSS.escape(ev.id)}"]`);
  if (ev.status === 'CLOSED') { if (old) old.remove(); return; }
  const banner = h('div', { class: 'alarm-banner', role: 'alert', 'data-event': ev.id, 'data-count': ev.count || 1 },
    h('strong', { 'data-i18n': 'alarm.title' }, t('alarm.title')), ' ',
    h('span', {}, ev.category), ev.count > 1 ? h('span', { class: 'count' }, `×${ev.count}`) : '', ' ',
    h('span', {}, [ev.sensor ? `${t('fence.sensor')} ${ev.sensor}` : ev.title || '', ev.chainage_km != null ? ` · km ${Number(ev.chainage_km).toFixed(1)}` : '',
      ev.section ? ` · ${t('pat.section')} ${ev.section}` : ''].join('')), ' ',
    h('span', { class: 'muted' }, `${fmtTime(ev.updated || ev.time)}${ev.origin && ev.origin !== ctx.node.name ? ` · ${ev.origin}` : ''}`), ' ',
    h('button', { type: 'button', class: 'primary', 'data-i18n': 'alarm.show', onclick: () => { banner.remove(); showView('map'); bus.emit('open-event', ev.id); } }, t('alarm.show')),
    h('button', { type: 'button', 'data-i18n': 'flash.dismiss', onclick: () => banner.remove() }, t('flash.dismiss')));
  if (old) old.replaceWith(banner);
  else { alerts.prepend(banner); beep(2); }
  // Older alarm banners beyond three are folded away: the Fence view lists them all.
  [...alerts.querySelectorAll('.alarm-banner')].slice(3).forEach((b) => b.remove());
}

async function refreshAlarmBadge() {
  const badge = document.getElementById('badge-fence');
  if (!badge) return;
  let open;
  try { open = await fenceAlarms(api, 'OPEN'); } catch { return; }
  badge.hidden = open.length === 0;
  badge.textContent = String(open.length);
  badge.title = t('alarm.open');
}

function showFlash(msg) {
  const alerts = document.getElementById('alerts');
  const banner = h('div', { class: 'flash-banner', role: 'alert', 'data-message': msg.id },
    h('strong', { 'data-i18n': 'flash.title' }, t('flash.title')), ' ',
    h('span', { class: 'flash-subject' }, msg.subject || msg.template || ''), ' ',
    h('span', { class: 'muted' }, `${msg.id} · ${msg.dtg || ''}`), ' ',
    h('button', { type: 'button', class: 'primary', 'data-i18n': 'flash.open', onclick: () => { banner.remove(); showView('hotline'); bus.emit('open-message', msg); } }, t('flash.open')),
    h('button', { type: 'button', 'data-i18n': 'flash.dismiss', onclick: () => banner.remove() }, t('flash.dismiss')));
  alerts.prepend(banner);
  beep(3);
}

function showOverdue(esc) {
  const alerts = document.getElementById('alerts');
  const banner = h('div', { class: 'overdue-banner', role: 'alert', 'data-message': esc.message },
    h('strong', { 'data-i18n': 'hot.overdue' }, t('hot.overdue')), ' ',
    h('span', { 'data-i18n': 'overdue.banner' }, t('overdue.banner')), ' ',
    h('span', { class: 'muted' }, `${esc.message}${esc.parent_command ? ` → ${esc.parent_command}` : ''}`), ' ',
    h('button', { type: 'button', class: 'primary', 'data-i18n': 'flash.open', onclick: () => { banner.remove(); showView('hotline'); bus.emit('open-message', { id: esc.message }); } }, t('flash.open')),
    h('button', { type: 'button', 'data-i18n': 'flash.dismiss', onclick: () => banner.remove() }, t('flash.dismiss')));
  alerts.prepend(banner);
  beep(1);
}

function toast(text, kind) {
  const box = document.getElementById('toasts');
  if (!box) return;
  const el = h('div', { class: `toast ${kind || ''}` }, text);
  box.append(el);
  setTimeout(() => el.remove(), kind === 'error' ? 8000 : 4000);
}

document.addEventListener('keydown', (e) => {
  if (!ctx || !session.token) return;
  if (e.altKey && !e.ctrlKey && !e.metaKey && /^[1-9]$/.test(e.key)) {
    const v = allViews()[Number(e.key) - 1];
    if (v) { e.preventDefault(); showView(v.id); document.getElementById(`nav-${v.id}`).focus(); }
  } else if (e.key === 'Escape') {
    const b = document.querySelector('#alerts > div');
    if (b) b.remove();
  }
});

setLang(currentLang());
if (session.token) {
  unlockAudio();
  start().catch((e) => showLogin(e.status === 401 ? t('login.bad') : e.message));
} else {
  const msg = sessionStorage.getItem('sarhad.loginMessage');
  sessionStorage.removeItem('sarhad.loginMessage');
  showLogin(msg);
}
applyI18n(document);
