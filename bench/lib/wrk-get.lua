-- wrk script for the feed: GETs one URL (with the Authorization header given to wrk -H) and prints one
-- machine-readable line at the end. No response() hook, so wrk does not run Lua per response.
--   wrk -t T -c C -d D -s wrk-get.lua -H 'Authorization: Basic …' URL

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d seconds=%.3f rps=%.1f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f max_ms=%.3f " ..
    "ok2xx=%d non2xx=%d sockerr=%d timeouts=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1e3, latency:percentile(90) / 1e3, latency:percentile(99) / 1e3, latency.max / 1e3,
    summary.requests - e.status, e.status, e.connect + e.read + e.write, e.timeout))
end
