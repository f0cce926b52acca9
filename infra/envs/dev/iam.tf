# Each function's own permissions, exact ARNs only. Logs and X-Ray come from the module.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  # Execution ARNs are named after the order id, so they are only known per request.
  order_workflow_executions_arn = "arn:${data.aws_partition.current.partition}:states:${var.region}:${data.aws_caller_identity.current.account_id}:execution:${local.state_machine_name}:*"
}

data "aws_iam_policy_document" "api_handler" {
  statement {
    sid       = "StartOrderWorkflow"
    effect    = "Allow"
    actions   = ["states:StartExecution"]
    resources = [module.order_workflow.state_machine_arn]
  }

  statement {
    # Idempotency: on ExecutionAlreadyExists the handler compares the running execution's input.
    sid       = "DescribeOrderWorkflowExecutions"
    effect    = "Allow"
    actions   = ["states:DescribeExecution"]
    resources = [local.order_workflow_executions_arn]
  }

  statement {
    sid       = "ReadOrders"
    effect    = "Allow"
    actions   = ["dynamodb:GetItem"]
    resources = [module.orders_table.arn]
  }
}

data "aws_iam_policy_document" "store_order" {
  statement {
    sid       = "WriteOrders"
    effect    = "Allow"
    actions   = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"]
    resources = [module.orders_table.arn]
  }
}

data "aws_iam_policy_document" "fulfill_order" {
  statement {
    sid    = "ConsumeOrderQueue"
    effect = "Allow"
    actions = [
      "sqs:ReceiveMessage",
      "sqs:DeleteMessage",
      "sqs:ChangeMessageVisibility",
      "sqs:GetQueueAttributes",
    ]
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
    actions = [
      "sqs:ReceiveMessage",
      "sqs:DeleteMessage",
      "sqs:ChangeMessageVisibility",
      "sqs:GetQueueAttributes",
    ]
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
}
