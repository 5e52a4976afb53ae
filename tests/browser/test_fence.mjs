// The fence and what a watch floor is alerted to, on a real node: fence progress per sector
// with its history, a fence sensor's alarms as a banner whose count follows the sensor, the
// Fence view's alarm list and the navigation badge, the place of a clicked point and of an
// event in pillar terms (GET /api/v1/place), and a CRITICAL section marked on the map.
import { browserTest, assert, waitFor } from './lib.mjs';

await browserTest('console fence', async (t) => {
  const node = await t.node();
  const sensor = node.run('user', 'add', '--dir', node.dir, '--name', 'fence-gw-1', '--role', 'sensor').trim().split('\n').pop();
  await node.start();
  const asSensor = async (body) => {
    const res = await fetch(`${node.url}/api/v1/fence/alarms`, {
      method: 'POST', headers: { Authorization: `Bearer ${sensor}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body),
    });
    assert(res.status === 201 || res.status === 200, `alarm: ${res.status}`);
    return res.json();
  };
  // Fence progress on the northern sector (km 0-300, 10 km sections).
  await node.request('PATCH', '/api/v1/sections/1', { fence: 'COMPLETE' });
  await node.request('PATCH', '/api/v1/sections/2', { fence: 'UNDER_CONSTRUCTION', fence_km: 4, fence_due: '2027-06-30T00:00:00Z' });
  await node.request('PATCH', '/api/v1/sections/3', { fence: 'DAMAGED' });
  const fence = await node.request('GET', '/api/v1/fence');
  const north = fence.sides.PAK[0];

  const page = await t.page(node);
  await t.login(page, node);

  // A click on the map: the place in pillar terms, as the node says it.
  const pl = await node.request('GET', '/api/v1/place?pillar=12&offset_m=340&side=PAK&depth_m=150');
  const back = await node.request('GET', `/api/v1/place?lat=${pl.lat}&lon=${pl.lon}`);
  await page.evaluate(() => document.getElementById('map').scrollIntoView());
  const box = await page.locator('#map').boundingBox();
  await page.mouse.click(box.x + box.width / 2, box.y + box.height - 40);
  await page.waitForSelector('#map-details .place-text:has-text("pillar ")');
  const clicked = await page.textContent('#map-details .place-text');
  assert(/^pillar \d+ \+\d+ m, /.test(clicked), `place text: ${clicked}`);
  assert(await page.inputValue('#ev-lat') !== '', 'the click also set the report form position');

  // An event's details carry its place.
  const ev = await node.request('POST', '/api/v1/events', { category: 'SMUGGLING', impact: 'HIGH', lat: pl.lat, lon: pl.lon, title: 'Near pillar 12' });
  await page.click(`#event-list [data-id="${ev.id}"]`);
  await page.waitForSelector(`#map-details .place-text:has-text("${back.text}")`);
  await t.shot(page, 'console_place');

  // A fence alarm: a banner anywhere, its count following the sensor's reports.
  const a1 = await asSensor({ sensor: 'S-0412', kind: 'BREACH', chainage_km: 12.5 });
  const banner = page.locator(`.alarm-banner[data-event="${a1.id}"]`);
  await banner.waitFor();
  assert((await banner.textContent()).includes('S-0412'), 'the banner names the sensor');
  await asSensor({ sensor: 'S-0412', kind: 'BREACH', chainage_km: 12.6 });
  await page.waitForSelector(`.alarm-banner[data-event="${a1.id}"][data-count="2"] .count:has-text("×2")`);
  assert(await page.locator('.alarm-banner').count() === 1, 'one banner per alarm event');
  await page.waitForSelector(`#event-list [data-id="${a1.id}"] .count:has-text("×2")`);
  await page.waitForSelector('#badge-fence:not([hidden]):has-text("1")');
  await t.shot(page, 'console_fence_alarm');
  // "Show on map" selects it, with its count and place.
  await banner.locator('button.primary').click();
  await page.waitForSelector('#map-details :text("S-0412")');
  await page.waitForSelector('#map-details h3 .count:has-text("×2")');
  await page.waitForSelector('#map-details .place-text:has-text("pillar 3 ")');

  // The Fence view (Alt+4): progress per sector, the history, the alarms.
  await page.keyboard.press('Alt+4');
  await page.waitForSelector('#view-fence[data-ready="true"]');
  const row = page.locator('#fence-progress table[data-side="PAK"] tr[data-sector="northern"]');
  const share = `${(100 * north.share_complete).toFixed(1)}%`;
  assert((await row.locator('.share').textContent()) === share, `northern share ${share}`);
  assert(await row.locator('.seg.complete').count() === 1 && await row.locator('.seg.damaged').count() === 1, 'bar segments');
  assert(await page.locator('#fence-progress table[data-side="IRN"]').count() === 1, "the partner side's table");
  await page.waitForSelector('#fence-history [data-side="PAK"] svg.sparkline path.done');
  assert(await page.locator('#fence-history [data-side="PAK"] .hist-list li').count() === fence.history.PAK.length, 'one history row per change');
  await page.waitForSelector(`#alarm-list [data-id="${a1.id}"] .count:has-text("×2")`);
  // A second kind of alarm arrives while the view is open.
  const a2 = await asSensor({ sensor: 'S-0413', kind: 'SENSOR', pillar: 3, side: 'PAK', depth_m: 3000 });
  await page.waitForSelector(`#alarm-list [data-id="${a2.id}"]:has-text("SENSOR_ALARM")`);
  await page.waitForSelector('#badge-fence:has-text("2")');
  await t.shot(page, 'console_fence');
  // Keyboard: the alarm is a button; Enter on it opens the map on it.
  await page.focus(`#alarm-list [data-id="${a1.id}"]`);
  await page.keyboard.press('Enter');
  await page.waitForSelector('#view-map:not([hidden])');
  await page.waitForSelector('#map-details :text("S-0412")');
  // Escape dismisses the banners.
  while (await page.locator('#alerts > div').count()) await page.keyboard.press('Escape');

  // Closing the alarm removes its banner and lowers the badge.
  await page.keyboard.press('Alt+4');
  const closed = await fetch(`${node.url}/api/v1/events/${a2.id}`, {
    method: 'PATCH', headers: { Authorization: `Bearer ${node.token}`, 'Content-Type': 'application/json', 'If-Match': String(a2.version) },
    body: JSON.stringify({ status: 'CLOSED', close_reason: 'sensor checked' }),
  });
  assert(closed.ok, `closing the alarm: ${closed.status} ${await closed.text()}`);
  await waitFor(async () => (await page.textContent('#badge-fence')) === '1', 'the badge to count one open alarm');

  // A CRITICAL section: haloed on the map, named in its details.
  await node.request('PATCH', '/api/v1/sections/31', { impact: 'CRITICAL' });
  await page.keyboard.press('Alt+1');
  // (the map is zoomed in on the alarm at km 12: section 31 is drawn, off screen)
  await page.waitForSelector('path.critical-halo.critical-31', { state: 'attached' });
  await page.waitForSelector('path.section-31.critical', { state: 'attached' });
  await page.locator('path.section-31').dispatchEvent('click');
  await page.waitForSelector('#map-details .critical-note');
  await t.shot(page, 'console_map_critical');
});
