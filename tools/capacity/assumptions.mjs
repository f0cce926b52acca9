// What tools/capacity cannot read from Terraform, infra/settings.json, the code or the measured
// durations. Each is a plain number with the reason it has that value;
// `npm run capacity -- --set name=value` overrides one for a what-if. The traffic shape is the
// cost model's (tools/cost/assumptions.mjs), so both tools price and size the same order.
import { ASSUMPTIONS as COST } from '../cost/assumptions.mjs';

export const ASSUMPTIONS = {
  /** Orders per second the design must carry in one Region (the goal the printout checks). */
  targetOrdersPerSecond: 5000,

  /** From the cost model: GETs per order (0: the 202 already answers), share of POSTs with an
   * Idempotency-Key (1: the intake's second put), share rejected by business rules (stored REJECTED,
   * never queued). */
  getsPerOrder: COST.getsPerOrder,
  idempotencyKeyShare: COST.idempotencyKeyShare,
  rejectedShare: COST.rejectedShare,

  /**
   * Milliseconds a call to an AWS service costs in a Region beyond the round trip to the local
   * server it was measured against (tools/capacity/durations.json), per call a handler makes in
   * sequence. Estimates, not measurements: DynamoDB answers in "single-digit milliseconds" (its
   * documentation), so 4 ms more than DynamoDB Local on the same machine; Step Functions
   * StartExecution and SQS document no latency, 15 and 10 ms are typical figures seen in a
   * Region. Replace them with REPORT lines or X-Ray once deployed.
   */
  inRegionCallMs: { dynamodb: 4, sfn: 15, sqs: 10 },
  /** Lambda's own cost of an invocation beyond the handler (runtime API round trip, billed ms rounding). */
  invocationOverheadMs: 1,

  /** The reconciler's CloudWatch GetMetricData requests per run: one request for the age of the
   * oldest message of both queues (the reconciler model: queue age as evidence before a re-send). */
  getMetricDataPerRun: 1,

  /** An SQS batch is full at the rates this tool is about (hundreds of receives a second fill 10
   * records in milliseconds), so batches per order = receives / batch_size. */
  fullBatches: true,

  /** Representative item sizes (bytes) the cost model uses for write units: an open-orders index entry. */
  gsiItemBytes: COST.gsiItemBytes,
  idempotencyItemBytes: COST.idempotencyItemBytes,
};
