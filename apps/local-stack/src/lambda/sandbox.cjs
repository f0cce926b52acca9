// One Lambda execution environment ("sandbox"), run as a worker thread by runtime.ts.
//
// Plain CommonJS on purpose: it runs with no TypeScript loader, so a sandbox starts like a Lambda
// cold start does (load the bundle, then serve invocations) and nothing of the local stack leaks in.
// The worker has its own process.env (given by the parent), its own module cache and its own heap
// limit, and handles one invocation at a time, like a real execution environment.
'use strict';

const { parentPort, workerData } = require('node:worker_threads');
const { pathToFileURL } = require('node:url');
const util = require('node:util');

const { bundlePath, handlerName, functionName, functionVersion, memoryMb, invokedFunctionArn, logStreamName } =
  workerData;

/** The Node.js Lambda runtime's error shape (errorType = error.name, like the runtime interface client). */
function toErrorPayload(error) {
  const isErrorLike =
    util.types.isNativeError(error) ||
    (error !== null &&
      typeof error === 'object' &&
      typeof error.name === 'string' &&
      typeof error.message === 'string' &&
      typeof error.stack === 'string');
  if (isErrorLike) {
    return {
      errorType: error.name,
      errorMessage: error.message,
      trace: typeof error.stack === 'string' ? error.stack.split('\n') : [],
    };
  }
  return { errorType: typeof error, errorMessage: String(error), trace: [] };
}

function withType(errorType, message, cause) {
  const payload = cause ? toErrorPayload(cause) : { trace: [] };
  return { errorType, errorMessage: message, trace: payload.trace };
}

let handler;

async function init() {
  const started = performance.now();
  let mod;
  try {
    mod = bundlePath.endsWith('.mjs') ? await import(pathToFileURL(bundlePath).href) : require(bundlePath);
  } catch (error) {
    if (error && (error.code === 'MODULE_NOT_FOUND' || error.code === 'ERR_MODULE_NOT_FOUND')) {
      return { error: withType('Runtime.ImportModuleError', `Error: ${error.message}`, error) };
    }
    if (error instanceof SyntaxError) {
      return { error: withType('Runtime.UserCodeSyntaxError', `${error.name}: ${error.message}`, error) };
    }
    return { error: toErrorPayload(error) };
  }
  const candidate = mod && (mod[handlerName] ?? (mod.default && mod.default[handlerName]));
  if (typeof candidate !== 'function') {
    return {
      error: withType('Runtime.HandlerNotFound', `main.${handlerName} is undefined or not exported`),
    };
  }
  handler = candidate;
  return { initDurationMs: performance.now() - started };
}

function invoke({ event, requestId, deadline, clientContext }) {
  return new Promise((resolve, reject) => {
    let settled = false;
    const callback = (err, result) => {
      if (settled) return;
      settled = true;
      if (err !== undefined && err !== null) reject(err);
      else resolve(result);
    };
    const context = {
      callbackWaitsForEmptyEventLoop: true,
      functionName,
      functionVersion,
      invokedFunctionArn,
      memoryLimitInMB: String(memoryMb),
      awsRequestId: requestId,
      logGroupName: `/aws/lambda/${functionName}`,
      logStreamName,
      identity: undefined,
      clientContext,
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
      done: callback,
      fail: (err) => callback(err ?? 'handled'),
      succeed: (result) => callback(null, result),
    };
    let returned;
    try {
      returned = handler(event, context, callback);
    } catch (error) {
      callback(error);
      return;
    }
    if (returned && typeof returned.then === 'function') {
      returned.then(
        (result) => callback(null, result),
        (error) => callback(error === undefined || error === null ? new Error(String(error)) : error),
      );
    } else if (handler.length < 3) {
      // A synchronous handler without a callback: Lambda answers null.
      callback(null, returned === undefined ? null : returned);
    }
  });
}

// Unhandled rejections end a Node.js Lambda environment with Runtime.UnhandledPromiseRejection.
process.on('unhandledRejection', (reason) => {
  const payload = toErrorPayload(reason);
  parentPort.postMessage({
    type: 'fatal',
    error: {
      errorType: 'Runtime.UnhandledPromiseRejection',
      errorMessage: `${payload.errorType}: ${payload.errorMessage}`,
      trace: payload.trace,
    },
  });
  process.exit(128);
});

const ready = init().then((result) => {
  parentPort.postMessage({ type: 'init', ...result });
  return result;
});

parentPort.on('message', async (message) => {
  if (message.type !== 'invoke') return;
  const initResult = await ready;
  if (initResult.error) {
    parentPort.postMessage({ type: 'result', id: message.id, error: initResult.error });
    return;
  }
  try {
    const result = await invoke(message);
    let payload;
    try {
      payload = JSON.stringify(result === undefined ? null : result);
    } catch (error) {
      parentPort.postMessage({
        type: 'result',
        id: message.id,
        error: withType('Runtime.MarshalError', 'Unable to stringify response body', error),
      });
      return;
    }
    parentPort.postMessage({ type: 'result', id: message.id, payload });
  } catch (error) {
    parentPort.postMessage({ type: 'result', id: message.id, error: toErrorPayload(error) });
  }
});
