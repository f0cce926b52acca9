variable "region" {
  description = "AWS region of the state bucket (and of the environments it serves)."
  type        = string
  default     = "us-east-1"

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.region))
    error_message = "region must be an AWS region name such as us-east-1."
  }
}

variable "project" {
  description = "Project name, used in the default bucket name and tags."
  type        = string
  default     = "dofs"

  validation {
    condition     = can(regex("^[a-z][a-z0-9]{1,15}$", var.project))
    error_message = "project must be 2-16 lowercase letters or digits, starting with a letter."
  }
}

variable "state_bucket_name" {
  description = "Name of the Terraform state bucket; null derives <project>-tfstate-<account id>-<region>."
  type        = string
  default     = null

  validation {
    condition     = var.state_bucket_name == null || can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", coalesce(var.state_bucket_name, "x")))
    error_message = "state_bucket_name must be a valid S3 bucket name."
  }
}

variable "manage_api_gateway_account" {
  description = "Whether to set the account-wide API Gateway CloudWatch Logs role, which REST APIs' logs need. DOFS's HTTP API does not; turn on only for a REST API in this account that nothing else configures."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Extra tags for every resource."
  type        = map(string)
  default     = {}
}
