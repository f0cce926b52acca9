# Roles of the pipeline and of its four CodeBuild projects. No statement grants "*" or
# "<service>:*"; the Terraform deployer is limited to resources named <project>-<environment>-*.

locals {
  # ARN patterns of everything the environment's Terraform manages.
  env_prefix = local.name
  arn = {
    roles          = "arn:${local.partition}:iam::${local.account_id}:role/${local.env_prefix}-*"
    functions      = "arn:${local.partition}:lambda:${var.region}:${local.account_id}:function:${local.env_prefix}-*"
    event_mappings = "arn:${local.partition}:lambda:${var.region}:${local.account_id}:event-source-mapping:*"
    log_groups = [
      "arn:${local.partition}:logs:${var.region}:${local.account_id}:log-group:/aws/lambda/${local.env_prefix}-*",
      "arn:${local.partition}:logs:${var.region}:${local.account_id}:log-group:/aws/vendedlogs/states/${local.env_prefix}-*",
      "arn:${local.partition}:logs:${var.region}:${local.account_id}:log-group:/aws/apigateway/${local.env_prefix}-*",
    ]
    all_log_groups = "arn:${local.partition}:logs:${var.region}:${local.account_id}:log-group:*"
    # ValidateStateMachineDefinition names no state machine: AWS authorises it against this ARN.
    any_state_machine = "arn:${local.partition}:states:${var.region}:${local.account_id}:stateMachine:*"
    tables            = "arn:${local.partition}:dynamodb:${var.region}:${local.account_id}:table/${local.env_prefix}-*"
    queues            = "arn:${local.partition}:sqs:${var.region}:${local.account_id}:${local.env_prefix}-*"
    state_machines    = "arn:${local.partition}:states:${var.region}:${local.account_id}:stateMachine:${local.env_prefix}-*"
    executions        = "arn:${local.partition}:states:${var.region}:${local.account_id}:execution:${local.env_prefix}-*:*"
    alarms            = "arn:${local.partition}:cloudwatch:${var.region}:${local.account_id}:alarm:${local.env_prefix}-*"
    dashboards        = "arn:${local.partition}:cloudwatch::${local.account_id}:dashboard/${local.env_prefix}-*"
    schedules         = "arn:${local.partition}:scheduler:${var.region}:${local.account_id}:schedule/default/${local.env_prefix}-*"
    topics            = "arn:${local.partition}:sns:${var.region}:${local.account_id}:${local.env_prefix}-*"
    sampling_rules    = "arn:${local.partition}:xray:${var.region}:${local.account_id}:sampling-rule/${local.env_prefix}-*"
    keys              = "arn:${local.partition}:kms:${var.region}:${local.account_id}:key/*"
    # API ids are random, so HTTP APIs cannot be matched by name: creation is conditioned on the
    # request's tags and every change of the API itself on the API's tags (Project, Environment).
    api_collection = "arn:${local.partition}:apigateway:${var.region}::/apis"
    apis = [
      "arn:${local.partition}:apigateway:${var.region}::/apis/*",
      "arn:${local.partition}:apigateway:${var.region}::/tags/*",
    ]
    # Routes, integrations, stages and deployments carry no tags of their own, and AWS documents
    # tag inheritance for authorization only for REST APIs: they are matched by path alone.
    api_subresources = [for kind in ["routes", "integrations", "stages", "deployments", "authorizers"] : "arn:${local.partition}:apigateway:${var.region}::/apis/*/${kind}*"]
    # Cognito user pool ids are random too: a pool is created with the environment's tags and
    # changed, with its domain, resource server and app clients (all authorised against the
    # pool's ARN), only while it carries them.
    user_pools        = "arn:${local.partition}:cognito-idp:${var.region}:${local.account_id}:userpool/*"
    state_bucket      = "arn:${local.partition}:s3:::${var.state_bucket_name}"
    state_object      = "arn:${local.partition}:s3:::${var.state_bucket_name}/${local.state_key}"
    state_lock_object = "arn:${local.partition}:s3:::${var.state_bucket_name}/${local.state_key}.tflock"
  }
}

################################################################################
# Trust
################################################################################

