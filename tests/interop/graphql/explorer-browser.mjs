// The explorer page in a real browser: Debian's Chromium driven by playwright-core (which downloads no browser of its
// own; PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 is set all the same).
//   GRAPHQL_TOKEN=<token> CHROMIUM=/usr/bin/chromium node graphql/explorer-browser.mjs <explorer url> <screenshot.png> <expected text>
// Opens the page, pastes the token, runs the default query with GraphiQL's run button, waits until the response pane
// shows <expected text>, keeps a screenshot, and prints {response, requests, consoleErrors, pageErrors} as JSON: what
// the result pane shows, every URL the page asked for, what the console logged as an error, and uncaught exceptions.
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';

const [url, screenshot, expected] = process.argv.slice(2);
const token = process.env.GRAPHQL_TOKEN;
const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
if (!url || !screenshot || !expected || !token) {
  console.error('usage: GRAPHQL_TOKEN=<token> node graphql/explorer-browser.mjs <explorer url> <screenshot.png> <expected text>');
  process.exit(2);
}
if (!existsSync(executablePath)) {
  console.error(`no browser at ${executablePath}: apt-get install -y chromium (tools/test.sh does)`);
  process.exit(3);
}

// --no-sandbox: the tests run as root in CI, where Chromium's sandbox will not start.
const browser = await chromium.launch({ executablePath, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const requests = [];
  const consoleErrors = [];
  const pageErrors = [];
  page.on('request', r => requests.push(r.url()));
  page.on('console', m => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  page.on('pageerror', e => pageErrors.push(String(e)));

  await page.goto(url, { waitUntil: 'load', timeout: 120_000 });
  await page.locator('#token').fill(token);
  const run = page.locator('.graphiql-execute-button');
  await run.waitFor({ state: 'visible', timeout: 120_000 });
  await run.click();
  // The response pane is a CodeMirror editor that draws only the lines in view: read its whole text from the editor.
  // (Functions, not strings: the page's Content-Security-Policy forbids eval, and Playwright honours it.)
  const shown = () => {
    const editor = document.querySelector('.graphiql-response .CodeMirror');
    return editor && editor.CodeMirror ? editor.CodeMirror.getValue() : '';
  };
  try {
    await page.waitForFunction(text => {
      const editor = document.querySelector('.graphiql-response .CodeMirror');
      return !!editor && !!editor.CodeMirror && editor.CodeMirror.getValue().includes(text);
    }, expected, { timeout: 120_000 });
  } finally {
    await page.screenshot({ path: screenshot });
  }
  process.stdout.write(JSON.stringify({ response: await page.evaluate(shown), requests, consoleErrors, pageErrors }));
} finally {
  await browser.close();
}
