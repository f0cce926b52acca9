# One CloudWatch dashboard for the environment: the business metrics the functions write as
# Embedded Metric Format lines (namespace DOFS, dimension service), beside the queue depths and
# the state of every alarm. Its backlog rows are the local dashboard's plots (apps/local-stack,
# /_dashboard) from the deployed metrics: orders accepted, fulfilled and failed, what each queue
# holds and how old its oldest message is, and the reconciler's re-sends, once over the last
# 15 minutes and once over the dashboard's time range (3 hours when it opens).
locals {
  metrics_namespace = "DOFS"
  # Standard-resolution EMF metrics and the SQS metrics have one value a minute: the finest period.
  dashboard_period = 60

  # [metric, service (the function's SERVICE), label]
  order_flow_metrics = [
    ["OrdersAccepted", "api-handler", "accepted"],
    ["OrdersRejected", "store-order", "rejected"],
    ["OrdersFulfilled", "fulfill-order", "fulfilled"],
    ["OrdersFailed", "dlq-handler", "dead-lettered"],
  ]
  # [metric, label]: every run writes them all, zeros included (service reconcile-orders).
  reconciler_metrics = [
    ["Redriven", "workflows started again"],
    ["Requeued", "messages sent again"],
    ["GaveUp", "given up (FAILED)"],
    ["AwaitingQueue", "left alone (message may still be queued)"],
    ["RedriveErrors", "re-drives failed for good"],
  ]
  dashboard_queues = [
    [module.order_queue.queue_name, local.settings.queues.orders],
    [module.order_queue.dead_letter_queue_name, local.settings.queues.deadLetter],
    [module.order_queue.parking_queue_name, local.settings.queues.parking],
  ]
  # What a queue holds: waiting, in flight and sent with a delay not yet over (dlq-handler's send-backs).
  queue_depth_metrics = ["ApproximateNumberOfMessagesVisible", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed"]
  alarm_arns          = [for name in module.alarms.alarm_names : "arn:${data.aws_partition.current.partition}:cloudwatch:${var.region}:${data.aws_caller_identity.current.account_id}:alarm:${name}"]

  # Orders a minute; failed = dead-lettered (dlq-handler) + given up (the reconciler), both end FAILED.
  orders_widget_metrics = concat(
    [for m in local.order_flow_metrics : [local.metrics_namespace, m[0], "service", m[1], { id = replace(m[2], "-", "_"), label = m[2], visible = m[0] != "OrdersFailed" }]],
    [
      [local.metrics_namespace, "GaveUp", "service", "reconcile-orders", { id = "gave_up", visible = false }],
      [{ expression = "FILL(dead_lettered, 0) + FILL(gave_up, 0)", id = "failed", label = "failed (dead-lettered or given up)" }],
    ],
  )
  # One line per queue: the sum of its three counts (each hidden), at the minute's maximum.
  queue_depth_widget_metrics = concat([
    for i, q in local.dashboard_queues : concat(
      [for j, metric in local.queue_depth_metrics : ["AWS/SQS", metric, "QueueName", q[0], { id = "q${i}_${j}", visible = false }]],
      [[{ expression = join(" + ", [for j, metric in local.queue_depth_metrics : "FILL(q${i}_${j}, 0)"]), id = "held_${i}", label = q[1] }]],
    )
  ]...)
  queue_age_widget_metrics = [for q in local.dashboard_queues : ["AWS/SQS", "ApproximateAgeOfOldestMessage", "QueueName", q[0], { label = q[1] }]]
  # Re-sends = Redriven + Requeued: workflows started again and messages sent again.
  resends_widget_metrics = concat(
    [for m in local.reconciler_metrics : [local.metrics_namespace, m[0], "service", "reconcile-orders", { id = lower(m[0]), label = m[1], visible = !contains(["Redriven", "Requeued"], m[0]) }]],
    [[{ expression = "FILL(redriven, 0) + FILL(requeued, 0)", id = "resent", label = "re-sent (Redriven + Requeued)" }]],
  )

  # The backlog rows: the same four widgets over the last 15 minutes (their own range, the latest
  # partial minute shown) and over the dashboard's range. An empty `time` follows the dashboard.
  backlog_views = [
    { title = "Backlog, last 15 minutes", time = { start = "-PT15M" }, live = true },
    { title = "Backlog over the dashboard's time range", time = {}, live = false },
  ]
  backlog_widgets = concat([
    for i, view in local.backlog_views : [
      {
        type       = "text"
        x          = 0
        y          = i * 7
        width      = 24
        height     = 1
        properties = { markdown = "### ${view.title}" }
      },
      {
        type   = "metric"
        x      = 0
        y      = i * 7 + 1
        width  = 6
        height = 6
        properties = merge(view.time, {
          title    = "Orders per minute"
          region   = var.region
          view     = "timeSeries"
          stacked  = false
          liveData = view.live
          period   = local.dashboard_period
          stat     = "Sum"
          metrics  = local.orders_widget_metrics
        })
      },
      {
        type   = "metric"
        x      = 6
        y      = i * 7 + 1
        width  = 6
        height = 6
        properties = merge(view.time, {
          title    = "Messages in each queue (waiting, in flight, delayed)"
          region   = var.region
          view     = "timeSeries"
          stacked  = false
          liveData = view.live
          period   = local.dashboard_period
          stat     = "Maximum"
          metrics  = local.queue_depth_widget_metrics
        })
      },
      {
        type   = "metric"
        x      = 12
        y      = i * 7 + 1
        width  = 6
        height = 6
        properties = merge(view.time, {
          title    = "Age of the oldest message (s)"
          region   = var.region
          view     = "timeSeries"
          stacked  = false
          liveData = view.live
          period   = local.dashboard_period
          stat     = "Maximum"
          metrics  = local.queue_age_widget_metrics
        })
      },
      {
        type   = "metric"
        x      = 18
        y      = i * 7 + 1
        width  = 6
        height = 6
        properties = merge(view.time, {
          title    = "Reconciler per minute"
          region   = var.region
          view     = "timeSeries"
          stacked  = false
          liveData = view.live
          period   = local.dashboard_period
          stat     = "Sum"
          metrics  = local.resends_widget_metrics
        })
      },
    ]
  ]...)
}

resource "aws_cloudwatch_dashboard" "operations" {
  dashboard_name = "${local.name_prefix}-operations"
  dashboard_body = jsonencode({
    # Opens on 3 hours, each graph at its own period (60 s) whatever the range.
    start          = "-PT3H"
    periodOverride = "inherit"
    widgets = concat(local.backlog_widgets, [
      {
        type   = "metric"
        x      = 0
        y      = length(local.backlog_views) * 7
        width  = 24
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
        type   = "alarm"
        x      = 0
        y      = length(local.backlog_views) * 7 + 6
        width  = 24
        height = 4
        properties = {
          title  = "Alarms"
          alarms = local.alarm_arns
        }
      },
    ])
  })
}
