// Given the demo commissioner, when people sign in and browse, then the pages work in a
// real browser, pass axe-core with no serious or critical violations, and show only what
// each role may see.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDemo, launchBrowser, newPage, signIn, seriousViolations, screenshotPath, DEMO_PASSWORD } from './lib.mjs';

let server;
let browser;

before(async () => {
  server = await startDemo();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('a commissioner signs in, reads the dashboard and drills into an area', async () => {
  const page = await newPage(browser.context);
  await signIn(page, server.url, 'commissioner@demo.commissioner.test');

  // Then the dashboard shows the generated population, practices and providers.
  assert.equal(new URL(page.url()).pathname, '/dashboard');
  await page.getByRole('heading', { level: 1, name: 'NHS Ashmere and Dunmore Integrated Care Board' }).waitFor();
  const stats = await page.locator('.app-stat').allTextContents();
  assert.equal(stats.length, 4);
  assert.ok(Number(stats[0].replace(/,/g, '')) > 1000000, `population ${stats[0]}`);
  assert.equal(stats[2], '40');
  assert.equal(stats[3], '8');
  assert.ok(await page.getByRole('img', { name: /Population by age and sex/ }).isVisible());
  assert.deepEqual(await seriousViolations(page), []);
  await page.screenshot({ path: screenshotPath('dashboard.png'), fullPage: true });

  // When they open a local authority and then one of its small areas.
  await page.getByRole('link', { name: 'Ashmere', exact: true }).first().click();
  await page.getByRole('heading', { level: 1, name: 'Ashmere' }).waitFor();
  assert.deepEqual(await seriousViolations(page), []);
  await page.locator('table a').first().click();
  await page.locator('table a').first().click();
  await page.getByText('IMD 2019 decile').first().waitFor();
  assert.match(new URL(page.url()).pathname, /^\/areas\/E019\d{5}$/);
  assert.deepEqual(await seriousViolations(page), []);
  await page.screenshot({ path: screenshotPath('lsoa.png'), fullPage: true });

  // The pages ran without script errors or Content Security Policy violations.
  assert.deepEqual(page.consoleErrors, []);
  await page.close();
});

test('the sign-in page shows an error summary linked to the field', async () => {
  const page = await newPage(browser.context);
  await page.goto(`${server.url}/sign-out`).catch(() => {});
  await browser.context.clearCookies();
  await page.goto(`${server.url}/sign-in`);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByText('There is a problem').waitFor();
  assert.deepEqual(await seriousViolations(page), []);
  await page.getByRole('link', { name: 'Enter your email address' }).click();
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'email');
  await page.close();
});

test('a provider sees its own activity but not another provider\'s', async () => {
  await browser.context.clearCookies();
  const page = await newPage(browser.context);
  await signIn(page, server.url, 'provider@demo.commissioner.test');
  await page.goto(`${server.url}/organisations/R9A`);
  await page.getByRole('heading', { name: 'Activity', exact: true }).waitFor();
  await page.goto(`${server.url}/organisations/R9B`);
  assert.equal(await page.getByRole('heading', { name: 'Activity', exact: true }).count(), 0);
  const response = await page.goto(`${server.url}/dashboard`);
  assert.equal(response.status(), 403);
  assert.deepEqual(await seriousViolations(page), []);
  await page.close();
});

test('a finance manager reads a provider\'s plan against actual and its forecasts', async () => {
  await browser.context.clearCookies();
  const page = await newPage(browser.context);
  await signIn(page, server.url, 'finance@demo.commissioner.test');
  await page.goto(`${server.url}/monitor`);
  assert.deepEqual(await seriousViolations(page), []);
  await page.getByRole('link', { name: 'Ashmere University Hospitals NHS Foundation Trust' }).click();
  await page.getByRole('heading', { level: 2, name: 'Plan against actual' }).waitFor();
  assert.ok(await page.getByRole('img', { name: /Value of activity by month/ }).isVisible());
  assert.ok(await page.getByRole('img', { name: /year-end forecasts/ }).isVisible());
  assert.deepEqual(await seriousViolations(page), []);
  await page.screenshot({ path: screenshotPath('monitor-provider.png'), fullPage: true });
  await page.getByRole('link', { name: /open/ }).first().click();
  await page.getByRole('heading', { level: 1, name: /Challenges to R9A/ }).waitFor();
  assert.deepEqual(await seriousViolations(page), []);
  assert.deepEqual(page.consoleErrors, []);
  await page.close();
});

test('an analyst reads the needs assessment, an indicator and the unmet-need ranking', async () => {
  await browser.context.clearCookies();
  const page = await newPage(browser.context);
  await signIn(page, server.url, 'analyst@demo.commissioner.test');
  await page.goto(`${server.url}/plan`);
  await page.getByRole('link', { name: 'Health needs assessment' }).click();
  await page.getByRole('heading', { level: 1, name: /Health needs assessment: Ashmere and Dunmore ICB area/ }).waitFor();
  // Then every indicator is compared with real England prevalence and unmet need is ranked.
  await page.getByRole('heading', { level: 2, name: 'Estimated unmet need' }).waitFor();
  assert.ok(await page.getByText('England 2019').first().isVisible());
  const unmet = await page.locator('table').filter({ hasText: 'Unmet need (people)' }).first().locator('tbody tr').count();
  assert.ok(unmet >= 10, `${unmet} conditions ranked`);
  assert.ok(await page.getByRole('img', { name: /Hypertension: recorded prevalence/ }).first().isVisible());
  assert.deepEqual(await seriousViolations(page), []);
  await page.screenshot({ path: screenshotPath('needs-overview.png'), fullPage: true });

  // When they open one indicator by MSOA: bars with limits, a funnel plot and the gradient.
  await page.getByLabel('Compare places').selectOption('msoa');
  await page.getByRole('button', { name: 'Update' }).click();
  await page.getByRole('link', { name: 'Chronic obstructive pulmonary disease: recorded prevalence' }).first().click();
  await page.getByRole('heading', { level: 2, name: 'Funnel plot' }).waitFor();
  assert.ok(await page.getByRole('img', { name: /by IMD 2019 decile/ }).isVisible());
  assert.ok(await page.getByText(/By decile: slope index of inequality/).isVisible());
  assert.deepEqual(await seriousViolations(page), []);
  await page.screenshot({ path: screenshotPath('needs-indicator.png'), fullPage: true });

  // And a bad selection is an error summary linked to its field.
  await page.goto(`${server.url}/plan/needs?area=nowhere`);
  await page.getByText('There is a problem').waitFor();
  assert.deepEqual(await seriousViolations(page), []);
  await page.getByRole('link', { name: /Enter an ONS area code/ }).click();
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'area');
  assert.deepEqual(page.consoleErrors, []);
  await page.close();
});

