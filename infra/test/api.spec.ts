/**
 * The HTTP API: POST /order, GET /orders/{order_id} and $default as one Lambda proxy integration
 * (payload 1.0), the $default stage's throttling and access logs.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { blocks, config, expr, moduleCall, resource, squash } from './support/terraform';

describe('API', () => {
  describe('routes', () => {
    it('send POST /order, GET /orders/{order_id} and $default to one Lambda proxy integration (payload 1.0)', async () => {
      const api = await config('modules/http-api');
      expect(resource(api, 'aws_apigatewayv2_api', 'this').protocol_type).toBe('HTTP');
      const integration = resource(api, 'aws_apigatewayv2_integration', 'lambda');
      expect(integration).toMatchObject({ integration_type: 'AWS_PROXY', integration_method: 'POST', payload_format_version: '1.0' });
      expect(expr(integration.integration_uri)).toBe('var.lambda_invoke_arn');

      const route = resource(api, 'aws_apigatewayv2_route', 'this');
      expect(expr(route.for_each)).toBe('local.route_keys');
      expect(squash(api.locals.route_keys)).toBe('toset(["POST /order", "GET /orders/{order_id}", "$default"])');
      expect(route.target).toBe('integrations/${aws_apigatewayv2_integration.lambda.id}');
      expect(route.authorization_type).toBe('NONE');

      const dev = await config('envs/dev');
      expect(expr(moduleCall(dev, 'api').lambda_invoke_arn)).toBe('module.api_handler.invoke_arn');
      expect(moduleCall(dev, 'api').source).toBe('../../modules/http-api');
    });

    it('leave body validation and every error answer to api-handler: no model, validator or gateway response', async () => {
      const api = await config('modules/http-api');
      const types = Object.keys(api.resources);
      expect(types.filter((t) => t.startsWith('aws_api_gateway_'))).toEqual([]);
      expect(existsSync(join(__dirname, '..', 'modules', 'rest-api'))).toBe(false);
      expect(existsSync(join(__dirname, '..', 'generated', 'create-order.model.json'))).toBe(false);
      const dev = await config('envs/dev');
      expect(moduleCall(dev, 'api').create_order_model_schema).toBeUndefined();
      expect(dev.variables.api_validate_request_body).toBeUndefined();
    });

    it('start the order\'s trace in the workflow, sampled by the environment\'s rule (HTTP APIs have no X-Ray tracing)', async () => {
      const dev = await config('envs/dev');
      // Active would sample at Lambda's fixed 1/s + 5 %, which no sampling rule changes.
      expect(moduleCall(dev, 'api_handler').tracing_mode).toBeUndefined();
      const machine = await config('modules/state-machine');
      expect(blocks(resource(machine, 'aws_sfn_state_machine', 'this'), 'tracing_configuration')[0]?.enabled).toBe(true);
      const rule = resource(dev, 'aws_xray_sampling_rule', 'orders');
      // A state machine's X-Ray service name is its name, ${local.name_prefix}-order-workflow.
      expect(rule.service_name).toBe('${local.name_prefix}-*');
      expect(rule.service_type).toBe('*');
      expect(expr(moduleCall(dev, 'order_workflow').name)).toBe('local.state_machine_name');
      expect(squash(dev.locals.state_machine_name)).toBe('${local.name_prefix}-order-workflow');
    });
  });

  describe('stage', () => {
    it('is $default, deployed on every change, throttled with the environment\'s limits', async () => {
      const api = await config('modules/http-api');
      const stage = resource(api, 'aws_apigatewayv2_stage', 'this');
      expect(stage.name).toBe('$default');
      expect(stage.auto_deploy).toBe(true);
      const throttling = blocks(stage, 'default_route_settings')[0];
      expect(expr(throttling?.throttling_rate_limit)).toBe('var.throttling_rate_limit');
      expect(expr(throttling?.throttling_burst_limit)).toBe('var.throttling_burst_limit');

      const dev = await config('envs/dev');
      const call = moduleCall(dev, 'api');
      expect(expr(call.throttling_rate_limit)).toBe('var.api_throttling_rate_limit');
      expect(expr(call.throttling_burst_limit)).toBe('var.api_throttling_burst_limit');
    });

    it('writes a short JSON access log line to a managed log group with retention', async () => {
      const api = await config('modules/http-api');
      const stage = resource(api, 'aws_apigatewayv2_stage', 'this');
      const access = blocks(stage, 'access_log_settings')[0];
      expect(expr(access?.destination_arn)).toBe('aws_cloudwatch_log_group.access.arn');
      const format = squash(access?.format);
      for (const field of ['$context.requestId', '$context.identity.sourceIp', '$context.routeKey', '$context.status', '$context.responseLength', '$context.integrationLatency', '$context.integrationErrorMessage']) {
        expect(format).toContain(`"${field}"`);
      }
      const group = resource(api, 'aws_cloudwatch_log_group', 'access');
      expect(expr(group.retention_in_days)).toBe('var.access_log_retention_in_days');
      expect(expr(group.tags)).toBe('var.tags');
      for (const type of ['aws_apigatewayv2_api', 'aws_apigatewayv2_stage']) expect(expr(resource(api, type, 'this').tags)).toBe('var.tags');
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
    const api = await config('modules/http-api');
    // The $default stage's URL ends in "/": trimmed, so "<api_url>/order" has one slash.
    expect(squash(api.outputs.invoke_url?.value)).toContain('trimsuffix(aws_apigatewayv2_stage.this.invoke_url, "/")');
  });
});
