import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

// validate-order and api-handler validate with the check generated from CreateOrderRequestSchema
// (libs/order-domain/src/generated). This fails when the schema changed and the file was not regenerated.
describe('generated create-order validator', () => {
  it('matches CreateOrderRequestSchema', () => {
    const root = join(__dirname, '../../..');
    const output = execFileSync(process.execPath, [join(root, 'tools/generate-order-validator.mjs'), '--check'], { cwd: root, encoding: 'utf8' });
    expect(output).toContain('up to date');
  });
});
