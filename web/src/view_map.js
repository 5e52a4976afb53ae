// view_map.js: the shared picture. Leaflet with no tile layer unless the node names one
// (console.tile_url): country outlines from world-atlas, the border line and its sections
// (colour: the higher impact of the two sides; dash: this node's fence status), pillars,
// crossings and sectors when the node has landmarks (pillars only when zoomed in), CRITICAL
// sections haloed, events by category and impact (fence alarms with their count), own and
// partner units moving live, patrol stretches and the worst coverage gaps. A click shows
// details (for a point on the map or an event, its place in pillar terms from GET
// /api/v1/place) and the record's history as seen by this console.
import * as L from './leaflet.js';
import { h, fill, fmtTime, fmtKm, fmtSpan, fmtStretch, dl, debounce } from './dom.js';
import { t, onLang } from './i18n.js';
import { registerView } from './views.js';
import { measure, slice, latLngAt } from './geo.js';

export const IMPACT_COLOUR = { LOW: '#40c057', MEDIUM: '#fcc419', HIGH: '#fd7e14', CRITICAL: '#fa5252', VERY_HIGH: '#fa5252' };
const IMPACT_RANK = { LOW: 0, MEDIUM: 1, HIGH: 2, CRITICAL: 3, VERY_HIGH: 3 };
const EVENT_RADIUS = { LOW: 5, MEDIUM: 7, HIGH: 9, VERY_HIGH: 11 };
export const CATEGORIES = ['UNAUTHORISED_CROSSING', 'SMUGGLING', 'ARMED_ATTACK', 'FENCE_BREACH', 'SENSOR_ALARM', 'SUSPICIOUS_ACTIVITY', 'CRISIS', 'OTHER'];
const CATEGORY_COLOUR = {
  UNAUTHORISED_CROSSING: '#74c0fc', SMUGGLING: '#b197fc', ARMED_ATTACK: '#ff6b6b', FENCE_BREACH: '#ffa94d',
  SENSOR_ALARM: '#ffe066', SUSPICIOUS_ACTIVITY: '#63e6be', CRISIS: '#f06595', OTHER: '#ced4da',
};
const FENCE_DASH = { NONE: '1 7', PLANNED: '2 6', UNDER_CONSTRUCTION: '10 5', COMPLETE: null, DAMAGED: '4 3' };
const IMPACTS = ['LOW', 'MEDIUM', 'HIGH', 'VERY_HIGH'];
const GAPS_ON_MAP = 12;
const PILLAR_ZOOM = 9; // pillars are every few km: shown from this zoom on

// Leaflet puts string tooltips in as HTML; records' text goes in as a text node instead.
const tip = (text) => h('span', {}, text);

// Leaflet's setStyle leaves `className` as it was at creation: swap our state classes on the
// SVG paths themselves (keeping Leaflet's own classes).
function setClasses(layer, className) {
  const apply = (l) => {
    const el = l.getElement && l.getElement();
    if (!el) return;
    for (const c of [...el.classList]) if (!c.startsWith('leaflet-')) el.classList.remove(c);
    el.classList.add(...className.split(' ').filter(Boolean));
  };
  if (layer.eachLayer) layer.eachLayer(apply); else apply(layer);
}

