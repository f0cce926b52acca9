output "state_bucket_name" {
  description = "Terraform state bucket: pass it as -backend-config=\"bucket=...\" to infra/envs/dev and infra/cicd."
  value       = module.state_bucket.bucket_id
}

output "state_bucket_arn" {
  description = "ARN of the state bucket."
  value       = module.state_bucket.bucket_arn
}

output "api_gateway_cloudwatch_role_arn" {
  description = "Account-wide API Gateway CloudWatch Logs role (null when not managed here)."
  value       = try(aws_iam_role.api_gateway_cloudwatch[0].arn, null)
}