test('an analyst goes from RTT waits to a capacity plan with scenarios and a demand forecast', async () => {
  await browser.context.clearCookies();
  const page = await newPage(browser.context);
  await signIn(page, server.url, 'analyst@demo.commissioner.test');
  await page.goto(`${server.url}/plan`);
  await page.getByRole('link', { name: 'Capacity planning' }).click();
  await page.getByRole('link', { name: 'referral-to-treatment waits by provider' }).click();
  // Given the real RTT return, England's figures and every trust are listed for a month.
  await page.getByRole('link', { name: '2025-09' }).click();
  await page.getByRole('heading', { level: 1, name: 'Referral to treatment waits, 2025-09' }).waitFor();
  assert.ok(await page.getByText('1,449,831').isVisible());
  assert.deepEqual(await seriousViolations(page), []);
  await page.screenshot({ path: screenshotPath('rtt-england.png'), fullPage: false });

  // When they open a trust and plan one of its services, the scenarios sit side by side
  // with a fan chart of each simulated waiting list.
  await page.getByRole('link', { name: /BARTS HEALTH NHS TRUST/ }).click();
  await page.getByRole('link', { name: /Plan capacity for Trauma and Orthopaedic Service/ }).click();
  await page.getByRole('heading', { level: 2, name: 'Capacity required' }).waitFor();
  assert.ok(await page.getByRole('columnheader', { name: 'Shift 20% to community' }).isVisible());
  assert.ok(await page.getByRole('img', { name: /Simulated waiting list, Baseline/ }).isVisible());
  assert.deepEqual(await seriousViolations(page), []);
  await page.screenshot({ path: screenshotPath('capacity-plan.png'), fullPage: true });

  // And a bad figure is an error summary linked to its field.
  await page.getByLabel('Referrals a week').fill('lots');
  await page.getByRole('button', { name: 'Plan' }).click();
  await page.getByText('There is a problem').waitFor();
  assert.deepEqual(await seriousViolations(page), []);
  await page.getByRole('link', { name: /Enter referrals a week as a number/ }).click();
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'demand');

  // The demand forecast shows its intervals and back-test.
  await page.goto(`${server.url}/plan/capacity/forecast`);
  await page.getByRole('img', { name: /A&E attendances \(all types\), England/ }).waitFor();
  assert.ok(await page.getByText(/origins, \d+ forecasts/).isVisible());
  assert.deepEqual(await seriousViolations(page), []);
  assert.deepEqual(page.consoleErrors, []);
  await page.close();
});

