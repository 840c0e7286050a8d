// `sluice access check`: tags follow column lineage, unmasked readers make it exit 1, bad policies exit 2 with a did-you-mean.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { SLUICE_BIN, tempProject, type TempProject } from '../helpers/temp-project.js';

const config = (policies: string): string => `import { asset, defineProject } from '@sluice';
export const project = defineProject({
  assets: [
    asset({ key: 'raw/people', sql: "SELECT * FROM (VALUES (1, 'ann@x.org', 'Ann'), (2, 'bob@y.org', 'Bob')) t(id, email, name)" }),
    asset({ key: 'clean/contacts', sql: 'SELECT id, lower(email) AS email_lc, name FROM raw.people' }),
    asset({ key: 'gold/domains', sql: "SELECT split_part(email_lc, '@', 2) AS domain, count(*) AS n FROM clean.contacts GROUP BY 1" }),
  ],
  policies: ${policies},
});`;

const GAPS = `{
  'raw/people': { tags: { email: ['pii'] }, masks: [{ column: 'email', mask: 'hash', appliesTo: { roles: ['analyst'] }, unless: { roles: ['admin'] } }] },
  'clean/contacts': { masks: [{ column: 'email_lc', mask: 'redact', appliesTo: { roles: ['analyst', 'operator'] }, unless: { roles: ['admin'] } }] },
}`;

describe('sluice access check', () => {
  let project: TempProject;
  const sluice = (...args: string[]) => {
    const result = spawnSync(process.execPath, [SLUICE_BIN, ...args], { cwd: project.dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    return { code: result.status, out: result.stdout, err: result.stderr };
  };
  before(() => {
    project = tempProject({ 'sluice.config.ts': config(GAPS) });
    assert.equal(sluice('materialize').code, 0);
  });
  after(() => project.remove());

  it('follows a tag downstream and exits 1 naming each column and reader left unmasked', () => {
    const { code, out, err } = sluice('access', 'check', '--json');
    assert.equal(code, 1, err);
    const result = JSON.parse(out) as {
      columns: { asset: string; column: string; tags: string[]; declared: boolean }[];
      findings: { asset: string; column: string; reader: string }[];
    };
    assert.deepEqual(
      result.columns.map((c) => [`${c.asset}.${c.column}`, c.tags, c.declared]),
      [
        ['clean/contacts.email_lc', ['pii'], false],
        ['gold/domains.domain', ['pii'], false],
        ['raw/people.email', ['pii'], true],
      ],
    );
    // No project access configuration: each role is a reader; a viewer may not read rows at all.
    assert.deepEqual(result.findings.map((f) => `${f.asset}.${f.column}:${f.reader}`).sort(), [
      'gold/domains.domain:admin',
      'gold/domains.domain:analyst',
      'gold/domains.domain:operator',
      'raw/people.email:operator',
    ]);
    assert.match(err, /4 tagged column reading\(s\) without a mask/);
  });

  it('passes once every reader is masked or exempted', () => {
    project.write(
      'sluice.config.ts',
      config(`{
      'raw/people': { tags: { email: ['pii'] }, masks: [{ column: 'email', mask: 'hash', unless: { roles: ['admin'] } }] },
      'clean/contacts': { masks: [{ column: 'email_lc', mask: 'redact', unless: { roles: ['admin'] } }] },
      'gold/domains': { masks: [{ column: 'domain', mask: 'partial', unless: { users: ['admin'], roles: ['admin'] } }] },
    }`),
    );
    const { code, out, err } = sluice('access', 'check');
    assert.equal(code, 0, err);
    assert.match(out, /gold\/domains\.domain \[pii\] \(from raw\/people\.email\): masked or exempt for every reader/);
  });

  it('refuses policies naming a missing column, an unknown role or mask, with a did-you-mean each', () => {
    project.write(
      'sluice.config.ts',
      config(`{
      'raw/people': { masks: [{ column: 'emial', mask: 'hash' }, { column: 'name', mask: 'redcat' }] },
      'clean/contacts': { rowFilters: [{ where: 'idd = 1', appliesTo: { roles: ['analist'] } }] },
      'gold/domain': { masks: [] },
    }`),
    );
    const { code, err } = sluice('access', 'check');
    assert.equal(code, 2, err);
    assert.match(err, /"raw\/people" has no column "emial"; did you mean "email"\?/);
    assert.match(err, /unknown mask "redcat"; did you mean "redact"\?/);
    assert.match(err, /unknown role "analist"; did you mean "analyst"\?/);
    assert.match(err, /unknown column "idd"; did you mean "id"\?/);
    assert.match(err, /policy for "gold\/domain": no such asset; did you mean "gold\/domains"\?/);
  });
});
