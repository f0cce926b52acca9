variable "region" {
  description = "AWS region of the provider this module runs with (in ARNs and service names; passed in because the aws_region data source names it differently in provider 5.x and 6.x)."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.region))
    error_message = "region must be an AWS region name such as us-east-1."
  }
}

variable "name_prefix" {
  description = "Prefix of the topic, key alias and alarm names, e.g. dofs-dev."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9-]{1,40}$", var.name_prefix))
    error_message = "name_prefix must be 1-40 lowercase letters, digits or '-'."
  }
}

variable "alarm_email_addresses" {
  description = "Addresses subscribed to the alarm topic by email (each must confirm the subscription)."
  type        = list(string)

  validation {
    condition     = length(var.alarm_email_addresses) > 0 && alltrue([for e in var.alarm_email_addresses : can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", e))])
    error_message = "alarm_email_addresses must name at least one email address: DLQ and failure alarms are sent there (each address confirms its subscription)."
  }
}

variable "period_seconds" {
  description = "Period over which each metric is evaluated."
  type        = number
  default     = 60

  validation {
    condition     = var.period_seconds >= 60 && var.period_seconds % 60 == 0
    error_message = "period_seconds must be a multiple of 60."
  }
}

variable "schedule_dead_letter_queue_name" {
  description = "Name of the dead-letter queue of the reconciler's schedule (invocations EventBridge Scheduler could not deliver)."
  type        = string
}

variable "queue_name" {
  description = "Name of the work queue (order_queue)."
  type        = string
}

variable "dead_letter_queue_name" {
  description = "Name of the dead-letter queue (order_dlq)."
  type        = string
}

variable "parking_queue_name" {
  description = "Name of the parking queue (what dlq-handler could not process at all)."
  type        = string
}

variable "oldest_message_age_threshold_seconds" {
  description = "Alarm when the oldest message of the work queue is older than this."
  type        = number
  default     = 600

  validation {
    condition     = var.oldest_message_age_threshold_seconds >= 60
    error_message = "oldest_message_age_threshold_seconds must be at least 60."
  }
}

variable "state_machine_arn" {
  description = "ARN of the order workflow."
  type        = string
}

variable "lambda_function_names" {
  description = "Functions to watch for Errors and Throttles, keyed by app name."
  type        = map(string)

  validation {
    condition     = length(var.lambda_function_names) > 0
    error_message = "lambda_function_names must name at least one function."
  }
}

variable "api_id" {
  description = "ID of the HTTP API (ApiId metric dimension)."
  type        = string
}

variable "api_stage_name" {
  description = "Stage of the HTTP API (Stage metric dimension; $default)."
  type        = string
}

variable "metrics_namespace" {
  description = "CloudWatch namespace of the functions' own (Embedded Metric Format) metrics."
  type        = string
  default     = "DOFS"
}

variable "reconciler_service_name" {
  description = "The `service` dimension of the reconciler's metrics (Redriven, Requeued, GaveUp)."
  type        = string
  default     = "reconcile-orders"
}

variable "key_administrator_arns" {
  description = "IAM roles named in the topic key's policy as its administrators: the role that applies this configuration (the pipeline's Apply role), so it can finish creating the key before tag-based IAM permissions on the new key take effect."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for arn in var.key_administrator_arns : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/", arn))])
    error_message = "key_administrator_arns must be IAM role ARNs."
  }
}

variable "tags" {
  description = "Tags for every resource of the module."
  type        = map(string)
  default     = {}
}