test('a commissioner takes a gap from the register to a prioritised decision', async () => {
  await browser.context.clearCookies();
  const page = await newPage(browser.context);
  await signIn(page, server.url, 'commissioner@demo.commissioner.test');
  await page.goto(`${server.url}/plan`);
  await page.getByRole('link', { name: 'Provision and gaps' }).click();
  // Given the demo's needs assessment and service catalogue, the register lists gaps with
  // their evidence.
  await page.getByRole('heading', { level: 2, name: 'Gap register' }).waitFor();
  assert.ok(await page.getByRole('cell', { name: 'Unmet need' }).first().isVisible());
  assert.deepEqual(await seriousViolations(page), []);
  await page.screenshot({ path: screenshotPath('gap-register.png'), fullPage: false });

  // When they prioritise the largest unmet need, the workshop's form names the gap.
  await page.getByRole('link', { name: /^Prioritise/ }).first().click();
  await page.getByRole('heading', { level: 2, name: 'Add an option' }).waitFor();
  assert.match(await page.getByLabel('Option', { exact: true }).inputValue(), /^Answer: /);
  await page.getByRole('textbox', { name: 'Cost (£)' }).fill('lots');
  await page.getByRole('button', { name: 'Add option' }).click();
  await page.getByText('There is a problem').waitFor();
  assert.deepEqual(await seriousViolations(page), []);
  await page.getByRole('link', { name: /Enter the cost in pounds/ }).click();
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'cost');
  await page.getByRole('textbox', { name: 'Cost (£)' }).fill('40000');
  await page.getByRole('textbox', { name: 'Benefit' }).fill('2.5');
  await page.getByRole('button', { name: 'Add option' }).click();
  await page.getByRole('heading', { level: 2, name: 'Options' }).waitFor();

  // Then they score it, see the ranking with its sensitivity and the optimal portfolio.
  const fieldset = page.locator('fieldset', { hasText: 'O07' });
  for (const [label, score] of [['Health gain', '70'], ['Reducing inequalities', '90'], ['Affordability', '80'],
    ['Strategic fit', '75'], ['Deliverability', '70'], ['Patient experience', '65']]) {
    await fieldset.getByLabel(label).fill(score);
  }
  await page.getByRole('button', { name: 'Save my scores' }).click();
  await page.getByRole('table', { name: /Weight sensitivity/ }).waitFor();
  assert.ok(await page.getByRole('img', { name: /Options by cost and benefit/ }).isVisible());
  assert.deepEqual(await seriousViolations(page), []);
  await page.screenshot({ path: screenshotPath('prioritisation.png'), fullPage: true });

  // And record the decision, which the register then shows against the gap.
  await page.getByLabel('Option to decide').selectOption('O07');
  await page.getByLabel('Decision').selectOption('invest');
  await page.getByLabel('Rationale').fill('Closes the largest unmet need within budget');
  await page.getByRole('button', { name: 'Record decision' }).click();
  await page.getByRole('cell', { name: 'Closes the largest unmet need within budget' }).waitFor();
  await page.goto(`${server.url}/plan/gaps`);
  assert.ok(await page.getByText(/Closes the largest unmet need within budget/).isVisible());
  assert.deepEqual(await seriousViolations(page), []);
  assert.deepEqual(page.consoleErrors.filter((e) => !e.includes('422 (Unprocessable Entity)')), []);
  await page.close();
});

