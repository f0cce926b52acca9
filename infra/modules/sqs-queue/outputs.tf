output "queue_name" {
  description = "Name of the work queue."
  value       = aws_sqs_queue.this.name
}

output "queue_arn" {
  description = "ARN of the work queue."
  value       = aws_sqs_queue.this.arn
}

output "queue_url" {
  description = "URL of the work queue."
  value       = aws_sqs_queue.this.url
}

output "dead_letter_queue_name" {
  description = "Name of the dead-letter queue."
  value       = aws_sqs_queue.dlq.name
}

output "dead_letter_queue_arn" {
  description = "ARN of the dead-letter queue."
  value       = aws_sqs_queue.dlq.arn
}

output "dead_letter_queue_url" {
  description = "URL of the dead-letter queue."
  value       = aws_sqs_queue.dlq.url
}

output "parking_queue_name" {
  description = "Name of the parking queue."
  value       = aws_sqs_queue.parking.name
}

output "parking_queue_arn" {
  description = "ARN of the parking queue."
  value       = aws_sqs_queue.parking.arn
}

output "parking_queue_url" {
  description = "URL of the parking queue."
  value       = aws_sqs_queue.parking.url
}
