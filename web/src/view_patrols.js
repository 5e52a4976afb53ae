// view_patrols.js: the patrol board. A timeline per border section from GET /api/v1/coverage
// (each hour: both sides, own only, partner only, or a gap; rows grouped by sector, HIGH and
// CRITICAL sections marked), the worst gaps ranked by the node, the patrols in the window with
// their pairing (the partner's patrol and the overlap), the adherence flags of own patrols,
// a form to add a patrol, and the planner: its proposals can be changed in place, then
// accepted (each one POSTed) or discarded. A node without the patrol routes shows a notice
// instead (the console asks GET /api/v1/console which exist).
import { h, fill, fmtHm, fmtSpan, fmtStretch, toLocalInput, fromLocalInput, debounce, throttle } from './dom.js';
import { t, onLang } from './i18n.js';
import { registerView } from './views.js';

const KINDS = ['REGULAR', 'COORDINATED', 'JOINT_NIGHT'];
const H = 3600e3;
const RANK = { LOW: 0, MEDIUM: 1, HIGH: 2, CRITICAL: 3 };

// What POST /api/v1/patrols decided about telling the partner.
export function noticeText(notice) {
  return notice ? t(`notice.${notice}`) : '';
}

function create(ctx) {
  const { api, bus, node } = ctx;
  const hour = Math.floor(Date.now() / H) * H;
  const from = h('input', { type: 'datetime-local', id: 'pat-from', value: toLocalInput(hour) });
  const to = h('input', { type: 'datetime-local', id: 'pat-to', value: toLocalInput(hour + 24 * H) });
  const busy = h('input', { type: 'checkbox', id: 'tl-busy', onchange: () => renderTimeline() });
  const timeline = h('div', { class: 'timeline', id: 'timeline', role: 'table', 'aria-label': t('pat.timeline') });
  const gaps = h('div', { id: 'gap-list' });
  const patrols = h('ol', { class: 'list', id: 'patrol-list' });
  const flags = h('ol', { class: 'list', id: 'adherence-list' });
  const proposals = h('ol', { class: 'list', id: 'proposals' });
  const notice = h('p', { class: 'notice', id: 'pat-notice', hidden: true, 'data-i18n': 'pat.unavailable' }, t('pat.unavailable'));
  const addForm = patrolForm();
  const planForm = plannerForm();
  const el = h('section', { class: 'patrol-view' },
    h('div', { class: 'toolbar' },
      h('h2', { 'data-i18n': 'pat.title' }, t('pat.title')),
      h('label', {}, h('span', { 'data-i18n': 'f.from' }, t('f.from')), from),
      h('label', {}, h('span', { 'data-i18n': 'f.to' }, t('f.to')), to),
      h('button', { type: 'button', onclick: () => load(), 'data-i18n': 'f.refresh' }, t('f.refresh'))),
    notice,
    h('div', { class: 'patrol-grid' },
      h('div', { class: 'patrol-main' },
        h('div', { class: 'tl-head-bar' },
          h('h3', { 'data-i18n': 'pat.timeline' }, t('pat.timeline')),
          h('div', { class: 'timeline-legend' },
            ['both', 'own', 'partner', 'gap'].map((k) => h('span', {}, h('span', { class: `cell ${k}` }),
              h('span', { 'data-i18n': k === 'gap' ? 'pat.gapCell' : `pat.${k}` }, t(k === 'gap' ? 'pat.gapCell' : `pat.${k}`))))),
          h('label', { class: 'check small' }, busy, h('span', { 'data-i18n': 'pat.busyOnly' }, t('pat.busyOnly')))),
        timeline,
        h('h3', { 'data-i18n': 'pat.gaps' }, t('pat.gaps')), gaps),
      h('div', { class: 'patrol-side' },
        h('h3', { 'data-i18n': 'pat.list' }, t('pat.list')), patrols,
        h('h3', { 'data-i18n': 'pat.adherence' }, t('pat.adherence')), flags,
        h('details', { id: 'add-patrol' }, h('summary', { 'data-i18n': 'pat.add' }, t('pat.add')), addForm),
        h('details', { id: 'planner' }, h('summary', { 'data-i18n': 'pat.plan' }, t('pat.plan')), planForm, proposals))));

  const range = () => `from=${encodeURIComponent(fromLocalInput(from.value))}&to=${encodeURIComponent(fromLocalInput(to.value))}`;
  let coverage = null;
  let sectors = [];
  let patrolDocs = [];

  async function load() {
    const available = api.has('GET /api/v1/coverage') || api.has('GET /api/v1/patrols');
    notice.hidden = available;
    if (api.has('GET /api/v1/border/landmarks') && !sectors.length) sectors = (await api.get('/api/v1/border/landmarks')).sectors || [];
    if (api.has('GET /api/v1/patrols')) patrolDocs = (await api.get(`/api/v1/patrols?${range()}`)).patrols || [];
    renderPatrols();
    if (api.has('GET /api/v1/coverage')) { coverage = await api.get(`/api/v1/coverage?${range()}&step=3600`); renderTimeline(); }
    if (api.has('GET /api/v1/coverage/gaps')) renderGaps((await api.get(`/api/v1/coverage/gaps?${range()}&min_minutes=60&limit=15`)).gaps || []);
    await loadFlags();
    el.dataset.ready = 'true';
  }

  async function loadFlags() {
    if (!api.has('GET /api/v1/patrols/adherence')) return;
    renderFlags((await api.get('/api/v1/patrols/adherence')).flags || []);
  }

  function cellClass(c) {
    if (c.both_min > 0) return 'both';
    if (c.own_min > 0) return 'own';
    if (c.partner_min > 0) return 'partner';
    return 'gap';
  }

  function renderTimeline() {
    if (!coverage) return;
    const buckets = coverage.buckets || [];
    const now = Date.now();
    timeline.style.setProperty('--buckets', String(buckets.length));
    const rows = [];
    let sector = null;
    for (const s of coverage.sections || []) {
      const active = s.cells.some((c) => c.own_min > 0 || c.partner_min > 0);
      if (busy.checked && !active && RANK[s.impact] < 2) continue;
      const sec = sectors.find((x) => s.from_km >= x.from_km && s.from_km < x.to_km);
      if (sec && sec !== sector) {
        sector = sec;
        rows.push(h('div', { class: 'tl-sector', role: 'row' }, h('span', { role: 'rowheader' }, `${t('map.sector')} ${sec.name} · ${fmtStretch(sec.from_km, sec.to_km)}`)));
      }
      rows.push(h('div', { class: `tl-row impact-${s.impact}`, role: 'row', 'data-section': s.id },
        h('span', { class: 'tl-label', role: 'rowheader', title: `${t('pat.section')} ${s.id} · ${s.impact}` },
          `${String(s.id).padStart(2, ' ')} · ${Math.round(s.from_km)}–${Math.round(s.to_km)}`,
          RANK[s.impact] >= 2 ? h('span', { class: `imp-tag impact-${s.impact}` }, s.impact === 'CRITICAL' ? 'CRIT' : s.impact) : ''),
        s.cells.map((c, i) => h('span', {
          class: `cell ${cellClass(c)}`, role: 'cell',
          title: `${t('pat.section')} ${s.id} · ${fmtHm(buckets[i])} · own ${c.own_min} · partner ${c.partner_min} · both ${c.both_min} · gap ${c.longest_gap_min} min`,
        }))));
    }
    fill(timeline,
      h('div', { class: 'tl-row tl-head', role: 'row' }, h('span', { class: 'tl-label', role: 'columnheader' }, t('pat.section')),
        buckets.map((b, i) => {
          const ms = Date.parse(b);
          const isNow = now >= ms && now < ms + (coverage.step || 3600) * 1000;
          return h('span', { class: `tl-hour${isNow ? ' now' : ''}`, role: 'columnheader', title: fmtHm(b) },
            i % 3 === 0 || isNow ? new Date(b).toISOString().slice(11, 13) : '');
        })),
      rows);
  }

  function renderGaps(list) {
    if (!list.length) { fill(gaps, h('p', { class: 'muted', 'data-i18n': 'pat.noGaps' }, t('pat.noGaps'))); return; }
    const cols = ['pat.section', 'pat.stretch', 'pat.when', 'pat.minutes', 'f.impact', 'pat.score'];
    fill(gaps, h('table', { class: 'compact' },
      h('thead', {}, h('tr', {}, cols.map((k) => h('th', { scope: 'col' }, t(k))))),
      h('tbody', {}, list.map((g) => h('tr', { class: `gap impact-${g.impact}`, 'data-section': g.section },
        h('td', {}, String(g.section)), h('td', {}, fmtStretch(g.from_km, g.to_km)), h('td', {}, fmtSpan(g.start, g.end)),
        h('td', { class: 'num' }, `${g.minutes} min`), h('td', {}, h('span', { class: `imp-tag impact-${g.impact}` }, g.impact)),
        h('td', { class: 'num' }, String(Math.round(g.score))))))));
  }

  function pairingText(q) {
    const o = q.overlap || {};
    return `↔ ${q.side} ${q.kind} ${fmtStretch(q.from_km, q.to_km)} · ${t('pat.overlap')} ${fmtStretch(o.from_km, o.to_km)}, ${fmtSpan(o.start, o.end)}`;
  }

  function renderPatrols() {
    const list = patrolDocs;
    if (!list.length) { fill(patrols, h('li', { class: 'muted', 'data-i18n': 'pat.none' }, t('pat.none'))); return; }
    const sorted = [...list].sort((a, b) => (a.status === b.status ? (a.start < b.start ? -1 : 1) : a.status === 'CANCELLED' ? 1 : -1));
    fill(patrols, sorted.map((p) => {
      const own = p.side === node.country;
      const li = h('li', { class: `patrol side-${own ? 'own' : 'partner'} status-${p.status}`, 'data-id': p.id },
        h('div', { class: 'p-head' },
          h('span', { class: `side-tag ${own ? 'own' : 'partner'}` }, p.side),
          h('strong', {}, p.kind),
          h('span', {}, (p.units || []).join(', ') || h('span', { class: 'muted' }, t('pat.unitsWithheld'))),
          p.status !== 'PLANNED' ? h('span', { class: 'status' }, p.status) : '',
          p.national ? h('span', { class: 'tag' }, t('pat.national')) : ''),
        h('div', { class: 'small' }, `${fmtStretch(p.from_km, p.to_km)} · ${fmtSpan(p.start, p.end)}`),
        (p.pairing || []).map((q) => h('div', { class: 'pairing small', 'data-pair': q.id }, pairingText(q))),
        own && p.status === 'PLANNED' && api.has('PATCH /api/v1/patrols/{id}') ? cancelButton(p) : '');
      return li;
    }));
  }

  function cancelButton(p) {
    const b = h('button', { type: 'button', class: 'small cancel', 'data-i18n': 'pat.cancel' }, t('pat.cancel'));
    b.addEventListener('click', async () => {
      if (!b.classList.contains('confirm')) {
        b.classList.add('confirm');
        b.textContent = t('pat.confirmCancel');
        return;
      }
      try {
        await api.patch(`/api/v1/patrols/${encodeURIComponent(p.id)}`, { status: 'CANCELLED' }, String(p.version));
        await load();
      } catch (ex) { ctx.toast(ex.message, 'error'); }
    });
    b.addEventListener('blur', () => { b.classList.remove('confirm'); b.textContent = t('pat.cancel'); });
    return b;
  }

  function renderFlags(list) {
    if (!list.length) { fill(flags, h('li', { class: 'muted', 'data-i18n': 'pat.noFlags' }, t('pat.noFlags'))); return; }
    fill(flags, list.map((f) => {
      const p = patrolDocs.find((x) => x.id === f.patrol);
      return h('li', { class: `flag flag-${f.kind}`, 'data-patrol': f.patrol },
        h('strong', {}, f.kind), f.unit ? ` · ${f.unit}` : '', f.chainage_km != null ? ` · km ${Number(f.chainage_km).toFixed(1)}` : '',
        ` · ${fmtHm(f.time)}`,
        h('div', { class: 'muted small' }, p ? `${p.kind} ${fmtStretch(p.from_km, p.to_km)} · ${fmtSpan(p.start, p.end)}` : f.patrol));
    }));
  }

  async function postPatrol(body) {
    const doc = await api.post('/api/v1/patrols', body);
    ctx.toast(`${t('pat.created')} ${doc.kind} ${fmtStretch(doc.from_km, doc.to_km)}${doc.notice ? ` · ${noticeText(doc.notice)}` : ''}`);
    return doc;
  }

  function patrolForm() {
    const f = h('form', { class: 'form', id: 'patrol-form' },
      input('f.units', 'units', 'text', { required: true }),
      h('div', { class: 'row2' },
        input('f.fromKm', 'from_km', 'number', { step: 0.1, min: 0, required: true }),
        input('f.toKm', 'to_km', 'number', { step: 0.1, min: 0, required: true })),
      h('div', { class: 'row2' },
        input('f.start', 'start', 'datetime-local', { required: true, value: toLocalInput(hour + H) }),
        input('f.end', 'end', 'datetime-local', { required: true, value: toLocalInput(hour + 7 * H) })),
      h('div', { class: 'row2' },
        h('label', { class: 'field' }, h('span', { 'data-i18n': 'f.kind' }, t('f.kind')), h('select', { name: 'kind' }, KINDS.map((k) => h('option', { value: k }, k)))),
        input('f.depthKm', 'depth_km', 'number', { step: 0.1, min: 0 })),
      h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'national' }), h('span', { 'data-i18n': 'f.national' }, t('f.national'))),
      h('button', { type: 'submit', class: 'primary', 'data-i18n': 'f.submit', disabled: !api.has('POST /api/v1/patrols') }, t('f.submit')));
    f.addEventListener('submit', async (e) => {
      e.preventDefault();
      const body = {
        units: f.units.value.split(',').map((s) => s.trim()).filter(Boolean), from_km: Number(f.from_km.value),
        to_km: Number(f.to_km.value), start: fromLocalInput(f.start.value), end: fromLocalInput(f.end.value), kind: f.kind.value,
      };
      if (f.depth_km.value !== '') body.depth_km = Number(f.depth_km.value);
      if (f.national.checked) body.national = true;
      try {
        await postPatrol(body);
        await load();
      } catch (ex) { ctx.toast(ex.message, 'error'); }
    });
    return f;
  }

  function plannerForm() {
    const f = h('form', { class: 'form', id: 'plan-form' },
      input('f.units', 'units', 'text', { required: true }),
      h('div', { class: 'row2' },
        input('f.shiftHours', 'shift_hours', 'number', { value: 8, min: 1, step: 1 }),
        input('f.maxShifts', 'max_shifts', 'number', { value: 2, min: 1, step: 1 })),
      h('div', { class: 'row2' },
        input('f.minRest', 'min_rest_hours', 'number', { value: 8, min: 0, step: 1 }),
        input('f.reachKm', 'reach_km', 'number', { value: 40, min: 1, step: 1 })),
      h('div', { class: 'row2' },
        input('f.minKm', 'min_km', 'number', { min: 0, step: 1 }),
        input('f.maxKm', 'max_km', 'number', { min: 0, step: 1 })),
      h('div', { class: 'row2' },
        h('label', { class: 'field' }, h('span', { 'data-i18n': 'f.objective' }, t('f.objective')),
          h('select', { name: 'objective' }, h('option', { value: 'coverage' }, 'coverage'), h('option', { value: 'pair' }, 'pair'))),
        h('label', { class: 'field' }, h('span', { 'data-i18n': 'f.kind' }, t('f.kind')), h('select', { name: 'kind' }, KINDS.map((k) => h('option', { value: k }, k))))),
      h('p', { class: 'help', 'data-i18n': 'pat.planHelp' }, t('pat.planHelp')),
      h('button', { type: 'submit', class: 'primary', 'data-i18n': 'pat.propose', disabled: !api.has('POST /api/v1/patrols/plan') }, t('pat.propose')));
    f.addEventListener('submit', async (e) => {
      e.preventDefault();
      const unit = (uid) => {
        const u = { uid, shift_hours: Number(f.shift_hours.value), max_shifts: Number(f.max_shifts.value),
          min_rest_hours: Number(f.min_rest_hours.value), reach_km: Number(f.reach_km.value) };
        if (f.min_km.value !== '') u.min_km = Number(f.min_km.value);
        if (f.max_km.value !== '') u.max_km = Number(f.max_km.value);
        return u;
      };
      const button = f.querySelector('button[type=submit]');
      button.disabled = true;
      fill(proposals, h('li', { class: 'muted small', 'data-i18n': 'pat.planning' }, t('pat.planning')));
      try {
        const plan = await api.post('/api/v1/patrols/plan', {
          units: f.units.value.split(',').map((s) => s.trim()).filter(Boolean).map(unit),
          from: fromLocalInput(from.value), to: fromLocalInput(to.value), objective: f.objective.value, kind: f.kind.value,
        });
        renderProposals(plan);
        proposals.scrollIntoView({ block: 'nearest' });
      } catch (ex) { fill(proposals); ctx.toast(ex.message, 'error'); } finally { button.disabled = false; }
    });
    return f;
  }

  function renderProposals(plan) {
    const items = (plan.proposal || []).map((p) => {
      const fromKm = h('input', { type: 'number', step: 0.1, value: p.from_km, 'aria-label': t('f.fromKm') });
      const toKm = h('input', { type: 'number', step: 0.1, value: p.to_km, 'aria-label': t('f.toKm') });
      const start = h('input', { type: 'datetime-local', value: toLocalInput(Date.parse(p.start)), 'aria-label': t('f.start') });
      const end = h('input', { type: 'datetime-local', value: toLocalInput(Date.parse(p.end)), 'aria-label': t('f.end') });
      const li = h('li', { class: 'proposal' }, h('strong', {}, `${p.kind} · ${(p.units || []).join(', ')}`),
        h('span', { class: 'pair-in' }, fromKm, '–', toKm), h('span', { class: 'pair-in when' }, start, end),
        h('span', { class: 'buttons' },
          h('button', { type: 'button', class: 'primary accept', 'data-i18n': 'pat.accept', onclick: () => accept() }, t('pat.accept')),
          h('button', { type: 'button', class: 'discard', 'data-i18n': 'pat.discard', onclick: () => li.remove() }, t('pat.discard'))));
      async function accept() {
        try {
          await postPatrol({ units: p.units, kind: p.kind, from_km: Number(fromKm.value), to_km: Number(toKm.value),
            start: fromLocalInput(start.value), end: fromLocalInput(end.value) });
          li.remove();
          await load();
        } catch (ex) { ctx.toast(ex.message, 'error'); }
      }
      li.accept = accept;
      return li;
    });
    const summary = `${t('pat.value')} ${plan.value} / ${t('pat.bound')} ${plan.bound} (${plan.gap_pct}%${plan.exact ? `, ${t('pat.exact')}` : ''}) · ${t('pat.paired')} ${plan.paired ?? 0} · ${t('pat.open')} ${plan.open ?? ''} · seed ${plan.seed}`;
    fill(proposals,
      h('li', { class: 'muted small plan-summary' }, summary),
      items.length ? items : h('li', { class: 'muted', 'data-i18n': 'pat.noProposal' }, t('pat.noProposal')),
      items.length > 1 ? h('li', {}, h('button', { type: 'button', class: 'accept-all', 'data-i18n': 'pat.acceptAll', onclick: async () => {
        for (const li of [...proposals.querySelectorAll('.proposal')]) await li.accept();
      } }, t('pat.acceptAll'))) : '');
  }

  const reload = debounce(() => load().catch((e) => ctx.toast(e.message, 'error')), 300);
  const reloadFlags = throttle(() => { if (!el.hidden) loadFlags().catch(() => {}); }, 15000);
  bus.on('patrol.', reload);
  bus.on('section.', reload);
  bus.on('reconnected', reload);
  bus.on('position', reloadFlags);
  onLang(reload);
  reload();
  return { el, show() { reload(); } };
}

function input(key, name, type, attrs) {
  return h('label', { class: 'field' }, h('span', { 'data-i18n': key }, t(key)), h('input', { name, type, ...attrs }));
}

registerView({ id: 'patrols', labelKey: 'view.patrols', order: 30, create });
