// Headless Chromium over the real server: the pages that matter, driven as
// a person would (click, type, keyboard), plus a check that every visible
// form control has a label. Run by ./scripts/test; needs target/debug/cus.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import net from 'node:net';
import { chromium } from 'playwright-core';
import { createRequire } from 'node:module';

const axeSource = (await import('node:fs')).readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const binary = process.env.CUS_BIN ?? join(root, 'target', 'debug', 'cus');
const PASSWORD = 'demo-password-2026';
let server, browser, base, dir;

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cus-browser-'));
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  server = spawn(binary, ['--database', join(dir, 'cus.db'), 'serve', '--demo', '--bind', `127.0.0.1:${port}`], {
    env: { ...process.env, CUS_MAIL_DIR: join(dir, 'mail'), CUS_LOG: 'warn' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise((resolve, reject) => {
    let out = '';
    server.stdout.on('data', (d) => { out += d; if (out.includes('CUS is running')) resolve(); });
    server.on('exit', (code) => reject(new Error(`server exited ${code}`)));
  });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  server?.kill();
  rmSync(dir, { recursive: true, force: true });
});

async function signIn(page, email) {
  await page.goto(`${base}/login`);
  await page.getByLabel(/e-mail|email/i).fill(email);
  await page.getByLabel(/hasło|password/i).fill(PASSWORD);
  await page.getByRole('button', { name: /zaloguj|sign in/i }).click();
  await page.waitForURL(`${base}/`);
}

/** axe-core (WCAG 2.1 A and AA rules) finds nothing serious or critical. */
async function assertAccessible(page) {
  await page.addScriptTag({ content: axeSource });
  const found = await page.evaluate(async () => {
    const r = await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return r.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id}: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
  });
  assert.deepEqual(found, [], `axe on ${page.url()}`);
}

/** Every visible input, select and textarea has a label a screen reader reads. */
async function assertLabelled(page) {
  const unlabelled = await page.$$eval('input:not([type=hidden]), select, textarea', (els) =>
    els.filter((el) => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')).map((el) => el.outerHTML));
  assert.deepEqual(unlabelled, [], `unlabelled controls on ${page.url()}`);
}

test('home page speaks Polish and switches to English', async () => {
  const page = await browser.newPage();
  await page.goto(base);
  assert.equal(await page.getAttribute('html', 'lang'), 'pl');
  assert.ok(await page.getByRole('heading', { name: 'Jedno okienko' }).isVisible());
  await page.getByRole('link', { name: 'English' }).click();
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  await page.goto(`${base}/login`);
  assert.equal(await page.getAttribute('html', 'lang'), 'en', 'the choice is remembered');
  // The skip link is the first thing the keyboard reaches.
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.getAttribute('href')), '#main');
  await page.close();
});

test('a resident files a request online and sees it in "my cases"', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, 'resident@sochaczew.example');
  await page.goto(`${base}/requests/new`);
  await assertLabelled(page);
  // Submitting an empty description: the form comes back with the reason.
  await page.getByRole('button', { name: 'Złóż wniosek' }).click();
  assert.ok(await page.locator('#description[aria-invalid="true"]').isVisible());
  assert.match(await page.locator('#description-error').textContent(), /To pole jest wymagane\./);
  // The error summary at the top lists it too.
  assert.ok(await page.getByRole('alert').filter({ hasText: 'To pole jest wymagane.' }).isVisible());
  await page.getByLabel('Usługa').selectOption({ label: 'Usługi opiekuńcze' });
  await page.getByLabel('Opisz swoją potrzebę').fill('Potrzebuję pomocy przy codziennych czynnościach.');
  await page.getByRole('button', { name: 'Złóż wniosek' }).click();
  assert.ok(await page.getByRole('status').isVisible());
  const heading = await page.getByRole('heading', { level: 1 }).textContent();
  assert.match(heading, /CUS\/1428011\/\d{4}\/\d{5}/);
  await page.getByRole('link', { name: 'Moje sprawy' }).first().click();
  assert.ok(await page.getByRole('cell', { name: 'Usługi opiekuńcze' }).first().isVisible());
  await page.screenshot({ path: join(tmpdir(), 'cus-my-cases.png'), fullPage: true });
  await context.close();
});

