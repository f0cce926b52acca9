variable "name" {
  description = "Name of the HTTP API."
  type        = string

  validation {
    condition     = length(var.name) >= 1 && length(var.name) <= 128
    error_message = "name must be 1-128 characters."
  }
}

variable "description" {
  description = "Description of the HTTP API."
  type        = string
  default     = ""
}

variable "lambda_function_name" {
  description = "Name of the function that serves every route (Lambda proxy integration)."
  type        = string
}

variable "lambda_invoke_arn" {
  description = "Invoke ARN of that function."
  type        = string
}

variable "jwt_issuer" {
  description = "Issuer every token must name (iss), an https URL whose /.well-known/openid-configuration lists its keys, e.g. https://cognito-idp.<region>.amazonaws.com/<pool id>."
  type        = string

  validation {
    condition     = can(regex("^https://[^\\s]+$", var.jwt_issuer))
    error_message = "jwt_issuer must be an https:// URL."
  }
}

variable "jwt_audience" {
  description = "Audiences the JWT authorizer accepts: a token's aud or client_id must be one of them (Cognito: the app client ids)."
  type        = list(string)

  validation {
    condition     = length(var.jwt_audience) > 0 && alltrue([for a in var.jwt_audience : length(a) > 0])
    error_message = "jwt_audience must name at least one audience."
  }
}

variable "throttling_rate_limit" {
  description = "Steady-state requests per second allowed on the stage (every route)."
  type        = number

  validation {
    condition     = var.throttling_rate_limit > 0 && var.throttling_rate_limit <= 10000
    error_message = "throttling_rate_limit must be between 0 (exclusive) and 10000 (the account default)."
  }
}

variable "throttling_burst_limit" {
  description = "Burst of requests allowed on the stage (every route)."
  type        = number

  validation {
    condition     = var.throttling_burst_limit >= 1 && var.throttling_burst_limit <= 5000 && floor(var.throttling_burst_limit) == var.throttling_burst_limit
    error_message = "throttling_burst_limit must be a whole number between 1 and 5000."
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

variable "tags" {
  description = "Tags for every resource of the module."
  type        = map(string)
  default     = {}
}

