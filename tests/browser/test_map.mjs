// Log in, see the border and its sections, create an event from the console's form and
// another through the API, and watch both appear live on the map and in the event list.
import { browserTest, assert, waitFor } from './lib.mjs';

await browserTest('console map', async (t) => {
  const node = await t.node();
  await node.start();
  const page = await t.page(node);

  await t.login(page, node);
  assert(await page.evaluate(() => !location.href.includes('sht_')), 'the token is not in the URL');
  const sections = (await node.request('GET', '/api/v1/sections')).sections.length;
  await page.waitForSelector('path.section');
  assert(await page.locator('path.section').count() === sections, `one map line per section (${sections})`);
  assert(await page.locator('#node-id').textContent() === 'PK-SOUTH · PAK', 'the top bar names the node');

  // A section's impact changed through the API recolours it live.
  await node.request('PATCH', '/api/v1/sections/12', { impact: 'CRITICAL', fence: 'DAMAGED' });
  await page.waitForSelector('path.section-12.impact-CRITICAL');
  await page.locator('path.section-12').dispatchEvent('click');
  await page.waitForSelector('#map-details :text("CRITICAL")');

  // The form: category, impact, position from a click on the map.
  await page.click('.new-event summary');
  await page.selectOption('#ev-category', 'FENCE_BREACH');
  await page.selectOption('#ev-impact', 'HIGH');
  await page.fill('#ev-lat', '28.98');
  await page.fill('#ev-lon', '61.60');
  await page.fill('#ev-title', 'Breach near pillar 162');
  await page.click('#event-form button[type=submit]');
  await page.waitForSelector('#event-list :text("Breach near pillar 162")');
  await page.waitForSelector('#map-details :text("FENCE_BREACH")');

  // Created elsewhere (the API, as a TAK gateway or script would): arrives by the stream.
  const ev = await node.request('POST', '/api/v1/events',
    { category: 'SMUGGLING', impact: 'VERY_HIGH', lat: 26.09, lon: 61.97, title: 'Fuel convoy near Mand' });
  await page.waitForSelector(`#event-list [data-id="${ev.id}"]`);
  await page.waitForSelector(`path.event-${ev.id}`);
  const events = await page.locator('path.event').count();
  assert(events === 2, `two event markers, saw ${events}`);

  // A unit moving live.
  await node.request('POST', '/api/v1/units/PK-FC-101/position', { lat: 28.9, lon: 61.5, callsign: 'Taftan-1' });
  await page.waitForSelector('path.unit-PK-FC-101');
  const before = await page.getAttribute('path.unit-PK-FC-101', 'd');
  await node.request('POST', '/api/v1/units/PK-FC-101/position', { lat: 28.5, lon: 61.9, callsign: 'Taftan-1' });
  await waitFor(async () => (await page.getAttribute('path.unit-PK-FC-101', 'd')) !== before, 'the unit marker to move');

  // Keyboard: Alt+2 opens the hotline, Alt+1 the map again.
  await page.keyboard.press('Alt+2');
  await page.waitForSelector('#view-hotline:not([hidden])');
  await page.keyboard.press('Alt+1');
  await page.waitForSelector('#view-map:not([hidden])');
  await t.shot(page, 'console_map');

  // Without serve --test-clock the test clock does not exist.
  const res = await fetch(`${node.url}/api/v1/test/clock`, {
    method: 'POST', headers: { Authorization: `Bearer ${node.token}`, 'Content-Type': 'application/json' }, body: '{"advance_s":600}',
  });
  assert(res.status === 404, `test clock without the flag: ${res.status}`);
});