function create(ctx) {
  const { api, bus, node } = ctx;
  const mapEl = h('div', { class: 'map', id: 'map', role: 'region', 'aria-label': t('view.map') });
  const details = h('div', { class: 'details', id: 'map-details', 'aria-live': 'polite' },
    h('p', { class: 'muted', 'data-i18n': 'map.noSelection' }, t('map.noSelection')));
  const eventList = h('ul', { class: 'list', id: 'event-list' });
  const form = newEventForm();
  const el = h('section', { class: 'map-view' }, mapEl,
    h('aside', { class: 'side' },
      h('h2', { 'data-i18n': 'map.details' }, t('map.details')), details,
      h('details', { class: 'new-event' }, h('summary', { 'data-i18n': 'map.newEvent' }, t('map.newEvent')), form),
      h('h2', { 'data-i18n': 'map.events' }, t('map.events')), eventList,
      legend()));

  const map = L.map(mapEl, { zoomControl: true, attributionControl: true, keyboard: true, worldCopyJump: false })
    .setView([28, 62], 6);
  map.attributionControl.setPrefix(false);
  if (ctx.config.tile_url) L.tileLayer(ctx.config.tile_url, { maxZoom: 18 }).addTo(map);
  const layers = {
    countries: L.layerGroup().addTo(map), critical: L.layerGroup().addTo(map), border: L.layerGroup().addTo(map), landmarks: L.layerGroup().addTo(map),
    patrols: L.layerGroup().addTo(map), gaps: L.layerGroup().addTo(map), events: L.layerGroup().addTo(map), units: L.layerGroup().addTo(map),
  };
  const sections = new Map(); // id -> {layer, doc}
  const events = new Map(); // id -> {marker, doc}
  const units = new Map(); // uid -> {marker, doc}
  const history = new Map(); // record_id -> [entry summaries]
  let line = null; // measured border line
  let borderBounds = null; // the line's bounds, to fit the map to
  let fitted = false; // fitted once already
  let selected = null; // {kind, id}

  // ---- loading --------------------------------------------------------------------------
  async function loadCountries() {
    const res = await fetch('/assets/countries.geojson');
    const fc = await res.json();
    L.geoJSON(fc, { interactive: false, style: { color: '#5c6773', weight: 1, fill: true, fillColor: '#1d2630', fillOpacity: 1 } })
      .addTo(layers.countries);
    attribution();
  }

  function attribution() {
    map.attributionControl.addAttribution('Leaflet · Natural Earth (world-atlas)');
  }

  async function loadBorder() {
    const fc = await api.get('/api/v1/border');
    layers.border.clearLayers();
    sections.clear();
    const whole = fc.features.find((f) => f.properties.kind === 'border');
    if (whole) {
      line = measure(whole.geometry.coordinates);
      ctx.border = whole.properties;
      const casing = L.geoJSON(whole, { interactive: false, style: { color: '#000', weight: 9, opacity: 0.6 } });
      casing.addTo(layers.border);
      borderBounds = casing.getBounds();
      // Fit once, and only with a visible map (a hidden one has no size to fit into); later
      // reloads (a section or fence change) keep the user's pan and zoom.
      if (!fitted && el.offsetParent !== null) {
        map.fitBounds(borderBounds, { padding: [20, 20], animate: false });
        fitted = true;
      }
    }
    for (const f of fc.features.filter((x) => x.properties.kind === 'section')) {
      const layer = L.geoJSON(f, { style: sectionStyle(f.properties) });
      layer.on('click', (ev) => { L.DomEvent.stopPropagation(ev); select('section', f.properties.id); });
      layer.bindTooltip(tip(`${t('pat.section')} ${f.properties.id} · ${fmtKm(f.properties.from_km)}–${fmtKm(f.properties.to_km)}`), { sticky: true });
      layer.addTo(layers.border);
      sections.set(f.properties.id, { layer, doc: f.properties });
    }
    mapEl.dataset.sections = String(sections.size);
    drawCritical();
  }

  function impactOf(doc) {
    return Object.values(doc.sides || {}).reduce((m, s) => (IMPACT_RANK[s.impact] > IMPACT_RANK[m] ? s.impact : m), 'LOW');
  }

  // A pulsing halo under each CRITICAL section, so that it stands out at any zoom.
  function drawCritical() {
    layers.critical.clearLayers();
    const crit = [...sections.values()].filter((s) => impactOf(s.doc) === 'CRITICAL');
    for (const s of crit) {
      L.geoJSON({ type: 'Feature', geometry: s.layer.toGeoJSON().features[0].geometry }, {
        interactive: false, style: { color: '#ff2d2d', weight: 18, opacity: 0.45, lineCap: 'round', className: `critical-halo critical-${s.doc.id}` },
      }).addTo(layers.critical);
    }
    mapEl.dataset.critical = crit.map((s) => s.doc.id).join(',');
  }

  function sectionStyle(doc) {
    const sides = Object.values(doc.sides || {});
    const impact = impactOf(doc);
    const own = (doc.sides || {})[node.country] || sides[0] || {};
    return {
      color: own.fence === 'DAMAGED' ? '#ff2d2d' : IMPACT_COLOUR[impact], weight: 5, opacity: 0.95,
      dashArray: FENCE_DASH[own.fence] || null, lineCap: 'butt', className: `section section-${doc.id} impact-${impact}${impact === 'CRITICAL' ? ' critical' : ''}`,
    };
  }

  async function loadLandmarks() {
    layers.landmarks.clearLayers();
    if (!api.has('GET /api/v1/border/landmarks')) return;
    const lm = await api.get('/api/v1/border/landmarks');
    for (const p of lm.pillars || []) {
      L.circleMarker([p.lat, p.lon], { radius: 2, color: '#dee2e6', weight: 1, fillOpacity: 1, className: 'pillar' })
        .bindTooltip(tip(`${t('map.pillar')} ${p.n} · ${fmtKm(p.km)}`)).on('click', (ev) => { L.DomEvent.stopPropagation(ev); showPoint(p.lat, p.lon, `${t('map.pillar')} ${p.n}`); })
        .addTo(layers.landmarks);
    }
    for (const c of lm.crossings || []) {
      // White with a black ring, named beside it: unlike a unit (filled blue or pink).
      L.circleMarker([c.lat, c.lon], { radius: 6, color: '#000', weight: 3, fillColor: '#fff', fillOpacity: 1, className: 'crossing' })
        .bindTooltip(tip(c.name), { permanent: true, direction: 'left', offset: [-8, 0], className: 'crossing-tip' }).on('click', (ev) => { L.DomEvent.stopPropagation(ev); showPoint(c.lat, c.lon, `${t('map.crossing')}: ${c.name}`, [['sector', c.sector]]); })
        .addTo(layers.landmarks);
    }
    if (line) {
      for (const s of lm.sectors || []) {
        L.marker(latLngAt(line, (s.from_km + s.to_km) / 2), {
          icon: L.divIcon({ className: 'sector-label', html: '', iconSize: null }), keyboard: false, interactive: false,
        }).bindTooltip(tip(`${s.name}`), { permanent: true, direction: 'right', offset: [14, 0], className: 'sector-tip' })
          .addTo(layers.landmarks);
      }
    }
  }

  async function loadEvents() {
    const doc = await api.get('/api/v1/events?limit=200');
    layers.events.clearLayers();
    events.clear();
    for (const e of doc.events.reverse()) upsertEvent(e);
    renderEventList();
  }

  async function loadUnits() {
    const doc = await api.get('/api/v1/units');
    for (const u of doc.units) upsertUnit(u);
  }

  async function loadPatrols() {
    layers.patrols.clearLayers();
    layers.gaps.clearLayers();
    if (!line) return;
    const now = Date.now();
    const from = new Date(now - 6 * 3600e3).toISOString();
    const to = new Date(now + 24 * 3600e3).toISOString();
    if (api.has('GET /api/v1/patrols')) {
      const doc = await api.get(`/api/v1/patrols?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`);
      for (const p of doc.patrols || []) {
        const own = p.side === node.country;
        if (p.status === 'CANCELLED') continue;
        L.polyline(slice(line, p.from_km, p.to_km), { color: own ? '#4dabf7' : '#f783ac', weight: 14, opacity: 0.35, className: `patrol patrol-${p.id} ${own ? 'own' : 'partner'}` })
          .bindTooltip(tip(`${t('map.patrol')} ${p.side} ${p.kind} · ${fmtStretch(p.from_km, p.to_km)} · ${fmtSpan(p.start, p.end)}`), { sticky: true })
          .on('click', (ev) => { L.DomEvent.stopPropagation(ev); showPatrol(p); }).addTo(layers.patrols);
      }
    }
    if (api.has('GET /api/v1/coverage/gaps')) {
      // The worst gaps of sections that matter (MEDIUM impact and up; the node ranks them by
      // impact x minutes): every section of a long line has some gap, and painting them all
      // would hide the line.
      const doc = await api.get(`/api/v1/coverage/gaps?from=${encodeURIComponent(new Date(now).toISOString())}&to=${encodeURIComponent(to)}&min_minutes=60&limit=100`);
      for (const g of (doc.gaps || []).filter((x) => IMPACT_RANK[x.impact] >= 1).slice(0, GAPS_ON_MAP)) {
        L.polyline(slice(line, g.from_km, g.to_km), { color: '#ff2d2d', weight: 16, opacity: 0.3, dashArray: '2 10', className: 'gap' })
          .bindTooltip(tip(`${t('map.gap')} · ${fmtStretch(g.from_km, g.to_km)} · ${fmtSpan(g.start, g.end)} · ${g.minutes} min · ${g.impact}`), { sticky: true })
          .on('click', (ev) => {
            L.DomEvent.stopPropagation(ev);
            selected = null;
            fill(details, h('h3', {}, `${t('map.gap')} · ${t('pat.section')} ${g.section}`), dl([['stretch', fmtStretch(g.from_km, g.to_km)],
              ['when', fmtSpan(g.start, g.end)], ['minutes', g.minutes], ['impact', g.impact], ['score', Math.round(g.score)]]));
          }).addTo(layers.gaps);
      }
    }
  }

  // ---- records ---------------------------------------------------------------------------
  function upsertEvent(e) {
    const style = {
      radius: EVENT_RADIUS[e.impact] || 6, color: CATEGORY_COLOUR[e.category] || '#fff', weight: 3,
      fillColor: IMPACT_COLOUR[e.impact] || '#fff', fillOpacity: e.status === 'CLOSED' ? 0.2 : 0.9,
      className: `event event-${e.id}`,
    };
    const cur = events.get(e.id);
    if (cur && cur.doc.version > e.version) return;
    if (cur) {
      cur.marker.setLatLng([e.lat, e.lon]).setStyle(style);
      setClasses(cur.marker, style.className);
      cur.doc = e;
    } else {
      const marker = L.circleMarker([e.lat, e.lon], style)
        .bindTooltip(tip(`${e.category} · ${e.impact}${e.title ? ` · ${e.title}` : ''}`))
        .on('click', (ev) => { L.DomEvent.stopPropagation(ev); select('event', e.id); }).addTo(layers.events);
      events.set(e.id, { marker, doc: e });
    }
  }

  function upsertUnit(u) {
    const partner = u.origin && u.origin !== node.name;
    const style = {
      radius: 6, weight: 2, color: '#fff', fillOpacity: 1,
      fillColor: u.stale ? '#868e96' : partner ? '#f783ac' : '#4dabf7', className: `unit unit-${u.uid}${partner ? ' partner' : ' own'}`,
    };
    const cur = units.get(u.uid);
    if (cur) {
      cur.marker.setLatLng([u.lat, u.lon]).setStyle(style);
      setClasses(cur.marker, style.className);
      cur.doc = { ...cur.doc, ...u };
    } else {
      const marker = L.circleMarker([u.lat, u.lon], style)
        .bindTooltip(tip(u.callsign || u.uid), { permanent: true, direction: 'right', className: 'unit-tip' })
        .on('click', (ev) => { L.DomEvent.stopPropagation(ev); select('unit', u.uid); }).addTo(layers.units);
      units.set(u.uid, { marker, doc: u });
    }
    if (selected && selected.kind === 'unit' && selected.id === u.uid) select('unit', u.uid);
  }

  function renderEventList() {
    const list = [...events.values()].map((x) => x.doc).sort((a, b) => (a.time < b.time ? 1 : -1)).slice(0, 50);
    if (!list.length) { fill(eventList, h('li', { class: 'muted', 'data-i18n': 'map.noEvents' }, t('map.noEvents'))); return; }
    fill(eventList, list.map((e) => h('li', {},
      h('button', { type: 'button', class: `event-item impact-${e.impact}`, 'data-id': e.id, onclick: () => { select('event', e.id); map.panTo([e.lat, e.lon]); } },
        h('span', { class: `dot impact-${e.impact}` }), `${e.category} · ${e.impact} · ${fmtKm(e.chainage_km)}`,
        e.count > 1 ? h('span', { class: 'count' }, `×${e.count}`) : '',
        e.status === 'CLOSED' ? h('span', { class: 'tag' }, 'CLOSED') : '',
        e.title ? h('span', { class: 'muted' }, ` ${e.title}`) : '',
        e.origin && e.origin !== node.name ? h('span', { class: 'tag' }, e.origin) : ''))));
  }

  // ---- details ---------------------------------------------------------------------------
  function historyOf(id) {
    const rows = history.get(id) || [];
    if (!rows.length) return '';
    return [h('h3', { 'data-i18n': 'map.history' }, t('map.history')),
      h('ol', { class: 'history' }, rows.map((r) => h('li', {}, `v${r.version} · ${r.kind} · ${fmtTime(r.time)} · ${r.origin}`)))];
  }

  async function select(kind, id) {
    selected = { kind, id };
    if (kind === 'section') {
      const s = sections.get(id);
      if (!s) return;
      const d = s.doc;
      fill(details, h('h3', {}, `${t('pat.section')} ${d.id} · ${fmtStretch(d.from_km, d.to_km)}`),
        impactOf(d) === 'CRITICAL' ? h('p', { class: 'critical-note' }, 'CRITICAL') : '',
        Object.entries(d.sides || {}).sort(([x], [y]) => (x === node.country ? -1 : y === node.country ? 1 : 0)).map(([side, v]) => [h('h4', {}, side), dl([['command', v.command],
          ['impact', v.impact === v.base_impact || !v.base_impact ? v.impact : `${v.impact} (base ${v.base_impact})`],
          ['critical', v.critical_since ? `${fmtTime(v.critical_since)} → ${v.critical_until ? fmtTime(v.critical_until) : '…'}` : ''],
          ['fence', v.fence_km != null && v.fence !== 'NONE' ? `${v.fence} · ${Number(v.fence_km).toFixed(1)} km` : v.fence],
          ['fence due', v.fence_due ? v.fence_due.slice(0, 10) : '']])]),
        dl([['version', d.version], ['updated', fmtTime(d.updated)]]), historyOf(`section-${d.id}`));
    } else if (kind === 'event') {
      let e = events.get(id) && events.get(id).doc;
      try { e = await api.get(`/api/v1/events/${encodeURIComponent(id)}`); upsertEvent(e); } catch { /* show what we have */ }
      if (!e) return;
      const place = placeBox(e.lat, e.lon);
      fill(details, h('h3', {}, `${e.category} · ${e.impact}`, e.count > 1 ? h('span', { class: 'count' }, `×${e.count}`) : ''),
        e.title ? h('p', {}, e.title) : '', place.el,
        e.description ? h('p', { class: 'muted' }, e.description) : '',
        dl([['id', e.id], ['status', e.status], ['close_reason', e.close_reason], ['time', fmtTime(e.time)],
          ['sensor', e.sensor], ['count', e.count], ['first', e.count > 1 ? fmtTime(e.created) : ''],
          ['chainage', `${fmtKm(e.chainage_km)} · ${e.side} · ${Number(e.distance_km).toFixed(1)} km · ${t('pat.section')} ${e.section}`],
          ['lat/lon', `${e.lat}, ${e.lon}`], ['origin', e.origin], ['owner', e.owner], ['release', (e.release || []).join(', ') || 'national'],
          ['version', e.version], ['updated', fmtTime(e.updated)]]), historyOf(e.id));
    } else if (kind === 'unit') {
      const u = units.get(id) && units.get(id).doc;
      if (!u) return;
      fill(details, h('h3', {}, u.callsign || u.uid), placeBox(u.lat, u.lon).el, dl([['uid', u.uid], ['side', u.side], ['type', u.type],
        ['time', fmtTime(u.time)], ['lat/lon', `${u.lat}, ${u.lon}`], ['course', u.course], ['speed', u.speed],
        ['place', `${fmtKm(u.chainage_km)} · ${u.border_side || ''}`], ['origin', u.origin || node.name], ['stale', u.stale ? 'yes' : '']]));
    }
  }

  // The place of a point in the terms the patrols use: "pillar 12 +340 m, PAK side 150 m".
  function placeBox(lat, lon) {
    const el = h('p', { class: 'place-text', 'aria-live': 'polite' });
    const done = (async () => {
      if (!api.has('GET /api/v1/place')) return null;
      try {
        const p = await api.get(`/api/v1/place?lat=${encodeURIComponent(lat)}&lon=${encodeURIComponent(lon)}`);
        fill(el, h('strong', {}, p.text));
        el.dataset.pillar = p.pillar;
        return p;
      } catch { return null; }
    })();
    return { el, done };
  }

  async function showPoint(lat, lon, title, extra) {
    selected = { kind: 'point', lat, lon, title, extra };
    const place = placeBox(lat, lon);
    const rows = h('div', {});
    fill(details, h('h3', {}, title || t('map.point')), place.el, rows);
    const p = await place.done;
    if (!selected || selected.kind !== 'point' || selected.lat !== lat || selected.lon !== lon) return;
    fill(rows, dl([...(extra || []), ['lat/lon', `${Number(lat).toFixed(5)}, ${Number(lon).toFixed(5)}`],
      ...(p ? [['chainage', fmtKm(p.chainage_km)], ['side', p.side], ['from line', `${Number(p.distance_km).toFixed(2)} km`],
        ['section', p.section], ['sector', p.sector]] : [])]));
  }

  function showPatrol(p) {
    selected = null;
    fill(details, h('h3', {}, `${t('map.patrol')} · ${p.side} · ${p.kind}`),
      dl([['units', (p.units || []).join(', ')], ['stretch', fmtStretch(p.from_km, p.to_km)], ['when', fmtSpan(p.start, p.end)],
        ['status', p.status], ['origin', p.origin], ['depth', p.depth_km ? `${p.depth_km} km` : ''], ['id', p.id]]),
      (p.pairing || []).length ? [h('h4', {}, t('pat.pairing')), h('ul', { class: 'list small' }, p.pairing.map((q) => h('li', {},
        `${q.side} ${q.kind} ${fmtStretch(q.from_km, q.to_km)} · ${t('pat.overlap')} ${fmtStretch(q.overlap.from_km, q.overlap.to_km)}, ${fmtSpan(q.overlap.start, q.overlap.end)}`)))] : '');
  }

  // ---- the new-event form ------------------------------------------------------------------
  function newEventForm() {
    const f = h('form', { id: 'event-form', class: 'form' },
      field('f.category', h('select', { name: 'category', id: 'ev-category' }, CATEGORIES.map((c) => h('option', { value: c }, c)))),
      field('f.impact', h('select', { name: 'impact', id: 'ev-impact' }, IMPACTS.map((c) => h('option', { value: c }, c)))),
      field('f.lat', h('input', { name: 'lat', id: 'ev-lat', type: 'number', step: 'any', min: -90, max: 90, required: true })),
      field('f.lon', h('input', { name: 'lon', id: 'ev-lon', type: 'number', step: 'any', min: -180, max: 180, required: true })),
      h('p', { class: 'help', 'data-i18n': 'map.pick' }, t('map.pick')),
      field('f.title', h('input', { name: 'title', id: 'ev-title', maxlength: 200 })),
      h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'release', id: 'ev-release' }), h('span', { 'data-i18n': 'f.release' }, t('f.release'))),
      h('button', { type: 'submit', class: 'primary', 'data-i18n': 'f.submit' }, t('f.submit')));
    f.addEventListener('submit', async (e) => {
      e.preventDefault();
      const body = { category: f.category.value, impact: f.impact.value, lat: Number(f.lat.value), lon: Number(f.lon.value) };
      if (f.title.value) body.title = f.title.value;
      if (f.release.checked) body.release = ctx.partners.map((p) => p.country);
      try {
        const doc = await api.post('/api/v1/events', body);
        upsertEvent(doc);
        renderEventList();
        select('event', doc.id);
        f.title.value = '';
      } catch (ex) {
        ctx.toast(ex.message, 'error');
      }
    });
    return f;
  }

  // ---- live --------------------------------------------------------------------------------
  const relist = debounce(renderEventList, 100);
  const reloadPatrols = debounce(() => loadPatrols().catch(() => {}), 500);
  function remember(e) {
    const rows = history.get(e.record_id) || [];
    rows.push({ version: e.version, kind: e.kind, time: e.time, origin: e.origin });
    history.set(e.record_id, rows.slice(-20));
  }
  const offs = [
    bus.on('event.', (e) => {
      remember(e);
      upsertEvent(e.payload);
      relist();
      if (selected && selected.kind === 'event' && selected.id === e.payload.id) select('event', e.payload.id);
    }),
    bus.on('section.', (e) => {
      remember(e);
      const s = sections.get(e.payload.id);
      if (s) {
        s.doc = { ...s.doc, ...e.payload };
        const style = sectionStyle(s.doc);
        s.layer.setStyle(style);
        setClasses(s.layer, style.className);
        if (selected && selected.kind === 'section' && selected.id === s.doc.id) select('section', s.doc.id);
        drawCritical();
      }
    }),
    bus.on('patrol.', reloadPatrols),
    bus.on('fence.', () => loadBorder().catch(() => {})),
    bus.on('position', upsertUnit),
    bus.on('reconnected', () => { loadEvents().catch(() => {}); loadUnits().catch(() => {}); reloadPatrols(); }),
    bus.on('open-event', (id) => {
      const cur = events.get(id);
      select('event', id);
      if (cur) map.setView([cur.doc.lat, cur.doc.lon], Math.max(map.getZoom(), 10));
    }),
  ];
  void offs;

  map.on('click', (e) => {
    form.lat.value = e.latlng.lat.toFixed(5);
    form.lon.value = e.latlng.lng.toFixed(5);
    showPoint(e.latlng.lat, e.latlng.lng);
  });
  const zoomClass = () => mapEl.classList.toggle('pillars-hidden', map.getZoom() < PILLAR_ZOOM);
  map.on('zoomend', zoomClass);
  zoomClass();
  onLang(() => {
    relist();
    if (selected && selected.kind === 'point') showPoint(selected.lat, selected.lon, selected.title, selected.extra);
    else if (selected) select(selected.kind, selected.id);
  });

  const loaded = (async () => {
    await loadCountries().catch((e) => ctx.toast(e.message, 'error'));
    await loadBorder();
    await Promise.all([loadLandmarks(), loadEvents(), loadUnits(), loadPatrols()]);
    mapEl.dataset.ready = 'true';
  })().catch((e) => ctx.toast(e.message, 'error'));
  void loaded;

  return {
    el,
    // Paths drawn while the view was hidden were projected for a map of no size: once it has
    // its size again, the view is reset, which projects every layer anew (a redraw alone keeps
    // the stale projection and draws the stretches off the line).
    show() {
      setTimeout(() => {
        map.invalidateSize();
        if (!fitted && borderBounds) {
          map.fitBounds(borderBounds, { padding: [20, 20], animate: false });
          fitted = true;
        }
        map.setView(map.getCenter(), map.getZoom(), { reset: true });
      }, 0);
    },
  };
}

