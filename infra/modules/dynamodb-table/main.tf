locals {
  # Every key attribute of the table and its indexes. DynamoDB declares each one once, with one type,
  # and rejects attribute definitions that no key uses, so the list is derived, never written twice.
  key_attributes = concat(
    [{ name = var.hash_key, type = var.hash_key_type }],
    flatten([
      for index in var.global_secondary_indexes : concat(
        [{ name = index.hash_key, type = index.hash_key_type }],
        index.range_key == null ? [] : [{ name = index.range_key, type = index.range_key_type }],
      )
    ]),
  )
  key_attribute_types = { for a in local.key_attributes : a.name => a.type... }
  attributes          = { for name, types in local.key_attribute_types : name => types[0] }
}

resource "aws_dynamodb_table" "this" {
  name = var.name

  # On demand: no capacity to plan, pay per request (indexes included).
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = var.hash_key

  dynamic "attribute" {
    for_each = local.attributes

    content {
      name = attribute.key
      type = attribute.value
    }
  }

  dynamic "global_secondary_index" {
    for_each = { for index in var.global_secondary_indexes : index.name => index }

    content {
      name            = global_secondary_index.value.name
      hash_key        = global_secondary_index.value.hash_key
      range_key       = global_secondary_index.value.range_key
      projection_type = global_secondary_index.value.projection_type
    }
  }

  # Items whose TTL attribute (epoch seconds) has passed are deleted by DynamoDB, typically within
  # days: readers must still check the expiry themselves.
  dynamic "ttl" {
    for_each = var.ttl_attribute_name == null ? [] : [var.ttl_attribute_name]

    content {
      attribute_name = ttl.value
      enabled        = true
    }
  }

  point_in_time_recovery {
    enabled = var.point_in_time_recovery_enabled
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = var.kms_key_arn
  }

  deletion_protection_enabled = var.deletion_protection_enabled

  tags = var.tags

  lifecycle {
    precondition {
      condition     = alltrue([for name, types in local.key_attribute_types : length(distinct(types)) == 1])
      error_message = "A key attribute shared by the table and its indexes must have the same type everywhere."
    }
  }
}
