/**
 * The REST API: POST /order and GET /orders/{order_id} as Lambda proxy routes, the request model
 * generated from order-domain (never written twice), stage throttling and access logs.
 */
import { readFileSync } from 'node:fs';
import { CREATE_ORDER_MODEL_FILE, renderCreateOrderModel } from '../scripts/api-model';
import { type Body, blocks, config, expr, moduleCall, resource, squash } from './support/terraform';

/** JSON Schema draft 4 keywords API Gateway models accept (and that our schema may use). */
const DRAFT4_KEYWORDS = new Set([
  '$schema', 'title', 'description', 'type', 'properties', 'required', 'additionalProperties', 'items',
  'minItems', 'maxItems', 'minLength', 'maxLength', 'pattern', 'minimum', 'maximum', 'enum', 'format',
  'exclusiveMinimum', 'exclusiveMaximum', 'uniqueItems', 'default', 'definitions', '$ref', 'anyOf', 'allOf',
  'oneOf', 'not', 'multipleOf', 'minProperties', 'maxProperties', 'patternProperties',
]);

/**
 * The value a `cond ? a : b` expression takes for the given value of `var.<name>` (the other
 * expressions are returned as written). Throws when the expression is not such a choice on it.
 */
function choose(expression: unknown, name: string, value: boolean): string {
  const match = new RegExp(`^var\\.${name}\\s*\\?\\s*(.+?)\\s*:\\s*(.+)$`).exec(squash(expression));
  if (!match) throw new Error(`not a choice on var.${name}: ${squash(expression)}`);
  return (value ? match[1] : match[2]) as string;
}

function keywords(schema: unknown, path = '#'): string[] {
  if (!schema || typeof schema !== 'object' || Array.isArray(schema)) return [];
  const out: string[] = [];
  for (const [key, value] of Object.entries(schema)) {
    out.push(`${path}/${key}`);
    if (key === 'properties' || key === 'definitions' || key === 'patternProperties') {
      for (const [name, sub] of Object.entries(value as Record<string, unknown>)) out.push(...keywords(sub, `${path}/${key}/${name}`));
    } else if (key === 'items' || key === 'not' || key === 'additionalProperties') {
      out.push(...keywords(value, `${path}/${key}`));
    } else if (['anyOf', 'allOf', 'oneOf'].includes(key)) {
      (value as unknown[]).forEach((sub, i) => out.push(...keywords(sub, `${path}/${key}/${i}`)));
    }
  }
  return out;
}

