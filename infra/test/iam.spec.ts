/**
 * Least privilege, checked over every aws_iam_policy_document of every configuration:
 * no "*" or "<service>:*" action, "*" resources only for actions AWS cannot scope (each with a
 * comment saying so), exact ARNs for each function, and a deployer that can only create roles
 * inside the environment's permissions boundary.
 */
import {
  type Body,
  type Statement,
  type TfConfig,
  blocks,
  config,
  dataSource,
  expr,
  loadConfigs,
  moduleCall,
  policyStatements,
  resource,
  squash,
} from './support/terraform';

/** Actions AWS offers no resource-level permission for (or that create the resource). */
const STAR_RESOURCE_ACTIONS = new Set([
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
  'xray:GetSamplingRules',
  'xray:GetSamplingTargets',
  'logs:CreateLogDelivery',
  'logs:GetLogDelivery',
  'logs:UpdateLogDelivery',
  'logs:DeleteLogDelivery',
  'logs:ListLogDeliveries',
  'logs:PutResourcePolicy',
  'logs:DescribeResourcePolicies',
  'logs:DescribeLogGroups',
  // API Gateway's page on HTTP API logging lists it with "*" among the permissions to enable access logs.
  'logs:CreateLogGroup',
  'lambda:CreateEventSourceMapping',
  'cloudwatch:GetMetricData',
  'kms:CreateKey',
  'kms:TagResource',
  // A user pool has no ARN before it exists; DescribeUserPoolDomain names a domain, not a pool.
  'cognito-idp:CreateUserPool',
  'cognito-idp:DescribeUserPoolDomain',
]);

/** Resources whose policy argument is an IAM policy document. */
const POLICY_ARGUMENTS: [string, string][] = [
  ['aws_iam_role', 'assume_role_policy'],
  ['aws_iam_role_policy', 'policy'],
  ['aws_iam_policy', 'policy'],
  ['aws_s3_bucket_policy', 'policy'],
  ['aws_sqs_queue_policy', 'policy'],
  ['aws_sns_topic_policy', 'policy'],
  ['aws_kms_key', 'policy'],
];

const DOCUMENT_REF = /^data\.aws_iam_policy_document\.(\w+)(\[[^\]]+\])?\.json$/;

/** Names of the documents used as KMS key policies (their "*" resource means "this key"). */
async function keyPolicyDocuments(): Promise<Set<string>> {
  const names = new Set<string>();
  for (const cfg of (await loadConfigs()).values()) {
    for (const key of Object.values(cfg.resources.aws_kms_key ?? {})) {
      const match = DOCUMENT_REF.exec(expr(key.policy));
      if (match) names.add(`${cfg.dir}:${match[1]}`);
    }
  }
  return names;
}

function isKeyPolicy(keyPolicies: Set<string>, s: Statement): boolean {
  return keyPolicies.has(`${s.config}:${s.document}`);
}

function isAppConfig(dir: string): boolean {
  return dir.startsWith('modules/') || dir.startsWith('envs/') || dir === 'bootstrap';
}

/** Actions -> resources of a document, for exact comparisons. */
function grants(cfg: TfConfig, document: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const statement of blocks(dataSource(cfg, 'aws_iam_policy_document', document), 'statement')) {
    expect(statement.effect).toBe('Allow');
    for (const action of statement.actions as string[]) {
      // A trust policy's statement has principals instead of resources.
      const resources = Array.isArray(statement.resources) ? (statement.resources as string[]) : statement.resources === undefined ? [] : [statement.resources];
      out[action] = [...(out[action] ?? []), ...resources.map(expr)].sort();
    }
  }
  return out;
}

/** The Apply role's write statements, split over two managed policies (each under 6,144 characters). */
function writeStatements(cicd: TfConfig): Body[] {
  return ['terraform_write_compute', 'terraform_write_data'].flatMap((doc) => blocks(dataSource(cicd, 'aws_iam_policy_document', doc), 'statement'));
}

