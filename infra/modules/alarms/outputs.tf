output "topic_arn" {
  description = "ARN of the SNS topic every alarm notifies."
  value       = aws_sns_topic.alarms.arn
}

output "kms_key_arn" {
  description = "ARN of the KMS key encrypting the topic."
  value       = aws_kms_key.topic.arn
}

output "alarm_names" {
  description = "Names of every alarm."
  value = concat(
    [
      aws_cloudwatch_metric_alarm.dlq_messages_received.alarm_name,
      aws_cloudwatch_metric_alarm.parking_messages_visible.alarm_name,
      aws_cloudwatch_metric_alarm.schedule_dead_letters_visible.alarm_name,
      aws_cloudwatch_metric_alarm.queue_oldest_message_age.alarm_name,
      aws_cloudwatch_metric_alarm.executions_failed.alarm_name,
      aws_cloudwatch_metric_alarm.api_5xx.alarm_name,
      aws_cloudwatch_metric_alarm.reconciler_redrives.alarm_name,
      aws_cloudwatch_metric_alarm.reconciler_give_ups.alarm_name,
      aws_cloudwatch_metric_alarm.reconciler_redrive_errors.alarm_name,
    ],
    [for a in aws_cloudwatch_metric_alarm.lambda_errors : a.alarm_name],
    [for a in aws_cloudwatch_metric_alarm.lambda_throttles : a.alarm_name],
  )
}
