-- wrk script of `python -m jaif_kg.bench.soak`: counts every response by HTTP status and, when the run
-- is done, prints machine-readable lines after wrk's own report:
--   soak-status <status> <count>          one per status seen
--   soak-summary <requests> <duration_us> <connect> <read> <write> <timeout> <non_2xx_3xx>
--   soak-latency <p50_us> <p99_us> <max_us>
-- (wrk API: https://github.com/wg/wrk/blob/master/SCRIPTING). Each wrk thread runs its own Lua
-- state, so the counts live in a global that done() reads from every thread.

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  statuses = {}
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local totals = {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses") or {}) do
      totals[status] = (totals[status] or 0) + count
    end
  end
  for status, count in pairs(totals) do
    io.write(string.format("soak-status %d %d\n", status, count))
  end
  local e = summary.errors
  io.write(string.format("soak-summary %d %d %d %d %d %d %d\n", summary.requests,
    summary.duration, e.connect, e.read, e.write, e.timeout, e.status))
  io.write(string.format("soak-latency %d %d %d\n", latency:percentile(50),
    latency:percentile(99), latency.max))
end
