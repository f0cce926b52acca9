# The artifact manifest of the commit being deployed: which package each function runs. Written by
# the pipeline's Publish stage (infra/scripts/publish-artifacts.sh, artifact-manifest.mjs) and passed
# to Plan with -var-file, so a plan deploys exactly that commit's artifact set (see infra/README.md).
# An app that did not change keeps its entry from the last deployed commit's manifest, so its
# function's s3_key and source_code_hash do not change and `apply` leaves it alone.
variable "artifacts" {
  description = "Artifact manifest: per app, the package in the Lambda artifacts bucket { s3_bucket, s3_key, s3_object_version, sha256 (base64, Lambda's CodeSha256), version (package.json) }."
  type = map(object({
    s3_bucket         = string
    s3_key            = string
    s3_object_version = string
    sha256            = string
    version           = string
  }))

  validation {
    condition     = alltrue([for app, a in var.artifacts : startswith(a.s3_key, "${app}/") && endswith(a.s3_key, ".zip") && length(a.sha256) == 44])
    error_message = "Every artifact must be <app>/<sha256>.zip with a base64 SHA-256 (written by infra/scripts/artifact-manifest.mjs)."
  }
}
