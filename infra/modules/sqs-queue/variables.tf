variable "name" {
  description = "Name of the work queue."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,80}$", var.name))
    error_message = "name must be 1-80 characters of letters, digits, '-' or '_' (standard queue)."
  }
}

variable "dead_letter_queue_name" {
  description = "Name of the dead-letter queue the work queue redrives to."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,80}$", var.dead_letter_queue_name))
    error_message = "dead_letter_queue_name must be 1-80 characters of letters, digits, '-' or '_' (standard queue)."
  }
}

variable "parking_queue_name" {
  description = "Name of the parking queue the dead-letter queue redrives to: messages its consumer could not process dead_letter_max_receive_count times."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,80}$", var.parking_queue_name))
    error_message = "parking_queue_name must be 1-80 characters of letters, digits, '-' or '_' (standard queue)."
  }
}

variable "dead_letter_max_receive_count" {
  description = "Receives of a dead-lettered message before SQS moves it to the parking queue."
  type        = number

  validation {
    condition     = var.dead_letter_max_receive_count >= 1 && var.dead_letter_max_receive_count <= 1000 && floor(var.dead_letter_max_receive_count) == var.dead_letter_max_receive_count
    error_message = "dead_letter_max_receive_count must be a whole number between 1 and 1000."
  }
}

variable "parking_message_retention_seconds" {
  description = "Retention of the parking queue. Expiry counts from the original enqueue time, so what reaches the parking queue late has less time left: its alarm fires on the first message."
  type        = number
  default     = 1209600

  validation {
    condition     = var.parking_message_retention_seconds >= 60 && var.parking_message_retention_seconds <= 1209600
    error_message = "parking_message_retention_seconds must be between 60 and 1209600 (14 days)."
  }
}

variable "max_receive_count" {
  description = "Receives of a message before SQS moves it to the dead-letter queue."
  type        = number

  validation {
    condition     = var.max_receive_count >= 1 && var.max_receive_count <= 1000 && floor(var.max_receive_count) == var.max_receive_count
    error_message = "max_receive_count must be a whole number between 1 and 1000."
  }
}

variable "consumer_timeout_seconds" {
  description = "Timeout of the Lambda function consuming the work queue; the visibility timeout is checked against it."
  type        = number

  validation {
    condition     = var.consumer_timeout_seconds >= 1 && var.consumer_timeout_seconds <= 900
    error_message = "consumer_timeout_seconds must be between 1 and 900."
  }
}

variable "visibility_timeout_seconds" {
  description = "Visibility timeout of the work queue. AWS recommends at least six times the consumer's timeout."
  type        = number

  validation {
    condition     = var.visibility_timeout_seconds >= 0 && var.visibility_timeout_seconds <= 43200
    error_message = "visibility_timeout_seconds must be between 0 and 43200."
  }

  validation {
    condition     = var.visibility_timeout_seconds >= 6 * var.consumer_timeout_seconds
    error_message = "visibility_timeout_seconds must be at least 6x consumer_timeout_seconds, so a message is not redelivered while a retried invocation may still hold it."
  }
}

variable "dead_letter_consumer_timeout_seconds" {
  description = "Timeout of the Lambda function consuming the dead-letter queue; its visibility timeout is checked against it."
  type        = number

  validation {
    condition     = var.dead_letter_consumer_timeout_seconds >= 1 && var.dead_letter_consumer_timeout_seconds <= 900
    error_message = "dead_letter_consumer_timeout_seconds must be between 1 and 900."
  }
}

variable "dead_letter_visibility_timeout_seconds" {
  description = "Visibility timeout of the dead-letter queue."
  type        = number

  validation {
    condition     = var.dead_letter_visibility_timeout_seconds >= 6 * var.dead_letter_consumer_timeout_seconds && var.dead_letter_visibility_timeout_seconds <= 43200
    error_message = "dead_letter_visibility_timeout_seconds must be at least 6x dead_letter_consumer_timeout_seconds and at most 43200."
  }
}

variable "message_retention_seconds" {
  description = "Retention of the work queue."
  type        = number

  validation {
    condition     = var.message_retention_seconds >= 60 && var.message_retention_seconds <= 1209600
    error_message = "message_retention_seconds must be between 60 and 1209600."
  }
}

variable "dead_letter_message_retention_seconds" {
  description = "Retention of the dead-letter queue. A standard queue's DLQ keeps the original enqueue time, so it must be longer than the work queue's."
  type        = number

  validation {
    condition     = var.dead_letter_message_retention_seconds <= 1209600
    error_message = "dead_letter_message_retention_seconds must be at most 1209600 (14 days)."
  }

  validation {
    condition     = var.dead_letter_message_retention_seconds > var.message_retention_seconds
    error_message = "dead_letter_message_retention_seconds must be longer than message_retention_seconds, or dead-lettered messages expire early."
  }
}

variable "receive_wait_time_seconds" {
  description = "Long-polling wait of ReceiveMessage."
  type        = number
  default     = 20

  validation {
    condition     = var.receive_wait_time_seconds >= 0 && var.receive_wait_time_seconds <= 20
    error_message = "receive_wait_time_seconds must be between 0 and 20."
  }
}

variable "kms_master_key_id" {
  description = "KMS key for server-side encryption; null uses SQS-managed encryption (SSE-SQS)."
  type        = string
  default     = null
}

variable "tags" {
  description = "Tags for both queues."
  type        = map(string)
  default     = {}
}
