// lib.mjs: what the browser tests share. Real sarhad nodes on free loopback ports (like
// tests/integ/harness.py: init, pin, serve, stop with SIGTERM and require exit 0), and
// Debian's chromium driven by playwright-core, headless, at 1366x768, with a fresh profile.
// Any console error or page error in the browser fails the test. Each test saves screenshots
// under $SARHAD_SCREENSHOTS (set by ctest: BUILD/screenshots).
import { spawn, execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const require = createRequire(path.join(root, 'web', 'package.json'));
export const BIN = process.env.SARHAD_BIN || path.join(root, 'build', 'asan', 'sarhad');
export const SHOTS = process.env.SARHAD_SCREENSHOTS || path.join(path.dirname(BIN), 'screenshots');
const CHROMIUM = process.env.SARHAD_CHROMIUM || '/usr/bin/chromium';
export const SKIP = 77; // ctest SKIP_RETURN_CODE

// A free loopback port below the kernel's ephemeral range, as in harness.py: one from inside
// it could be taken as the local port of an outgoing connection before the node binds it.
function ephemeralLow() {
  try {
    return Number(fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').split(/\s+/)[0]) || 32768;
  } catch {
    return 32768;
  }
}

function tryPort(port) {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

export async function freePort() {
  const low = ephemeralLow();
  const from = Math.max(1024, low - 16384);
  for (let i = 0; i < 1000; i++) {
    const port = from + Math.floor(Math.random() * (low - from));
    if (await tryPort(port)) return port;
  }
  throw new Error('no free loopback port below the ephemeral range');
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export async function waitFor(fn, what, timeoutMs = 30000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

export class Node {
  constructor(dirRoot, { name = 'PK-SOUTH', country = 'PAK', link = false, testClock = false } = {}) {
    Object.assign(this, { name, country, link, testClock });
    this.dir = path.join(dirRoot, name.toLowerCase());
    this.logPath = path.join(dirRoot, `${name.toLowerCase()}.log`);
    this.proc = null;
  }

  async init() {
    this.port = await freePort();
    this.linkPort = this.link ? await freePort() : null;
    const args = ['init', '--dir', this.dir, '--node', this.name, '--country', this.country, '--http', `127.0.0.1:${this.port}`];
    if (this.link) args.push('--link', `127.0.0.1:${this.linkPort}`);
    const out = execFileSync(BIN, args, { encoding: 'utf8' });
    this.token = out.trim().split('\n').pop();
    this.url = `http://127.0.0.1:${this.port}`;
    return this;
  }

  // Sets `key = value` under [section] in sarhad.conf (the key must be in the file).
  setConf(section, key, value) {
    const file = path.join(this.dir, 'sarhad.conf');
    let cur = null;
    let done = false;
    const lines = fs.readFileSync(file, 'utf8').split('\n').map((line) => {
      const m = line.match(/^\[(.+)\]$/);
      if (m) cur = m[1];
      else if (cur === section && line.split('=')[0].trim() === key && !line.startsWith('#')) { done = true; return `${key} = ${value}`; }
      return line;
    });
    if (!done) throw new Error(`no ${section}.${key} in ${file}`);
    fs.writeFileSync(file, lines.join('\n'));
  }

  run(...args) { return execFileSync(BIN, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }); }

  pin(other, addr) {
    const cert = path.join(path.dirname(this.dir), `${other.name.toLowerCase()}.cert.pem`);
    fs.writeFileSync(cert, other.run('cert', '--dir', other.dir));
    const args = ['peer', 'add', '--dir', this.dir, '--name', other.name, '--country', other.country, '--cert', cert];
    if (addr) args.push('--addr', addr);
    this.run(...args);
  }

  async start() {
    const log = fs.openSync(this.logPath, 'a');
    const args = ['serve', '--dir', this.dir];
    if (this.testClock) args.push('--test-clock');
    this.proc = spawn(BIN, args, { stdio: ['ignore', log, log] });
    this.exited = new Promise((resolve) => this.proc.on('exit', (code, sig) => resolve(code ?? `signal ${sig}`)));
    fs.closeSync(log);
    await waitFor(async () => {
      if (this.proc.exitCode !== null) throw new Error(`${this.name} exited: ${this.readLog()}`);
      try { return (await fetch(`${this.url}/api/v1/health`)).ok; } catch { return false; }
    }, `${this.name} to serve`);
    return this;
  }

  async stop() {
    if (!this.proc) return 0;
    const p = this.proc;
    this.proc = null;
    if (p.exitCode === null) p.kill('SIGTERM');
    const code = await this.exited;
    if (code !== 0) throw new Error(`${this.name} did not stop cleanly (${code}): ${this.readLog().slice(-3000)}`);
    return code;
  }

  readLog() { try { return fs.readFileSync(this.logPath, 'utf8'); } catch { return ''; } }

  async request(method, p, body) {
    const headers = { Authorization: `Bearer ${this.token}` };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await fetch(this.url + p, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    let doc = text;
    try { doc = JSON.parse(text); } catch { /* text */ }
    if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${text}`);
    return doc;
  }

  async waitLink(state = 'up') {
    return waitFor(async () => {
      const l = (await this.request('GET', '/api/v1/links')).links[0];
      return l && l.state === state ? l : null;
    }, `${this.name}'s link ${state}`);
  }
}

// Runs `body(t)` with t = {node(opts), pair(), page(node), shot(page, name), allowNetworkErrors}
// and cleans up whatever happens; exits 0 on success, 1 on failure, 77 when chromium is missing.
export async function browserTest(name, body) {
  if (!fs.existsSync(CHROMIUM)) {
    console.log(`SKIP ${name}: ${CHROMIUM} is not installed (scripts/deps.sh installs chromium)`);
    process.exit(SKIP);
  }
  const { chromium } = require('playwright-core');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sarhad-browser-'));
  const nodes = [];
  const errors = [];
  let allowNet = false;
  fs.mkdirSync(SHOTS, { recursive: true });
  const context = await chromium.launchPersistentContext(path.join(tmp, 'profile'), {
    executablePath: CHROMIUM, headless: true, viewport: { width: 1366, height: 768 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const t = {
    tmp,
    async node(opts) { const n = await new Node(tmp, opts).init(); nodes.push(n); return n; },
    // Two linked nodes: A (PK-SOUTH, PAK) dials B (IR-EAST, IRN); neither started.
    async pair(opts = {}) {
      const a = await t.node({ name: 'PK-SOUTH', country: 'PAK', link: true, ...opts });
      const b = await t.node({ name: 'IR-EAST', country: 'IRN', link: true, ...opts });
      a.pin(b, `127.0.0.1:${b.linkPort}`);
      b.pin(a);
      return [a, b];
    },
    async page(node) {
      const page = await context.newPage();
      const label = node ? node.name : 'page';
      page.on('console', (m) => {
        if (m.type() !== 'error') return;
        // While a test has stopped a node on purpose, the browser reports the refused
        // connections of the console's reconnect attempts; nothing else is excused.
        if (allowNet && /net::ERR_(CONNECTION_REFUSED|EMPTY_RESPONSE|CONNECTION_RESET|INCOMPLETE_CHUNKED_ENCODING)/.test(m.text())) return;
        errors.push(`${label} console error: ${m.text()} (${m.location().url})`);
      });
      page.on('pageerror', (e) => errors.push(`${label} page error: ${e.message}`));
      return page;
    },
    async login(page, node) {
      await page.goto(node.url + '/');
      await page.fill('#token', node.token);
      await page.press('#token', 'Enter');
      await page.waitForSelector('#stream-state[data-state="live"]');
      await page.waitForSelector('#map[data-ready="true"]');
    },
    async shot(page, file) {
      const p = path.join(SHOTS, `${file}.png`);
      await page.screenshot({ path: p });
      console.log(`screenshot: ${p}`);
    },
    set allowNetworkErrors(v) { allowNet = v; },
    checkErrors() { if (errors.length) throw new Error(`browser errors:\n${errors.join('\n')}`); },
  };
  let failed = null;
  try {
    await body(t);
    t.checkErrors();
  } catch (e) {
    failed = e;
  }
  await context.close().catch(() => {});
  for (const n of nodes) {
    try { await n.stop(); } catch (e) { failed = failed || e; }
  }
  if (failed) {
    console.error(`FAIL ${name}: ${failed.stack || failed}`);
    for (const n of nodes) console.error(`--- ${n.name} log (tail) ---\n${n.readLog().slice(-2000)}`);
  } else {
    fs.rmSync(tmp, { recursive: true, force: true });
    console.log(`PASS ${name}`);
  }
  process.exit(failed ? 1 : 0);
}

export function assert(cond, message) {
  if (!cond) throw new Error(`assertion failed: ${message}`);
}
