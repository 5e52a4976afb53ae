// Every view opens without a browser error on a linked pair: the patrol board (a notice when
// the node has no patrol routes, the timeline when it has), the link status with a link test
// started from the console and its result, and the hotline's channel list. Also: the assets
// carry a strict Content-Security-Policy and need no token, and the API still does.
import { browserTest, assert } from './lib.mjs';

await browserTest('console views', async (t) => {
  const [a, b] = await t.pair();
  b.setConf('console', 'tile_url', 'https://tiles.example.org/{z}/{x}/{y}.png');
  await b.start();
  await a.start();
  await a.waitLink('up');

  const index = await fetch(`${a.url}/`);
  const csp = index.headers.get('content-security-policy');
  assert(index.status === 200 && index.headers.get('content-type').startsWith('text/html'), 'index.html at /');
  assert(csp.includes("script-src 'self'") && !csp.includes('unsafe-inline'), `strict CSP: ${csp}`);
  const js = await fetch(`${a.url}/assets/main.js`);
  assert(js.status === 200 && js.headers.get('content-type').startsWith('text/javascript'), 'a module, no token needed');
  assert((await fetch(`${a.url}/assets/nope.js`)).status === 404, 'unknown asset 404');
  assert((await fetch(`${a.url}/api/v1/console`)).status === 401, 'the API still needs the token');
  // A tile server named in [console] tile_url is offered to the console and allowed by its CSP.
  assert((await b.request('GET', '/api/v1/console')).tile_url === 'https://tiles.example.org/{z}/{x}/{y}.png', 'tile_url');
  const bcsp = (await fetch(`${b.url}/`)).headers.get('content-security-policy');
  assert(bcsp.includes("img-src 'self' data: https://tiles.example.org;"), `tile origin in CSP: ${bcsp}`);
  assert((await a.request('GET', '/api/v1/console')).tile_url === null, 'no tile_url by default');

  const page = await t.page(a);
  await t.login(page, a);

  await page.keyboard.press('Alt+3');
  await page.waitForSelector('#view-patrols[data-ready="true"]');
  const cfg = await a.request('GET', '/api/v1/console');
  if (cfg.routes.includes('GET /api/v1/coverage')) await page.waitForSelector('#timeline .tl-row[data-section]');
  else await page.waitForSelector('#pat-notice:not([hidden])');
  await t.shot(page, 'console_patrols');

  await page.keyboard.press('Alt+5');
  await page.waitForSelector('#links-table tr.link-up[data-peer="IR-EAST"]');
  assert(await page.isHidden('#links-down'), 'no down banner while the link is up');
  await page.click('#links-table button.test-now');
  await page.waitForSelector('#last-test .test-passed', { timeout: 60000 });
  await t.shot(page, 'console_links');

  // Tab order reaches the navigation and shows where focus is.
  await page.focus('#nav-map');
  await page.keyboard.press('Tab');
  const focused = await page.evaluate(() => document.activeElement.id);
  assert(focused === 'nav-hotline', `Tab moves through the navigation (at ${focused})`);
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  assert(outline !== 'none', 'visible focus');
});
