// Drives the lineage page in Debian's Chromium (never a downloaded browser)
// the way a person would, and prints what it saw as one JSON object for
// tests/web_ui_test.cc to judge:
//
//   node page_test.js BASE_URL URI HOPS EXECUTION_ID SCREENSHOT.png [PREFIX...]
//
// It searches each PREFIX (URI prefix match) and reads every page of
// results, opens #artifact=0 (there is none) and #execution=x1 (not an id)
// and reads the errors shown,
// then searches URI (exact match), opens the one result, draws its lineage
// with HOPS hops, reads the nodes drawn, the properties and the audit
// section, saves a screenshot, then clicks the node of execution
// EXECUTION_ID and reads the view that opens.
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const {chromium} = require('playwright-core');

const [baseUrl, uri, hops, executionId, screenshot, ...prefixes] =
    process.argv.slice(2);

// The view is rendered when the page says it finished the hash it shows.
async function waitForView(page, hash) {
  await page.waitForFunction(
      (want) => location.hash === want && document.body.dataset.rendered === want,
      hash, {timeout: 15000});
}

// Submits the search form and waits until its results are shown.
async function search(page, match, text) {
  const before = await page.evaluate(() => Number(document.body.dataset.searches || 0));
  await page.selectOption('#search-match', match);
  await page.fill('#search-uri', text);
  await page.click('#search-form button[type=submit]');
  await page.waitForFunction(
      (n) => Number(document.body.dataset.searches || 0) > n, before);
}

function resultUris(page) {
  return page.$$eval('#result-list a', (links) => links.map((a) => a.textContent));
}

function rows(page, selector) {
  return page.$$eval(selector, (trs) => trs.map(
      (tr) => [...tr.children].map((cell) => cell.textContent.trim())));
}

async function main() {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'mlmdx_web_ui_'));
  // Kept off the network and out of any user's profile; as root Chromium
  // needs --no-sandbox.
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.MLMDX_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    viewport: {width: 1400, height: 1000},
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update',
           '--disable-sync'],
  });
  const out = {console_errors: []};
  try {
    const page = context.pages()[0] || await context.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error') out.console_errors.push(message.text());
    });
    page.on('pageerror', (error) => out.console_errors.push(String(error)));
    await page.goto(`${baseUrl}/`);
    await waitForView(page, '');

    out.prefix_searches = {};
    for (const prefix of prefixes) {
      await search(page, 'prefix', prefix);
      const pages = [await resultUris(page)];
      while (await page.isVisible('#next-page')) {
        const before = await page.evaluate(() => Number(document.body.dataset.searches));
        await page.click('#next-page');
        await page.waitForFunction((n) => Number(document.body.dataset.searches) > n, before);
        pages.push((await resultUris(page)).slice(pages.flat().length));
      }
      out.prefix_searches[prefix] = pages;
    }

    await page.goto(`${baseUrl}/#artifact=0`);
    await waitForView(page, '#artifact=0');
    out.missing_error = await page.textContent('#error');
    out.missing_error_visible = await page.isVisible('#error');
    await page.goto(`${baseUrl}/#execution=x1`);
    await waitForView(page, '#execution=x1');
    out.bad_id_error = await page.textContent('#error');

    await search(page, 'exact', uri);
    out.results = await resultUris(page);

    const first = await page.getAttribute('#result-list a', 'href');
    await page.click('#result-list a');
    await waitForView(page, first);
    await page.fill('#lineage-hops', hops);
    await page.selectOption('#lineage-direction', 'BIDIRECTIONAL');
    await page.click('#lineage-draw');
    const lineageHash = `${first}&hops=${hops}&direction=BIDIRECTIONAL`;
    await waitForView(page, lineageHash);

    out.error = (await page.isVisible('#error')) ? await page.textContent('#error') : '';
    out.title = await page.textContent('#node-title');
    out.properties = await rows(page, '#node-properties tr');
    out.producer = await page.textContent('#producer');
    out.nodes = await page.$$eval('#graph g.node', (groups) => groups.map((g) => ({
      kind: g.dataset.kind,
      id: Number(g.dataset.id),
      label: g.querySelector('text.label').textContent,
    })));
    out.edges = await page.$$eval('#graph path.edge', (paths) => paths.length);
    out.audit_visible = await page.isVisible('#audit');
    out.audit_datasets = await rows(page, '#audit-datasets tr:has(td)');
    out.audit_executions = await rows(page, '#audit-executions tr.audit-execution');
    out.audit_runs = await page.$$eval('#audit-runs li',
                                       (items) => items.map((li) => li.textContent));
    await page.screenshot({path: screenshot, fullPage: true});

    await page.click(`#graph g.node[data-kind=execution][data-id="${executionId}"]`);
    const executionHash = `#execution=${executionId}&hops=${hops}&direction=BIDIRECTIONAL`;
    await waitForView(page, executionHash);
    out.clicked = {
      hash: await page.evaluate(() => location.hash),
      title: await page.textContent('#node-title'),
      events: await rows(page, '#events tr:has(td)'),
      start_outlined: await page.$$eval(
          '#graph g.node', (groups) => groups.filter((g) => g.firstChild.getAttribute('stroke') === '#c0392b')
                                           .map((g) => `${g.dataset.kind}:${g.dataset.id}`)),
    };
  } finally {
    await context.close();
    fs.rmSync(profile, {recursive: true, force: true});
  }
  process.stdout.write(JSON.stringify(out) + '\n');
}

main().catch((error) => {
  process.stderr.write(`${error.stack || error}\n`);
  process.exit(1);
});
