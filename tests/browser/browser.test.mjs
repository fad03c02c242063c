// Browser tests: the real followup binary (FOLLOWUP_BIN) serving the demo on port 0, driven
// through headless Chromium (Debian's /usr/bin/chromium) with playwright-core. Each step saves
// a screenshot to SCREENSHOTS (target/screenshots by default), on a desktop and a phone viewport;
// the layout test keeps one of every page per width in SCREENSHOTS/pages/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const BIN = process.env.FOLLOWUP_BIN;
const SHOTS = process.env.SCREENSHOTS || 'target/screenshots';
const FIXTURE = process.env.LINKEDIN_FIXTURE;
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const servers = [];
let base, browser, page, phone;

async function shot(p, name) {
  await p.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

// The address a `followup serve` just started prints, once it listens; it is stopped after
// the tests.
function addressOf(proc) {
  servers.push(proc);
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no address from followup serve: ${out}`)), 20000);
    proc.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/at (http:\/\/127\.0\.0\.1:\d+)/);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    proc.on('exit', (code) => reject(new Error(`followup serve exited ${code}: ${out}`)));
  });
}

// Serves a fresh demo, pinned to the same day, from a database of its own: each caller gets a
// server whose data no other test has changed.
async function serveDemo() {
  const dir = mkdtempSync(join(tmpdir(), 'followup-browser-'));
  const proc = spawn(BIN, ['--db', join(dir, 'web.db'), '--today', '2026-11-23', 'serve', '--demo', '--port', '0'], {
    env: { ...process.env, XDG_CONFIG_HOME: dir },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return addressOf(proc);
}

before(async () => {
  assert.ok(BIN, 'FOLLOWUP_BIN names the followup binary');
  mkdirSync(SHOTS, { recursive: true });
  base = await serveDemo();
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic'],
  });
  page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  phone = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
});

after(async () => {
  if (browser) await browser.close();
  for (const s of servers) s.kill('SIGINT');
});

test('Today shows the demo agenda with its why', async () => {
  await page.goto(base + '/');
  await assert.doesNotReject(page.getByRole('heading', { name: /Today, Mon 23 Nov/ }).waitFor());
  const text = await page.textContent('main');
  assert.match(text, /your interview on 23 Nov: a thank-you note within 1 day/);
  assert.match(text, /move on\?/);
  // The rule is a reference after the plain words, and a link to what it says.
  await page.locator('a.rule', { hasText: 'F6' }).first().click();
  await assert.doesNotReject(page.getByRole('heading', { name: 'The rules' }).waitFor());
  assert.match(await page.textContent('main'), /A thank-you note within a day of every interview/);
  await shot(page, 'rules');
  await page.goto(base + '/');
  await shot(page, 'today');
  await phone.goto(base + '/');
  await shot(phone, 'today-phone');
  const width = await phone.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `fits a phone: ${width}px wide`);
});

test('logging an interview through the form shows its follow-up and why', async () => {
  await page.goto(base + '/log');
  await page.getByLabel('What happened').selectOption('interview');
  await page.getByLabel('With (names or ids, separated by commas)').fill('Marcus Bell');
  await page.getByLabel('About the job (optional)').selectOption({ label: 'Contoso: Data Platform Engineer' });
  await page.getByLabel('They will decide or get back by (F3)').fill('next monday');
  await page.getByLabel('What is the next step?').fill('a take-home exercise');
  await page.getByRole('button', { name: 'Log it' }).click();
  const status = page.getByRole('status');
  await status.waitFor();
  const text = await status.textContent();
  assert.match(text, /Logged interview/);
  assert.match(text, /thank-you/);
  assert.match(text, /F17/, 'the unasked questions are warned about');
  await shot(page, 'log-interview');
});

test('an item is marked done inline, after confirming a warning', async () => {
  await page.goto(base + '/');
  // Item 6 comes too soon after the last message (F15): Done shows the warning and asks
  // before it records anything (C12).
  await page.locator('#item-6').getByRole('button', { name: 'Done' }).click();
  const confirm = page.locator('#item-6').getByRole('button', { name: 'Record anyway' });
  await confirm.waitFor();
  assert.match(await page.locator('#item-6').getByRole('alert').first().textContent(), /F15/);
  await shot(page, 'done-confirm');
  await confirm.click();
  await page.getByText(/Logged the follow-up/).waitFor();
  await shot(page, 'done');
});

test('an item is snoozed with a human date', async () => {
  await page.goto(base + '/');
  const item = page.locator('#item-4');
  await item.getByLabel('Snooze until').fill('in 3 weeks');
  await item.getByRole('button', { name: 'Snooze' }).click();
  await page.getByText(/Snoozed Thank-you note: Marcus Bell \(Contoso: Data Platform Engineer\) until/).waitFor();
  await shot(page, 'snoozed');
});

test('a draft opens with a copy button and a mailto link', async () => {
  await page.goto(base + '/');
  await page.locator('#item-7').getByRole('link', { name: 'Draft' }).click();
  await page.getByRole('heading', { name: /Draft: rejection-reply/ }).waitFor();
  assert.match(await page.textContent('#body'), /feedback/);
  const href = await page.getByRole('link', { name: 'Open in mail' }).getAttribute('href');
  assert.match(href, /^mailto:hannah\.schmidt@globex\.example\?subject=/);
  await shot(page, 'draft');
});

test('a job moves across the pipeline', async () => {
  await page.goto(base + '/pipeline');
  await shot(page, 'pipeline');
  await page.getByLabel('Move to').first().selectOption('interviewing');
  await page.getByRole('button', { name: 'Move' }).first().click();
  // With htmx the board is swapped in place, with a sentence saying what moved.
  await page.getByText('Moved Initech: Machine Learning Engineer to interviewing.').waitFor();
  const column = await page.locator('section[aria-labelledby="stage-interviewing"]').textContent();
  assert.match(column, /Initech: Machine Learning Engineer/);
  await shot(page, 'pipeline-moved');
  await phone.goto(base + '/pipeline');
  await shot(phone, 'pipeline-phone');
});

test('the LinkedIn export imports after a dry run', async () => {
  assert.ok(FIXTURE, 'LINKEDIN_FIXTURE names Connections.csv');
  await page.goto(base + '/import');
  await page.getByLabel('The file').setInputFiles(FIXTURE);
  await page.getByRole('button', { name: 'See what it would do' }).click();
  await page.getByText(/This would import Connections.csv: 35 created/).waitFor();
  await shot(page, 'import-dry-run');
  await page.getByRole('button', { name: 'Import it' }).click();
  await page.getByText(/Imported Connections.csv: 35 created/).waitFor();
  await page.goto(base + '/contacts?q=Quellbrook');
  assert.match(await page.textContent('main'), /Mara Quellbrook/);
  await shot(page, 'contacts');
});

test('contact, job and settings pages render', async () => {
  for (const [path, name] of [['/contacts/9', 'contact'], ['/jobs/1', 'job']]) {
    await page.goto(base + path);
    await shot(page, name);
  }
  // Looking at Settings writes nothing: the calendar address is made by its button.
  await page.goto(base + '/settings');
  await page.getByRole('button', { name: 'Create a calendar address' }).click();
  await page.locator('#feed').waitFor();
  await shot(page, 'settings');
  assert.match(await page.textContent('#feed'), /\/calendar\/[0-9a-f]{32}\.ics$/);
});

// Presses Tab until `done(activeElement)` holds, at most `max` times; fails naming where
// the focus got stuck. Each stop must show a focus ring (:focus-visible with an outline).
async function tabUntil(p, what, done, max = 60) {
  for (let i = 0; i < max; i++) {
    await p.keyboard.press('Tab');
    const here = await p.evaluate(() => {
      const el = document.activeElement;
      const style = getComputedStyle(el);
      return {
        tag: el.tagName, id: el.id, text: (el.textContent || '').trim().slice(0, 40),
        item: el.closest('article') ? el.closest('article').id : '',
        ring: el.matches(':focus-visible') && style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0,
      };
    });
    assert.ok(here.ring, `the focus on <${here.tag}> "${here.text}" is visible`);
    if (done(here)) return here;
  }
  throw new Error(`Tab never reached ${what}`);
}

test('views: a pipeline card dragged to another column moves the job', async () => {
  const site = await serveDemo();
  const tab = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await tab.goto(site + '/pipeline');
  await tab.locator('#job-3').dragTo(tab.locator('section[data-stage="offer"]'));
  await tab.getByText('Moved Fabrikam: Analytics Engineer to offer.').waitFor();
  assert.match(await tab.locator('section[data-stage="offer"]').textContent(), /Fabrikam/);
  assert.doesNotMatch(await tab.locator('section[data-stage="applied"]').textContent(), /Fabrikam/);
  await shot(tab, 'pipeline-dragged');
  // The move was recorded, not just drawn: a reload shows it too.
  await tab.reload();
  assert.match(await tab.locator('section[data-stage="offer"]').textContent(), /Fabrikam/);
  await tab.close();
});

test('views: snooze with htmx answers in the item; a refused date shows beside the field', async () => {
  const site = await serveDemo();
  const tab = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await tab.goto(site + '/');
  // Emma Novak's overdue follow-up to next week: still in the two weeks, so the item
  // stays, with its new day and the sentence in it, and the focus on the sentence.
  const item = tab.locator('#item-11');
  await item.getByLabel('Snooze until').fill('next week');
  await item.getByRole('button', { name: 'Snooze' }).click();
  const said = item.getByRole('status');
  await said.waitFor();
  assert.match(await said.textContent(), /^Snoozed .* until Mon 30 Nov\.$/);
  assert.match(await item.locator('.due').textContent(), /Mon 30 Nov/);
  // htmx focuses the sentence after it settles the swap (app.js, htmx:afterSettle), a few
  // milliseconds after the sentence appears: wait for the focus rather than race it.
  await tab.waitForFunction(() => document.activeElement && document.activeElement.getAttribute('role') === 'status', null, { timeout: 5000 });
  await shot(tab, 'snoozed-inline');
  // A date that is not one: the message beside the field, what was typed still there.
  const other = tab.locator('#item-8');
  await other.getByLabel('Snooze until').fill('someday soon');
  await other.getByRole('button', { name: 'Snooze' }).click();
  const error = tab.locator('#until-error-8');
  await error.waitFor();
  assert.match(await error.textContent(), /expected a date like/);
  assert.equal(await tab.locator('#until-8').inputValue(), 'someday soon');
  assert.equal(await tab.locator('#until-8').getAttribute('aria-invalid'), 'true');
  await shot(tab, 'snooze-refused-inline');
  await tab.close();
});

test('views: keyboard only, Done on Today and the add-job form', async () => {
  const site = await serveDemo();
  const tab = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await tab.goto(site + '/');
  // Tab from the top of the page to the first item's Done, Enter: the result is said where
  // the item was, and the focus is on it.
  const done = await tabUntil(tab, "the first item's Done", (h) => h.tag === 'BUTTON' && h.text === 'Done');
  await tab.keyboard.press('Enter');
  const said = tab.locator(`#${done.item} [role="status"], p#${done.item}[role="status"], #${done.item} [role="alert"]`).first();
  await said.waitFor();
  assert.match(await said.textContent(), /Logged|too soon|F15/);
  await shot(tab, 'keyboard-done');
  // Then Tab on to the next item's Snooze field, type a day, Enter.
  const field = await tabUntil(tab, 'a Snooze until field', (h) => h.tag === 'INPUT' && h.id.startsWith('until-'));
  await tab.keyboard.type('in 3 days');
  await tab.keyboard.press('Enter');
  await tab.locator(`#item-${field.id.slice('until-'.length)} [role="status"], p#item-${field.id.slice('until-'.length)}`).first().waitFor();
  // The add-job form, field by field with Tab, sent with Enter on its button.
  await tab.goto(site + '/jobs/new');
  await tabUntil(tab, 'the Organization field', (h) => h.id === 'organization');
  await tab.keyboard.type('Tailspin');
  await tab.keyboard.press('Tab');
  await tab.keyboard.type('Platform Engineer');
  await tabUntil(tab, 'the Applied field', (h) => h.id === 'applied');
  await tab.keyboard.type('today');
  await tabUntil(tab, 'the Add job button', (h) => h.tag === 'BUTTON' && h.text === 'Add job');
  await tab.keyboard.press('Enter');
  await tab.getByRole('heading', { name: 'Tailspin: Platform Engineer' }).waitFor();
  await shot(tab, 'keyboard-job-added');
  // The pipeline's keyboard way: the stage select and Move.
  await tab.goto(site + '/pipeline');
  await tabUntil(tab, 'a stage select', (h) => h.tag === 'SELECT' && h.id.startsWith('stage-'));
  await tab.keyboard.press('ArrowDown');
  await tab.keyboard.press('Tab');
  await tab.keyboard.press('Enter');
  await tab.getByText(/^Moved /).waitFor();
  await tab.close();
});