test('a coordinator adds a service to a plan and records consent', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, 'coordinator@sochaczew.example');
  // The coordinator's drafts: the list is paged, and the filter finds the plan.
  await page.goto(`${base}/plans?mine=true&status=draft`);
  await page.getByRole('link', { name: 'Jan Malinowski' }).click();
  await assertLabelled(page);
  const today = new Date().toISOString().slice(0, 10);
  await page.getByLabel('Usługa', { exact: true }).selectOption({ label: 'Dowóz posiłków' });
  await page.getByLabel('Realizator', { exact: true }).fill('CUS Sochaczew');
  await page.getByLabel('Częstotliwość').fill('5 razy w tygodniu');
  await page.getByLabel('Od', { exact: true }).fill(today);
  await page.getByLabel('Do', { exact: true }).fill('2099-01-01');
  await page.getByRole('button', { name: 'Dodaj usługę do planu' }).click();
  // More than a year: refused next to the field, nothing lost.
  assert.match(await page.locator('#end-error').textContent(), /Plan może trwać najwyżej rok\./);
  assert.equal(await page.getByLabel('Częstotliwość').inputValue(), '5 razy w tygodniu');
  await page.getByLabel('Do', { exact: true }).fill(today);
  await page.getByRole('button', { name: 'Dodaj usługę do planu' }).click();
  assert.ok(await page.getByRole('cell', { name: 'Dowóz posiłków' }).isVisible());
  await page.getByRole('button', { name: 'Zapisz zgodę mieszkańca' }).click();
  assert.ok(await page.getByText('uzgodniony z mieszkańcem').first().isVisible());
  await page.getByRole('link', { name: 'Dokument do podpisu' }).click();
  assert.ok(await page.getByText('Podpis mieszkańca').isVisible());
  await page.screenshot({ path: join(tmpdir(), 'cus-plan-document.png'), fullPage: true });
  await context.close();
});

test('every form control on the working pages has a label', async () => {
  const pages = {
    'organizer@sochaczew.example': ['/services', '/competitions/manage', '/programs', '/agreements', '/forum', '/admin/audit'],
    'community@sochaczew.example': ['/community'],
    'ngo@sochaczew.example': ['/organization', '/forum'],
    'desk@sochaczew.example': ['/residents', '/work'],
  };
  for (const [email, paths] of Object.entries(pages)) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, email);
    for (const path of paths) {
      const response = await page.goto(`${base}${path}`);
      assert.equal(response.status(), 200, `${email} ${path}`);
      assert.equal(await page.locator('h1').count(), 1, `one h1 on ${path}`);
      await assertLabelled(page);
    }
    // The competition page carries the organizer's, the NGO's or the member's forms.
    await page.goto(`${base}/competitions`);
    await page.locator('table a').first().click();
    await assertLabelled(page);
    await context.close();
  }
});

test('an NGO fills the offer form; the budget arithmetic is checked on the page', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, 'ngo@sochaczew.example');
  await page.goto(`${base}/competitions`);
  // The competition still open for offers (the demo's other one is past its deadline).
  await page.getByRole('link', { name: /Usługi opiekuńcze w miejscu zamieszkania/ }).first().click();
  // The demo's competition funds the years after its offer deadline (30 days on).
  const year = new Date(Date.now() + 30 * 864e5).getFullYear();
  await page.getByLabel('Tytuł zadania').fill('Opieka w domu seniora');
  await page.getByLabel('Opis zadania').fill('Usługi opiekuńcze dla 15 osób.');
  // A line without an amount: the form comes back with the reason, nothing lost.
  await page.getByLabel('Kalkulacja kosztów').fill(`${year + 1} | task | Opiekunki |`);
  await page.getByLabel('Wkład własny finansowy (zł)').fill('5 000');
  await page.getByLabel('Składam oświadczenia z części VII oferty').check();
  await page.getByRole('button', { name: 'Złóż ofertę' }).click();
  assert.ok(await page.getByRole('alert').filter({ hasText: 'Sprawdź format wierszy.' }).isVisible());
  assert.equal(await page.getByLabel('Tytuł zadania').inputValue(), 'Opieka w domu seniora');
  await page.getByLabel('Kalkulacja kosztów').fill(`${year + 1} | task | Opiekunki | 120 000\n${year + 2} | administrative | Księgowość | 8 000,50`);
  await page.getByLabel('Składam oświadczenia z części VII oferty').check();
  await page.getByRole('button', { name: 'Złóż ofertę' }).click();
  assert.ok(await page.getByText('128\u00a0000,50\u00a0zł').first().isVisible(), 'the requested total');
  await page.getByRole('link', { name: 'Opieka w domu seniora' }).click();
  assert.ok(await page.getByRole('heading', { name: 'Oferta realizacji zadania publicznego' }).isVisible());
  await context.close();
});

