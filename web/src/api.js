// api.js: the node's HTTP API with the session's bearer token. The token lives in
// sessionStorage (this tab only, gone when it closes), never in a URL.
const KEY = 'sarhad.token';

export class ApiError extends Error {
  constructor(status, body) {
    const e = body && body.error;
    super(e ? `${status} ${e.code}: ${e.message}${e.field ? ` (${e.field})` : ''}` : `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

export const session = {
  get token() { return sessionStorage.getItem(KEY); },
  set token(t) { if (t) sessionStorage.setItem(KEY, t); else sessionStorage.removeItem(KEY); },
};

// Routes the node has ("GET /api/v1/patrols"), from GET /api/v1/console; the console asks
// only for what exists, so a node without a part (patrols, landmarks) costs no failed request.
let routes = new Set();
export function setRoutes(list) { routes = new Set(list || []); }
export function has(route) { return routes.has(route); }

let onUnauthorized = () => {};
export function setUnauthorizedHandler(fn) { onUnauthorized = fn; }

export async function request(method, path, body, extraHeaders) {
  const headers = { Authorization: `Bearer ${session.token}`, ...(extraHeaders || {}) };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(path, {
    method, headers, cache: 'no-store',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let doc = null;
  try { doc = text ? JSON.parse(text) : null; } catch { doc = text; }
  if (res.status === 401) onUnauthorized();
  if (!res.ok) throw new ApiError(res.status, doc);
  return doc;
}

export const get = (path) => request('GET', path);
export const post = (path, body) => request('POST', path, body === undefined ? {} : body);
export const patch = (path, body, etag) => request('PATCH', path, body, etag ? { 'If-Match': etag } : undefined);

// Health needs no token.
export async function health() {
  const res = await fetch('/api/v1/health', { cache: 'no-store' });
  if (!res.ok) throw new ApiError(res.status, null);
  return res.json();
}
