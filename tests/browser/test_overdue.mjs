// A FLASH that nobody acknowledges goes overdue on the node's test clock: the node escalates
// it, and the console shows the overdue alarm, marks the message and counts it on the
// navigation. The partner is down all along, so the console also shows the link down banner
// and the message waiting in the queue.
import { browserTest, assert } from './lib.mjs';

await browserTest('console overdue', async (t) => {
  const [a] = await t.pair({ testClock: true }); // IR-EAST is pinned but never started
  await a.start();
  const page = await t.page(a);
  await t.login(page, a);
  await page.waitForSelector('#link-state[data-state="down"]');

  await page.click('#nav-hotline');
  await page.waitForSelector('#view-hotline[data-ready="true"]');
  await page.selectOption('#c-precedence', 'FLASH');
  await page.fill('#c-subject', 'Firing heard at km 212');
  await page.fill('#c-body', 'Firing heard near km 212, request information.');
  await page.click('#c-send');
  const msg = page.locator('#message-list .msg.prec-FLASH').first();
  await msg.waitFor();
  const id = await msg.getAttribute('data-id');
  assert(!(await msg.getAttribute('class')).includes('overdue'), 'not overdue when sent');

  // Ten minutes and a second later on the node's clock.
  const now = await a.request('POST', '/api/v1/test/clock', { advance_s: 601 });
  assert(now.now, 'the test clock answers the time');
  await page.waitForSelector(`.overdue-banner[data-message="${id}"]`);
  await page.waitForSelector(`#message-list .msg.overdue[data-id="${id}"] .overdue-tag`);
  await page.waitForSelector(`#message-list .msg[data-id="${id}"] dd.escalated`);
  await page.waitForSelector('#overdue-bar:not([hidden])');
  assert(await page.textContent('#badge-hotline') === '1', 'the navigation counts one overdue message');
  await t.shot(page, 'console_overdue');

  // The link view: down, and the FLASH waiting for the partner.
  await page.click('#nav-links');
  await page.waitForSelector('#links-down:not([hidden])');
  await page.waitForSelector(`#link-queue :text("${id}")`);
  await page.waitForSelector('#link-state:has-text("1 queued")'); // polled every 5 s
  await t.shot(page, 'console_link_down');
});