test('a finance manager reads a contract, its KPIs and withholding, and attaches a document', async () => {
  await browser.context.clearCookies();
  const page = await newPage(browser.context);
  await signIn(page, server.url, 'finance@demo.commissioner.test');
  await page.goto(`${server.url}/procure/contracts`);
  await page.getByRole('heading', { level: 1, name: 'Contract register' }).waitFor();
  assert.ok(await page.getByText('Portfolio by service').isVisible());
  assert.deepEqual(await seriousViolations(page), []);
  await page.getByRole('link', { name: /Acute services from Ashmere University Hospitals/ }).click();
  await page.getByRole('heading', { level: 2, name: 'Service lines and indicative activity plan' }).waitFor();
  await page.getByRole('heading', { level: 2, name: 'Quality requirements and KPIs' }).waitFor();

  // Given discharge summaries missed their threshold in July, July's statement withholds.
  await page.getByLabel('Month').fill('2025-07');
  await page.getByRole('button', { name: 'Show' }).click();
  await page.getByText(/Withheld: Discharge summaries/).first().waitFor();
  assert.deepEqual(await seriousViolations(page), []);
  await page.screenshot({ path: screenshotPath('contract.png'), fullPage: true });

  // When they attach without choosing a file, the error summary links to the file field.
  await page.getByLabel('Title of the document').fill('Signed particulars');
  await page.getByRole('button', { name: 'Attach document' }).click();
  await page.getByText('There is a problem').waitFor();
  assert.deepEqual(await seriousViolations(page), []);
  await page.getByRole('link', { name: 'Choose a file to attach' }).click();
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'document');

  // Then with a file it is attached and listed.
  await page.getByLabel('Title of the document').fill('Signed particulars');
  await page.getByLabel('File to attach').setInputFiles({
    name: 'particulars.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4 signed'),
  });
  await page.getByRole('button', { name: 'Attach document' }).click();
  await page.getByRole('link', { name: 'Signed particulars' }).waitFor();
  assert.ok(await page.getByText('Document attached: Signed particulars').isVisible());
  // The refused upload's page came with status 422 on purpose; nothing else went wrong.
  assert.deepEqual(page.consoleErrors.filter((e) => !e.includes('422 (Unprocessable Entity)')), []);
  await page.close();
});

test('an analyst reads every trust\'s A&E 4-hour performance and opens one trust\'s SPC chart', async () => {
  await browser.context.clearCookies();
  const page = await newPage(browser.context);
  await signIn(page, server.url, 'analyst@demo.commissioner.test');
  await page.goto(`${server.url}/monitor`);
  await page.getByRole('link', { name: /Performance against national standards/ }).click();
  await page.getByRole('link', { name: 'A&E: seen within 4 hours (all types)' }).click();
  // Given the real NHS England returns, every trust is a small multiple with its icons.
  await page.getByRole('heading', { level: 2, name: 'Variation and assurance' }).waitFor();
  const multiples = await page.locator('.app-multiple').count();
  assert.ok(multiples >= 60, `${multiples} small multiples`);
  assert.deepEqual(await seriousViolations(page), []);
  await page.screenshot({ path: screenshotPath('performance-overview.png'), fullPage: false });

  // When they find one trust and open its chart, the chart, its icons and its months show.
  await page.getByLabel('Find an organisation by name or code').fill('RL4');
  await page.getByRole('button', { name: 'Search' }).click();
  await page.getByRole('link', { name: /\(RL4\)/ }).click();
  await page.getByRole('heading', { level: 2, name: 'A&E: seen within 4 hours (all types)' }).waitFor();
  assert.ok(await page.getByRole('img', { name: /A&E: seen within 4 hours/ }).isVisible());
  assert.ok(await page.getByText(/Special cause variation|Common cause variation/).first().isVisible());
  assert.ok(await page.getByRole('cell', { name: 'Mar 2019' }).isVisible());
  assert.deepEqual(await seriousViolations(page), []);
  await page.screenshot({ path: screenshotPath('performance-trust.png'), fullPage: true });
  assert.deepEqual(page.consoleErrors, []);
  await page.close();
});

