variable "region" {
  description = "AWS region of the environment."
  type        = string
  default     = "us-east-1"

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.region))
    error_message = "region must be an AWS region name such as us-east-1."
  }
}

variable "project" {
  description = "Project name: first part of every resource name and of the SSM parameter paths."
  type        = string
  default     = "dofs"

  validation {
    condition     = can(regex("^[a-z][a-z0-9]{1,15}$", var.project))
    error_message = "project must be 2-16 lowercase letters or digits, starting with a letter."
  }
}

variable "environment" {
  description = "Environment name: second part of every resource name, the API stage and the SSM parameter paths."
  type        = string
  default     = "dev"

  validation {
    condition     = can(regex("^[a-z][a-z0-9]{1,15}$", var.environment))
    error_message = "environment must be 2-16 lowercase letters or digits, starting with a letter."
  }
}

variable "state_machine_type" {
  description = "Order workflow type: EXPRESS (default; at least once, no execution history API, errors in the workflow's log group, about 1.5 USD per million orders) or STANDARD (exactly once, 90 days of execution history, about 100 USD per million orders in state transitions). Every task is idempotent, so both are correct."
  type        = string
  default     = "EXPRESS"

  validation {
    condition     = contains(["STANDARD", "EXPRESS"], var.state_machine_type)
    error_message = "state_machine_type must be STANDARD or EXPRESS."
  }
}

variable "deletion_protection" {
  description = "Whether the orders, failed_orders and idempotency_keys tables and the Cognito user pool refuse deletion. Turn off deliberately before destroying the environment."
  type        = bool
  default     = true
}

variable "log_level" {
  description = "LOG_LEVEL of every function (our logger's own filter). warn: failed fulfilment attempts, dead letters and errors only, no per-request info lines (infra/README.md, Logs)."
  type        = string
  default     = "warn"

  validation {
    condition     = contains(["debug", "info", "warn", "error"], var.log_level)
    error_message = "log_level must be debug, info, warn or error."
  }
}

variable "log_retention_in_days" {
  description = "Retention of every log group of the environment (functions, workflow, API access logs)."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_in_days)
    error_message = "log_retention_in_days must be one of the values CloudWatch Logs accepts."
  }
}

variable "api_throttling_rate_limit" {
  description = "Steady-state requests per second the API stage accepts."
  type        = number
  default     = 50

  validation {
    condition     = var.api_throttling_rate_limit > 0
    error_message = "api_throttling_rate_limit must be positive."
  }
}

variable "api_throttling_burst_limit" {
  description = "Request burst the API stage accepts."
  type        = number
  default     = 100

  validation {
    condition     = var.api_throttling_burst_limit >= 1
    error_message = "api_throttling_burst_limit must be at least 1."
  }
}

variable "alarm_email_addresses" {
  description = "Email addresses subscribed to the alarm topic (each confirms by email)."
  type        = list(string)

  validation {
    condition     = length(var.alarm_email_addresses) > 0 && alltrue([for e in var.alarm_email_addresses : can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", e))])
    error_message = "alarm_email_addresses must name at least one email address: DLQ and failure alarms are sent there (each address confirms its subscription)."
  }
}

variable "oldest_message_age_alarm_seconds" {
  description = "Alarm when the oldest message on order_queue is older than this many seconds."
  type        = number
  default     = 600

  validation {
    condition     = var.oldest_message_age_alarm_seconds >= 60
    error_message = "oldest_message_age_alarm_seconds must be at least 60."
  }
}

variable "use_role_permissions_boundary" {
  description = "Whether every role carries the <project>-<environment>-role-boundary policy created by infra/cicd (the pipeline's deployer can only create roles that do). Turn off only to apply without infra/cicd."
  type        = bool
  default     = true
}

variable "tags" {
  description = "Extra tags for every resource (Project, Environment and ManagedBy are always set)."
  type        = map(string)
  default     = {}
}

variable "xray_sampling_rate" {
  description = "Share of this environment's requests X-Ray traces beyond the reservoir (0..1)."
  type        = number
  default     = 0.01

  validation {
    condition     = var.xray_sampling_rate >= 0 && var.xray_sampling_rate <= 1
    error_message = "xray_sampling_rate must be between 0 and 1."
  }
}

variable "xray_reservoir_per_second" {
  description = "Requests per second X-Ray traces before the fixed rate applies (0 = the rate alone)."
  type        = number
  default     = 0

  validation {
    condition     = var.xray_reservoir_per_second >= 0 && floor(var.xray_reservoir_per_second) == var.xray_reservoir_per_second
    error_message = "xray_reservoir_per_second must be a whole number, 0 or more."
  }
}

variable "jwt_issuer" {
  description = "Issuer (iss) of the tokens the API accepts, to use an existing OIDC provider instead of the Cognito user pool this environment creates by default. When set, no Cognito resource is created and jwt_audience must name the accepted audiences."
  type        = string
  default     = null

  validation {
    condition     = var.jwt_issuer == null || can(regex("^https://[^\\s]+$", var.jwt_issuer))
    error_message = "jwt_issuer must be an https:// URL (or unset, for the Cognito user pool)."
  }
}

variable "jwt_audience" {
  description = "With jwt_issuer: the audiences the API accepts (a token's aud or client_id must be one of them). Unset with the Cognito user pool, whose app client ids are the audience."
  type        = list(string)
  default     = []

  validation {
    condition     = var.jwt_issuer == null ? length(var.jwt_audience) == 0 : length(var.jwt_audience) > 0
    error_message = "jwt_audience is required with jwt_issuer, and must be empty without it (the Cognito app clients are then the audience)."
  }
}

variable "customer_callback_urls" {
  description = "Redirect URLs of the customer-facing app, where Cognito's hosted sign-in returns the authorization code (unused with jwt_issuer)."
  type        = list(string)
  default     = ["http://localhost:3000/callback"]
}