// Every page of the demo, on a phone (390 px) and a desktop (1280 px), light and dark: nothing
// scrolls sideways, every tap target on the phone is at least 44 px tall, nothing is fetched
// from another origin. The screenshots stay in SHOTS/pages/PAGE-WIDTH[-dark].png.
test('corrections: a contact deleted and brought back with Undo; a touch corrected', async () => {
  const site = await serveDemo();
  const p = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  await p.goto(site + '/contacts/9');
  const name = (await p.locator('h1').textContent()).trim();
  await p.getByRole('link', { name: 'Delete' }).click();
  await p.getByRole('heading', { name: `Delete ${name}?` }).waitFor();
  await shot(p, 'contact-delete-confirm');
  await p.getByRole('button', { name: 'Delete' }).click();
  await p.waitForURL(/\/contacts\?notice=deleted/);
  assert.equal(await p.locator('main table').getByText(name, { exact: true }).count(), 0);
  await shot(p, 'contact-deleted-undo');
  await p.getByRole('button', { name: 'Undo' }).click();
  await p.waitForURL(/\/contacts\/9\?notice=undone/);
  assert.equal((await p.locator('h1').textContent()).trim(), name);
  // A touch corrected from its timeline row; the note shows on the page after.
  await p.locator('table.timeline').getByRole('link', { name: /Correct/ }).first().click();
  await p.getByLabel('Note').fill('corrected in the browser');
  await p.getByRole('button', { name: 'Save the correction' }).click();
  await p.waitForURL(/notice=corrected/);
  await p.getByText('corrected in the browser').first().waitFor();
  // Edit the contact's details through the full form.
  await p.getByRole('link', { name: 'Edit' }).click();
  await p.getByLabel('Title').fill('Head of Data');
  await p.getByRole('button', { name: 'Save changes' }).click();
  await p.waitForURL(/notice=saved/);
  await p.getByText('Head of Data').first().waitFor();
  await p.close();
});