test('a commissioner reads a contract\'s performance, records an evaluation and prints the board report', async () => {
  await browser.context.clearCookies();
  const page = await newPage(browser.context);
  await signIn(page, server.url, 'commissioner@demo.commissioner.test');
  await page.goto(`${server.url}/procure/contracts/Q99-R9A-2024`);
  await page.getByRole('link', { name: 'Performance', exact: true }).click();
  // Given eighteen months of KPI returns, each KPI has its rating, chart and icons.
  await page.getByRole('heading', { level: 2, name: 'KPIs and quality requirements' }).waitFor();
  assert.ok(await page.getByRole('img', { name: /DS24: Discharge summaries/ }).isVisible());
  assert.ok(await page.getByRole('heading', { level: 3, name: 'Friends and Family Test' }).isVisible());
  assert.deepEqual(await seriousViolations(page), []);
  await page.screenshot({ path: screenshotPath('contract-performance.png'), fullPage: true });

  // When they record an evaluation without its reasons, the error summary links to the field.
  await page.getByRole('link', { name: 'Evaluation', exact: true }).click();
  await page.getByRole('heading', { level: 2, name: 'Record the evaluation' }).waitFor();
  await page.getByLabel('Review date').fill('2025-09-30');
  await page.getByLabel('Recommendation', { exact: true }).selectOption('redesign');
  await page.getByRole('button', { name: 'Record evaluation' }).click();
  await page.getByText('There is a problem').waitFor();
  assert.deepEqual(await seriousViolations(page), []);
  await page.getByRole('link', { name: 'Enter the reasons for the recommendation' }).click();
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'rationale');

  // Then with reasons and a finding it is recorded, and the finding reaches the plan.
  await page.getByLabel('Reasons for the recommendation').fill('Four-hour performance stayed below the planning target.');
  await page.getByLabel('Findings for the next plan, one per line').fill('Same-day emergency care needs winter capacity');
  await page.getByRole('button', { name: 'Record evaluation' }).click();
  await page.getByRole('heading', { level: 2, name: 'Findings for the 2026/27 plan' }).waitFor();
  await page.goto(`${server.url}/plan`);
  await page.getByRole('cell', { name: 'Same-day emergency care needs winter capacity' }).waitFor();

  // And the board report is accessible and prints to a PDF.
  await page.goto(`${server.url}/monitor/board-report`);
  await page.getByRole('heading', { level: 1, name: /Performance report to the board/ }).waitFor();
  assert.deepEqual(await seriousViolations(page), []);
  const pdf = await page.pdf({ format: 'A4', printBackground: true });
  assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
  assert.ok(pdf.length > 10_000, `${pdf.length} bytes`);
  await page.screenshot({ path: screenshotPath('board-report.png'), fullPage: true });
  assert.deepEqual(page.consoleErrors.filter((e) => !e.includes('422 (Unprocessable Entity)')), []);
  await page.close();
});

