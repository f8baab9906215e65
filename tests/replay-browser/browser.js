// Debian's Chromium, headless, through playwright-core (which downloads no browser of its own). Flags known to work
// as root on a machine without a GPU: SwiftShader gives WebGL in software; nothing reaches the network but the page's
// own loopback server.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { chromium } = require('playwright-core');

const CHROMIUM = process.env.NAF_CHROMIUM || '/usr/bin/chromium';
const FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--use-angle=swiftshader', '--enable-unsafe-swiftshader',
];

/** Opens `url` in a fresh profile; returns { page, problems, close } where problems collects console errors, page
 * errors, failed requests and HTTP errors as strings. */
async function open(url, viewport) {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'naf-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, headless: true, args: FLAGS, viewport, deviceScaleFactor: 1, timeout: 60_000,
  });
  const problems = [];
  const page = context.pages()[0] || await context.newPage();
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console error: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure() && r.failure().errorText}`));
  page.on('response', (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`); });
  await page.goto(url, { waitUntil: 'load', timeout: 60_000 });
  await page.waitForFunction(() => (window.nafReplay && window.nafReplay.ready) || document.getElementById('error').hidden === false,
    null, { timeout: 60_000 });
  const close = async () => {
    await context.close();
    fs.rmSync(profile, { recursive: true, force: true });
  };
  return { page, problems, close };
}

/** Resolves once the page has drawn `frames` more animation frames (so a change shows in the next screenshot). */
function settle(page, frames = 3) {
  return page.evaluate((n) => new Promise((resolve) => {
    const step = () => (n-- <= 0 ? resolve() : requestAnimationFrame(step));
    requestAnimationFrame(step);
  }), frames);
}

module.exports = { open, settle, CHROMIUM };
