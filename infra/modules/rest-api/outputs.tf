output "rest_api_id" {
  description = "ID of the REST API."
  value       = aws_api_gateway_rest_api.this.id
}

output "rest_api_name" {
  description = "Name of the REST API (the ApiName dimension of its metrics)."
  value       = aws_api_gateway_rest_api.this.name
}

output "execution_arn" {
  description = "Execution ARN of the REST API."
  value       = aws_api_gateway_rest_api.this.execution_arn
}

output "stage_name" {
  description = "Name of the stage."
  value       = aws_api_gateway_stage.this.stage_name
}

output "invoke_url" {
  description = "Base URL of the stage, e.g. https://<id>.execute-api.<region>.amazonaws.com/dev (POST $url/order)."
  value       = aws_api_gateway_stage.this.invoke_url
}

output "access_log_group_name" {
  description = "Name of the access log group."
  value       = aws_cloudwatch_log_group.access.name
}

output "execution_log_group_name" {
  description = "Log group of the stage's execution logs."
  value       = aws_cloudwatch_log_group.execution.name
}
