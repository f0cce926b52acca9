locals {
  # The one source of runtime settings, shared with the local stack. Never restate its values here.
  settings = jsondecode(file("${path.module}/../../settings.json"))

  name_prefix        = "${var.project}-${var.environment}"
  state_machine_name = "${local.name_prefix}-order-workflow"

  # Every deployed app (api-handler, validate-order, store-order, fulfill-order, dlq-handler, reconcile-orders).
  apps = toset(keys(local.settings.functions))

  # The artifact manifest of the commit being deployed (artifacts.tf).
  artifacts = var.artifacts

  # Created by infra/cicd under this conventional name.
  role_permissions_boundary = var.use_role_permissions_boundary ? "arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:policy/${local.name_prefix}-role-boundary" : null

  # The pipeline's Apply role (infra/cicd), named in the alarm topic key's policy.
  deployer_role_arn = "arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:role/${var.project}-cicd-${var.environment}-codebuild-apply"

  common_environment = {
    LOG_LEVEL = var.log_level
  }

  # Who may call the API: the Cognito user pool below by default, or an existing OIDC issuer.
  create_cognito = var.jwt_issuer == null
  jwt_issuer     = local.create_cognito ? module.identity[0].issuer : var.jwt_issuer
  jwt_audience   = local.create_cognito ? module.identity[0].client_ids : var.jwt_audience
}

################################################################################
# Tables
################################################################################

module "orders_table" {
  source = "../../modules/dynamodb-table"

  name                        = "${local.name_prefix}-${local.settings.tables.orders}"
  hash_key                    = "order_id"
  deletion_protection_enabled = var.deletion_protection

  # Sparse: open_shard ("OPEN#<0..7>") and open_since (when the order opened) are set when an order
  # is taken in (or an operator redrives it) and removed by the write that makes it terminal, and no
  # other write touches them: the index holds open orders only, is written twice per order, and the
  # reconciler finds them by Query. Keys only: it re-reads each candidate consistently.
  # Changing this key schema on a live table needs a new index name (docs/design.md "open-orders").
  global_secondary_indexes = [
    {
      name            = "open-orders"
      hash_key        = "open_shard"
      range_key       = "open_since"
      projection_type = "KEYS_ONLY"
    },
  ]
}

module "idempotency_keys_table" {
  source = "../../modules/dynamodb-table"

  # One item per (customer, Idempotency-Key): the order it created and the request's hash. Its own
  # table, so TTL deletes keys only, a scan of orders shows orders only, and only api-handler is granted it.
  name                        = "${local.name_prefix}-${local.settings.tables.idempotencyKeys}"
  hash_key                    = "idempotency_id"
  ttl_attribute_name          = "expires_at"
  deletion_protection_enabled = var.deletion_protection
}

module "failed_orders_table" {
  source = "../../modules/dynamodb-table"

  name                        = "${local.name_prefix}-${local.settings.tables.failedOrders}"
  hash_key                    = "order_id"
  deletion_protection_enabled = var.deletion_protection
}

################################################################################
# Queues: order_queue redrives to order_dlq after maxReceiveCount receives
################################################################################

module "order_queue" {
  source = "../../modules/sqs-queue"

  name                   = "${local.name_prefix}-${local.settings.queues.orders}"
  dead_letter_queue_name = "${local.name_prefix}-${local.settings.queues.deadLetter}"
  max_receive_count      = local.settings.queues.maxReceiveCount

  parking_queue_name                = "${local.name_prefix}-${local.settings.queues.parking}"
  dead_letter_max_receive_count     = local.settings.queues.deadLetterMaxReceiveCount
  parking_message_retention_seconds = local.settings.queues.parkingRetentionSeconds

  visibility_timeout_seconds = local.settings.queues.visibilityTimeoutSeconds
  consumer_timeout_seconds   = local.settings.functions["fulfill-order"].timeoutSeconds

  dead_letter_visibility_timeout_seconds = local.settings.queues.visibilityTimeoutSeconds
  dead_letter_consumer_timeout_seconds   = local.settings.functions["dlq-handler"].timeoutSeconds