test('an organizer finds Sochaczew below the group and opens a corrective action', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, 'organizer@sochaczew.example');
  const year = new Date().getFullYear() - 1;
  await page.getByRole('link', { name: 'Ocena usług' }).click();
  await page.getByRole('link', { name: 'Benchmarking' }).first().click();
  await page.getByLabel('Wskaźnik', { exact: true }).selectOption({ label: 'IPUS opracowane w ciągu 30 dni' });
  await page.getByLabel('Okres', { exact: true }).fill(String(year));
  await page.getByLabel('Grupa', { exact: true }).selectOption({ label: 'Grupa wymiany doświadczeń: usługi opiekuńcze' });
  await page.getByRole('button', { name: 'Pokaż' }).click();
  await assertLabelled(page);
  const own = page.getByRole('row').filter({ hasText: 'moja gmina' });
  assert.match(await own.textContent(), /poniżej średniej/);
  // The chart is drawn on the server and loads as an image.
  const chart = page.getByRole('img', { name: /Wykres słupkowy/ });
  await chart.waitFor();
  assert.ok(await chart.evaluate((img) => img.complete && img.naturalWidth > 0), 'the chart renders');
  await page.screenshot({ path: join(tmpdir(), 'cus-benchmarks.png'), fullPage: true });
  await page.getByRole('link', { name: 'Działania naprawcze' }).first().click();
  await page.getByLabel('Okres', { exact: true }).first().fill(String(year));
  await page.getByRole('button', { name: 'Pokaż' }).click();
  const suggestion = page.getByRole('row').filter({ hasText: 'IPUS opracowane w ciągu 30 dni' }).first();
  await suggestion.getByRole('link', { name: 'zaplanuj działanie' }).click();
  await assertLabelled(page);
  await page.getByLabel('Plan poprawy', { exact: true }).fill('Dyżur koordynatora IPUS dwa razy w tygodniu, jak w Łowiczu.');
  const due = new Date(Date.now() + 60 * 86400e3).toISOString().slice(0, 10);
  await page.getByLabel('Termin', { exact: true }).fill(due);
  await page.getByRole('button', { name: 'Zapisz' }).last().click();
  assert.ok(await page.getByRole('status').isVisible());
  // Once this year's first half is over, the demo has assessed it: the
  // action shows the change.
  if (new Date().getMonth() >= 6) assert.ok(await page.getByText('poprawa').first().isVisible());
  await context.close();
});

