// What the docs test runs: fences, markers, working folders and links, read from Markdown.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { docBlocks, headingAnchors, relativeLinks } from './markdown-blocks.js';

test('sh and ts fences run unless marked illustrative; other languages never run', () => {
  const page = [
    '```sh',
    'npx sluice list',
    '```',
    '',
    '<!-- illustrative -->',
    '```sh',
    'npx sluice dev',
    '```',
    '```sql',
    'SELECT 1',
    '```',
    '```ts',
    'console.log(1)',
    '```',
  ].join('\n');
  assert.deepEqual(
    docBlocks(page).map((b) => [b.lang, b.code, b.line]),
    [
      ['sh', 'npx sluice list', 1],
      ['ts', 'console.log(1)', 12],
    ],
  );
});

test('a block runs in the folder its cwd comment or the sentence before it names', () => {
  const page = [
    'From the project folder (`examples/flights`):',
    '',
    '```sh',
    'npx sluice list',
    '```',
    '<!-- cwd: examples/industrial-events -->',
    '```sh',
    'ls',
    '```',
    'Then:',
    '```sh',
    'pwd',
    '```',
  ].join('\n');
  assert.deepEqual(
    docBlocks(page).map((b) => b.cwd),
    ['examples/flights', 'examples/industrial-events', undefined],
  );
});

test('links: relative targets only, none inside code; headings become GitHub anchors', () => {
  const page = [
    'See [the CLI](docs/cli.md#exit-codes), [site](https://x.org) and [here](#top).',
    '```md',
    '[not](a.md)',
    '```',
    '## Exit codes, and more',
  ].join('\n');
  assert.deepEqual(relativeLinks(page), [{ target: 'docs/cli.md#exit-codes', line: 1 }]);
  assert.ok(headingAnchors(page).has('exit-codes-and-more'));
});
