locals {
  # The artifact's version travels with the function as tags, so the console and the
  # Resource Groups Tagging API show which release of the app is deployed.
  tags = merge(var.tags, {
    "dofs:function"        = var.function_name
    "dofs:package-version" = var.package_version
  })
}

################################################################################
# Log group (created before the function so Lambda never creates an unmanaged one)
################################################################################

resource "aws_cloudwatch_log_group" "this" {
  name              = "/aws/lambda/${var.function_name}"
  retention_in_days = var.log_retention_in_days

  tags = var.tags
}

################################################################################
# Execution role: one per function, nothing shared
################################################################################

data "aws_iam_policy_document" "assume_role" {
  statement {
    sid     = "LambdaAssumeRole"
    effect  = "Allow"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "this" {
  name                 = var.function_name
  description          = "Execution role of the ${var.function_name} Lambda function"
  assume_role_policy   = data.aws_iam_policy_document.assume_role.json
  permissions_boundary = var.role_permissions_boundary
  max_session_duration = 3600

  tags = var.tags
}

data "aws_iam_policy_document" "base" {
  statement {
    sid       = "WriteOwnLogGroup"
    effect    = "Allow"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.this.arn}:*"]
  }

  statement {
    sid     = "XRayWrite"
    effect  = "Allow"
    actions = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
    # AWS requires "*": X-Ray trace segments and telemetry have no resource ARN.
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "base" {
  name   = "logs-and-tracing"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.base.json
}

resource "aws_iam_role_policy" "this" {
  count = var.attach_policy_json ? 1 : 0

  name   = "function"
  role   = aws_iam_role.this.id
  policy = var.policy_json
}

################################################################################
# Function
################################################################################

resource "aws_lambda_function" "this" {
  function_name = var.function_name
  description   = var.description
  role          = aws_iam_role.this.arn

  # Code comes from the content-addressed artifact: the key and the hash change only when
  # the bundle does, so `apply` leaves an unchanged function's code alone.
  s3_bucket        = var.s3_bucket
  s3_key           = var.s3_key
  source_code_hash = var.source_code_hash

  handler       = var.handler
  runtime       = var.runtime
  architectures = var.architectures
  timeout       = var.timeout
  memory_size   = var.memory_size
  publish       = false

  reserved_concurrent_executions = var.reserved_concurrent_executions

  dynamic "environment" {
    for_each = length(var.environment_variables) > 0 ? [var.environment_variables] : []

    content {
      variables = environment.value
    }
  }

  tracing_config {
    mode = var.tracing_mode
  }

  # JSON with the platform at WARN: no START/END/REPORT lines per invocation (Duration and Init
  # stay as Lambda metrics). The application level must stay INFO or below: our EMF metric lines
  # carry no `level` key, Lambda classes them INFO, and at WARN it would drop them (and with them
  # the business metrics). Our logger filters by LOG_LEVEL itself (infra/README.md, Logs).
  logging_config {
    log_format            = "JSON"
    system_log_level      = "WARN"
    application_log_level = "INFO"
    log_group             = aws_cloudwatch_log_group.this.name
  }

  tags = local.tags

  depends_on = [
    aws_cloudwatch_log_group.this,
    aws_iam_role_policy.base,
  ]
}

################################################################################
# SQS event source mappings
################################################################################

resource "aws_lambda_event_source_mapping" "sqs" {
  for_each = var.sqs_event_sources

  function_name    = aws_lambda_function.this.arn
  event_source_arn = each.value.queue_arn
  enabled          = true

  batch_size                         = each.value.batch_size
  maximum_batching_window_in_seconds = each.value.maximum_batching_window_in_seconds

  # The handler returns { batchItemFailures }: only the listed messages go back to the
  # queue (and count toward maxReceiveCount); the rest of the batch is deleted.
  function_response_types = ["ReportBatchItemFailures"]

  dynamic "scaling_config" {
    for_each = each.value.maximum_concurrency == null ? [] : [each.value.maximum_concurrency]

    content {
      maximum_concurrency = scaling_config.value
    }
  }

  tags = var.tags

  # The role must be able to receive from the queue before the mapping is enabled.
  depends_on = [aws_iam_role_policy.this]
}
