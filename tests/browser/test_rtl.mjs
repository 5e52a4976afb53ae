// Switching the console to Persian: <html lang=fa dir=rtl>, the navigation moves to the
// right-hand side, labels are Persian, and a template message is read in Persian (the node
// renders it with ?lang=fa). Back to English restores left-to-right. The template form is
// generated from GET /api/v1/templates.
import { browserTest, assert } from './lib.mjs';

await browserTest('console rtl', async (t) => {
  const [a] = await t.pair(); // the partner is pinned (node-to-node exists) but not started
  await a.start();
  const page = await t.page(a);
  await t.login(page, a);

  // A template message, composed with the generated form.
  await page.click('#nav-hotline');
  await page.waitForSelector('#view-hotline[data-ready="true"]');
  await page.selectOption('#c-mode', 'template');
  await page.selectOption('#c-template', 'incident_notification');
  await page.selectOption('#tf-category', 'FENCE_BREACH');
  await page.fill('#tf-time', '2026-11-28T09:30');
  await page.fill('#tf-chainage', '412.5');
  await page.fill('#tf-place', 'Pillar 162');
  await page.selectOption('#c-precedence', 'IMMEDIATE');
  await page.click('#c-send');
  const msg = page.locator('#message-list .msg.prec-IMMEDIATE').first();
  await msg.waitFor();
  assert((await msg.locator('.subject').textContent()).startsWith('Incident notification'), 'rendered in English');

  await page.selectOption('#lang', 'fa');
  await page.waitForFunction(() => document.documentElement.dir === 'rtl' && document.documentElement.lang === 'fa');
  await page.waitForSelector('#nav-hotline :text("خط ویژه")');
  // The node renders the template in Persian, right to left.
  await page.waitForFunction(() => {
    const s = document.querySelector('#message-list .msg.prec-IMMEDIATE .subject');
    return s && s.getAttribute('dir') === 'rtl' && /[\u0600-\u06FF]/.test(s.textContent);
  });
  const nav = await page.locator('nav.nav').boundingBox();
  const views = await page.locator('#views').boundingBox();
  assert(nav.x > views.x, `navigation on the right in RTL (nav x=${nav.x}, views x=${views.x})`);
  assert(await page.evaluate(() => getComputedStyle(document.querySelector('.msg')).direction) === 'rtl', 'messages laid out right to left');
  await t.shot(page, 'console_rtl_hotline');
  await page.click('#nav-map');
  await page.waitForSelector('#view-map:not([hidden])');
  await t.shot(page, 'console_rtl_map');

  // Persian survives a reload (the choice is kept), then English again.
  await page.reload();
  await page.waitForSelector('#map[data-ready="true"]');
  assert(await page.evaluate(() => document.documentElement.dir) === 'rtl', 'still RTL after reload');
  await page.selectOption('#lang', 'en');
  await page.waitForFunction(() => document.documentElement.dir === 'ltr');
  const nav2 = await page.locator('nav.nav').boundingBox();
  assert(nav2.x === 0, 'navigation back on the left');
});