data "aws_iam_policy_document" "codebuild_assume_role" {
  statement {
    sid     = "CodeBuildAssumeRole"
    effect  = "Allow"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["codebuild.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

data "aws_iam_policy_document" "pipeline_assume_role" {
  statement {
    sid     = "CodePipelineAssumeRole"
    effect  = "Allow"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["codepipeline.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

################################################################################
# Pipeline role
################################################################################

resource "aws_iam_role" "pipeline" {
  name               = "${local.cicd_name}-pipeline"
  description        = "CodePipeline ${local.name}-delivery"
  assume_role_policy = data.aws_iam_policy_document.pipeline_assume_role.json
}

data "aws_iam_policy_document" "pipeline" {
  statement {
    sid       = "ArtifactStoreObjects"
    effect    = "Allow"
    actions   = ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject"]
    resources = ["${module.pipeline_artifacts.bucket_arn}/*"]
  }

  statement {
    sid       = "ArtifactStoreBucket"
    effect    = "Allow"
    actions   = ["s3:GetBucketVersioning", "s3:GetBucketLocation", "s3:ListBucket"]
    resources = [module.pipeline_artifacts.bucket_arn]
  }

  statement {
    sid       = "UseGitHubConnection"
    effect    = "Allow"
    actions   = ["codeconnections:UseConnection", "codestar-connections:UseConnection"]
    resources = [aws_codeconnections_connection.github.arn]
  }

  statement {
    sid       = "RunBuilds"
    effect    = "Allow"
    actions   = ["codebuild:StartBuild", "codebuild:BatchGetBuilds"]
    resources = [for p in aws_codebuild_project.this : p.arn]
  }
}

resource "aws_iam_role_policy" "pipeline" {
  name   = "pipeline"
  role   = aws_iam_role.pipeline.id
  policy = data.aws_iam_policy_document.pipeline.json
}

################################################################################
# CodeBuild roles: one per project
################################################################################

resource "aws_iam_role" "codebuild" {
  for_each = local.codebuild_projects

  name               = "${local.cicd_name}-codebuild-${each.key}"
  description        = "CodeBuild project ${local.name}-${each.key}"
  assume_role_policy = data.aws_iam_policy_document.codebuild_assume_role.json
}

# What every project needs: its own logs, the pipeline's artifacts, the git clone.
data "aws_iam_policy_document" "codebuild_common" {
  for_each = local.codebuild_projects

  statement {
    sid       = "WriteOwnLogs"
    effect    = "Allow"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.codebuild[each.key].arn}:*"]
  }

  statement {
    sid       = "PipelineArtifacts"
    effect    = "Allow"
    actions   = ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject"]
    resources = ["${module.pipeline_artifacts.bucket_arn}/*"]
  }

  statement {
    sid       = "PipelineArtifactBucket"
    effect    = "Allow"
    actions   = ["s3:GetBucketAcl", "s3:GetBucketLocation"]
    resources = [module.pipeline_artifacts.bucket_arn]
  }

  statement {
    sid       = "CloneThroughConnection"
    effect    = "Allow"
    actions   = ["codeconnections:UseConnection", "codestar-connections:UseConnection"]
    resources = [aws_codeconnections_connection.github.arn]
  }
}

resource "aws_iam_role_policy" "codebuild_common" {
  for_each = local.codebuild_projects

  name   = "codebuild"
  role   = aws_iam_role.codebuild[each.key].id
  policy = data.aws_iam_policy_document.codebuild_common[each.key].json
}

# Build & Test runs every dependency's install step and all tests, so it may only read the last
# deployed commit (the base of `nx affected`). It writes nothing but its logs.
data "aws_iam_policy_document" "build" {
  statement {
    sid       = "ReadLastDeployedCommit"
    effect    = "Allow"
    actions   = ["ssm:GetParameter"]
    resources = [aws_ssm_parameter.last_deployed_sha.arn]
  }
}

resource "aws_iam_role_policy" "build" {
  name   = "read-deployment-base"
  role   = aws_iam_role.codebuild["build"].id
  policy = data.aws_iam_policy_document.build.json
}

# Plan runs `nx affected -t deploy -c plan`: the affected apps' deploy:plan publishes their packages
# (content-addressed keys, uploaded unless present) and infra:deploy:plan stores the commit's
# manifest, before terraform plans with the read-only policy below. It runs the build toolchain
# (nx, esbuild) installed with --ignore-scripts, not the tests.
data "aws_iam_policy_document" "plan" {
  statement {
    sid       = "ReadLastDeployedCommit"
    effect    = "Allow"
    actions   = ["ssm:GetParameter"]
    resources = [aws_ssm_parameter.last_deployed_sha.arn]
  }

  statement {
    sid       = "PublishPackagesAndManifests"
    effect    = "Allow"
    actions   = ["s3:GetObject", "s3:PutObject"]
    resources = ["${module.lambda_artifacts.bucket_arn}/*"]
  }

  statement {
    # Lets HeadObject answer 404 (not 403) for a package not yet uploaded.
    sid       = "ListArtifacts"
    effect    = "Allow"
    actions   = ["s3:ListBucket"]
    resources = [module.lambda_artifacts.bucket_arn]
  }
}

resource "aws_iam_role_policy" "plan" {
  name   = "publish-artifacts"
  role   = aws_iam_role.codebuild["plan"].id
  policy = data.aws_iam_policy_document.plan.json
}

# Smoke test: reads the machine client's secret to get a token, and records the commit once the
# deployment answered correctly.
data "aws_iam_policy_document" "smoke" {
  statement {
    sid       = "RecordDeployedCommit"
    effect    = "Allow"
    actions   = ["ssm:GetParameter", "ssm:PutParameter"]
    resources = [aws_ssm_parameter.last_deployed_sha.arn]
  }

  statement {
    sid       = "ReadMachineClientSecret"
    effect    = "Allow"
    actions   = ["cognito-idp:DescribeUserPoolClient"]
    resources = [local.arn.user_pools]

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/Project"
      values   = [var.project]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/Environment"
      values   = [var.environment]
    }
  }
}

resource "aws_iam_role_policy" "smoke" {
  name   = "record-deployed-commit"
  role   = aws_iam_role.codebuild["smoke"].id
  policy = data.aws_iam_policy_document.smoke.json
}

################################################################################
# Terraform: read (plan and apply) and write (apply only)
################################################################################

data "aws_iam_policy_document" "terraform_read" {
  statement {
    sid       = "StateBucket"
    effect    = "Allow"
    actions   = ["s3:ListBucket"]
    resources = [local.arn.state_bucket]
  }

  statement {
    sid       = "ReadState"
    effect    = "Allow"
    actions   = ["s3:GetObject"]
    resources = [local.arn.state_object]
  }

  statement {
    # Planning takes the state lock too (an S3 object next to the state: use_lockfile).
    sid       = "StateLock"
    effect    = "Allow"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    resources = [local.arn.state_lock_object]
  }

  statement {
    sid    = "ReadRoles"
    effect = "Allow"
    actions = [
      "iam:GetRole",
      "iam:GetRolePolicy",
      "iam:ListRolePolicies",
      "iam:ListAttachedRolePolicies",
      "iam:ListInstanceProfilesForRole",
    ]
    resources = [local.arn.roles]
  }

  statement {
    # What the provider reads for aws_lambda_function, aws_lambda_permission and
    # aws_lambda_event_source_mapping.
    sid    = "ReadFunctions"
    effect = "Allow"
    actions = [
      "lambda:GetFunction",
      "lambda:GetFunctionConfiguration",
      "lambda:GetFunctionCodeSigningConfig",
      "lambda:GetFunctionConcurrency",
      "lambda:GetFunctionRecursionConfig",
      "lambda:GetRuntimeManagementConfig",
      "lambda:GetPolicy",
      "lambda:ListVersionsByFunction",
      "lambda:GetEventSourceMapping",
      "lambda:ListTags",
    ]
    resources = [local.arn.functions, local.arn.event_mappings]
  }

  statement {
    sid       = "ReadLogGroups"
    effect    = "Allow"
    actions   = ["logs:DescribeLogGroups", "logs:ListTagsForResource", "logs:ListTagsLogGroup"]
    resources = concat(local.arn.log_groups, [local.arn.all_log_groups])
  }

  statement {
    sid       = "ReadTables"
    effect    = "Allow"
    actions   = ["dynamodb:DescribeTable", "dynamodb:DescribeContinuousBackups", "dynamodb:DescribeTimeToLive", "dynamodb:ListTagsOfResource"]
    resources = [local.arn.tables]
  }

  statement {
    sid       = "ReadQueues"
    effect    = "Allow"
    actions   = ["sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:ListQueueTags"]
    resources = [local.arn.queues]
  }

  statement {
    sid       = "ReadStateMachines"
    effect    = "Allow"
    actions   = ["states:DescribeStateMachine", "states:ListStateMachineVersions", "states:ListTagsForResource"]
    resources = [local.arn.state_machines]
  }

  # The provider validates a known, changed definition while planning (and again at apply when it
  # was unknown at plan, as on the first deployment). The call names no state machine.
  statement {
    sid       = "ValidateWorkflowDefinitions"
    effect    = "Allow"
    actions   = ["states:ValidateStateMachineDefinition"]
    resources = [local.arn.any_state_machine]
  }

  statement {
    sid       = "ReadApis"
    effect    = "Allow"
    actions   = ["apigateway:GET"]
    resources = concat([local.arn.api_collection], local.arn.apis)
  }

  statement {
    # What the provider reads for the user pool, its resource server and its app clients.
    sid       = "ReadUserPools"
    effect    = "Allow"
    actions   = ["cognito-idp:DescribeUserPool", "cognito-idp:GetUserPoolMfaConfig", "cognito-idp:DescribeResourceServer", "cognito-idp:DescribeUserPoolClient"]
    resources = [local.arn.user_pools]

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/Project"
      values   = [var.project]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/Environment"
      values   = [var.environment]
    }
  }

  statement {
    sid     = "ReadUserPoolDomains"
    effect  = "Allow"
    actions = ["cognito-idp:DescribeUserPoolDomain"]
    # AWS requires "*": DescribeUserPoolDomain names a domain, not a pool (no resource-level permission).
    resources = ["*"]
  }

  statement {
    sid       = "ReadAlarms"
    effect    = "Allow"
    actions   = ["cloudwatch:DescribeAlarms", "cloudwatch:ListTagsForResource"]
    resources = [local.arn.alarms]
  }

  # Dashboards are global (no region in their ARN).
  statement {
    sid       = "ReadDashboards"
    effect    = "Allow"
    actions   = ["cloudwatch:GetDashboard"]
    resources = [local.arn.dashboards]
  }

  statement {
    sid     = "ListSamplingRules"
    effect  = "Allow"
    actions = ["xray:GetSamplingRules"]
    # AWS requires "*": GetSamplingRules lists the account's rules, it has no resource-level permission.
    resources = ["*"]
  }

  statement {
    sid       = "ReadSamplingRules"
    effect    = "Allow"
    actions   = ["xray:ListTagsForResource"]
    resources = [local.arn.sampling_rules]
  }

  statement {
    sid       = "ReadSchedules"
    effect    = "Allow"
    actions   = ["scheduler:GetSchedule"]
    resources = [local.arn.schedules]
  }

  statement {
    sid       = "ReadTopics"
    effect    = "Allow"
    actions   = ["sns:GetTopicAttributes", "sns:GetSubscriptionAttributes", "sns:ListSubscriptionsByTopic", "sns:ListTagsForResource"]
    resources = [local.arn.topics]
  }

  statement {
    sid       = "ReadEnvironmentKeys"
    effect    = "Allow"
    actions   = ["kms:DescribeKey", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:ListResourceTags"]
    resources = [local.arn.keys]

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/Project"
      values   = [var.project]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/Environment"
      values   = [var.environment]
    }
  }
}

# Apply, part 1: roles (inside the boundary), functions and their event sources, workflows, schedules.
data "aws_iam_policy_document" "terraform_write_compute" {
  statement {
    # Roles the deployer creates or changes the permissions of must carry the boundary, so a
    # role it writes can never hold more than the boundary allows.
    sid    = "ManageRolesWithinBoundary"
    effect = "Allow"
    actions = [
      "iam:CreateRole",
      "iam:PutRolePolicy",
      "iam:DeleteRolePolicy",
      "iam:PutRolePermissionsBoundary",
    ]
    resources = [local.arn.roles]

    condition {
      test     = "StringEquals"
      variable = "iam:PermissionsBoundary"
      values   = [aws_iam_policy.role_boundary.arn]
    }
  }

  statement {
    sid    = "ManageRoles"
    effect = "Allow"
    actions = [
      "iam:DeleteRole",
      "iam:UpdateRole",
      "iam:UpdateRoleDescription",
      "iam:UpdateAssumeRolePolicy",
      "iam:TagRole",
      "iam:UntagRole",
    ]
    resources = [local.arn.roles]
  }

  statement {
    sid       = "KeepRoleBoundary"
    effect    = "Deny"
    actions   = ["iam:DeleteRolePermissionsBoundary", "iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion"]
    resources = [local.arn.roles, aws_iam_policy.role_boundary.arn]
  }

  statement {
    sid       = "PassRolesToLambdaAndStepFunctions"
    effect    = "Allow"
    actions   = ["iam:PassRole"]
    resources = [local.arn.roles]

    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["lambda.amazonaws.com", "states.amazonaws.com", "scheduler.amazonaws.com"]
    }
  }

  statement {
    # CreateFunction and UpdateFunctionCode read the package with the caller's permissions.
    sid       = "ReadLambdaPackages"
    effect    = "Allow"
    actions   = ["s3:GetObject", "s3:GetObjectVersion"]
    resources = ["${module.lambda_artifacts.bucket_arn}/*"]
  }

  statement {
    sid    = "ManageFunctions"
    effect = "Allow"
    actions = [
      "lambda:CreateFunction",
      "lambda:DeleteFunction",
      "lambda:UpdateFunctionCode",
      "lambda:UpdateFunctionConfiguration",
      "lambda:PutFunctionConcurrency",
      "lambda:DeleteFunctionConcurrency",
      "lambda:AddPermission",
      "lambda:RemovePermission",
      "lambda:TagResource",
      "lambda:UntagResource",
    ]
    resources = [local.arn.functions]
  }

  statement {
    sid     = "CreateEventSourceMappings"
    effect  = "Allow"
    actions = ["lambda:CreateEventSourceMapping"]
    # AWS requires "*": a mapping has no ARN before it exists. Limited to our functions.
    resources = ["*"]

    condition {
      test     = "ArnLike"
      variable = "lambda:FunctionArn"
      values   = [local.arn.functions]
    }
  }

  statement {
    sid       = "ManageEventSourceMappings"
    effect    = "Allow"
    actions   = ["lambda:UpdateEventSourceMapping", "lambda:DeleteEventSourceMapping"]
    resources = [local.arn.event_mappings]

    condition {
      test     = "ArnLike"
      variable = "lambda:FunctionArn"
      values   = [local.arn.functions]
    }
  }

  statement {
    sid       = "TagNewEventSourceMappings"
    effect    = "Allow"
    actions   = ["lambda:TagResource"]
    resources = [local.arn.event_mappings]

    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/Project"
      values   = [var.project]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/Environment"
      values   = [var.environment]
    }
  }

  statement {
    sid       = "TagEventSourceMappings"
    effect    = "Allow"
    actions   = ["lambda:TagResource", "lambda:UntagResource"]
    resources = [local.arn.event_mappings]

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/Project"
      values   = [var.project]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/Environment"
      values   = [var.environment]
    }
  }

  statement {
    sid       = "ManageStateMachines"
    effect    = "Allow"
    actions   = ["states:CreateStateMachine", "states:UpdateStateMachine", "states:DeleteStateMachine", "states:TagResource", "states:UntagResource"]
    resources = [local.arn.state_machines]
  }

  statement {
    sid       = "ManageSchedules"
    effect    = "Allow"
    actions   = ["scheduler:CreateSchedule", "scheduler:UpdateSchedule", "scheduler:DeleteSchedule"]
    resources = [local.arn.schedules]
  }
}

