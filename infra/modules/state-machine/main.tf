data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  state_machine_arn = "arn:${data.aws_partition.current.partition}:states:${var.region}:${data.aws_caller_identity.current.account_id}:stateMachine:${var.name}"
}

################################################################################
# Log group (the /aws/vendedlogs/ prefix keeps the Logs resource policy small)
################################################################################

resource "aws_cloudwatch_log_group" "this" {
  name              = "/aws/vendedlogs/states/${var.name}"
  retention_in_days = var.log_retention_in_days

  tags = var.tags
}

################################################################################
# Role
################################################################################

data "aws_iam_policy_document" "assume_role" {
  statement {
    sid     = "StepFunctionsAssumeRole"
    effect  = "Allow"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["states.amazonaws.com"]
    }

    # Confused-deputy protection: only this account's state machine may use the role.
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = [local.state_machine_arn]
    }
  }
}

resource "aws_iam_role" "this" {
  name                 = var.name
  description          = "Execution role of the ${var.name} state machine"
  assume_role_policy   = data.aws_iam_policy_document.assume_role.json
  permissions_boundary = var.role_permissions_boundary

  tags = var.tags
}

data "aws_iam_policy_document" "this" {
  dynamic "statement" {
    for_each = length(var.lambda_function_arns) > 0 ? [var.lambda_function_arns] : []

    content {
      sid       = "InvokeTaskFunctions"
      effect    = "Allow"
      actions   = ["lambda:InvokeFunction"]
      resources = statement.value
    }
  }

  dynamic "statement" {
    for_each = length(var.sqs_send_message_queue_arns) > 0 ? [var.sqs_send_message_queue_arns] : []

    content {
      sid       = "SendToQueues"
      effect    = "Allow"
      actions   = ["sqs:SendMessage"]
      resources = statement.value
    }
  }

  statement {
    sid    = "DeliverExecutionLogs"
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
    # AWS requires "*": CloudWatch Logs vended log deliveries do not support resource-level permissions.
    resources = ["*"]
  }

  statement {
    sid    = "XRayWrite"
    effect = "Allow"
    actions = [
      "xray:PutTraceSegments",
      "xray:PutTelemetryRecords",
      "xray:GetSamplingRules",
      "xray:GetSamplingTargets",
    ]
    # AWS requires "*": X-Ray segments and sampling rules have no resource-level permissions.
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "this" {
  name   = "workflow"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.this.json
}

################################################################################
# State machine
################################################################################

resource "aws_sfn_state_machine" "this" {
  name       = var.name
  type       = var.type
  role_arn   = aws_iam_role.this.arn
  definition = var.definition

  # EXPRESS keeps no execution history: this log group is where a failed execution can be seen.
  logging_configuration {
    log_destination        = "${aws_cloudwatch_log_group.this.arn}:*"
    include_execution_data = var.include_execution_data
    level                  = var.log_level
  }

  tracing_configuration {
    enabled = true
  }

  tags = var.tags

  depends_on = [aws_iam_role_policy.this]
}
