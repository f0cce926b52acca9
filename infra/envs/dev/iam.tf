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

  # Intake writes the RECEIVED order with PutItem, or with its idempotency key in one
  # TransactWriteItems, which is authorised per contained action (Put on both tables). GetItem
  # serves GET /orders/{order_id} and reads the order and key a replayed request refers to.
  statement {
    sid       = "AcceptOrders"
    effect    = "Allow"
    actions   = ["dynamodb:GetItem", "dynamodb:PutItem"]
    resources = [module.orders_table.arn, module.idempotency_keys_table.arn]
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

  # An order whose processing failed (not its fulfilment) goes back to order_queue (QueueClient.sendOrderMessage).
  statement {
    sid       = "SendOrdersBack"
    effect    = "Allow"
    actions   = ["sqs:SendMessage"]
    resources = [module.order_queue.queue_arn]
  }
}
