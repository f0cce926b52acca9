output "api_url" {
  description = "Base URL of the order API stage: POST <api_url>/order, GET <api_url>/orders/{order_id}."
  value       = module.api.invoke_url
}

output "jwt_issuer" {
  description = "Issuer of the tokens the API accepts (the Cognito user pool's, or var.jwt_issuer)."
  value       = local.jwt_issuer
}

output "jwt_audience" {
  description = "Audiences the API's JWT authorizer accepts (the Cognito app client ids, or var.jwt_audience)."
  value       = local.jwt_audience
}

output "user_pool_id" {
  description = "ID of the Cognito user pool that issues the API's tokens (null with an external issuer)."
  value       = local.create_cognito ? module.identity[0].user_pool_id : null
}

output "token_endpoint" {
  description = "OAuth 2.0 token endpoint of the Cognito user pool's domain (null with an external issuer)."
  value       = local.create_cognito ? module.identity[0].token_endpoint : null
}

output "machine_client_id" {
  description = "Cognito app client id for trusted backends, client credentials (null with an external issuer)."
  value       = local.create_cognito ? module.identity[0].machine_client_id : null
}

output "machine_client_secret" {
  description = "Secret of the machine client, kept in the state: terraform output -raw machine_client_secret (null with an external issuer)."
  value       = local.create_cognito ? module.identity[0].machine_client_secret : null
  sensitive   = true
}

output "customer_client_id" {
  description = "Cognito app client id for customer-facing apps, authorization code without a secret (null with an external issuer)."
  value       = local.create_cognito ? module.identity[0].customer_client_id : null
}

output "orders_table_name" {
  description = "DynamoDB table holding every order and its status."
  value       = module.orders_table.name
}

output "failed_orders_table_name" {
  description = "DynamoDB table holding one item per dead-lettered order message."
  value       = module.failed_orders_table.name
}

output "idempotency_keys_table_name" {
  description = "DynamoDB table holding one item per customer and Idempotency-Key, deleted by TTL after the idempotency window."
  value       = module.idempotency_keys_table.name
}

output "order_queue_name" {
  description = "SQS queue of orders waiting for fulfilment."
  value       = module.order_queue.queue_name
}

output "order_queue_url" {
  description = "URL of order_queue."
  value       = module.order_queue.queue_url
}

output "order_dlq_name" {
  description = "SQS dead-letter queue of orders that failed fulfilment maxReceiveCount times."
  value       = module.order_queue.dead_letter_queue_name
}

output "order_dlq_url" {
  description = "URL of order_dlq."
  value       = module.order_queue.dead_letter_queue_url
}

output "state_machine_arn" {
  description = "ARN of the order workflow (Step Functions)."
  value       = module.order_workflow.state_machine_arn
}

output "alarm_topic_arn" {
  description = "SNS topic every alarm notifies."
  value       = module.alarms.topic_arn
}

output "function_names" {
  description = "Lambda function name of each app."
  value = {
    "api-handler"      = module.api_handler.function_name
    "validate-order"   = module.validate_order.function_name
    "store-order"      = module.store_order.function_name
    "fulfill-order"    = module.fulfill_order.function_name
    "dlq-handler"      = module.dlq_handler.function_name
    "reconcile-orders" = module.reconcile_orders.function_name
  }
}

output "deployed_versions" {
  description = "package.json version of the artifact each function runs."
  value       = { for app, a in local.artifacts : app => a.version }
}
