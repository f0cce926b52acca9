// The local stack must run what Terraform deploys. These tests fail when the two drift apart:
// settings, function environments, workflow template variables, API routes, the body validator's
// default and gateway responses.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from '@cdktf/hcl2json';
import { settings } from '@dofs/local-aws';
import { DEFAULT_VALIDATE_REQUEST_BODY, GATEWAY_RESPONSE_TEMPLATES, MODEL_FILE, RESOURCES } from '../src/apigw/gateway';
import { effectiveSettings, functionEnvironment } from '../src/config';
import { DEFAULT_WORKFLOW_TYPE, FUNCTION_NAMES } from '../src/constants';
import { WORKFLOW_TEMPLATE } from '../src/sfn/definition';
import { must } from './helpers';

const ROOT = path.resolve(__dirname, '../../..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed HCL is untyped JSON
type Hcl = Record<string, any>;
let dev: Hcl;
let devVariables: Hcl;
let restApi: Hcl;
let restApiVariables: Hcl;

beforeAll(async () => {
  dev = (await parse('main.tf', read('infra/envs/dev/main.tf'))) as Hcl;
  devVariables = (await parse('variables.tf', read('infra/envs/dev/variables.tf'))) as Hcl;
  restApi = (await parse('main.tf', read('infra/modules/rest-api/main.tf'))) as Hcl;
  restApiVariables = (await parse('variables.tf', read('infra/modules/rest-api/variables.tf'))) as Hcl;
});

const variable = (hcl: Hcl, name: string) => must((hcl['variable'][name] as Hcl[] | undefined)?.[0], `variable ${name}`);

const local = (hcl: Hcl, name: string) => must((hcl['locals'] as Hcl[]).find((l) => name in l), `locals.${name}`)[name];

describe('settings', () => {
  it('are infra/settings.json exactly when nothing is overridden', () => {
    const fromFile = JSON.parse(read('infra/settings.json')) as Record<string, unknown>;
    delete fromFile['$comment'];
    expect(effectiveSettings()).toEqual(fromFile);
    expect(effectiveSettings({})).toEqual(effectiveSettings({ successRate: undefined, visibilityTimeoutSeconds: undefined }));
  });

  it('change only the fields an override names', () => {
    const changed = effectiveSettings({ successRate: 0.25, visibilityTimeoutSeconds: 2 });
    const expected = JSON.parse(JSON.stringify(effectiveSettings())) as typeof changed;
    expected.fulfillment.successRate = 0.25;
    expected.queues.visibilityTimeoutSeconds = 2;
    expect(changed).toEqual(expected);
    expect(settings.fulfillment.successRate).not.toBe(0.25); // the shared object is untouched
  });

  it('give every function a timeout and memory size', () => {
    for (const name of FUNCTION_NAMES) {
      expect(effectiveSettings().functions[name]).toEqual({ timeoutSeconds: expect.any(Number), memoryMb: expect.any(Number) });
    }
  });
});

describe('Terraform (infra/envs/dev)', () => {
  it('deploys the workflow type the local stack runs by default', () => {
    expect(variable(devVariables, 'state_machine_type')['default']).toBe(DEFAULT_WORKFLOW_TYPE);
  });

  const moduleFor = (fn: string) => must((dev['module'][fn.replace('-', '_')] as Hcl[])[0], `module ${fn}`);

  /** Variable names of `environment_variables`: `local.common_environment` and/or `merge(local.common_environment, { K = … })`. */
  function terraformEnvNames(fn: string): string[] {
    const expression = String(moduleFor(fn)['environment_variables']);
    const names = new Set<string>();
    if (expression.includes('local.common_environment')) {
      for (const name of Object.keys(local(dev, 'common_environment') as Hcl)) names.add(name);
    }
    const literal = /\{([^}]*)\}\)/s.exec(expression)?.[1] ?? '';
    for (const match of literal.matchAll(/^\s*([A-Z][A-Z0-9_]*)\s*=/gm)) names.add(must(match[1]));
    return [...names].sort();
  }

  it.each(FUNCTION_NAMES)('sets the same environment variables for %s', (fn) => {
    const ours = Object.keys(functionEnvironment(fn, effectiveSettings(), { stateMachineArn: 'arn', logLevel: 'info', orderQueueUrl: 'http://queue' })).sort();
    expect(ours).toEqual(terraformEnvNames(fn));
  });

  it('gives api-handler the idempotency table and window from the settings, as Terraform does', () => {
    const fromFile = JSON.parse(read('infra/settings.json')) as {
      tables: { idempotencyKeys: string };
      idempotency: { windowSeconds: number };
    };
    const ours = functionEnvironment('api-handler', effectiveSettings(), { stateMachineArn: 'arn', logLevel: 'info', orderQueueUrl: 'http://queue' });
    expect({ table: ours['IDEMPOTENCY_TABLE'], window: ours['IDEMPOTENCY_WINDOW_SECONDS'] }).toEqual({
      table: fromFile.tables.idempotencyKeys,
      window: String(fromFile.idempotency.windowSeconds),
    });
    const terraform = String(moduleFor('api-handler')['environment_variables']).replace(/\s+/g, ' ');
    expect(terraform).toContain('IDEMPOTENCY_TABLE = module.idempotency_keys_table.name');
    expect(terraform).toContain('IDEMPOTENCY_WINDOW_SECONDS = tostring(local.settings.idempotency.windowSeconds)');
    const table = must((dev['module']['idempotency_keys_table'] as Hcl[] | undefined)?.[0], 'module idempotency_keys_table');
    expect(table['name']).toBe('${local.name_prefix}-${local.settings.tables.idempotencyKeys}');
  });

  it('gives reconcile-orders the thresholds Terraform derives from the same settings', () => {
    const s = effectiveSettings();
    const ours = functionEnvironment('reconcile-orders', s, { stateMachineArn: 'arn', logLevel: 'info', orderQueueUrl: 'http://q' });
    expect(ours).toMatchObject({
      ORDER_QUEUE_URL: 'http://q',
      RECEIVED_AFTER_SECONDS: String(s.reconciler.receivedAfterSeconds),
      STALLED_AFTER_SECONDS: String(s.queues.maxReceiveCount * s.queues.visibilityTimeoutSeconds + s.reconciler.stalledMarginSeconds),
      MAX_REDRIVES: String(s.reconciler.maxRedrives),
      MAX_ORDERS_PER_RUN: String(s.reconciler.maxOrdersPerRun),
    });
    const terraform = String(moduleFor('reconcile-orders')['environment_variables']).replace(/\s+/g, ' ');
    expect(terraform).toContain('RECEIVED_AFTER_SECONDS = tostring(local.settings.reconciler.receivedAfterSeconds)');
    expect(terraform).toContain('STALLED_AFTER_SECONDS = tostring(local.reconcile_stalled_after_seconds)');
    expect(String(local(dev, 'reconcile_stalled_after_seconds'))).toContain(
      'local.settings.queues.maxReceiveCount * local.settings.queues.visibilityTimeoutSeconds + local.settings.reconciler.stalledMarginSeconds',
    );
    // --reconcile-after sets both thresholds, nothing else.
    const shortened = functionEnvironment('reconcile-orders', s, { stateMachineArn: 'arn', logLevel: 'info', reconcileAfterSeconds: 5 });
    expect({ ...ours, ORDER_QUEUE_URL: '', RECEIVED_AFTER_SECONDS: '5', STALLED_AFTER_SECONDS: '5' }).toEqual(shortened);
  });

  it('renders the same workflow file with the same template variables', () => {
    const workflow = must((dev['module']['order_workflow'] as Hcl[])[0]);
    const definition = String(workflow['definition']);
    expect(definition).toContain(WORKFLOW_TEMPLATE.replace('infra/', ''));
    const variables = [...definition.matchAll(/(\w+)\s*=\s*module\./g)].map((m) => m[1]).sort();
    expect(variables).toEqual(['order_queue_url', 'store_order_arn', 'validate_order_arn']);
  });

  it('uploads the request model the local gateway validates with', () => {
    const api = must((dev['module']['api'] as Hcl[])[0]);
    expect(String(api['create_order_model_schema'])).toContain(MODEL_FILE.replace('infra/', ''));
  });
});