test('a specification is tendered, bid for, evaluated by two evaluators, moderated and awarded', async () => {
  const as = async (email) => {
    await browser.context.clearCookies();
    const page = await newPage(browser.context);
    await signIn(page, server.url, email);
    return page;
  };
  const step = async (page, event) => {
    await page.getByLabel('Step', { exact: true }).selectOption(event);
    await page.getByRole('button', { name: 'Take step' }).click();
    await page.waitForLoadState('load');
  };
  // Given a tender whose deadline is two minutes away (UTC, to the minute).
  const deadline = new Date(Date.now() + 2 * 60_000);
  const text = deadline.toISOString().slice(0, 16);
  let page = await as('commissioner@demo.commissioner.test');
  // The service specification comes first: what the service must achieve and how it is measured.
  await page.goto(`${server.url}/procure/specifications/new`);
  await page.getByRole('button', { name: 'Save the first version' }).click();
  await page.getByText('There is a problem').waitFor();
  await page.getByLabel('Title', { exact: true }).fill('Community eye care');
  await page.getByLabel('Outcomes', { exact: true }).fill('Glaucoma monitored in the community');
  await page.getByLabel('KPIs', { exact: true }).fill('EYE1 | Reviews on time (%) | 95 | higher | reviews on time / reviews due');
  await page.getByLabel('Duration in months').fill('36');
  await page.getByLabel('Needs, gaps and priorities it answers').fill('Gap: ophthalmology follow-up backlog');
  await page.getByRole('button', { name: 'Save the first version' }).click();
  await page.getByRole('heading', { level: 1, name: 'Community eye care' }).waitFor();
  assert.deepEqual(await seriousViolations(page), []);
  await page.goto(`${server.url}/procure/tenders/new`);
  await page.getByLabel('What is being procured').fill('Community diagnostic centre');
  await page.getByLabel('Service specification').selectOption({ label: 'Community eye care (version 1)' });
  await page.getByLabel('Deadline for bids').fill(text);
  await page.getByLabel('Points for price').fill('40');
  await page.getByLabel('Quality criteria, one per line').fill('Quality | 50 | 2\nSocial value | 20');
  await page.getByRole('button', { name: 'Create tender' }).click();
  await page.getByText('There is a problem').waitFor();
  await page.getByRole('link', { name: /must come to 100/ }).click();
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'criteria');
  await page.getByLabel('Quality criteria, one per line').fill('Quality | 40 | 2\nSocial value | 20');
  await page.getByRole('button', { name: 'Create tender' }).click();
  await page.getByRole('heading', { level: 1, name: 'Community diagnostic centre' }).waitFor();
  const tender = page.url();
  await step(page, 'publish');
  assert.deepEqual(await seriousViolations(page), []);
  await page.close();

  // When two providers bid, each sees only its own, and the commissioner sees them sealed.
  for (const [email, price, response] of [
    ['provider@demo.commissioner.test', '2000000.00', 'Ashmere offer'],
    ['provider.b@demo.commissioner.test', '1600000.00', 'Second offer'],
  ]) {
    page = await as(email);
    await page.goto(tender);
    await page.getByText('EYE1 | Reviews on time (%)').waitFor();
    await page.getByLabel('Price').fill(price);
    await page.getByLabel('Your response to each criterion').fill(response);
    await page.getByRole('button', { name: 'Submit bid' }).click();
    await page.getByRole('cell', { name: response }).waitFor();
    assert.deepEqual(await seriousViolations(page), []);
    await page.close();
  }
  page = await as('admin@demo.commissioner.test');
  await page.goto(tender);
  await page.getByText(/The bids are sealed until the deadline/).waitFor();
  assert.equal(await page.getByText('Ashmere offer').count(), 0);
  await page.close();

  // Then, once the deadline has passed, the tender closes and goes to evaluation.
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, deadline.getTime() - Date.now()) + 1_000));
  page = await as('commissioner@demo.commissioner.test');
  await page.goto(tender);
  await step(page, 'close');
  await step(page, 'start_evaluation');
  await page.close();

  // Two evaluators declare their interests and score both bids independently.
  for (const [email, scores] of [
    ['evaluator@demo.commissioner.test', { A: ['5', '4'], B: ['3', '3'] }],
    ['clinical.lead@demo.commissioner.test', { A: ['4', '4'], B: ['3', '2'] }],
  ]) {
    page = await as(email);
    await page.goto(tender);
    await page.getByRole('button', { name: 'Declare interests' }).click();
    await page.getByRole('heading', { level: 2, name: 'Your scores' }).waitFor();
    for (const [bidder, [quality, social]] of [['R9A', scores.A], ['R9B', scores.B]]) {
      const form = page.locator('form', { has: page.getByRole('button', { name: `Save scores for ${bidder}` }) });
      await form.getByLabel('Quality (40 points)').selectOption(quality);
      await form.getByLabel('Comment on Quality').fill('Evidence given');
      await form.getByLabel('Social value (20 points)').selectOption(social);
      await form.getByLabel('Comment on Social value').fill('Plan given');
      await form.getByRole('button', { name: `Save scores for ${bidder}` }).click();
      await page.waitForLoadState('load');
    }
    assert.deepEqual(await seriousViolations(page), []);
    await page.close();
  }

  // Moderation agrees a consensus; the first-ranked bid gets the intention and the award.
  page = await as('commissioner@demo.commissioner.test');
  await page.goto(tender);
  await step(page, 'start_moderation');
  for (const [bidder, quality, social] of [['R9A', '5', '4'], ['R9B', '3', '2']]) {
    const form = page.locator('form', { has: page.getByRole('button', { name: `Agree scores for ${bidder}` }) });
    await form.getByLabel('Consensus on Quality', { exact: true }).selectOption(quality);
    await form.getByLabel('Reason for the consensus on Quality').fill('Agreed at moderation');
    await form.getByLabel('Consensus on Social value', { exact: true }).selectOption(social);
    await form.getByLabel('Reason for the consensus on Social value').fill('Agreed at moderation');
    await form.getByRole('button', { name: `Agree scores for ${bidder}` }).click();
    await page.waitForLoadState('load');
  }
  await page.getByRole('table', { name: /Bids by rank/ }).waitFor();
  assert.deepEqual(await seriousViolations(page), []);
  const published = new Date(Date.now() - 30 * 86_400_000).toISOString().slice(0, 10);
  await page.getByLabel('Date the notice is published').fill(published);
  await page.getByRole('button', { name: 'Publish intention to award' }).click();
  await page.getByText('Standstill ends', { exact: true }).waitFor();
  await page.getByRole('heading', { level: 2, name: 'Intention to award notice' }).waitFor();
  assert.deepEqual(await seriousViolations(page), []);
  await page.getByLabel('Contract starts').fill('2027-04-01');
  await page.getByLabel('Contract ends').fill('2030-03-31');
  await page.getByRole('button', { name: 'Award contract' }).click();
  await page.getByRole('heading', { level: 1, name: 'Community diagnostic centre' }).waitFor();
  assert.match(page.url(), /\/procure\/contracts\/Q99-R9A-T\d+$/);
  await page.screenshot({ path: screenshotPath('awarded-contract.png'), fullPage: true });
  assert.deepEqual(page.consoleErrors.filter((e) => !e.includes('422 (Unprocessable Entity)')), []);
  await page.close();
});

