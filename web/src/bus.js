// bus.js: the console's live picture is fed by the stream; views subscribe here to the
// journal entries (by kind prefix), unit positions and connection changes they care about.
const subs = new Set();

// on('hotline.', fn) -> off(); '' matches every entry; 'position', 'reconnected' and
// 'link' are the non-entry topics.
export function on(prefix, fn) {
  const sub = { prefix, fn };
  subs.add(sub);
  return () => subs.delete(sub);
}

export function emitEntry(entry) {
  for (const s of [...subs]) {
    if (s.prefix.includes('.') || s.prefix === '') {
      if (entry.kind.startsWith(s.prefix)) safe(s.fn, entry);
    }
  }
}

export function emit(topic, value) {
  for (const s of [...subs]) if (s.prefix === topic) safe(s.fn, value);
}

function safe(fn, v) {
  try { fn(v); } catch (e) { setTimeout(() => { throw e; }); }
}