describe('Terraform (infra/modules/rest-api)', () => {
  it('has the routes the local gateway serves', () => {
    const resources = restApi['resource']['aws_api_gateway_resource'] as Hcl;
    const pathOf = (ref: string): string => {
      const name = /aws_api_gateway_resource\.(\w+)\.id/.exec(ref)?.[1];
      if (!name) return '';
      const r = must((resources[name] as Hcl[])[0]);
      const parent = String(r['parent_id']).includes('root_resource_id') ? '' : pathOf(String(r['parent_id']));
      return `${parent}/${r['path_part']}`;
    };
    const routes = Object.values(local(restApi, 'routes') as Record<string, Hcl>).map(
      (route) => `${route['http_method']} ${pathOf(String(route['resource_id']))}${Object.keys(route['request_models']).length ? ' +model' : ''}`,
    );
    const ours = RESOURCES.flatMap((r) => Object.entries(r.methods).map(([method, spec]) => `${method} ${r.resource}${spec.model ? ' +model' : ''}`));
    expect(ours.sort()).toEqual(routes.sort());
  });

  it('validates POST /order bodies in the gateway by default exactly when Terraform does (validate_request_body)', () => {
    // The module's default and the environment's default (what `apply` deploys) are the local default.
    expect(variable(restApiVariables, 'validate_request_body')['default']).toBe(DEFAULT_VALIDATE_REQUEST_BODY);
    const api = must((dev['module']['api'] as Hcl[])[0]);
    const passed = /^\$\{var\.(\w+)\}$/.exec(String(api['validate_request_body']))?.[1];
    expect(passed).toBe('api_validate_request_body');
    expect(variable(devVariables, must(passed))['default']).toBe(DEFAULT_VALIDATE_REQUEST_BODY);
    // The variable chooses the body validator for POST /order only, the route with the model.
    const routes = local(restApi, 'routes') as Record<string, Hcl>;
    const withBodyValidator = Object.entries(routes)
      .filter(([, route]) => String(route['request_validator']).includes('aws_api_gateway_request_validator.body'))
      .map(([name, route]) => [name, String(route['request_validator']).replace(/\s+/g, ' ')]);
    expect(withBodyValidator).toEqual([['post_order', '${var.validate_request_body ? aws_api_gateway_request_validator.body[0].id : null}']]);
    expect(Object.keys(must(routes['post_order'])['request_models'])).toEqual(['application/json']);
    const ours = RESOURCES.flatMap((r) => Object.entries(r.methods).filter(([, spec]) => spec.model).map(([method]) => `${method} ${r.resource}`));
    expect(ours).toEqual(['POST /order']);
  });

  it('has the gateway responses the local gateway answers with', () => {
    const responses = local(restApi, 'gateway_responses') as Record<string, { status_code: string | null; template: string }>;
    for (const [type, ours] of Object.entries(GATEWAY_RESPONSE_TEMPLATES)) {
      expect({ type, template: responses[type]?.template }).toEqual({ type, template: ours.template });
      expect({ type, status: responses[type]?.status_code ?? null }).toEqual({ type, status: ours.statusCode === null ? null : String(ours.statusCode) });
    }
  });
});