describe('API', () => {
  describe('request model', () => {
    it('is the committed infra/generated/create-order.model.json, byte for byte (run `nx run infra:generate`)', () => {
      expect(readFileSync(CREATE_ORDER_MODEL_FILE, 'utf8')).toBe(renderCreateOrderModel());
    });

    it('is JSON Schema draft 4 using only keywords API Gateway accepts', () => {
      const model = JSON.parse(renderCreateOrderModel()) as Record<string, unknown>;
      expect(model.$schema).toBe('http://json-schema.org/draft-04/schema#');
      expect(model.type).toBe('object');
      const unknown = keywords(model).filter((p) => !DRAFT4_KEYWORDS.has(p.split('/').pop() as string));
      expect(unknown).toEqual([]);
    });

    it('is read by Terraform from the generated file, not written in HCL', async () => {
      const dev = await config('envs/dev');
      expect(expr(moduleCall(dev, 'api').create_order_model_schema)).toBe(
        'file("${path.module}/../../generated/create-order.model.json")',
      );
      const api = await config('modules/rest-api');
      const model = resource(api, 'aws_api_gateway_model', 'create_order');
      expect(expr(model.schema)).toBe('var.create_order_model_schema');
      expect(model.content_type).toBe('application/json');
    });
  });

  describe('routes', () => {
    it('serve POST /order and GET /orders/{order_id} (plus ANY for 405s) through one Lambda proxy integration', async () => {
      const api = await config('modules/rest-api');
      expect(resource(api, 'aws_api_gateway_resource', 'order').path_part).toBe('order');
      expect(resource(api, 'aws_api_gateway_resource', 'orders').path_part).toBe('orders');
      const byId = resource(api, 'aws_api_gateway_resource', 'order_by_id');
      expect(byId.path_part).toBe('{order_id}');
      expect(expr(byId.parent_id)).toBe('aws_api_gateway_resource.orders.id');

      const table = api.locals.routes as Record<string, Body>;
      expect(table.post_order).toMatchObject({
        resource_id: '${aws_api_gateway_resource.order.id}',
        http_method: 'POST',
        request_models: { 'application/json': '${aws_api_gateway_model.create_order.name}' },
      });
      expect(table.get_order).toMatchObject({
        resource_id: '${aws_api_gateway_resource.order_by_id.id}',
        http_method: 'GET',
        request_validator: '${aws_api_gateway_request_validator.parameters.id}',
        request_parameters: { 'method.request.path.order_id': true },
      });
      expect(Object.values(table).map((r) => r.http_method).sort()).toEqual(['ANY', 'ANY', 'GET', 'POST']);

      const integration = resource(api, 'aws_api_gateway_integration', 'this');
      expect(expr(integration.for_each)).toBe('local.routes');
      expect(integration.type).toBe('AWS_PROXY');
      expect(integration.integration_http_method).toBe('POST');
      expect(expr(integration.uri)).toBe('var.lambda_invoke_arn');
      const dev = await config('envs/dev');
      expect(expr(moduleCall(dev, 'api').lambda_invoke_arn)).toBe('module.api_handler.invoke_arn');
    });

    it('leave POST body validation to the function by default (validate_request_body = false)', async () => {
      const api = await config('modules/rest-api');
      const variable = api.variables.validate_request_body as Body;
      expect(variable.type).toBe('${bool}');
      expect(variable.default).toBe(false);
      expect(variable.description).toMatch(/one detail per bad field/);

      const dev = await config('envs/dev');
      expect(expr(moduleCall(dev, 'api').validate_request_body)).toBe('var.api_validate_request_body');
      const devVariable = dev.variables.api_validate_request_body as Body;
      expect(devVariable.type).toBe('${bool}');
      expect(devVariable.default).toBe(false);
    });

    it('attach the CreateOrderRequest model to POST /order whatever the validator', async () => {
      const api = await config('modules/rest-api');
      const postOrder = (api.locals.routes as Record<string, Body>).post_order as Body;
      // A literal map: not chosen by the variable, so it is attached (and exported) either way.
      expect(postOrder.request_models).toEqual({ 'application/json': '${aws_api_gateway_model.create_order.name}' });
      const model = resource(api, 'aws_api_gateway_model', 'create_order');
      expect(model.count).toBeUndefined();
      expect(model.for_each).toBeUndefined();
      const method = resource(api, 'aws_api_gateway_method', 'this');
      expect(expr(method.request_models)).toBe('each.value.request_models');
      expect(expr(method.request_validator_id)).toBe('each.value.request_validator');
    });

    it('validate the POST body against the model in API Gateway only when validate_request_body is true', async () => {
      const api = await config('modules/rest-api');
      const body = resource(api, 'aws_api_gateway_request_validator', 'body');
      expect(body).toMatchObject({ validate_request_body: true, validate_request_parameters: true });
      expect(choose(body.count, 'validate_request_body', true)).toBe('1');
      expect(choose(body.count, 'validate_request_body', false)).toBe('0');
      expect(resource(api, 'aws_api_gateway_request_validator', 'parameters')).toMatchObject({
        validate_request_body: false,
        validate_request_parameters: true,
      });

      const table = api.locals.routes as Record<string, Body>;
      const postOrder = table.post_order as Body;
      expect(choose(postOrder.request_validator, 'validate_request_body', true)).toBe('aws_api_gateway_request_validator.body[0].id');
      expect(choose(postOrder.request_validator, 'validate_request_body', false)).toBe('null');
      // No other route ever gets the body validator.
      for (const [name, route] of Object.entries(table)) {
        if (name === 'post_order') continue;
        expect({ name, validator: String(route.request_validator) }).not.toEqual({
          name,
          validator: expect.stringContaining('request_validator.body'),
        });
      }
    });

    it('answer API Gateway\'s own errors with the DOFS JSON error body', async () => {
      const api = await config('modules/rest-api');
      const responses = api.locals.gateway_responses as Record<string, Body>;
      expect(Object.keys(responses)).toEqual(
        expect.arrayContaining(['BAD_REQUEST_BODY', 'MISSING_AUTHENTICATION_TOKEN', 'THROTTLED', 'DEFAULT_4XX', 'DEFAULT_5XX']),
      );
      expect(responses.MISSING_AUTHENTICATION_TOKEN?.status_code).toBe('404');
      expect(responses.BAD_REQUEST_BODY?.status_code).toBe('400');
      for (const [type, response] of Object.entries(responses)) {
        const rendered = (response.template as string)
          .replace(/\$context\.error\.messageString/g, '"a \\"quoted\\" message"')
          .replace(/\$context\.error\.\w+/g, 'text');
        const body = JSON.parse(rendered) as { error: { code: string; message: string; details: unknown[] } };
        expect({ type, code: typeof body.error.code, details: Array.isArray(body.error.details) }).toEqual({
          type,
          code: 'string',
          details: true,
        });
      }
      expect(expr(resource(api, 'aws_api_gateway_gateway_response', 'this').for_each)).toBe('local.gateway_responses');
    });
  });

  describe('stage', () => {
    it('throttles every method and writes access logs to a log group with retention', async () => {
      const api = await config('modules/rest-api');
      const settings = blocks(resource(api, 'aws_api_gateway_method_settings', 'all'), 'settings')[0];
      expect(resource(api, 'aws_api_gateway_method_settings', 'all').method_path).toBe('*/*');
      expect(expr(settings?.throttling_rate_limit)).toBe('var.throttling_rate_limit');
      expect(expr(settings?.throttling_burst_limit)).toBe('var.throttling_burst_limit');
      expect(settings?.metrics_enabled).toBe(true);

      const stage = resource(api, 'aws_api_gateway_stage', 'this');
      const access = blocks(stage, 'access_log_settings')[0];
      expect(expr(access?.destination_arn)).toBe('aws_cloudwatch_log_group.access.arn');
      expect(squash(access?.format)).toContain('requestId = "$context.requestId"');
      expect(stage.xray_tracing_enabled).toBe(true);
      expect(expr(resource(api, 'aws_cloudwatch_log_group', 'access').retention_in_days)).toBe(
        'var.access_log_retention_in_days',
      );

      const dev = await config('envs/dev');
      const call = moduleCall(dev, 'api');
      expect(expr(call.throttling_rate_limit)).toBe('var.api_throttling_rate_limit');
      expect(expr(call.throttling_burst_limit)).toBe('var.api_throttling_burst_limit');
    });

    it('manages the execution log group API Gateway writes to, with retention, before logging is on', async () => {
      const api = await config('modules/rest-api');
      const group = resource(api, 'aws_cloudwatch_log_group', 'execution');
      // The name API Gateway uses for execution logs; anything else would be a second, unused group.
      expect(expr(group.name)).toBe('API-Gateway-Execution-Logs_${aws_api_gateway_rest_api.this.id}/${var.stage_name}');
      expect(expr(group.retention_in_days)).toBe('var.execution_log_retention_in_days');
      expect(expr(group.tags)).toBe('var.tags');
      const settings = resource(api, 'aws_api_gateway_method_settings', 'all');
      expect(settings.depends_on).toEqual(['${aws_cloudwatch_log_group.execution}']);
      expect(api.variables.execution_log_retention_in_days?.default).toBe(30);
    });

    it('redeploys when a route, the model or a gateway response changes', async () => {
      const api = await config('modules/rest-api');
      const deployment = resource(api, 'aws_api_gateway_deployment', 'this');
      const triggers = squash((deployment.triggers as Body).redeployment);
      for (const part of ['aws_api_gateway_model.create_order', 'aws_api_gateway_method.this', 'aws_api_gateway_integration.this', 'aws_api_gateway_gateway_response.this']) {
        expect(triggers).toContain(part);
      }
      expect(blocks(deployment, 'lifecycle')[0]?.create_before_destroy).toBe(true);
    });
  });

  it('outputs the API URL, table and queue names and the state machine ARN', async () => {
    const dev = await config('envs/dev');
    const outputs = Object.fromEntries(Object.entries(dev.outputs).map(([name, o]) => [name, expr(o.value)]));
    expect(outputs).toMatchObject({
      api_url: 'module.api.invoke_url',
      orders_table_name: 'module.orders_table.name',
      failed_orders_table_name: 'module.failed_orders_table.name',
      order_queue_name: 'module.order_queue.queue_name',
      order_dlq_name: 'module.order_queue.dead_letter_queue_name',
      state_machine_arn: 'module.order_workflow.state_machine_arn',
    });
  });
});