# Apply, part 2: the state, log groups and log delivery, tables, queues, the HTTP API, the Cognito
# user pool, alarms, dashboards, sampling rules, the alarm topic and its key.
data "aws_iam_policy_document" "terraform_write_data" {
  statement {
    sid       = "WriteState"
    effect    = "Allow"
    actions   = ["s3:PutObject"]
    resources = [local.arn.state_object]
  }

  statement {
    sid    = "ManageLogGroups"
    effect = "Allow"
    actions = [
      "logs:CreateLogGroup",
      "logs:DeleteLogGroup",
      "logs:PutRetentionPolicy",
      "logs:DeleteRetentionPolicy",
      "logs:TagResource",
      "logs:UntagResource",
      "logs:TagLogGroup",
      "logs:UntagLogGroup",
    ]
    resources = local.arn.log_groups
  }

  statement {
    sid    = "ConfigureLogDelivery"
    effect = "Allow"
    actions = [
      "logs:CreateLogDelivery",
      "logs:GetLogDelivery",
      "logs:UpdateLogDelivery",
      "logs:DeleteLogDelivery",
      "logs:ListLogDeliveries",
      "logs:PutResourcePolicy",
      "logs:DescribeResourcePolicies",
      "logs:CreateLogGroup",
    ]
    # AWS requires "*": vended log deliveries (Step Functions logging, HTTP API access logs) have no
    # resource-level permissions. CreateLogGroup on "*" too: API Gateway's page on HTTP API logging
    # lists it among the permissions to enable access logs (the log group itself is ours, created first).
    resources = ["*"]
  }

  # API Gateway checks these on the caller that enables a stage's access logs ("Insufficient
  # permissions to enable logging" otherwise; docs: Configuring logging for an HTTP API).
  statement {
    sid       = "EnableApiAccessLogs"
    effect    = "Allow"
    actions   = ["logs:DescribeLogGroups", "logs:DescribeLogStreams", "logs:GetLogEvents", "logs:FilterLogEvents"]
    resources = [local.arn.all_log_groups]
  }

  statement {
    sid    = "ManageTables"
    effect = "Allow"
    actions = [
      "dynamodb:CreateTable",
      "dynamodb:DeleteTable",
      "dynamodb:UpdateTable",
      "dynamodb:UpdateContinuousBackups",
      "dynamodb:UpdateTimeToLive",
      "dynamodb:TagResource",
      "dynamodb:UntagResource",
    ]
    resources = [local.arn.tables]
  }

  statement {
    sid       = "ManageQueues"
    effect    = "Allow"
    actions   = ["sqs:CreateQueue", "sqs:DeleteQueue", "sqs:SetQueueAttributes", "sqs:TagQueue", "sqs:UntagQueue"]
    resources = [local.arn.queues]
  }

  statement {
    sid       = "CreateApis"
    effect    = "Allow"
    actions   = ["apigateway:POST"]
    resources = [local.arn.api_collection]

    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/Project"
      values   = [var.project]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/Environment"
      values   = [var.environment]
    }
  }

  # The API itself: only one that carries the environment's tags.
  statement {
    sid       = "ManageApis"
    effect    = "Allow"
    actions   = ["apigateway:GET", "apigateway:PATCH", "apigateway:DELETE"]
    resources = local.arn.apis

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/Project"
      values   = [var.project]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/Environment"
      values   = [var.environment]
    }
  }

  statement {
    sid       = "TagApis"
    effect    = "Allow"
    actions   = ["apigateway:POST", "apigateway:DELETE"]
    resources = ["arn:${local.partition}:apigateway:${var.region}::/tags/*"]

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/Project"
      values   = [var.project]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/Environment"
      values   = [var.environment]
    }
  }

  # Routes, integrations, stages and deployments have no tags of their own and AWS documents tag
  # inheritance for authorization only for REST APIs, so no tag condition here: correct whether or
  # not API Gateway evaluates them against their API's tags. The API they belong to can only have
  # been created with the environment's tags (CreateApis).
  statement {
    sid       = "ManageApiSubresources"
    effect    = "Allow"
    actions   = ["apigateway:GET", "apigateway:POST", "apigateway:PATCH", "apigateway:DELETE"]
    resources = local.arn.api_subresources
  }

  statement {
    sid     = "CreateUserPools"
    effect  = "Allow"
    actions = ["cognito-idp:CreateUserPool"]
    # AWS requires "*": a pool has no ARN before it exists. Only pools tagged for this environment.
    resources = ["*"]

    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/Project"
      values   = [var.project]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/Environment"
      values   = [var.environment]
    }
  }

  statement {
    # CreateUserPool carries the tags; tagging with the environment's tags is allowed as well.
    sid       = "TagNewUserPools"
    effect    = "Allow"
    actions   = ["cognito-idp:TagResource"]
    resources = [local.arn.user_pools]

    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/Project"
      values   = [var.project]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/Environment"
      values   = [var.environment]
    }
  }

  # The pool and what hangs off it (domain, resource server, app clients: each call names the pool).
  statement {
    sid    = "ManageUserPools"
    effect = "Allow"
    actions = [
      "cognito-idp:UpdateUserPool",
      "cognito-idp:DeleteUserPool",
      "cognito-idp:SetUserPoolMfaConfig",
      "cognito-idp:TagResource",
      "cognito-idp:UntagResource",
      "cognito-idp:CreateUserPoolDomain",
      "cognito-idp:UpdateUserPoolDomain",
      "cognito-idp:DeleteUserPoolDomain",
      "cognito-idp:CreateResourceServer",
      "cognito-idp:UpdateResourceServer",
      "cognito-idp:DeleteResourceServer",
      "cognito-idp:CreateUserPoolClient",
      "cognito-idp:UpdateUserPoolClient",
      "cognito-idp:DeleteUserPoolClient",
    ]
    resources = [local.arn.user_pools]

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/Project"
      values   = [var.project]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/Environment"
      values   = [var.environment]
    }
  }

  statement {
    sid       = "ManageAlarms"
    effect    = "Allow"
    actions   = ["cloudwatch:PutMetricAlarm", "cloudwatch:DeleteAlarms", "cloudwatch:TagResource", "cloudwatch:UntagResource"]
    resources = [local.arn.alarms]
  }

  statement {
    sid       = "ManageDashboards"
    effect    = "Allow"
    actions   = ["cloudwatch:PutDashboard", "cloudwatch:GetDashboard", "cloudwatch:DeleteDashboards"]
    resources = [local.arn.dashboards]
  }

  statement {
    sid       = "ManageSamplingRules"
    effect    = "Allow"
    actions   = ["xray:CreateSamplingRule", "xray:UpdateSamplingRule", "xray:DeleteSamplingRule", "xray:TagResource", "xray:UntagResource"]
    resources = [local.arn.sampling_rules]
  }

  statement {
    sid       = "ManageTopics"
    effect    = "Allow"
    actions   = ["sns:CreateTopic", "sns:DeleteTopic", "sns:SetTopicAttributes", "sns:Subscribe", "sns:Unsubscribe", "sns:TagResource", "sns:UntagResource"]
    resources = [local.arn.topics]
  }

  statement {
    sid     = "CreateEnvironmentKeys"
    effect  = "Allow"
    actions = ["kms:CreateKey", "kms:TagResource"]
    # AWS requires "*": a key has no ARN before it exists. Only keys tagged for this environment.
    resources = ["*"]

    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/Project"
      values   = [var.project]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/Environment"
      values   = [var.environment]
    }
  }

  statement {
    sid    = "ManageEnvironmentKeys"
    effect = "Allow"
    actions = [
      "kms:EnableKeyRotation",
      "kms:PutKeyPolicy",
      "kms:UpdateKeyDescription",
      "kms:ScheduleKeyDeletion",
      "kms:TagResource",
      "kms:UntagResource",
    ]
    resources = [local.arn.keys]

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/Project"
      values   = [var.project]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/Environment"
      values   = [var.environment]
    }
  }
}