  message_retention_seconds             = local.settings.queues.messageRetentionSeconds
  dead_letter_message_retention_seconds = local.settings.queues.deadLetterRetentionSeconds
}

################################################################################
# Functions
################################################################################

module "api_handler" {
  source = "../../modules/lambda-function"

  function_name = "${local.name_prefix}-api-handler"
  description   = "POST /order and GET /orders/{order_id}"

  s3_bucket        = local.artifacts["api-handler"].s3_bucket
  s3_key           = local.artifacts["api-handler"].s3_key
  source_code_hash = local.artifacts["api-handler"].sha256
  package_version  = local.artifacts["api-handler"].version

  timeout               = local.settings.functions["api-handler"].timeoutSeconds
  memory_size           = local.settings.functions["api-handler"].memoryMb
  log_retention_in_days = var.log_retention_in_days

  # PassThrough (the module's default), although HTTP APIs start no trace: with Active, Lambda
  # samples by itself at a fixed 1 request/s + 5 % that no sampling rule changes, which at dev's
  # volume is every request (~10 USD per million orders, npm run cost -- --levers). The order's
  # trace starts in the workflow instead, sampled by the rule in tracing.tf.

  role_permissions_boundary = local.role_permissions_boundary

  # AUTH_MODE jwt: the HTTP API's JWT authorizer verified the token, and the handler takes the
  # caller from its claims (refusing a request without them, never serving it open).
  environment_variables = merge(local.common_environment, {
    ORDERS_TABLE               = module.orders_table.name
    IDEMPOTENCY_TABLE          = module.idempotency_keys_table.name
    IDEMPOTENCY_WINDOW_SECONDS = tostring(local.settings.idempotency.windowSeconds)
    STATE_MACHINE_ARN          = module.order_workflow.state_machine_arn
    AUTH_MODE                  = "jwt"
  })

  attach_policy_json = true
  policy_json        = data.aws_iam_policy_document.api_handler.json
}

module "validate_order" {
  source = "../../modules/lambda-function"

  function_name = "${local.name_prefix}-validate-order"
  description   = "Workflow task: re-validates the order and applies business rules"

  s3_bucket        = local.artifacts["validate-order"].s3_bucket
  s3_key           = local.artifacts["validate-order"].s3_key
  source_code_hash = local.artifacts["validate-order"].sha256
  package_version  = local.artifacts["validate-order"].version

  timeout               = local.settings.functions["validate-order"].timeoutSeconds
  memory_size           = local.settings.functions["validate-order"].memoryMb
  log_retention_in_days = var.log_retention_in_days

  role_permissions_boundary = local.role_permissions_boundary

  environment_variables = local.common_environment

  # Pure computation: no AWS access beyond its own logs and traces.
  attach_policy_json = false
}

module "store_order" {
  source = "../../modules/lambda-function"

  function_name = "${local.name_prefix}-store-order"
  description   = "Workflow task: moves the RECEIVED order to PENDING or REJECTED"

  s3_bucket        = local.artifacts["store-order"].s3_bucket
  s3_key           = local.artifacts["store-order"].s3_key
  source_code_hash = local.artifacts["store-order"].sha256
  package_version  = local.artifacts["store-order"].version

  timeout               = local.settings.functions["store-order"].timeoutSeconds
  memory_size           = local.settings.functions["store-order"].memoryMb
  log_retention_in_days = var.log_retention_in_days

  role_permissions_boundary = local.role_permissions_boundary

  environment_variables = merge(local.common_environment, {
    ORDERS_TABLE           = module.orders_table.name
    ENQUEUE_WITHIN_SECONDS = tostring(local.settings.workflow.enqueueWithinSeconds)
  })

  attach_policy_json = true
  policy_json        = data.aws_iam_policy_document.store_order.json
}

module "fulfill_order" {
  source = "../../modules/lambda-function"

