data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

################################################################################
# Encrypted topic. CloudWatch cannot publish to a topic encrypted with the AWS managed
# aws/sns key, so the topic has its own key whose policy lets CloudWatch use it.
################################################################################

data "aws_iam_policy_document" "topic_key" {
  statement {
    sid    = "KeyAdministration"
    effect = "Allow"
    actions = [
      "kms:Create*",
      "kms:Describe*",
      "kms:Enable*",
      "kms:List*",
      "kms:Put*",
      "kms:Update*",
      "kms:Revoke*",
      "kms:Disable*",
      "kms:Get*",
      "kms:Delete*",
      "kms:TagResource",
      "kms:UntagResource",
      "kms:ScheduleKeyDeletion",
      "kms:CancelKeyDeletion",
    ]
    # A key policy's resource is always "*": it means this key.
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:root"]
    }
  }

  # The deployer is named here, not only granted through its IAM policy: that policy limits it to
  # keys tagged for the environment, and KMS documents that tag-based authorization can take
  # minutes to apply to a new key, while the provider calls EnableKeyRotation, GetKeyPolicy and
  # ListResourceTags right after CreateKey. A key policy statement applies from creation.
  dynamic "statement" {
    for_each = length(var.key_administrator_arns) > 0 ? [1] : []

    content {
      sid    = "DeployerAdministersKey"
      effect = "Allow"
      actions = [
        "kms:DescribeKey",
        "kms:GetKeyPolicy",
        "kms:GetKeyRotationStatus",
        "kms:ListResourceTags",
        "kms:EnableKeyRotation",
        "kms:PutKeyPolicy",
        "kms:UpdateKeyDescription",
        "kms:TagResource",
        "kms:UntagResource",
        "kms:ScheduleKeyDeletion",
      ]
      # A key policy's resource is always "*": it means this key.
      resources = ["*"]

      principals {
        type        = "AWS"
        identifiers = var.key_administrator_arns
      }
    }
  }

  statement {
    sid     = "AccountPrincipalsUseKeyThroughSns"
    effect  = "Allow"
    actions = ["kms:Decrypt", "kms:GenerateDataKey*"]
    # A key policy's resource is always "*": it means this key.
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:root"]
    }

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["sns.${var.region}.amazonaws.com"]
    }
  }

  statement {
    sid     = "CloudWatchPublishesAlarms"
    effect  = "Allow"
    actions = ["kms:Decrypt", "kms:GenerateDataKey*"]
    # A key policy's resource is always "*": it means this key.
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }
}

resource "aws_kms_key" "topic" {
  description             = "Encrypts the ${var.name_prefix} alarm topic"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.topic_key.json

  tags = var.tags
}

resource "aws_sns_topic" "alarms" {
  name              = "${var.name_prefix}-alarms"
  kms_master_key_id = aws_kms_key.topic.arn

  tags = var.tags
}

data "aws_iam_policy_document" "topic" {
  statement {
    sid       = "CloudWatchAlarmsPublish"
    effect    = "Allow"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.alarms.arn]

    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com"]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = ["arn:${data.aws_partition.current.partition}:cloudwatch:${var.region}:${data.aws_caller_identity.current.account_id}:alarm:${var.name_prefix}-*"]
    }
  }

  statement {
    sid    = "DenyInsecureTransport"
    effect = "Deny"
    # A deny: publishing over plain HTTP is refused for every principal.
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.alarms.arn]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_sns_topic_policy" "alarms" {
  arn    = aws_sns_topic.alarms.arn
  policy = data.aws_iam_policy_document.topic.json
}

resource "aws_sns_topic_subscription" "email" {
  for_each = toset(var.alarm_email_addresses)

  topic_arn = aws_sns_topic.alarms.arn
  protocol  = "email"
  endpoint  = each.value
}

locals {
  actions = [aws_sns_topic.alarms.arn]
}

################################################################################
# Queues
################################################################################

