variable "region" {
  description = "AWS region of the provider this module runs with (in ARNs and service names; passed in because the aws_region data source names it differently in provider 5.x and 6.x)."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.region))
    error_message = "region must be an AWS region name such as us-east-1."
  }
}

variable "name" {
  description = "Name of the state machine; also names its role and log group."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,64}$", var.name))
    error_message = "name must be 1-64 characters of letters, digits, '-' or '_'."
  }
}

variable "definition" {
  description = "Amazon States Language definition (JSON), already rendered."
  type        = string

  validation {
    condition     = can(jsondecode(var.definition).StartAt)
    error_message = "definition must be a JSON state machine with a StartAt."
  }
}

variable "type" {
  description = "EXPRESS (the default: at-least-once, no execution history API, visible through the log group only) or STANDARD (exactly-once, execution history kept 90 days)."
  type        = string
  default     = "EXPRESS"

  validation {
    condition     = contains(["STANDARD", "EXPRESS"], var.type)
    error_message = "type must be STANDARD or EXPRESS."
  }
}

variable "lambda_function_arns" {
  description = "Lambda functions the workflow's Task states invoke (exact ARNs)."
  type        = list(string)
  default     = []
}

variable "sqs_send_message_queue_arns" {
  description = "Queues the workflow sends to through the sqs:sendMessage integration (exact ARNs)."
  type        = list(string)
  default     = []
}

variable "log_level" {
  description = "Execution logging level. ERROR (default) logs the events of failed executions only; ALL logs every state (several log events per order). OFF is not allowed: an EXPRESS workflow has no other history."
  type        = string
  default     = "ERROR"

  validation {
    condition     = contains(["ALL", "ERROR", "FATAL"], var.log_level)
    error_message = "log_level must be ALL, ERROR or FATAL."
  }
}

variable "include_execution_data" {
  description = "Whether logs include execution input and output (order contents)."
  type        = bool
  default     = false
}

variable "log_retention_in_days" {
  description = "Retention of the execution log group."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_in_days)
    error_message = "log_retention_in_days must be one of the values CloudWatch Logs accepts."
  }
}

variable "role_permissions_boundary" {
  description = "ARN of the permissions boundary set on the role (the pipeline's deployer may only create roles that carry it); null for none."
  type        = string
  default     = null

  validation {
    condition     = var.role_permissions_boundary == null || can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:policy/", coalesce(var.role_permissions_boundary, "x")))
    error_message = "role_permissions_boundary must be an IAM policy ARN."
  }
}

variable "tags" {
  description = "Tags for every resource of the module."
  type        = map(string)
  default     = {}
}