test('an organizer drafts a social services program, a resident comments, the council adopts it', async () => {
  const year = new Date().getFullYear();
  const org = await browser.newContext();
  const page = await org.newPage();
  await signIn(page, 'organizer@sochaczew.example');
  await page.getByRole('link', { name: 'Program usług społecznych' }).click();
  await assertLabelled(page);
  // The demo's adopted program and its published evaluation: planned against actual.
  await page.getByRole('link', { name: /Program usług społecznych Gminy Miasta Sochaczew/ }).click();
  await page.getByRole('link', { name: `Ocena za rok ${year - 1}` }).click();
  const care = page.getByRole('row').filter({ hasText: 'Usługi opiekuńcze' }).first();
  assert.match(await care.textContent(), /300\u00a0000,00\u00a0zł/);
  assert.ok(await page.getByText(/Ocena opublikowana/).isVisible());
  // A new program from the page, resting on the published diagnosis.
  await page.goto(`${base}/social-programs`);
  await page.getByLabel('Tytuł programu').fill('Program usług społecznych — test przeglądarki');
  await page.getByLabel('Od roku').fill(String(year + 1));
  await page.getByLabel('Do roku').fill(String(year + 2));
  await page.getByLabel('Diagnoza, na której opiera się program').selectOption({ index: 1 });
  await page.getByLabel('Cele').fill('Opieka wytchnieniowa dla rodzin');
  await page.getByRole('button', { name: 'Zapisz' }).click();
  assert.ok(await page.getByRole('status').isVisible());
  await assertLabelled(page);
  // A planned service: a bad row comes back with the reason, nothing lost.
  await page.getByLabel('Usługa z katalogu').selectOption('UO');
  await page.getByLabel('Grupa docelowa').fill('Rodziny opiekujące się seniorami');
  await page.getByLabel('otwarty konkurs ofert').check();
  await page.getByLabel('Plan na lata').fill(`${year + 1} | dużo`);
  await page.getByRole('button', { name: 'Dodaj usługę' }).click();
  assert.ok(await page.getByRole('alert').first().isVisible());
  assert.equal(await page.getByLabel('Grupa docelowa').inputValue(), 'Rodziny opiekujące się seniorami');
  await page.getByLabel('Plan na lata').fill(`${year + 1} | 20 | 800 | 100 000\n${year + 2} | 24 | 900 | 110 000`);
  await page.getByLabel('otwarty konkurs ofert').check();
  await page.getByLabel(/Koszt na odbiorcę/).check();
  await page.getByRole('button', { name: 'Dodaj usługę' }).click();
  assert.ok(await page.getByText('100\u00a0000,00\u00a0zł').first().isVisible());
  await page.getByRole('button', { name: 'Skieruj do konsultacji' }).click();
  assert.ok(await page.getByText('w konsultacjach').first().isVisible());
  const programUrl = page.url().split('?')[0];
  // A resident comments during the consultation.
  const res = await browser.newContext();
  const rp = await res.newPage();
  await signIn(rp, 'resident@sochaczew.example');
  await rp.goto(programUrl);
  await rp.getByLabel('Twoja uwaga do projektu').fill('Proszę o dyżur także w weekendy.');
  await rp.getByRole('button', { name: 'Wyślij' }).click();
  assert.ok(await rp.getByText('Proszę o dyżur także w weekendy.').isVisible());
  await res.close();
  // The organizer answers it and submits the draft to the council.
  await page.goto(programUrl);
  await page.getByLabel('Odpowiedź', { exact: true }).fill('Uwzględniono: dyżur weekendowy raz w miesiącu.');
  await page.getByLabel('Uwaga uwzględniona').check();
  await page.getByRole('button', { name: 'Zapisz odpowiedź' }).click();
  await page.getByRole('button', { name: 'Przekaż radzie gminy' }).click();
  assert.ok(await page.getByText('przekazany radzie').first().isVisible());
  await org.close();
  // The council adopts it with its resolution.
  const council = await browser.newContext();
  const cp = await council.newPage();
  await signIn(cp, 'council@sochaczew.example');
  await cp.goto(programUrl);
  await assertLabelled(cp);
  await cp.getByLabel('Numer uchwały').fill(`XX/200/${year}`);
  await cp.getByLabel('Data uchwały').fill(new Date().toISOString().slice(0, 10));
  await cp.getByRole('button', { name: 'Uchwal' }).click();
  assert.ok(await cp.getByText(`XX/200/${year}`).first().isVisible());
  await cp.screenshot({ path: join(tmpdir(), 'cus-social-program.png'), fullPage: true });
  await council.close();
  // Published for everyone, without the comment's author.
  const anon = await browser.newContext();
  const ap = await anon.newPage();
  await ap.goto(`${base}/public/social-programs`);
  assert.ok(await ap.getByRole('heading', { name: /test przeglądarki/ }).isVisible());
  assert.equal(await ap.getByText('Proszę o dyżur').count(), 0);
  await anon.close();
});

