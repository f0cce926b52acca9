data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  state_bucket_name = coalesce(var.state_bucket_name, "${var.project}-tfstate-${data.aws_caller_identity.current.account_id}-${var.region}")
}

################################################################################
# Terraform state bucket: versioned, encrypted, private, TLS only
################################################################################

module "state_bucket" {
  source = "../modules/s3-bucket"

  bucket             = local.state_bucket_name
  versioning_enabled = true
  # Old state versions are the undo history: keep them for a year.
  noncurrent_version_expiration_days = 365
  expiration_days                    = null
  force_destroy                      = false
}

################################################################################
# API Gateway account settings (optional, off by default): the account-wide CloudWatch Logs role
# that REST APIs' execution and access logs need. DOFS's HTTP API does not use it (its access
# logs go through log delivery), and the setting is the account's, not DOFS's: enable it only if
# nothing else in the account manages it and a REST API there needs it.
################################################################################

# The trust AWS documents for this role (API Gateway developer guide, "Set up CloudWatch logging
# for REST APIs"): no aws:SourceAccount condition, which AWS does not document for it.
data "aws_iam_policy_document" "api_gateway_assume_role" {
  statement {
    sid     = "ApiGatewayAssumeRole"
    effect  = "Allow"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["apigateway.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "api_gateway_cloudwatch" {
  count = var.manage_api_gateway_account ? 1 : 0

  name               = "${var.project}-api-gateway-cloudwatch-logs"
  description        = "Lets API Gateway write access and execution logs in this account"
  assume_role_policy = data.aws_iam_policy_document.api_gateway_assume_role.json
}

# The AWS managed policy API Gateway documents for this role (log groups are created by
# API Gateway per API and stage, so their names are not known here).
resource "aws_iam_role_policy_attachment" "api_gateway_cloudwatch" {
  count = var.manage_api_gateway_account ? 1 : 0

  role       = aws_iam_role.api_gateway_cloudwatch[0].name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"
}

resource "aws_api_gateway_account" "this" {
  count = var.manage_api_gateway_account ? 1 : 0

  cloudwatch_role_arn = aws_iam_role.api_gateway_cloudwatch[0].arn

  depends_on = [aws_iam_role_policy_attachment.api_gateway_cloudwatch]
}
