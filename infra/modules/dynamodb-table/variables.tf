variable "name" {
  description = "Name of the table."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]{3,255}$", var.name))
    error_message = "name must be 3-255 characters of letters, digits, '_', '-' or '.'."
  }
}

variable "hash_key" {
  description = "Partition key attribute name."
  type        = string

  validation {
    condition     = length(var.hash_key) > 0
    error_message = "hash_key must not be empty."
  }
}

variable "hash_key_type" {
  description = "Partition key attribute type: S, N or B."
  type        = string
  default     = "S"

  validation {
    condition     = contains(["S", "N", "B"], var.hash_key_type)
    error_message = "hash_key_type must be S, N or B."
  }
}

variable "deletion_protection_enabled" {
  description = "Whether DynamoDB refuses to delete the table (turn off deliberately before a destroy)."
  type        = bool
  default     = true
}

variable "point_in_time_recovery_enabled" {
  description = "Whether continuous backups (point-in-time recovery) are on."
  type        = bool
  default     = true
}

variable "kms_key_arn" {
  description = "Customer managed KMS key for server-side encryption; null uses the AWS managed key (aws/dynamodb)."
  type        = string
  default     = null
}

variable "tags" {
  description = "Tags for the table."
  type        = map(string)
  default     = {}
}