# dlq-handler drains order_dlq within seconds, so its depth stays at 0: count arrivals instead.
resource "aws_cloudwatch_metric_alarm" "dlq_messages_received" {
  alarm_name        = "${var.name_prefix}-order-dlq-messages-received"
  alarm_description = "Messages reached the dead-letter queue: an order's fulfilment failed maxReceiveCount times, or processing failed (dlq-handler then sends it back to order_queue). See failed_orders and dlq-handler's logs."

  namespace   = "AWS/SQS"
  metric_name = "NumberOfMessagesReceived"
  dimensions  = { QueueName = var.dead_letter_queue_name }
  statistic   = "Sum"
  period      = var.period_seconds

  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  # No datapoints means nothing was received: not breaching.
  treat_missing_data = "notBreaching"

  alarm_actions = local.actions
  ok_actions    = local.actions

  tags = var.tags
}

# Nothing consumes the parking queue: anything in it waits for a person (dofs CLI or the console).
resource "aws_cloudwatch_metric_alarm" "parking_messages_visible" {
  alarm_name        = "${var.name_prefix}-order-parking-messages-visible"
  alarm_description = "dlq-handler could not process dead letters its maxReceiveCount times; they wait in the parking queue for a person. Expiry counts from the original enqueue time."

  namespace   = "AWS/SQS"
  metric_name = "ApproximateNumberOfMessagesVisible"
  dimensions  = { QueueName = var.parking_queue_name }
  statistic   = "Maximum"
  period      = var.period_seconds

  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  # SQS stops reporting for an idle queue: keep the last state rather than clearing the alarm.
  treat_missing_data = "ignore"

  alarm_actions = local.actions
  ok_actions    = local.actions

  tags = var.tags
}

# A reconciler run EventBridge Scheduler could not deliver (throttled, denied, function missing).
resource "aws_cloudwatch_metric_alarm" "schedule_dead_letters_visible" {
  alarm_name        = "${var.name_prefix}-reconcile-schedule-dead-letters"
  alarm_description = "EventBridge Scheduler could not invoke reconcile-orders; the undelivered runs wait in ${var.schedule_dead_letter_queue_name} (their message names the error)."

  namespace   = "AWS/SQS"
  metric_name = "ApproximateNumberOfMessagesVisible"
  dimensions  = { QueueName = var.schedule_dead_letter_queue_name }
  statistic   = "Maximum"
  period      = var.period_seconds

  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  # SQS stops reporting for an idle queue: keep the last state rather than clearing the alarm.
  treat_missing_data = "ignore"

  alarm_actions = local.actions
  ok_actions    = local.actions

  tags = var.tags
}

resource "aws_cloudwatch_metric_alarm" "queue_oldest_message_age" {
  alarm_name        = "${var.name_prefix}-order-queue-oldest-message-age"
  alarm_description = "The oldest order on order_queue waited longer than ${var.oldest_message_age_threshold_seconds}s: fulfilment is falling behind."

  namespace   = "AWS/SQS"
  metric_name = "ApproximateAgeOfOldestMessage"
  dimensions  = { QueueName = var.queue_name }
  statistic   = "Maximum"
  period      = var.period_seconds

  evaluation_periods  = 3
  datapoints_to_alarm = 2
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.oldest_message_age_threshold_seconds
  treat_missing_data  = "notBreaching"

  alarm_actions = local.actions
  ok_actions    = local.actions

  tags = var.tags
}

################################################################################
# Workflow
################################################################################

resource "aws_cloudwatch_metric_alarm" "executions_failed" {
  alarm_name        = "${var.name_prefix}-order-workflow-executions-failed"
  alarm_description = "Order workflow executions failed (a task failed after its retries)."

  namespace   = "AWS/States"
  metric_name = "ExecutionsFailed"
  dimensions  = { StateMachineArn = var.state_machine_arn }
  statistic   = "Sum"
  period      = var.period_seconds

  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  treat_missing_data  = "notBreaching"

  alarm_actions = local.actions
  ok_actions    = local.actions

  tags = var.tags
}

################################################################################
# Functions
################################################################################

resource "aws_cloudwatch_metric_alarm" "lambda_errors" {
  for_each = var.lambda_function_names

  alarm_name        = "${var.name_prefix}-${each.key}-errors"
  alarm_description = "${each.value} threw or timed out."

  namespace   = "AWS/Lambda"
  metric_name = "Errors"
  dimensions  = { FunctionName = each.value }
  statistic   = "Sum"
  period      = var.period_seconds

  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  treat_missing_data  = "notBreaching"

  alarm_actions = local.actions
  ok_actions    = local.actions

  tags = var.tags
}

