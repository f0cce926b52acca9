variable "function_name" {
  description = "Name of the Lambda function; also names its IAM role and log group."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,64}$", var.function_name))
    error_message = "function_name must be 1-64 characters of letters, digits, '-' or '_'."
  }
}

variable "description" {
  description = "Description of the function shown in the Lambda console."
  type        = string
  default     = ""
}

variable "s3_bucket" {
  description = "S3 bucket holding the deployment package (the content-addressed artifact published by the app's deploy target)."
  type        = string

  validation {
    condition     = length(var.s3_bucket) >= 3
    error_message = "s3_bucket must be a bucket name."
  }
}

variable "s3_key" {
  description = "S3 key of the deployment package zip."
  type        = string

  validation {
    condition     = endswith(var.s3_key, ".zip")
    error_message = "s3_key must name a .zip deployment package."
  }
}

variable "source_code_hash" {
  description = "Base64-encoded SHA-256 of the deployment package (what Lambda reports as CodeSha256). An unchanged hash leaves the function's code untouched."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9+/]{43}=$", var.source_code_hash))
    error_message = "source_code_hash must be a base64-encoded SHA-256 digest (44 characters)."
  }
}

variable "package_version" {
  description = "Version of the app's package.json the artifact was built from; set as the function's version tag."
  type        = string

  validation {
    condition     = can(regex("^[0-9]+\\.[0-9]+\\.[0-9]+(-[0-9A-Za-z.-]+)?(\\+[0-9A-Za-z.-]+)?$", var.package_version))
    error_message = "package_version must be a semantic version such as 1.2.3."
  }
}

variable "handler" {
  description = "Function entry point inside the package."
  type        = string
  default     = "main.handler"
}

variable "runtime" {
  description = "Lambda runtime identifier."
  type        = string
  default     = "nodejs22.x"

  validation {
    condition     = can(regex("^nodejs[0-9]+\\.x$", var.runtime))
    error_message = "runtime must be a Node.js runtime such as nodejs22.x."
  }
}

variable "architectures" {
  description = "Instruction set architecture of the function (exactly one)."
  type        = list(string)
  default     = ["arm64"]

  validation {
    condition     = length(var.architectures) == 1 && alltrue([for a in var.architectures : contains(["arm64", "x86_64"], a)])
    error_message = "architectures must be [\"arm64\"] or [\"x86_64\"]."
  }
}

variable "timeout" {
  description = "Function timeout in seconds."
  type        = number

  validation {
    condition     = var.timeout >= 1 && var.timeout <= 900 && floor(var.timeout) == var.timeout
    error_message = "timeout must be a whole number of seconds between 1 and 900."
  }
}

variable "memory_size" {
  description = "Memory in MB."
  type        = number

  validation {
    condition     = var.memory_size >= 128 && var.memory_size <= 10240 && floor(var.memory_size) == var.memory_size
    error_message = "memory_size must be a whole number between 128 and 10240."
  }
}

variable "reserved_concurrent_executions" {
  description = "Reserved concurrency; -1 leaves the function unreserved."
  type        = number
  default     = -1

  validation {
    condition     = var.reserved_concurrent_executions >= -1
    error_message = "reserved_concurrent_executions must be -1 (unreserved) or a non-negative number."
  }
}

variable "environment_variables" {
  description = "Environment variables of the function."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for k in keys(var.environment_variables) : can(regex("^[A-Za-z][A-Za-z0-9_]*$", k))])
    error_message = "Environment variable names must start with a letter and contain only letters, digits and '_'."
  }
}

variable "tracing_mode" {
  description = "X-Ray tracing mode. PassThrough (default): the function records a segment only when its caller sampled the request (the workflow), so an order's trace covers the workflow and its tasks while an SQS batch starts no trace of its own; Active: the function samples by itself at Lambda's fixed 1 request/s + 5 % (no sampling rule applies), a trace per request or batch at low volume (infra/README.md, Cost per million orders)."
  type        = string
  default     = "PassThrough"

  validation {
    condition     = contains(["Active", "PassThrough"], var.tracing_mode)
    error_message = "tracing_mode must be Active or PassThrough."
  }
}

variable "log_retention_in_days" {
  description = "Retention of the function's CloudWatch log group."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_in_days)
    error_message = "log_retention_in_days must be one of the values CloudWatch Logs accepts (never 0: logs must expire)."
  }
}

variable "attach_policy_json" {
  description = "Whether to attach policy_json to the function's role. A separate flag because policy_json is usually unknown until apply."
  type        = bool
  default     = false
}

variable "policy_json" {
  description = "IAM policy document (JSON) with the function's own permissions, beyond its log group and X-Ray."
  type        = string
  default     = null
}

variable "sqs_event_sources" {
  description = "SQS queues that trigger the function, keyed by a static name. Each mapping reports batch item failures."
  type = map(object({
    queue_arn                          = string
    batch_size                         = number
    maximum_batching_window_in_seconds = number
    maximum_concurrency                = optional(number)
  }))
  default = {}

  validation {
    condition     = alltrue([for s in values(var.sqs_event_sources) : s.batch_size >= 1 && s.batch_size <= 10000])
    error_message = "batch_size must be between 1 and 10000."
  }

  validation {
    condition     = alltrue([for s in values(var.sqs_event_sources) : s.maximum_batching_window_in_seconds >= 0 && s.maximum_batching_window_in_seconds <= 300])
    error_message = "maximum_batching_window_in_seconds must be between 0 and 300."
  }

  validation {
    condition     = alltrue([for s in values(var.sqs_event_sources) : s.batch_size <= 10 || s.maximum_batching_window_in_seconds >= 1])
    error_message = "An SQS batch size above 10 requires a batching window of at least 1 second."
  }

  validation {
    condition     = alltrue([for s in values(var.sqs_event_sources) : s.maximum_concurrency == null || (coalesce(s.maximum_concurrency, 2) >= 2 && coalesce(s.maximum_concurrency, 2) <= 1000)])
    error_message = "maximum_concurrency must be between 2 and 1000."
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
