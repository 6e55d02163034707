-- wrk script for bench/catalogue.py's realistic mix: every request GETs the next path of the
-- list in BENCH_MIX (one path a line, written by bench/catalogue.py from the benchmark
-- database), so requests in a row are mostly different pages. With BENCH_THREADS threads,
-- thread k starts (k - 1) / BENCH_THREADS of the way into the list; each thread goes on in
-- order and starts over at the end. The order is fixed, so runs send the same requests.
dofile("bench/wrk_report.lua")  -- defines done(): the BENCH-JSON line

local list = os.getenv("BENCH_MIX") or "bench/out/catalogue-mix.txt"
local threads = tonumber(os.getenv("BENCH_THREADS") or "1")
local thread_count = 0
local paths = {}
local next_path = 1

function setup(thread)
  thread_count = thread_count + 1
  thread:set("thread_number", thread_count)
end

function init(args)
  for line in io.lines(list) do
    if line ~= "" then
      paths[#paths + 1] = line
    end
  end
  if #paths == 0 then
    error("no paths in " .. list)
  end
  next_path = math.floor(((thread_number or 1) - 1) * #paths / threads) % #paths + 1
end

function request()
  local path = paths[next_path]
  next_path = next_path % #paths + 1
  return wrk.format("GET", path)
end
