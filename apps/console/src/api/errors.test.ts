import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseApiErrorBody } from './errors.js';

describe('parseApiErrorBody', () => {
  it("reads the console's error body, ignoring extra fields", () => {
    assert.deepEqual(parseApiErrorBody({ code: 'VIGIE_E_NOT_FOUND', message: 'no alert al_x' }), {
      code: 'VIGIE_E_NOT_FOUND',
      message: 'no alert al_x',
    });
    assert.deepEqual(
      parseApiErrorBody({
        code: 'VIGIE_E_ALREADY_STORED',
        message: 'alert k is stored already, as al_x',
        id: 'al_x',
        key: 'k',
      }),
      { code: 'VIGIE_E_ALREADY_STORED', message: 'alert k is stored already, as al_x' },
    );
  });

  it('refuses what is not that shape, so that callers fall back on the status line', () => {
    for (const body of [
      undefined,
      null,
      '<html>Bad gateway</html>',
      [],
      { message: 'no code' },
      { code: '', message: 'empty code' },
      { code: 'VIGIE_E_INTERNAL' },
      { code: 42, message: 'not a string' },
    ]) {
      assert.equal(parseApiErrorBody(body), undefined, JSON.stringify(body));
    }
  });
});
