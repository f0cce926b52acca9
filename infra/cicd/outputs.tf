output "connection_arn" {
  description = "GitHub connection; PENDING until a person completes the handshake in the console (Developer Tools > Settings > Connections)."
  value       = aws_codeconnections_connection.github.arn
}

output "connection_status" {
  description = "Status of the GitHub connection (PENDING, AVAILABLE or ERROR)."
  value       = aws_codeconnections_connection.github.connection_status
}

output "pipeline_name" {
  description = "Name of the CodePipeline (null until it is created with create_pipeline = true)."
  value       = one(aws_codepipeline.this[*].name)
}

output "pipeline_artifacts_bucket" {
  description = "CodePipeline artifact store."
  value       = module.pipeline_artifacts.bucket_id
}

output "lambda_artifacts_bucket" {
  description = "Bucket of content-addressed Lambda packages (DOFS_ARTIFACTS_BUCKET for a deploy by hand: `nx affected -t deploy`)."
  value       = module.lambda_artifacts.bucket_id
}

output "last_deployed_sha_parameter" {
  description = "SSM parameter holding the last successfully deployed commit (the base of `nx affected`)."
  value       = aws_ssm_parameter.last_deployed_sha.name
}

output "artifact_manifest_prefix" {
  description = "Key prefix of the per-commit artifact manifests (manifests/<commit>.json, a record of what each planned commit deployed) in the Lambda artifacts bucket."
  value       = local.manifest_prefix
}