test('signed out, the public area opens without signing in, passes axe-core and shows nothing private', async () => {
  const page = await newPage(browser.context);
  await browser.context.clearCookies();
  // The start page links to the public area.
  await page.goto(`${server.url}/`);
  await page.getByRole('link', { name: /Information for patients and the public/ }).click();
  await page.getByRole('heading', { level: 1, name: 'Public information' }).waitFor();
  const seen = new Set();
  const queue = [new URL(page.url()).pathname];
  const privateText = ['@demo.commissioner.test', 'Chris Commissioner', 'Eve Evaluator', '4,800,000', 'response to each criterion'];
  while (queue.length > 0) {
    const path = queue.shift();
    if (seen.has(path)) continue;
    seen.add(path);
    const response = await page.goto(`${server.url}${path}`);
    assert.equal(response.status(), 200, path);
    assert.notEqual(new URL(page.url()).pathname, '/sign-in', `${path} asked to sign in`);
    assert.deepEqual(await seriousViolations(page), [], path);
    const text = await page.locator('body').innerText();
    for (const secret of privateText) assert.ok(!text.includes(secret), `${path} shows ${secret}`);
    const hrefs = await page.locator('main a[href^="/public"], nav a[href^="/public"]').evaluateAll(
      (links) => links.map((a) => a.getAttribute('href').split('#')[0]),
    );
    queue.push(...hrefs);
  }
  assert.ok(seen.size >= 8, `public pages: ${[...seen].join(', ')}`);
  await page.goto(`${server.url}/public/psr-summary`);
  await page.getByRole('heading', { level: 1, name: 'Provider Selection Regime annual summary' }).waitFor();
  await page.screenshot({ path: screenshotPath('public-psr-summary.png'), fullPage: true });
  await page.goto(`${server.url}/public/providers/R9A`);
  await page.getByText('Friends and Family Test').first().waitFor();
  await page.screenshot({ path: screenshotPath('public-provider.png'), fullPage: true });
  assert.deepEqual(page.consoleErrors, []);
  await page.close();
});

