#!/usr/bin/env node
// The replay page in a real browser: node check-replay.js URL OUT_DIR. Loads the page naf view serves, plays the first
// episode through the Play button, pauses it, scrubs, picks the second episode, and writes OUT_DIR/arm.png (the paused
// frame) with OUT_DIR/result.json: what the page reported at each step, where it says the arm is drawn, and every
// console error, page error and failed request. The C# test (ReplayPageBrowserTests) judges the result and the pixels.
'use strict';
const fs = require('fs');
const path = require('path');
const { open, settle } = require('./browser');

async function main() {
  const [url, out] = process.argv.slice(2);
  if (!url || !out) throw new Error('usage: check-replay.js URL OUT_DIR');
  fs.mkdirSync(out, { recursive: true });
  const { page, problems, close } = await open(url, { width: 1280, height: 720 });
  const result = { problems };
  try {
    const state = () => page.evaluate(() => window.nafReplay && window.nafReplay.state());
    result.loaded = await state();
    if (!result.loaded) throw new Error(`the page did not start: ${await page.textContent('#error')}`);
    result.frames = result.loaded.frames;

    // A quarter of real time, so a slow machine still catches the episode playing before it ends.
    await page.selectOption('#speed', '0.25');
    await page.click('#play');
    await page.waitForFunction(() => window.nafReplay.state().frame >= 3, null, { timeout: 30_000 });
    result.playing = await state();

    await page.click('#play'); // pause
    result.paused = await state();
    await page.waitForTimeout(500);
    result.stillPaused = await state();

    await settle(page);
    result.armBox = await page.evaluate(() => window.nafReplay.armScreenBox());
    result.curvesBox = await page.evaluate(() => {
      const r = document.getElementById('curves').getBoundingClientRect();
      return { left: r.left, top: r.top, right: r.right, bottom: r.bottom };
    });
    await page.screenshot({ path: path.join(out, 'arm.png') });

    const middle = Math.floor((result.frames - 1) / 2);
    await page.$eval('#scrub', (el, v) => { el.value = String(v); el.dispatchEvent(new Event('input', { bubbles: true })); }, middle);
    result.scrubbedTo = middle;
    result.scrubbed = await state();

    await page.selectOption('#episode', '1');
    result.secondEpisode = await state();
  } finally {
    result.problems = problems;
    fs.writeFileSync(path.join(out, 'result.json'), JSON.stringify(result, null, 2));
    await close();
  }
}

main().catch((e) => {
  process.stderr.write(`check-replay: ${e.stack || e}\n`);
  process.exit(1);
});
