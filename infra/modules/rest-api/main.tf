################################################################################
# REST API and resources
#
#   POST /order              -> CreateOrderRequest model attached; the function validates the
#                               body, or API Gateway does when var.validate_request_body is true
#   GET  /orders/{order_id}  -> path parameter required
#   ANY  on both paths       -> the handler answers 405 with the JSON error body
################################################################################

resource "aws_api_gateway_rest_api" "this" {
  name        = var.name
  description = var.description

  endpoint_configuration {
    types = ["REGIONAL"]
  }

  tags = var.tags
}

resource "aws_api_gateway_resource" "order" {
  rest_api_id = aws_api_gateway_rest_api.this.id
  parent_id   = aws_api_gateway_rest_api.this.root_resource_id
  path_part   = "order"
}

resource "aws_api_gateway_resource" "orders" {
  rest_api_id = aws_api_gateway_rest_api.this.id
  parent_id   = aws_api_gateway_rest_api.this.root_resource_id
  path_part   = "orders"
}

resource "aws_api_gateway_resource" "order_by_id" {
  rest_api_id = aws_api_gateway_rest_api.this.id
  parent_id   = aws_api_gateway_resource.orders.id
  path_part   = "{order_id}"
}

################################################################################
# Request model and validators. The model is generated from order-domain, never written here,
# and is always attached to POST /order (it documents the API and is in the exported OpenAPI).
# Whether API Gateway enforces it is var.validate_request_body: by default the function
# validates and answers one detail per bad field; the body validator answers instead with API
# Gateway's single validation string (BAD_REQUEST_BODY below), before Lambda is invoked.
################################################################################

resource "aws_api_gateway_model" "create_order" {
  rest_api_id  = aws_api_gateway_rest_api.this.id
  name         = "CreateOrderRequest"
  description  = "POST /order body, generated from the order-domain typebox schema"
  content_type = "application/json"
  schema       = var.create_order_model_schema
}

resource "aws_api_gateway_request_validator" "body" {
  count = var.validate_request_body ? 1 : 0

  rest_api_id                 = aws_api_gateway_rest_api.this.id
  name                        = "body"
  validate_request_body       = true
  validate_request_parameters = true
}

resource "aws_api_gateway_request_validator" "parameters" {
  rest_api_id                 = aws_api_gateway_rest_api.this.id
  name                        = "parameters"
  validate_request_body       = false
  validate_request_parameters = true
}

locals {
  routes = {
    post_order = {
      resource_id = aws_api_gateway_resource.order.id
      http_method = "POST"
      # POST /order declares no parameters: without the body validator it needs none.
      request_validator  = var.validate_request_body ? aws_api_gateway_request_validator.body[0].id : null
      request_models     = { "application/json" = aws_api_gateway_model.create_order.name }
      request_parameters = {}
    }
    any_order = {
      resource_id        = aws_api_gateway_resource.order.id
      http_method        = "ANY"
      request_validator  = null
      request_models     = {}
      request_parameters = {}
    }
    get_order = {
      resource_id        = aws_api_gateway_resource.order_by_id.id
      http_method        = "GET"
      request_validator  = aws_api_gateway_request_validator.parameters.id
      request_models     = {}
      request_parameters = { "method.request.path.order_id" = true }
    }
    any_order_by_id = {
      resource_id        = aws_api_gateway_resource.order_by_id.id
      http_method        = "ANY"
      request_validator  = null
      request_models     = {}
      request_parameters = { "method.request.path.order_id" = true }
    }
  }
}

resource "aws_api_gateway_method" "this" {
  for_each = local.routes

  rest_api_id = aws_api_gateway_rest_api.this.id
  resource_id = each.value.resource_id
  http_method = each.value.http_method
  # The order API is public by design (see infra/README.md); throttling bounds it.
  authorization        = "NONE"
  request_validator_id = each.value.request_validator
  request_models       = each.value.request_models
  request_parameters   = each.value.request_parameters
}

resource "aws_api_gateway_integration" "this" {
  for_each = local.routes

  rest_api_id             = aws_api_gateway_rest_api.this.id
  resource_id             = each.value.resource_id
  http_method             = aws_api_gateway_method.this[each.key].http_method
  type                    = "AWS_PROXY"
  integration_http_method = "POST"
  uri                     = var.lambda_invoke_arn
}

resource "aws_lambda_permission" "api" {
  for_each = {
    order       = "order"
    order_by_id = "orders/*"
  }

  statement_id  = "AllowApiGateway-${each.key}"
  action        = "lambda:InvokeFunction"
  function_name = var.lambda_function_name
  principal     = "apigateway.amazonaws.com"
  # Only this API's stage, only these paths.
  source_arn = "${aws_api_gateway_rest_api.this.execution_arn}/${var.stage_name}/*/${each.value}"
}

################################################################################
# Gateway responses: errors API Gateway answers itself use the DOFS error body
################################################################################

