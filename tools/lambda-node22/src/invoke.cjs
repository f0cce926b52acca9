// Runs under the Node binary being tested: loads one Lambda bundle the way the nodejs runtime does
// (require, then `handler`), invokes it once with the event on stdin and a Lambda-like context,
// and writes {node, result} or {node, error} to the file named by the second argument.
//
//   <node> tools/lambda-node22/src/invoke.cjs <bundle> <result file> < event.json
'use strict';
const { readFileSync, writeFileSync } = require('node:fs');
const { randomUUID } = require('node:crypto');

const [bundle, resultFile] = process.argv.slice(2);
const timeoutMs = Number(process.env.INVOKE_TIMEOUT_MS || 10000);

function write(outcome) {
  writeFileSync(resultFile, JSON.stringify({ node: process.version, ...outcome }));
}

async function main() {
  const event = JSON.parse(readFileSync(0, 'utf8'));
  const started = Date.now();
  const functionName = process.env.AWS_LAMBDA_FUNCTION_NAME || 'dofs-node22-check';
  const context = {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: '2026/12/01/[$LATEST]00000000000000000000000000000000',
    getRemainingTimeInMillis: () => Math.max(0, timeoutMs - (Date.now() - started)),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
  const { handler } = require(bundle);
  if (typeof handler !== 'function') throw new TypeError(`${bundle} exports no handler function`);
  write({ result: await handler(event, context) });
}

main().then(
  () => process.exit(0),
  (error) => {
    write({ error: { name: error && error.name, message: error && error.message } });
    process.exit(0);
  },
);
