// A FLASH sent from PK-SOUTH's console arrives on IR-EAST's console with a banner and a sound,
// is acknowledged there (WILCO), and the acknowledgement shows back on PK-SOUTH's console
// with its time; the receipt (delivered) shows too.
import { browserTest, assert } from './lib.mjs';

await browserTest('console flash', async (t) => {
  const [a, b] = await t.pair();
  await b.start();
  await a.start();
  await a.waitLink('up');
  const pa = await t.page(a);
  const pb = await t.page(b);
  await t.login(pa, a);
  await t.login(pb, b);
  await pa.waitForSelector('#link-state[data-state="up"]');

  // Compose on A: node-to-node, FLASH, free text.
  await pa.click('#nav-hotline');
  await pa.waitForSelector('#view-hotline[data-ready="true"]');
  await pa.waitForSelector('.channel[data-channel="node-to-node"][aria-pressed="true"]');
  await pa.selectOption('#c-precedence', 'FLASH');
  await pa.fill('#c-subject', 'Armed group crossing');
  await pa.fill('#c-body', 'Armed group of 8 moving west near pillar 162.');
  await pa.click('#c-send');
  const sent = pa.locator('#message-list .msg.prec-FLASH').first();
  await sent.waitFor();
  const id = await sent.getAttribute('data-id');
  assert(id.startsWith('PK-SOUTH:node-to-node:'), `message id ${id}`);

  // B: the banner, with the beep, on whatever view is open (the map).
  const banner = pb.locator(`.flash-banner[data-message="${id}"]`);
  await banner.waitFor();
  assert((await banner.textContent()).includes('Armed group crossing'), 'the banner shows the subject');
  assert(Number(await pb.evaluate(() => document.body.dataset.beeps || 0)) >= 3, 'the FLASH beeped');
  await t.shot(pb, 'console_flash_banner');
  await banner.locator('button.primary').click();
  await pb.waitForSelector('#view-hotline:not([hidden])');
  const rx = pb.locator(`#message-list .msg[data-id="${id}"]`);
  await rx.waitFor();
  assert(await rx.getAttribute('data-state') === 'received', 'B sees it received');
  await rx.locator('.remark').fill('blocking at pillar 162');
  await rx.locator('button[data-ack="WILCO"]').click();
  await pb.waitForSelector(`#message-list .msg[data-id="${id}"][data-state="acknowledged"]`);

  // A: delivered, then acknowledged WILCO with B's remark and time.
  const back = pa.locator(`#message-list .msg[data-id="${id}"][data-state="acknowledged"]`);
  await back.waitFor();
  const ack = await back.locator('dd.ack').textContent();
  assert(ack.includes('WILCO') && ack.includes('blocking at pillar 162') && /\d\d:\d\d:\d\dZ/.test(ack), `ack shown with its time: ${ack}`);
  assert(/\d\d:\d\d:\d\dZ/.test(await back.locator('dd.delivered').textContent()), 'delivery time shown');
  await t.shot(pa, 'console_flash_acknowledged');
  await t.shot(pb, 'console_flash_receiver');
});
