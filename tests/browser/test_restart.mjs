// Stop the node under an open console and start it again: the console shows that the node is
// unreachable, reconnects by itself, and resumes the stream with Last-Event-ID, so an entry
// made while it was away (by `sarhad user add`, straight into the database) and one made
// after the restart both reach it, and nothing is seen twice.
import { browserTest, assert, waitFor } from './lib.mjs';

await browserTest('console restart', async (t) => {
  const node = await t.node();
  await node.start();
  const page = await t.page(node);
  await t.login(page, node);
  // Listen on the console's own bus (the same module instance the page uses).
  await page.evaluate(async () => {
    const bus = await import('/assets/bus.js');
    window.seenSeqs = [];
    bus.on('', (e) => window.seenSeqs.push(e.seq));
  });
  const first = await node.request('POST', '/api/v1/events', { category: 'OTHER', lat: 27.5, lon: 62.9, title: 'before the restart' });
  await page.waitForSelector(`#event-list [data-id="${first.id}"]`);

  t.allowNetworkErrors = true;
  await node.stop();
  await page.waitForSelector('#stream-state[data-state="down"]');
  node.run('user', 'add', '--dir', node.dir, '--name', 'watch-officer', '--role', 'commander');
  await t.shot(page, 'console_restart_down');
  await node.start();
  await page.waitForSelector('#stream-state[data-state="live"]');
  t.allowNetworkErrors = false;

  const after = await node.request('POST', '/api/v1/events', { category: 'SMUGGLING', impact: 'HIGH', lat: 26.5, lon: 62.3, title: 'after the restart' });
  await page.waitForSelector(`#event-list [data-id="${after.id}"]`);
  const head = (await node.request('GET', '/api/v1/health')).journal_seq;
  const seen = await waitFor(async () => {
    const s = await page.evaluate(() => window.seenSeqs);
    return s.includes(head) ? s : null;
  }, 'the console to reach the journal head');
  const from = seen[0];
  const expected = Array.from({ length: head - from + 1 }, (_, i) => from + i);
  assert(JSON.stringify(seen) === JSON.stringify(expected), `every entry once, in order: saw ${seen}, expected ${expected}`);
  const users = node.run('journal', '--dir', node.dir).split('\n').filter((l) => l.includes('"user.add"') && l.includes('watch-officer'));
  assert(users.length === 1 && seen.includes(JSON.parse(users[0]).seq), 'the entry made while the console was away arrived');
  await t.shot(page, 'console_restart_recovered');
});