describe('IAM', () => {
  it('has policy documents to check', async () => {
    expect((await policyStatements()).length).toBeGreaterThan(50);
  });

  it('never allows "*" or "<service>:*" actions', async () => {
    const offending = (await policyStatements())
      .filter((s) => s.effect === 'Allow')
      .flatMap((s) => s.actions.filter((a) => a === '*' || /^[a-z0-9-]+:\*$/.test(a)).map((a) => `${s.config} ${s.document} ${a}`));
    expect(offending).toEqual([]);
  });

  it('uses no wildcard actions in the application at all (outside KMS key policies)', async () => {
    const keyPolicies = await keyPolicyDocuments();
    const offending = (await policyStatements())
      .filter((s) => s.effect === 'Allow' && isAppConfig(s.config) && !isKeyPolicy(keyPolicies, s))
      .flatMap((s) => s.actions.filter((a) => a.includes('*')).map((a) => `${s.config} ${s.document} ${a}`));
    expect(offending).toEqual([]);
  });

  it('names exact actions in the pipeline roles: no prefix wildcards (Get*, List*, Describe*)', async () => {
    const keyPolicies = await keyPolicyDocuments();
    const offending = (await policyStatements())
      .filter((s) => s.effect === 'Allow' && (s.config === 'cicd' || !isKeyPolicy(keyPolicies, s)))
      .flatMap((s) => s.actions.filter((a) => a.includes('*')).map((a) => `${s.config} ${s.document} ${s.sid ?? ''} ${a}`));
    expect(offending).toEqual([]);
  });

  it('grants "*" resources only for actions AWS cannot scope', async () => {
    const keyPolicies = await keyPolicyDocuments();
    const offending = (await policyStatements())
      .filter((s) => s.effect === 'Allow' && s.resources.includes('*') && !isKeyPolicy(keyPolicies, s))
      .flatMap((s) => s.actions.filter((a) => !STAR_RESOURCE_ACTIONS.has(a)).map((a) => `${s.config} ${s.document} ${a}`));
    expect(offending).toEqual([]);
  });

  it('comments every "*" resource in the source', async () => {
    const uncommented: string[] = [];
    let found = 0;
    for (const cfg of (await loadConfigs()).values()) {
      for (const file of cfg.files) {
        const lines = file.text.split('\n');
        lines.forEach((line, i) => {
          if (!/^\s*resources\s*=\s*\[\s*"\*"\s*\]/.test(line)) return;
          found += 1;
          const above = lines.slice(Math.max(0, i - 2), i);
          if (!above.some((l) => /^\s*#/.test(l))) uncommented.push(`${file.path}:${i + 1}`);
        });
      }
    }
    const starStatements = (await policyStatements()).filter((s) => s.resources.includes('*')).length;
    expect(found).toBe(starStatements);
    expect(uncommented).toEqual([]);
  });

  it('denies only insecure transport, and changes to the role boundary', async () => {
    const denies = (await policyStatements()).filter((s) => s.effect === 'Deny');
    expect(denies.length).toBeGreaterThan(0);
    for (const s of denies) {
      const secureTransport = blocks(s.body, 'condition').some(
        (c) => c.variable === 'aws:SecureTransport' && (c.values as string[])[0] === 'false',
      );
      expect({ where: `${s.config} ${s.document}`, ok: secureTransport || s.sid === 'KeepRoleBoundary' }).toEqual({
        where: `${s.config} ${s.document}`,
        ok: true,
      });
    }
  });

  it('never allows "*" principals', async () => {
    const offending = (await policyStatements())
      .filter((s) => s.effect === 'Allow')
      .filter((s) => blocks(s.body, 'principals').some((p) => (p.identifiers as string[]).includes('*')));
    expect(offending.map((s) => `${s.config} ${s.document}`)).toEqual([]);
  });

  it('writes every policy through aws_iam_policy_document (no inline JSON)', async () => {
    const problems: string[] = [];
    let checked = 0;
    for (const cfg of (await loadConfigs()).values()) {
      for (const [type, argument] of POLICY_ARGUMENTS) {
        for (const [name, body] of Object.entries(cfg.resources[type] ?? {})) {
          if (body[argument] === undefined) continue;
          checked += 1;
          const value = expr(body[argument]);
          // for_each over a map of documents: each value is checked as the policy itself.
          const refs = value === 'each.value' && body.for_each && typeof body.for_each === 'object' ? Object.values(body.for_each as Record<string, string>).map(expr) : [value];
          for (const ref of refs) {
            const match = DOCUMENT_REF.exec(ref);
            if (match) {
              if (!cfg.data.aws_iam_policy_document?.[match[1] as string]) problems.push(`${cfg.dir} ${type}.${name}: unknown ${ref}`);
            } else if (!(cfg.dir === 'modules/lambda-function' && ref === 'var.policy_json')) {
              problems.push(`${cfg.dir} ${type}.${name}.${argument} = ${ref}`);
            }
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(15);
    expect(problems).toEqual([]);
  });

  it('lets only specific AWS services assume the roles, guarded by the source account where supported', async () => {
    for (const cfg of (await loadConfigs()).values()) {
      for (const [name, role] of Object.entries(cfg.resources.aws_iam_role ?? {})) {
        const document = DOCUMENT_REF.exec(expr(role.assume_role_policy))?.[1] as string;
        const statements = blocks(dataSource(cfg, 'aws_iam_policy_document', document), 'statement');
        for (const s of statements) {
          expect(s.actions).toEqual(['sts:AssumeRole']);
          const principals = blocks(s, 'principals');
          expect(principals.map((p) => p.type)).toEqual(['Service']);
          expect((principals[0]?.identifiers as string[]).every((id) => /^[a-z-]+\.amazonaws\.com$/.test(id))).toBe(true);
          // AWS documents aws:SourceAccount neither for Lambda execution roles nor for API Gateway's
          // CloudWatch Logs role; every other trust is guarded.
          if (!(principals[0]?.identifiers as string[]).some((id) => ['lambda.amazonaws.com', 'apigateway.amazonaws.com'].includes(id))) {
            const guarded = blocks(s, 'condition').some((c) => c.variable === 'aws:SourceAccount');
            expect({ role: `${cfg.dir} ${name}`, guarded }).toEqual({ role: `${cfg.dir} ${name}`, guarded: true });
          }
        }
      }
    }
  });

  describe('each function has exactly the access its code needs', () => {
    const expected: Record<string, Record<string, string[]> | null> = {
      // OrderIntake: the order's put, then the key's; reads of a replay's order and key; conditional
      // deletes of its own tentative order and of an orphaned key. GET /orders/{order_id}.
      api_handler: {
        'states:StartExecution': ['module.order_workflow.state_machine_arn'],
        'dynamodb:GetItem': ['module.idempotency_keys_table.arn', 'module.orders_table.arn'],
        'dynamodb:PutItem': ['module.idempotency_keys_table.arn', 'module.orders_table.arn'],
        'dynamodb:DeleteItem': ['module.idempotency_keys_table.arn', 'module.orders_table.arn'],
        // start_failed_at: the workflow could not be started.
        'dynamodb:UpdateItem': ['module.orders_table.arn'],
      },
      validate_order: null,
      store_order: {
        'dynamodb:GetItem': ['module.orders_table.arn'],
        'dynamodb:UpdateItem': ['module.orders_table.arn'],
      },
      fulfill_order: {
        'sqs:ReceiveMessage': ['module.order_queue.queue_arn'],
        'sqs:DeleteMessage': ['module.order_queue.queue_arn'],
        'sqs:GetQueueAttributes': ['module.order_queue.queue_arn'],
        'dynamodb:GetItem': ['module.orders_table.arn'],
        'dynamodb:UpdateItem': ['module.orders_table.arn'],
      },
      dlq_handler: {
        'sqs:ReceiveMessage': ['module.order_queue.dead_letter_queue_arn'],
        'sqs:DeleteMessage': ['module.order_queue.dead_letter_queue_arn'],
        'sqs:GetQueueAttributes': ['module.order_queue.dead_letter_queue_arn'],
        // QueueClient.sendOrderMessage: an order whose processing failed goes back to order_queue.
        'sqs:SendMessage': ['module.order_queue.queue_arn'],
        // OrdersRepository.get and FailedOrdersRepository.recordDeadLetter (TransactWriteItems of a
        // Put on failed_orders and an Update on orders, or either alone, and a Get of the order).
        'dynamodb:GetItem': ['module.orders_table.arn'],
        'dynamodb:PutItem': ['module.failed_orders_table.arn'],
        'dynamodb:UpdateItem': ['module.orders_table.arn'],
      },
      // OpenOrders: Query on the index only (never Scan), the batched and the consistent reads, the
      // conditional bump, and the give-up transaction (Update on orders, Put on failed_orders); then
      // the re-drive. OrderIntake.resolveReceived reads a RECEIVED order's key, and deletes a
      // tentative order (never claims the key). Queue counts and ages: evidence of loss.
      reconcile_orders: {
        'dynamodb:Query': ['${module.orders_table.arn}/index/open-orders'],
        'dynamodb:BatchGetItem': ['module.orders_table.arn'],
        'dynamodb:GetItem': ['module.idempotency_keys_table.arn', 'module.orders_table.arn'],
        'dynamodb:UpdateItem': ['module.orders_table.arn'],
        'dynamodb:DeleteItem': ['module.orders_table.arn'],
        'dynamodb:PutItem': ['module.failed_orders_table.arn'],
        'sqs:SendMessage': ['module.order_queue.queue_arn'],
        'sqs:GetQueueAttributes': ['module.order_queue.dead_letter_queue_arn', 'module.order_queue.queue_arn'],
        'cloudwatch:GetMetricData': ['*'],
        'states:StartExecution': ['module.order_workflow.state_machine_arn'],
      },
    };

    it.each(Object.keys(expected))('%s', async (name) => {
      const dev = await config('envs/dev');
      const call = moduleCall(dev, name);
      const wanted = expected[name];
      if (wanted === null) {
        expect(call.attach_policy_json).toBe(false);
        expect(call.policy_json).toBeUndefined();
        return;
      }
      expect(call.attach_policy_json).toBe(true);
      expect(expr(call.policy_json)).toBe(`data.aws_iam_policy_document.${name}.json`);
      expect(grants(dev, name)).toEqual(wanted);
    });

    it('grants the idempotency_keys table to api-handler and the reconciler alone', async () => {
      const dev = await config('envs/dev');
      // Identity policies only (the resource policies of the environment are TLS-only denies).
      const identityDocuments = Object.entries(dev.data.aws_iam_policy_document ?? {})
        .filter(([, doc]) => blocks(doc, 'statement').every((st) => (st.effect ?? 'Allow') === 'Allow'))
        .map(([name]) => name);
      const holders = identityDocuments.filter((name) => Object.values(grants(dev, name)).some((resources) => resources.includes('module.idempotency_keys_table.arn')));
      expect(holders).toEqual(['api_handler', 'reconcile_orders']);
    });

    it('lets the environment boundary allow the reconciler Query on the tables (indexes included) and nothing scans', async () => {
      const cicd = await config('cicd');
      const boundary = blocks(dataSource(cicd, 'aws_iam_policy_document', 'role_boundary'), 'statement').find((s) => s.sid === 'EnvironmentTables');
      expect(boundary?.actions).toContain('dynamodb:Query');
      const scans = (await policyStatements()).filter((s) => s.actions.includes('dynamodb:Scan'));
      expect(scans).toEqual([]);
    });

    it('never reads execution history (EXPRESS supports neither DescribeExecution nor GetExecutionHistory)', async () => {
      const offending = (await policyStatements())
        .filter((s) => s.config === 'envs/dev' || s.config.startsWith('modules/'))
        .flatMap((s) => s.actions.filter((a) => /^states:(DescribeExecution|GetExecutionHistory)$/.test(a)));
      expect(offending).toEqual([]);
    });

    it('writes only to its own log group, and traces', async () => {
      const lambda = await config('modules/lambda-function');
      expect(grants(lambda, 'base')).toEqual({
        'logs:CreateLogStream': ['${aws_cloudwatch_log_group.this.arn}:*'],
        'logs:PutLogEvents': ['${aws_cloudwatch_log_group.this.arn}:*'],
        'xray:PutTraceSegments': ['*'],
        'xray:PutTelemetryRecords': ['*'],
      });
      expect(expr(resource(lambda, 'aws_iam_role_policy', 'this').count)).toBe('var.attach_policy_json ? 1 : 0');
    });
  });

  it('lets the workflow invoke only its task functions and send only to order_queue', async () => {
    const sfn = await config('modules/state-machine');
    const statements = blocks(dataSource(sfn, 'aws_iam_policy_document', 'this'), 'statement');
    const invoke = statements.find((s) => s.sid === 'InvokeTaskFunctions');
    const send = statements.find((s) => s.sid === 'SendToQueues');
    expect(invoke?.actions).toEqual(['lambda:InvokeFunction']);
    expect(expr(invoke?.resources)).toBe('statement.value');
    expect(send?.actions).toEqual(['sqs:SendMessage']);
    const dev = await config('envs/dev');
    const call = moduleCall(dev, 'order_workflow');
    expect((call.lambda_function_arns as string[]).map(expr)).toEqual([
      'module.validate_order.function_arn',
      'module.store_order.function_arn',
    ]);
    expect((call.sqs_send_message_queue_arns as string[]).map(expr)).toEqual(['module.order_queue.queue_arn']);
    const trust = blocks(dataSource(sfn, 'aws_iam_policy_document', 'assume_role'), 'statement')[0] as Body;
    expect(blocks(trust, 'condition').map((c) => c.variable).sort()).toEqual(['aws:SourceAccount', 'aws:SourceArn']);
  });

  it('bounds every role of the environment with the permissions boundary', async () => {
    for (const dir of ['modules/lambda-function', 'modules/state-machine']) {
      const cfg = await config(dir);
      expect(expr(resource(cfg, 'aws_iam_role', 'this').permissions_boundary)).toBe('var.role_permissions_boundary');
    }
    const dev = await config('envs/dev');
    for (const [name, role] of Object.entries(dev.resources.aws_iam_role ?? {})) {
      expect({ name, boundary: expr(role.permissions_boundary) }).toEqual({ name, boundary: 'local.role_permissions_boundary' });
    }
    expect(squash(dev.locals.role_permissions_boundary)).toContain(':policy/${local.name_prefix}-role-boundary');
    const cicd = await config('cicd');
    expect(expr(resource(cicd, 'aws_iam_policy', 'role_boundary').name)).toBe('${local.name}-role-boundary');
  });

  describe('pipeline roles', () => {
    it('are named outside the environment prefix, so the deployer cannot change them', async () => {
      const cicd = await config('cicd');
      const project = cicd.variables.project?.default as string;
      const environment = cicd.variables.environment?.default as string;
      const render = (value: unknown) =>
        expr(value)
          .replace('${local.cicd_name}', `${project}-cicd-${environment}`)
          .replace('${local.name}', `${project}-${environment}`)
          .replace('${each.key}', 'x');
      expect(squash(cicd.locals.cicd_name)).toBe('${var.project}-cicd-${var.environment}');
      expect(squash(cicd.locals.name)).toBe('${var.project}-${var.environment}');
      const envPrefix = `${project}-${environment}-`;
      for (const role of Object.values(cicd.resources.aws_iam_role ?? {})) {
        expect(render(role.name).startsWith(envPrefix)).toBe(false);
      }
      for (const policy of ['terraform_read', 'terraform_write']) {
        expect(render(resource(cicd, 'aws_iam_policy', policy).name).replace('${each.key}', 'x').startsWith(envPrefix)).toBe(false);
      }
    });

    it('let the deployer create and change roles only with the boundary attached', async () => {
      const cicd = await config('cicd');
      const statements = writeStatements(cicd);
      const bounded = statements.find((s) => (s.actions as string[]).includes('iam:CreateRole'));
      expect(bounded?.actions).toEqual(expect.arrayContaining(['iam:CreateRole', 'iam:PutRolePolicy', 'iam:DeleteRolePolicy']));
      expect(blocks(bounded as Body, 'condition')).toEqual([
        { test: 'StringEquals', variable: 'iam:PermissionsBoundary', values: ['${aws_iam_policy.role_boundary.arn}'] },
      ]);
      const unbounded = statements.filter((s) => s !== bounded && s.effect === 'Allow');
      for (const s of unbounded) {
        expect((s.actions as string[]).filter((a) => ['iam:CreateRole', 'iam:PutRolePolicy', 'iam:AttachRolePolicy'].includes(a))).toEqual([]);
      }
      const pass = statements.find((s) => (s.actions as string[]).includes('iam:PassRole'));
      expect(blocks(pass as Body, 'condition')[0]).toMatchObject({
        variable: 'iam:PassedToService',
        values: ['lambda.amazonaws.com', 'states.amazonaws.com', 'scheduler.amazonaws.com'],
      });
    });

    it('give plan read access only and apply read and write access', async () => {
      const cicd = await config('cicd');
      const read = resource(cicd, 'aws_iam_role_policy_attachment', 'terraform_read');
      expect(read.for_each).toBe('${toset(["plan", "apply"])}');
      const write = resource(cicd, 'aws_iam_role_policy_attachment', 'terraform_write');
      expect(expr(write.role)).toBe('aws_iam_role.codebuild["apply"].name');
      expect(expr(write.for_each)).toBe('aws_iam_policy.terraform_write');
      const readActions = blocks(dataSource(cicd, 'aws_iam_policy_document', 'terraform_read'), 'statement').flatMap(
        (s) => s.actions as string[],
      );
      const mutating = readActions.filter((a) => /:(Create|Delete|Put|Update|Tag|Untag|Set)/.test(a));
      // Planning writes only the state lock object.
      expect([...new Set(mutating)]).toEqual(['s3:PutObject', 's3:DeleteObject']);
    });

    const ENV_TAGS = (kind: 'RequestTag' | 'ResourceTag') => [
      { test: 'StringEquals', variable: `aws:${kind}/Project`, values: ['${var.project}'] },
      { test: 'StringEquals', variable: `aws:${kind}/Environment`, values: ['${var.environment}'] },
    ];
    const writeStatement = async (sid: string): Promise<Body> => {
      const cicd = await config('cicd');
      const found = writeStatements(cicd).find((st) => st.sid === sid);
      if (!found) throw new Error(`no statement ${sid}`);
      return found;
    };

    it('let the deployer create HTTP APIs only with the environment\'s tags, change only APIs that carry them, and manage their untagged sub-resources by path', async () => {
      const cicd = await config('cicd');
      expect(expr(resource(cicd, 'aws_iam_role', 'codebuild').name)).toContain('codebuild');
      const create = await writeStatement('CreateApis');
      expect(create.actions).toEqual(['apigateway:POST']);
      expect(create.resources).toEqual(['${local.arn.api_collection}']);
      expect(squash((cicd.locals.arn as Body).api_collection)).toMatch(/::\/apis"?$/);
      expect(blocks(create, 'condition')).toEqual(ENV_TAGS('RequestTag'));
      const change = await writeStatement('ManageApis');
      expect(expr(change.resources)).toBe('local.arn.apis');
      expect(blocks(change, 'condition')).toEqual(ENV_TAGS('ResourceTag'));
      expect(squash((cicd.locals.arn as Body).apis)).toContain('::/apis/*');
      // Tags of the API (and of its stage) change only where the tagged resource carries the environment's tags.
      expect(blocks(await writeStatement('TagApis'), 'condition')).toEqual(ENV_TAGS('ResourceTag'));
      // Routes, integrations, stages and deployments have no tags of their own: matched by path,
      // with no tag condition, so they can be created whether or not AWS evaluates their API's tags.
      const children = await writeStatement('ManageApiSubresources');
      expect(expr(children.resources)).toBe('local.arn.api_subresources');
      expect(blocks(children, 'condition')).toEqual([]);
      expect(squash((cicd.locals.arn as Body).api_subresources)).toContain('::/apis/*/${kind}*');
      // No REST API ARNs are left, and no other write statement reaches API Gateway.
      expect(squash(cicd.locals.arn)).not.toContain('/restapis');
      const others = writeStatements(cicd).filter(
        (st) => !['CreateApis', 'ManageApis', 'TagApis', 'ManageApiSubresources'].includes(st.sid as string) && (st.actions as string[]).some((a) => a.startsWith('apigateway:')),
      );
      expect(others).toEqual([]);
    });

    it('let the deployer create Cognito user pools only with the environment\'s tags, and read or change a pool, its domain, resource server and clients only while it carries them', async () => {
      const cicd = await config('cicd');
      expect(squash((cicd.locals.arn as Body).user_pools)).toBe('arn:${local.partition}:cognito-idp:${var.region}:${local.account_id}:userpool/*');
      const create = await writeStatement('CreateUserPools');
      expect(create.actions).toEqual(['cognito-idp:CreateUserPool']);
      expect(blocks(create, 'condition')).toEqual(ENV_TAGS('RequestTag'));
      expect(blocks(await writeStatement('TagNewUserPools'), 'condition')).toEqual(ENV_TAGS('RequestTag'));
      const manage = await writeStatement('ManageUserPools');
      expect(manage.resources).toEqual(['${local.arn.user_pools}']);
      expect(blocks(manage, 'condition')).toEqual(ENV_TAGS('ResourceTag'));
      expect(manage.actions).toEqual(expect.arrayContaining(['cognito-idp:CreateUserPoolClient', 'cognito-idp:CreateResourceServer', 'cognito-idp:CreateUserPoolDomain', 'cognito-idp:DeleteUserPool']));
      const read = blocks(dataSource(cicd, 'aws_iam_policy_document', 'terraform_read'), 'statement');
      const readPools = read.find((st) => st.sid === 'ReadUserPools') as Body;
      expect(blocks(readPools, 'condition')).toEqual(ENV_TAGS('ResourceTag'));
      // Every Cognito grant is tag-conditioned but DescribeUserPoolDomain, which names a domain (no resource-level permission).
      const unconditioned = [...read, ...writeStatements(cicd)]
        .filter((st) => (st.actions as string[]).some((a) => a.startsWith('cognito-idp:')) && blocks(st, 'condition').length === 0)
        .flatMap((st) => st.actions as string[]);
      expect(unconditioned).toEqual(['cognito-idp:DescribeUserPoolDomain']);
      // The JWT authorizer is an API sub-resource, managed by path like the routes.
      expect(squash((cicd.locals.arn as Body).api_subresources)).toContain('"authorizers"');
    });

    it('let the deployer tag only the environment\'s event source mappings', async () => {
      const onCreate = await writeStatement('TagNewEventSourceMappings');
      expect(onCreate.actions).toEqual(['lambda:TagResource']);
      expect(blocks(onCreate, 'condition')).toEqual(ENV_TAGS('RequestTag'));
      const later = await writeStatement('TagEventSourceMappings');
      expect(blocks(later, 'condition')).toEqual(ENV_TAGS('ResourceTag'));
      for (const sid of ['CreateEventSourceMappings', 'ManageEventSourceMappings']) {
        expect(blocks(await writeStatement(sid), 'condition').map((c) => c.variable)).toEqual(['lambda:FunctionArn']);
      }
    });

    it('keep the job that runs every dependency and the tests from publishing: only Plan (deploy:plan) writes artifacts', async () => {
      const cicd = await config('cicd');
      const build = grants(cicd, 'build');
      expect(build).toEqual({ 'ssm:GetParameter': ['aws_ssm_parameter.last_deployed_sha.arn'] });
      const plan = grants(cicd, 'plan');
      expect(plan['s3:PutObject']).toEqual(['${module.lambda_artifacts.bucket_arn}/*']);
      expect(Object.keys(plan).filter((a) => !a.startsWith('s3:')).sort()).toEqual(['ssm:GetParameter']);
      expect(expr(resource(cicd, 'aws_iam_role_policy', 'plan').role)).toBe('aws_iam_role.codebuild["plan"].id');
      // Nothing else may write the Lambda artifacts bucket.
      const putters = (await policyStatements())
        .filter((st) => st.config === 'cicd' && st.document !== 'plan' && st.effect === 'Allow' && st.actions.includes('s3:PutObject'))
        .filter((st) => st.resources.some((r) => r.includes('lambda_artifacts')))
        .map((st) => `${st.document} ${st.sid}`);
      expect(putters).toEqual([]);
    });

    it('let the deployer manage only the environment\'s dashboards, and the planner only read them', async () => {
      const cicd = await config('cicd');
      expect(squash((cicd.locals.arn as Body).dashboards)).toBe('arn:${local.partition}:cloudwatch::${local.account_id}:dashboard/${local.env_prefix}-*');
      const manage = await writeStatement('ManageDashboards');
      expect(manage.actions).toEqual(['cloudwatch:PutDashboard', 'cloudwatch:GetDashboard', 'cloudwatch:DeleteDashboards']);
      expect(manage.resources).toEqual(['${local.arn.dashboards}']);
      const read = blocks(dataSource(cicd, 'aws_iam_policy_document', 'terraform_read'), 'statement').find((st) => st.sid === 'ReadDashboards');
      expect(read?.actions).toEqual(['cloudwatch:GetDashboard']);
      expect(read?.resources).toEqual(['${local.arn.dashboards}']);
      // The dashboard the environment declares falls under that prefix.
      const dev = await config('envs/dev');
      expect(resource(dev, 'aws_cloudwatch_dashboard', 'operations').dashboard_name).toBe('${local.name_prefix}-operations');
      expect(squash(cicd.locals.env_prefix)).toBe('local.name');
    });

    it('let the pipeline start only its own builds', async () => {
      const cicd = await config('cicd');
      expect(grants(cicd, 'pipeline')['codebuild:StartBuild']).toEqual(['[for p in aws_codebuild_project.this : p.arn]']);
    });
  });
});
