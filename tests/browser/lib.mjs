// Shared helpers for the browser journeys: start the real `commissioner` binary on a free
// port with a fresh demo, drive Debian's headless Chromium, and check pages with axe-core.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export const DEMO_PASSWORD = 'commissioner-demo';

/** Starts `commissioner demo` and resolves with its base URL once it is listening. */
export async function startDemo({ rows = 20000 } = {}) {
  const binary = process.env.COMMISSIONER_BIN;
  if (!binary) throw new Error('COMMISSIONER_BIN is not set: run the journeys with `cargo xtask test`');
  const dataDir = mkdtempSync(join(tmpdir(), 'commissioner-browser-'));
  // The real public data beside the repository is the needs assessment's benchmark.
  const sharedData = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'shared', 'data');
  const args = ['demo', '--data-dir', dataDir, '--rows', String(rows), '--bind', '127.0.0.1:0'];
  args.push('--reference-data', existsSync(sharedData) ? sharedData : 'none');
  const child = spawn(binary, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => { stderr += chunk; });
  const url = await new Promise((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => reject(new Error(`demo did not start in time\n${stderr}`)), 180000);
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      const match = stdout.match(/running at (http:\/\/[0-9.:]+)/);
      if (match) { clearTimeout(timer); resolve(match[1]); }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`demo exited with ${code}\n${stderr}`)); });
  });
  return {
    url,
    async stop() {
      child.kill('SIGINT');
      await new Promise((resolve) => child.once('exit', resolve));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Launches headless Chromium the way this machine allows, with a fresh profile. */
export async function launchBrowser() {
  const userDataDir = mkdtempSync(join(tmpdir(), 'commissioner-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-quic'],
    viewport: { width: 1280, height: 900 },
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** Opens a page that fails the test on console errors (CSP violations included). */
export async function newPage(context) {
  const page = await context.newPage();
  page.consoleErrors = [];
  page.on('console', (message) => { if (message.type() === 'error') page.consoleErrors.push(message.text()); });
  page.on('pageerror', (error) => page.consoleErrors.push(String(error)));
  return page;
}

export async function signIn(page, baseUrl, email) {
  await page.goto(`${baseUrl}/sign-in`);
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForLoadState('load');
}

/** Runs axe-core (WCAG 2.0–2.2 A and AA) and returns serious or critical violations. */
export async function seriousViolations(page) {
  await page.evaluate(AXE_SOURCE);
  const results = await page.evaluate(() => window.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
  }));
  return results.violations
    .filter((violation) => ['serious', 'critical'].includes(violation.impact))
    .map((violation) => `${violation.id} (${violation.impact}): ${violation.help} — ${violation.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

export function screenshotPath(name) {
  const dir = process.env.SCREENSHOT_DIR || join(process.cwd(), '..', '..', 'target', 'browser');
  mkdirSync(dir, { recursive: true });
  return join(dir, name);
}
