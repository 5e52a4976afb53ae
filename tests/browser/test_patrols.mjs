// The patrol board and the map's patrol layers on two real linked nodes: patrols created
// through the API on both sides (one coordinated pair, one national patrol), the board's
// own/partner/both/gap cells from the real coverage, the pairing, adherence flags, the planner
// asked from the console and its proposal accepted (checked through the API), a patrol
// cancelled from the board, and pillars, crossings, sectors, patrols and gaps on the map.
import { browserTest, assert, waitFor } from './lib.mjs';

const H = 3600e3;

await browserTest('console patrols', async (t) => {
  const [a, b] = await t.pair();
  await a.start();
  await b.start();
  await a.waitLink('up');
  const t0 = Math.floor(Date.now() / H) * H;
  const iso = (ms) => new Date(ms).toISOString();
  const day = `from=${encodeURIComponent(iso(t0 - 2 * H))}&to=${encodeURIComponent(iso(t0 + 24 * H))}`;

  // PAK km 120-145 from an hour ago for six hours; IRN km 130-160 from this hour for six:
  // sections 13 (120-130) own only, 14-15 both, 16 (150-160) partner only.
  const pa = await a.request('POST', '/api/v1/patrols', { units: ['PK-FC-101'], from_km: 120, to_km: 145,
    start: iso(t0 - H), end: iso(t0 + 5 * H), kind: 'COORDINATED' });
  const pb = await b.request('POST', '/api/v1/patrols', { units: ['IR-BG-201'], from_km: 130, to_km: 160,
    start: iso(t0), end: iso(t0 + 6 * H), kind: 'COORDINATED' });
  const reg = await a.request('POST', '/api/v1/patrols', { units: ['PK-FC-103'], from_km: 300, to_km: 330,
    start: iso(t0), end: iso(t0 + 4 * H), kind: 'REGULAR', national: true });
  assert(reg.notice === 'NATIONAL', `national patrol: ${JSON.stringify(reg)}`);
  await waitFor(async () => (await a.request('GET', `/api/v1/patrols?${day}`)).patrols.some((p) => p.id === pb.id), "B's patrol on A");
  // A section made CRITICAL, and PK-FC-101 reporting far off its stretch (pillar 61 = km 300).
  await a.request('PATCH', '/api/v1/sections/5', { impact: 'CRITICAL' });
  const far = await a.request('GET', '/api/v1/place?pillar=61');
  await a.request('POST', '/api/v1/units/PK-FC-101/position', { lat: far.lat, lon: far.lon, callsign: 'Taftan-1' });
  await waitFor(async () => (await a.request('GET', '/api/v1/patrols/adherence')).flags.some((f) => f.kind === 'OUTSIDE_STRETCH'), 'an adherence flag');

  const page = await t.page(a);
  await t.login(page, a);

  // The map: patrol stretches on both sides, the worst gaps, pillars (shown when zoomed in),
  // the three crossings and the three sectors of the real line, the CRITICAL section haloed.
  await page.waitForSelector('path.patrol.own');
  await page.waitForSelector('path.patrol.partner');
  await page.waitForSelector('path.gap');
  const lm = await a.request('GET', '/api/v1/border/landmarks');
  assert(await page.locator('path.pillar').count() === lm.pillars.length, 'every pillar on the map');
  assert(await page.locator('path.crossing').count() === lm.crossings.length, 'every crossing on the map');
  for (const s of lm.sectors) await page.waitForSelector(`.sector-tip:has-text("${s.name}")`);
  await page.waitForSelector('path.critical-halo.critical-5');
  assert(await page.isHidden('path.pillar >> nth=0'), 'pillars hidden at the whole-line zoom');
  await t.shot(page, 'console_map_patrols');
  // A patrol's details name the pairing.
  await page.locator(`path.patrol-${pa.id}`).dispatchEvent('click');
  await page.waitForSelector('#map-details :text("IRN COORDINATED km 130.0–160.0")');

  // The board: cells from the real coverage, from this hour on (set explicitly: the hour may
  // have turned since t0).
  await page.click('#nav-patrols');
  await page.waitForSelector('#view-patrols[data-ready="true"]');
  await page.fill('#pat-from', iso(t0).slice(0, 16));
  await page.fill('#pat-to', iso(t0 + 24 * H).slice(0, 16));
  await page.click('#view-patrols .toolbar button');
  await page.waitForSelector('#timeline .tl-row[data-section="16"]');
  const cells = async (sid) => page.$$eval(`#timeline .tl-row[data-section="${sid}"] .cell`, (cs) => cs.map((c) => c.className.replace('cell ', '')));
  const c13 = await cells(13);
  const c14 = await cells(14);
  const c16 = await cells(16);
  assert(c13.slice(0, 6).join() === 'own,own,own,own,own,gap', `section 13: ${c13}`);
  assert(c14.slice(0, 7).join() === 'both,both,both,both,both,partner,gap', `section 14: ${c14}`);
  assert(c16.slice(0, 7).join() === 'partner,partner,partner,partner,partner,partner,gap', `section 16: ${c16}`);
  assert((await cells(1)).every((c) => c === 'gap'), 'section 1 is a gap all day');
  await page.waitForSelector('#timeline .tl-row.impact-CRITICAL[data-section="5"] .imp-tag');
  await page.waitForSelector('#timeline .tl-sector:has-text("northern")');
  // The worst gap is the CRITICAL section's.
  assert(await page.getAttribute('#gap-list tbody tr >> nth=0', 'data-section') === '5', 'the CRITICAL gap first');
  // The pairing on both patrols of the pair, and the adherence flag.
  await page.waitForSelector(`#patrol-list [data-id="${pa.id}"] .pairing[data-pair="${pb.id}"]`);
  await page.waitForSelector(`#patrol-list [data-id="${pb.id}"] .pairing[data-pair="${pa.id}"]`);
  assert(await page.locator(`#patrol-list [data-id="${reg.id}"] .pairing`).count() === 0, 'the national patrol has no pairing');
  await page.waitForSelector(`#adherence-list .flag-OUTSIDE_STRETCH[data-patrol="${pa.id}"]:has-text("PK-FC-101")`);
  await t.shot(page, 'console_patrol_board');

  // The planner: propose for one unit on km 400-480, accept the first proposal as it is.
  await page.click('#planner summary');
  await page.fill('#plan-form [name=units]', 'PK-FC-201');
  await page.fill('#plan-form [name=min_km]', '400');
  await page.fill('#plan-form [name=max_km]', '480');
  await page.fill('#plan-form [name=max_shifts]', '1');
  await page.click('#plan-form button[type=submit]');
  await page.waitForSelector('#proposals .proposal', { timeout: 60000 });
  await page.waitForSelector('#proposals .plan-summary:has-text("seed")');
  await t.shot(page, 'console_planner');
  const n = await page.locator('#proposals .proposal').count();
  await page.locator('#proposals .proposal button.accept').first().click();
  await page.waitForFunction((k) => document.querySelectorAll('#proposals .proposal').length === k - 1, n);
  const planned = await waitFor(async () => (await a.request('GET', `/api/v1/patrols?${day}`)).patrols
    .find((p) => (p.units || []).includes('PK-FC-201')), 'the accepted proposal as a patrol');
  assert(planned.from_km >= 400 && planned.to_km <= 480 && planned.side === 'PAK', `accepted ${JSON.stringify(planned)}`);
  await page.waitForSelector(`#patrol-list [data-id="${planned.id}"]`);

  // A patrol from the form.
  await page.click('#add-patrol summary');
  await page.fill('#patrol-form [name=units]', 'PK-FC-104');
  await page.fill('#patrol-form [name=from_km]', '40');
  await page.fill('#patrol-form [name=to_km]', '55');
  await page.selectOption('#patrol-form [name=kind]', 'JOINT_NIGHT');
  await page.click('#patrol-form button[type=submit]');
  const added = await waitFor(async () => (await a.request('GET', `/api/v1/patrols?${day}`)).patrols
    .find((p) => (p.units || []).includes('PK-FC-104')), 'the form patrol');
  assert(added.kind === 'JOINT_NIGHT' && added.from_km === 40 && added.to_km === 55, `form patrol ${JSON.stringify(added)}`);

  // Cancel the national patrol from the board: two clicks (the first asks to confirm).
  const cancel = page.locator(`#patrol-list [data-id="${reg.id}"] button.cancel`);
  await cancel.click();
  await page.waitForSelector(`#patrol-list [data-id="${reg.id}"] button.cancel.confirm`);
  await cancel.click();
  await waitFor(async () => (await a.request('GET', `/api/v1/patrols/${reg.id}`)).status === 'CANCELLED', 'the cancellation');
  await page.waitForSelector(`#patrol-list [data-id="${reg.id}"].status-CANCELLED`);
  // B's own patrol is not ours to cancel.
  assert(await page.locator(`#patrol-list [data-id="${pb.id}"] button.cancel`).count() === 0, "no cancel on the partner's patrol");
  await t.shot(page, 'console_patrol_board_after');

  // B's board sees the pair the other way round.
  const pageB = await t.page(b);
  await t.login(pageB, b);
  await pageB.click('#nav-patrols');
  await pageB.waitForSelector('#view-patrols[data-ready="true"]');
  await pageB.fill('#pat-from', iso(t0).slice(0, 16));
  await pageB.click('#view-patrols .toolbar button');
  await pageB.waitForSelector('#timeline .tl-row[data-section="13"]');
  const b13 = await pageB.$$eval('#timeline .tl-row[data-section="13"] .cell', (cs) => cs.map((c) => c.className.replace('cell ', '')));
  assert(b13.slice(0, 5).join() === 'partner,partner,partner,partner,partner', `B's section 13: ${b13}`);
  await pageB.waitForSelector(`#patrol-list [data-id="${pa.id}"] .pairing[data-pair="${pb.id}"]`);
  await t.shot(pageB, 'console_patrol_board_partner');
});
