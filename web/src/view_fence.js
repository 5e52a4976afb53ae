// view_fence.js: the fence. Per side and sector from GET /api/v1/fence: a bar of the km
// complete, under construction, planned, damaged and not started, the km of each and the share
// complete; the history of the side's total as a sparkline with its recent changes; and the
// fence alarms (events FENCE_BREACH and SENSOR_ALARM, newest first) with the sensor, how many
// times it reported (count), the place in pillar terms and the status. A click on an alarm
// shows it on the map.
import { h, fill, fmtHm, debounce } from './dom.js';
import { t, onLang } from './i18n.js';
import { registerView } from './views.js';

export const ALARM_CATEGORIES = ['FENCE_BREACH', 'SENSOR_ALARM'];
const PARTS = ['complete', 'under_construction', 'planned', 'damaged', 'none'];

// Open and recent fence alarms, newest first.
export async function fenceAlarms(api, status) {
  const q = status ? `&status=${status}` : '';
  const lists = await Promise.all(ALARM_CATEGORIES.map((c) => api.get(`/api/v1/events?category=${c}&limit=100${q}`)));
  return lists.flatMap((d) => d.events).sort((a, b) => (a.updated < b.updated ? 1 : -1));
}

function create(ctx) {
  const { api, bus, node } = ctx;
  const progress = h('div', { id: 'fence-progress' });
  const history = h('div', { id: 'fence-history' });
  const alarms = h('ol', { class: 'list', id: 'alarm-list' });
  const notice = h('p', { class: 'notice', id: 'fence-notice', hidden: true, 'data-i18n': 'fence.unavailable' }, t('fence.unavailable'));
  const el = h('section', { class: 'fence-view' },
    h('h2', { 'data-i18n': 'fence.title' }, t('fence.title')), notice,
    h('div', { class: 'fence-grid' },
      h('div', {},
        h('h3', { 'data-i18n': 'fence.progress' }, t('fence.progress')),
        h('div', { class: 'fence-legend small' }, PARTS.map((p) => h('span', {}, h('span', { class: `seg ${p}` }), t(`fence.${p}`)))),
        progress,
        h('h3', { 'data-i18n': 'fence.history' }, t('fence.history')), history),
      h('div', {},
        h('h3', { 'data-i18n': 'fence.alarms' }, t('fence.alarms')), alarms)));
  let last = null;

  async function load() {
    notice.hidden = api.has('GET /api/v1/fence');
    if (api.has('GET /api/v1/fence')) { last = await api.get('/api/v1/fence'); render(); }
    renderAlarms(await fenceAlarms(api));
    el.dataset.ready = 'true';
  }

  function sidesInOrder(obj) {
    const keys = Object.keys(obj || {});
    return keys.sort((a, b) => (a === node.country ? -1 : b === node.country ? 1 : a < b ? -1 : 1));
  }

  function bar(row) {
    const len = row.length_km || 1;
    return h('div', { class: 'fence-bar', role: 'img', 'aria-label': PARTS.map((p) => `${t(`fence.${p}`)} ${Number(row.km[p] || 0).toFixed(1)} km`).join(', ') },
      PARTS.map((p) => {
        if (!(row.km[p] > 0)) return '';
        const seg = h('span', { class: `seg ${p}` });
        seg.style.inlineSize = `${(100 * row.km[p]) / len}%`; // CSSOM, which the CSP allows (style attributes it does not)
        return seg;
      }));
  }

  function render() {
    if (!last) return;
    const km = (v) => (v ? Number(v).toFixed(1) : '–');
    fill(progress, sidesInOrder(last.sides).map((side) => h('table', { class: 'compact fence-table', 'data-side': side },
      h('caption', {}, `${side}${side === node.country ? ` (${t('fence.ownSide')})` : ''}`),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('map.sector')), h('th', { scope: 'col', class: 'barcol' }, ''),
        ['complete', 'under_construction', 'planned', 'damaged'].map((p) => h('th', { scope: 'col', class: 'num' }, t(`fence.${p}`))),
        h('th', { scope: 'col', class: 'num' }, t('fence.share')))),
      h('tbody', {}, last.sides[side].map((row) => h('tr', { class: row.name === 'total' ? 'total' : '', 'data-sector': row.name },
        h('th', { scope: 'row' }, row.name === 'total' ? t('fence.total') : row.name, h('div', { class: 'muted small' }, `${Number(row.length_km).toFixed(0)} km`)),
        h('td', { class: 'barcol' }, bar(row)),
        ['complete', 'under_construction', 'planned', 'damaged'].map((p) => h('td', { class: `num ${p === 'damaged' && row.km[p] > 0 ? 'bad' : ''}` }, km(row.km[p]))),
        h('td', { class: 'num share' }, `${(100 * row.share_complete).toFixed(1)}%`)))))));
    fill(history, sidesInOrder(last.history).map((side) => {
      const rows = last.history[side] || [];
      if (!rows.length) return h('p', { class: 'muted small', 'data-side': side }, `${side}: ${t('fence.noHistory')}`);
      return h('div', { class: 'fence-hist', 'data-side': side },
        h('div', { class: 'small' }, h('strong', {}, side), ` · ${t('fence.complete')} ${km(rows[rows.length - 1].complete)} km`),
        sparkline(rows),
        h('ol', { class: 'list small hist-list' }, rows.slice(-6).reverse().map((r) => h('li', {},
          `${fmtHm(r.time)} · ${t('fence.complete')} ${km(r.complete)} · ${t('fence.under_construction')} ${km(r.under_construction)} · ${t('fence.planned')} ${km(r.planned)} · ${t('fence.damaged')} ${km(r.damaged)}`))));
    }));
  }

  // Complete (green) and under construction (yellow) km after each change, as steps.
  function sparkline(rows) {
    const W = 320;
    const Hh = 48;
    const max = Math.max(1, ...rows.map((r) => Math.max(r.complete, r.under_construction, r.damaged)));
    const x = (i) => (rows.length === 1 ? W : (i * W) / (rows.length - 1));
    const y = (v) => Hh - 2 - (v * (Hh - 4)) / max;
    const path = (key) => rows.map((r, i) => `${i ? 'L' : 'M'}${x(i).toFixed(1)},${y(r[key]).toFixed(1)}`).join(' ');
    const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
    svg.setAttribute('viewBox', `0 0 ${W} ${Hh}`);
    svg.setAttribute('class', 'sparkline');
    svg.setAttribute('role', 'img');
    svg.setAttribute('aria-label', t('fence.history'));
    for (const [key, cls] of [['under_construction', 'uc'], ['damaged', 'dmg'], ['complete', 'done']]) {
      const p = document.createElementNS('http://www.w3.org/2000/svg', 'path');
      p.setAttribute('d', rows.length === 1 ? `M0,${y(rows[0][key])} L${W},${y(rows[0][key])}` : path(key));
      p.setAttribute('class', cls);
      svg.append(p);
    }
    return svg;
  }

  function renderAlarms(list) {
    if (!list.length) { fill(alarms, h('li', { class: 'muted', 'data-i18n': 'fence.noAlarms' }, t('fence.noAlarms'))); return; }
    fill(alarms, list.map((e) => h('li', {},
      h('button', { type: 'button', class: `alarm-item status-${e.status}`, 'data-id': e.id, onclick: () => { ctx.show('map'); bus.emit('open-event', e.id); } },
        h('span', { class: 'alarm-head' },
          h('strong', {}, e.category), e.count > 1 ? h('span', { class: 'count' }, `×${e.count}`) : '',
          e.status === 'CLOSED' ? h('span', { class: 'tag' }, 'CLOSED') : '',
          h('span', { class: 'muted' }, ` ${fmtHm(e.updated || e.time)}`)),
        h('span', { class: 'small' }, [e.sensor ? `${t('fence.sensor')} ${e.sensor}` : e.title || '', ` · km ${Number(e.chainage_km).toFixed(1)}`,
          e.section ? ` · ${t('pat.section')} ${e.section}` : '', e.origin && e.origin !== node.name ? ` · ${e.origin}` : ''].join(''))))));
  }

  const reload = debounce(() => { if (!el.hidden) load().catch((e) => ctx.toast(e.message, 'error')); }, 300);
  bus.on('section.', reload);
  bus.on('event.', (e) => { if (ALARM_CATEGORIES.includes(e.payload && e.payload.category)) reload(); });
  bus.on('reconnected', reload);
  onLang(() => { render(); reload(); });
  return { el, show() { load().catch((e) => ctx.toast(e.message, 'error')); } };
}

registerView({ id: 'fence', labelKey: 'view.fence', order: 35, create });
