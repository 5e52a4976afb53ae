// The patrol board and the map's patrol layers against the patrol API's documented shapes.
// The browser's requests for the patrol, coverage and landmark routes are answered by the
// test (playwright's page.route), so the console is checked even on a node built without
// those routes; every other request goes to the real node.
import { browserTest, assert } from './lib.mjs';

const H = 3600e3;

await browserTest('console patrols', async (t) => {
  const node = await t.node();
  await node.start();
  const page = await t.page(node);
  const posted = [];
  const t0 = Math.floor(Date.now() / H) * H;
  const iso = (ms) => new Date(ms).toISOString();
  const json = (route, doc) => route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(doc) });
  const cell = (own, partner, both) => ({ own_min: own, partner_min: partner, both_min: both, longest_gap_min: 60 - own - partner + both });

  await page.route('**/api/v1/console', async (route) => {
    const res = await route.fetch();
    const doc = await res.json();
    doc.routes.push('GET /api/v1/patrols', 'POST /api/v1/patrols', 'POST /api/v1/patrols/plan', 'GET /api/v1/coverage',
      'GET /api/v1/coverage/gaps', 'GET /api/v1/border/landmarks');
    await json(route, doc);
  });
  await page.route('**/api/v1/border/landmarks', (route) => json(route, {
    pillars: [{ n: 161, km: 120.2, lat: 28.95, lon: 61.62 }, { n: 162, km: 121.0, lat: 28.94, lon: 61.63 }],
    sectors: [{ name: 'Taftan', from_km: 100, to_km: 200 }],
    crossings: [{ name: 'Taftan-Mirjaveh', km: 128.0, lat: 28.98, lon: 61.60 }],
  }));
  await page.route('**/api/v1/coverage?*', (route) => json(route, {
    from: iso(t0), to: iso(t0 + 4 * H), step: 3600, buckets: [0, 1, 2, 3].map((i) => iso(t0 + i * H)),
    sections: [
      { id: 1, from_km: 0, to_km: 10, impact: 'HIGH', cells: [cell(60, 60, 60), cell(60, 0, 0), cell(0, 60, 0), cell(0, 0, 0)] },
      { id: 2, from_km: 10, to_km: 20, impact: 'LOW', cells: [cell(0, 0, 0), cell(0, 0, 0), cell(60, 60, 30), cell(60, 0, 0)] },
    ],
  }));
  await page.route('**/api/v1/coverage/gaps?*', (route) => json(route, {
    gaps: [{ section: 1, from_km: 0, to_km: 10, impact: 'HIGH', start: iso(t0 + 3 * H), end: iso(t0 + 4 * H), minutes: 60, score: 3 }],
  }));
  await page.route('**/api/v1/patrols?*', (route) => json(route, {
    patrols: [{ id: 'p-1', side: 'PAK', units: ['PK-FC-101'], from_km: 0, to_km: 10, start: iso(t0), end: iso(t0 + 2 * H),
      kind: 'COORDINATED', status: 'PLANNED', pairing: [{ id: 'q-9', from_km: 0, to_km: 10, start: iso(t0), end: iso(t0 + 2 * H) }] }],
  }));
  await page.route('**/api/v1/patrols/plan', (route) => {
    posted.push(['plan', route.request().postDataJSON()]);
    return json(route, { proposal: [{ units: ['PK-FC-102'], from_km: 10, to_km: 20, start: iso(t0 + H), end: iso(t0 + 3 * H), kind: 'REGULAR' },
      { units: ['PK-FC-103'], from_km: 20, to_km: 30, start: iso(t0 + H), end: iso(t0 + 3 * H), kind: 'REGULAR' }],
    value: 2, bound: 2, gap_pct: 0, exact: true, seed: 7 });
  });
  await page.route('**/api/v1/patrols', (route) => {
    posted.push(['patrol', route.request().postDataJSON()]);
    return route.fulfill({ status: 201, contentType: 'application/json', body: '{"id":"p-2"}' });
  });

  await t.login(page, node);
  await page.waitForSelector('path.patrol');
  await page.waitForSelector('path.gap');
  assert(await page.locator('path.pillar').count() === 2, 'two pillars on the map');
  await page.waitForSelector('path.crossing');
  await page.waitForSelector('.sector-tip:has-text("Taftan")');
  await t.shot(page, 'console_map_patrols');

  await page.click('#nav-patrols');
  await page.waitForSelector('#timeline .tl-row[data-section="2"]');
  const classes = await page.$$eval('#timeline .tl-row[data-section="1"] .cell', (cs) => cs.map((c) => c.className));
  assert(JSON.stringify(classes) === JSON.stringify(['cell both', 'cell own', 'cell partner', 'cell gap']), `cells: ${classes}`);
  await page.waitForSelector('#gap-list :text("60 min")');
  await page.waitForSelector('#patrol-list [data-id="p-1"] :text("q-9")');

  // The planner: propose, change the first proposal, accept it; discard the second.
  await page.click('#view-patrols details:not([open]) summary');
  await page.fill('#plan-form [name=units]', 'PK-FC-102, PK-FC-103');
  await page.click('#plan-form button[type=submit]');
  await page.waitForSelector('#proposals .proposal >> nth=1');
  const firstProposal = page.locator('#proposals .proposal').first();
  await firstProposal.locator('input').nth(1).fill('25');
  await firstProposal.locator('button.primary').click();
  await page.waitForFunction(() => document.querySelectorAll('#proposals .proposal').length === 1);
  await page.locator('#proposals .proposal button:not(.primary)').click();
  await page.waitForFunction(() => document.querySelectorAll('#proposals .proposal').length === 0);
  const plan = posted.find((p) => p[0] === 'plan')[1];
  assert(plan.units.length === 2 && plan.units[0].uid === 'PK-FC-102' && plan.objective === 'coverage', `plan request ${JSON.stringify(plan)}`);
  const accepted = posted.filter((p) => p[0] === 'patrol').map((p) => p[1]);
  assert(accepted.length === 1 && accepted[0].to_km === 25 && accepted[0].units[0] === 'PK-FC-102', `accepted ${JSON.stringify(accepted)}`);

  // A patrol from the form.
  await page.fill('#patrol-form [name=units]', 'PK-FC-104');
  await page.fill('#patrol-form [name=from_km]', '40');
  await page.fill('#patrol-form [name=to_km]', '55');
  await page.selectOption('#patrol-form [name=kind]', 'JOINT_NIGHT');
  await page.click('#patrol-form button[type=submit]');
  const added = await (async () => { for (let i = 0; i < 50; i++) { const p = posted.filter((x) => x[0] === 'patrol'); if (p.length === 2) return p[1][1]; await new Promise((r) => setTimeout(r, 100)); } return null; })();
  assert(added && added.kind === 'JOINT_NIGHT' && added.from_km === 40 && added.to_km === 55 && added.start && added.end, `form patrol ${JSON.stringify(added)}`);
  await t.shot(page, 'console_patrol_board');
});
