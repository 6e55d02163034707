-- wrk script for bench/purchase.py: every request confirms one prepared purchase of a
-- different card (POST /checkout/confirm), or, in control mode, POSTs the same form to the
-- control route. The prepared purchases are lines of BENCH_REQUESTS, tab-separated:
--   session cookie, CSRF token, purchase key, code, course slug
-- A purchase run uses the lines BENCH_FROM..BENCH_TO (1-based, inclusive), dealt out to the
-- threads in turn, each line once; a thread that runs out stops (bench/purchase.py then
-- refuses the figures: it needs more cards). A control run cycles through every line.
dofile("bench/wrk_report.lua")  -- defines done(): the BENCH-JSON line

local thread_count = 0
local all_threads = {}

function setup(thread)
  thread_count = thread_count + 1
  thread:set("thread_number", thread_count)
  thread:set("exhausted", 0)
  all_threads[thread_count] = thread
end

-- After wrk_report.lua's line, one more: how many threads ran out of prepared purchases.
local report = done
done = function(summary, latency, requests)
  report(summary, latency, requests)
  local out = 0
  for _, thread in ipairs(all_threads) do
    if thread:get("exhausted") ~= 0 then
      out = out + 1
    end
  end
  io.write(string.format("BENCH-EXHAUSTED %d\n", out))
end

local mode = os.getenv("BENCH_MODE") or "purchase"
local path = os.getenv("BENCH_REQUESTS") or "bench/out/purchase-requests.tsv"
local first = tonumber(os.getenv("BENCH_FROM") or "1")
local last = tonumber(os.getenv("BENCH_TO") or "0")
local threads = tonumber(os.getenv("BENCH_THREADS") or "1")
local target = mode == "control" and "/_bench/purchase-control" or "/checkout/confirm"
local lines = {}
local next_line = 1

local function split(line)
  local fields = {}
  for value in string.gmatch(line, "[^\t]+") do
    fields[#fields + 1] = value
  end
  return fields
end

function init(args)
  local number = 0
  for line in io.lines(path) do
    number = number + 1
    local mine = (number - 1) % threads == (thread_number or 1) - 1
    if mode == "control" or (number >= first and number <= last and mine) then
      lines[#lines + 1] = split(line)
    end
  end
end

function request()
  local fields = lines[next_line]
  if fields == nil then
    if mode == "control" and #lines > 0 then
      next_line = 1
      fields = lines[1]
    else
      exhausted = 1
      wrk.thread:stop()
      return wrk.format("GET", "/healthz")
    end
  end
  next_line = next_line + 1
  local headers = {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = fields[1],
    ["User-Agent"] = "purchase-bench",
  }
  local body = "csrf_token=" .. fields[2] .. "&purchase_key=" .. fields[3] .. "&code=" .. fields[4]
    .. "&course=" .. fields[5]
  return wrk.format("POST", target, headers, body)
end
