// stream.js: the node's Server-Sent Events stream read with fetch(), because EventSource
// cannot send the Authorization header. The parser follows the SSE rules the node uses
// (id:, event:, data:, comments); after an error or the node going away it reconnects with
// a growing delay (0.5 s doubling to 10 s, with jitter) and sends Last-Event-ID, so the node
// resumes exactly after the last entry seen: nothing lost, nothing repeated.
import { session } from './api.js';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// opts: {since (journal seq to start after), onEntry(entry), onPosition(unit),
//        onState('connecting'|'live'|'down'|'unauthorized', detail)}
export function openStream(opts) {
  let lastId = opts.since;
  let stopped = false;
  let ctrl = null;
  let delay = 500;
  let everLive = false;

  function dispatch(ev) {
    if (ev.data === '') return;
    let doc;
    try { doc = JSON.parse(ev.data); } catch { return; }
    if (ev.id !== null) lastId = Number(ev.id);
    if (ev.event === 'position') opts.onPosition(doc);
    else opts.onEntry(doc);
  }

  async function read(body) {
    const reader = body.pipeThrough(new TextDecoderStream()).getReader();
    let buf = '';
    let ev = { id: null, event: 'message', data: '' };
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buf += value;
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        let line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line.endsWith('\r')) line = line.slice(0, -1);
        if (line === '') {
          dispatch(ev);
          ev = { id: null, event: 'message', data: '' };
          continue;
        }
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        let val = colon < 0 ? '' : line.slice(colon + 1);
        if (val.startsWith(' ')) val = val.slice(1);
        if (field === 'data') ev.data += (ev.data ? '\n' : '') + val;
        else if (field === 'event') ev.event = val;
        else if (field === 'id') ev.id = val;
      }
    }
  }

  async function run() {
    while (!stopped) {
      ctrl = new AbortController();
      opts.onState('connecting');
      try {
        const headers = { Authorization: `Bearer ${session.token}`, Accept: 'text/event-stream' };
        if (lastId != null) headers['Last-Event-ID'] = String(lastId);
        const res = await fetch('/api/v1/stream', { headers, signal: ctrl.signal, cache: 'no-store' });
        if (res.status === 401) { opts.onState('unauthorized'); return; }
        if (res.ok && res.body) {
          opts.onState('live', { resumed: everLive });
          everLive = true;
          delay = 500;
          await read(res.body);
        }
      } catch {
        // The node went away or the request was aborted: reconnect below unless stopped.
      }
      if (stopped) return;
      opts.onState('down');
      await sleep(delay / 2 + Math.random() * (delay / 2));
      delay = Math.min(delay * 2, 10000);
    }
  }

  run();
  return {
    close() { stopped = true; if (ctrl) ctrl.abort(); },
    get lastId() { return lastId; },
  };
}
