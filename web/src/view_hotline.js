// view_hotline.js: the commanders' hotline. Channels; the channel's messages with precedence
// colours, DTG, state, receipt and acknowledgement times, overdue and escalation marks, gaps
// in serials; ROGER/WILCO/UNABLE for what the partner sent; a composer for free text or a
// template (a form generated from GET /api/v1/templates field types). Template messages are
// read in the console's language (?lang=en|ur|fa).
import { h, fill, fmtTime, debounce, fromLocalInput } from './dom.js';
import { t, onLang, currentLang, pick } from './i18n.js';
import { registerView } from './views.js';

const PRECEDENCES = ['FLASH', 'IMMEDIATE', 'PRIORITY', 'ROUTINE'];
const ACKS = ['ROGER', 'WILCO', 'UNABLE'];

function create(ctx) {
  const { api, bus, node } = ctx;
  const channelList = h('ul', { class: 'list', id: 'channel-list' });
  const overdueBar = h('div', { class: 'overdue-bar', id: 'overdue-bar', hidden: true, role: 'alert' });
  const msgList = h('ol', { class: 'messages', id: 'message-list', 'aria-live': 'polite' });
  const composer = h('form', { class: 'form composer', id: 'composer' });
  const el = h('section', { class: 'hotline-view' },
    h('nav', { class: 'channels', 'aria-label': t('hot.channels') },
      h('h2', { 'data-i18n': 'hot.channels' }, t('hot.channels')), channelList),
    h('div', { class: 'message-pane' },
      h('h2', { 'data-i18n': 'hot.messages' }, t('hot.messages')), overdueBar, msgList),
    h('div', { class: 'compose-pane' },
      h('h2', { 'data-i18n': 'hot.compose' }, t('hot.compose')), composer));

  let channels = [];
  let channel = null;
  let templates = [];
  let focusId = null;
  const remarks = new Map(); // message id -> remark being typed (the list re-renders under it)

  async function loadChannels() {
    channels = (await api.get('/api/v1/channels')).channels;
    if (!channel || !channels.some((c) => c.name === channel)) {
      const usable = channels.find((c) => c.state !== 'proposed');
      channel = usable ? usable.name : null;
    }
    renderChannels();
  }

  function renderChannels() {
    if (!channels.length) {
      fill(channelList, h('li', { class: 'muted', 'data-i18n': 'hot.noChannel' }, t('hot.noChannel')));
      return;
    }
    fill(channelList, channels.map((c) => h('li', {},
      h('button', {
        type: 'button', class: 'channel', 'data-channel': c.name, 'aria-pressed': String(c.name === channel),
        onclick: () => { channel = c.name; renderChannels(); loadMessages(); renderComposer(); },
      }, h('strong', {}, c.name), h('span', { class: 'muted' }, ` ${c.state}`),
      c.own_command ? h('div', { class: 'muted small' }, `${c.own_command} ↔ ${c.partner_command}`) : '',
      c.state === 'proposed' ? h('div', { class: 'small' }, t('hot.proposed')) : ''))));
  }

  async function loadMessages() {
    if (!channel) { fill(msgList); return; }
    const doc = await api.get(`/api/v1/messages?channel=${encodeURIComponent(channel)}&lang=${currentLang()}`);
    renderMessages(doc.messages);
    const overdue = (await api.get(`/api/v1/messages?state=overdue&lang=${currentLang()}`)).messages;
    overdueBar.hidden = overdue.length === 0;
    fill(overdueBar, h('strong', { 'data-i18n': 'hot.overdue' }, t('hot.overdue')), ` ${overdue.length} · `,
      overdue.map((m) => m.id).join(', '));
    const badge = document.getElementById('badge-hotline');
    if (badge) { badge.hidden = overdue.length === 0; badge.textContent = String(overdue.length); }
  }

  function renderMessages(list) {
    if (!list.length) {
      fill(msgList, h('li', { class: 'muted', 'data-i18n': 'hot.none' }, t('hot.none')));
      return;
    }
    const active = document.activeElement;
    const refocus = active && msgList.contains(active) && active.closest('.msg')
      ? { id: active.closest('.msg').dataset.id, sel: active.classList.contains('remark') ? '.remark' : active.dataset.ack ? `[data-ack="${active.dataset.ack}"]` : null }
      : null;
    fill(msgList, list.map(messageItem));
    if (refocus && refocus.sel) {
      const again = msgList.querySelector(`[data-id="${CSS.escape(refocus.id)}"] ${refocus.sel}`);
      if (again) again.focus();
    }
    if (focusId) {
      const li = msgList.querySelector(`[data-id="${CSS.escape(focusId)}"]`);
      if (li) { li.scrollIntoView({ block: 'nearest' }); li.focus(); focusId = null; }
    }
  }

  function messageItem(m) {
    const incoming = m.origin !== node.name;
    const rendered = m.rendered || null;
    const subject = rendered ? rendered.subject : m.subject || m.template;
    const body = rendered ? rendered.body : m.body;
    const delivered = m.delivered && typeof m.delivered === 'object' ? m.delivered.delivered : m.delivered;
    const ack = m.ack && typeof m.ack === 'object' ? m.ack : null;
    const canAck = incoming && !ack && m.state === 'received';
    const remark = h('input', { type: 'text', class: 'remark', maxlength: 500, placeholder: t('f.remark'), 'aria-label': t('f.remark'), value: remarks.get(m.id) || '' });
    remark.addEventListener('input', () => remarks.set(m.id, remark.value));
    return h('li', {
      class: `msg prec-${m.precedence}${m.overdue ? ' overdue' : ''}${incoming ? ' in' : ' out'}`,
      'data-id': m.id, 'data-state': m.state, tabindex: '-1',
    },
    h('div', { class: 'msg-head' },
      h('span', { class: `prec prec-${m.precedence}` }, m.precedence),
      h('span', { class: 'serial' }, `#${m.serial}`),
      h('span', { class: 'dtg' }, m.dtg),
      h('span', { class: 'from' }, `${m.originator} · ${m.from || ''}`),
      h('span', { class: `state state-${m.state}` }, m.state),
      m.overdue ? h('span', { class: 'overdue-tag', 'data-i18n': 'hot.overdue' }, t('hot.overdue')) : ''),
    h('div', { class: 'subject', dir: rendered && rendered.rtl ? 'rtl' : 'auto' }, subject || ''),
    body ? h('div', { class: 'body', dir: rendered && rendered.rtl ? 'rtl' : 'auto' }, body) : '',
    m.missing_serials ? h('div', { class: 'warn' }, `${t('hot.missing')}: ${m.missing_serials.join('–')}`) : '',
    h('dl', { class: 'kv times' },
      h('dt', { 'data-i18n': 'hot.sent' }, t('hot.sent')), h('dd', {}, fmtTime(m.time)),
      h('dt', { 'data-i18n': 'hot.deadline' }, t('hot.deadline')), h('dd', {}, m.ack_required ? fmtTime(m.deadline) : '—'),
      delivered ? [h('dt', { 'data-i18n': 'hot.delivered' }, t('hot.delivered')), h('dd', { class: 'delivered' }, fmtTime(delivered))] : '',
      ack ? [h('dt', { 'data-i18n': 'hot.acked' }, t('hot.acked')),
        h('dd', { class: 'ack' }, `${ack.ack} · ${ack.by || ''} · ${fmtTime(ack.time)}${ack.remark ? ` · “${ack.remark}”` : ''}`)] : '',
      m.escalated ? [h('dt', { 'data-i18n': 'hot.escalated' }, t('hot.escalated')),
        h('dd', { class: 'escalated' }, `${m.escalated.parent_command || '—'} · ${fmtTime(m.escalated.time)}`)] : ''),
    canAck ? h('div', { class: 'ack-buttons' }, remark, ACKS.map((a) => h('button', {
      type: 'button', class: `ack-${a.toLowerCase()}`, 'data-ack': a,
      onclick: async (ev) => {
        ev.target.disabled = true;
        try {
          const body2 = { ack: a };
          const text = remarks.get(m.id) || remark.value;
          if (text) body2.remark = text;
          await api.post(`/api/v1/messages/${encodeURIComponent(m.id)}/ack`, body2);
          remarks.delete(m.id);
          await loadMessages();
        } catch (ex) { ctx.toast(ex.message, 'error'); ev.target.disabled = false; }
      },
    }, a))) : '');
  }

  // ---- composer ----------------------------------------------------------------------------
  async function loadTemplates() {
    templates = (await api.get('/api/v1/templates')).templates;
    renderComposer();
  }

  function templateField(f) {
    const id = `tf-${f.name}`;
    let input;
    if (f.type === 'enum') {
      input = h('select', { id, name: f.name }, f.required ? '' : h('option', { value: '' }, ''),
        (f.options || []).map((o) => h('option', { value: o.code }, `${pick(o.label)} (${o.code})`)));
    } else if (f.type === 'integer') {
      input = h('input', { id, name: f.name, type: 'number', step: 1, min: f.min, max: f.max });
    } else if (f.type === 'chainage') {
      input = h('input', { id, name: f.name, type: 'number', step: 0.1, min: f.min, max: f.max });
    } else if (f.type === 'datetime') {
      input = h('input', { id, name: f.name, type: 'datetime-local' });
    } else {
      input = h(f.max_len > 200 ? 'textarea' : 'input', { id, name: f.name, maxlength: f.max_len });
    }
    input.required = !!f.required;
    input.dataset.type = f.type;
    return h('label', { class: 'field' }, h('span', {}, `${pick(f.label)}${f.required ? ' *' : ''}`), input);
  }

  function renderComposer() {
    const mode = composer.dataset.mode || 'free';
    const tplId = composer.dataset.template || (templates[0] && templates[0].id);
    const tpl = templates.find((x) => x.id === tplId);
    const prec = h('select', { name: 'precedence', id: 'c-precedence' }, PRECEDENCES.map((p) => h('option', { value: p }, p)));
    prec.value = composer.dataset.precedence || 'ROUTINE';
    prec.addEventListener('change', () => { composer.dataset.precedence = prec.value; });
    const modeSel = h('select', { name: 'mode', id: 'c-mode' },
      h('option', { value: 'free' }, t('f.freeText')), h('option', { value: 'template' }, t('f.template')));
    modeSel.value = mode;
    modeSel.addEventListener('change', () => { composer.dataset.mode = modeSel.value; renderComposer(); });
    const parts = [
      h('div', { class: 'muted' }, channel ? `→ ${channel}` : t('hot.noChannel')),
      h('label', { class: 'field' }, h('span', { 'data-i18n': 'f.precedence' }, t('f.precedence')), prec),
      h('label', { class: 'field' }, h('span', { 'data-i18n': 'f.mode' }, t('f.mode')), modeSel),
    ];
    if (mode === 'free') {
      parts.push(h('label', { class: 'field' }, h('span', { 'data-i18n': 'f.subject' }, t('f.subject')), h('input', { name: 'subject', id: 'c-subject', maxlength: 120 })));
      parts.push(h('label', { class: 'field' }, h('span', { 'data-i18n': 'f.body' }, t('f.body')), h('textarea', { name: 'body', id: 'c-body', rows: 4, maxlength: 8000, required: true })));
    } else {
      const tsel = h('select', { name: 'template', id: 'c-template' }, templates.map((x) => h('option', { value: x.id }, pick(x.title))));
      tsel.value = tplId || '';
      tsel.addEventListener('change', () => { composer.dataset.template = tsel.value; renderComposer(); });
      parts.push(h('label', { class: 'field' }, h('span', { 'data-i18n': 'f.template' }, t('f.template')), tsel));
      if (tpl) parts.push(h('fieldset', { class: 'tpl-fields' }, h('legend', {}, pick(tpl.title)), tpl.fields.map(templateField)));
    }
    parts.push(h('button', { type: 'submit', class: 'primary', id: 'c-send', disabled: !channel, 'data-i18n': 'f.send' }, t('f.send')));
    fill(composer, parts);
  }

  composer.addEventListener('submit', async (e) => {
    e.preventDefault();
    const body = { channel, precedence: composer.precedence.value };
    if ((composer.dataset.mode || 'free') === 'free') {
      body.body = composer.body.value;
      if (composer.subject.value) body.subject = composer.subject.value;
    } else {
      body.template = composer.template.value;
      body.fields = {};
      for (const input of composer.querySelectorAll('.tpl-fields [name]')) {
        if (input.value === '') continue;
        const ty = input.dataset.type;
        body.fields[input.name] = ty === 'integer' ? Number.parseInt(input.value, 10)
          : ty === 'chainage' ? Number(input.value) : ty === 'datetime' ? fromLocalInput(input.value) : input.value;
      }
    }
    try {
      const doc = await api.post('/api/v1/messages', body);
      ctx.toast(`${doc.id} ${doc.dtg} ${doc.precedence}`);
      composer.dataset.precedence = 'ROUTINE';
      renderComposer();
      await loadMessages();
    } catch (ex) {
      ctx.toast(ex.message, 'error');
    }
  });

  const reload = debounce(() => loadMessages().catch(() => {}), 150);
  bus.on('hotline.', reload);
  bus.on('channel.', () => loadChannels().then(loadMessages).then(renderComposer).catch(() => {}));
  bus.on('reconnected', reload);
  bus.on('open-message', (m) => {
    const parts = String(m.id).split(':');
    if (parts.length === 3 && channels.some((c) => c.name === parts[1])) { channel = parts[1]; renderChannels(); }
    focusId = m.id;
    loadMessages().catch(() => {});
  });
  onLang(() => { renderChannels(); renderComposer(); reload(); });
  // Overdue is decided by the node's clock; look again every 20 s.
  setInterval(reload, 20000);

  (async () => {
    await loadChannels();
    await loadTemplates();
    await loadMessages();
    el.dataset.ready = 'true';
  })().catch((e) => ctx.toast(e.message, 'error'));

  return { el, show() { reload(); } };
}

registerView({ id: 'hotline', labelKey: 'view.hotline', order: 20, create });
