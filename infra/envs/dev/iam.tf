# Each function's own permissions, exact ARNs only. Logs and X-Ray come from the module.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

data "aws_iam_policy_document" "api_handler" {
  # Started once the order is durable; the execution is never described (Express has no history).
  statement {
    sid       = "StartOrderWorkflow"
    effect    = "Allow"
    actions   = ["states:StartExecution"]
    resources = [module.order_workflow.state_machine_arn]
  }

  # Intake puts the RECEIVED order, then its idempotency key (PutItem on each table). GetItem
  # serves GET /orders/{order_id} and reads the order and key a replayed request refers to.
  # DeleteItem: a replayed or refused request's own tentative order (orders), and a key whose
  # order is missing (idempotency_keys), each on condition.
  statement {
    sid       = "AcceptOrders"
    effect    = "Allow"
    actions   = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem"]
    resources = [module.orders_table.arn, module.idempotency_keys_table.arn]
  }

  # start_failed_at: the workflow could not be started, so the reconciler may re-drive the order
  # without waiting for the workflow's deadline.
  statement {
    sid       = "MarkStartFailures"
    effect    = "Allow"
    actions   = ["dynamodb:UpdateItem"]
    resources = [module.orders_table.arn]
  }
}

data "aws_iam_policy_document" "store_order" {
  # Conditional updates of the RECEIVED order (to PENDING or REJECTED); GetItem tells a repeated
  # execution's own earlier write from a conflict. It never creates an order.
  statement {
    sid       = "UpdateOrders"
    effect    = "Allow"
    actions   = ["dynamodb:GetItem", "dynamodb:UpdateItem"]
    resources = [module.orders_table.arn]
  }
}

data "aws_iam_policy_document" "fulfill_order" {
  statement {
    sid    = "ConsumeOrderQueue"
    effect = "Allow"
    # What the event source mapping calls with this role (Lambda developer guide, SQS permissions).
    actions   = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"]
    resources = [module.order_queue.queue_arn]
  }

  statement {
    sid       = "UpdateOrders"
    effect    = "Allow"
    actions   = ["dynamodb:GetItem", "dynamodb:UpdateItem"]
    resources = [module.orders_table.arn]
  }
}

data "aws_iam_policy_document" "dlq_handler" {
  statement {
    sid    = "ConsumeDeadLetterQueue"
    effect = "Allow"
    # What the event source mapping calls with this role (Lambda developer guide, SQS permissions).
    actions   = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"]
    resources = [module.order_queue.dead_letter_queue_arn]
  }

  # TransactWriteItems is authorised per contained action: Put on failed_orders, Update on orders.
  # Each action is a call FailedOrdersRepository.recordDeadLetter or OrdersRepository.get makes.
  statement {
    sid       = "RecordFailedOrders"
    effect    = "Allow"
    actions   = ["dynamodb:PutItem"]
    resources = [module.failed_orders_table.arn]
  }

  statement {
    sid       = "MarkOrdersFailed"
    effect    = "Allow"
    actions   = ["dynamodb:GetItem", "dynamodb:UpdateItem"]
    resources = [module.orders_table.arn]
  }

  # An order whose processing failed (not its fulfilment) goes back to order_queue (QueueClient.sendOrderMessage).
  statement {
    sid       = "SendOrdersBack"
    effect    = "Allow"
    actions   = ["sqs:SendMessage"]
    resources = [module.order_queue.queue_arn]
  }
}

data "aws_iam_policy_document" "reconcile_orders" {
  # Finds open orders by Query on the sparse index only (never a Scan of the table).
  statement {
    sid       = "QueryOpenOrders"
    effect    = "Allow"
    actions   = ["dynamodb:Query"]
    resources = ["${module.orders_table.arn}/index/open-orders"]
  }

  # BatchGetItem: the orders behind the index keys; GetItem: the consistent re-read before acting;
  # UpdateItem: the conditional re-drive bump and dispatch, and (in TransactWriteItems, authorised
  # per contained action) the move to FAILED when it gives up; DeleteItem: a tentative RECEIVED
  # order whose idempotency key stands for another order (removed, never claimed).
  statement {
    sid       = "ReconcileOrders"
    effect    = "Allow"
    actions   = ["dynamodb:BatchGetItem", "dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"]
    resources = [module.orders_table.arn]
  }

  # A RECEIVED order with an idempotency key is started only if the key stands for it.
  statement {
    sid       = "ReadIdempotencyKeys"
    effect    = "Allow"
    actions   = ["dynamodb:GetItem"]
    resources = [module.idempotency_keys_table.arn]
  }

  statement {
    sid       = "ArchiveGivenUpOrders"
    effect    = "Allow"
    actions   = ["dynamodb:PutItem"]
    resources = [module.failed_orders_table.arn]
  }

  statement {
    sid       = "RequeueStalledOrders"
    effect    = "Allow"
    actions   = ["sqs:SendMessage"]
    resources = [module.order_queue.queue_arn]
  }

  # Evidence of loss: a message of the order can still be in order_queue or order_dlq.
  statement {
    sid       = "CountQueuedMessages"
    effect    = "Allow"
    actions   = ["sqs:GetQueueAttributes"]
    resources = [module.order_queue.queue_arn, module.order_queue.dead_letter_queue_arn]
  }

  statement {
    sid     = "ReadQueueAge"
    effect  = "Allow"
    actions = ["cloudwatch:GetMetricData"]
    # AWS requires "*": GetMetricData has no resource-level permissions (AWS/SQS ApproximateAgeOfOldestMessage of both queues).
    resources = ["*"]
  }

  statement {
    sid       = "RestartOrderWorkflow"
    effect    = "Allow"
    actions   = ["states:StartExecution"]
    resources = [module.order_workflow.state_machine_arn]
  }
}

# EventBridge Scheduler's role for the reconciler schedule: it may invoke that one function only.
data "aws_iam_policy_document" "reconcile_schedule_assume" {
  statement {
    effect  = "Allow"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["scheduler.amazonaws.com"]
    }

    # Only schedules of this account (confused-deputy guard, as AWS documents for Scheduler).
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }
}

resource "aws_iam_role" "reconcile_schedule" {
  name                 = "${local.name_prefix}-reconcile-schedule"
  description          = "EventBridge Scheduler: invokes ${local.name_prefix}-reconcile-orders"
  assume_role_policy   = data.aws_iam_policy_document.reconcile_schedule_assume.json
  permissions_boundary = local.role_permissions_boundary
}

data "aws_iam_policy_document" "reconcile_schedule" {
  statement {
    sid       = "InvokeReconciler"
    effect    = "Allow"
    actions   = ["lambda:InvokeFunction"]
    resources = [module.reconcile_orders.function_arn]
  }

  # Scheduler sends an invocation it could not deliver to the target's dead-letter queue with this role.
  statement {
    sid       = "DeadLetterUndeliveredRuns"
    effect    = "Allow"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.reconcile_schedule_dlq.arn]
  }
}

resource "aws_iam_role_policy" "reconcile_schedule" {
  name   = "invoke-reconcile-orders"
  role   = aws_iam_role.reconcile_schedule.id
  policy = data.aws_iam_policy_document.reconcile_schedule.json
}
