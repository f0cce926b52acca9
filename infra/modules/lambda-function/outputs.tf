output "function_name" {
  description = "Name of the Lambda function."
  value       = aws_lambda_function.this.function_name
}

output "function_arn" {
  description = "ARN of the Lambda function (unqualified)."
  value       = aws_lambda_function.this.arn
}

output "invoke_arn" {
  description = "ARN API Gateway uses to invoke the function."
  value       = aws_lambda_function.this.invoke_arn
}

output "role_arn" {
  description = "ARN of the function's execution role."
  value       = aws_iam_role.this.arn
}

output "role_name" {
  description = "Name of the function's execution role."
  value       = aws_iam_role.this.name
}

output "log_group_name" {
  description = "Name of the function's CloudWatch log group."
  value       = aws_cloudwatch_log_group.this.name
}

output "code_sha256" {
  description = "Base64 SHA-256 of the deployed package, as Lambda reports it."
  value       = aws_lambda_function.this.code_sha256
}

output "event_source_mapping_uuids" {
  description = "UUIDs of the SQS event source mappings, by key."
  value       = { for k, m in aws_lambda_event_source_mapping.sqs : k => m.uuid }
}
