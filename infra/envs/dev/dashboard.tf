# One CloudWatch dashboard for the environment: the business metrics the functions write as
# Embedded Metric Format lines (namespace DOFS, dimension service), beside the queue depths and
# the state of every alarm.
locals {
  metrics_namespace = "DOFS"
  dashboard_period  = 300

  # [metric, service (the function's SERVICE), label]
  order_flow_metrics = [
    ["OrdersAccepted", "api-handler", "accepted"],
    ["OrdersRejected", "store-order", "rejected"],
    ["OrdersFulfilled", "fulfill-order", "fulfilled"],
    ["OrdersFailed", "dlq-handler", "failed"],
  ]
  reconciler_metrics = ["Redriven", "Requeued", "GaveUp"]
  dashboard_queues = [
    [module.order_queue.queue_name, local.settings.queues.orders],
    [module.order_queue.dead_letter_queue_name, local.settings.queues.deadLetter],
    [module.order_queue.parking_queue_name, local.settings.queues.parking],
  ]
  alarm_arns = [for name in module.alarms.alarm_names : "arn:${data.aws_partition.current.partition}:cloudwatch:${var.region}:${data.aws_caller_identity.current.account_id}:alarm:${name}"]
}

resource "aws_cloudwatch_dashboard" "operations" {
  dashboard_name = "${local.name_prefix}-operations"
  dashboard_body = jsonencode({
    widgets = [
      {
        type   = "metric"
        x      = 0
        y      = 0
        width  = 12
        height = 6
        properties = {
          title   = "Orders (sum per 5 minutes)"
          region  = var.region
          view    = "timeSeries"
          stacked = false
          period  = local.dashboard_period
          stat    = "Sum"
          metrics = [for m in local.order_flow_metrics : [local.metrics_namespace, m[0], "service", m[1], { label = m[2] }]]
        }
      },
      {
        type   = "metric"
        x      = 12
        y      = 0
        width  = 12
        height = 6
        properties = {
          title  = "Fulfilment attempts and intake to FULFILLED"
          region = var.region
          view   = "timeSeries"
          period = local.dashboard_period
          metrics = [
            [local.metrics_namespace, "FulfilmentAttempts", "service", "fulfill-order", { stat = "Sum", label = "attempts" }],
            [local.metrics_namespace, "IntakeToTerminalMs", "service", "fulfill-order", { stat = "p50", label = "intake to FULFILLED p50 (ms)", yAxis = "right" }],
            [local.metrics_namespace, "IntakeToTerminalMs", "service", "fulfill-order", { stat = "p99", label = "intake to FULFILLED p99 (ms)", yAxis = "right" }],
          ]
        }
      },
      {
        type   = "metric"
        x      = 0
        y      = 6
        width  = 12
        height = 6
        properties = {
          title   = "Queue depths (messages visible)"
          region  = var.region
          view    = "timeSeries"
          period  = 60
          stat    = "Maximum"
          metrics = [for q in local.dashboard_queues : ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", q[0], { label = q[1] }]]
        }
      },
      {
        type   = "metric"
        x      = 12
        y      = 6
        width  = 12
        height = 6
        properties = {
          title   = "Reconciler (sum per 5 minutes)"
          region  = var.region
          view    = "timeSeries"
          period  = local.dashboard_period
          stat    = "Sum"
          metrics = [for name in local.reconciler_metrics : [local.metrics_namespace, name, "service", "reconcile-orders"]]
        }
      },
      {
        type   = "alarm"
        x      = 0
        y      = 12
        width  = 24
        height = 4
        properties = {
          title  = "Alarms"
          alarms = local.alarm_arns
        }
      },
    ]
  })
}
