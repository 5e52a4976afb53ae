// view_patrols.js: the patrol board. A timeline per border section from GET /api/v1/coverage
// (each cell one bucket: both sides, own only, partner only, or a gap), the gaps ranked by
// the node, the patrols in the window, a form to add a patrol, and the planner: its proposals
// can be changed in place, then accepted (each one POSTed) or discarded. A node without the
// patrol routes shows a notice instead (the console asks GET /api/v1/console which exist).
import { h, fill, fmtTime, fmtKm, toLocalInput, fromLocalInput, debounce } from './dom.js';
import { t, onLang } from './i18n.js';
import { registerView } from './views.js';

const KINDS = ['REGULAR', 'COORDINATED', 'JOINT_NIGHT'];

function create(ctx) {
  const { api, bus } = ctx;
  const now = Date.now();
  const from = h('input', { type: 'datetime-local', id: 'pat-from', value: toLocalInput(now) });
  const to = h('input', { type: 'datetime-local', id: 'pat-to', value: toLocalInput(now + 24 * 3600e3) });
  const timeline = h('div', { class: 'timeline', id: 'timeline', role: 'table', 'aria-label': t('pat.timeline') });
  const gaps = h('ol', { class: 'list', id: 'gap-list' });
  const patrols = h('ol', { class: 'list', id: 'patrol-list' });
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
        h('h3', { 'data-i18n': 'pat.timeline' }, t('pat.timeline')),
        h('div', { class: 'timeline-legend' },
          ['both', 'own', 'partner', 'gap'].map((k) => h('span', {}, h('span', { class: `cell ${k}` }),
            h('span', { 'data-i18n': k === 'gap' ? 'pat.gapCell' : `pat.${k}` }, t(k === 'gap' ? 'pat.gapCell' : `pat.${k}`))))),
        timeline,
        h('h3', { 'data-i18n': 'pat.gaps' }, t('pat.gaps')), gaps),
      h('div', { class: 'patrol-side' },
        h('h3', { 'data-i18n': 'pat.list' }, t('pat.list')), patrols,
        h('details', { open: true }, h('summary', { 'data-i18n': 'pat.add' }, t('pat.add')), addForm),
        h('details', {}, h('summary', { 'data-i18n': 'pat.plan' }, t('pat.plan')), planForm, proposals))));

  const range = () => `from=${encodeURIComponent(fromLocalInput(from.value))}&to=${encodeURIComponent(fromLocalInput(to.value))}`;

  async function load() {
    const available = api.has('GET /api/v1/coverage') || api.has('GET /api/v1/patrols');
    notice.hidden = available;
    if (api.has('GET /api/v1/coverage')) renderTimeline(await api.get(`/api/v1/coverage?${range()}&step=3600`));
    if (api.has('GET /api/v1/coverage/gaps')) renderGaps((await api.get(`/api/v1/coverage/gaps?${range()}`)).gaps || []);
    if (api.has('GET /api/v1/patrols')) renderPatrols((await api.get(`/api/v1/patrols?${range()}`)).patrols || []);
    el.dataset.ready = 'true';
  }

  function cellClass(c) {
    if (c.both_min > 0) return 'both';
    if (c.own_min > 0) return 'own';
    if (c.partner_min > 0) return 'partner';
    return 'gap';
  }

  function renderTimeline(cov) {
    const buckets = cov.buckets || [];
    timeline.style.setProperty('--buckets', String(buckets.length));
    fill(timeline,
      h('div', { class: 'tl-row tl-head', role: 'row' }, h('span', { class: 'tl-label', role: 'columnheader' }, t('pat.section')),
        buckets.map((b, i) => h('span', { class: 'tl-hour', role: 'columnheader' }, i % 3 === 0 ? new Date(b).toISOString().slice(11, 13) : ''))),
      (cov.sections || []).map((s) => h('div', { class: `tl-row impact-${s.impact}`, role: 'row', 'data-section': s.id },
        h('span', { class: 'tl-label', role: 'rowheader' }, `${s.id} · ${Math.round(s.from_km)}–${Math.round(s.to_km)}`),
        s.cells.map((c, i) => h('span', {
          class: `cell ${cellClass(c)}`, role: 'cell',
          title: `${fmtTime(buckets[i])} · own ${c.own_min} · partner ${c.partner_min} · both ${c.both_min} · gap ${c.longest_gap_min} min`,
        })))));
  }

  function renderGaps(list) {
    if (!list.length) { fill(gaps, h('li', { class: 'muted', 'data-i18n': 'pat.noGaps' }, t('pat.noGaps'))); return; }
    fill(gaps, list.slice(0, 30).map((g) => h('li', { class: `gap impact-${g.impact}` },
      `${t('pat.section')} ${g.section} · ${fmtKm(g.from_km)}–${fmtKm(g.to_km)} · ${fmtTime(g.start)}–${fmtTime(g.end)} · ${g.minutes} min · ${g.impact} · score ${Number(g.score).toFixed(1)}`)));
  }

  function renderPatrols(list) {
    if (!list.length) { fill(patrols, h('li', { class: 'muted', 'data-i18n': 'pat.none' }, t('pat.none'))); return; }
    fill(patrols, list.map((p) => h('li', { class: `patrol side-${p.side}`, 'data-id': p.id },
      h('strong', {}, `${p.kind} · ${p.side}`), ` ${(p.units || []).join(', ')} · ${fmtKm(p.from_km)}–${fmtKm(p.to_km)} · ${fmtTime(p.start)}–${fmtTime(p.end)} · ${p.status || ''}`,
      (p.pairing || []).length ? h('div', { class: 'muted small' }, `↔ ${p.pairing.map((q) => q.id).join(', ')}`) : '')));
  }

  function patrolForm() {
    const f = h('form', { class: 'form', id: 'patrol-form' },
      input('f.units', 'units', 'text', { required: true }),
      input('f.fromKm', 'from_km', 'number', { step: 0.1, min: 0, required: true }),
      input('f.toKm', 'to_km', 'number', { step: 0.1, min: 0, required: true }),
      input('f.start', 'start', 'datetime-local', { required: true, value: toLocalInput(now) }),
      input('f.end', 'end', 'datetime-local', { required: true, value: toLocalInput(now + 6 * 3600e3) }),
      h('label', { class: 'field' }, h('span', { 'data-i18n': 'f.kind' }, t('f.kind')), h('select', { name: 'kind' }, KINDS.map((k) => h('option', { value: k }, k)))),
      h('button', { type: 'submit', class: 'primary', 'data-i18n': 'f.submit', disabled: !api.has('POST /api/v1/patrols') }, t('f.submit')));
    f.addEventListener('submit', async (e) => {
      e.preventDefault();
      try {
        await api.post('/api/v1/patrols', {
          units: f.units.value.split(',').map((s) => s.trim()).filter(Boolean), from_km: Number(f.from_km.value),
          to_km: Number(f.to_km.value), start: fromLocalInput(f.start.value), end: fromLocalInput(f.end.value), kind: f.kind.value,
        });
        await load();
      } catch (ex) { ctx.toast(ex.message, 'error'); }
    });
    return f;
  }

  function plannerForm() {
    const f = h('form', { class: 'form', id: 'plan-form' },
      input('f.units', 'units', 'text', { required: true }),
      input('f.shiftHours', 'shift_hours', 'number', { value: 8, min: 1, step: 1 }),
      input('f.maxShifts', 'max_shifts', 'number', { value: 2, min: 1, step: 1 }),
      input('f.minRest', 'min_rest_hours', 'number', { value: 8, min: 0, step: 1 }),
      input('f.reachKm', 'reach_km', 'number', { value: 40, min: 1, step: 1 }),
      h('label', { class: 'field' }, h('span', { 'data-i18n': 'f.objective' }, t('f.objective')),
        h('select', { name: 'objective' }, h('option', { value: 'coverage' }, 'coverage'), h('option', { value: 'pair' }, 'pair'))),
      h('button', { type: 'submit', class: 'primary', 'data-i18n': 'pat.propose', disabled: !api.has('POST /api/v1/patrols/plan') }, t('pat.propose')));
    f.addEventListener('submit', async (e) => {
      e.preventDefault();
      const unit = (uid) => ({ uid, shift_hours: Number(f.shift_hours.value), max_shifts: Number(f.max_shifts.value),
        min_rest_hours: Number(f.min_rest_hours.value), reach_km: Number(f.reach_km.value) });
      try {
        const plan = await api.post('/api/v1/patrols/plan', {
          units: f.units.value.split(',').map((s) => s.trim()).filter(Boolean).map(unit),
          from: fromLocalInput(from.value), to: fromLocalInput(to.value), objective: f.objective.value,
        });
        renderProposals(plan);
      } catch (ex) { ctx.toast(ex.message, 'error'); }
    });
    return f;
  }

  function renderProposals(plan) {
    fill(proposals,
      h('li', { class: 'muted small' }, `value ${plan.value} · bound ${plan.bound} · gap ${plan.gap_pct}% · ${plan.exact ? 'exact' : 'heuristic'} · seed ${plan.seed}`),
      (plan.proposal || []).map((p) => {
        const fromKm = h('input', { type: 'number', step: 0.1, value: p.from_km, 'aria-label': t('f.fromKm') });
        const toKm = h('input', { type: 'number', step: 0.1, value: p.to_km, 'aria-label': t('f.toKm') });
        const start = h('input', { type: 'datetime-local', value: toLocalInput(Date.parse(p.start)), 'aria-label': t('f.start') });
        const end = h('input', { type: 'datetime-local', value: toLocalInput(Date.parse(p.end)), 'aria-label': t('f.end') });
        const li = h('li', { class: 'proposal' }, h('strong', {}, `${p.kind} · ${(p.units || []).join(', ')}`), fromKm, toKm, start, end,
          h('button', { type: 'button', class: 'primary', 'data-i18n': 'pat.accept', onclick: async () => {
            try {
              await api.post('/api/v1/patrols', { units: p.units, kind: p.kind, from_km: Number(fromKm.value), to_km: Number(toKm.value),
                start: fromLocalInput(start.value), end: fromLocalInput(end.value) });
              li.remove();
              await load();
            } catch (ex) { ctx.toast(ex.message, 'error'); }
          } }, t('pat.accept')),
          h('button', { type: 'button', 'data-i18n': 'pat.discard', onclick: () => li.remove() }, t('pat.discard')));
        return li;
      }));
  }

  const reload = debounce(() => load().catch((e) => ctx.toast(e.message, 'error')), 300);
  bus.on('patrol.', reload);
  bus.on('section.', reload);
  bus.on('reconnected', reload);
  onLang(reload);
  reload();
  return { el, show() { reload(); } };
}

function input(key, name, type, attrs) {
  return h('label', { class: 'field' }, h('span', { 'data-i18n': key }, t(key)), h('input', { name, type, ...attrs }));
}

registerView({ id: 'patrols', labelKey: 'view.patrols', order: 30, create });
