// audio.js: the FLASH alarm sound, a Web Audio beep (no sound file). Browsers let a page
// play sound only after a user gesture, so the context is made at sign-in (a click or Enter).
let ctx = null;

export function unlockAudio() {
  if (ctx) return;
  const AC = window.AudioContext || window.webkitAudioContext;
  if (AC) ctx = new AC();
}

// Three short 880 Hz tones. Returns the number of tones scheduled (0 without audio).
export function beep(count = 3) {
  if (!ctx) return 0;
  if (ctx.state === 'suspended') ctx.resume().catch(() => {});
  const t0 = ctx.currentTime + 0.05;
  for (let i = 0; i < count; i++) {
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.type = 'square';
    osc.frequency.value = 880;
    gain.gain.setValueAtTime(0.0001, t0 + i * 0.35);
    gain.gain.exponentialRampToValueAtTime(0.2, t0 + i * 0.35 + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, t0 + i * 0.35 + 0.25);
    osc.connect(gain).connect(ctx.destination);
    osc.start(t0 + i * 0.35);
    osc.stop(t0 + i * 0.35 + 0.3);
  }
  document.body.dataset.beeps = String(Number(document.body.dataset.beeps || 0) + count);
  return count;
}