  function_name = "${local.name_prefix}-fulfill-order"
  description   = "order_queue consumer: fulfils orders, reports failed records for redelivery"

  s3_bucket        = local.artifacts["fulfill-order"].s3_bucket
  s3_key           = local.artifacts["fulfill-order"].s3_key
  source_code_hash = local.artifacts["fulfill-order"].sha256
  package_version  = local.artifacts["fulfill-order"].version

  timeout               = local.settings.functions["fulfill-order"].timeoutSeconds
  memory_size           = local.settings.functions["fulfill-order"].memoryMb
  log_retention_in_days = var.log_retention_in_days

  role_permissions_boundary = local.role_permissions_boundary

  environment_variables = merge(local.common_environment, {
    ORDERS_TABLE             = module.orders_table.name
    FULFILLMENT_SUCCESS_RATE = tostring(local.settings.fulfillment.successRate)
    MAX_RECEIVE_COUNT        = tostring(local.settings.queues.maxReceiveCount)
  })

  attach_policy_json = true
  policy_json        = data.aws_iam_policy_document.fulfill_order.json

  sqs_event_sources = {
    order_queue = {
      queue_arn                          = module.order_queue.queue_arn
      batch_size                         = local.settings.eventSources.fulfillOrder.batchSize
      maximum_batching_window_in_seconds = local.settings.eventSources.fulfillOrder.maximumBatchingWindowSeconds
    }
  }
}

module "dlq_handler" {
  source = "../../modules/lambda-function"

  function_name = "${local.name_prefix}-dlq-handler"
  description   = "order_dlq consumer: FAILED + failed_orders for failed fulfilment, back to order_queue when processing failed"

  s3_bucket        = local.artifacts["dlq-handler"].s3_bucket
  s3_key           = local.artifacts["dlq-handler"].s3_key
  source_code_hash = local.artifacts["dlq-handler"].sha256
  package_version  = local.artifacts["dlq-handler"].version

  timeout               = local.settings.functions["dlq-handler"].timeoutSeconds
  memory_size           = local.settings.functions["dlq-handler"].memoryMb
  log_retention_in_days = var.log_retention_in_days

  role_permissions_boundary = local.role_permissions_boundary

  environment_variables = merge(local.common_environment, {
    ORDERS_TABLE              = module.orders_table.name
    FAILED_ORDERS_TABLE       = module.failed_orders_table.name
    ORDER_QUEUE_URL           = module.order_queue.queue_url
    MAX_RECEIVE_COUNT         = tostring(local.settings.queues.maxReceiveCount)
    DLQ_REDRIVE_BUDGET        = tostring(local.settings.queues.deadLetterRedrive.budget)
    DLQ_REDRIVE_DELAY_SECONDS = tostring(local.settings.queues.deadLetterRedrive.delaySeconds)
  })

  attach_policy_json = true
  policy_json        = data.aws_iam_policy_document.dlq_handler.json

  sqs_event_sources = {
    order_dlq = {
      queue_arn                          = module.order_queue.dead_letter_queue_arn
      batch_size                         = local.settings.eventSources.dlqHandler.batchSize
      maximum_batching_window_in_seconds = local.settings.eventSources.dlqHandler.maximumBatchingWindowSeconds
    }
  }
}

module "reconcile_orders" {
  source = "../../modules/lambda-function"

  function_name = "${local.name_prefix}-reconcile-orders"
  description   = "Scheduled: re-drives orders left RECEIVED, PENDING or RETRYING; gives up after a bounded number"

  s3_bucket        = local.artifacts["reconcile-orders"].s3_bucket
  s3_key           = local.artifacts["reconcile-orders"].s3_key
  source_code_hash = local.artifacts["reconcile-orders"].sha256
  package_version  = local.artifacts["reconcile-orders"].version

  timeout               = local.settings.functions["reconcile-orders"].timeoutSeconds
  memory_size           = local.settings.functions["reconcile-orders"].memoryMb
  log_retention_in_days = var.log_retention_in_days

