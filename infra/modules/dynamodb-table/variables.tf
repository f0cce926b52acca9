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

variable "global_secondary_indexes" {
  description = "Global secondary indexes (on demand, like the table). Key attribute definitions are derived from them. projection_type is KEYS_ONLY or ALL. An index holds only items that have its key attributes, so an attribute set on some items only makes a sparse index."
  type = list(object({
    name            = string
    hash_key        = string
    hash_key_type   = optional(string, "S")
    range_key       = optional(string)
    range_key_type  = optional(string, "S")
    projection_type = string
  }))
  default = []

  validation {
    condition     = length(distinct([for index in var.global_secondary_indexes : index.name])) == length(var.global_secondary_indexes)
    error_message = "global_secondary_indexes names must be unique."
  }

  validation {
    condition     = alltrue([for index in var.global_secondary_indexes : can(regex("^[A-Za-z0-9_.-]{3,255}$", index.name))])
    error_message = "Each global secondary index name must be 3-255 characters of letters, digits, '_', '-' or '.'."
  }

  validation {
    condition     = alltrue([for index in var.global_secondary_indexes : contains(["KEYS_ONLY", "ALL"], index.projection_type)])
    error_message = "projection_type must be KEYS_ONLY or ALL (INCLUDE would need non_key_attributes, which the module does not take)."
  }

  validation {
    condition = alltrue([
      for index in var.global_secondary_indexes :
      contains(["S", "N", "B"], index.hash_key_type) && contains(["S", "N", "B"], index.range_key_type)
    ])
    error_message = "Index key types must be S, N or B."
  }

  validation {
    condition     = alltrue([for index in var.global_secondary_indexes : index.range_key == null || index.range_key != index.hash_key])
    error_message = "An index's range_key must differ from its hash_key."
  }
}

variable "ttl_attribute_name" {
  description = "Attribute holding each item's expiry time (epoch seconds, Number) for DynamoDB TTL; null turns TTL off. TTL deletes expired items late (typically within days), so readers still check the expiry."
  type        = string
  default     = null

  validation {
    condition     = var.ttl_attribute_name == null || can(regex("^[^\\s]+$", var.ttl_attribute_name))
    error_message = "ttl_attribute_name must be an attribute name (not empty, no spaces)."
  }
}