const PAGES = [
  ['today', '/'],
  ['pipeline', '/pipeline'],
  ['contacts', '/contacts'],
  ['contact', '/contacts/9'],
  ['job', '/jobs/1'],
  ['log', '/log'],
  ['import', '/import'],
  ['settings', '/settings'],
  ['template', '/settings/templates/follow-up'],
  ['rules', '/rules'],
  ['draft', '/items/7/draft'],
  ['not-found', '/contacts/999'],
  ['contact-new', '/contacts/new'],
  ['contact-edit', '/contacts/9/edit'],
  ['contact-delete', '/contacts/9/delete'],
  ['job-edit', '/jobs/1/edit'],
  ['job-delete', '/jobs/1/delete'],
  ['touch-edit', '/touches/1/edit?back=/jobs/1'],
  ['trash', '/trash'],
];

// The tap targets of a page: every visible link, button and field in `main` and the main nav,
// each with its height. A checkbox is measured by the label around it (the label is what one
// taps). Exempt, as WCAG 2.5.8 exempts them: links inside a sentence (`p a` that is not a
// `.button`), which includes the rule tags after a why (`a.rule`, F6).
function tapTargets() {
  const out = [];
  for (const el of document.querySelectorAll(
    'main a, main button, main input, main select, main textarea, main summary, nav a, nav button')) {
    if (el.matches('input[type="hidden"]')) continue;
    if (el.matches('a:not(.button)') && el.closest('p')) continue;
    const target = el.matches('input[type="checkbox"], input[type="radio"]') && el.closest('label')
      ? el.closest('label') : el;
    const box = target.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;
    const label = (el.textContent || el.getAttribute('name') || el.id || '').trim().replace(/\s+/g, ' ').slice(0, 40);
    out.push({ what: `<${el.tagName.toLowerCase()}> "${label}"`, height: Math.round(box.height * 10) / 10 });
  }
  return out;
}

