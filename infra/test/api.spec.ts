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
      expect(route.authorization_type).toBe('JWT');

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

  describe('who may call it', () => {
    it('authorizes every route with the native JWT authorizer: the Authorization header, the issuer and audience given', async () => {
      const api = await config('modules/http-api');
      const authorizer = resource(api, 'aws_apigatewayv2_authorizer', 'jwt');
      expect(authorizer).toMatchObject({ authorizer_type: 'JWT', identity_sources: ['$request.header.Authorization'] });
      expect(authorizer.authorizer_uri).toBeUndefined(); // no Lambda authorizer
      const jwt = blocks(authorizer, 'jwt_configuration')[0];
      expect(expr(jwt?.issuer)).toBe('var.jwt_issuer');
      expect(expr(jwt?.audience)).toBe('var.jwt_audience');
      expect(Object.keys(api.resources.aws_apigatewayv2_authorizer ?? {})).toEqual(['jwt']);

      const route = resource(api, 'aws_apigatewayv2_route', 'this');
      expect(route.authorization_type).toBe('JWT');
      expect(expr(route.authorizer_id)).toBe('aws_apigatewayv2_authorizer.jwt.id');
      expect(squash(route.authorization_scopes)).toBe('length(local.route_scopes[each.value]) > 0 ? local.route_scopes[each.value] : null');
    });

    it('asks each route for the scopes of the auth contract: write to place, read to read, $default a valid token only', async () => {
      const api = await config('modules/http-api');
      expect(api.locals.route_scopes).toEqual({ 'POST /order': ['orders/write'], 'GET /orders/{order_id}': ['orders/read'], $default: [] });
      // Every route key has its scopes, and nothing else does.
      expect(Object.keys(api.locals.route_scopes as Record<string, unknown>).sort()).toEqual(['$default', 'GET /orders/{order_id}', 'POST /order']);
    });

    it('trusts the Cognito user pool by default, an existing issuer when jwt_issuer is set, and api-handler runs with AUTH_MODE jwt', async () => {
      const dev = await config('envs/dev');
      const call = moduleCall(dev, 'api');
      expect(expr(call.jwt_issuer)).toBe('local.jwt_issuer');
      expect(expr(call.jwt_audience)).toBe('local.jwt_audience');
      expect(squash(dev.locals.create_cognito)).toBe('var.jwt_issuer == null');
      expect(squash(dev.locals.jwt_issuer)).toBe('local.create_cognito ? module.identity[0].issuer : var.jwt_issuer');
      expect(squash(dev.locals.jwt_audience)).toBe('local.create_cognito ? module.identity[0].client_ids : var.jwt_audience');
      const identity = moduleCall(dev, 'identity');
      expect(identity.source).toBe('../../modules/identity');
      expect(squash(identity.count)).toBe('local.create_cognito ? 1 : 0');
      expect(squash(moduleCall(dev, 'api_handler').environment_variables)).toContain('AUTH_MODE = "jwt"');
    });

    it('creates a user pool with a prefix domain, the orders resource server and its three scopes, a machine and a customer client', async () => {
      const identity = await config('modules/identity');
      const pool = resource(identity, 'aws_cognito_user_pool', 'this');
      expect(expr(pool.name)).toBe('var.name');
      expect(blocks(pool, 'admin_create_user_config')[0]?.allow_admin_create_user_only).toBe(true);
      expect(identity.variables.user_pool_tier?.default).toBe('LITE');
      expect(expr(resource(identity, 'aws_cognito_user_pool_domain', 'this').domain)).toBe('var.domain_prefix');
      const server = resource(identity, 'aws_cognito_resource_server', 'orders');
      expect(identity.variables.resource_server_identifier?.default).toBe('orders');
      expect(expr(server.identifier)).toBe('var.resource_server_identifier');
      expect(Object.keys(identity.locals.scopes as Record<string, string>).sort()).toEqual(['act-for-customers', 'read', 'write']);

      const machine = resource(identity, 'aws_cognito_user_pool_client', 'machine');
      expect(machine).toMatchObject({ generate_secret: true, allowed_oauth_flows_user_pool_client: true, allowed_oauth_flows: ['client_credentials'] });
      expect(squash(machine.allowed_oauth_scopes)).toBe('[for name in keys(local.scopes) : local.scope[name]]');
      const customer = resource(identity, 'aws_cognito_user_pool_client', 'customer');
      expect(customer).toMatchObject({ generate_secret: false, allowed_oauth_flows_user_pool_client: true, allowed_oauth_flows: ['code'] });
      expect((customer.allowed_oauth_scopes as string[]).map(expr)).toEqual(['local.scope["write"]', 'local.scope["read"]', 'openid']);
      // Access tokens live 60 minutes (the lifetime callers cache them for; tools/cost prices that).
      expect(identity.variables.access_token_validity_minutes?.default).toBe(60);
      for (const client of [machine, customer]) {
        expect(expr(client.access_token_validity)).toBe('var.access_token_validity_minutes');
        expect(blocks(client, 'token_validity_units')[0]?.access_token).toBe('minutes');
      }
      expect(squash(identity.outputs.issuer?.value)).toBe('https://cognito-idp.${var.region}.amazonaws.com/${aws_cognito_user_pool.this.id}');
      expect(squash(identity.outputs.token_endpoint?.value)).toBe('https://${aws_cognito_user_pool_domain.this.domain}.auth.${var.region}.amazoncognito.com/oauth2/token');
      expect(identity.outputs.machine_client_secret?.sensitive).toBe(true);
    });

    it('outputs the issuer, the token endpoint and the machine client id, its secret only as a sensitive output', async () => {
      const dev = await config('envs/dev');
      const outputs = Object.fromEntries(Object.entries(dev.outputs).map(([name, o]) => [name, squash(o.value)]));
      expect(outputs).toMatchObject({
        jwt_issuer: 'local.jwt_issuer',
        token_endpoint: 'local.create_cognito ? module.identity[0].token_endpoint : null',
        machine_client_id: 'local.create_cognito ? module.identity[0].machine_client_id : null',
        machine_client_secret: 'local.create_cognito ? module.identity[0].machine_client_secret : null',
      });
      expect(dev.outputs.machine_client_secret?.sensitive).toBe(true);
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
