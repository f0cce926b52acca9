// The local stack must run what Terraform deploys. These tests fail when the two drift apart:
// settings, function environments, workflow template variables and the HTTP API's routes.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from '@cdktf/hcl2json';
import { settings } from '@dofs/local-aws';
import { ROUTES } from '../src/apigw/gateway';
import { effectiveSettings, functionEnvironment, LOCAL_QUEUE_METRIC_PERIOD_SECONDS } from '../src/config';
import { DEFAULT_WORKFLOW_TYPE, FUNCTION_NAMES } from '../src/constants';
import { loadWorkflowDefinition, WORKFLOW_TEMPLATE } from '../src/sfn/definition';
import { must } from './helpers';

const ROOT = path.resolve(__dirname, '../../..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed HCL is untyped JSON
type Hcl = Record<string, any>;
let dev: Hcl;
let devVariables: Hcl;
let httpApi: Hcl;

beforeAll(async () => {
  dev = (await parse('main.tf', read('infra/envs/dev/main.tf'))) as Hcl;
  devVariables = (await parse('variables.tf', read('infra/envs/dev/variables.tf'))) as Hcl;
  httpApi = (await parse('main.tf', read('infra/modules/http-api/main.tf'))) as Hcl;
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

  it('gives fulfill-order the maxReceiveCount of the settings', () => {
    const s = effectiveSettings();
    expect(functionEnvironment('fulfill-order', s, { stateMachineArn: 'arn', logLevel: 'info' })['MAX_RECEIVE_COUNT']).toBe(String(s.queues.maxReceiveCount));
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

  it('gives api-handler AUTH_MODE=jwt as Terraform does, and none only when asked (--no-auth)', () => {
    const context = { stateMachineArn: 'arn', logLevel: 'info' };
    expect(functionEnvironment('api-handler', effectiveSettings(), context)['AUTH_MODE']).toBe('jwt');
    expect(functionEnvironment('api-handler', effectiveSettings(), { ...context, authMode: 'none' })['AUTH_MODE']).toBe('none');
    const terraform = String(moduleFor('api-handler')['environment_variables']).replace(/\s+/g, ' ');
    expect(terraform).toContain('AUTH_MODE = "jwt"');
  });

  it('gives reconcile-orders the thresholds Terraform derives from the same settings', () => {
    const s = effectiveSettings();
    const ours = functionEnvironment('reconcile-orders', s, { stateMachineArn: 'arn', logLevel: 'info', orderQueueUrl: 'http://q', deadLetterQueueUrl: 'http://dlq' });
    expect(ours).toMatchObject({
      ORDER_QUEUE_URL: 'http://q',
      ORDER_DLQ_URL: 'http://dlq',
      WORKFLOW_TIMEOUT_SECONDS: String(s.workflow.timeoutSeconds),
      QUEUE_METRIC_PERIOD_SECONDS: String(s.reconciler.queueMetricPeriodSeconds),
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
    expect({ ...ours, ORDER_QUEUE_URL: '', ORDER_DLQ_URL: '', RECEIVED_AFTER_SECONDS: '5', STALLED_AFTER_SECONDS: '5' }).toEqual(shortened);
    // The local stack's metric period (1 s samples, no publishing lag), nothing else.
    const onTheStack = functionEnvironment('reconcile-orders', s, {
      stateMachineArn: 'arn',
      logLevel: 'info',
      orderQueueUrl: 'http://q',
      deadLetterQueueUrl: 'http://dlq',
      queueMetricPeriodSeconds: LOCAL_QUEUE_METRIC_PERIOD_SECONDS,
    });
    expect(onTheStack).toEqual({ ...ours, QUEUE_METRIC_PERIOD_SECONDS: '1' });
  });

  it('renders the same workflow file with the same template variables', () => {
    const workflow = must((dev['module']['order_workflow'] as Hcl[])[0]);
    const definition = String(workflow['definition']);
    expect(definition).toContain(WORKFLOW_TEMPLATE.replace('infra/', ''));
    const variables = [...definition.matchAll(/(\w+)\s*=\s*module\./g)].map((m) => m[1]).sort();
    expect(variables).toEqual(['order_queue_url', 'store_order_arn', 'validate_order_arn']);
  });

  it("bounds every execution by the settings' workflow deadline, which the reconciler is told", () => {
    const definition = loadWorkflowDefinition({ validate_order_arn: 'arn:v', store_order_arn: 'arn:s', order_queue_url: 'http://q' });
    expect(definition['TimeoutSeconds']).toBe(effectiveSettings().workflow.timeoutSeconds);
    expect(functionEnvironment('reconcile-orders', effectiveSettings(), { stateMachineArn: 'arn', logLevel: 'info' })['WORKFLOW_TIMEOUT_SECONDS']).toBe(String(definition['TimeoutSeconds']));
  });

  it('ends EnqueueOrder\'s retries within enqueueWithinSeconds, which store-order records as the message\'s sent_by', () => {
    const definition = loadWorkflowDefinition({ validate_order_arn: 'arn:v', store_order_arn: 'arn:s', order_queue_url: 'http://q' });
    const enqueue = (definition['States'] as Record<string, Record<string, unknown>>)['EnqueueOrder'] as {
      TimeoutSeconds: number;
      Retry: { MaxAttempts: number; IntervalSeconds: number; BackoffRate: number; MaxDelaySeconds?: number }[];
    };
    // Every attempt at its timeout, every wait at its longest (full jitter only shortens them).
    const [retry] = enqueue.Retry;
    if (!retry) throw new Error('EnqueueOrder must retry');
    let worst = enqueue.TimeoutSeconds;
    for (let n = 0; n < retry.MaxAttempts; n += 1) worst += Math.min(retry.IntervalSeconds * retry.BackoffRate ** n, retry.MaxDelaySeconds ?? Infinity) + enqueue.TimeoutSeconds;
    const within = effectiveSettings().workflow.enqueueWithinSeconds;
    expect(worst).toBeLessThanOrEqual(within);
    expect(functionEnvironment('store-order', effectiveSettings(), { stateMachineArn: 'arn', logLevel: 'info' })['ENQUEUE_WITHIN_SECONDS']).toBe(String(within));
  });
});

describe('Terraform (infra/modules/http-api)', () => {
  it('has the routes the local gateway serves, $default included', () => {
    const keys = [...String(local(httpApi, 'route_keys')).matchAll(/"([^"]+)"/g)].map((m) => must(m[1]));
    expect(ROUTES.map((r) => r.routeKey).sort()).toEqual(keys.sort());
    // The event's resource is the route's path (the key without its method).
    for (const route of ROUTES) expect(route.resource).toBe(route.routeKey.replace(/^[A-Z]+ /, ''));
  });

  it('authorizes every route with one JWT authorizer on the Authorization header, with the scopes the local gateway requires', () => {
    const scopes = local(httpApi, 'route_scopes') as Record<string, string[]>;
    expect(Object.fromEntries(ROUTES.map((r) => [r.routeKey, [...r.authorizationScopes]]))).toEqual(scopes);
    const route = must((httpApi['resource']['aws_apigatewayv2_route']['this'] as Hcl[])[0]);
    expect(route['authorization_type']).toBe('JWT');
    expect(route['authorizer_id']).toBe('${aws_apigatewayv2_authorizer.jwt.id}');
    const authorizer = must((httpApi['resource']['aws_apigatewayv2_authorizer']['jwt'] as Hcl[])[0]);
    expect(authorizer).toMatchObject({ authorizer_type: 'JWT', identity_sources: ['$request.header.Authorization'] });
  });

  it('sends every route to one payload 1.0 proxy integration, with no body validation or gateway responses', () => {
    const integration = must((httpApi['resource']['aws_apigatewayv2_integration']['lambda'] as Hcl[])[0]);
    expect(integration['integration_type']).toBe('AWS_PROXY');
    expect(integration['payload_format_version']).toBe('1.0');
    const route = must((httpApi['resource']['aws_apigatewayv2_route']['this'] as Hcl[])[0]);
    expect(route['target']).toBe('integrations/${aws_apigatewayv2_integration.lambda.id}');
    expect(Object.keys(httpApi['resource']).filter((type) => type.startsWith('aws_api_gateway_'))).toEqual([]);
  });
});