test('every page fits a phone and a desktop, with tap targets of 44 px on the phone', async () => {
  const site = await serveDemo();
  const shots = join(SHOTS, 'pages');
  mkdirSync(shots, { recursive: true });
  const setup = await browser.newPage();
  // Settings at its widest: with the calendar address (a long unbroken URL) made.
  await setup.goto(site + '/settings');
  await setup.getByRole('button', { name: 'Create a calendar address' }).click();
  await setup.locator('#feed').waitFor();
  await setup.close();
  const problems = [];
  for (const [width, scheme] of [[390, 'light'], [1280, 'light'], [390, 'dark']]) {
    const phoneSized = width < 600;
    const context = await browser.newContext({
      viewport: { width, height: 844 }, isMobile: phoneSized, hasTouch: phoneSized, colorScheme: scheme,
    });
    const tab = await context.newPage();
    const foreign = [];
    tab.on('request', (r) => {
      if (!r.url().startsWith(site + '/') && !r.url().startsWith('data:')) foreign.push(r.url());
    });
    for (const [name, path] of PAGES) {
      await tab.goto(site + path);
      await tab.locator('main h1').waitFor();
      const { scrollWidth, innerWidth } = await tab.evaluate(() => ({
        scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth,
      }));
      const where = `${name} (${path}) at ${width} px${scheme === 'dark' ? ', dark' : ''}`;
      // A phone (isMobile) widens its layout viewport to fit a page too wide for it, so
      // innerWidth alone would follow the page: the page must fit the width asked for too.
      if (scrollWidth > Math.min(innerWidth, width)) {
        problems.push(`${where}: scrollWidth ${scrollWidth} px > innerWidth ${innerWidth} px / the ${width} px screen`);
      }
      if (phoneSized) {
        const small = (await tab.evaluate(tapTargets)).filter((t) => t.height < 44);
        if (small.length) problems.push(`${where}: tap targets under 44 px: ${small.map((t) => `${t.what} ${t.height} px`).join(', ')}`);
      }
      await tab.screenshot({ path: join(shots, `${name}-${width}${scheme === 'dark' ? '-dark' : ''}.png`), fullPage: true });
    }
    if (foreign.length) problems.push(`at ${width} px the pages fetched from another origin: ${foreign.join(', ')}`);
    await context.close();
  }
  assert.deepEqual(problems, [], problems.join('\n'));
});

