################################################################################
# HTTP API (API Gateway v2): every route is one Lambda proxy integration to api-handler
#
#   POST /order              -> api-handler
#   GET  /orders/{order_id}  -> api-handler
#   $default                 -> api-handler, which answers 404/405/415 with the DOFS error body
#                               (without it API Gateway would answer {"message":"Not Found"})
#
# Payload format 1.0 keeps the REST-style proxy event api-handler and the local stack use.
# HTTP APIs do not validate request bodies: api-handler does, one detail per bad field.
#
# Every route is authorized by the API's native JWT authorizer (no Lambda authorizer: that would
# cost an invocation per request and be ours to get wrong). API Gateway answers 401 itself to a
# request without a valid token (signature, iss, aud or client_id, exp, nbf) and 403 to a token
# holding none of the route's scopes; api-handler is invoked only with a verified token and reads
# its claims from requestContext.authorizer.
################################################################################

resource "aws_apigatewayv2_api" "this" {
  name          = var.name
  description   = var.description
  protocol_type = "HTTP"

  tags = var.tags
}

resource "aws_apigatewayv2_integration" "lambda" {
  api_id                 = aws_apigatewayv2_api.this.id
  integration_type       = "AWS_PROXY"
  integration_method     = "POST"
  integration_uri        = var.lambda_invoke_arn
  payload_format_version = "1.0"
}

locals {
  route_keys = toset(["POST /order", "GET /orders/{order_id}", "$default"])

  # A token needs at least one of its route's scopes (the auth contract, docs/design.md).
  # $default: any valid token, no scope; api-handler answers 404/405 there.
  route_scopes = {
    "POST /order"            = ["orders/write"]
    "GET /orders/{order_id}" = ["orders/read"]
    "$default"               = []
  }
}

resource "aws_apigatewayv2_authorizer" "jwt" {
  api_id           = aws_apigatewayv2_api.this.id
  name             = "${var.name}-jwt"
  authorizer_type  = "JWT"
  identity_sources = ["$request.header.Authorization"]

  jwt_configuration {
    issuer = var.jwt_issuer
    # A token is accepted when its aud, or its client_id (Cognito access tokens carry no aud), is one of these.
    audience = var.jwt_audience
  }
}

resource "aws_apigatewayv2_route" "this" {
  for_each = local.route_keys

  api_id    = aws_apigatewayv2_api.this.id
  route_key = each.value

  authorization_type   = "JWT"
  authorizer_id        = aws_apigatewayv2_authorizer.jwt.id
  authorization_scopes = length(local.route_scopes[each.value]) > 0 ? local.route_scopes[each.value] : null

  target = "integrations/${aws_apigatewayv2_integration.lambda.id}"
}

resource "aws_lambda_permission" "api" {
  statement_id  = "AllowApiGateway"
  action        = "lambda:InvokeFunction"
  function_name = var.lambda_function_name
  principal     = "apigateway.amazonaws.com"
  # Only this API (any stage, route and method: the $default route sends every path).
  source_arn = "${aws_apigatewayv2_api.this.execution_arn}/*"
}

################################################################################
# Stage: $default (no stage segment in the URL), deployed on every change, throttled, access logs
################################################################################

resource "aws_cloudwatch_log_group" "access" {
  name              = "/aws/apigateway/${var.name}/access"
  retention_in_days = var.access_log_retention_in_days

  tags = var.tags
}

resource "aws_apigatewayv2_stage" "this" {
  api_id      = aws_apigatewayv2_api.this.id
  name        = "$default"
  auto_deploy = true

  default_route_settings {
    throttling_rate_limit  = var.throttling_rate_limit
    throttling_burst_limit = var.throttling_burst_limit
  }

  # One short line per request: its bytes are ingested and priced (tools/cost renders this format).
  access_log_settings {
    destination_arn = aws_cloudwatch_log_group.access.arn
    format = jsonencode({
      requestId          = "$context.requestId"
      ip                 = "$context.identity.sourceIp"
      requestTimeEpoch   = "$context.requestTimeEpoch"
      routeKey           = "$context.routeKey"
      status             = "$context.status"
      responseLength     = "$context.responseLength"
      integrationLatency = "$context.integrationLatency"
      responseLatency    = "$context.responseLatency"
      integrationError   = "$context.integrationErrorMessage"
    })
  }

  tags = var.tags
}
