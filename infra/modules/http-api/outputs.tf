output "api_id" {
  description = "ID of the HTTP API (the ApiId dimension of its metrics)."
  value       = aws_apigatewayv2_api.this.id
}

output "api_name" {
  description = "Name of the HTTP API."
  value       = aws_apigatewayv2_api.this.name
}

output "execution_arn" {
  description = "Execution ARN of the HTTP API."
  value       = aws_apigatewayv2_api.this.execution_arn
}

output "stage_name" {
  description = "Name of the stage ($default: the Stage dimension of its metrics)."
  value       = aws_apigatewayv2_stage.this.name
}

output "invoke_url" {
  description = "Base URL of the $default stage, e.g. https://<id>.execute-api.<region>.amazonaws.com (POST $url/order)."
  value       = trimsuffix(aws_apigatewayv2_stage.this.invoke_url, "/")
}

output "access_log_group_name" {
  description = "Name of the access log group."
  value       = aws_cloudwatch_log_group.access.name
}

output "authorizer_id" {
  description = "ID of the JWT authorizer every route uses."
  value       = aws_apigatewayv2_authorizer.jwt.id
}