// Serves the team server on PostgreSQL (TEAM_DATABASE, set up by the Rust test that runs
// this file: an admin, Ana a client with a contact, Sam Lee a coach she granted edit).
async function serveTeam() {
  const url = process.env.TEAM_DATABASE;
  assert.ok(url, 'TEAM_DATABASE names the team server database (the Rust test sets it)');
  const dir = mkdtempSync(join(tmpdir(), 'followup-team-'));
  const proc = spawn(BIN, ['--today', '2026-11-23', 'serve', '--database', url, '--port', '0'], {
    env: { ...process.env, XDG_CONFIG_HOME: dir, FOLLOWUP_PASSWORD: '' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return addressOf(proc);
}

async function signIn(context, site, email) {
  const tab = await context.newPage();
  await tab.goto(site + '/login');
  await tab.getByLabel('Email').fill(email);
  await tab.getByLabel('Password').fill(process.env.TEAM_PASSWORD);
  await tab.getByRole('button', { name: 'Sign in' }).click();
  await tab.waitForURL((u) => !u.pathname.startsWith('/login'));
  return tab;
}

test("a coach's day: the caseload, a client's Today, a touch logged for her, in her timeline as the coach's", async () => {
  const site = await serveTeam();
  const coach = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const sam = await signIn(coach, site, 'sam@example.com');
  await sam.goto(site + '/caseload');
  await sam.getByRole('heading', { name: 'Caseload' }).waitFor();
  const row = sam.locator('tr', { hasText: 'ana@example.com' });
  assert.match(await row.textContent(), /see and change/);
  await shot(sam, 'team-caseload');
  const onPhone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const samPhone = await signIn(onPhone, site, 'sam@example.com');
  await samPhone.goto(site + '/caseload');
  await samPhone.getByRole('heading', { name: 'Caseload' }).waitFor();
  const width = await samPhone.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `the caseload fits a phone: ${width}px wide`);
  await shot(samPhone, 'team-caseload-phone');
  // Sam's account page (his name) and a template as a coach edits it, on a phone too.
  for (const [tab, suffix] of [[sam, ''], [samPhone, '-phone']]) {
    await tab.goto(site + '/account');
    await tab.getByLabel(/What others read where you act/).waitFor();
    await shot(tab, `team-account${suffix}`);
    const w = await tab.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(w <= (suffix ? 390 : 1280), `the account page fits: ${w}px`);
  }
  await onPhone.close();
  await sam.goto(site + '/caseload');
  // Opening the client lands on her Today, under her workspace.
  await row.getByRole('link', { name: /ana@example.com|Ana/ }).first().click();
  await sam.getByRole('heading', { name: /^Today/, level: 1 }).waitFor();
  const ws = new URL(sam.url()).pathname.match(/^\/w\/(\d+)\/$/);
  assert.ok(ws, `a client's Today is /w/ID/: ${sam.url()}`);
  // Every page of hers says whose search it is: the pages say "you" to her, not to Sam.
  assert.equal((await sam.locator('.working-for').textContent()).trim(),
    "ana@example.com's job search: you may see and change it");
  await shot(sam, 'team-client-today');
  await sam.goto(`${site}/w/${ws[1]}/settings/templates/outreach`);
  assert.match(await sam.textContent('main'), /You are a coach here/);
  await shot(sam, 'team-coach-template');
  // Log a touch on her behalf through her Log page.
  await sam.goto(`${site}/w/${ws[1]}/log`);
  await sam.getByLabel('What happened').selectOption('meeting');
  await sam.getByLabel('With (names or ids, separated by commas)').fill('Priya Natarajan');
  await sam.getByLabel('Note (problems they mentioned feed value-add drafts)').fill('Mock interview with Ana');
  await sam.getByRole('button', { name: 'Log it' }).click();
  const status = sam.getByRole('status');
  await status.waitFor();
  assert.match(await status.textContent(), /Logged meeting/);
  await coach.close();
  // Ana signs in and reads it in Priya's timeline as logged by Sam.
  const client = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const ana = await signIn(client, site, 'ana@example.com');
  await ana.goto(site + '/contacts');
  await ana.getByRole('link', { name: 'Priya Natarajan' }).first().click();
  await ana.getByRole('heading', { name: /Priya Natarajan/ }).waitFor();
  const timeline = ana.locator('table.timeline');
  const mine = timeline.locator('tr', { hasText: 'Mock interview with Ana' });
  assert.match(await mine.textContent(), /logged by Sam Lee \(coach\)/);
  await shot(ana, 'team-client-timeline');
  await client.close();
});
