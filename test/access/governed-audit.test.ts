// Under `sluice serve`, every governed read and every refusal lands in the audit log with the policies applied.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createApiToken } from '../../src/access/identity/api-tokens.js';
import { Sluice } from '../../src/runtime/sluice.js';
import { createApp } from '../../src/server/app.js';
import { openProjectAccess, type ProjectAccess } from '../../src/server/auth/project-access.js';
import { builtFlights, type BuiltFlights } from './built-flights.js';

describe('the audit log of governed reads', { timeout: 600_000 }, () => {
  let flights: BuiltFlights;
  let sluice: Sluice;
  let access: ProjectAccess;
  let app: ReturnType<typeof createApp>;
  let bearer: string;
  const query = async (sql: string): Promise<number> =>
    (await app.request('/api/query', { method: 'POST', headers: { authorization: bearer, 'content-type': 'application/json' }, body: JSON.stringify({ sql }) }))
      .status;

  before(async () => {
    flights = await builtFlights();
    sluice = await Sluice.open({ dir: flights.dir });
    access = await openProjectAccess(sluice, 'the test server authenticates');
    app = createApp(sluice, { log: () => undefined, access: access.shared });
    bearer = `Bearer ${(await createApiToken(access.store, { user: 'analyst-west' })).token}`;
  });
  after(async () => {
    access?.close();
    await sluice?.close();
    flights?.remove();
  });

  test('an answered query is recorded with its assets, rows and the row filter that applied; a refusal with its reason', async () => {
    assert.equal(await query('SELECT region, sum(flights) AS n FROM gold.region_monthly_summary GROUP BY 1'), 200);
    assert.equal(await query("SELECT * FROM read_text('/etc/hostname')"), 403);
    const entries = (await access.shared.audit.list({})).filter((e) => e.action === 'data:query');
    const answered = entries.find((e) => e.allowed);
    assert.ok(answered, JSON.stringify(entries));
    assert.equal(answered.principal, 'analyst-west');
    assert.equal(answered.resource, 'gold/region_monthly_summary');
    assert.equal(answered.rows, 1);
    assert.match(answered.detail ?? '', /gold\/region_monthly_summary: filter own-region-origins/);
    const refused = entries.find((e) => !e.allowed);
    assert.ok(refused);
    assert.match(refused.detail ?? '', /read_text.*reads files/);
    assert.match(refused.query ?? '', /read_text/);
  });
});
