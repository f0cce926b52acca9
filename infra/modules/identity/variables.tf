variable "name" {
  description = "Name of the user pool (<project>-<environment>), also the prefix of its app clients' names."
  type        = string

  validation {
    condition     = length(var.name) >= 1 && length(var.name) <= 128
    error_message = "name must be 1-128 characters."
  }
}

variable "region" {
  description = "AWS region of the user pool (its issuer and token endpoint URLs name it)."
  type        = string
}

variable "domain_prefix" {
  description = "Prefix of the user pool's domain, <prefix>.auth.<region>.amazoncognito.com: unique in the region across every AWS account."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$", var.domain_prefix)) && !can(regex("aws|amazon|cognito", var.domain_prefix))
    error_message = "domain_prefix must be 1-63 lowercase letters, digits and inner hyphens, without aws, amazon or cognito."
  }
}

variable "resource_server_identifier" {
  description = "Identifier of the resource server: the prefix of every scope (orders/write, orders/read, orders/act-for-customers)."
  type        = string
  default     = "orders"
}

variable "user_pool_tier" {
  description = "Feature plan of the user pool: LITE (the cheapest per monthly active user; client credentials, resource servers and the classic hosted sign-in are all in it), ESSENTIALS (Cognito's default) or PLUS."
  type        = string
  default     = "LITE"

  validation {
    condition     = contains(["LITE", "ESSENTIALS", "PLUS"], var.user_pool_tier)
    error_message = "user_pool_tier must be LITE, ESSENTIALS or PLUS."
  }
}

variable "access_token_validity_minutes" {
  description = "Lifetime of the access tokens both clients issue; callers cache a token this long (the identity provider's cost is token requests)."
  type        = number
  default     = 60

  validation {
    condition     = var.access_token_validity_minutes >= 5 && var.access_token_validity_minutes <= 1440 && floor(var.access_token_validity_minutes) == var.access_token_validity_minutes
    error_message = "access_token_validity_minutes must be a whole number from 5 to 1440 (Cognito's limits)."
  }
}

variable "customer_callback_urls" {
  description = "Where the hosted sign-in may return a customer's authorization code (the customer-facing app's redirect URLs)."
  type        = list(string)

  validation {
    condition     = length(var.customer_callback_urls) > 0 && alltrue([for u in var.customer_callback_urls : can(regex("^(https://|http://localhost(:[0-9]+)?/)", u))])
    error_message = "customer_callback_urls must name at least one https:// URL (http:// only for localhost)."
  }
}

variable "customer_logout_urls" {
  description = "Where the hosted sign-out may send a customer back to."
  type        = list(string)
  default     = []
}

variable "deletion_protection" {
  description = "Whether the user pool refuses deletion (its users are the customers' identities)."
  type        = bool
  default     = true
}

variable "tags" {
  description = "Tags for the user pool (the only resource of the module with tags)."
  type        = map(string)
  default     = {}
}