test('each demo role\'s home page says what needs doing, and its areas pass axe in both languages', async () => {
  const roles = [
    ['desk@sochaczew.example', 'Wniosek CUS/1428011/'],
    ['organizer@sochaczew.example', 'Sprawozdanie końcowe z umowy'],
    ['coordinator@sochaczew.example', 'czeka na zgodę mieszkańca'],
    ['commission@sochaczew.example', 'Oceń ofertę'],
    ['council@sochaczew.example', 'Program czeka na uchwałę'],
    // The NGO applied in an earlier test: what it has due depends on the order.
    ['ngo@sochaczew.example', undefined],
    ['resident@sochaczew.example', 'czeka na Twoją zgodę'],
    // The demo's referral of Beata Wrona waits for the social worker; the
    // benefits officer reads the one that was declined.
    ['social.worker@sochaczew.example', 'Skierowanie: sprawa'],
    ['benefits@sochaczew.example', 'Skierowanie odrzucone'],
    // The demo resident's request for access, due within a week.
    ['iod@sochaczew.example', 'Żądanie dostępu do danych'],
  ];
  // Pages of an area the header reaches through its first link only.
  const more = {
    'iod@sochaczew.example': ['/privacy/requests', '/privacy/retention', '/privacy/register'],
    'resident@sochaczew.example': ['/me/data'],
    'social.worker@sochaczew.example': ['/referrals', '/social-contracts'],
    'organizer@sochaczew.example': ['/caseload'],
  };
  for (const [email, item] of roles) {
    // Axe is injected as a script: the pages' own policy allows none.
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
    const page = await context.newPage();
    await signIn(page, email);
    const todo = page.getByRole('region', { name: 'Do zrobienia' }).or(page.locator('section[aria-labelledby="todo-heading"]'));
    if (item) {
      const first = todo.getByRole('link').filter({ hasText: item }).first();
      assert.ok(await first.isVisible(), `${email}: ${item}`);
    } else if (item === undefined) {
      assert.ok(await page.getByRole('heading', { name: /Do zrobienia/ }).isVisible(), email);
    } else {
      assert.ok(await page.getByText('Nic pilnego').isVisible(), email);
    }
    await assertAccessible(page);
    const who = email.split('@')[0];
    await page.screenshot({ path: join(tmpdir(), `cus-home-${who}-pl.png`), fullPage: true });
    // The header's areas: each opens, marks itself, and passes axe.
    const areas = await page.locator('header nav a').evaluateAll((links) =>
      links.map((a) => a.getAttribute('href')).filter((h) => h && h !== '/' && !h.includes('lang=') && !h.startsWith('#')));
    assert.ok(areas.length + 2 <= 9, `${email}: ${areas.length} areas`);
    for (const href of areas) {
      await page.goto(`${base}${href}`);
      assert.equal(await page.locator('header nav a[aria-current="page"]').count() >= 1, true, `${email}: ${href} marked`);
      await assertAccessible(page);
    }
    for (const href of more[email] ?? []) {
      const response = await page.goto(`${base}${href}`);
      assert.equal(response.status(), 200, `${email}: ${href}`);
      assert.equal(await page.locator('h1').count(), 1, `one h1 on ${href}`);
      await assertLabelled(page);
      await assertAccessible(page);
    }
    if (email.startsWith('iod@')) {
      // A request's page (the decision form) and its resident's (holds).
      await page.goto(`${base}/privacy/requests`);
      await page.locator('main table a').first().click();
      assert.match(page.url(), /\/privacy\/requests\/[0-9a-f-]{36}$/);
      await assertLabelled(page);
      await assertAccessible(page);
      const resident = page.locator('main a[href^="/privacy/residents/"]').first();
      if (await resident.count()) {
        await resident.click();
        await assertLabelled(page);
        await assertAccessible(page);
      }
    }
    await page.goto(`${base}/?lang=en`);
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    await assertAccessible(page);
    await page.screenshot({ path: join(tmpdir(), `cus-home-${who}-en.png`), fullPage: true });
    // On a phone the menu wraps; nothing needs a script.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${base}/`);
    await assertAccessible(page);
    await context.close();
  }
});

