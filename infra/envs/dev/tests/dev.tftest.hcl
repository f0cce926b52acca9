# `terraform test` for the dev environment with a mocked AWS provider: no credentials, no AWS
# calls. It evaluates what parsing cannot: the rendered workflow, every module's validations
# with the real settings, for_each keys and the wiring between modules.
#   terraform -chdir=infra/envs/dev init -backend=false && terraform -chdir=infra/envs/dev test
# (the pipeline's Plan stage runs it before planning).

mock_provider "aws" {
  mock_data "aws_caller_identity" {
    defaults = { account_id = "123456789012" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
  mock_resource "aws_sqs_queue" {
    defaults = {
      arn = "arn:aws:sqs:us-east-1:123456789012:dofs-dev-queue"
      url = "https://sqs.us-east-1.amazonaws.com/123456789012/dofs-dev-queue"
    }
  }
  mock_resource "aws_lambda_function" {
    defaults = {
      arn        = "arn:aws:lambda:us-east-1:123456789012:function:dofs-dev-function"
      invoke_arn = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:dofs-dev-function/invocations"
    }
  }
  mock_resource "aws_iam_role" {
    defaults = { arn = "arn:aws:iam::123456789012:role/dofs-dev-role" }
  }
  mock_resource "aws_cloudwatch_log_group" {
    defaults = { arn = "arn:aws:logs:us-east-1:123456789012:log-group:dofs-dev-group" }
  }
  mock_resource "aws_sfn_state_machine" {
    defaults = { arn = "arn:aws:states:us-east-1:123456789012:stateMachine:dofs-dev-order-workflow" }
  }
  mock_resource "aws_dynamodb_table" {
    defaults = { arn = "arn:aws:dynamodb:us-east-1:123456789012:table/dofs-dev-table" }
  }
  mock_resource "aws_kms_key" {
    defaults = { arn = "arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-000000000000" }
  }
  mock_resource "aws_sns_topic" {
    defaults = { arn = "arn:aws:sns:us-east-1:123456789012:dofs-dev-alarms" }
  }
  mock_resource "aws_apigatewayv2_api" {
    defaults = {
      id            = "abc123"
      execution_arn = "arn:aws:execute-api:us-east-1:123456789012:abc123"
    }
  }
  mock_resource "aws_apigatewayv2_stage" {
    defaults = { invoke_url = "https://abc123.execute-api.us-east-1.amazonaws.com/" }
  }
}

# The artifact manifest Plan receives with -var-file (infra/scripts/artifact-manifest.mjs).
# Literal values: file-level test variables are plain values, shared by every run block.
variables {
  alarm_email_addresses = ["ops@example.com"]

  artifacts = {
    "api-handler" = {
      s3_bucket         = "dofs-dev-lambda-artifacts"
      s3_key            = "api-handler/0000.zip"
      s3_object_version = "v1"
      sha256            = "vLviSeSdQ3mwyI54HUAMH/Bd9581Noj+s+jfi8/FsV4="
      version           = "0.1.0"
    }
    "validate-order" = {
      s3_bucket         = "dofs-dev-lambda-artifacts"
      s3_key            = "validate-order/0000.zip"
      s3_object_version = "v1"
      sha256            = "vLviSeSdQ3mwyI54HUAMH/Bd9581Noj+s+jfi8/FsV4="
      version           = "0.1.0"
    }
    "store-order" = {
      s3_bucket         = "dofs-dev-lambda-artifacts"
      s3_key            = "store-order/0000.zip"
      s3_object_version = "v1"
      sha256            = "vLviSeSdQ3mwyI54HUAMH/Bd9581Noj+s+jfi8/FsV4="
      version           = "0.1.0"
    }
    "fulfill-order" = {
      s3_bucket         = "dofs-dev-lambda-artifacts"
      s3_key            = "fulfill-order/0000.zip"
      s3_object_version = "v1"
      sha256            = "vLviSeSdQ3mwyI54HUAMH/Bd9581Noj+s+jfi8/FsV4="
      version           = "0.1.0"
    }
    "dlq-handler" = {
      s3_bucket         = "dofs-dev-lambda-artifacts"
      s3_key            = "dlq-handler/0000.zip"
      s3_object_version = "v1"
      sha256            = "vLviSeSdQ3mwyI54HUAMH/Bd9581Noj+s+jfi8/FsV4="
      version           = "0.1.0"
    }
    "reconcile-orders" = {
      s3_bucket         = "dofs-dev-lambda-artifacts"
      s3_key            = "reconcile-orders/0000.zip"
      s3_object_version = "v1"
      sha256            = "k3c2XlB4m0qJdQ0m1b8r7S0wWJ0m2Xk3mY9l8ZbXo4c="
      version           = "0.1.0"
    }
  }
}

run "environment_applies" {
  command = apply

  assert {
    condition     = length(output.function_names) == 6
    error_message = "Every app must have a function."
  }

  assert {
    condition     = output.deployed_versions["fulfill-order"] == "0.1.0"
    error_message = "The version tag must come from the artifact manifest."
  }

  assert {
    condition     = module.order_workflow.state_machine_arn != ""
    error_message = "The workflow must be created."
  }

  assert {
    condition     = module.order_workflow.state_machine_type == "EXPRESS"
    error_message = "The workflow must be EXPRESS by default."
  }

  assert {
    condition     = length(module.identity) == 1 && startswith(output.jwt_issuer, "https://cognito-idp.us-east-1.amazonaws.com/") && output.jwt_issuer == "https://cognito-idp.us-east-1.amazonaws.com/${module.identity[0].user_pool_id}"
    error_message = "By default the environment creates a Cognito user pool and the API trusts its issuer."
  }

  assert {
    condition     = toset(output.jwt_audience) == toset([output.machine_client_id, output.customer_client_id]) && output.token_endpoint == "https://dofs-dev-123456789012.auth.us-east-1.amazoncognito.com/oauth2/token"
    error_message = "The audience must be both app clients, and the token endpoint the pool's prefix domain."
  }
}

run "external_issuer_replaces_cognito" {
  command = plan

  variables {
    jwt_issuer   = "https://issuer.example.com/"
    jwt_audience = ["dofs-orders-api"]
  }

  assert {
    condition     = length(module.identity) == 0 && output.token_endpoint == null && output.machine_client_id == null
    error_message = "With jwt_issuer no Cognito resource is created."
  }

  assert {
    condition     = output.jwt_issuer == "https://issuer.example.com/" && join(",", output.jwt_audience) == "dofs-orders-api"
    error_message = "The API must trust the given issuer and audience."
  }
}

run "issuer_without_audience_rejected" {
  command = plan

  variables {
    jwt_issuer = "https://issuer.example.com/"
  }

  expect_failures = [var.jwt_audience]
}

run "audience_without_issuer_rejected" {
  command = plan

  variables {
    jwt_audience = ["dofs-orders-api"]
  }

  expect_failures = [var.jwt_audience]
}

run "plain_http_issuer_rejected" {
  command = plan

  variables {
    jwt_issuer   = "http://issuer.example.com/"
    jwt_audience = ["dofs-orders-api"]
  }

  expect_failures = [var.jwt_issuer]
}

run "standard_workflow_allowed" {
  command = plan

  variables {
    state_machine_type = "STANDARD"
  }
}

run "unknown_workflow_type_rejected" {
  command = plan

  variables {
    state_machine_type = "FAST"
  }

  expect_failures = [var.state_machine_type]
}

run "no_alarm_email_rejected" {
  command = plan

  variables {
    alarm_email_addresses = []
  }

  expect_failures = [var.alarm_email_addresses]
}

run "bad_alarm_email_rejected" {
  command = plan

  variables {
    alarm_email_addresses = ["not-an-address"]
  }

  expect_failures = [var.alarm_email_addresses]
}

run "visibility_timeout_below_six_times_consumer_timeout_rejected" {
  command = plan

  module {
    source = "../../modules/sqs-queue"
  }

  variables {
    name                                   = "q"
    dead_letter_queue_name                 = "d"
    max_receive_count                      = 3
    consumer_timeout_seconds               = 10
    visibility_timeout_seconds             = 59
    dead_letter_consumer_timeout_seconds   = 10
    dead_letter_visibility_timeout_seconds = 60
    message_retention_seconds              = 345600
    dead_letter_message_retention_seconds  = 1209600
    parking_queue_name                     = "p"
    dead_letter_max_receive_count          = 5
    parking_message_retention_seconds      = 1209600
  }

  expect_failures = [var.visibility_timeout_seconds]
}

run "dead_letter_retention_not_above_queue_retention_rejected" {
  command = plan

  module {
    source = "../../modules/sqs-queue"
  }

  variables {
    name                                   = "q"
    dead_letter_queue_name                 = "d"
    max_receive_count                      = 3
    consumer_timeout_seconds               = 10
    visibility_timeout_seconds             = 60
    dead_letter_consumer_timeout_seconds   = 10
    dead_letter_visibility_timeout_seconds = 60
    message_retention_seconds              = 345600
    dead_letter_message_retention_seconds  = 345600
    parking_queue_name                     = "p"
    dead_letter_max_receive_count          = 5
    parking_message_retention_seconds      = 1209600
  }

  expect_failures = [var.dead_letter_message_retention_seconds]
}

run "table_attributes_derived_from_index_keys" {
  command = plan

  module {
    source = "../../modules/dynamodb-table"
  }

  variables {
    name     = "dofs-test-orders"
    hash_key = "order_id"
    global_secondary_indexes = [
      { name = "open-orders", hash_key = "open_shard", range_key = "updated_at", projection_type = "KEYS_ONLY" },
    ]
    ttl_attribute_name = "expires_at"
  }

  assert {
    condition     = toset([for a in aws_dynamodb_table.this.attribute : "${a.name}:${a.type}"]) == toset(["order_id:S", "open_shard:S", "updated_at:S"])
    error_message = "The attribute definitions must be exactly the table and index keys."
  }

  assert {
    condition     = one(aws_dynamodb_table.this.global_secondary_index).projection_type == "KEYS_ONLY"
    error_message = "The index must be created with its projection."
  }

  assert {
    condition     = one(aws_dynamodb_table.this.ttl).attribute_name == "expires_at" && one(aws_dynamodb_table.this.ttl).enabled
    error_message = "TTL must be on for the given attribute."
  }
}

run "table_key_attribute_with_two_types_rejected" {
  command = plan

  module {
    source = "../../modules/dynamodb-table"
  }

  variables {
    name     = "dofs-test-table"
    hash_key = "id"
    global_secondary_indexes = [
      { name = "by-other", hash_key = "other", range_key = "id", range_key_type = "N", projection_type = "ALL" },
    ]
  }

  expect_failures = [aws_dynamodb_table.this]
}

run "table_index_projection_include_rejected" {
  command = plan

  module {
    source = "../../modules/dynamodb-table"
  }

  variables {
    name                     = "dofs-test-table"
    hash_key                 = "id"
    global_secondary_indexes = [{ name = "by-other", hash_key = "other", projection_type = "INCLUDE" }]
  }

  expect_failures = [var.global_secondary_indexes]
}
