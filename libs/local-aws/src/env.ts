import { LOCAL_CREDENTIALS, LOCAL_REGION } from './constants';

export interface LocalEndpoints {
  dynamodb: string;
  sqs: string;
  sfn?: string;
  cloudwatch?: string;
}

/**
 * Environment that points the AWS SDK v3 at local servers through its standard service-specific
 * endpoint variables, so handler code runs unchanged. Region and dummy credentials are set too:
 * the SDK refuses to sign without them, and they keep real credentials away from local traffic.
 */
export function localAwsEnv(endpoints: LocalEndpoints): Record<string, string> {
  const env: Record<string, string> = {
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    AWS_ENDPOINT_URL_SQS: endpoints.sqs,
    AWS_REGION: LOCAL_REGION,
    AWS_DEFAULT_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
  };
  if (endpoints.sfn !== undefined) env['AWS_ENDPOINT_URL_SFN'] = endpoints.sfn;
  if (endpoints.cloudwatch !== undefined) env['AWS_ENDPOINT_URL_CLOUDWATCH'] = endpoints.cloudwatch;
  return env;
}
