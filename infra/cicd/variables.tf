variable "region" {
  description = "AWS region of the pipeline and of the environment it deploys."
  type        = string
  default     = "us-east-1"

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.region))
    error_message = "region must be an AWS region name such as us-east-1."
  }
}

variable "project" {
  description = "Project name; must match the environment's `project` variable."
  type        = string
  default     = "dofs"

  validation {
    condition     = can(regex("^[a-z][a-z0-9]{1,15}$", var.project))
    error_message = "project must be 2-16 lowercase letters or digits, starting with a letter."
  }
}

variable "environment" {
  description = "Environment the pipeline deploys (the infra/envs/<environment> root module)."
  type        = string
  default     = "dev"

  validation {
    condition     = can(regex("^[a-z][a-z0-9]{1,15}$", var.environment))
    error_message = "environment must be 2-16 lowercase letters or digits, starting with a letter."
  }
}

variable "github_repository" {
  description = "GitHub repository the pipeline builds, as owner/name."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$", var.github_repository))
    error_message = "github_repository must be owner/name."
  }
}

variable "branch" {
  description = "Branch whose pushes deploy."
  type        = string
  default     = "main"

  validation {
    condition     = length(var.branch) > 0
    error_message = "branch must not be empty."
  }
}

variable "create_pipeline" {
  description = "Create the pipeline. Leave false for the first apply: CodePipeline starts a run the moment the pipeline exists, which fails while the GitHub connection is PENDING; set true once the connection is AVAILABLE (the new pipeline's first run then deploys)."
  type        = bool
  default     = false
}

variable "require_manual_approval" {
  description = "Whether a person approves the saved plan before Apply."
  type        = bool
  default     = true
}

variable "state_bucket_name" {
  description = "Terraform state bucket created by infra/bootstrap (the environment's state lives there too)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.state_bucket_name))
    error_message = "state_bucket_name must be a valid S3 bucket name."
  }
}

variable "codebuild_image" {
  description = "CodeBuild image; must offer the nodejs 22 runtime."
  type        = string
  default     = "aws/codebuild/amazonlinux-x86_64-standard:5.0"
}

variable "build_compute_type" {
  description = "Compute type of the Build & Test project (lint, test and build of the affected projects)."
  type        = string
  default     = "BUILD_GENERAL1_MEDIUM"

  validation {
    condition     = contains(["BUILD_GENERAL1_SMALL", "BUILD_GENERAL1_MEDIUM", "BUILD_GENERAL1_LARGE"], var.build_compute_type)
    error_message = "build_compute_type must be BUILD_GENERAL1_SMALL, _MEDIUM or _LARGE."
  }
}

variable "pipeline_artifact_retention_days" {
  description = "Days pipeline artifacts (source refs, saved plans) are kept."
  type        = number
  default     = 30

  validation {
    condition     = var.pipeline_artifact_retention_days >= 1
    error_message = "pipeline_artifact_retention_days must be at least 1."
  }
}

variable "log_retention_in_days" {
  description = "Retention of the CodeBuild log groups."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_in_days)
    error_message = "log_retention_in_days must be one of the values CloudWatch Logs accepts."
  }
}

variable "smoke_test_timeout_seconds" {
  description = "How long the smoke test waits for its order to reach a terminal status (retries take visibility timeout x maxReceiveCount)."
  type        = number
  default     = 600

  validation {
    condition     = var.smoke_test_timeout_seconds >= 60 && var.smoke_test_timeout_seconds <= 3000
    error_message = "smoke_test_timeout_seconds must be between 60 and 3000."
  }
}

variable "alarm_email_addresses" {
  description = "Email addresses the environment's alarm topic notifies (passed to its plan as TF_VAR_alarm_email_addresses)."
  type        = list(string)

  validation {
    condition     = length(var.alarm_email_addresses) > 0 && alltrue([for e in var.alarm_email_addresses : can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", e))])
    error_message = "alarm_email_addresses must name at least one email address: DLQ and failure alarms are sent there (each address confirms its subscription)."
  }
}

variable "tags" {
  description = "Extra tags for every resource."
  type        = map(string)
  default     = {}
}
