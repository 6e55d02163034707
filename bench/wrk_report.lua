-- wrk report for bench/catalogue.py: after the run, print one machine-readable line with the
-- request count, the duration and the latency percentiles (all times in microseconds).
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCH-JSON {\"requests\": %.0f, \"duration_us\": %.0f, \"bytes\": %.0f, "
      .. "\"p50_us\": %.0f, \"p90_us\": %.0f, \"p95_us\": %.0f, \"p99_us\": %.0f, "
      .. "\"max_us\": %.0f, \"mean_us\": %.1f, \"errors_connect\": %.0f, \"errors_read\": %.0f, "
      .. "\"errors_write\": %.0f, \"errors_status\": %.0f, \"errors_timeout\": %.0f}\n",
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(90), latency:percentile(95),
    latency:percentile(99), latency.max, latency.mean,
    e.connect, e.read, e.write, e.status, e.timeout))
end