################################################################################
# Permissions boundary of every role the environment creates: the most any function or
# workflow role can ever do, whatever policy Terraform attaches to it.
################################################################################

data "aws_iam_policy_document" "role_boundary" {
  statement {
    sid    = "EnvironmentTables"
    effect = "Allow"
    # Query: the reconciler's reads of the open-orders index (`table/<name>/index/*` matches too);
    # BatchGetItem: the orders behind those index keys.
    # DeleteItem: tentative orders and orphaned idempotency keys, each on condition (docs/design.md "Intake").
    actions   = ["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:ConditionCheckItem", "dynamodb:Query"]
    resources = [local.arn.tables]
  }

  statement {
    sid       = "EnvironmentQueues"
    effect    = "Allow"
    actions   = ["sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"]
    resources = [local.arn.queues]
  }

  statement {
    sid       = "EnvironmentWorkflows"
    effect    = "Allow"
    actions   = ["states:StartExecution", "states:DescribeExecution"]
    resources = [local.arn.state_machines, local.arn.executions]
  }

  statement {
    sid       = "EnvironmentFunctions"
    effect    = "Allow"
    actions   = ["lambda:InvokeFunction"]
    resources = [local.arn.functions]
  }

  statement {
    sid       = "EnvironmentLogs"
    effect    = "Allow"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = local.arn.log_groups
  }

  statement {
    sid    = "WorkflowLogDelivery"
    effect = "Allow"
    actions = [
      "logs:CreateLogDelivery",
      "logs:GetLogDelivery",
      "logs:UpdateLogDelivery",
      "logs:DeleteLogDelivery",
      "logs:ListLogDeliveries",
      "logs:PutResourcePolicy",
      "logs:DescribeResourcePolicies",
      "logs:DescribeLogGroups",
    ]
    # AWS requires "*": vended log deliveries have no resource-level permissions.
    resources = ["*"]
  }

  statement {
    sid     = "ReadQueueMetrics"
    effect  = "Allow"
    actions = ["cloudwatch:GetMetricData"]
    # AWS requires "*": GetMetricData has no resource-level permissions (the reconciler's view of queue age).
    resources = ["*"]
  }

  statement {
    sid    = "Tracing"
    effect = "Allow"
    actions = [
      "xray:PutTraceSegments",
      "xray:PutTelemetryRecords",
      "xray:GetSamplingRules",
      "xray:GetSamplingTargets",
    ]
    # AWS requires "*": X-Ray has no resource-level permissions for these actions.
    resources = ["*"]
  }
}