resource "aws_cloudwatch_metric_alarm" "lambda_throttles" {
  for_each = var.lambda_function_names

  alarm_name        = "${var.name_prefix}-${each.key}-throttles"
  alarm_description = "${each.value} was throttled."

  namespace   = "AWS/Lambda"
  metric_name = "Throttles"
  dimensions  = { FunctionName = each.value }
  statistic   = "Sum"
  period      = var.period_seconds

  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  treat_missing_data  = "notBreaching"

  alarm_actions = local.actions
  ok_actions    = local.actions

  tags = var.tags
}

################################################################################
# API
################################################################################

resource "aws_cloudwatch_metric_alarm" "api_5xx" {
  alarm_name        = "${var.name_prefix}-api-5xx"
  alarm_description = "The order API answered 5XX: our fault, never the client's."

  namespace = "AWS/ApiGateway"
  # HTTP API metric names and dimensions (a REST API would be 5XXError by ApiName).
  metric_name = "5xx"
  dimensions = {
    ApiId = var.api_id
    Stage = var.api_stage_name
  }
  statistic = "Sum"
  period    = var.period_seconds

  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  treat_missing_data  = "notBreaching"

  alarm_actions = local.actions
  ok_actions    = local.actions

  tags = var.tags
}

################################################################################
# Reconciler (Embedded Metric Format metrics of reconcile-orders, one datapoint per run)
################################################################################

resource "aws_cloudwatch_metric_alarm" "reconciler_redrives" {
  alarm_name        = "${var.name_prefix}-reconciler-redrives"
  alarm_description = "The reconciler re-drove orders (workflow started again, or message enqueued again): something left them behind (a failed execution, a lost message, a crash). Their log lines carry order_id and action REDRIVEN / REQUEUED."

  metric_query {
    id          = "redrives"
    expression  = "redriven + requeued"
    label       = "Orders re-driven"
    return_data = true
  }

  metric_query {
    id = "redriven"
    metric {
      namespace   = var.metrics_namespace
      metric_name = "Redriven"
      dimensions  = { service = var.reconciler_service_name }
      stat        = "Sum"
      period      = var.period_seconds
    }
  }

  metric_query {
    id = "requeued"
    metric {
      namespace   = var.metrics_namespace
      metric_name = "Requeued"
      dimensions  = { service = var.reconciler_service_name }
      stat        = "Sum"
      period      = var.period_seconds
    }
  }

  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  # Every run reports, zeros included; a period without a datapoint is one in which no run ended,
  # which says nothing about re-drives (the Lambda Errors alarm covers a failing reconciler).
  treat_missing_data = "notBreaching"

  alarm_actions = local.actions
  ok_actions    = local.actions

  tags = var.tags
}

resource "aws_cloudwatch_metric_alarm" "reconciler_give_ups" {
  alarm_name        = "${var.name_prefix}-reconciler-give-ups"
  alarm_description = "The reconciler gave up on orders after maxRedrives re-drives: they are FAILED (PROCESSING_FAILED) and archived in failed_orders under message_id reconciler#<order_id>. A healthy order may have failed because a dependency was down."

  namespace   = var.metrics_namespace
  metric_name = "GaveUp"
  dimensions  = { service = var.reconciler_service_name }
  statistic   = "Sum"
  period      = var.period_seconds

  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  # As above: no datapoint means no run ended in the period, not that an order was given up.
  treat_missing_data = "notBreaching"

  alarm_actions = local.actions
  ok_actions    = local.actions

  tags = var.tags
}

resource "aws_cloudwatch_metric_alarm" "reconciler_redrive_errors" {
  alarm_name        = "${var.name_prefix}-reconciler-redrive-errors"
  alarm_description = "The reconciler's re-drives were refused for a reason that will not pass (access denied, no such state machine or queue): each counts against its order, which gives up after maxRedrives. See the reconcile-orders logs (action REDRIVE_ERROR) and last_redrive_error on the order."

  namespace   = var.metrics_namespace
  metric_name = "RedriveErrors"
  dimensions  = { service = var.reconciler_service_name }
  statistic   = "Sum"
  period      = var.period_seconds

  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  # As above: no datapoint means no run ended in the period.
  treat_missing_data = "notBreaching"

  alarm_actions = local.actions
  ok_actions    = local.actions

  tags = var.tags
}
