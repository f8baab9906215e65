#!/usr/bin/env node
// A screenshot of the replay page for README: node screenshot.js URL OUT.png [--episode N|best] [--at FRACTION] [--scene-only].
// Shows episode N (default: the one with the highest return) paused at FRACTION of its length (default 0.6); with
// --scene-only, only the 3D view (no header, panel or controls).
'use strict';
const { open, settle } = require('./browser');

async function main() {
  const args = process.argv.slice(2);
  const [url, out] = args;
  const option = (name, fallback) => (args.indexOf(name) >= 0 ? args[args.indexOf(name) + 1] : fallback);
  if (!url || !out) throw new Error('usage: screenshot.js URL OUT.png [--episode N|best] [--at FRACTION]');
  const at = Number(option('--at', '0.6'));
  if (!(at >= 0 && at <= 1)) throw new Error(`--at ${option('--at')}: give a fraction of the episode, 0 to 1`);
  const { page, problems, close } = await open(url, { width: 1280, height: 720 });
  try {
    const episodes = await page.$$eval('#episode option', (options) => options.map((o) => o.textContent));
    let episode = option('--episode', 'best');
    if (episode === 'best') {
      const returns = episodes.map((text) => Number(text.match(/return (-?[0-9.]+)/)[1]));
      episode = String(returns.indexOf(Math.max(...returns)));
    }
    await page.selectOption('#episode', episode);
    const frames = await page.evaluate(() => window.nafReplay.state().frames);
    const frame = Math.round(at * (frames - 1));
    await page.$eval('#scrub', (el, v) => { el.value = String(v); el.dispatchEvent(new Event('input', { bubbles: true })); }, frame);
    await settle(page, 5);
    if (args.includes('--scene-only')) await page.locator('#viewport').screenshot({ path: out });
    else await page.screenshot({ path: out });
    if (problems.length) throw new Error(`the page reported problems:\n${problems.join('\n')}`);
    process.stdout.write(`${out}: episode ${Number(episode) + 1} of ${episodes.length}, frame ${frame} of ${frames - 1}\n`);
  } finally {
    await close();
  }
}

main().catch((e) => {
  process.stderr.write(`screenshot: ${e.stack || e}\n`);
  process.exit(1);
});
