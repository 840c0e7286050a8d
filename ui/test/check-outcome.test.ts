import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AssetCheckView, CheckResultView } from '../../src/server/api-types';
import { checkOutcome, OUTCOME_LABELS, sortChecks, thresholdText } from '../src/api/check-outcome';

function defined(name: string, severity: 'warn' | 'error' = 'error'): AssetCheckView {
  return {
    name,
    type: 'not_null',
    severity,
    blocking: severity === 'error',
    assertion: `${name} is not null`,
    description: null,
    threshold: null,
    latest: null,
  };
}

function ran(check: AssetCheckView, outcome: Partial<CheckResultView>): AssetCheckView {
  const latest: CheckResultView = {
    checkName: check.name,
    checkType: check.type,
    assetKey: 'a/b',
    passed: true,
    severity: check.severity,
    blocking: check.blocking,
    failingCount: 0,
    totalCount: 10,
    failingPercent: 0,
    sampleFailing: [],
    error: null,
    runId: 'r1',
    stage: 'staged',
    createdAt: '2026-11-25T00:00:00.000Z',
    ...outcome,
  };
  return { ...check, latest };
}

describe('check outcomes on the asset page', () => {
  it('a defined check that never ran reads "not run yet"', () => {
    assert.equal(checkOutcome(defined('x')), 'not-run');
    assert.equal(OUTCOME_LABELS[checkOutcome(defined('x'))], 'not run yet');
  });

  it('a failure is warned or failed by the severity it ran with, and a check that could not run is an error', () => {
    assert.equal(checkOutcome(ran(defined('x'), { passed: true })), 'passed');
    assert.equal(checkOutcome(ran(defined('x', 'warn'), { passed: false, failingCount: 1 })), 'warned');
    assert.equal(checkOutcome(ran(defined('x'), { passed: false, failingCount: 1 })), 'failed');
    assert.equal(checkOutcome(ran(defined('x'), { passed: false, error: 'column "x" not found' })), 'error');
  });

  it('lists the worst first: errors, failures, warnings, not run yet, then passed, each by name', () => {
    const checks = [
      ran(defined('e_passed'), { passed: true }),
      defined('d_not_run'),
      ran(defined('c_warned', 'warn'), { passed: false }),
      defined('b_not_run'),
      ran(defined('a_failed'), { passed: false }),
      ran(defined('z_error'), { passed: false, error: 'boom' }),
    ];
    assert.deepEqual(
      sortChecks(checks).map((c) => c.name),
      ['z_error', 'a_failed', 'c_warned', 'b_not_run', 'd_not_run', 'e_passed'],
    );
  });

  it('says what a threshold tolerates, and nothing without one', () => {
    assert.equal(thresholdText(null), '');
    assert.equal(thresholdText({ maxFailingPercent: 0.1 }), 'tolerates up to 0.1% failing rows');
    assert.equal(thresholdText({ maxFailingRows: 1, maxFailingPercent: 5 }), 'tolerates up to 1 failing row and 5% failing rows');
  });
});