test('a commissioner reads the operating plan\'s objectives with progress from monitoring', async () => {
  const page = await newPage(browser.context);
  await browser.context.clearCookies();
  await signIn(page, server.url, 'commissioner@demo.commissioner.test');
  await page.goto(`${server.url}/strategy`);
  await page.getByRole('link', { name: 'Our plans' }).click();
  await page.getByRole('link', { name: 'Operating plan 2025/26' }).click();
  await page.getByRole('heading', { level: 1, name: 'Operating plan 2025/26' }).waitFor();
  const row = page.locator('tr', { hasText: 'Patients seen within 4 hours' });
  assert.match(await row.innerText(), /76\.5 \(Sep 2025\)/);
  assert.match(await row.innerText(), /On track/);
  assert.deepEqual(await seriousViolations(page), []);
  // An objective with a bad target is refused in the error summary, linked to the field.
  await page.getByLabel('Objective', { exact: true }).fill('Discharge summaries within 24 hours');
  await page.getByLabel('Measure', { exact: true }).fill('kpi:Q99-R9A-2024:DS24');
  await page.getByLabel('Baseline').fill('94');
  await page.getByLabel('Target', { exact: true }).fill('most');
  await page.getByLabel('Measured from').fill('2025-04-01');
  await page.getByLabel('Target due by').fill('2026-03-31');
  await page.getByRole('button', { name: 'Add the objective' }).click();
  await page.getByText('There is a problem').waitFor();
  assert.deepEqual(await seriousViolations(page), []);
  await page.getByLabel('Target', { exact: true }).fill('95');
  await page.getByRole('button', { name: 'Add the objective' }).click();
  await page.locator('tr', { hasText: 'Discharge summaries within 24 hours' }).waitFor();
  await page.screenshot({ path: screenshotPath('operating-plan.png'), fullPage: true });
  // The refused objective's page came with status 422 on purpose; nothing else went wrong.
  assert.deepEqual(page.consoleErrors.filter((e) => !e.includes('422 (Unprocessable Entity)')), []);
  await page.close();
});

test('a member of the public responds to a consultation, and the commissioner reads the analysis and the competencies', async () => {
  const page = await newPage(browser.context);
  await browser.context.clearCookies();
  // Given an open consultation in the public area, signed out the form asks to sign in.
  await page.goto(`${server.url}/public/consultations`);
  await page.getByRole('link', { name: 'Where community services should be provided' }).click();
  await page.getByRole('link', { name: 'Sign in to respond' }).click();
  await page.getByLabel('Email address').fill('public@demo.commissioner.test');
  await page.getByLabel('Password').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { level: 1, name: 'Where community services should be provided' }).waitFor();
  // When an answer is missing, the error summary names the question.
  await page.getByRole('button', { name: 'Send my response' }).click();
  await page.getByText('There is a problem').waitFor();
  assert.deepEqual(await seriousViolations(page), []);
  await page.getByLabel(/1\. Services should be offered/).selectOption({ label: 'Agree' });
  await page.getByLabel(/2\. Where would you find it easiest/).fill('The library in the town centre');
  await page.getByRole('button', { name: 'Send my response' }).click();
  await page.getByText('your response has been recorded').waitFor();
  assert.deepEqual(await seriousViolations(page), []);
  await page.screenshot({ path: screenshotPath('public-consultation-response.png'), fullPage: true });
  // Then the commissioner sees the analysis, the engagement record and the competencies' trend.
  await browser.context.clearCookies();
  await signIn(page, server.url, 'commissioner@demo.commissioner.test');
  await page.goto(`${server.url}/strategy/consultations`);
  await page.getByRole('link', { name: 'Where community services should be provided' }).click();
  await page.getByRole('heading', { level: 2, name: 'Analysis of the responses' }).waitFor();
  assert.match(await page.locator('main').innerText(), /Member of the public/);
  assert.deepEqual(await seriousViolations(page), []);
  await page.getByRole('link', { name: /^decision / }).click();
  await page.getByRole('heading', { level: 2, name: 'Engagement record' }).waitFor();
  await page.goto(`${server.url}/strategy/assessments`);
  await page.getByRole('heading', { level: 2, name: 'Trend' }).waitFor();
  assert.deepEqual(await seriousViolations(page), []);
  await page.goto(`${server.url}/strategy/programmes/1`);
  await page.getByText('(current stage)').waitFor();
  assert.deepEqual(await seriousViolations(page), []);
  await page.screenshot({ path: screenshotPath('programme-cycle.png'), fullPage: true });
  assert.deepEqual(page.consoleErrors.filter((e) => !e.includes('422 (Unprocessable Entity)')), []);
  await page.close();
});
