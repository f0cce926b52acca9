/**
 * Realistic stand-ins, of full length, for the attributes AWS assigns at create time (ARNs, ids,
 * URLs), so that a second offline plan can render every policy document with the values the
 * first plan knew only "after apply". Each is derived from the resource's own known arguments
 * (its name), in the format AWS documents for that resource type; ids AWS draws at random (KMS
 * key ids, API ids, event source mapping UUIDs) are deterministic hashes of the same length.
 */
import { createHash } from 'node:crypto';

export interface PlaceholderContext {
  partition: string;
  region: string;
  account: string;
}

type Attributes = Record<string, unknown>;
type Rule = (values: Attributes, address: string, ctx: PlaceholderContext) => Attributes;

const hex = (seed: string, length: number): string => createHash('sha256').update(seed).digest('hex').slice(0, length);
const alnum = (seed: string, length: number): string =>
  [...createHash('sha256').update(seed).digest()].map((b) => 'abcdefghijklmnopqrstuvwxyz0123456789'[b % 36]).join('').slice(0, length);
const uuid = (seed: string): string => {
  const x = hex(seed, 32);
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
};
const str = (value: unknown): string => String(value ?? '');

const RULES: Record<string, Rule> = {
  aws_dynamodb_table: (v, _a, c) => ({ arn: `arn:${c.partition}:dynamodb:${c.region}:${c.account}:table/${str(v.name)}`, id: v.name }),
  aws_sqs_queue: (v, _a, c) => {
    const url = `https://sqs.${c.region}.amazonaws.com/${c.account}/${str(v.name)}`;
    return { arn: `arn:${c.partition}:sqs:${c.region}:${c.account}:${str(v.name)}`, id: url, url };
  },
  aws_cloudwatch_log_group: (v, _a, c) => ({ arn: `arn:${c.partition}:logs:${c.region}:${c.account}:log-group:${str(v.name)}`, id: v.name }),
  aws_lambda_function: (v, _a, c) => {
    const arn = `arn:${c.partition}:lambda:${c.region}:${c.account}:function:${str(v.function_name)}`;
    return {
      arn,
      id: v.function_name,
      invoke_arn: `arn:${c.partition}:apigateway:${c.region}:lambda:path/2015-03-31/functions/${arn}/invocations`,
      qualified_arn: `${arn}:$LATEST`,
      qualified_invoke_arn: `arn:${c.partition}:apigateway:${c.region}:lambda:path/2015-03-31/functions/${arn}:$LATEST/invocations`,
      version: '$LATEST',
    };
  },
  aws_lambda_event_source_mapping: (v, a, c) => ({
    // function_name is given as the function's ARN; AWS answers with the same ARN.
    function_arn: str(v.function_name).startsWith('arn:') ? v.function_name : `arn:${c.partition}:lambda:${c.region}:${c.account}:function:${str(v.function_name)}`,
    uuid: uuid(a),
    id: uuid(a),
    arn: `arn:${c.partition}:lambda:${c.region}:${c.account}:event-source-mapping:${uuid(a)}`,
  }),
  aws_iam_role: (v, _a, c) => ({
    arn: `arn:${c.partition}:iam::${c.account}:role${str(v.path ?? '/')}${str(v.name)}`,
    id: v.name,
    unique_id: `AROA${alnum(str(v.name), 17).toUpperCase()}`,
    managed_policy_arns: [],
    inline_policy: [],
  }),
  aws_iam_policy: (v, _a, c) => {
    const arn = `arn:${c.partition}:iam::${c.account}:policy${str(v.path ?? '/')}${str(v.name)}`;
    return { arn, id: arn, policy_id: `ANPA${alnum(str(v.name), 17).toUpperCase()}` };
  },
  aws_sfn_state_machine: (v, _a, c) => {
    const arn = `arn:${c.partition}:states:${c.region}:${c.account}:stateMachine:${str(v.name)}`;
    return { arn, id: arn };
  },
  aws_s3_bucket: (v, _a, c) => ({ arn: `arn:${c.partition}:s3:::${str(v.bucket)}`, id: v.bucket, bucket_regional_domain_name: `${str(v.bucket)}.s3.${c.region}.amazonaws.com` }),
  aws_codebuild_project: (v, _a, c) => {
    const arn = `arn:${c.partition}:codebuild:${c.region}:${c.account}:project/${str(v.name)}`;
    return { arn, id: arn };
  },
  aws_codeconnections_connection: (v, _a, c) => {
    const arn = `arn:${c.partition}:codeconnections:${c.region}:${c.account}:connection/${uuid(str(v.name))}`;
    return { arn, id: arn, connection_status: 'AVAILABLE' };
  },
  aws_codepipeline: (v, _a, c) => ({ arn: `arn:${c.partition}:codepipeline:${c.region}:${c.account}:${str(v.name)}`, id: v.name, trigger_all: v.trigger ?? [] }),
  aws_ssm_parameter: (v, _a, c) => ({
    arn: `arn:${c.partition}:ssm:${c.region}:${c.account}:parameter/${str(v.name).replace(/^\//, '')}`,
    id: v.name,
    version: 1,
    tier: 'Standard',
    data_type: 'text',
  }),
  aws_sns_topic: (v, _a, c) => {
    const arn = `arn:${c.partition}:sns:${c.region}:${c.account}:${str(v.name)}`;
    return { arn, id: arn };
  },
  aws_sns_topic_subscription: (v, a) => ({ arn: `${str(v.topic_arn)}:${uuid(a)}`, id: `${str(v.topic_arn)}:${uuid(a)}` }),
  aws_kms_key: (_v, a, c) => ({ arn: `arn:${c.partition}:kms:${c.region}:${c.account}:key/${uuid(a)}`, id: uuid(a), key_id: uuid(a) }),
  aws_apigatewayv2_api: (v, _a, c) => {
    const id = alnum(str(v.name), 10);
    return {
      id,
      api_endpoint: `https://${id}.execute-api.${c.region}.amazonaws.com`,
      arn: `arn:${c.partition}:apigateway:${c.region}::/apis/${id}`,
      execution_arn: `arn:${c.partition}:execute-api:${c.region}:${c.account}:${id}`,
    };
  },
  aws_apigatewayv2_integration: (_v, a) => ({ id: alnum(a, 7) }),
  aws_apigatewayv2_route: (_v, a) => ({ id: alnum(a, 7) }),
  aws_apigatewayv2_stage: (v, _a, c) => ({
    id: v.name,
    arn: `arn:${c.partition}:apigateway:${c.region}::/apis/${str(v.api_id)}/stages/${str(v.name)}`,
    execution_arn: `arn:${c.partition}:execute-api:${c.region}:${c.account}:${str(v.api_id)}/${str(v.name)}`,
    invoke_url: `https://${str(v.api_id)}.execute-api.${c.region}.amazonaws.com/`,
  }),
  aws_apigatewayv2_authorizer: (_v, a) => ({ id: alnum(a, 6) }),
  // User pool ids are <region>_<9 letters and digits>; app client ids 26 lowercase letters and
  // digits, their secrets 51 characters; a resource server's id is <pool id>|<identifier>.
  aws_cognito_user_pool: (v, _a, c) => {
    const id = `${c.region}_${[...createHash('sha256').update(str(v.name)).digest()].map((b) => 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'[b % 62]).join('').slice(0, 9)}`;
    return { id, arn: `arn:${c.partition}:cognito-idp:${c.region}:${c.account}:userpool/${id}`, endpoint: `cognito-idp.${c.region}.amazonaws.com/${id}` };
  },
  aws_cognito_user_pool_client: (_v, a) => ({ id: alnum(a, 26), client_secret: alnum(`${a}/secret`, 32) + alnum(`${a}/secret2`, 19) }),
  aws_cognito_user_pool_domain: (v, _a, c) => ({ id: v.domain, aws_account_id: c.account, cloudfront_distribution: `d${alnum(str(v.domain), 13)}.cloudfront.net`, version: '1' }),
  aws_cognito_resource_server: (v) => ({ id: `${str(v.user_pool_id)}|${str(v.identifier)}`, scope_identifiers: ((v.scope as { scope_name: string }[] | undefined) ?? []).map((s) => `${str(v.identifier)}/${s.scope_name}`) }),
  aws_scheduler_schedule: (v, _a, c) => ({
    arn: `arn:${c.partition}:scheduler:${c.region}:${c.account}:schedule/default/${str(v.name)}`,
    id: `default/${str(v.name)}`,
    group_name: 'default',
  }),
  aws_cloudwatch_metric_alarm: (v, _a, c) => ({ arn: `arn:${c.partition}:cloudwatch:${c.region}:${c.account}:alarm:${str(v.alarm_name)}`, id: v.alarm_name }),
  aws_cloudwatch_dashboard: (v, _a, c) => ({ dashboard_arn: `arn:${c.partition}:cloudwatch::${c.account}:dashboard/${str(v.dashboard_name)}`, id: v.dashboard_name }),
  aws_xray_sampling_rule: (v, _a, c) => ({ arn: `arn:${c.partition}:xray:${c.region}:${c.account}:sampling-rule/${str(v.rule_name)}`, id: v.rule_name }),
};

/** Placeholder values for the attributes of one planned instance that AWS would assign. */
export function placeholdersFor(type: string, values: Attributes, address: string, ctx: PlaceholderContext): Attributes {
  return RULES[type]?.(values, address, ctx) ?? {};
}

/** A stable id for types without a rule (AWS ids of attachments, policies and the like are not read by policies). */
export function fallbackId(address: string): string {
  return alnum(address, 20);
}