resource "aws_iam_policy" "role_boundary" {
  # Named by convention: infra/envs/<environment> derives this ARN from its project and environment.
  name        = "${local.name}-role-boundary"
  description = "Permissions boundary of every IAM role in ${local.name}"
  policy      = data.aws_iam_policy_document.role_boundary.json
}

# Managed policies rather than inline ones: together they exceed the 10,240-character inline quota
# of a role, and the write half alone exceeds the 6,144 characters of one managed policy, so it is
# two (infra/test/iam-quotas.spec.ts measures every rendered policy).
resource "aws_iam_policy" "terraform_read" {
  name        = "${local.cicd_name}-terraform-read"
  description = "Plan ${local.name}: read its state and its resources"
  policy      = data.aws_iam_policy_document.terraform_read.json
}

resource "aws_iam_policy" "terraform_write" {
  for_each = {
    compute = data.aws_iam_policy_document.terraform_write_compute.json
    data    = data.aws_iam_policy_document.terraform_write_data.json
  }

  name        = "${local.cicd_name}-terraform-write-${each.key}"
  description = "Apply ${local.name} (${each.key}): change only resources named ${local.env_prefix}-*"
  policy      = each.value
}

resource "aws_iam_role_policy_attachment" "terraform_read" {
  for_each = toset(["plan", "apply"])

  role       = aws_iam_role.codebuild[each.key].name
  policy_arn = aws_iam_policy.terraform_read.arn
}

resource "aws_iam_role_policy_attachment" "terraform_write" {
  for_each = aws_iam_policy.terraform_write

  role       = aws_iam_role.codebuild["apply"].name
  policy_arn = each.value.arn
}