  # Not reserved: overlapping runs (a slow run and the next schedule) are safe, every action is
  # claimed by a conditional write first; and new accounts cannot reserve concurrency at all.

  role_permissions_boundary = local.role_permissions_boundary

  environment_variables = merge(local.common_environment, {
    ORDERS_TABLE                = module.orders_table.name
    FAILED_ORDERS_TABLE         = module.failed_orders_table.name
    IDEMPOTENCY_TABLE           = module.idempotency_keys_table.name
    IDEMPOTENCY_WINDOW_SECONDS  = tostring(local.settings.idempotency.windowSeconds)
    ORDER_QUEUE_URL             = module.order_queue.queue_url
    ORDER_DLQ_URL               = module.order_queue.dead_letter_queue_url
    STATE_MACHINE_ARN           = module.order_workflow.state_machine_arn
    RECEIVED_AFTER_SECONDS      = tostring(local.settings.reconciler.receivedAfterSeconds)
    STALLED_AFTER_SECONDS       = tostring(local.reconcile_stalled_after_seconds)
    MAX_REDRIVES                = tostring(local.settings.reconciler.maxRedrives)
    MAX_ORDERS_PER_RUN          = tostring(local.settings.reconciler.maxOrdersPerRun)
    WORKFLOW_TIMEOUT_SECONDS    = tostring(local.settings.workflow.timeoutSeconds)
    QUEUE_METRIC_PERIOD_SECONDS = tostring(local.settings.reconciler.queueMetricPeriodSeconds)
  })

  attach_policy_json = true
  policy_json        = data.aws_iam_policy_document.reconcile_orders.json
}

################################################################################
# Reconciler schedule: EventBridge Scheduler invokes reconcile-orders every intervalSeconds
################################################################################

locals {
  # Scheduler rates are whole minutes.
  reconcile_interval_minutes = max(1, floor(local.settings.reconciler.intervalSeconds / 60))
  # No progress for as long as every receive of the message had (maxReceiveCount x visibility), plus a margin.
  reconcile_stalled_after_seconds = local.settings.queues.maxReceiveCount * local.settings.queues.visibilityTimeoutSeconds + local.settings.reconciler.stalledMarginSeconds
}

resource "aws_scheduler_schedule" "reconcile_orders" {
  name        = "${local.name_prefix}-reconcile-orders"
  description = "Runs reconcile-orders (docs/design.md, Reconciler)"

  schedule_expression = local.reconcile_interval_minutes == 1 ? "rate(1 minute)" : "rate(${local.reconcile_interval_minutes} minutes)"
  state               = "ENABLED"

  # On time: the thresholds are measured in minutes, a window would only blur them.
  flexible_time_window {
    mode = "OFF"
  }

  target {
    arn      = module.reconcile_orders.function_arn
    role_arn = aws_iam_role.reconcile_schedule.arn
    input    = "{}"

    # A missed run is not retried: the next one, an interval later, looks at the same orders. It
    # does not vanish either: an invoke Scheduler could not deliver goes to the dead-letter queue,
    # whose alarm notifies.
    retry_policy {
      maximum_retry_attempts       = 0
      maximum_event_age_in_seconds = 60
    }

    dead_letter_config {
      arn = aws_sqs_queue.reconcile_schedule_dlq.arn
    }
  }

  # The schedule starts firing as soon as it exists: its role must already hold its permissions
  # (referencing the role alone orders only the role before it).
  depends_on = [aws_iam_role_policy.reconcile_schedule]
}

# Invocations EventBridge Scheduler could not deliver to reconcile-orders (throttled, denied,
# function missing). Nothing consumes it: its alarm asks a person to look.
resource "aws_sqs_queue" "reconcile_schedule_dlq" {
  name                      = "${local.name_prefix}-reconcile-schedule-dlq"
  message_retention_seconds = local.settings.queues.deadLetterRetentionSeconds
  sqs_managed_sse_enabled   = true
}

