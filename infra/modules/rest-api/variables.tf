variable "name" {
  description = "Name of the REST API."
  type        = string

  validation {
    condition     = length(var.name) >= 1 && length(var.name) <= 128
    error_message = "name must be 1-128 characters."
  }
}

variable "description" {
  description = "Description of the REST API."
  type        = string
  default     = ""
}

variable "stage_name" {
  description = "Name of the deployment stage (part of the invoke URL)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_]{1,128}$", var.stage_name))
    error_message = "stage_name must be 1-128 letters, digits or '_'."
  }
}

variable "lambda_function_name" {
  description = "Name of the function that serves every route (Lambda proxy integration)."
  type        = string
}

variable "lambda_invoke_arn" {
  description = "Invoke ARN of that function."
  type        = string
}

variable "create_order_model_schema" {
  description = "JSON Schema (draft 4) of the POST /order body, generated from order-domain into infra/generated/."
  type        = string

  validation {
    condition     = try(jsondecode(var.create_order_model_schema)["$schema"], "") == "http://json-schema.org/draft-04/schema#"
    error_message = "create_order_model_schema must be a JSON Schema draft 4 document (API Gateway models use draft 4)."
  }
}

variable "throttling_rate_limit" {
  description = "Steady-state requests per second allowed on the stage (every method)."
  type        = number

  validation {
    condition     = var.throttling_rate_limit > 0 && var.throttling_rate_limit <= 10000
    error_message = "throttling_rate_limit must be between 0 (exclusive) and 10000 (the account default)."
  }
}

variable "throttling_burst_limit" {
  description = "Burst of requests allowed on the stage (every method)."
  type        = number

  validation {
    condition     = var.throttling_burst_limit >= 1 && var.throttling_burst_limit <= 5000 && floor(var.throttling_burst_limit) == var.throttling_burst_limit
    error_message = "throttling_burst_limit must be a whole number between 1 and 5000."
  }
}

variable "execution_logging_level" {
  description = "API Gateway execution logging (needs the account's CloudWatch role, set by infra/bootstrap)."
  type        = string
  default     = "ERROR"

  validation {
    condition     = contains(["OFF", "ERROR", "INFO"], var.execution_logging_level)
    error_message = "execution_logging_level must be OFF, ERROR or INFO."
  }
}

variable "access_log_retention_in_days" {
  description = "Retention of the access log group."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.access_log_retention_in_days)
    error_message = "access_log_retention_in_days must be one of the values CloudWatch Logs accepts."
  }
}

variable "execution_log_retention_in_days" {
  description = "Retention of the execution log group (API-Gateway-Execution-Logs_<api id>/<stage>)."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.execution_log_retention_in_days)
    error_message = "execution_log_retention_in_days must be one of the values CloudWatch Logs accepts."
  }
}

variable "tags" {
  description = "Tags for every resource of the module."
  type        = map(string)
  default     = {}
}

variable "validate_request_body" {
  description = "Who rejects a POST /order body that breaks the CreateOrderRequest model. false (default, what the API contract promises): the request reaches the function, which answers 400 with one detail per bad field (JSON Pointer paths) and INVALID_JSON for a body that is not JSON. true: API Gateway's request validator rejects it before Lambda is invoked (cheaper under abusive traffic), answering VALIDATION_FAILED with API Gateway's single validation string as the only detail. The model stays attached to the method either way."
  type        = bool
  default     = false
}