locals {
  gateway_responses = {
    BAD_REQUEST_BODY = {
      # Only when var.validate_request_body is true; otherwise api-handler answers bad bodies.
      status_code = "400"
      template    = "{\"error\":{\"code\":\"VALIDATION_FAILED\",\"message\":\"The request body does not match the CreateOrderRequest schema.\",\"details\":[{\"path\":\"\",\"message\":\"$context.error.validationErrorString\"}]}}"
    }
    BAD_REQUEST_PARAMETERS = {
      status_code = "400"
      template    = "{\"error\":{\"code\":\"INVALID_REQUEST\",\"message\":$context.error.messageString,\"details\":[]}}"
    }
    MISSING_AUTHENTICATION_TOKEN = {
      # API Gateway answers an unknown path with 403 "Missing Authentication Token".
      status_code = "404"
      template    = "{\"error\":{\"code\":\"NOT_FOUND\",\"message\":\"No route matches the request.\",\"details\":[]}}"
    }
    REQUEST_TOO_LARGE = {
      status_code = "413"
      template    = "{\"error\":{\"code\":\"PAYLOAD_TOO_LARGE\",\"message\":$context.error.messageString,\"details\":[]}}"
    }
    UNSUPPORTED_MEDIA_TYPE = {
      status_code = "415"
      template    = "{\"error\":{\"code\":\"UNSUPPORTED_MEDIA_TYPE\",\"message\":$context.error.messageString,\"details\":[]}}"
    }
    THROTTLED = {
      status_code = "429"
      template    = "{\"error\":{\"code\":\"TOO_MANY_REQUESTS\",\"message\":$context.error.messageString,\"details\":[]}}"
    }
    DEFAULT_4XX = {
      status_code = null
      template    = "{\"error\":{\"code\":\"BAD_REQUEST\",\"message\":$context.error.messageString,\"details\":[]}}"
    }
    DEFAULT_5XX = {
      status_code = null
      template    = "{\"error\":{\"code\":\"SERVICE_UNAVAILABLE\",\"message\":$context.error.messageString,\"details\":[]}}"
    }
  }
}

resource "aws_api_gateway_gateway_response" "this" {
  for_each = local.gateway_responses

  rest_api_id   = aws_api_gateway_rest_api.this.id
  response_type = each.key
  status_code   = each.value.status_code

  response_templates = {
    "application/json" = each.value.template
  }
}

################################################################################
# Deployment and stage
################################################################################

resource "aws_api_gateway_deployment" "this" {
  rest_api_id = aws_api_gateway_rest_api.this.id
  description = "Redeployed when any route, model, validator or gateway response changes"

  triggers = {
    redeployment = sha1(jsonencode([
      aws_api_gateway_resource.order,
      aws_api_gateway_resource.orders,
      aws_api_gateway_resource.order_by_id,
      aws_api_gateway_model.create_order,
      aws_api_gateway_request_validator.body,
      aws_api_gateway_request_validator.parameters,
      aws_api_gateway_method.this,
      aws_api_gateway_integration.this,
      aws_api_gateway_gateway_response.this,
    ]))
  }

  lifecycle {
    create_before_destroy = true
  }

  depends_on = [
    aws_api_gateway_integration.this,
    aws_api_gateway_gateway_response.this,
  ]
}

resource "aws_cloudwatch_log_group" "access" {
  name              = "/aws/apigateway/${var.name}/${var.stage_name}/access"
  retention_in_days = var.access_log_retention_in_days

  tags = var.tags
}

# Execution logs (execution_logging_level) go to this fixed name. Created here, before logging is
# turned on, so it has a retention and Terraform owns it; otherwise API Gateway creates it on the
# first log event, without retention and outside Terraform.
resource "aws_cloudwatch_log_group" "execution" {
  name              = "API-Gateway-Execution-Logs_${aws_api_gateway_rest_api.this.id}/${var.stage_name}"
  retention_in_days = var.execution_log_retention_in_days

  tags = var.tags
}

resource "aws_api_gateway_stage" "this" {
  rest_api_id   = aws_api_gateway_rest_api.this.id
  deployment_id = aws_api_gateway_deployment.this.id
  stage_name    = var.stage_name

  xray_tracing_enabled = true

  access_log_settings {
    destination_arn = aws_cloudwatch_log_group.access.arn
    format = jsonencode({
      requestId          = "$context.requestId"
      extendedRequestId  = "$context.extendedRequestId"
      requestTime        = "$context.requestTime"
      sourceIp           = "$context.identity.sourceIp"
      httpMethod         = "$context.httpMethod"
      resourcePath       = "$context.resourcePath"
      path               = "$context.path"
      status             = "$context.status"
      protocol           = "$context.protocol"
      responseLength     = "$context.responseLength"
      responseLatency    = "$context.responseLatency"
      integrationLatency = "$context.integration.latency"
      integrationStatus  = "$context.integration.status"
      errorMessage       = "$context.error.message"
      validationError    = "$context.error.validationErrorString"
      xrayTraceId        = "$context.xrayTraceId"
    })
  }

  tags = var.tags
}

resource "aws_api_gateway_method_settings" "all" {
  rest_api_id = aws_api_gateway_rest_api.this.id
  stage_name  = aws_api_gateway_stage.this.stage_name
  method_path = "*/*"

  # The execution log group exists before API Gateway may write to it.
  depends_on = [aws_cloudwatch_log_group.execution]

  settings {
    metrics_enabled        = true
    logging_level          = var.execution_logging_level
    data_trace_enabled     = false
    throttling_rate_limit  = var.throttling_rate_limit
    throttling_burst_limit = var.throttling_burst_limit
  }
}
