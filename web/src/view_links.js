// view_links.js: the federation links. Per pinned peer: state and since when, round-trip
// time, entries in flight, counters, the last error; the last link test and a "test now"
// button; recent refusals; and when a link is down, a banner and what waits for the partner
// (hotline messages sent but not delivered; the journal keeps them and the link resends).
import { h, fill, fmtTime } from './dom.js';
import { t, onLang } from './i18n.js';
import { registerView } from './views.js';

function create(ctx) {
  const { api, bus } = ctx;
  const banner = h('div', { class: 'down-banner', id: 'links-down', role: 'alert', hidden: true });
  const table = h('div', { class: 'links', id: 'links-table' });
  const lastTest = h('div', { id: 'last-test' });
  const queue = h('ol', { class: 'list', id: 'link-queue' });
  const rejections = h('ol', { class: 'list', id: 'rejections' });
  const el = h('section', { class: 'links-view' },
    h('h2', { 'data-i18n': 'lnk.title' }, t('lnk.title')), banner, table,
    h('h3', { 'data-i18n': 'lnk.lastTest' }, t('lnk.lastTest')), lastTest,
    h('h3', { 'data-i18n': 'lnk.queue' }, t('lnk.queue')), queue,
    h('h3', { 'data-i18n': 'lnk.rejections' }, t('lnk.rejections')), rejections);
  let last = null;

  async function render(doc) {
    last = doc;
    const cols = [['lnk.peer', (l) => `${l.peer} (${l.country})`], ['lnk.state', (l) => l.state], ['lnk.since', (l) => fmtTime(l.since)],
      ['lnk.rtt', (l) => (l.rtt_ms != null ? `${Number(l.rtt_ms).toFixed(1)} ms` : '')], ['lnk.heartbeat', (l) => fmtTime(l.last_heartbeat)],
      ['lnk.inflight', (l) => l.entries_in_flight], ['lnk.sent', (l) => l.entries_sent], ['lnk.acked', (l) => l.entries_acknowledged],
      ['lnk.received', (l) => l.entries_received], ['lnk.error', (l) => l.last_error || '']];
    if (!doc.links.length) fill(table, h('p', { class: 'muted', 'data-i18n': 'lnk.none' }, t('lnk.none')));
    else {
      fill(table, h('table', {},
        h('thead', {}, h('tr', {}, cols.map(([k]) => h('th', { scope: 'col', 'data-i18n': k }, t(k))), h('th', {}))),
        h('tbody', {}, doc.links.map((l) => h('tr', { class: `link-${l.state}`, 'data-peer': l.peer },
          cols.map(([, fn]) => h('td', {}, fn(l))),
          h('td', {}, h('button', { type: 'button', class: 'test-now', 'data-i18n': 'lnk.test', onclick: (e) => testNow(l.peer, e.target) }, t('lnk.test'))))))));
    }
    const lt = doc.last_test;
    fill(lastTest, lt ? h('p', { class: `test-${lt.state}` }, `${lt.state} · ${fmtTime(lt.started)} → ${fmtTime(lt.finished)} · ${lt.message || ''}${lt.round_trip_ms != null ? ` · ${lt.round_trip_ms} ms` : ''}`) : '—');
    fill(rejections, (doc.recent_rejections || []).map((r) => h('li', {}, `${fmtTime(r.time)} · ${r.peer} · ${r.direction} · #${r.origin_seq} · ${r.reason}`)));
    const down = doc.links.filter((l) => l.state !== 'up');
    banner.hidden = down.length === 0;
    fill(banner, h('strong', { 'data-i18n': 'link.down' }, t('link.down')), ` ${down.map((l) => `${l.peer} · ${fmtTime(l.since)}${l.last_error ? ` · ${l.last_error}` : ''}`).join('; ')} — `,
      h('span', { 'data-i18n': 'lnk.downBanner' }, t('lnk.downBanner')));
    const waiting = (await api.get('/api/v1/messages?state=sent')).messages;
    fill(queue, waiting.length ? waiting.map((m) => h('li', { class: `prec-${m.precedence}` }, `${m.id} · ${m.precedence} · ${m.dtg} · ${m.subject || m.template || ''}`))
      : h('li', { class: 'muted' }, '—'));
  }

  async function testNow(peer, button) {
    button.disabled = true;
    try {
      await api.post(`/api/v1/links/${encodeURIComponent(peer)}/test`);
      await render(await api.get('/api/v1/links'));
    } catch (ex) {
      ctx.toast(ex.message, 'error');
    } finally {
      button.disabled = false;
    }
  }

  bus.on('links', (doc) => { if (!el.hidden) render(doc).catch(() => {}); });
  onLang(() => { if (last) render(last).catch(() => {}); });
  return { el, show() { api.get('/api/v1/links').then(render).catch((e) => ctx.toast(e.message, 'error')); } };
}

registerView({ id: 'links', labelKey: 'view.links', order: 40, create });
