import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CLIENT_REPORT_CODES, reportLabel } from './client-reports.js';
import { ERRORS } from './errors.js';

test('known report codes and catalogue codes are labels of their own; anything else is other', () => {
  for (const code of CLIENT_REPORT_CODES) assert.equal(reportLabel(code), code);
  assert.equal(reportLabel('devices_unavailable'), 'devices_unavailable');
  const labels = new Set(Array.from({ length: 10_000 }, (_, i) => reportLabel(`zz_${i.toString(36).replace(/\d/g, 'q')}`)));
  assert.deepEqual([...labels], ['other']);
  assert.equal(reportLabel('__proto__'), 'other');
  assert.ok(CLIENT_REPORT_CODES.length + Object.keys(ERRORS).length + 1 < 100, 'a bounded label set');
});