data "aws_iam_policy_document" "reconcile_schedule_dlq" {
  statement {
    sid    = "DenyInsecureTransport"
    effect = "Deny"
    # A deny: every SQS action over plain HTTP is refused, for every principal.
    actions   = ["sqs:*"]
    resources = [aws_sqs_queue.reconcile_schedule_dlq.arn]

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

resource "aws_sqs_queue_policy" "reconcile_schedule_dlq" {
  queue_url = aws_sqs_queue.reconcile_schedule_dlq.id
  policy    = data.aws_iam_policy_document.reconcile_schedule_dlq.json
}

################################################################################
# Workflow: the shared ASL file, rendered with the real ARNs
################################################################################

module "order_workflow" {
  source = "../../modules/state-machine"

  name   = local.state_machine_name
  type   = var.state_machine_type
  region = var.region

  definition = templatefile("${path.module}/../../workflow/order-workflow.asl.json", {
    validate_order_arn = module.validate_order.function_arn
    store_order_arn    = module.store_order.function_arn
    order_queue_url    = module.order_queue.queue_url
    # The workflow's own deadline (top-level TimeoutSeconds): the reconciler re-drives a RECEIVED
    # order only once it has passed since the last start.
    workflow_timeout_seconds = local.settings.workflow.timeoutSeconds
  })

  lambda_function_arns = [
    module.validate_order.function_arn,
    module.store_order.function_arn,
  ]
  sqs_send_message_queue_arns = [module.order_queue.queue_arn]

  role_permissions_boundary = local.role_permissions_boundary
  log_retention_in_days     = var.log_retention_in_days
}

################################################################################
# Identity: the issuer of the API's tokens (infra/README.md, "Who may call the API")
################################################################################

module "identity" {
  source = "../../modules/identity"
  count  = local.create_cognito ? 1 : 0

  name   = local.name_prefix
  region = var.region
  # Prefix domains are unique across accounts in a region: the account id makes this one ours.
  domain_prefix          = "${local.name_prefix}-${data.aws_caller_identity.current.account_id}"
  customer_callback_urls = var.customer_callback_urls
  deletion_protection    = var.deletion_protection
}

################################################################################
# API
################################################################################

module "api" {
  source = "../../modules/http-api"

  name        = "${local.name_prefix}-orders"
  description = "DOFS order intake"

  lambda_function_name = module.api_handler.function_name
  lambda_invoke_arn    = module.api_handler.invoke_arn

  jwt_issuer   = local.jwt_issuer
  jwt_audience = local.jwt_audience

  throttling_rate_limit        = var.api_throttling_rate_limit
  throttling_burst_limit       = var.api_throttling_burst_limit
  access_log_retention_in_days = var.log_retention_in_days
}

################################################################################
# Alarms
################################################################################

module "alarms" {
  source = "../../modules/alarms"

  name_prefix            = local.name_prefix
  region                 = var.region
  alarm_email_addresses  = var.alarm_email_addresses
  key_administrator_arns = var.use_role_permissions_boundary ? [local.deployer_role_arn] : []

  queue_name                           = module.order_queue.queue_name
  dead_letter_queue_name               = module.order_queue.dead_letter_queue_name
  parking_queue_name                   = module.order_queue.parking_queue_name
  schedule_dead_letter_queue_name      = aws_sqs_queue.reconcile_schedule_dlq.name
  oldest_message_age_threshold_seconds = var.oldest_message_age_alarm_seconds

  state_machine_arn = module.order_workflow.state_machine_arn

  lambda_function_names = {
    "api-handler"    = module.api_handler.function_name
    "validate-order" = module.validate_order.function_name
    "store-order"    = module.store_order.function_name
    "fulfill-order"  = module.fulfill_order.function_name
    "dlq-handler"    = module.dlq_handler.function_name
    # Errors: a run could not query the open-orders index (per-order failures are logged, not thrown).
    "reconcile-orders" = module.reconcile_orders.function_name
  }

  api_id         = module.api.api_id
  api_stage_name = module.api.stage_name

  reconciler_service_name = "reconcile-orders"
}