test('a visitor finds which services the center offers and who provides them', async () => {
  const page = await (await browser.newContext({ bypassCSP: true })).newPage();
  await page.goto(base);
  await page.getByRole('link', { name: 'Usługi i ich realizatorzy' }).first().click();
  await page.getByLabel('Gmina').selectOption({ label: 'Gmina Miasto Sochaczew' });
  await page.getByRole('button', { name: 'Pokaż' }).click();
  assert.ok(await page.getByRole('heading', { name: 'Klub Integracji Społecznej z treningiem pracy' }).isVisible());
  assert.ok(await page.getByText('Fundacja Razem').first().isVisible());
  await assertAccessible(page);
  await page.screenshot({ path: join(tmpdir(), 'cus-public-services.png'), fullPage: true });
  await page.close();
});

test('staff find a case by its number in one search', async () => {
  const context = await browser.newContext({ bypassCSP: true });
  const page = await context.newPage();
  await signIn(page, 'desk@sochaczew.example');
  await page.getByLabel(/Numer sprawy/).fill('Malinowski');
  await page.getByRole('button', { name: 'Szukaj' }).click();
  await page.getByRole('link', { name: /Jan Malinowski/ }).click();
  assert.match(page.url(), /\/residents\//);
  await page.goto(`${base}/search?q=a`);
  assert.ok(await page.locator('#q[aria-invalid="true"]').isVisible());
  await assertAccessible(page);
  await context.close();
});

test('a social worker accepts a referral, makes a social contract and ticks a commitment off', async () => {
  // bypassCSP: the page forbids scripts; axe-core is the test's own.
  const ctx = await browser.newContext({ bypassCSP: true });
  const page = await ctx.newPage();
  await signIn(page, 'social.worker@sochaczew.example');
  // The demo's referral waits on the home page.
  await page.getByRole('link', { name: /Skierowanie: sprawa .* \(Beata Wrona\)/ }).click();
  await assertAccessible(page);
  await page.getByRole('button', { name: 'Przyjmij skierowanie i przejmij sprawę' }).click();
  await page.getByRole('status').waitFor();
  assert.match(await page.locator('main').innerText(), /przyjęte/);
  const referral = page.url();
  // The case is on the worker's own list.
  await page.goto(`${base}/work?mine=true`);
  await page.getByRole('link', { name: /Beata Wrona|CUS\// }).first().waitFor();
  // From the resident's page, a contract.
  await page.goto(referral);
  await page.locator('main').getByRole('link', { name: 'Beata Wrona' }).first().click();
  await page.getByRole('button', { name: 'Zawrzyj kontrakt socjalny' }).click();
  await assertAccessible(page);
  await assertLabelled(page);
  await page.getByLabel('Cele').fill('Zakup opału na zimę\nUregulowanie zaległości');
  await page.locator('#client_text_0').fill('Złożenie wniosku o dodatek energetyczny');
  const due = new Date(Date.now() + 14 * 86400e3).toISOString().slice(0, 10);
  await page.locator('#client_due_0').fill(due);
  await page.locator('#worker_text_0').fill('Pomoc w wypełnieniu wniosku');
  await page.locator('#worker_due_0').fill(due);
  await page.getByRole('button', { name: 'Zawrzyj kontrakt' }).click();
  await page.getByRole('heading', { name: /Kontrakt socjalny: Beata Wrona/ }).waitFor();
  await assertAccessible(page);
  // Tick the client's commitment off with a note.
  const first = page.locator('#commitment-0');
  await first.getByRole('checkbox').check();
  await first.getByLabel('Notatka').fill('Wniosek złożony');
  await first.getByRole('button', { name: 'Zapisz' }).click();
  await page.getByRole('status').waitFor();
  assert.match(await page.locator('#commitment-0').innerText(), /dotrzymane.*Wniosek złożony/s);
  await ctx.close();
});