function field(key, input) {
  return h('label', { class: 'field' }, h('span', { 'data-i18n': key }, t(key)), input);
}

function legend() {
  return h('details', { class: 'legend' }, h('summary', { 'data-i18n': 'map.legend' }, t('map.legend')),
    h('ul', {},
      Object.entries({ LOW: 'LOW', MEDIUM: 'MEDIUM', HIGH: 'HIGH', CRITICAL: 'CRITICAL' }).map(([k, v]) =>
        h('li', {}, h('span', { class: `swatch impact-${k}` }), `impact ${v}`)),
      h('li', {}, h('span', { class: 'swatch own' }), h('span', { 'data-i18n': 'map.own' }, t('map.own'))),
      h('li', {}, h('span', { class: 'swatch partner' }), h('span', { 'data-i18n': 'map.partner' }, t('map.partner'))),
      h('li', {}, h('span', { class: 'swatch gap' }), h('span', { 'data-i18n': 'map.gapLegend' }, t('map.gapLegend'))),
      h('li', {}, h('span', { class: 'swatch critical' }), 'CRITICAL section (pulsing)'),
      h('li', {}, h('span', { class: 'swatch crossing' }), h('span', { 'data-i18n': 'map.crossing' }, t('map.crossing'))),
      h('li', {}, 'fence: ─ COMPLETE, ╌ UNDER_CONSTRUCTION, ┈ PLANNED/NONE, red DAMAGED'),
      h('li', {}, h('span', { 'data-i18n': 'map.pillarsZoom' }, t('map.pillarsZoom')))));
}

registerView({ id: 'map', labelKey: 'view.map', order: 10, create });
