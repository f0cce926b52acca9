################################################################################
# Parking queue: what the dead-letter queue's consumer could not process at all
################################################################################

resource "aws_sqs_queue" "parking" {
  name = var.parking_queue_name

  message_retention_seconds = var.parking_message_retention_seconds

  sqs_managed_sse_enabled           = var.kms_master_key_id == null ? true : null
  kms_master_key_id                 = var.kms_master_key_id
  kms_data_key_reuse_period_seconds = var.kms_master_key_id == null ? null : 300

  tags = var.tags
}

# Only the dead-letter queue may use this queue as its dead-letter queue.
resource "aws_sqs_queue_redrive_allow_policy" "parking" {
  queue_url = aws_sqs_queue.parking.id

  redrive_allow_policy = jsonencode({
    redrivePermission = "byQueue"
    sourceQueueArns   = [aws_sqs_queue.dlq.arn]
  })
}

################################################################################
# Dead-letter queue
################################################################################

resource "aws_sqs_queue" "dlq" {
  name = var.dead_letter_queue_name

  message_retention_seconds  = var.dead_letter_message_retention_seconds
  visibility_timeout_seconds = var.dead_letter_visibility_timeout_seconds
  receive_wait_time_seconds  = var.receive_wait_time_seconds

  sqs_managed_sse_enabled           = var.kms_master_key_id == null ? true : null
  kms_master_key_id                 = var.kms_master_key_id
  kms_data_key_reuse_period_seconds = var.kms_master_key_id == null ? null : 300

  # A message dlq-handler failed to process this often is parked, never dropped.
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.parking.arn
    maxReceiveCount     = var.dead_letter_max_receive_count
  })

  tags = var.tags
}

# Only the work queue may use this queue as its dead-letter queue.
resource "aws_sqs_queue_redrive_allow_policy" "dlq" {
  queue_url = aws_sqs_queue.dlq.id

  redrive_allow_policy = jsonencode({
    redrivePermission = "byQueue"
    sourceQueueArns   = [aws_sqs_queue.this.arn]
  })
}

################################################################################
# Work queue
################################################################################

resource "aws_sqs_queue" "this" {
  name = var.name

  message_retention_seconds  = var.message_retention_seconds
  visibility_timeout_seconds = var.visibility_timeout_seconds
  receive_wait_time_seconds  = var.receive_wait_time_seconds

  sqs_managed_sse_enabled           = var.kms_master_key_id == null ? true : null
  kms_master_key_id                 = var.kms_master_key_id
  kms_data_key_reuse_period_seconds = var.kms_master_key_id == null ? null : 300

  # After max_receive_count receives SQS moves the message to the DLQ instead of delivering it.
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.dlq.arn
    maxReceiveCount     = var.max_receive_count
  })

  tags = var.tags
}

################################################################################
# Queue policies: TLS only
################################################################################

data "aws_iam_policy_document" "tls_only" {
  for_each = {
    queue   = aws_sqs_queue.this.arn
    dlq     = aws_sqs_queue.dlq.arn
    parking = aws_sqs_queue.parking.arn
  }

  statement {
    sid    = "DenyInsecureTransport"
    effect = "Deny"
    # A deny: every SQS action over plain HTTP is refused, for every principal.
    actions   = ["sqs:*"]
    resources = [each.value]

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

resource "aws_sqs_queue_policy" "this" {
  queue_url = aws_sqs_queue.this.id
  policy    = data.aws_iam_policy_document.tls_only["queue"].json
}

resource "aws_sqs_queue_policy" "dlq" {
  queue_url = aws_sqs_queue.dlq.id
  policy    = data.aws_iam_policy_document.tls_only["dlq"].json
}

resource "aws_sqs_queue_policy" "parking" {
  queue_url = aws_sqs_queue.parking.id
  policy    = data.aws_iam_policy_document.tls_only["parking"].json
}
